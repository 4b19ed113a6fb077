/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VF driver against the real PF driver: the private API, async
 * pipelining, invalidations, ethdev ops over the backchannel, PF loss and
 * return.
 *
 * Usage: test_vf <case>...
 *        test_vf serve-pf <dev> <vfs>  hold a PF until stdin closes (mp tests)
 *        test_vf vf-loop <dev> <vf> [devargs]  a VF port reading in a loop,
 *                                      printing every change of state and of
 *                                      its mbox_pf_stalls/mbox_pf_lost xstats
 *                                      (mp tests)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "bcmbox_client.h"
#include "check.h"
#include "pmd_util.h"
#include "rte_pmd_bcnic.h"

int check_failures;


static int
up(const char *vdev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
up(const char *vdev, const char *fmt, ...)
{
	char args[256], full[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s,%s", vdev, args);
	if (rte_dev_probe(full) != 0)
		return -1;
	return port_of(vdev);
}

static void
down(const char *vdev)
{
	CHECK_EQ(rte_eal_hotplug_remove("vdev", vdev), 0);
}

static int
start(int port)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	if (rte_eth_dev_configure(port, 0, 0, &conf) != 0)
		return -1;
	return rte_eth_dev_start(port);
}

static int
wait_link(int port, int status)
{
	struct rte_eth_link l;

	for (int i = 0; i < 2000; i++) {
		if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status == status)
			return 0;
		rte_delay_us_sleep(1000);
	}
	return -1;
}

static void
test_api(void)
{
	const char *dev = devname("api");
	static uint8_t big[65536], back[65536];
	struct rte_pmd_bcnic_block_def d = { 0x10, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	struct rte_pmd_bcnic_block_def ro = { 0x11, 16, RTE_PMD_BCNIC_SCOPE_SHARED,
					      RTE_PMD_BCNIC_ACCESS_RO };
	struct rte_pmd_bcnic_block_info cat[8];
	uint32_t ver, mtu;
	int pf, vf;

	pf = up("net_bcnic_pf_a", "dev=%s,vfs=2", dev);
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &ro), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x11, 0, 0, "read-only block!", 16), 0);
	vf = up("net_bcnic_vf_a", "dev=%s,vf=1", dev);
	REQUIRE(vf >= 0);

	/* Catalog */
	/* The five standard blocks (MAC, MTU, LINK, RXMODE, MAC_FILTER), then ours. */
	CHECK_EQ(rte_pmd_bcnic_vf_catalog(vf, NULL, 0), 7);
	CHECK_EQ(rte_pmd_bcnic_vf_catalog(vf, cat, 8), 7);
	CHECK_EQ(cat[3].id, RTE_PMD_BCNIC_BLOCK_RXMODE);
	CHECK_EQ(cat[4].id, RTE_PMD_BCNIC_BLOCK_MAC_FILTER);
	CHECK_EQ(cat[4].size, 4 * 8);	/* vf_mac_filters=4 by default */
	CHECK_EQ(cat[5].id, 0x10);
	CHECK_EQ(cat[5].size, 65536);
	CHECK_EQ(cat[5].access, RTE_PMD_BCNIC_ACCESS_RW);
	CHECK_EQ(cat[6].id, 0x11);
	CHECK_EQ(cat[6].scope, RTE_PMD_BCNIC_SCOPE_SHARED);
	CHECK_EQ(cat[6].version, 2);
	CHECK_EQ(rte_pmd_bcnic_vf_catalog(vf, cat, 2), 7);

	/* Whole block, in parts, and offsets */
	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	CHECK_EQ(rte_pmd_bcnic_vf_block_write(vf, 0x10, 0, big, sizeof(big), &ver, -1), 65536);
	CHECK_EQ(ver, 17);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 0, back, sizeof(back), &ver, -1), 65536);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 12345, back, 7, NULL, 100), 7);
	CHECK(memcmp(big + 12345, back, 7) == 0);
	memset(back, 0, sizeof(back));
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x10, 1, 0, back, sizeof(back), NULL), 0);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x11, 0, back, 16, &ver, -1), 16);
	CHECK(memcmp(back, "read-only block!", 16) == 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1), 4);
	CHECK_EQ(mtu, 1500);

	/* Errors */
	CHECK_EQ(rte_pmd_bcnic_vf_block_write(vf, 0x11, 0, "x", 1, NULL, -1), -EACCES);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x99, 0, back, 1, NULL, -1), -ENOENT);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x11, 10, back, 10, NULL, -1), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 65535, back, 2, NULL, -1), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 0, NULL, 2, NULL, -1), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 0, back, 0, NULL, -1), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(RTE_MAX_ETHPORTS, 0x10, 0, back, 1, NULL, -1), -ENODEV);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(pf, 0x10, 0, back, 1, NULL, -1), -ENOTSUP);
	CHECK_EQ(rte_pmd_bcnic_vf_read_submit(vf, 0x10, 0, back, 4097, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_timeout_set(vf, 0), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_timeout_set(vf, 500), 0);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(vf, 1, NULL, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_unregister(vf, 1, (rte_pmd_bcnic_invalidate_cb_t)1,
							NULL), -ENOENT);
	CHECK_EQ(rte_pmd_bcnic_vf_completions(vf, NULL, 1), -EINVAL);
	/* Idle longer than the PF heartbeat timeout, no event thread: the next call still works. */
	down("net_bcnic_vf_a");
	vf = up("net_bcnic_vf_a", "dev=%s,vf=1,events=poll", dev);
	REQUIRE(vf >= 0);
	rte_delay_us_sleep(500000);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1), 4);
	/* Throttled calls say so. */
	down("net_bcnic_vf_a");
	down("net_bcnic_pf_a");
	pf = up("net_bcnic_pf_a", "dev=%s,vfs=1,rate=10,rate_burst=5", dev);
	REQUIRE(pf >= 0);
	vf = up("net_bcnic_vf_a", "dev=%s,vf=0", dev);
	REQUIRE(vf >= 0);
	int busy = 0;

	for (int i = 0; i < 20; i++)
		busy += rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL,
						    -1) == -EBUSY;
	CHECK(busy >= 10);
	down("net_bcnic_vf_a");
	down("net_bcnic_pf_a");
}

