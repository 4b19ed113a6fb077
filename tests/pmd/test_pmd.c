/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PMD tests in one process: the PF and VF vdevs probed and removed through
 * EAL hotplug, every probe error, cleanup of /dev/shm.
 *
 * Usage: test_pmd <case>...          run cases (EAL args are built in)
 *        test_pmd serve-pf <dev> <vfs>   hold a PF until stdin closes (mp tests)
 *        test_pmd attach-vf <dev> <vf>   attach a VF, print its port info, exit
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bcmbox.h"
#include "check.h"
#include "pmd_util.h"
#include "rte_pmd_bcnic.h"

int check_failures;

static char logbuf[1 << 16];	/* captured log lines */
static FILE *logf;

/* Number of /dev/shm objects whose name contains s. */
static int
shm_count(const char *s)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, s) != NULL)
			n++;
	closedir(d);
	return n;
}

static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
log_reset(void)
{
	fflush(logf);
	rewind(logf);
	memset(logbuf, 0, sizeof(logbuf));
}

/* Did the driver log a line containing s since the last log_reset()? */
static int
logged(const char *s)
{
	fflush(logf);
	return strstr(logbuf, s) != NULL;
}

static int
probe(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
probe(const char *fmt, ...)
{
	char args[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return rte_dev_probe(args);
}

static int
unplug(const char *vdev)
{
	return rte_eal_hotplug_remove("vdev", vdev);
}

static int
start_port(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL) != 0)
		return -1;
	return rte_eth_dev_start(port);
}

