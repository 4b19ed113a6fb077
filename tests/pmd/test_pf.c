/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PF driver against a raw VF built directly on lib/bcmbox (no VF
 * driver involved): blocks, access, policy, invalidations, epochs,
 * throttling, scale, torn reads. Same process.
 *
 * Usage: test_pf <case>...
 *        test_pf serve <dev> <vfs>      hold a PF with test blocks (mp tests)
 *        test_pf raw-vf <dev> <vf> <n>  n checked reads/writes as a raw VF
 *        (and serve/writer/reader/dump/hostile helpers for the mp, fault and
 *        power suites: see each one's comment)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include "bcmbox_client.h"
#include "check.h"
#include "pmd_util.h"
#include "rte_pmd_bcnic.h"

int check_failures;

#define TIMEOUT_NS (2ull * 1000000000ull)

static struct bcmbox_msg msg;

struct raw_vf {
	struct bcmbox_client c;
	void *base;
	size_t size;
};

/* Probe a PF vdev named net_bcnic_pf_<tag>; returns its port or -1. */
static int
pf_up(const char *tag, const char *dev, const char *extra)
{
	char args[256], name[64];

	snprintf(name, sizeof(name), "net_bcnic_pf_%s", tag);
	snprintf(args, sizeof(args), "%s,dev=%s%s%s", name, dev, extra[0] ? "," : "", extra);
	if (rte_dev_probe(args) != 0)
		return -1;
	return port_of(name);
}

static void
pf_down(const char *tag)
{
	char name[64];

	snprintf(name, sizeof(name), "net_bcnic_pf_%s", tag);
	CHECK_EQ(rte_eal_hotplug_remove("vdev", name), 0);
}

#define RAW_PF_TIMEOUT_NS (30 * 1000000000ull)

static int
vf_open(struct raw_vf *v, const char *dev, unsigned int vf)
{
	int rc = bcmbox_shm_map(dev, (int)vf, &v->base, &v->size);

	if (rc != 0)
		return rc;
	rc = bcmbox_client_open(&v->c, v->base, v->size);
	if (rc == 0) {
		/*
		 * No pf_alive hook here: a heartbeat silent for pf_timeout would end
		 * the session, and a loaded host (TSan, parallel suites) can starve
		 * the PF's thread for a second. The tests end sessions on purpose.
		 */
		bcmbox_client_set_pf_timeout(&v->c, RAW_PF_TIMEOUT_NS);
		rc = bcmbox_client_connect(&v->c, TIMEOUT_NS);
	}
	if (rc != 0)
		munmap(v->base, v->size);
	return rc;
}

static void
vf_close(struct raw_vf *v)
{
	munmap(v->base, v->size);
}

static int
vf_read(struct raw_vf *v, uint32_t id, uint32_t off, void *buf, uint32_t len, uint32_t *ver)
{
	return bcmbox_client_read(&v->c, id, off, buf, len, ver, &msg, TIMEOUT_NS);
}

static int
vf_write(struct raw_vf *v, uint32_t id, uint32_t off, const void *buf, uint32_t len, uint32_t *ver)
{
	return bcmbox_client_write(&v->c, id, off, buf, len, ver, &msg, TIMEOUT_NS);
}

/* Wait up to 1 s for the next event of v. */
static int
vf_event(struct raw_vf *v, struct bcmbox_msg *m)
{
	uint64_t end = bcmbox_now_ns() + 1000000000ull;

	while (bcmbox_now_ns() < end)
		if (bcmbox_client_event(&v->c, m) == 1)
			return 1;
	return 0;
}

static void
test_std_blocks(void)
{
	const char *dev = devname("std");
	struct bcmbox_catalog_entry cat[8];
	struct rte_ether_addr pf_mac;
	uint8_t mac[8];
	uint32_t mtu, ver;
	struct rte_pmd_bcnic_link link;
	struct raw_vf v;
	int pf, n;

	pf = pf_up("std", dev, "vfs=2,poller=thread");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 1) == 0);
	CHECK(v.c.epoch != 0);
	CHECK_EQ(v.c.hello.num_blocks, 5);
	n = bcmbox_client_list(&v.c, cat, 8, &msg, TIMEOUT_NS);
	CHECK_EQ(n, 5);
	CHECK_EQ(cat[0].block_id, RTE_PMD_BCNIC_BLOCK_MAC);
	CHECK_EQ(cat[0].size, 8);
	CHECK_EQ(cat[0].access, BCMBOX_ACCESS_RW);
	CHECK_EQ(cat[1].block_id, RTE_PMD_BCNIC_BLOCK_MTU);
	CHECK_EQ(cat[2].block_id, RTE_PMD_BCNIC_BLOCK_LINK);
	CHECK_EQ(cat[2].access, BCMBOX_ACCESS_RO);
	CHECK_EQ(cat[2].scope, BCMBOX_SCOPE_SHARED);
	CHECK_EQ(cat[3].block_id, RTE_PMD_BCNIC_BLOCK_RXMODE);
	CHECK_EQ(cat[3].size, 4);
	CHECK_EQ(cat[3].access, BCMBOX_ACCESS_RW);
	CHECK_EQ(cat[3].scope, BCMBOX_SCOPE_PER_VF);
	CHECK_EQ(cat[4].block_id, RTE_PMD_BCNIC_BLOCK_MAC_FILTER);
	CHECK_EQ(cat[4].size, 4 * 8);	/* vf_mac_filters=4 by default */
	CHECK_EQ(cat[4].access, BCMBOX_ACCESS_RW);
	/* Rx mode: all-multicast at first; promiscuous needs trust; unknown flags are refused. */
	uint32_t rxmode = 0;

	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, &rxmode, 4, &ver), 0);
	CHECK_EQ(rxmode, RTE_PMD_BCNIC_RXMODE_ALLMULTI);
	rxmode = RTE_PMD_BCNIC_RXMODE_PROMISC;
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, &rxmode, 4, &ver), -EACCES);
	rxmode = 0x4;
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, &rxmode, 4, &ver), -EINVAL);
	/* A partial write is judged on what it would leave: byte 0 = PROMISC. */
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, "\x01", 1, &ver), -EACCES);
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 1, "\x00", 1, &ver), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(pf, 1), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_set(pf, 1, 1), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(pf, 1), 1);
	rxmode = RTE_PMD_BCNIC_RXMODE_PROMISC | RTE_PMD_BCNIC_RXMODE_ALLMULTI;
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, &rxmode, 4, &ver), 0);
	/* Revoked: promiscuous goes, all-multicast stays. */
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_set(pf, 1, 0), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_RXMODE, 1, 0, &rxmode, 4, NULL), 0);
	CHECK_EQ(rxmode, RTE_PMD_BCNIC_RXMODE_ALLMULTI);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_set(pf, 2, 1), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(pf, 2), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_set(RTE_MAX_ETHPORTS, 0, 1), -ENODEV);
	/* MAC filters: the block's size is the PF's limit. */
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MAC_FILTER, 3 * 8, "\x02\0\0\0\x42\x01\0", 8, &ver), 0);
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MAC_FILTER, 4 * 8, "\x02\0\0\0\x42\x02\0", 8, &ver), -EINVAL);
	/* MAC: the PF's with the function number (VF 1 -> 2) in the last byte. */
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MAC, 0, mac, 8, &ver), 0);
	CHECK_EQ(rte_eth_macaddr_get(pf, &pf_mac), 0);
	CHECK(memcmp(mac, pf_mac.addr_bytes, 5) == 0);
	CHECK_EQ(mac[5], 2);
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, &ver), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), &ver), 0);
	CHECK_EQ(link.link_up, 0);
	/* The link block is read-only to VFs; the MTU one is writable. */
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), &ver), -EACCES);
	mtu = 9000;
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, &ver), 0);
	mtu = 0;
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MTU, 1, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 9000);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MTU, 0, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(bcmbox_client_bye(&v.c, &msg, TIMEOUT_NS), 0);
	struct rte_pmd_bcnic_vf_info info;

	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 1, &info), 0);
	CHECK_EQ(info.state, RTE_PMD_BCNIC_VF_DETACHED);
	CHECK(info.requests >= 7);
	vf_close(&v);
	pf_down("std");
}