/* The PF poller on worker lcore 1, for poller=app PFs. */
struct poll_loop {
	int port;
	int stop;		/* atomic */
};

static int
poll_loop(void *arg)
{
	struct poll_loop *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
		rte_pmd_bcnic_pf_poll(p->port);
	return 0;
}

static void
poller_start(struct poll_loop *p, int port)
{
	p->port = port;
	__atomic_store_n(&p->stop, 0, __ATOMIC_RELAXED);
	rte_eal_remote_launch(poll_loop, p, 1);
}

static void
poller_stop(struct poll_loop *p)
{
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
	rte_eal_wait_lcore(1);
}

/*
 * The PF alive but silent, on lcore 1 instead of the poller: its heartbeat
 * in VF 0's window goes on, nothing is served. Without it a stall longer
 * than the VF's liveness timeout (a loaded machine) would turn "no answer"
 * into "PF gone" and the case would test something else.
 */
struct beat_loop {
	uint64_t *count;
	void *base;
	size_t size;
	int stop;		/* atomic */
};

static int
beat_loop(void *arg)
{
	struct beat_loop *b = arg;

	while (!__atomic_load_n(&b->stop, __ATOMIC_RELAXED)) {
		__atomic_store_n(b->count, rte_get_tsc_cycles(), __ATOMIC_RELEASE);
		rte_delay_us_sleep(1000);
	}
	return 0;
}

