/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf_agent: a PF-side program to start from.
 *
 *   pf_agent <EAL args> -- --dev NAME [--vfs N] [--config FILE] [--store PATH]
 *                          [--trusted LIST] [--pf-args DEVARGS]
 *
 * Creates a bcnic PF on the emulated device, defines vendor blocks from a
 * config file, lets only trusted VFs change their MAC, keeps the block store
 * across restarts (--store), logs VF events, and takes commands on stdin
 * (help lists them; at the end of stdin it just keeps serving).
 *
 * The log stays small whatever the VFs do: a VF's writes are logged one by
 * one up to LOG_LINES_PER_VF a second (LOG_LINES_TOTAL for all VFs), and so
 * are its sessions attaching and detaching, the others counted; once a
 * second a summary line per VF gives the count of what was not logged and of
 * its malformed requests (LOG_SUMMARY_VFS lines at most, the remaining VFs
 * summed in one).
 * SIGINT, SIGTERM or "quit" stop it cleanly: port closed, device files
 * removed, final snapshot.
 *
 * Config file, one statement per line ('#' starts a comment):
 *   block <id> <size> <per_vf|shared> <none|ro|rw> [hex:<bytes>|text:<string>]
 *   access <id> <vf> <none|ro|rw>
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <rte_pmd_bcnic.h>

#define MAX_VFS 256
#define LOG_PERIOD_NS 1000000000ull	/* the log's budget and summaries: per second */
#define LOG_LINES_PER_VF 5		/* writes (sessions) logged, per VF and period */
#define LOG_LINES_TOTAL 20		/* the same, all VFs together */
#define LOG_SUMMARY_VFS 16		/* summary lines per period; more VFs share one */

static volatile sig_atomic_t quit;
static uint16_t pf;
static uint64_t trusted;	/* bit n: VF n may change its MAC */
static unsigned int num_vfs = 4;

/*
 * What the log says of one VF. The poller (the VF_MBOX callback) alone
 * writes the first part; the main loop reads the counters atomically and
 * alone writes the second part.
 */
struct vf_log {
	uint64_t accepted;	/* writes not logged one by one, since the start */
	uint64_t refused;
	uint32_t last_block;	/* the last of them */
	uint32_t lines;		/* lines logged in the poller's current period */
	uint64_t accepted_told;	/* counts at the last summary */
	uint64_t refused_told;
	uint64_t rejected_told;
	uint32_t session_lines;	/* session lines logged in this period */
	uint64_t sessions_untold; /* session changes not logged since the last summary */
};

static struct vf_log vf_log[MAX_VFS];
static uint64_t log_period_end;	/* poller: end of its current period */
static uint32_t log_lines;	/* poller: lines logged in it */
static uint32_t session_lines;	/* main loop: session lines logged in this period */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logf_(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("[%ld.%03ld] ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* "hex:0011aa" or "text:hello" into buf; returns the length or -1. */
static int
parse_bytes(const char *s, uint8_t *buf, size_t room)
{
	size_t n = 0;

	if (strncmp(s, "text:", 5) == 0) {
		n = strlen(s + 5);
		if (n > room)
			return -1;
		memcpy(buf, s + 5, n);
		return (int)n;
	}
	if (strncmp(s, "hex:", 4) != 0)
		return -1;
	for (s += 4; s[0] != '\0'; s += 2) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || n == room ||
		    sscanf(s, "%2x", &b) != 1)
			return -1;
		buf[n++] = (uint8_t)b;
	}
	return (int)n;
}

static int
parse_access(const char *s, enum rte_pmd_bcnic_access *a)
{
	if (strcmp(s, "none") == 0)
		*a = RTE_PMD_BCNIC_ACCESS_NONE;
	else if (strcmp(s, "ro") == 0)
		*a = RTE_PMD_BCNIC_ACCESS_RO;
	else if (strcmp(s, "rw") == 0)
		*a = RTE_PMD_BCNIC_ACCESS_RW;
	else
		return -1;
	return 0;
}