static void
test_app_blocks(void)
{
	const char *dev = devname("app");
	static uint8_t big[65536], back[65536];
	struct rte_pmd_bcnic_block_def d;
	struct raw_vf v0, v1;
	uint32_t ver, ver2;
	uint8_t small[128];
	int pf;

	pf = pf_up("app", dev, "vfs=2,poller=thread");
	REQUIRE(pf >= 0);
	d = (struct rte_pmd_bcnic_block_def){ 0x100, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF,
					      RTE_PMD_BCNIC_ACCESS_RW };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), -EEXIST);
	d = (struct rte_pmd_bcnic_block_def){ 0x101, 128, RTE_PMD_BCNIC_SCOPE_SHARED,
					      RTE_PMD_BCNIC_ACCESS_RO };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	d = (struct rte_pmd_bcnic_block_def){ 0x102, 16, RTE_PMD_BCNIC_SCOPE_PER_VF,
					      RTE_PMD_BCNIC_ACCESS_NONE };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, 0x102, 1, RTE_PMD_BCNIC_ACCESS_RW), 0);
	/* Definition errors */
	d = (struct rte_pmd_bcnic_block_def){ 0x103, 65537, 0, 0 };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), -EINVAL);
	d = (struct rte_pmd_bcnic_block_def){ 0x103, 0, 0, 0 };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), -EINVAL);
	d = (struct rte_pmd_bcnic_block_def){ RTE_PMD_BCNIC_BLOCK_STD_BASE + 7, 8, 0, 0 };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), -EINVAL);
	d = (struct rte_pmd_bcnic_block_def){ 0x103, 8, 2, 0 };
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(RTE_MAX_ETHPORTS, &d), -ENODEV);

	REQUIRE(vf_open(&v0, dev, 0) == 0);
	REQUIRE(vf_open(&v1, dev, 1) == 0);
	CHECK_EQ(v0.c.hello.num_blocks, 7);
	CHECK_EQ(v1.c.hello.num_blocks, 8);
	/* 64 KiB through 4 KiB requests, then read back whole, and by the PF. */
	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	CHECK_EQ(vf_write(&v0, 0x100, 0, big, sizeof(big), &ver), 0);
	CHECK_EQ(vf_read(&v0, 0x100, 0, back, sizeof(back), &ver2), 0);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(ver, ver2);
	CHECK_EQ(ver, 1 + 16);	/* 16 parts, each one write */
	memset(back, 0, sizeof(back));
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x100, 0, 0, back, sizeof(back), &ver2), 0);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(ver, ver2);
	/* Offset access */
	CHECK_EQ(vf_read(&v0, 0x100, 1000, back, 100, NULL), 0);
	CHECK(memcmp(big + 1000, back, 100) == 0);
	/* VF 1 has its own, still zero, copy. */
	CHECK_EQ(vf_read(&v1, 0x100, 0, back, 4096, &ver), 0);
	CHECK_EQ(ver, 1);
	CHECK(back[0] == 0 && back[4095] == 0);
	/* Errors seen by the VF */
	CHECK_EQ(vf_read(&v0, 0x102, 0, small, 16, NULL), -ENOENT);	/* invisible */
	CHECK_EQ(vf_read(&v0, 0x999, 0, small, 16, NULL), -ENOENT);
	CHECK_EQ(vf_write(&v0, 0x101, 0, small, 16, NULL), -EACCES);
	CHECK_EQ(vf_read(&v0, 0x101, 100, small, 29, NULL), -EINVAL);
	CHECK_EQ(vf_read(&v0, 0x100, 65530, small, 10, NULL), -EINVAL);
	CHECK_EQ(vf_write(&v1, 0x102, 0, "0123456789abcdef", 16, NULL), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x102, 1, 0, small, 16, NULL), 0);
	CHECK(memcmp(small, "0123456789abcdef", 16) == 0);
	/* API errors */
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x102, 2, 0, small, 16, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x102, 1, 1, small, 16, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x555, 1, 0, small, 16, NULL), -ENOENT);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x101, 0, 120, small, 9), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x100, 5, 0, small, 9), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, 0x100, 0, 3), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, 0x555, 0, 1), -ENOENT);
	/* Access changes take effect at once. */
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, 0x100, 0, RTE_PMD_BCNIC_ACCESS_RO), 0);
	CHECK_EQ(vf_write(&v0, 0x100, 0, small, 4, NULL), -EACCES);
	CHECK_EQ(vf_read(&v0, 0x100, 0, small, 4, NULL), 0);
	vf_close(&v0);
	vf_close(&v1);
	pf_down("app");
}

/* Written by the PF's poller thread: atomic, and the copy under a lock. */
static int policy_calls;
static struct rte_pmd_bcnic_mb_event_param policy_seen;
static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;

static struct rte_pmd_bcnic_mb_event_param
policy_last(void)
{
	struct rte_pmd_bcnic_mb_event_param p;

	pthread_mutex_lock(&policy_lock);
	p = policy_seen;
	pthread_mutex_unlock(&policy_lock);
	return p;
}

static int
policy_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_pmd_bcnic_mb_event_param *p = ret;

	RTE_SET_USED(port);
	RTE_SET_USED(arg);
	if (type != RTE_ETH_EVENT_VF_MBOX)
		return 0;
	__atomic_fetch_add(&policy_calls, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&policy_lock);
	policy_seen = *p;
	pthread_mutex_unlock(&policy_lock);
	/* Only locally administered MACs, and nothing starting with 0xff elsewhere. */
	if (p->block_id == RTE_PMD_BCNIC_BLOCK_MAC && !(((const uint8_t *)p->data)[0] & 0x02))
		p->retval = RTE_PMD_BCNIC_MB_EVENT_REJECT;
	if (p->block_id != RTE_PMD_BCNIC_BLOCK_MAC && ((const uint8_t *)p->data)[0] == 0xff)
		p->retval = RTE_PMD_BCNIC_MB_EVENT_REJECT;
	return 0;
}

static void
test_policy(void)
{
	const char *dev = devname("pol");
	uint8_t good[8] = { 0x02, 1, 2, 3, 4, 5 }, bad[8] = { 0x00, 1, 2, 3, 4, 5 }, back[8];
	struct raw_vf v;
	int pf;

	pf = pf_up("pol", dev, "vfs=1,poller=thread");
	REQUIRE(pf >= 0);
	REQUIRE(rte_eth_dev_callback_register(pf, RTE_ETH_EVENT_VF_MBOX, policy_cb, NULL) == 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MAC, 0, bad, 8, NULL), -EACCES);
	CHECK_EQ(__atomic_load_n(&policy_calls, __ATOMIC_RELAXED), 1);
	CHECK_EQ(policy_last().vf, 0);
	CHECK_EQ(policy_last().block_id, RTE_PMD_BCNIC_BLOCK_MAC);
	CHECK_EQ(policy_last().length, 8);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MAC, 0, 0, back, 8, NULL), 0);
	CHECK(memcmp(back, bad, 8) != 0);	/* refused: unchanged */
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MAC, 0, good, 8, NULL), 0);
	CHECK_EQ(__atomic_load_n(&policy_calls, __ATOMIC_RELAXED), 2);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, RTE_PMD_BCNIC_BLOCK_MAC, 0, 0, back, 8, NULL), 0);
	CHECK(memcmp(back, good, 8) == 0);
	/* Access rules come first: no event for a write the rules refuse. */
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_LINK, 0, good, 8, NULL), -EACCES);
	CHECK_EQ(__atomic_load_n(&policy_calls, __ATOMIC_RELAXED), 2);
	/* Without the callback the access rule alone decides. */
	CHECK_EQ(rte_eth_dev_callback_unregister(pf, RTE_ETH_EVENT_VF_MBOX, policy_cb, NULL), 0);
	CHECK_EQ(vf_write(&v, RTE_PMD_BCNIC_BLOCK_MAC, 0, bad, 8, NULL), 0);
	CHECK_EQ(__atomic_load_n(&policy_calls, __ATOMIC_RELAXED), 2);
	vf_close(&v);
	pf_down("pol");
}