static int
silent_start(struct beat_loop *b, const char *dev)
{
	struct bcmbox_window w;

	if (bcmbox_shm_map(dev, 0, &b->base, &b->size) != 0)
		return -1;
	if (bcmbox_window_map(&w, b->base, b->size) != 0) {
		munmap(b->base, b->size);
		return -1;
	}
	b->count = &w.heartbeat->count;
	__atomic_store_n(&b->stop, 0, __ATOMIC_RELAXED);
	return rte_eal_remote_launch(beat_loop, b, 1);
}

static void
silent_stop(struct beat_loop *b)
{
	__atomic_store_n(&b->stop, 1, __ATOMIC_RELAXED);
	rte_eal_wait_lcore(1);
	munmap(b->base, b->size);
}

static uint64_t xstat(uint16_t port, const char *name);

/* Thousands of asynchronous reads in flight, completions matched to cookies. */
static void
test_async(void)
{
	const char *dev = devname("as");
	struct rte_pmd_bcnic_block_def d = { 0x20, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	enum { N = 3000 };
	static uint8_t data[65536];
	static uint8_t out[N][64];
	static uint8_t seen[N];
	struct rte_pmd_bcnic_completion c[256];
	unsigned int submitted = 0, done = 0, bad = 0, wrong = 0;
	struct poll_loop pl;
	struct beat_loop hb;
	int pf, vf, rc;

	pf = up("net_bcnic_pf_as", "dev=%s,vfs=1,ring_size=4096,poller=app", dev);
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 7);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x20, 0, 0, data, sizeof(data)), 0);
	poller_start(&pl, pf);
	vf = up("net_bcnic_vf_as", "dev=%s,vf=0", dev);
	poller_stop(&pl);
	REQUIRE(vf >= 0);
	REQUIRE(silent_start(&hb, dev) == 0);
	/* Nobody polls the PF while we submit: all of them are in flight at once. */
	for (unsigned int i = 0; i < N; i++) {
		rc = rte_pmd_bcnic_vf_read_submit(vf, 0x20, (i * 21) % (65536 - 64), out[i], 64,
						  (void *)(uintptr_t)(i + 1));
		if (rc != 0)
			break;
		submitted++;
	}
	CHECK_EQ(submitted, N);
	CHECK_EQ(rte_pmd_bcnic_vf_completions(vf, c, 256), 0);
	printf("async: %u reads in flight\n", submitted);
	silent_stop(&hb);
	poller_start(&pl, pf);
	uint64_t end = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();

	while (done < submitted && rte_get_tsc_cycles() < end) {
		int n = rte_pmd_bcnic_vf_completions(vf, c, RTE_DIM(c));

		for (int k = 0; k < n; k++) {
			unsigned int i = (unsigned int)(uintptr_t)c[k].cookie - 1;

			if (i >= N || seen[i] || c[k].status != 0 || c[k].len != 64) {
				bad++;
				continue;
			}
			seen[i] = 1;
			wrong += memcmp(out[i], data + (i * 21) % (65536 - 64), 64) != 0;
			/* In order: the cookie of the k-th completion is the next one. */
			wrong += i != done;
			done++;
		}
	}
	poller_stop(&pl);
	CHECK_EQ(done, N);
	CHECK_EQ(bad, 0);
	CHECK_EQ(wrong, 0);
	/* Async writes, then a sync read sees the last one. */
	poller_start(&pl, pf);
	for (unsigned int i = 0; i < 100; i++) {
		uint32_t v = i;

		while ((rc = rte_pmd_bcnic_vf_write_submit(vf, 0x20, 0, &v, 4, NULL)) == -EAGAIN)
			rte_pmd_bcnic_vf_completions(vf, c, RTE_DIM(c));
		CHECK_EQ(rc, 0);
	}
	done = 0;
	while (done < 100)
		done += rte_pmd_bcnic_vf_completions(vf, c, RTE_DIM(c));
	uint32_t last = 0;

	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x20, 0, &last, 4, NULL, -1), 4);
	CHECK_EQ(last, 99);
	poller_stop(&pl);
	REQUIRE(silent_start(&hb, dev) == 0);
	/* Nobody answers: the request times out and says so. */
	CHECK_EQ(rte_pmd_bcnic_vf_timeout_set(vf, 50), 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x20, 0, &last, 4, NULL, -1), -ETIMEDOUT);
	CHECK_EQ(rte_pmd_bcnic_vf_read_submit(vf, 0x20, 0, out[0], 4, (void *)7), 0);
	rte_delay_us_sleep(60000);
	CHECK_EQ(rte_pmd_bcnic_vf_completions(vf, c, 4), 1);
	CHECK_EQ(c[0].status, -ETIMEDOUT);
	CHECK(c[0].cookie == (void *)7);
	/* Late answers are dropped, the port works again once the PF polls. */
	silent_stop(&hb);
	poller_start(&pl, pf);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x20, 0, &last, 4, NULL, 1000), 4);
	poller_stop(&pl);
	uint64_t xs_ids[64];
	struct rte_eth_xstat_name names[64];
	int nx = rte_eth_xstats_get_names(vf, names, 64);
	uint64_t values[64];

	REQUIRE(nx > 0 && nx <= 64);
	for (int i = 0; i < nx; i++)
		xs_ids[i] = (uint64_t)i;
	CHECK_EQ(rte_eth_xstats_get_by_id(vf, xs_ids, values, nx), nx);
	for (int i = 0; i < nx; i++) {
		if (strcmp(names[i].name, "mbox_timeouts") == 0)
			CHECK_EQ(values[i], 2);
		if (strcmp(names[i].name, "mbox_requests") == 0)
			CHECK(values[i] >= N + 100);
	}
	/* One histogram (lib/bcmbox's): the same buckets on both ports, every sample counted. */
	uint64_t vf_lat = 0, pf_lat = 0;

	for (unsigned int b = 0; b < BCMBOX_LAT_BUCKETS; b++) {
		char name[RTE_ETH_XSTATS_NAME_SIZE];
		uint64_t v;

		bcmbox_lat_name(name, sizeof(name), "mbox_latency", b);
		v = xstat((uint16_t)vf, name);
		CHECK(v != UINT64_MAX);
		vf_lat += v != UINT64_MAX ? v : 0;
		bcmbox_lat_name(name, sizeof(name), "mbox_service", b);
		v = xstat((uint16_t)pf, name);
		CHECK(v != UINT64_MAX);
		pf_lat += v != UINT64_MAX ? v : 0;
	}
	CHECK(vf_lat >= N + 100);
	CHECK(pf_lat >= N + 100);
	CHECK(xstat((uint16_t)vf, "mbox_latency_lt_250ns") != UINT64_MAX);
	CHECK(xstat((uint16_t)pf, "mbox_service_ge_1000000ns") != UINT64_MAX);
	down("net_bcnic_vf_as");
	down("net_bcnic_pf_as");
}