/* Define the blocks of the config file. Errors name the file and line. */
static int
load_config(const char *path)
{
	static uint8_t init[RTE_PMD_BCNIC_MAX_BLOCK_SIZE];
	char line[1024];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "pf_agent: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char kw[16], a1[64], a2[64], a3[64], a4[64], a5[900];
		int n, rc = 0;

		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		n = sscanf(line, "%15s %63s %63s %63s %63s %899s", kw, a1, a2, a3, a4, a5);
		if (n <= 0)
			continue;
		if (strcmp(kw, "block") == 0 && n >= 5) {
			struct rte_pmd_bcnic_block_def d;
			char *end;

			d.id = (uint32_t)strtoul(a1, &end, 0);
			d.size = (uint32_t)strtoul(a2, NULL, 0);
			d.scope = strcmp(a3, "shared") == 0 ? RTE_PMD_BCNIC_SCOPE_SHARED
							    : RTE_PMD_BCNIC_SCOPE_PER_VF;
			if (*end != '\0' || (strcmp(a3, "shared") != 0 && strcmp(a3, "per_vf") != 0) ||
			    parse_access(a4, &d.access) != 0) {
				rc = -EINVAL;
			} else {
				rc = rte_pmd_bcnic_pf_block_define(pf, &d);
				if (rc == -EEXIST) {
					rc = 0;	/* restored from the store: keep what it holds */
					n = 5;
				}
			}
			if (rc == 0 && n == 6) {
				int len = parse_bytes(a5, init, d.size);

				rc = len <= 0 ? -EINVAL
					      : rte_pmd_bcnic_pf_block_set(pf, d.id, RTE_PMD_BCNIC_VF_ALL,
									  0, init, (uint32_t)len);
			}
		} else if (strcmp(kw, "access") == 0 && n == 4) {
			enum rte_pmd_bcnic_access a;

			rc = parse_access(a3, &a) != 0 ? -EINVAL
				: rte_pmd_bcnic_pf_block_access_set(pf, (uint32_t)strtoul(a1, NULL, 0),
								    (uint16_t)atoi(a2), a);
		} else {
			rc = -EINVAL;
		}
		if (rc != 0) {
			fprintf(stderr, "pf_agent: %s:%d: %s: %s\n", path, lineno, line, strerror(-rc));
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* The write policy: MAC changes only from trusted VFs; every write logged or counted. */
static int
on_vf_write(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_pmd_bcnic_mb_event_param *p = ret;
	struct vf_log *l;
	uint64_t now;

	(void)port;
	(void)arg;
	if (type != RTE_ETH_EVENT_VF_MBOX)
		return 0;
	if (p->block_id == RTE_PMD_BCNIC_BLOCK_MAC && (p->vf >= 64 || !(trusted >> p->vf & 1)))
		p->retval = RTE_PMD_BCNIC_MB_EVENT_REJECT;
	if (p->vf >= MAX_VFS)
		return 0;
	/* Runs on the poller: a few lines a second at most, the rest counted. */
	l = &vf_log[p->vf];
	now = now_ns();
	if (now >= log_period_end) {
		log_period_end = now + LOG_PERIOD_NS;
		log_lines = 0;
		for (unsigned int vf = 0; vf < MAX_VFS; vf++)
			vf_log[vf].lines = 0;
	}
	if (l->lines < LOG_LINES_PER_VF && log_lines < LOG_LINES_TOTAL) {
		l->lines++;
		log_lines++;
		logf_("VF %u writes block 0x%08x [%u, +%u): %s", p->vf, p->block_id, p->offset,
		      p->length, p->retval == RTE_PMD_BCNIC_MB_EVENT_ACCEPT ?
		      "accepted" : "refused (untrusted VF)");
		return 0;
	}
	__atomic_store_n(&l->last_block, p->block_id, __ATOMIC_RELAXED);
	__atomic_fetch_add(p->retval == RTE_PMD_BCNIC_MB_EVENT_ACCEPT ? &l->accepted : &l->refused,
			   1, __ATOMIC_RELEASE);
	return 0;
}

/* May a session change of this VF be logged? If not, it is counted. */
static bool
session_line(unsigned int vf)
{
	struct vf_log *l = &vf_log[vf];

	if (l->session_lines >= LOG_LINES_PER_VF || session_lines >= LOG_LINES_TOTAL) {
		l->sessions_untold++;
		return false;
	}
	l->session_lines++;
	session_lines++;
	return true;
}

/* Sessions coming and going: polled, since they are the VFs' doing. */
static void
watch_sessions(struct rte_pmd_bcnic_vf_info *last)
{
	for (unsigned int vf = 0; vf < num_vfs; vf++) {
		struct rte_pmd_bcnic_vf_info now;

		if (rte_pmd_bcnic_pf_vf_info_get(pf, (uint16_t)vf, &now) != 0)
			continue;
		if (now.state != last[vf].state || now.epoch != last[vf].epoch) {
			if (now.state == RTE_PMD_BCNIC_VF_READY && session_line(vf))
				logf_("VF %u attached (session %08x)", vf, now.epoch);
			else if (now.state == RTE_PMD_BCNIC_VF_DETACHED &&
				 last[vf].state == RTE_PMD_BCNIC_VF_READY && session_line(vf))
				logf_("VF %u detached", vf);
		}
		last[vf] = now;
	}
}

/*
 * Once a period: per VF, the writes and session changes not logged one by one
 * and the malformed requests since the last summary, in LOG_SUMMARY_VFS + 1
 * lines at most; a new period of session lines starts.
 */
static void
log_summary(const struct rte_pmd_bcnic_vf_info *info, double seconds)
{
	uint64_t acc_all = 0, ref_all = 0, rej_all = 0, ses_all = 0;
	unsigned int shown = 0, more = 0;

	for (unsigned int vf = 0; vf < num_vfs; vf++) {
		struct vf_log *l = &vf_log[vf];
		uint64_t acc_now = __atomic_load_n(&l->accepted, __ATOMIC_ACQUIRE);
		uint64_t ref_now = __atomic_load_n(&l->refused, __ATOMIC_ACQUIRE);
		uint64_t acc = acc_now - l->accepted_told, ref = ref_now - l->refused_told;
		/* (counters zeroed by an xstats reset start over) */
		uint64_t rej = info[vf].rejected >= l->rejected_told
				       ? info[vf].rejected - l->rejected_told : info[vf].rejected;
		uint64_t ses = l->sessions_untold;
		char writes[160] = "", other[96] = "";
		int n = 0;

		l->session_lines = 0;
		if (acc + ref + rej + ses == 0)
			continue;
		l->accepted_told = acc_now;
		l->refused_told = ref_now;
		l->rejected_told = info[vf].rejected;
		l->sessions_untold = 0;
		if (shown == LOG_SUMMARY_VFS) {
			more++;
			acc_all += acc;
			ref_all += ref;
			rej_all += rej;
			ses_all += ses;
			continue;
		}
		shown++;
		if (acc + ref != 0)
			snprintf(writes, sizeof(writes),
				 "%" PRIu64 " writes not logged one by one (%" PRIu64 " accepted, %"
				 PRIu64 " refused; last block 0x%08x)", acc + ref, acc, ref,
				 __atomic_load_n(&l->last_block, __ATOMIC_RELAXED));
		if (ses != 0)
			n += snprintf(other + n, sizeof(other) - n, "%s%" PRIu64
				      " session changes not logged", writes[0] ? ", " : "", ses);
		if (rej != 0)
			snprintf(other + n, sizeof(other) - n, "%s%" PRIu64 " malformed requests",
				 writes[0] || ses ? ", " : "", rej);
		logf_("VF %u: %s%s in the last %.1f s", vf, writes, other, seconds);
	}
	session_lines = 0;
	if (more != 0)
		logf_("%u more VFs: %" PRIu64 " writes not logged one by one (%" PRIu64
		      " accepted, %" PRIu64 " refused), %" PRIu64 " session changes not logged, %"
		      PRIu64 " malformed requests in the last %.1f s",
		      more, acc_all + ref_all, acc_all, ref_all, ses_all, rej_all, seconds);
}

static void
command(char *line)
{
	static uint8_t buf[RTE_PMD_BCNIC_MAX_BLOCK_SIZE];
	char cmd[16] = "", a1[64] = "", a2[64] = "", a3[64] = "", a4[900] = "";
	int n = sscanf(line, "%15s %63s %63s %63s %899s", cmd, a1, a2, a3, a4);
	uint32_t id = (uint32_t)strtoul(a1, NULL, 0), version;
	uint16_t vf = strcmp(a2, "all") == 0 ? RTE_PMD_BCNIC_VF_ALL : (uint16_t)atoi(a2);
	int rc;

	if (n <= 0)
		return;
	if (strcmp(cmd, "set") == 0 && n == 5) {
		int len = parse_bytes(a4, buf, sizeof(buf));

		rc = len <= 0 ? -EINVAL
			      : rte_pmd_bcnic_pf_block_set(pf, id, vf, (uint32_t)strtoul(a3, NULL, 0),
							   buf, (uint32_t)len);
		logf_("set block 0x%08x for %s: %s", id, a2, rc == 0 ? "done" : strerror(-rc));
	} else if (strcmp(cmd, "show") == 0 && n >= 3) {
		uint32_t len = n >= 4 ? (uint32_t)strtoul(a3, NULL, 0) : 16;

		rc = rte_pmd_bcnic_pf_block_get(pf, id, vf, 0, buf, len, &version);
		if (rc != 0) {
			logf_("show block 0x%08x: %s", id, strerror(-rc));
			return;
		}
		printf("block 0x%08x vf %s version %u:", id, a2, version);
		for (uint32_t i = 0; i < len; i++)
			printf(" %02x", buf[i]);
		printf("\n");
		fflush(stdout);
	} else if (strcmp(cmd, "link") == 0 && n == 2) {
		rc = strcmp(a1, "down") == 0 ? rte_eth_dev_set_link_down(pf)
					     : rte_eth_dev_set_link_up(pf);
		logf_("link %s: %s", a1, rc == 0 ? "done" : strerror(-rc));
	} else if (strcmp(cmd, "quit") == 0) {
		quit = 1;
	} else {
		printf("commands: set <id> <vf|all> <offset> hex:<bytes>|text:<string>\n"
		       "          show <id> <vf> [len]\n"
		       "          link up|down\n"
		       "          quit\n");
		fflush(stdout);
	}
}

/*
 * Commands from stdin, read with read(2) rather than stdio: poll() sees only
 * what is still in the pipe, so every complete line that arrived is run now,
 * not just the first (stdio would keep the others in its buffer, unseen).
 * A line longer than the buffer is dropped with a message. Returns false at
 * the end of stdin (a last line without a newline is run).
 */
static bool
read_commands(void)
{
	static char buf[4096];
	static size_t len;
	static bool too_long;	/* dropping the rest of an overlong line */
	size_t start = 0;
	char *nl;
	ssize_t n;

	n = read(0, buf + len, sizeof(buf) - 1 - len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0) {
		if (len > 0 && !too_long) {
			buf[len] = '\0';
			command(buf);
		}
		len = 0;
		return false;
	}
	len += (size_t)n;
	while (!quit && (nl = memchr(buf + start, '\n', len - start)) != NULL) {
		*nl = '\0';
		if (!too_long)
			command(buf + start);
		too_long = false;
		start = (size_t)(nl - buf) + 1;
	}
	if (quit)
		return true;
	memmove(buf, buf + start, len - start);
	len -= start;
	if (len == sizeof(buf) - 1) {
		if (!too_long)
			logf_("command longer than %zu bytes: ignored", sizeof(buf) - 2);
		too_long = true;
		len = 0;
	}
	return true;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pf_agent <EAL args> -- --dev NAME [--vfs N] [--config FILE]\n"
			"       [--store PATH] [--trusted 0,2,...] [--pf-args DEVARGS]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "vfs", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "trusted", required_argument, NULL, 't' },
		{ "pf-args", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL, *config = NULL, *store = NULL, *pf_args = "";
	struct rte_pmd_bcnic_vf_info last[MAX_VFS];
	uint64_t summary_at;
	char args[512];
	struct rte_eth_conf conf;
	bool eof = false;
	int c, rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "pf_agent: EAL init failed\n");
		return 1;
	}
	argc -= rc;
	argv += rc;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'n':
			num_vfs = (unsigned int)atoi(optarg);
			break;
		case 'c':
			config = optarg;
			break;
		case 's':
			store = optarg;
			break;
		case 'a':
			pf_args = optarg;
			break;
		case 't':
			for (char *t = strtok(optarg, ","); t != NULL; t = strtok(NULL, ","))
				if (atoi(t) >= 0 && atoi(t) < 64)
					trusted |= 1ull << atoi(t);
			break;
		default:
			usage();
			return 1;
		}
	}
	if (dev == NULL || num_vfs == 0 || num_vfs > MAX_VFS) {
		usage();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(args, sizeof(args), "net_bcnic_pf_agent,dev=%s,vfs=%u%s%s", dev, num_vfs,
		 pf_args[0] ? "," : "", pf_args);
	if (rte_dev_probe(args) != 0 || rte_eth_dev_get_port_by_name("net_bcnic_pf_agent", &pf) != 0) {
		fprintf(stderr, "pf_agent: cannot create the PF (%s)\n", args);
		return 2;
	}
	rte_eth_dev_callback_register(pf, RTE_ETH_EVENT_VF_MBOX, on_vf_write, NULL);
	rc = 0;
	if (store != NULL && (rc = rte_pmd_bcnic_pf_persist(pf, store)) != 0)
		fprintf(stderr, "pf_agent: cannot use the store %s: %s\n", store, strerror(-rc));
	if (rc == 0 && config != NULL && load_config(config) != 0)
		rc = -EINVAL;
	memset(&conf, 0, sizeof(conf));
	if (rc == 0 && (rte_eth_dev_configure(pf, 0, 0, &conf) != 0 || rte_eth_dev_start(pf) != 0))
		rc = -EIO;
	if (rc != 0) {
		rte_eal_hotplug_remove("vdev", "net_bcnic_pf_agent");
		rte_eal_cleanup();
		return 2;
	}
	memset(last, 0, sizeof(last));
	logf_("PF of device %s up: %u VFs, port %u%s%s; type help for commands", dev, num_vfs, pf,
	      store ? ", store " : "", store ? store : "");
	summary_at = now_ns();
	while (!quit) {
		struct pollfd p = { .fd = 0, .events = POLLIN };

		watch_sessions(last);
		if (now_ns() - summary_at >= LOG_PERIOD_NS) {
			uint64_t t = now_ns();

			log_summary(last, (double)(t - summary_at) / 1e9);
			summary_at = t;
		}
		if (!eof && poll(&p, 1, 100) > 0)
			eof = !read_commands();	/* at the end: keep serving until a signal */
		else if (eof)
			usleep(100000);
	}
	logf_("stopping");
	rte_eth_dev_stop(pf);
	/* What the last summary did not tell yet: the poller has stopped. */
	for (unsigned int vf = 0; vf < num_vfs; vf++)
		rte_pmd_bcnic_pf_vf_info_get(pf, (uint16_t)vf, &last[vf]);
	log_summary(last, (double)(now_ns() - summary_at) / 1e9);
	rte_eal_hotplug_remove("vdev", "net_bcnic_pf_agent");
	rte_eal_cleanup();
	return 0;
}