static void
test_invalidate(void)
{
	const char *dev = devname("inv");
	struct rte_pmd_bcnic_block_def d = { 0x200, 32, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	struct rte_pmd_bcnic_block_def s = { 0x201, 32, RTE_PMD_BCNIC_SCOPE_SHARED,
					     RTE_PMD_BCNIC_ACCESS_RW };
	struct bcmbox_msg ev;
	struct raw_vf v0, v1;
	struct rte_pmd_bcnic_link link;
	uint32_t ver;
	int pf;

	pf = pf_up("inv", dev, "vfs=2,poller=thread");
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &s), 0);
	REQUIRE(vf_open(&v0, dev, 0) == 0);
	REQUIRE(vf_open(&v1, dev, 1) == 0);
	/* Per-VF block changed for VF 0: only VF 0 hears of it, with the new version. */
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x200, 0, 4, "abcd", 4), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_get(pf, 0x200, 0, 0, &ver, 4, &ver), 0);
	CHECK_EQ(vf_event(&v0, &ev), 1);
	CHECK_EQ(ev.hdr.type, BCMBOX_EVT_INVALIDATE);
	CHECK_EQ(ev.hdr.block_id, 0x200);
	CHECK_EQ(ev.hdr.arg, ver);
	CHECK_EQ(ver, 2);
	CHECK_EQ(bcmbox_client_event(&v1.c, &ev), 0);
	/* For every VF: both hear. */
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x200, RTE_PMD_BCNIC_VF_ALL, 0, "x", 1), 0);
	CHECK_EQ(vf_event(&v0, &ev), 1);
	CHECK_EQ(ev.hdr.arg, 3);
	CHECK_EQ(vf_event(&v1, &ev), 1);
	CHECK_EQ(ev.hdr.arg, 2);
	/* Shared block written by VF 1: VF 0 hears, VF 1 (the writer) does not. */
	CHECK_EQ(vf_write(&v1, 0x201, 0, "hello", 5, &ver), 0);
	CHECK_EQ(vf_event(&v0, &ev), 1);
	CHECK_EQ(ev.hdr.block_id, 0x201);
	CHECK_EQ(ev.hdr.arg, ver);
	CHECK_EQ(bcmbox_client_event(&v1.c, &ev), 0);
	/* No event for a VF that cannot see the block. */
	CHECK_EQ(rte_pmd_bcnic_pf_block_access_set(pf, 0x201, 1, RTE_PMD_BCNIC_ACCESS_NONE), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x201, 0, 0, "z", 1), 0);
	CHECK_EQ(vf_event(&v0, &ev), 1);
	CHECK_EQ(bcmbox_client_event(&v1.c, &ev), 0);
	/* Link: PF port start brings the VFs' link up, set_link_down takes it down. */
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	REQUIRE(rte_eth_dev_configure(pf, 0, 0, &conf) == 0);
	CHECK_EQ(rte_eth_dev_start(pf), 0);
	CHECK_EQ(vf_event(&v0, &ev), 1);
	CHECK_EQ(ev.hdr.type, BCMBOX_EVT_LINK);
	CHECK_EQ(((struct bcmbox_link_evt *)ev.payload)->link_up, 1);
	CHECK_EQ(vf_event(&v1, &ev), 1);
	CHECK_EQ(ev.hdr.type, BCMBOX_EVT_LINK);
	CHECK_EQ(rte_eth_dev_set_link_down(pf), 0);
	CHECK_EQ(vf_event(&v1, &ev), 1);
	CHECK_EQ(((struct bcmbox_link_evt *)ev.payload)->link_up, 0);
	CHECK_EQ(vf_read(&v1, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), NULL), 0);
	CHECK_EQ(link.link_up, 0);
	CHECK_EQ(rte_eth_dev_set_link_up(pf), 0);
	CHECK_EQ(vf_event(&v1, &ev), 1);
	CHECK_EQ(((struct bcmbox_link_evt *)ev.payload)->link_up, 1);
	CHECK_EQ(vf_read(&v1, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), NULL), 0);
	CHECK_EQ(link.link_up, 1);
	CHECK_EQ(rte_eth_dev_stop(pf), 0);
	/* VF 0 did not read the last three: down, up, down, in that order. */
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(vf_event(&v0, &ev), 1);
		CHECK_EQ(ev.hdr.type, BCMBOX_EVT_LINK);
		CHECK_EQ(((struct bcmbox_link_evt *)ev.payload)->link_up, i == 1);
	}
	CHECK_EQ(bcmbox_client_event(&v0.c, &ev), 0);
	vf_close(&v0);
	vf_close(&v1);
	pf_down("inv");
}

/* Event ring overflow: the VF gets one OVERFLOW marker, never silence. */
static void
test_event_overflow(void)
{
	const char *dev = devname("ovf");
	struct rte_pmd_bcnic_block_def d = { 0x300, 8, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RO };
	struct rte_pmd_bcnic_vf_info info;
	struct bcmbox_msg ev;
	struct raw_vf v;
	int pf, inval = 0, ovf = 0;

	pf = pf_up("ovf", dev, "vfs=1,poller=thread,evt_ring_size=16");
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x300, 0, 0, &i, 4), 0);
	while (bcmbox_client_event(&v.c, &ev) == 1) {
		inval += ev.hdr.type == BCMBOX_EVT_INVALIDATE;
		ovf += ev.hdr.type == BCMBOX_EVT_OVERFLOW;
	}
	CHECK_EQ(inval, 15);
	CHECK_EQ(ovf, 1);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.events_dropped, 85);
	vf_close(&v);
	pf_down("ovf");
}

/* A request of an old session is dropped and counted, never answered. */
static void
test_stale_epoch(void)
{
	const char *dev = devname("stl");
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	uint32_t old, mtu;
	int pf;

	pf = pf_up("stl", dev, "vfs=1,poller=thread");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	old = v.c.epoch;
	/* A second HELLO (no reset, epoch 0) starts a new session on the same rings. */
	struct bcmbox_hello_req hello = { 1, 1, 0 };
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_HELLO, .tag = 77, .length = sizeof(hello) };
	uint64_t until = bcmbox_now_ns() + TIMEOUT_NS;

	CHECK(bcmbox_ring_send(&v.c.req, &h, &hello) > 0);
	while (bcmbox_client_recv(&v.c, &msg) == 0 && bcmbox_now_ns() < until)
		;
	CHECK_EQ(msg.hdr.type, BCMBOX_MSG_HELLO | BCMBOX_RESP);
	CHECK_EQ(msg.hdr.tag, 77);
	CHECK(msg.hdr.epoch != old && msg.hdr.epoch != 0);
	/* Our client still speaks the old epoch: its request is stale. */
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				     .arg = 4 };
	CHECK(bcmbox_client_send(&v.c, &h, NULL) >= 0);
	uint64_t end = bcmbox_now_ns() + 50000000;

	while (bcmbox_now_ns() < end)
		CHECK_EQ(bcmbox_client_recv(&v.c, &msg), 0);	/* no answer */
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.stale, 1);
	CHECK_EQ(info.epoch, msg.hdr.epoch);
	/* The new epoch works. */
	bcmbox_client_adopt_epoch(&v.c, info.epoch);
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 1500);
	/* After a reconnect (reset + HELLO) the old epoch is dead too. */
	CHECK_EQ(bcmbox_client_connect(&v.c, TIMEOUT_NS), 0);
	CHECK(v.c.epoch != info.epoch);
	vf_close(&v);
	pf_down("stl");
}