struct inval_log {
	unsigned int calls;
	uint32_t block_id;
	uint32_t version;
	uint64_t tsc;
};

static void
on_invalidate(uint16_t port, uint32_t block_id, uint32_t version, void *arg)
{
	struct inval_log *l = arg;

	RTE_SET_USED(port);
	l->block_id = block_id;
	l->version = version;
	__atomic_store_n(&l->tsc, rte_get_tsc_cycles(), __ATOMIC_RELEASE);
	__atomic_fetch_add(&l->calls, 1, __ATOMIC_RELEASE);
}

static unsigned int
wait_calls(struct inval_log *l, unsigned int want)
{
	for (int i = 0; i < 1000 && __atomic_load_n(&l->calls, __ATOMIC_ACQUIRE) < want; i++)
		rte_delay_us_sleep(1000);
	return __atomic_load_n(&l->calls, __ATOMIC_ACQUIRE);
}

/* Invalidations reach the application with no call from it. */
static void
test_invalidate(void)
{
	const char *dev = devname("inv");
	struct rte_pmd_bcnic_block_def d = { 0x30, 8, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RO };
	struct inval_log one = { 0 }, any = { 0 };
	uint32_t ver;
	int pf, vf;

	pf = up("net_bcnic_pf_i", "dev=%s,vfs=1", dev);
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	vf = up("net_bcnic_vf_i", "dev=%s,vf=0", dev);
	REQUIRE(vf >= 0);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(vf, 0x30, on_invalidate, &one), 0);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(vf, RTE_PMD_BCNIC_BLOCK_ANY, on_invalidate,
						      &any), 0);
	uint64_t t0 = rte_get_tsc_cycles();

	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x30, 0, 0, "abcdefgh", 8), 0);
	CHECK_EQ(wait_calls(&one, 1), 1);
	CHECK_EQ(one.block_id, 0x30);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x30, 0, 0, &ver, 4, &ver), 0);
	CHECK_EQ(one.version, ver);
	CHECK_EQ(wait_calls(&any, 1), 1);
	printf("invalidate: delivered %.0f us after the PF-side write (event thread)\n",
	       (double)(one.tsc - t0) * 1e6 / rte_get_tsc_hz());
	/* Another block only reaches the "any" callback. */
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, RTE_PMD_BCNIC_BLOCK_MTU, 0, 0, &ver, 4), 0);
	CHECK_EQ(wait_calls(&any, 2), 2);
	CHECK_EQ(any.block_id, RTE_PMD_BCNIC_BLOCK_MTU);
	CHECK_EQ(one.calls, 1);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_unregister(vf, 0x30, on_invalidate, &one), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x30, 0, 0, "12345678", 8), 0);
	CHECK_EQ(wait_calls(&any, 3), 3);
	CHECK_EQ(one.calls, 1);
	down("net_bcnic_vf_i");

	/* events=poll: nothing until the application polls; ring overflow -> one resync call. */
	struct inval_log p = { 0 };

	vf = up("net_bcnic_vf_i", "dev=%s,vf=0,events=poll", dev);
	REQUIRE(vf >= 0);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(vf, RTE_PMD_BCNIC_BLOCK_ANY, on_invalidate,
						      &p), 0);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x30, 0, 0, &i, 4), 0);
	rte_delay_us_sleep(20000);
	CHECK_EQ(p.calls, 0);
	int n = rte_pmd_bcnic_vf_event_poll(vf);

	CHECK_EQ(n, 64);	/* 63 invalidations and the overflow marker */
	CHECK_EQ(p.calls, 64);
	CHECK_EQ(p.block_id, RTE_PMD_BCNIC_BLOCK_ANY);
	CHECK_EQ(p.version, 0);
	down("net_bcnic_vf_i");
	down("net_bcnic_pf_i");
}

