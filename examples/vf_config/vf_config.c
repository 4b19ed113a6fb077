/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vf_config: a VF-side command line tool.
 *
 *   vf_config <EAL args> -- --dev NAME --vf N [--timeout MS] <command>
 *   vf_config <EAL args incl. -a BDF> -- --pci BDF <command>   (a VF bound to vfio-pci)
 *
 * Commands:
 *   list                                  the block catalog
 *   read <id> [offset [len]]              hex dump; standard blocks decoded
 *   write <id> <hex:..|text:..|file:PATH> [offset]
 *   watch [count [seconds]]               print invalidations as they come
 *
 * Exit status (for scripts): 0 done; 1 usage; 2 cannot attach (no PF, bad
 * device); 3 refused by the PF (-EACCES); 4 no such block (-ENOENT);
 * 5 out of range (-EINVAL); 6 no answer (-ETIMEDOUT, -ENOTCONN); 7 other
 * error; 8 watch ended without the count.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <rte_pmd_bcnic.h>

enum { EX_OK, EX_USAGE, EX_ATTACH, EX_REFUSED, EX_NOENT, EX_RANGE, EX_NOANSWER, EX_OTHER,
       EX_WATCH };

static volatile sig_atomic_t quit;
static volatile unsigned int seen;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
exit_code(int rc)
{
	switch (rc) {
	case -EACCES:
		return EX_REFUSED;
	case -ENOENT:
		return EX_NOENT;
	case -EINVAL:
		return EX_RANGE;
	case -ETIMEDOUT:
	case -ENOTCONN:
		return EX_NOANSWER;
	default:
		return EX_OTHER;
	}
}

static const char *
block_name(uint32_t id)
{
	switch (id) {
	case RTE_PMD_BCNIC_BLOCK_MAC:
		return "MAC";
	case RTE_PMD_BCNIC_BLOCK_MTU:
		return "MTU";
	case RTE_PMD_BCNIC_BLOCK_LINK:
		return "LINK";
	default:
		return "";
	}
}

static int
cmd_list(uint16_t port)
{
	static const char *const access[] = { "none", "ro", "rw" };
	struct rte_pmd_bcnic_block_info info[256];
	int n = rte_pmd_bcnic_vf_catalog(port, info, 256);

	if (n < 0)
		return n;
	printf("%-12s %8s %-7s %-6s %8s\n", "block", "size", "access", "scope", "version");
	for (int i = 0; i < n && i < 256; i++)
		printf("0x%08x %8u %-7s %-6s %8u %s\n", info[i].id, info[i].size,
		       access[info[i].access % 3],
		       info[i].scope == RTE_PMD_BCNIC_SCOPE_SHARED ? "shared" : "per_vf",
		       info[i].version, block_name(info[i].id));
	return 0;
}

static void
hexdump(const uint8_t *p, uint32_t len, uint32_t base)
{
	for (uint32_t i = 0; i < len; i += 16) {
		printf("%08x ", base + i);
		for (uint32_t j = i; j < i + 16; j++)
			printf(j < len ? " %02x" : "   ", j < len ? p[j] : 0);
		printf("  |");
		for (uint32_t j = i; j < i + 16 && j < len; j++)
			putchar(p[j] >= 32 && p[j] < 127 ? p[j] : '.');
		printf("|\n");
	}
}