/*
 * A window reset ends the session there and then: before the next HELLO
 * no epoch is published and a request of the old one, on the cleared
 * rings, is stale; the HELLO after it grants a new epoch.
 */
static void
test_reset_epoch(void)
{
	const char *dev = devname("rse");
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	uint32_t old, mtu;
	int pf;

	pf = pf_up("rse", dev, "vfs=1,poller=thread");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	old = v.c.epoch;
	CHECK(old != 0);
	/* The reset handshake alone: the PF clears the rings and acks it. */
	REQUIRE(bcmbox_window_repair(v.base, v.size, TIMEOUT_NS) == 0);
	CHECK_EQ(__atomic_load_n(&v.c.w.pf->vf_epoch, __ATOMIC_ACQUIRE), 0);
	CHECK_EQ(__atomic_load_n(&v.c.w.pf->vf_state, __ATOMIC_ACQUIRE), BCMBOX_VF_HELLO);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.epoch, 0);
	/* The old session's request on the fresh rings: dropped as stale, no answer. */
	REQUIRE(bcmbox_client_attach(&v.c, old) == 0);
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				    .arg = 4 };

	CHECK(bcmbox_client_send(&v.c, &h, NULL) >= 0);
	uint64_t end = bcmbox_now_ns() + 50000000;

	while (bcmbox_now_ns() < end)
		CHECK_EQ(bcmbox_client_recv(&v.c, &msg), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.stale, 1);
	/* The HELLO after a reset: a new epoch, which works. */
	CHECK_EQ(bcmbox_client_connect(&v.c, TIMEOUT_NS), 0);
	CHECK(v.c.epoch != 0 && v.c.epoch != old);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.epoch, v.c.epoch);
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 1500);
	vf_close(&v);
	pf_down("rse");
}

/* Malformed requests: answered PROTO with the reason, or skipped; the VF keeps working. */
static void
test_malformed(void)
{
	const char *dev = devname("mal");
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	uint32_t mtu;
	int pf;

	pf = pf_up("mal", dev, "vfs=1,poller=thread");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				    .arg = 0 };

	/* Zero bytes is a bad range: status RANGE. */
	CHECK_EQ(bcmbox_client_call(&v.c, &h, NULL, &msg, TIMEOUT_NS), -EINVAL);
	CHECK_EQ(msg.hdr.status, BCMBOX_ST_RANGE);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .block_id = 1, .length = 4, .arg = 9 };
	CHECK_EQ(bcmbox_client_call(&v.c, &h, "abcd", &msg, TIMEOUT_NS), -EPROTO);
	CHECK_EQ(msg.hdr.arg, BCMBOX_REJ_RESERVED);
	/* An unknown type is answered NOTSUP, as type 0x80. */
	h = (struct bcmbox_msg_hdr){ .type = 0x33 };
	CHECK_EQ(bcmbox_client_call(&v.c, &h, NULL, &msg, TIMEOUT_NS), -ENOTSUP);
	CHECK_EQ(v.c.bad_responses, 0);
	/* A slot with nslots = 0: no answer is possible (no trusted tag); the session ends. */
	uint8_t zeros[BCMBOX_SLOT_DATA] = { 0 };

	bcmbox_ring_send_slot(&v.c.req, zeros);
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL), -ENOTCONN);
	CHECK_EQ(bcmbox_client_connect(&v.c, TIMEOUT_NS), 0);	/* a reset makes it whole */
	CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.rejected, 4);
	vf_close(&v);
	pf_down("mal");
}

static void
test_throttle(void)
{
	const char *dev = devname("thr");
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	int pf, ok = 0, busy = 0, answers = 0;

	pf = pf_up("thr", dev, "vfs=1,poller=thread,rate=100,rate_burst=10");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	for (int i = 0; i < 50; i++) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ,
					    .block_id = RTE_PMD_BCNIC_BLOCK_MTU, .arg = 4 };

		REQUIRE(bcmbox_client_send(&v.c, &h, NULL) >= 0);
	}
	uint64_t end = bcmbox_now_ns() + TIMEOUT_NS;

	while (answers < 50 && bcmbox_now_ns() < end) {
		if (bcmbox_client_recv(&v.c, &msg) != 1)
			continue;
		answers++;
		ok += msg.hdr.status == BCMBOX_ST_OK;
		busy += msg.hdr.status == BCMBOX_ST_BUSY;
	}
	CHECK_EQ(answers, 50);	/* throttled, never silent */
	CHECK(ok >= 10 && ok <= 13);
	CHECK_EQ(ok + busy, 50);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_BUSY), -EBUSY);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.throttled, (uint64_t)busy);
	vf_close(&v);
	pf_down("thr");
}

/* 256 VFs attached, a few active, each sees its own data. */
static void
test_scale_256(void)
{
	const char *dev = devname("sc");
	static struct raw_vf v[256];
	uint8_t mac[8];
	int pf;

	pf = pf_up("sc", dev, "vfs=256,poller=thread");
	REQUIRE(pf >= 0);
	for (int i = 0; i < 256; i++)
		REQUIRE(vf_open(&v[i], dev, i) == 0);
	for (int round = 0; round < 100; round++) {
		int active[] = { 0, 17, 128, 255 };

		for (unsigned int k = 0; k < RTE_DIM(active); k++) {
			int i = active[k];

			CHECK_EQ(vf_read(&v[i], RTE_PMD_BCNIC_BLOCK_MAC, 0, mac, 8, NULL), 0);
			CHECK_EQ(mac[4] * 256 + mac[5], i + 1);
		}
	}
	struct rte_pmd_bcnic_vf_info info;

	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 255, &info), 0);
	CHECK_EQ(info.state, RTE_PMD_BCNIC_VF_READY);
	CHECK_EQ(info.requests, 101);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 1, &info), 0);
	CHECK_EQ(info.requests, 1);	/* HELLO only */
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 256, &info), -EINVAL);
	for (int i = 0; i < 256; i++)
		vf_close(&v[i]);
	pf_down("sc");
}

#define TORN_SIZE 4096	/* the largest single transfer: the longest copies */

struct torn_peer {
	int port;
	uint32_t block;
	uint32_t size;
	unsigned long n;
	unsigned long done;
	unsigned long torn;
	int stop;		/* atomic */
};

static int
uniform(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (b[i] != b[0])
			return 0;
	return 1;
}

/* The PF application writing, on its own core. */
static void *
pf_writer(void *arg)
{
	struct torn_peer *w = arg;
	static uint8_t buf[TORN_SIZE];

	for (w->done = 0; w->done < w->n && !__atomic_load_n(&w->stop, __ATOMIC_RELAXED); w->done++) {
		memset(buf, (int)(w->done & 0x7f), w->size);
		rte_pmd_bcnic_pf_block_set(w->port, w->block, 0, 0, buf, w->size);
	}
	return NULL;
}

/* The PF application reading, on its own core. */
static void *
pf_reader(void *arg)
{
	struct torn_peer *r = arg;
	static uint8_t buf[TORN_SIZE];

	for (r->done = 0; r->done < r->n && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED); r->done++) {
		rte_pmd_bcnic_pf_block_get(r->port, r->block, 0, 0, buf, r->size, NULL);
		r->torn += !uniform(buf, r->size);
	}
	return NULL;
}

struct app_poller {
	int port;
	int stop;		/* atomic */
};

static void *
app_poll(void *arg)
{
	struct app_poller *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
		rte_pmd_bcnic_pf_poll(p->port);
	return NULL;
}