static int lsc_events;

static int
on_lsc(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	if (type == RTE_ETH_EVENT_INTR_LSC)
		__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
refuse_mac(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_pmd_bcnic_mb_event_param *p = ret;

	RTE_SET_USED(port);
	RTE_SET_USED(arg);
	if (type == RTE_ETH_EVENT_VF_MBOX && p->block_id == RTE_PMD_BCNIC_BLOCK_MAC &&
	    ((const uint8_t *)p->data)[5] == 0x66)
		p->retval = RTE_PMD_BCNIC_MB_EVENT_REJECT;
	return 0;
}

/* MAC, MTU and link of the VF port are the PF's blocks. */
static void
test_ethdev_ops(void)
{
	const char *dev = devname("eth");
	struct rte_ether_addr mac, want = { { 0x02, 0, 0, 0, 0x12, 0x34 } },
				    refused = { { 0x02, 0, 0, 0, 0x12, 0x66 } };
	struct rte_eth_dev_info info;
	uint8_t block[8];
	uint32_t mtu;
	int pf, vf;

	pf = up("net_bcnic_pf_e", "dev=%s,vfs=1", dev);
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_eth_dev_callback_register(pf, RTE_ETH_EVENT_VF_MBOX, refuse_mac, NULL), 0);
	vf = up("net_bcnic_vf_e", "dev=%s,vf=0", dev);
	REQUIRE(vf >= 0);
	CHECK_EQ(rte_eth_dev_info_get(vf, &info), 0);
	CHECK(*info.dev_flags & RTE_ETH_DEV_INTR_LSC);
	/* MAC from the PF at probe */
	CHECK_EQ(rte_eth_macaddr_get(vf, &mac), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MAC, 0, 0, block, 8, NULL), 0);
	CHECK(memcmp(mac.addr_bytes, block, 6) == 0);
	/* Accepted change */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(vf, &want), 0);
	CHECK_EQ(rte_eth_macaddr_get(vf, &mac), 0);
	CHECK(rte_is_same_ether_addr(&mac, &want));
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MAC, 0, 0, block, 8, NULL), 0);
	CHECK(memcmp(block, want.addr_bytes, 6) == 0);
	/* Refused change: error, nothing changes on either side */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(vf, &refused), -EACCES);
	CHECK_EQ(rte_eth_macaddr_get(vf, &mac), 0);
	CHECK(rte_is_same_ether_addr(&mac, &want));
	/* MTU (ethdev wants the port configured first) */
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	REQUIRE(rte_eth_dev_configure(vf, 0, 0, &conf) == 0);
	CHECK_EQ(rte_eth_dev_set_mtu(vf, 9000), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MTU, 0, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 9000);
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, RTE_PMD_BCNIC_BLOCK_MTU, 0,
						   RTE_PMD_BCNIC_ACCESS_RO), 0);
	CHECK_EQ(rte_eth_dev_set_mtu(vf, 1400), -EACCES);
	/* Link follows the PF port, with LSC events on the VF port. */
	CHECK_EQ(rte_eth_dev_callback_register(vf, RTE_ETH_EVENT_INTR_LSC, on_lsc, NULL), 0);
	REQUIRE(start(vf) == 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_DOWN), 0);
	REQUIRE(start(pf) == 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_UP), 0);
	int before = __atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE);

	CHECK_EQ(rte_eth_dev_set_link_down(pf), 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_DOWN), 0);
	CHECK(__atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE) > before);
	CHECK_EQ(rte_eth_dev_set_link_up(pf), 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_UP), 0);
	CHECK(__atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE) >= before + 2);
	CHECK_EQ(rte_eth_dev_stop(vf), 0);
	CHECK_EQ(rte_eth_dev_stop(pf), 0);
	down("net_bcnic_vf_e");
	down("net_bcnic_pf_e");
}