static int
cmd_read(uint16_t port, uint32_t id, uint32_t off, uint32_t len)
{
	static uint8_t buf[RTE_PMD_BCNIC_MAX_BLOCK_SIZE];
	struct rte_pmd_bcnic_block_info info[256];
	uint32_t version;
	int rc;

	if (len == 0) {	/* whole block: its size from the catalog */
		int n = rte_pmd_bcnic_vf_catalog(port, info, 256);

		if (n < 0)
			return n;
		for (int i = 0; i < n && i < 256; i++)
			if (info[i].id == id)
				len = info[i].size > off ? info[i].size - off : 0;
		if (len == 0)
			return -ENOENT;
	}
	rc = rte_pmd_bcnic_vf_block_read(port, id, off, buf, len, &version, -1);
	if (rc < 0)
		return rc;
	printf("block 0x%08x version %u, %u bytes at %u\n", id, version, len, off);
	hexdump(buf, len, off);
	if (off == 0 && id == RTE_PMD_BCNIC_BLOCK_MAC && len >= 6)
		printf("MAC %02x:%02x:%02x:%02x:%02x:%02x\n", buf[0], buf[1], buf[2], buf[3], buf[4],
		       buf[5]);
	if (off == 0 && id == RTE_PMD_BCNIC_BLOCK_MTU && len >= 4) {
		uint32_t mtu;

		memcpy(&mtu, buf, 4);
		printf("MTU %u\n", mtu);
	}
	if (off == 0 && id == RTE_PMD_BCNIC_BLOCK_LINK && len >= 8) {
		struct rte_pmd_bcnic_link l;

		memcpy(&l, buf, sizeof(l));
		printf("LINK %s, %u Mbps\n", l.link_up ? "up" : "down", l.speed_mbps);
	}
	return 0;
}

/* hex:001122, text:hello or file:PATH into buf; the length or a negative errno. */
static int
parse_data(const char *s, uint8_t *buf, size_t room)
{
	size_t n = 0;

	if (strncmp(s, "text:", 5) == 0) {
		n = strlen(s + 5);
		if (n == 0 || n > room)
			return -EINVAL;
		memcpy(buf, s + 5, n);
		return (int)n;
	}
	if (strncmp(s, "file:", 5) == 0) {
		FILE *f = fopen(s + 5, "rb");

		if (f == NULL)
			return -errno;
		n = fread(buf, 1, room, f);
		fclose(f);
		return n == 0 ? -EINVAL : (int)n;
	}
	if (strncmp(s, "hex:", 4) != 0)
		return -EINVAL;
	for (s += 4; s[0] != '\0' && s[1] != '\0' && n < room; s += 2) {
		unsigned int b;

		if (sscanf(s, "%2x", &b) != 1)
			return -EINVAL;
		buf[n++] = (uint8_t)b;
	}
	return n == 0 || s[0] != '\0' ? -EINVAL : (int)n;
}

static void
on_invalidate(uint16_t port, uint32_t id, uint32_t version, void *arg)
{
	struct timespec ts;

	(void)port;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (id == RTE_PMD_BCNIC_BLOCK_ANY)
		printf("[%ld.%03ld] events were lost: re-read everything\n", (long)ts.tv_sec,
		       ts.tv_nsec / 1000000);
	else
		printf("[%ld.%03ld] block 0x%08x changed, version %u %s\n", (long)ts.tv_sec,
		       ts.tv_nsec / 1000000, id, version, block_name(id));
	fflush(stdout);
	seen++;
}

static int
cmd_watch(uint16_t port, unsigned int count, unsigned int seconds)
{
	time_t end = time(NULL) + (seconds ? (time_t)seconds : 365 * 24 * 3600);
	int rc = rte_pmd_bcnic_vf_invalidate_register(port, RTE_PMD_BCNIC_BLOCK_ANY, on_invalidate,
						      NULL);

	if (rc != 0)
		return rc;
	printf("watching VF port %u for block changes\n", port);
	fflush(stdout);
	while (!quit && (count == 0 || seen < count) && time(NULL) < end)
		usleep(10000);
	rte_pmd_bcnic_vf_invalidate_unregister(port, RTE_PMD_BCNIC_BLOCK_ANY, on_invalidate, NULL);
	return count != 0 && seen < count ? 1 : 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: vf_config <EAL args> -- --dev NAME --vf N [--timeout MS] <command>\n"
		"       vf_config <EAL args with -a BDF> -- --pci BDF [--timeout MS] <command>\n"
		"  list\n"
		"  read <id> [offset [len]]\n"
		"  write <id> <hex:..|text:..|file:PATH> [offset]\n"
		"  watch [count [seconds]]\n");
}