/* vf_open() for a poller=app PF: a helper thread polls during the handshake. */
static int
vf_open_polled(struct raw_vf *v, const char *dev, unsigned int vf, int pf)
{
	struct app_poller p = { .port = pf };
	pthread_t th;
	int rc;

	if (pthread_create(&th, NULL, app_poll, &p) != 0)
		return -EAGAIN;
	rc = vf_open(v, dev, vf);
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	return rc;
}

/* One VF request, the PF poller run inline (poller=app): two threads on two cores. */
static int
inline_call(struct raw_vf *v, int pf, struct bcmbox_msg_hdr *h, const void *payload)
{
	int64_t tag = bcmbox_client_send(&v->c, h, payload);

	if (tag < 0)
		return (int)tag;
	for (;;) {
		rte_pmd_bcnic_pf_poll(pf);
		while (bcmbox_client_event(&v->c, &msg) == 1)
			;	/* invalidations of the writer's changes */
		if (bcmbox_client_recv(&v->c, &msg) == 1)
			return msg.hdr.tag == (uint32_t)tag ? bcmbox_status_to_errno(msg.hdr.status)
							    : -EPROTO;
	}
}

/*
 * The PF application rewrites a block 10^6 times while a VF reads it 10^6
 * times; then a VF rewrites it while the PF application reads it.
 */
static void
test_torn_reads(void)
{
	const char *dev = devname("torn");
	struct rte_pmd_bcnic_block_def d = { 0x400, TORN_SIZE, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	const unsigned long n = getenv("BCNIC_TORN_N") ? strtoul(getenv("BCNIC_TORN_N"), NULL, 0)
						       : 1000000;
	struct torn_peer peer = { .block = 0x400, .size = TORN_SIZE, .n = n };
	unsigned long torn = 0, reads, writes;
	struct raw_vf v;
	pthread_t th;
	int pf, rc = 0;

	pf = pf_up("torn", dev, "vfs=1,poller=app");
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	peer.port = pf;
	REQUIRE(vf_open_polled(&v, dev, 0, pf) == 0);
	REQUIRE(pthread_create(&th, NULL, pf_writer, &peer) == 0);
	for (reads = 0; reads < n; reads++) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .block_id = 0x400,
					    .arg = TORN_SIZE };

		rc = inline_call(&v, pf, &h, NULL);
		if (rc != 0)
			break;
		torn += !uniform(msg.payload, TORN_SIZE);
	}
	__atomic_store_n(&peer.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	printf("torn_reads: PF application wrote %lu times while a VF read %lu times: %lu torn\n",
	       peer.done, reads, torn);
	CHECK_EQ(rc, 0);
	CHECK_EQ(torn, 0);
	CHECK_EQ(reads, n);

	__atomic_store_n(&peer.stop, 0, __ATOMIC_RELAXED);
	peer.done = 0;
	peer.n = ULONG_MAX;	/* reads until the writes are done */
	REQUIRE(pthread_create(&th, NULL, pf_reader, &peer) == 0);
	for (writes = 0; writes < n; writes++) {
		uint8_t buf[TORN_SIZE];
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_WRITE, .block_id = 0x400,
					    .length = TORN_SIZE };

		memset(buf, (int)(writes & 0xff), sizeof(buf));
		rc = inline_call(&v, pf, &h, buf);
		if (rc != 0)
			break;
	}
	__atomic_store_n(&peer.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	printf("torn_reads: a VF wrote %lu times while the PF application read %lu times: %lu torn\n",
	       writes, peer.done, peer.torn);
	CHECK_EQ(rc, 0);
	CHECK_EQ(peer.torn, 0);
	CHECK_EQ(writes, n);
	CHECK(peer.done > 1000);
	vf_close(&v);
	pf_down("torn");
}

/*
 * Two writers at once, the PF application and a VF, on the same 4 KiB
 * copy, while the PF application and the VF read it: no read is a mix.
 */
static void
test_torn_concurrent(void)
{
	const char *dev = devname("tc");
	struct rte_pmd_bcnic_block_def d = { 0x410, TORN_SIZE, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	const unsigned long n = getenv("BCNIC_TORN_N") ? strtoul(getenv("BCNIC_TORN_N"), NULL, 0) / 4
						       : 250000;
	struct torn_peer w = { .block = 0x410, .size = TORN_SIZE, .n = n };
	struct torn_peer r = { .block = 0x410, .size = TORN_SIZE, .n = ULONG_MAX };
	static uint8_t buf[TORN_SIZE];
	unsigned long vf_torn = 0, i;
	pthread_t tw, tr;
	struct raw_vf v;
	int pf, rc = 0;

	pf = pf_up("tc", dev, "vfs=1,poller=app");
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_define(pf, &d), 0);
	REQUIRE(vf_open_polled(&v, dev, 0, pf) == 0);
	w.port = r.port = pf;
	REQUIRE(pthread_create(&tw, NULL, pf_writer, &w) == 0);
	REQUIRE(pthread_create(&tr, NULL, pf_reader, &r) == 0);
	for (i = 0; i < n && rc == 0; i++) {
		struct bcmbox_msg_hdr wr = { .type = BCMBOX_MSG_WRITE, .block_id = 0x410,
					     .length = TORN_SIZE };
		struct bcmbox_msg_hdr rd = { .type = BCMBOX_MSG_READ, .block_id = 0x410,
					     .arg = TORN_SIZE };

		memset(buf, (int)(0x80 | (i & 0x7f)), sizeof(buf));	/* the PF writes 0..0x7f */
		rc = inline_call(&v, pf, &wr, buf);
		if (rc == 0)
			rc = inline_call(&v, pf, &rd, NULL);
		if (rc == 0)
			vf_torn += !uniform(msg.payload, TORN_SIZE);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(tw, NULL);
	pthread_join(tr, NULL);
	printf("torn_concurrent: PF wrote %lu, VF wrote and read %lu, PF read %lu times: "
	       "%lu + %lu torn\n", w.done, i, r.done, vf_torn, r.torn);
	CHECK_EQ(rc, 0);
	CHECK_EQ(vf_torn, 0);
	CHECK_EQ(r.torn, 0);
	CHECK(r.done > 1000 && w.done > 1000);
	vf_close(&v);
	pf_down("tc");
}

/* The poller on a service lcore, probed by hotplug after EAL init (maps itself). */
static void
test_service_hotplug(void)
{
	const char *dev = devname("svc");
	struct raw_vf v;
	uint32_t mtu;
	int pf;

	REQUIRE(rte_service_lcore_count() > 0);
	pf = pf_up("svc", dev, "vfs=1,poller=service");
	REQUIRE(pf >= 0);
	REQUIRE(vf_open(&v, dev, 0) == 0);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(vf_read(&v, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL), 0);
	vf_close(&v);
	pf_down("svc");
	/* poller=app: nothing polls until the application does. */
	pf = pf_up("svc", dev, "vfs=1,poller=app");
	REQUIRE(pf >= 0);
	CHECK_EQ(rte_pmd_bcnic_pf_poll(pf), 0);
	pf_down("svc");
}

static void
test_api_port_checks(void)
{
	const char *dev = devname("api");
	struct rte_pmd_bcnic_vf_info info;
	char args[128];
	int pf, vf;

	/*
	 * The PF polls on service lcore 1, not in a control thread: control
	 * threads share CPU 0 with this thread, which busy-waits through the
	 * VF probe's handshake and reads; on a loaded machine the poller could
	 * then miss heartbeats for longer than the VF's liveness timeout and
	 * the probe failed ("Failed to attach device on primary process").
	 */
	pf = pf_up("api", dev, "vfs=1,poller=service");
	REQUIRE(pf >= 0);
	snprintf(args, sizeof(args), "net_bcnic_vf_api,dev=%s,vf=0", dev);
	REQUIRE(rte_dev_probe(args) == 0);
	vf = port_of("net_bcnic_vf_api");
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(vf, 0, &info), -ENOTSUP);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(RTE_MAX_ETHPORTS + 1, 0, &info), -ENODEV);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_bcnic_pf_poll(pf), -EBUSY);	/* the service owns polling */
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(vf, 1, 0, 0, "x", 1), -ENOTSUP);
	CHECK_EQ(rte_eal_hotplug_remove("vdev", "net_bcnic_vf_api"), 0);
	pf_down("api");
}