/* The PF goes away (in this process) and comes back: the VF follows by itself. */
static void
test_pf_gone_and_back(void)
{
	const char *dev = devname("gone");
	uint32_t mtu;
	int pf, vf, rc;

	pf = up("net_bcnic_pf_g", "dev=%s,vfs=1", dev);
	REQUIRE(pf >= 0);
	REQUIRE(start(pf) == 0);
	vf = up("net_bcnic_vf_g", "dev=%s,vf=0,timeout_ms=300", dev);
	REQUIRE(vf >= 0);
	REQUIRE(start(vf) == 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_UP), 0);
	down("net_bcnic_pf_g");
	uint64_t t0 = rte_get_tsc_cycles();

	rc = rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1);
	CHECK(rc == -ENOTCONN || rc == -ETIMEDOUT);
	CHECK(rte_get_tsc_cycles() - t0 < rte_get_tsc_hz());	/* within the 300 ms timeout, bounded */
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_DOWN), 0);
	pf = up("net_bcnic_pf_g", "dev=%s,vfs=1", dev);
	REQUIRE(pf >= 0);
	REQUIRE(start(pf) == 0);
	CHECK_EQ(wait_link(vf, RTE_ETH_LINK_UP), 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1), 4);
	CHECK_EQ(mtu, 1500);
	down("net_bcnic_vf_g");
	down("net_bcnic_pf_g");
}