int
main(int argc, char **argv)
{
	static uint8_t buf[RTE_PMD_BCNIC_MAX_BLOCK_SIZE];
	const char *dev = NULL, *vf = NULL, *timeout = NULL, *pci = NULL;
	char args[256];
	uint16_t port;
	int i, rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "vf_config: EAL init failed\n");
		return EX_USAGE;
	}
	argc -= rc;
	argv += rc;
	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--dev") == 0)
			dev = argv[i + 1];
		else if (strcmp(argv[i], "--vf") == 0)
			vf = argv[i + 1];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = argv[i + 1];
		else if (strcmp(argv[i], "--pci") == 0)
			pci = argv[i + 1];
		else
			break;
	}
	if ((pci == NULL && (dev == NULL || vf == NULL)) || i >= argc) {
		usage();
		return EX_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (pci != NULL) {
		/* EAL probed it (-a BDF): the bcnic PCI driver claimed it, or declined it. */
		if (rte_eth_dev_get_port_by_name(pci, &port) != 0) {
			fprintf(stderr, "vf_config: %s is not a bcnic VF port (not bound to vfio-pci, "
				"not given with -a, or its BAR holds no bcnic window)\n", pci);
			rte_eal_cleanup();
			return EX_ATTACH;
		}
		if (timeout != NULL)
			rte_pmd_bcnic_vf_timeout_set(port, (unsigned int)atoi(timeout));
	} else if (snprintf(args, sizeof(args), "net_bcnic_vf_cfg,dev=%s,vf=%s%s%s", dev, vf,
			    timeout ? ",timeout_ms=" : "", timeout ? timeout : "") < 0 ||
		   rte_dev_probe(args) != 0 ||
		   rte_eth_dev_get_port_by_name("net_bcnic_vf_cfg", &port) != 0) {
		fprintf(stderr, "vf_config: cannot attach VF %s of device %s (is its PF running?)\n", vf,
			dev);
		rte_eal_cleanup();
		return EX_ATTACH;
	}
	const char *cmd = argv[i];
	int nargs = argc - i - 1;
	char **a = argv + i + 1;

	if (strcmp(cmd, "list") == 0 && nargs == 0) {
		rc = cmd_list(port);
	} else if (strcmp(cmd, "read") == 0 && nargs >= 1 && nargs <= 3) {
		rc = cmd_read(port, (uint32_t)strtoul(a[0], NULL, 0),
			      nargs >= 2 ? (uint32_t)strtoul(a[1], NULL, 0) : 0,
			      nargs >= 3 ? (uint32_t)strtoul(a[2], NULL, 0) : 0);
	} else if (strcmp(cmd, "write") == 0 && (nargs == 2 || nargs == 3)) {
		int len = parse_data(a[1], buf, sizeof(buf));
		uint32_t version;

		rc = len;
		if (len > 0) {
			rc = rte_pmd_bcnic_vf_block_write(port, (uint32_t)strtoul(a[0], NULL, 0),
							  nargs == 3 ? (uint32_t)strtoul(a[2], NULL, 0) : 0,
							  buf, (uint32_t)len, &version, -1);
			if (rc >= 0) {
				printf("wrote %d bytes, block version %u\n", len, version);
				rc = 0;
			}
		}
	} else if (strcmp(cmd, "watch") == 0 && nargs <= 2) {
		rc = cmd_watch(port, nargs >= 1 ? (unsigned int)atoi(a[0]) : 0,
			       nargs >= 2 ? (unsigned int)atoi(a[1]) : 0);
		if (rc == 1) {
			rc = 0;
			i = -1;	/* watch ended short */
		}
	} else {
		usage();
		if (pci == NULL)
			rte_eal_hotplug_remove("vdev", "net_bcnic_vf_cfg");
		rte_eal_cleanup();
		return EX_USAGE;
	}
	if (rc < 0)
		fprintf(stderr, "vf_config: %s: %s\n", cmd, strerror(-rc));
	if (pci == NULL)
		rte_eal_hotplug_remove("vdev", "net_bcnic_vf_cfg");
	else
		rte_eth_dev_close(port);
	rte_eal_cleanup();
	if (rc < 0)
		return exit_code(rc);
	return i == -1 ? EX_WATCH : EX_OK;
}