static void test_crash_reattach(void);

static const struct check_case cases[] = {
	{ "std_blocks", test_std_blocks },
	{ "app_blocks", test_app_blocks },
	{ "policy", test_policy },
	{ "invalidate", test_invalidate },
	{ "event_overflow", test_event_overflow },
	{ "stale_epoch", test_stale_epoch },
	{ "reset_epoch", test_reset_epoch },
	{ "malformed", test_malformed },
	{ "throttle", test_throttle },
	{ "scale_256", test_scale_256 },
	{ "torn_reads", test_torn_reads },
	{ "torn_concurrent", test_torn_concurrent },
	{ "service_hotplug", test_service_hotplug },
	{ "api_port_checks", test_api_port_checks },
	{ "crash_reattach", test_crash_reattach },
	{ NULL, NULL },
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sum of every reject counter (framing and validation) of a PF port, from its xstats. */
static uint64_t
xstat_sum(int port, const char *prefix)
{
	struct rte_eth_xstat_name names[512];
	struct rte_eth_xstat xs[512];
	int n = rte_eth_xstats_get_names(port, names, RTE_DIM(names));
	uint64_t sum = 0;

	if (n <= 0 || n > (int)RTE_DIM(xs) || rte_eth_xstats_get(port, xs, n) != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (strncmp(names[i].name, prefix, strlen(prefix)) == 0)
			sum += xs[i].value;
	return sum;
}

/*
 * mp helper: a PF with a test block (0x500, 64 KiB, per VF, RW) until stdin
 * closes; with a path, its store is persisted there. On exit it reports
 * what fault tests check: reject counters, and VF 0's first bytes.
 */
static int
serve(const char *dev, const char *vfs, const char *persist)
{
	struct rte_pmd_bcnic_block_def d = { 0x500, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	char extra[64];
	int pf, rc;

	snprintf(extra, sizeof(extra), "vfs=%s", vfs);
	pf = pf_up("mp", dev, extra);
	if (pf < 0)
		return 1;
	rc = rte_pmd_bcnic_pf_block_define(pf, &d);
	if (rc != 0 && rc != -EEXIST)
		return 1;
	if (persist != NULL && (rc = rte_pmd_bcnic_pf_persist(pf, persist)) != 0) {
		printf("persist failed: %s\n", strerror(-rc));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (getchar() != EOF)
		;
	uint64_t head;

	rte_pmd_bcnic_pf_block_get(pf, 0x500, 0, 0, &head, sizeof(head), NULL);
	printf("counters rejects=%" PRIu64 " stale=%" PRIu64 " bad_cons=%" PRIu64
	       " restored=%" PRIu64 " resets=%" PRIu64 " served=%" PRIu64
	       " persist_errors=%" PRIu64 "\n",
	       xstat_sum(pf, "mbox_rej_"), xstat_sum(pf, "mbox_rej_epoch"),
	       xstat_sum(pf, "mbox_bad_consumer_pos"), xstat_sum(pf, "mbox_windows_restored"),
	       xstat_sum(pf, "mbox_window_resets"), xstat_sum(pf, "mbox_req_"),
	       xstat_sum(pf, "mbox_persist_errors"));
	printf("vf0 block head %02x value %" PRIu64 "\n", (unsigned int)(head & 0xff), head);
	pf_down("mp");
	return 0;
}

#define SPREAD_SLOTS (65536 / 8)

/* Does a PF serve dev? It holds an exclusive flock on its object while its process lives. */
static bool
pf_process_alive(const char *dev)
{
	char path[128];
	bool alive;
	int fd;

	bcmbox_shm_name(path, sizeof(path), dev, BCMBOX_SHM_PF);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return false;
	alive = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd);	/* and our lock with it, if we got it */
	return alive;
}

/*
 * mp helper: writes start, start + 1 ... into the VF's block, printing each
 * acknowledged one; at offset 0, or spread: value i in 8-byte slot
 * i % SPREAD_SLOTS, so every acknowledged write can be checked afterwards.
 * Spread (the power suite), a PF taken for gone while its process lives (a
 * poller stalled past the liveness timeout on a loaded machine, or in a slow
 * sync) is attached again and the same write sent again; the writer stops
 * when the PF process is gone. Never while another PF may start on dev: the
 * liveness probe takes the PF object's lock for an instant.
 */
static int
writer(const char *dev, unsigned int vf, unsigned long n, uint64_t start, bool spread)
{
	struct raw_vf v;

	if (vf_open(&v, dev, vf) != 0) {
		printf("writer: cannot attach\n");
		return 3;
	}
	for (uint64_t i = start; i < start + n; i++) {
		uint32_t off = spread ? (uint32_t)(i % SPREAD_SLOTS) * 8 : 0;
		int rc = vf_write(&v, 0x500, off, &i, sizeof(i), NULL);

		for (int tries = 0; rc == -ENOTCONN && spread && tries < 20 &&
		     pf_process_alive(dev); tries++)
			rc = bcmbox_client_connect(&v.c, TIMEOUT_NS) == 0 ?
			     vf_write(&v, 0x500, off, &i, sizeof(i), NULL) : -ENOTCONN;

		if (rc != 0) {
			printf("writer: write %" PRIu64 " failed: %d\n", i, rc);
			fflush(stdout);
			return 1;
		}
		printf("acked %" PRIu64 "\n", i);
		fflush(stdout);
	}
	vf_close(&v);
	return 0;
}

/* mp helper: print the counter the writer writes. */
static int
reader(const char *dev, unsigned int vf)
{
	struct raw_vf v;
	uint64_t value = 0;

	if (vf_open(&v, dev, vf) != 0 || vf_read(&v, 0x500, 0, &value, sizeof(value), NULL) != 0) {
		printf("reader: failed\n");
		return 3;
	}
	printf("value %" PRIu64 "\n", value);
	vf_close(&v);
	return 0;
}

/* mp helper: the VF's whole block as SPREAD_SLOTS values, one line "dump v0 v1 ...". */
static int
dump(const char *dev, unsigned int vf)
{
	static uint64_t block[SPREAD_SLOTS];
	struct raw_vf v;

	if (vf_open(&v, dev, vf) != 0 || vf_read(&v, 0x500, 0, block, sizeof(block), NULL) != 0) {
		printf("dump: failed\n");
		return 3;
	}
	printf("dump");
	for (unsigned int i = 0; i < SPREAD_SLOTS; i++)
		printf(" %" PRIu64, block[i]);
	printf("\n");
	vf_close(&v);
	return 0;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The hostile VF's data path: what it can do to its Tx and Rx packet rings.
 * Positions the switch reads (our Rx consumer position), garbage where the
 * switch reads our next frames (lengths, chain flags, seq words), frames
 * to random unicast addresses (the uplink: never another VF's MAC), and the
 * lines the PF publishes (only our own view suffers).
 */
static void
hostile_data_path(struct bcmbox_window *w, uint64_t r, uint64_t *seed)
{
	uint32_t slots = w->info.data_slots, mask = slots - 1;
	uint32_t at = __atomic_load_n(&w->tx_cons->pos, __ATOMIC_ACQUIRE);
	uint32_t prod = __atomic_load_n(&w->tx_cons->rx_prod, __ATOMIC_ACQUIRE);

	if (slots == 0)
		return;
	switch (r >> 3 & 3) {
	case 0:	/* Rx consumer positions that cannot be, or behind the producer by a ring and more */
		__atomic_store_n(&w->rx_cons->pos, (r >> 8 & 1) ? (uint32_t)(r >> 32) :
				 prod - slots - 1 - (uint32_t)(r >> 16 & 0xff), __ATOMIC_RELEASE);
		break;
	case 1:	/* buffers the switch reads next: garbage lengths, flags, seq words */
		for (uint32_t i = 0; i < 4; i++) {
			struct bcmbox_pkt_buf *b = &w->tx[(at + i) & mask];
			uint64_t x = xorshift(seed);

			memcpy(b->data, &x, sizeof(x));
			b->len = (uint16_t)(x >> 8);
			b->flags = (uint16_t)(x >> 24);
			__atomic_store_n(&b->seq, (x >> 40 & 3) ? at + i + 1 : (uint32_t)(x >> 32),
					 __ATOMIC_RELEASE);
		}
		break;
	case 2: {	/* well-formed frames of any size to random unicast addresses */
		static uint8_t f[BCMBOX_PKT_MAX_LEN];
		struct bcmbox_pkt_ring tr;
		const void *seg = f;

		bcmbox_pkt_ring_init(&tr, w->tx, slots, &w->tx_cons->pos);
		tr.pos = tr.cons_cache = at;
		for (int k = 0; k < 8; k++) {
			uint32_t len = 14 + (uint32_t)(xorshift(seed) % (BCMBOX_PKT_MAX_LEN - 13));

			for (uint32_t i = 0; i < 16; i += 8) {
				uint64_t x = xorshift(seed);

				memcpy(f + i, &x, 8);
			}
			f[0] = (uint8_t)((f[0] & 0xfc) | 0x02);	/* unicast, locally administered */
			if (bcmbox_pkt_send(&tr, &seg, &len, 1, len) != 0)
				break;
		}
		break;
	}
	default:	/* the PF's published positions: only our view of them */
		__atomic_store_n(&w->tx_cons->pos, (uint32_t)(r >> 32), __ATOMIC_RELEASE);
		__atomic_store_n(&w->tx_cons->rx_prod, (uint32_t)(r >> 16), __ATOMIC_RELEASE);
		break;
	}
}

/*
 * mp helper: a hostile VF. For the given time it maps its own window and
 * writes garbage at the slot the PF reads next (right and wrong seq words,
 * impossible nslots, lengths, offsets, ids, types, statuses), replays old
 * epochs, floods valid requests without reading the answers, scribbles its
 * consumer positions and control lines, asks for resets, and does the same
 * to its data path rings (hostile_data_path()). With dp, only the data
 * path, in a session kept up, so the switch keeps delivering to it.
 */
/*
 * A VF driver that crashed mid-way leaves anything in its window: half a
 * message, a reset request the PF has not seen, impossible consumer
 * positions. The next driver must always get the window back through the
 * reset handshake and work (fuzz_pf_window's reset sequence, without the
 * fuzzer).
 */
static void
test_crash_reattach(void)
{
	const char *dev = devname("crash");
	struct rte_pmd_bcnic_block_def def = { 0x10, 64, RTE_PMD_BCNIC_SCOPE_PER_VF,
						RTE_PMD_BCNIC_ACCESS_RW };
	uint64_t seed = 0x243f6a8885a308d3ull;
	char args[128];
	int pf;

	pf = pf_up("crash", dev, "vfs=2,poller=thread,data_ring_size=64");
	REQUIRE(pf >= 0);
	REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &def) == 0);
	snprintf(args, sizeof(args), "net_bcnic_vf_crash,dev=%s,vf=1", dev);
	for (unsigned int round = 0; round < 120; round++) {
		uint64_t r = xorshift(&seed), x = xorshift(&seed), back = 0;
		struct raw_vf v;
		int port;

		REQUIRE(vf_open(&v, dev, 1) == 0);
		struct bcmbox_window *w = &v.c.w;
		uint32_t at = __atomic_load_n(&w->req_cons->pos, __ATOMIC_ACQUIRE);
		uint32_t mask = w->info.req_slots - 1;

		switch (round % 5) {
		case 0: {	/* the first slot of a two-slot WRITE, then nothing */
			struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_WRITE, .nslots = 2,
						    .epoch = v.c.epoch, .block_id = 0x10,
						    .length = 64 };

			memcpy(w->req[at & mask].data, &h, sizeof(h));
			__atomic_store_n(&w->req[at & mask].seq, at + 1, __ATOMIC_RELEASE);
			break;
		}
		case 1:	/* random slots ahead, some with the right sequence */
			for (uint32_t i = 0; i < 8; i++) {
				struct bcmbox_slot *sl = &w->req[(at + i) & mask];

				for (unsigned int b = 0; b < BCMBOX_SLOT_DATA; b += 8) {
					uint64_t y = xorshift(&seed);

					memcpy(sl->data + b, &y, RTE_MIN(8u, BCMBOX_SLOT_DATA - b));
				}
				__atomic_store_n(&sl->seq, at + i + 1 + (uint32_t)(r >> (i * 2) & 1),
						 __ATOMIC_RELEASE);
			}
			break;
		case 2:	/* every position the VF writes, garbage */
			__atomic_store_n(&w->vf->resp_cons, (uint32_t)x, __ATOMIC_RELEASE);
			__atomic_store_n(&w->vf->evt_cons, (uint32_t)(x >> 32), __ATOMIC_RELEASE);
			if (w->rx_cons != NULL)
				__atomic_store_n(&w->rx_cons->pos, (uint32_t)r, __ATOMIC_RELEASE);
			break;
		case 3:	/* crashed inside the handshake: two reset requests, no wait */
			__atomic_fetch_add(&w->vf_ctrl->reset_req, 1, __ATOMIC_RELEASE);
			__atomic_fetch_add(&w->vf_ctrl->reset_req, 1 + (uint32_t)(r & 7), __ATOMIC_RELEASE);
			break;
		default:	/* a reset request that wraps the counter */
			__atomic_store_n(&w->vf_ctrl->reset_req, UINT32_MAX - (uint32_t)(r & 1),
					 __ATOMIC_RELEASE);
			break;
		}
		vf_close(&v);	/* crashed: no BYE */
		/* The next driver, at once or after the PF's next sweep. */
		if (r & 8)
			rte_delay_us_sleep(300);
		REQUIRE(rte_dev_probe(args) == 0);
		port = port_of("net_bcnic_vf_crash");
		REQUIRE(port >= 0);
		CHECK_EQ(rte_pmd_bcnic_vf_block_write(port, 0x10, 8, &x, 8, NULL, -1), 8);
		CHECK_EQ(rte_pmd_bcnic_vf_block_read(port, 0x10, 8, &back, 8, NULL, -1), 8);
		CHECK_EQ(back, x);
		CHECK_EQ(rte_eal_hotplug_remove("vdev", "net_bcnic_vf_crash"), 0);
		if (check_failures)
			break;
	}
	pf_down("crash");
}

static int
hostile(const char *dev, unsigned int vf, double seconds, bool dp)
{
	struct raw_vf v;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid(), actions = 0;
	uint64_t end = rte_get_tsc_cycles() + (uint64_t)(seconds * rte_get_tsc_hz());
	uint32_t old_epoch;

	if (vf_open(&v, dev, vf) != 0) {
		printf("hostile: cannot attach\n");
		return 3;
	}
	old_epoch = v.c.epoch;
	bcmbox_client_connect(&v.c, TIMEOUT_NS);	/* old_epoch is now stale */
	while (rte_get_tsc_cycles() < end) {
		struct bcmbox_window *w = &v.c.w;
		uint32_t mask = w->info.req_slots - 1;
		uint32_t at = __atomic_load_n(&w->req_cons->pos, __ATOMIC_ACQUIRE);
		uint64_t r = xorshift(&seed);
		struct bcmbox_slot *sl = &w->req[at & mask];
		struct bcmbox_msg_hdr h;

		actions++;
		switch (dp ? 8 : r % 10) {
		case 0:	/* random bytes, seq right */
			for (unsigned int i = 0; i < BCMBOX_SLOT_DATA; i += 8) {
				uint64_t x = xorshift(&seed);

				memcpy(sl->data + i, &x, RTE_MIN(8u, BCMBOX_SLOT_DATA - i));
			}
			__atomic_store_n(&sl->seq, at + 1, __ATOMIC_RELEASE);
			break;
		case 1:	/* plausible header, impossible fields */
			memset(&h, 0, sizeof(h));
			h.type = (uint8_t)(1 + r % 6);
			h.nslots = (uint8_t)(r >> 8);
			h.status = (uint16_t)(r >> 16 & 1);
			h.epoch = v.c.epoch;
			h.block_id = (r >> 20 & 1) ? 0x500 : (uint32_t)(r >> 24);
			h.offset = (r >> 21 & 1) ? 65530 : (uint32_t)(r >> 32);
			h.length = (r >> 22 & 1) ? 5000 : (uint32_t)(r >> 40 & 0xff);
			h.arg = (uint32_t)(r >> 12);
			memcpy(sl->data, &h, sizeof(h));
			__atomic_store_n(&sl->seq, at + 1 + (uint32_t)(r >> 62), __ATOMIC_RELEASE);
			break;
		case 2: {	/* replay of an old session */
			struct bcmbox_msg_hdr q = { .type = BCMBOX_MSG_WRITE, .block_id = 0x500,
						    .length = 8 };
			q.epoch = old_epoch;
			q.tag = bcmbox_client_take_tag(&v.c);
			bcmbox_ring_rewind(&v.c.req, at);
			bcmbox_ring_send(&v.c.req, &q, &r);
			break;
		}
		case 3:	/* flood valid requests, never read the answers */
			bcmbox_ring_rewind(&v.c.req, at);
			for (int i = 0; i < 64; i++) {
				struct bcmbox_msg_hdr q = { .type = BCMBOX_MSG_READ, .block_id = 0x500,
							    .arg = 4096 };

				if (bcmbox_client_send(&v.c, &q, NULL) < 0)
					break;
			}
			break;
		case 4:	/* consumer positions that cannot be */
			__atomic_store_n(&w->vf->resp_cons, (uint32_t)r, __ATOMIC_RELEASE);
			__atomic_store_n(&w->vf->evt_cons, (uint32_t)(r >> 32), __ATOMIC_RELEASE);
			break;
		case 5:	/* resets, again and again */
			__atomic_fetch_add(&w->vf_ctrl->reset_req, 1, __ATOMIC_RELEASE);
			break;
		case 6:	/* continuation slots out of order */
			memset(&h, 0, sizeof(h));
			h.type = BCMBOX_MSG_WRITE;
			h.nslots = 5;
			h.epoch = v.c.epoch;
			h.block_id = 0x500;
			h.length = 200;
			memcpy(sl->data, &h, sizeof(h));
			w->req[(at + 2) & mask].seq = at + 77;
			__atomic_store_n(&sl->seq, at + 1, __ATOMIC_RELEASE);
			break;
		case 7:	/* the PF-written lines too: only our own view suffers */
			__atomic_store_n(&w->pf->vf_state, (uint32_t)r, __ATOMIC_RELEASE);
			__atomic_store_n(&w->req_cons->pos, (uint32_t)(r >> 32), __ATOMIC_RELEASE);
			break;
		default:
			hostile_data_path(w, r, &seed);
			break;
		}
		if (actions % 4096 == 0)
			bcmbox_client_connect(&v.c, 100000000ull);	/* back to a valid session now and then */
	}
	printf("hostile: %" PRIu64 " actions\n", actions);
	vf_close(&v);
	return 0;
}

/* mp helper: a raw VF in its own process, n checked 64-byte round trips. */
static int
raw_vf(const char *dev, unsigned int vf, unsigned long n)
{
	static uint8_t buf[64], back[64];
	uint64_t *lat = calloc(n, sizeof(*lat));
	uint64_t hz = rte_get_tsc_hz();
	struct raw_vf v;
	unsigned long i, bad = 0;

	if (lat == NULL || vf_open(&v, dev, vf) != 0) {
		printf("raw-vf: cannot attach\n");
		return 3;
	}
	for (i = 0; i < n; i++) {
		uint64_t c0;

		memset(buf, (int)(i & 0xff), sizeof(buf));
		buf[0] = (uint8_t)(0xa0 + vf);
		if (vf_write(&v, 0x500, 64 * (i % 16), buf, 64, NULL) != 0)
			break;
		c0 = rte_rdtsc();
		if (vf_read(&v, 0x500, 64 * (i % 16), back, 64, NULL) != 0)
			break;
		lat[i] = rte_rdtsc() - c0;
		bad += memcmp(buf, back, 64) != 0;
	}
	qsort(lat, i, sizeof(*lat), cmp_u64);
	printf("raw-vf %u: %lu reads, %lu wrong, 64 B read round trip p50 %.0f ns p99 %.0f ns\n",
	       vf, i, bad, i ? lat[i / 2] * 1e9 / hz : 0.0, i ? lat[i * 99 / 100] * 1e9 / hz : 0.0);
	free(lat);
	bcmbox_client_bye(&v.c, &msg, TIMEOUT_NS);
	vf_close(&v);
	return i == n && bad == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	/*
	 * lcore 1 is a service lcore: the poller=service cases run there. A raw
	 * VF helper takes lcore 0 only: its own idle service lcore would spin
	 * on the CPU the PF's poller runs on.
	 */
	char *eal[] = { "test_pf", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--no-shconf", "--file-prefix=bcnic-test",
			"--log-level=pmd.net.bcnic*:notice", "-l", "0-1", "-s", "0x2", NULL };
	int neal = RTE_DIM(eal) - 1;
	int rc;

	if (argc >= 2 && (strcmp(argv[1], "raw-vf") == 0 || strcmp(argv[1], "writer") == 0 ||
			  strcmp(argv[1], "reader") == 0 || strcmp(argv[1], "hostile") == 0 ||
			  strcmp(argv[1], "dump") == 0)) {
		eal[10] = "0";
		neal -= 2;
	}
	pmd_uniq_init('p');
	if (rte_eal_init(neal, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
		rc = serve(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
	} else if (argc >= 5 && strcmp(argv[1], "writer") == 0) {
		rc = writer(argv[2], (unsigned int)atoi(argv[3]), strtoul(argv[4], NULL, 0),
			    argc >= 6 ? strtoull(argv[5], NULL, 0) : 1,
			    argc >= 7 && strcmp(argv[6], "spread") == 0);
	} else if (argc >= 4 && strcmp(argv[1], "dump") == 0) {
		rc = dump(argv[2], (unsigned int)atoi(argv[3]));
	} else if (argc >= 4 && strcmp(argv[1], "reader") == 0) {
		rc = reader(argv[2], (unsigned int)atoi(argv[3]));
	} else if (argc >= 5 && strcmp(argv[1], "hostile") == 0) {
		rc = hostile(argv[2], (unsigned int)atoi(argv[3]), atof(argv[4]),
			     argc >= 6 && strcmp(argv[5], "dp") == 0);
	} else if (argc >= 5 && strcmp(argv[1], "raw-vf") == 0) {
		rc = raw_vf(argv[2], (unsigned int)atoi(argv[3]), strtoul(argv[4], NULL, 0));
	} else {
		rc = check_run(cases, argc, argv);
		cleanup_shm();
	}
	finish();
	return rc;
}