static struct rte_mempool *
pool(void)
{
	static struct rte_mempool *mp;

	if (mp == NULL)
		mp = rte_pktmbuf_pool_create("test_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     SOCKET_ID_ANY);
	return mp;
}

/*
 * The PF port's Rx pool: the switch takes mbufs from it for frames it
 * delivers to the PF, in its own thread, whenever it gets to them; the
 * pool of the VFs' Tx (pool()) must see only what the test does.
 */
static struct rte_mempool *
pf_rx_pool(void)
{
	static struct rte_mempool *mp;

	if (mp == NULL)
		mp = rte_pktmbuf_pool_create("test_pf_rx_pool", 511, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return mp;
}

/* PF with two VFs, both VFs attached, ports started, detached, cleaned up. */
static void
test_attach_detach(void)
{
	const char *dev = devname("ad");
	struct rte_ether_addr pf_mac, vf0_mac, vf1_mac;
	struct rte_mbuf *pkts[8];
	struct rte_eth_stats st;
	struct rte_eth_link link;
	char path[128];
	struct stat sb;
	int pf, vf0, vf1, fds = fd_count();

	REQUIRE(probe("net_bcnic_pf_ad,dev=%s,vfs=2", dev) == 0);
	CHECK_EQ(shm_count(dev), 3);
	memcpy(path, "/dev/shm", 8);
	bcmbox_shm_name(path + 8, sizeof(path) - 8, dev, 1);
	/* 64 KiB of mailbox and 2 x 256 x 2 KiB of data rings: a 2 MiB window. */
	CHECK(stat(path, &sb) == 0 && sb.st_size == 2 << 20);
	if (probe("net_bcnic_vf_ad0,dev=%s,vf=0", dev) != 0) {
		fflush(logf);
		fprintf(stderr, "%s", logbuf);
	}
	REQUIRE(port_of("net_bcnic_vf_ad0") >= 0);
	REQUIRE(probe("net_bcnic_vf_ad1,dev=%s,vf=1", dev) == 0);
	pf = port_of("net_bcnic_pf_ad");
	vf0 = port_of("net_bcnic_vf_ad0");
	vf1 = port_of("net_bcnic_vf_ad1");
	REQUIRE(pf >= 0 && vf0 >= 0 && vf1 >= 0);
	CHECK_EQ(rte_eth_dev_count_avail(), 3);

	/* Distinct, locally administered MACs. */
	CHECK_EQ(rte_eth_macaddr_get(pf, &pf_mac), 0);
	CHECK_EQ(rte_eth_macaddr_get(vf0, &vf0_mac), 0);
	CHECK_EQ(rte_eth_macaddr_get(vf1, &vf1_mac), 0);
	CHECK(rte_is_local_admin_ether_addr(&pf_mac));
	CHECK(!rte_is_same_ether_addr(&pf_mac, &vf0_mac));
	CHECK(!rte_is_same_ether_addr(&vf0_mac, &vf1_mac));

	/* The VF's link is the PF port's: down until the PF port starts. */
	REQUIRE(start_port(vf0, pool()) == 0);
	CHECK_EQ(rte_eth_link_get_nowait(vf0, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_DOWN);
	REQUIRE(start_port(pf, pf_rx_pool()) == 0);
	for (int i = 0; i < 1000 && link.link_status != RTE_ETH_LINK_UP; i++) {
		rte_delay_us_sleep(1000);
		rte_eth_link_get_nowait(vf0, &link);
	}
	CHECK_EQ(link.link_status, RTE_ETH_LINK_UP);
	CHECK_EQ(rte_eth_rx_burst(vf0, 0, pkts, 8), 0);
	unsigned int avail = rte_mempool_avail_count(pool());

	REQUIRE(rte_pktmbuf_alloc_bulk(pool(), pkts, 8) == 0);
	for (int i = 0; i < 8; i++)
		rte_pktmbuf_append(pkts[i], 60 + i);
	CHECK_EQ(rte_eth_tx_burst(vf0, 0, pkts, 8), 8);
	CHECK_EQ(rte_mempool_avail_count(pool()), avail);
	CHECK_EQ(rte_eth_stats_get(vf0, &st), 0);
	CHECK_EQ(st.opackets, 8);
	CHECK_EQ(st.obytes, 8 * 60 + 28);
	CHECK_EQ(st.ipackets, 0);
	CHECK_EQ(rte_eth_stats_reset(vf0), 0);
	CHECK_EQ(rte_eth_stats_get(vf0, &st), 0);
	CHECK_EQ(st.opackets, 0);
	CHECK_EQ(rte_eth_dev_stop(vf0), 0);
	CHECK_EQ(rte_eth_link_get_nowait(vf0, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_DOWN);
	CHECK_EQ(rte_eth_dev_stop(pf), 0);

	/* Detach a VF: the device stays; detach the PF: everything goes. */
	CHECK_EQ(unplug("net_bcnic_vf_ad0"), 0);
	CHECK_EQ(shm_count(dev), 3);
	/* The VF window is free again: reattach works. */
	CHECK_EQ(probe("net_bcnic_vf_ad0,dev=%s,vf=0", dev), 0);
	CHECK_EQ(unplug("net_bcnic_vf_ad0"), 0);
	CHECK_EQ(unplug("net_bcnic_vf_ad1"), 0);
	CHECK_EQ(unplug("net_bcnic_pf_ad"), 0);
	CHECK_EQ(shm_count(dev), 0);
	CHECK_EQ(rte_eth_dev_count_avail(), 0);
	CHECK_EQ(fd_count(), fds);
}

/* The PF goes first while a VF is attached: files go, the VF port closes cleanly. */
static void
test_pf_first(void)
{
	const char *dev = devname("pff");
	int fds = fd_count();

	REQUIRE(probe("net_bcnic_pf_pff,dev=%s,vfs=1", dev) == 0);
	REQUIRE(probe("net_bcnic_vf_pff,dev=%s,vf=0", dev) == 0);
	CHECK_EQ(unplug("net_bcnic_pf_pff"), 0);
	CHECK_EQ(shm_count(dev), 0);
	CHECK_EQ(unplug("net_bcnic_vf_pff"), 0);
	CHECK_EQ(fd_count(), fds);
}

struct bad_args {
	const char *args;	/* after "<vdev>,": %s is the device name */
	const char *logged;	/* the message must name this */
};

static void
expect_refused(const char *vdev, const char *fmt, const char *dev, const char *msg)
{
	char args[256], full[320];

	snprintf(args, sizeof(args), fmt, dev);
	snprintf(full, sizeof(full), "%s%s%s", vdev, args[0] ? "," : "", args);
	log_reset();
	int rc = rte_dev_probe(full);

	if (rc == 0) {
		fprintf(stderr, "probe of \"%s\" succeeded, should fail\n", full);
		check_failures++;
		unplug(vdev);
		return;
	}
	if (msg != NULL && !logged(msg)) {
		fprintf(stderr, "probe of \"%s\": log does not say \"%s\":\n%s\n", full, msg, logbuf);
		check_failures++;
	}
	CHECK_EQ(port_of(vdev), -1);
}

static void
test_bad_devargs(void)
{
	static const struct bad_args pf_bad[] = {
		{ "", "missing dev=" },
		{ "vfs=2", "missing dev=" },
		{ "dev=bad/name", "invalid dev=bad/name" },
		{ "dev=0123456789012345678901234567890123", "invalid dev=0123456789012345678901234567890123" },
		{ "dev=%s,vfs=0", "invalid vfs=0" },
		{ "dev=%s,vfs=257", "invalid vfs=257" },
		{ "dev=%s,vfs=abc", "invalid vfs=abc" },
		{ "dev=%s,vfs=-1", "invalid vfs=-1" },
		{ "dev=%s,vfs=2x", "invalid vfs=2x" },
		{ "dev=%s,vfs=", "invalid vfs=" },
		{ "dev=%s,ring_size=100", "invalid ring_size=100" },
		{ "dev=%s,ring_size=8192", "invalid ring_size=8192" },
		{ "dev=%s,evt_ring_size=8", "invalid evt_ring_size=8" },
		{ "dev=%s,poller=sometimes", "invalid poller=sometimes: expected auto|service|thread|app" },
		{ "dev=%s,poller=", "invalid poller=" },
		{ "dev=%s,vf_mac_change=maybe", "invalid vf_mac_change=maybe: expected allow|deny" },
		{ "dev=%s,data_ring_size=32", "invalid data_ring_size=32" },
		{ "dev=%s,data_ring_size=0x", "invalid data_ring_size=0x" },
		{ "dev=%s,colour=blue", "unknown devarg colour in" },
		{ "dev=%s,colour=blue", "vf_burst, idle_sleep_us, vf_mac_change, data_ring_size, trust, vf_mac_filters)" },
		{ "dev=%s,vfs", "devarg vfs given without a value" },
		{ "dev=%s,vfs=0x10", "invalid vfs=0x10" },
		{ "dev=%s,vfs= 5", "invalid vfs= 5" },
		{ "dev=%s,vfs=1,vfs=2", "vfs= given more than once" },
		{ "dev=%s,vfs=2,trust=2", "invalid trust: VF 2 is not below vfs=2" },
		{ "dev=%s,trust=[0,x]", "invalid trust=[0,x]" },
		{ "dev=%s,trust=3-1", "invalid trust=3-1" },
		{ "dev=%s,trust=256", "invalid trust=256" },
		{ "dev=%s,trust=some", "invalid trust=some" },
		{ "dev=%s,vf_mac_filters=17", "invalid vf_mac_filters=17" },
		{ NULL, NULL },
	};
	static const struct bad_args vf_bad[] = {
		{ "vf=0", "missing dev=" },
		{ "dev=%s", "missing vf=" },
		{ "dev=%s,vf=256", "invalid vf=256" },
		{ "dev=%s,vf=x", "invalid vf=x" },
		{ "dev=%s,vf=0,events=sometimes", "invalid events=sometimes: expected poll|thread" },
		{ "dev=%s,vf=0,timeout_ms=0", "invalid timeout_ms=0" },
		{ "dev=%s,vf=0,speed=9", "unknown devarg speed in" },
		{ "dev=%s,vf", "devarg vf given without a value" },
		{ NULL, NULL },
	};
	const char *dev = devname("args");
	int fds = fd_count();

	for (const struct bad_args *b = pf_bad; b->args != NULL; b++)
		expect_refused("net_bcnic_pf_args", b->args, dev, b->logged);
	for (const struct bad_args *b = vf_bad; b->args != NULL; b++)
		expect_refused("net_bcnic_vf_args", b->args, dev, b->logged);
	CHECK_EQ(shm_count(uniq), 0);
	CHECK_EQ(fd_count(), fds);
	/* Defaults and the full set are accepted. */
	REQUIRE(probe("net_bcnic_pf_args,dev=%s,vfs=256,ring_size=4096,evt_ring_size=1024", dev) == 0);
	CHECK_EQ(shm_count(dev), 257);
	CHECK_EQ(unplug("net_bcnic_pf_args"), 0);
	REQUIRE(probe("net_bcnic_pf_args,dev=%s", dev) == 0);
	CHECK_EQ(shm_count(dev), 2);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(port_of("net_bcnic_pf_args"), 0), 0);
	CHECK_EQ(unplug("net_bcnic_pf_args"), 0);
	/* Trusted VFs: a bracketed list of indexes and ranges, or all. */
	REQUIRE(probe("net_bcnic_pf_args,dev=%s,vfs=5,trust=[0,2-3],vf_mac_filters=0", dev) == 0);
	for (uint16_t i = 0; i < 5; i++)
		CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(port_of("net_bcnic_pf_args"), i),
			 i == 0 || i == 2 || i == 3);
	CHECK_EQ(unplug("net_bcnic_pf_args"), 0);
	REQUIRE(probe("net_bcnic_pf_args,dev=%s,vfs=3,trust=all", dev) == 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(port_of("net_bcnic_pf_args"), 2), 1);
	CHECK_EQ(unplug("net_bcnic_pf_args"), 0);
	/* The word and flag values: vf_mac_change=deny makes a VF's MAC write fail. */
	REQUIRE(probe("net_bcnic_pf_args,dev=%s,poller=thread,vf_mac_change=deny,data_ring_size=0",
		      dev) == 0);
	REQUIRE(probe("net_bcnic_vf_args,dev=%s,vf=0,events=poll,timeout_ms=500", dev) == 0);
	struct rte_ether_addr mac = { .addr_bytes = { 0x02, 0, 0, 0, 0, 0x42 } };

	CHECK(rte_eth_dev_default_mac_addr_set((uint16_t)port_of("net_bcnic_vf_args"), &mac) != 0);
	CHECK_EQ(unplug("net_bcnic_vf_args"), 0);
	CHECK_EQ(unplug("net_bcnic_pf_args"), 0);
	CHECK_EQ(shm_count(uniq), 0);
	CHECK_EQ(fd_count(), fds);
}

static void
test_probe_errors(void)
{
	const char *dev = devname("err");
	const char *other = devname("nope");
	int fds = fd_count();

	/* No PF. */
	expect_refused("net_bcnic_vf_e", "dev=%s,vf=0", other, "not found");
	REQUIRE(probe("net_bcnic_pf_e,dev=%s,vfs=2", dev) == 0);
	/* VF index beyond vfs. */
	expect_refused("net_bcnic_vf_e", "dev=%s,vf=2", dev, "has no VF 2");
	/* A second PF on the same device. */
	expect_refused("net_bcnic_pf_e2", "dev=%s,vfs=1", dev, "already has a PF");
	CHECK_EQ(shm_count(dev), 3); /* the first PF's device untouched */
	/* The same VF twice. */
	REQUIRE(probe("net_bcnic_vf_e,dev=%s,vf=0", dev) == 0);
	expect_refused("net_bcnic_vf_e2", "dev=%s,vf=0", dev, "already attached");
	CHECK_EQ(unplug("net_bcnic_vf_e"), 0);

	/*
	 * Damage VF 1's window: wrong version, wrong magic, truncated. A PF
	 * that polls would publish the line again (and a VF asks it to): here
	 * the PF's poller is the application's, which does not poll.
	 */
	CHECK_EQ(unplug("net_bcnic_pf_e"), 0);
	REQUIRE(probe("net_bcnic_pf_e,dev=%s,vfs=2,poller=app", dev) == 0);
	char path[128];
	int fd;
	struct bcmbox_win_info *info;

	bcmbox_shm_name(path, sizeof(path), dev, 1);
	fd = shm_open(path, O_RDWR, 0);
	REQUIRE(fd >= 0);
	info = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(info != MAP_FAILED);
	info->layout_version = BCMBOX_LAYOUT_VERSION + 1;
	expect_refused("net_bcnic_vf_e", "dev=%s,vf=1", dev, "layout version 2, this driver speaks 1");
	info->layout_version = BCMBOX_LAYOUT_VERSION;
	info->magic = 0x12345678;
	expect_refused("net_bcnic_vf_e", "dev=%s,vf=1", dev, "no bcnic magic");
	info->magic = BCMBOX_MAGIC;
	info->evt_slots = 3;
	expect_refused("net_bcnic_vf_e", "dev=%s,vf=1", dev, "inconsistent window geometry");
	munmap(info, 4096);
	close(fd);

	CHECK_EQ(unplug("net_bcnic_pf_e"), 0);
	CHECK_EQ(shm_count(uniq), 0);
	CHECK_EQ(fd_count(), fds);
}

/*
 * Whoever can write a window can truncate it. The PF must survive its next
 * access (SIGBUS), restore the window and keep serving; a VF must refuse a
 * truncated window with a clear error.
 */
static void
test_truncated_window(void)
{
	const char *dev = devname("trunc");
	const char *fake = devname("fake");
	char path[128];
	struct stat st;
	int fd;

	REQUIRE(probe("net_bcnic_pf_t,dev=%s,vfs=2", dev) == 0);
	bcmbox_shm_name(path, sizeof(path), dev, 1);
	fd = shm_open(path, O_RDWR, 0);
	REQUIRE(fd >= 0);
	REQUIRE(fstat(fd, &st) == 0);
	off_t size = st.st_size;

	log_reset();
	CHECK_EQ(ftruncate(fd, 100), 0);
	/*
	 * Restored means logged: the PF gives the object its size back first,
	 * then formats the window and says so (a VF probed between the two saw
	 * no magic: -ENODEV).
	 */
	for (int i = 0; i < 1000; i++) {
		if (fstat(fd, &st) == 0 && st.st_size == size &&
		    logged("window object truncated by someone; restored"))
			break;
		rte_delay_us_sleep(1000);
	}
	close(fd);
	CHECK_EQ(st.st_size, size);
	CHECK(logged("window object truncated by someone; restored"));
	/* Both VFs work afterwards. */
	CHECK_EQ(probe("net_bcnic_vf_t1,dev=%s,vf=1", dev), 0);
	CHECK_EQ(probe("net_bcnic_vf_t0,dev=%s,vf=0", dev), 0);
	CHECK_EQ(unplug("net_bcnic_vf_t1"), 0);
	CHECK_EQ(unplug("net_bcnic_vf_t0"), 0);
	CHECK_EQ(unplug("net_bcnic_pf_t"), 0);
	CHECK_EQ(shm_count(dev), 0);
	/* A truncated window with nobody to restore it. */
	bcmbox_shm_name(path, sizeof(path), fake, 0);
	fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(ftruncate(fd, 100), 0);
	close(fd);
	expect_refused("net_bcnic_vf_t0", "dev=%s,vf=0", fake, "truncated");
	shm_unlink(path);
}

/* A PF that died leaves its objects; the next PF on that name takes over. */
static void
test_stale_takeover(void)
{
	const char *dev = devname("stale");
	struct bcmbox_dev_hdr hdr = { .magic = BCMBOX_MAGIC, .pf_epoch = 77, .owner_pid = 999999 };
	char path[128];
	int fd;

	bcmbox_shm_name(path, sizeof(path), dev, BCMBOX_SHM_PF);
	fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(pwrite(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	close(fd);
	log_reset();
	REQUIRE(probe("net_bcnic_pf_st,dev=%s,vfs=1", dev) == 0);
	CHECK(logged("taking over from a PF that is gone (pid 999999)"));
	fd = shm_open(path, O_RDONLY, 0);
	REQUIRE(fd >= 0);
	CHECK_EQ(pread(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	close(fd);
	CHECK(hdr.pf_epoch != 77 && hdr.pf_epoch != 0);
	CHECK_EQ(hdr.owner_pid, getpid());
	CHECK_EQ(hdr.num_vfs, 1);
	CHECK_EQ(unplug("net_bcnic_pf_st"), 0);
	CHECK_EQ(shm_count(dev), 0);
}

static const struct check_case cases[] = {
	{ "attach_detach", test_attach_detach },
	{ "pf_first", test_pf_first },
	{ "bad_devargs", test_bad_devargs },
	{ "probe_errors", test_probe_errors },
	{ "stale_takeover", test_stale_takeover },
	{ "truncated_window", test_truncated_window },
	{ NULL, NULL },
};

/* --no-shconf: no files in /var/run/dpdk, so parallel runs never collide. */
static int
eal_init(void)
{
	char *argv[] = { "test_pmd", "--no-huge", "-m", "128", "--no-pci", "--no-telemetry",
			 "--no-shconf", "--file-prefix=bcnic-test", "--log-level=pmd.net.bcnic*:info",
			 "-l", "0", NULL };

	logf = fmemopen(logbuf, sizeof(logbuf) - 1, "w");
	rte_openlog_stream(logf);
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fflush(logf);
		fprintf(stderr, "EAL init failed:\n%s\n", logbuf);
		return -1;
	}
	return 0;
}

/* mp helper: hold a PF until stdin closes. */
static int
serve_pf(const char *dev, const char *vfs)
{
	char args[256];
	int port;

	snprintf(args, sizeof(args), "net_bcnic_pf_mp,dev=%s,vfs=%s", dev, vfs);
	if (rte_dev_probe(args) != 0) {
		fflush(logf);
		fputs(logbuf, stderr);
		return 1;
	}
	port = port_of("net_bcnic_pf_mp");
	printf("ready port=%d pid=%d\n", port, getpid());
	fflush(stdout);
	while (getchar() != EOF)
		;
	unplug("net_bcnic_pf_mp");
	finish();
	return 0;
}

/* mp helper: attach one VF, print what it sees, exit. */
static int
attach_vf(const char *dev, const char *vf, const char *hold)
{
	char args[256];
	struct rte_ether_addr mac;
	int port;

	snprintf(args, sizeof(args), "net_bcnic_vf_mp,dev=%s,vf=%s", dev, vf);
	if (rte_dev_probe(args) != 0) {
		fflush(logf);
		fprintf(stderr, "%s", logbuf);
		printf("attach failed\n");
		return 3;
	}
	port = port_of("net_bcnic_vf_mp");
	rte_eth_macaddr_get(port, &mac);
	printf("attached port=%d vf=%s mac=" RTE_ETHER_ADDR_PRT_FMT "\n", port, vf,
	       RTE_ETHER_ADDR_BYTES(&mac));
	fflush(stdout);
	if (hold != NULL)
		while (getchar() != EOF)
			;
	unplug("net_bcnic_vf_mp");
	finish();
	return 0;
}

int
main(int argc, char **argv)
{
	pmd_uniq_init('t');
	if (eal_init() != 0)
		return 1;
	if (argc >= 4 && strcmp(argv[1], "serve-pf") == 0)
		return serve_pf(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "attach-vf") == 0)
		return attach_vf(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
	int rc = check_run(cases, argc, argv);

	cleanup_shm();	/* whatever failed, leave nothing behind in /dev/shm */
	finish();
	return rc;
}