static const struct check_case cases[] = {
	{ "api", test_api },
	{ "async", test_async },
	{ "invalidate", test_invalidate },
	{ "ethdev_ops", test_ethdev_ops },
	{ "pf_gone_and_back", test_pf_gone_and_back },
	{ NULL, NULL },
};

/*
 * mp helper: a started PF until stdin closes, with blocks for remote-api:
 * 0x10 64 KiB per VF RW, 0x11 16 B shared RO, 0x13 8 B shared RO that
 * the PF rewrites every 20 ms.
 */
static int
serve_pf(const char *dev, const char *vfs)
{
	struct rte_pmd_bcnic_block_def defs[] = {
		{ 0x10, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_RW },
		{ 0x11, 16, RTE_PMD_BCNIC_SCOPE_SHARED, RTE_PMD_BCNIC_ACCESS_RO },
		{ 0x13, 8, RTE_PMD_BCNIC_SCOPE_SHARED, RTE_PMD_BCNIC_ACCESS_RO },
	};
	int pf = up("net_bcnic_pf_mp", "dev=%s,vfs=%s", dev, vfs);
	uint64_t tick = 0;

	if (pf < 0 || start(pf) != 0)
		return 1;
	for (unsigned int i = 0; i < RTE_DIM(defs); i++)
		if (rte_pmd_bcnic_pf_block_define(pf, &defs[i]) != 0)
			return 1;
	rte_pmd_bcnic_pf_block_set(pf, 0x11, 0, 0, "read-only block!", 16);
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		char buf[64];

		if (poll(&p, 1, 20) > 0 && read(0, buf, sizeof(buf)) <= 0)
			break;
		tick++;
		rte_pmd_bcnic_pf_block_set(pf, 0x13, 0, 0, &tick, sizeof(tick));
	}
	down("net_bcnic_pf_mp");
	return check_failures ? 1 : 0;
}

/* mp helper: the VF API against a PF in another process (serve_pf's blocks). */
static int
remote_api(const char *dev, const char *index)
{
	static uint8_t big[65536], back[65536];
	static uint8_t out[1000][64];
	struct rte_pmd_bcnic_block_info cat[8];
	struct rte_pmd_bcnic_completion c[128];
	struct inval_log l = { 0 };
	unsigned int done = 0;
	uint32_t ver;
	int vf = up("net_bcnic_vf_mp", "dev=%s,vf=%s", dev, index);

	if (vf < 0) {
		printf("attach failed\n");
		return 3;
	}
	CHECK_EQ(rte_pmd_bcnic_vf_catalog(vf, cat, 8), 8);
	CHECK_EQ(cat[5].id, 0x10);
	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 3 + atoi(index));
	CHECK_EQ(rte_pmd_bcnic_vf_block_write(vf, 0x10, 0, big, sizeof(big), &ver, -1), 65536);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x10, 0, back, sizeof(back), NULL, -1), 65536);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x11, 0, back, 16, NULL, -1), 16);
	CHECK(memcmp(back, "read-only block!", 16) == 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_write(vf, 0x11, 0, "x", 1, NULL, -1), -EACCES);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x12, 0, back, 1, NULL, -1), -ENOENT);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x11, 8, back, 9, NULL, -1), -EINVAL);
	/* Pipelined async reads */
	for (unsigned int i = 0; i < 1000;) {
		int rc = rte_pmd_bcnic_vf_read_submit(vf, 0x10, i * 64, out[i], 64,
						      (void *)(uintptr_t)(i + 1));

		if (rc == 0) {
			i++;
			continue;
		}
		CHECK_EQ(rc, -EAGAIN);
		if (rc != -EAGAIN)
			break;
		done += rte_pmd_bcnic_vf_completions(vf, c, RTE_DIM(c));
	}
	for (int spins = 0; done < 1000 && spins < 1000000; spins++)
		done += rte_pmd_bcnic_vf_completions(vf, c, RTE_DIM(c));
	CHECK_EQ(done, 1000);
	for (unsigned int i = 0; i < 1000; i++)
		CHECK(memcmp(out[i], big + i * 64, 64) == 0);
	/* Invalidations of the block the PF keeps changing reach us by themselves. */
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(vf, 0x13, on_invalidate, &l), 0);
	CHECK(wait_calls(&l, 3) >= 3);
	CHECK_EQ(l.block_id, 0x13);
	uint64_t tick;

	CHECK_EQ(rte_pmd_bcnic_vf_block_read(vf, 0x13, 0, &tick, 8, &ver, -1), 8);
	CHECK(ver >= l.version);
	down("net_bcnic_vf_mp");
	printf("remote-api vf %s: %s\n", index, check_failures ? "FAILED" : "ok");
	return check_failures ? 1 : 0;
}

static int
stdin_closed(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[64];

	return poll(&p, 1, 0) > 0 && read(0, buf, sizeof(buf)) <= 0;
}

static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* mp helper: a VF reading its MTU block every 2 ms, printing each change. */
static int
vf_loop(const char *dev, const char *index, const char *extra)
{
	char name[32];
	int vf;
	int last_rc = 1, last_link = -1;
	uint64_t last_stalls = 0, last_lost = 0;
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_get_tsc_cycles(), last_ok = t0;

	snprintf(name, sizeof(name), "net_bcnic_vf_mp%s", index);
	vf = up(name, "dev=%s,vf=%s,timeout_ms=500%s%s", dev, index, extra[0] ? "," : "", extra);
	if (vf < 0 || start(vf) != 0) {
		printf("attach failed\n");
		return 3;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stdin_closed()) {
		struct rte_eth_link l;
		uint32_t mtu;
		uint64_t c0 = rte_get_tsc_cycles();
		int rc = rte_pmd_bcnic_vf_block_read(vf, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1);
		uint64_t c1 = rte_get_tsc_cycles();

		rc = rc == 4 ? 0 : rc;
		if (rc != last_rc) {
			/* call_ms: how long this call took; since_ok_ms: since the last good one */
			printf("state %d call_ms=%.0f since_ok_ms=%.0f\n", rc,
			       (double)(c1 - c0) * 1e3 / hz, (double)(c1 - last_ok) * 1e3 / hz);
			fflush(stdout);
			last_rc = rc;
		}
		if (rc == 0)
			last_ok = c1;
		if (rte_eth_link_get_nowait(vf, &l) == 0 && l.link_status != last_link) {
			printf("link %s\n", l.link_status ? "up" : "down");
			fflush(stdout);
			last_link = l.link_status;
		}
		uint64_t stalls = xstat(vf, "mbox_pf_stalls"), lost = xstat(vf, "mbox_pf_lost");

		if (stalls != last_stalls || lost != last_lost) {
			printf("pf_stalls %" PRIu64 " pf_lost %" PRIu64 "\n", stalls, lost);
			fflush(stdout);
			last_stalls = stalls;
			last_lost = lost;
		}
		rte_delay_us_sleep(2000);
	}
	rte_eth_dev_stop(vf);
	down(name);
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = { "test_vf", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--no-shconf", "--file-prefix=bcnic-test", "-l", "0-1",
			"--log-level=pmd.net.bcnic*:notice", NULL };
	int rc;

	pmd_uniq_init('v');
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (argc >= 4 && strcmp(argv[1], "serve-pf") == 0)
		rc = serve_pf(argv[2], argv[3]);
	else if (argc >= 4 && strcmp(argv[1], "vf-loop") == 0)
		rc = vf_loop(argv[2], argv[3], argc >= 5 ? argv[4] : "");
	else if (argc >= 4 && strcmp(argv[1], "remote-api") == 0)
		rc = remote_api(argv[2], argv[3]);
	else
		rc = check_run(cases, argc, argv);
	if (argc < 2 || (strcmp(argv[1], "serve-pf") != 0 && strcmp(argv[1], "vf-loop") != 0 &&
			 strcmp(argv[1], "remote-api") != 0))
		cleanup_shm();
	finish();
	return rc;
}
