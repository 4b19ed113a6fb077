/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data path: frames between the PF port and VF ports through the
 * emulated device's switch, checked byte for byte.
 *
 * Usage: test_dp <case>...
 *        test_dp pf-sink <dev> [vfs]      a PF receiving VF 0's frames, checked, until stdin closes
 *        test_dp vf-send <dev> <vf> <n> [bcast]  a VF sending n frames to the uplink (or all)
 *        test_dp vf-recv <dev> <vf>       a VF receiving VF 0's frames, checked, until stdin closes
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bcmbox.h"
#include "check.h"
#include "pmd_util.h"
#include "rte_pmd_bcnic.h"

int check_failures;

static struct rte_mempool *mp;
static const uint32_t sizes[] = { 60, 64, 128, 512, 1500, 2040, 2041, 2048, 4000, 9000 };

static int
up(const char *vdev, const char *args)
{
	char full[256];
	uint16_t port;
	struct rte_eth_conf conf;

	snprintf(full, sizeof(full), "%s,%s", vdev, args);
	if (rte_dev_probe(full) != 0 || rte_eth_dev_get_port_by_name(vdev, &port) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.rxmode.mtu = 9000;	/* every size of sizes[] is received */
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return port;
}

static void
down(const char *vdev)
{
	CHECK_EQ(rte_eal_hotplug_remove("vdev", vdev), 0);
}

/* A frame dst <- src of len bytes, contents from seed; chained mbufs beyond one buffer. */
static struct rte_mbuf *
frame(const struct rte_ether_addr *dst, const struct rte_ether_addr *src, uint32_t len,
      uint32_t seed)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t c;
		uint8_t *d;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		c = RTE_MIN(len - off, 1500u);	/* several segments for big frames */
		d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)c);
		for (uint32_t i = 0; i < c; i++)
			d[i] = (uint8_t)((off + i) * 7 + seed * 13);
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += c;
		}
		tail = m;
		off += c;
	}
	memcpy(rte_pktmbuf_mtod(head, uint8_t *), dst, 6);
	memcpy(rte_pktmbuf_mtod(head, uint8_t *) + 6, src, 6);
	memcpy(rte_pktmbuf_mtod(head, uint8_t *) + 12, &seed, 4);
	return head;
}

/* Does m match frame(dst, src, len, seed)? The seed is read from the frame. */
static int
check_frame(struct rte_mbuf *m, const struct rte_ether_addr *dst, uint32_t len, uint32_t *seed)
{
	static uint8_t buf[16384];
	const uint8_t *d;

	if (rte_pktmbuf_pkt_len(m) != len)
		return -1;
	d = rte_pktmbuf_read(m, 0, len, buf);
	memcpy(seed, d + 12, 4);
	if (memcmp(d, dst, 6) != 0)
		return -2;
	for (uint32_t i = 16; i < len; i++)
		if (d[i] != (uint8_t)(i * 7 + *seed * 13))
			return -3;
	return 0;
}

/* Send one frame, waiting up to 5 s for room (the switch may be slow on a busy machine). */
static int
send_one(int port, struct rte_mbuf *m)
{
	uint64_t end = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();

	while (rte_get_tsc_cycles() < end) {
		if (rte_eth_tx_burst(port, 0, &m, 1) == 1)
			return 0;
		rte_delay_us_sleep(10);
	}
	rte_pktmbuf_free(m);
	return -1;
}

/* Receive up to n frames within 2 s. */
static unsigned int
recv_n(int port, struct rte_mbuf **out, unsigned int n)
{
	unsigned int got = 0;
	uint64_t end = rte_get_tsc_cycles() + 2 * rte_get_tsc_hz();

	while (got < n && rte_get_tsc_cycles() < end)
		got += rte_eth_rx_burst(port, 0, out + got, (uint16_t)RTE_MIN(n - got, 32u));
	return got;
}

static unsigned int
drain(int port)
{
	struct rte_mbuf *m[32];
	unsigned int n = 0, k;

	rte_delay_us_sleep(20000);
	while ((k = rte_eth_rx_burst(port, 0, m, 32)) > 0) {
		rte_pktmbuf_free_bulk(m, k);
		n += k;
	}
	return n;
}

static uint64_t
xstat(int port, const char *name)
{
	uint64_t id, v = 0;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/*
 * xstat name of port once it reached want, or what it is after 10 s: the
 * switch runs in its own thread, which a loaded host (or TSan) can starve
 * for seconds; returns as soon as the count is there.
 */
static uint64_t
xstat_wait(int port, const char *name, uint64_t want)
{
	uint64_t end = rte_get_tsc_cycles() + 10 * rte_get_tsc_hz(), v;

	while ((v = xstat(port, name)) < want && rte_get_tsc_cycles() < end)
		rte_delay_us_sleep(100);
	return v;
}

struct ports {
	int pf, vf0, vf1;
	struct rte_ether_addr pf_mac, vf0_mac, vf1_mac;
};

/* The PF with pf_args (may be ""), VF 0 and VF 1, all started. */
static int
three_ports_args(struct ports *p, const char *dev, const char *pf_args)
{
	char a[128];

	snprintf(a, sizeof(a), "dev=%s,vfs=2%s%s", dev, *pf_args ? "," : "", pf_args);
	p->pf = up("net_bcnic_pf_dp", a);
	snprintf(a, sizeof(a), "dev=%s,vf=0", dev);
	p->vf0 = up("net_bcnic_vf_dp0", a);
	snprintf(a, sizeof(a), "dev=%s,vf=1", dev);
	p->vf1 = up("net_bcnic_vf_dp1", a);
	if (p->pf < 0 || p->vf0 < 0 || p->vf1 < 0)
		return -1;
	rte_eth_macaddr_get(p->pf, &p->pf_mac);
	rte_eth_macaddr_get(p->vf0, &p->vf0_mac);
	rte_eth_macaddr_get(p->vf1, &p->vf1_mac);
	rte_delay_us_sleep(20000);	/* the VFs learn the PF's link is up */
	return 0;
}

static int
three_ports(struct ports *p, const char *dev)
{
	return three_ports_args(p, dev, "");
}

static void
three_down(void)
{
	down("net_bcnic_vf_dp1");
	down("net_bcnic_vf_dp0");
	down("net_bcnic_pf_dp");
}

/* Every size from src to dst's port, checked byte for byte, nothing elsewhere. */
static void
flow(int src, int dst, int other, const struct rte_ether_addr *to, const struct rte_ether_addr *from)
{
	struct rte_mbuf *got[RTE_DIM(sizes)];
	uint32_t seed;

	for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
		struct rte_mbuf *m = frame(to, from, sizes[i], 100 + i);

		REQUIRE(m != NULL);
		CHECK_EQ(send_one(src, m), 0);
	}
	CHECK_EQ(recv_n(dst, got, RTE_DIM(sizes)), RTE_DIM(sizes));
	for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
		CHECK_EQ(check_frame(got[i], to, sizes[i], &seed), 0);
		CHECK_EQ(seed, 100 + i);
		rte_pktmbuf_free(got[i]);
	}
	if (other >= 0)
		CHECK_EQ(drain(other), 0);
}

static void
test_flows(void)
{
	struct rte_ether_addr unknown = { { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x01 } };
	struct rte_eth_stats st;
	struct ports p;

	REQUIRE(three_ports(&p, devname("fl")) == 0);
	flow(p.vf0, p.pf, p.vf1, &p.pf_mac, &p.vf0_mac);	/* VF -> PF */
	flow(p.vf0, p.pf, p.vf1, &unknown, &p.vf0_mac);	/* unknown unicast: the uplink */
	flow(p.pf, p.vf1, p.vf0, &p.vf1_mac, &p.pf_mac);	/* PF -> VF */
	flow(p.vf0, p.vf1, p.pf, &p.vf1_mac, &p.vf0_mac);	/* VF -> VF by MAC */
	flow(p.vf1, p.vf0, p.pf, &p.vf0_mac, &p.vf1_mac);
	CHECK_EQ(rte_eth_stats_get(p.vf0, &st), 0);
	CHECK_EQ(st.opackets, 3 * RTE_DIM(sizes));
	CHECK_EQ(st.ipackets, RTE_DIM(sizes));
	CHECK_EQ(rte_eth_stats_get(p.pf, &st), 0);
	CHECK_EQ(st.ipackets, 2 * RTE_DIM(sizes));
	CHECK_EQ(st.opackets, RTE_DIM(sizes));
	/* Unknown unicast from the PF goes nowhere, and is counted. */
	struct rte_mbuf *m = frame(&unknown, &p.pf_mac, 64, 1);

	CHECK_EQ(send_one(p.pf, m), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_unknown_dst", 1), 1);
	CHECK_EQ(drain(p.vf0) + drain(p.vf1), 0);
	/* A frame to the sender itself is not sent back. */
	m = frame(&p.vf0_mac, &p.vf0_mac, 64, 2);
	CHECK_EQ(send_one(p.vf0, m), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_hairpin", 1), 1);
	CHECK_EQ(drain(p.vf0) + drain(p.pf) + drain(p.vf1), 0);
	three_down();
}

static void
test_broadcast(void)
{
	struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_ether_addr mcast = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
	struct rte_mbuf *got[4];
	uint32_t seed;
	struct ports p;

	REQUIRE(three_ports(&p, devname("bc")) == 0);
	CHECK_EQ(send_one(p.vf0, frame(&bcast, &p.vf0_mac, 300, 7)), 0);
	CHECK_EQ(recv_n(p.pf, got, 1), 1);
	CHECK_EQ(recv_n(p.vf1, got + 1, 1), 1);
	CHECK_EQ(check_frame(got[0], &bcast, 300, &seed), 0);
	CHECK_EQ(check_frame(got[1], &bcast, 300, &seed), 0);
	rte_pktmbuf_free_bulk(got, 2);
	CHECK_EQ(drain(p.vf0), 0);	/* not back to the sender */
	/* Multicast from the PF reaches every VF. */
	CHECK_EQ(send_one(p.pf, frame(&mcast, &p.pf_mac, 9000, 8)), 0);
	CHECK_EQ(recv_n(p.vf0, got, 1), 1);
	CHECK_EQ(recv_n(p.vf1, got + 1, 1), 1);
	CHECK_EQ(check_frame(got[0], &mcast, 9000, &seed), 0);
	CHECK_EQ(check_frame(got[1], &mcast, 9000, &seed), 0);
	rte_pktmbuf_free_bulk(got, 2);
	CHECK_EQ(drain(p.pf), 0);
	CHECK(xstat(p.pf, "switch_flooded") == 2);
	three_down();
}

/* Nobody reads VF 1: its Rx ring fills, the rest is dropped and counted. */
static void
test_ring_full(void)
{
	struct rte_eth_stats st;
	unsigned int sent = 0, got;
	struct ports p;

	REQUIRE(three_ports(&p, devname("rf")) == 0);
	for (unsigned int i = 0; i < 1000; i++) {
		struct rte_mbuf *m = frame(&p.vf1_mac, &p.vf0_mac, 64, i);

		if (m != NULL && send_one(p.vf0, m) == 0)
			sent++;
		if (i % 100 == 0)
			rte_delay_us_sleep(2000);	/* let the switch keep up with us */
	}
	CHECK_EQ(xstat_wait(p.pf, "vf0_dp_tx_packets", sent), sent);	/* the switch took them all */
	got = drain(p.vf1);
	CHECK_EQ(sent, 1000);
	CHECK_EQ(got, 256);	/* one 64-byte frame per buffer, 256 buffers */
	CHECK_EQ(xstat(p.pf, "switch_drop_rx_ring_full"), sent - got);
	CHECK_EQ(xstat(p.pf, "vf1_dp_rx_full"), sent - got);
	CHECK_EQ(rte_eth_stats_get(p.vf1, &st), 0);
	CHECK_EQ(st.ipackets, got);
	three_down();
}

static uint16_t app_poll_port;
static bool app_poll_run;

/* The poller of a poller=app PF, while app_poll_run. */
static void *
app_poll(void *arg)
{
	RTE_SET_USED(arg);
	while (__atomic_load_n(&app_poll_run, __ATOMIC_ACQUIRE))
		rte_pmd_bcnic_pf_poll(app_poll_port);
	return NULL;
}

/*
 * nb_desc is the queue's depth on the window's ring: VF 1's Rx queue of
 * 100 descriptors holds 100 one-buffer frames (not the ring's 256), the
 * rest is dropped and counted in its imissed; VF 0's Tx queue of 64
 * descriptors takes 64 buffers while the switch does not run.
 */
static void
test_depth(void)
{
	struct rte_eth_stats st;
	unsigned int sent = 0, got;
	struct ports p;

	REQUIRE(three_ports(&p, devname("dq")) == 0);
	CHECK_EQ(rte_eth_dev_stop(p.vf1), 0);
	CHECK_EQ(rte_eth_rx_queue_setup(p.vf1, 0, 100, SOCKET_ID_ANY, NULL, mp), 0);
	CHECK_EQ(rte_eth_dev_start(p.vf1), 0);
	rte_delay_us_sleep(10000);	/* the switch reads the depth within a sweep cycle */
	CHECK_EQ(rte_eth_stats_reset(p.vf1), 0);
	for (unsigned int i = 0; i < 500; i++) {
		struct rte_mbuf *m = frame(&p.vf1_mac, &p.vf0_mac, 64, i);

		if (m != NULL && send_one(p.vf0, m) == 0)
			sent++;
		if (i % 50 == 0)
			rte_delay_us_sleep(2000);
	}
	CHECK_EQ(xstat_wait(p.pf, "vf0_dp_tx_packets", sent), sent);
	got = drain(p.vf1);
	CHECK_EQ(sent, 500);
	CHECK_EQ(got, 100);
	CHECK_EQ(rte_eth_stats_get(p.vf1, &st), 0);
	CHECK_EQ(st.ipackets, got);
	CHECK_EQ(st.imissed, sent - got);	/* where DPDK users look */
	CHECK_EQ(xstat(p.pf, "vf1_dp_rx_full"), sent - got);
	CHECK_EQ(rte_eth_stats_reset(p.vf1), 0);
	CHECK_EQ(rte_eth_stats_get(p.vf1, &st), 0);
	CHECK_EQ(st.imissed, 0);
	three_down();

	/*
	 * Tx: the PF's poller in the application's hands (poller=app), run by a
	 * thread of ours except while VF 0 sends: then nothing drains its ring.
	 */
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	unsigned int n = 0;
	pthread_t th;
	char a[160];
	uint16_t vf;
	int pf;

	snprintf(a, sizeof(a), "dev=%s,vfs=1,poller=app", devname("dt"));
	pf = up("net_bcnic_pf_dt", a);
	REQUIRE(pf >= 0);
	app_poll_port = pf;
	__atomic_store_n(&app_poll_run, true, __ATOMIC_RELEASE);
	REQUIRE(pthread_create(&th, NULL, app_poll, NULL) == 0);
	snprintf(a, sizeof(a), "net_bcnic_vf_dt,dev=%s,vf=0", devname("dt"));
	REQUIRE(rte_dev_probe(a) == 0);
	REQUIRE(rte_eth_dev_get_port_by_name("net_bcnic_vf_dt", &vf) == 0);
	memset(&conf, 0, sizeof(conf));
	CHECK_EQ(rte_eth_dev_configure(vf, 1, 1, &conf), 0);
	CHECK_EQ(rte_eth_rx_queue_setup(vf, 0, 256, SOCKET_ID_ANY, NULL, mp), 0);
	CHECK_EQ(rte_eth_tx_queue_setup(vf, 0, 64, SOCKET_ID_ANY, NULL), 0);
	CHECK_EQ(rte_eth_dev_start(vf), 0);
	rte_eth_macaddr_get(vf, &mac);
	__atomic_store_n(&app_poll_run, false, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	for (unsigned int i = 0; i < 300; i++) {
		struct rte_mbuf *m = frame(&p.pf_mac, &mac, 64, i);

		if (m == NULL)
			break;
		if (rte_eth_tx_burst(vf, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			break;
		}
		n++;
	}
	CHECK_EQ(n, 64);	/* 64 descriptors, not the ring's 256 */
	__atomic_store_n(&app_poll_run, true, __ATOMIC_RELEASE);
	REQUIRE(pthread_create(&th, NULL, app_poll, NULL) == 0);
	down("net_bcnic_vf_dt");
	__atomic_store_n(&app_poll_run, false, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	down("net_bcnic_pf_dt");
}

/*
 * MTU, one truth: a VF at MTU 1500 does not receive a 3000-byte frame
 * (dropped at the receiver, in its imissed), at 9000 it does; the PF
 * port's MTU is settable and enforced the same way; a frame longer than
 * anything carries is the sender's Tx error.
 */
static void
test_mtu(void)
{
	struct rte_eth_stats st;
	struct rte_mbuf *got[1];
	uint32_t seed;
	struct ports p;
	uint16_t mtu = 0;

	REQUIRE(three_ports(&p, devname("mt")) == 0);
	CHECK_EQ(rte_eth_dev_set_mtu(p.vf1, 1500), 0);
	CHECK_EQ(rte_eth_dev_set_mtu(p.vf1, 9216), -EINVAL);	/* over max_mtu */
	CHECK_EQ(rte_eth_stats_reset(p.vf1), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 3000, 1)), 0);
	CHECK_EQ(xstat_wait(p.pf, "vf1_dp_rx_oversize", 1), 1);
	CHECK_EQ(xstat(p.pf, "switch_drop_oversize"), 1);
	CHECK_EQ(drain(p.vf1), 0);
	CHECK_EQ(rte_eth_stats_get(p.vf1, &st), 0);
	CHECK_EQ(st.imissed, 1);
	CHECK_EQ(rte_eth_stats_get(p.vf0, &st), 0);
	CHECK_EQ(st.oerrors, 0);	/* not the sender's fault */
	/* 1500 + header + VLAN tag passes. */
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 1518, 2)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	rte_pktmbuf_free(got[0]);
	CHECK_EQ(rte_eth_dev_set_mtu(p.vf1, 9000), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 3000, 3)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	CHECK_EQ(check_frame(got[0], &p.vf1_mac, 3000, &seed), 0);
	rte_pktmbuf_free(got[0]);
	/* The PF application sets the VF's MTU block: the switch follows. */
	uint32_t m1500 = 1500;

	CHECK_EQ(rte_pmd_bcnic_pf_block_set(p.pf, RTE_PMD_BCNIC_BLOCK_MTU, 1, 0, &m1500, 4), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 3000, 4)), 0);
	CHECK_EQ(xstat_wait(p.pf, "vf1_dp_rx_oversize", 2), 2);
	for (int i = 0; i < 2000 && rte_eth_dev_get_mtu(p.vf1, &mtu) == 0 && mtu != 1500; i++)
		rte_delay_us_sleep(1000);	/* the VF port learns it from the INVALIDATE */
	CHECK_EQ(mtu, 1500);
	/* The PF port's MTU. */
	CHECK_EQ(rte_eth_dev_set_mtu(p.pf, 1500), 0);
	CHECK_EQ(rte_eth_dev_get_mtu(p.pf, &mtu), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(rte_eth_stats_reset(p.pf), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.pf_mac, &p.vf0_mac, 3000, 5)), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_oversize", 3), 3);
	CHECK_EQ(drain(p.pf), 0);
	CHECK_EQ(rte_eth_stats_get(p.pf, &st), 0);
	CHECK_EQ(st.imissed, 1);
	/* Longer than the data path carries: the sender's error, on either port. */
	CHECK_EQ(rte_eth_stats_reset(p.vf0), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.pf_mac, &p.vf0_mac, 9300, 6)), 0);
	CHECK_EQ(rte_eth_stats_get(p.vf0, &st), 0);
	CHECK_EQ(st.oerrors, 1);
	CHECK_EQ(send_one(p.pf, frame(&p.vf0_mac, &p.pf_mac, 9300, 7)), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_oversize", 4), 4);
	CHECK_EQ(rte_eth_stats_get(p.pf, &st), 0);
	CHECK_EQ(st.oerrors, 1);
	/* A frame a VF sends back to itself is its loss (hairpin): its oerrors. */
	CHECK_EQ(send_one(p.vf0, frame(&p.vf0_mac, &p.vf0_mac, 64, 8)), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_hairpin", 1), 1);
	CHECK_EQ(rte_eth_stats_get(p.vf0, &st), 0);
	CHECK_EQ(st.oerrors, 2);
	three_down();
}

/* A VF's MAC change through the backchannel moves its traffic at once. */
static void
test_mac_change(void)
{
	struct rte_ether_addr newmac = { { 0x02, 0x00, 0x00, 0x00, 0x77, 0x01 } };
	struct rte_ether_addr old;
	struct rte_mbuf *got[1];
	uint32_t seed;
	struct ports p;

	REQUIRE(three_ports(&p, devname("mc")) == 0);
	old = p.vf1_mac;
	/* The switch has learnt where VF 1's MAC is (its table is built at the first frame). */
	CHECK_EQ(send_one(p.vf0, frame(&old, &p.vf0_mac, 100, 0)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	rte_pktmbuf_free(got[0]);
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(p.vf1, &newmac), 0);
	CHECK_EQ(send_one(p.vf0, frame(&newmac, &p.vf0_mac, 100, 1)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	CHECK_EQ(check_frame(got[0], &newmac, 100, &seed), 0);
	rte_pktmbuf_free(got[0]);
	/* The old MAC is nobody's now: unknown unicast, to the uplink. */
	CHECK_EQ(send_one(p.vf0, frame(&old, &p.vf0_mac, 100, 2)), 0);
	CHECK_EQ(recv_n(p.pf, got, 1), 1);
	rte_pktmbuf_free(got[0]);
	CHECK_EQ(drain(p.vf1), 0);
	/* The PF application changes it back: same effect. */
	uint8_t block[8] = { 0 };

	memcpy(block, old.addr_bytes, 6);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(p.pf, RTE_PMD_BCNIC_BLOCK_MAC, 1, 0, block, 8), 0);
	CHECK_EQ(send_one(p.vf0, frame(&old, &p.vf0_mac, 100, 3)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	rte_pktmbuf_free(got[0]);
	three_down();
}

/* With the PF's link down nothing is delivered to VFs. */
static void
test_link_down(void)
{
	struct rte_mbuf *got[1];
	struct ports p;

	REQUIRE(three_ports(&p, devname("ld")) == 0);
	CHECK_EQ(rte_eth_dev_set_link_down(p.pf), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 64, 1)), 0);
	CHECK_EQ(send_one(p.pf, frame(&p.vf1_mac, &p.pf_mac, 64, 2)), 0);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_link_down", 2), 2);
	CHECK_EQ(drain(p.vf1), 0);
	CHECK_EQ(rte_eth_dev_set_link_up(p.pf), 0);
	CHECK_EQ(send_one(p.vf0, frame(&p.vf1_mac, &p.vf0_mac, 64, 3)), 0);
	CHECK_EQ(recv_n(p.vf1, got, 1), 1);
	rte_pktmbuf_free(got[0]);
	three_down();
}

static void
test_queue_limits(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct ports p;
	char a[128];
	uint16_t port;

	REQUIRE(three_ports(&p, devname("ql")) == 0);
	CHECK_EQ(rte_eth_dev_info_get(p.vf0, &info), 0);
	CHECK_EQ(info.max_rx_queues, 1);
	CHECK_EQ(info.rx_desc_lim.nb_max, 4096);
	CHECK_EQ(info.rx_desc_lim.nb_min, 64);
	CHECK_EQ(info.tx_desc_lim.nb_max, 4096);
	CHECK_EQ(info.default_rxportconf.ring_size, 256);	/* the window's ring */
	CHECK_EQ(info.max_rx_pktlen, 9216);
	CHECK_EQ(info.max_mtu, 9216 - 18);
	CHECK_EQ(rte_eth_dev_stop(p.vf0), 0);
	memset(&conf, 0, sizeof(conf));
	CHECK(rte_eth_dev_configure(p.vf0, 2, 2, &conf) != 0);	/* one queue pair only */
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), 0);
	CHECK(rte_eth_rx_queue_setup(p.vf0, 0, 32, SOCKET_ID_ANY, NULL, mp) != 0);
	CHECK(rte_eth_rx_queue_setup(p.vf0, 0, 8192, SOCKET_ID_ANY, NULL, mp) != 0);
	/* Deeper than the window's 256 buffers: accepted, the queue holds 256 and says so. */
	struct rte_eth_rxq_info rqi;
	struct rte_eth_txq_info tqi;

	CHECK_EQ(rte_eth_rx_queue_setup(p.vf0, 0, 512, SOCKET_ID_ANY, NULL, mp), 0);
	CHECK_EQ(rte_eth_rx_queue_info_get(p.vf0, 0, &rqi), 0);
	CHECK_EQ(rqi.nb_desc, 256);
	CHECK_EQ(rte_eth_tx_queue_setup(p.vf0, 0, 100, SOCKET_ID_ANY, NULL), 0);
	CHECK_EQ(rte_eth_tx_queue_info_get(p.vf0, 0, &tqi), 0);
	CHECK_EQ(tqi.nb_desc, 100);
	/* What the port cannot honour is refused at configure or setup. */
	struct rte_eth_rxconf rxc = { .rx_deferred_start = 1 };

	CHECK_EQ(rte_eth_rx_queue_setup(p.vf0, 0, 128, SOCKET_ID_ANY, &rxc, mp), -ENOTSUP);
	conf.lpbk_mode = 1;
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), -ENOTSUP);
	CHECK_EQ(rte_eth_dev_stop(p.pf), 0);
	CHECK_EQ(rte_eth_dev_configure(p.pf, 1, 1, &conf), -ENOTSUP);
	conf.lpbk_mode = 0;
	conf.intr_conf.rxq = 1;
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), -ENOTSUP);
	conf.intr_conf.rxq = 0;
	conf.link_speeds = RTE_ETH_LINK_SPEED_FIXED | RTE_ETH_LINK_SPEED_10G;
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), -ENOTSUP);
	conf.link_speeds = RTE_ETH_LINK_SPEED_FIXED | RTE_ETH_LINK_SPEED_100G;
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), 0);
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_VMDQ_ONLY;
	CHECK_EQ(rte_eth_dev_configure(p.vf0, 1, 1, &conf), -ENOTSUP);
	three_down();
	/* No data path: stand-in queues, and the devarg validated. */
	snprintf(a, sizeof(a), "net_bcnic_pf_nodp,dev=%s,data_ring_size=0", devname("nd"));
	REQUIRE(rte_dev_probe(a) == 0);
	REQUIRE(rte_eth_dev_get_port_by_name("net_bcnic_pf_nodp", &port) == 0);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_EQ(info.max_rx_queues, 4);
	/* A VF without a data path: stand-in queues, of the size asked. */
	snprintf(a, sizeof(a), "net_bcnic_vf_nodp,dev=%s,vf=0", devname("nd"));
	REQUIRE(rte_dev_probe(a) == 0);
	REQUIRE(rte_eth_dev_get_port_by_name("net_bcnic_vf_nodp", &port) == 0);
	memset(&conf, 0, sizeof(conf));
	CHECK_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	CHECK_EQ(rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp), 0);
	CHECK_EQ(rte_eth_rx_queue_info_get(port, 0, &rqi), 0);
	CHECK_EQ(rqi.nb_desc, 512);
	down("net_bcnic_vf_nodp");
	down("net_bcnic_pf_nodp");
	snprintf(a, sizeof(a), "net_bcnic_pf_nodp,dev=%s,data_ring_size=100", devname("nd"));
	CHECK(rte_dev_probe(a) != 0);
}

/* The VF port reconnected more than `before` times and shows its link up again (within 5 s). */
static int
wait_reconnect(int vf, uint64_t before)
{
	for (int i = 0; i < 5000; i++) {
		uint64_t n = xstat(vf, "mbox_reconnects");
		struct rte_eth_link l;

		if (n != UINT64_MAX && n > before && rte_eth_link_get_nowait(vf, &l) == 0 &&
		    l.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_us_sleep(1000);
	}
	return -1;
}

/* One frame src -> dst, checked; 0 when it arrived whole (fails fast when Tx is dead). */
static int
one_frame(int src, int dst, const struct rte_ether_addr *to, const struct rte_ether_addr *from,
	  uint32_t seed)
{
	struct rte_mbuf *m = frame(to, from, 1500, seed), *got = NULL;
	uint32_t s = 0;
	int rc;

	if (m == NULL || send_one(src, m) != 0)
		return -1;
	if (recv_n(dst, &got, 1) != 1)
		return -2;
	rc = check_frame(got, to, 1500, &s);
	rte_pktmbuf_free(got);
	return rc == 0 && s == seed ? 0 : -3;
}

/* Frames of every size in every direction VF 0 takes part in, and VF 1 beside it. */
static void
all_flows(struct ports *p, const char *when)
{
	printf("reconnect: frames after %s\n", when);
	/* A dead data path fails here in seconds, not in a minute of full-ring waits. */
	REQUIRE(one_frame(p->vf0, p->pf, &p->pf_mac, &p->vf0_mac, 7) == 0);
	REQUIRE(one_frame(p->pf, p->vf0, &p->vf0_mac, &p->pf_mac, 8) == 0);
	flow(p->vf0, p->pf, p->vf1, &p->pf_mac, &p->vf0_mac);
	flow(p->pf, p->vf0, p->vf1, &p->vf0_mac, &p->pf_mac);
	flow(p->vf0, p->vf1, p->pf, &p->vf1_mac, &p->vf0_mac);
	flow(p->vf1, p->vf0, p->pf, &p->vf0_mac, &p->vf1_mac);
}

/* Map VF 0's window of dev as anyone with access to the object could; NULL on failure. */
static void *
map_window(const char *dev, int *fd, size_t *size)
{
	char path[128];
	struct stat st;
	void *base;

	bcmbox_shm_name(path, sizeof(path), dev, 0);
	*fd = shm_open(path, O_RDWR, 0);
	if (*fd < 0 || fstat(*fd, &st) != 0)
		return NULL;
	*size = (size_t)st.st_size;
	base = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	return base == MAP_FAILED ? NULL : base;
}

/*
 * Every way a VF loses its PF and gets it back: the PF restarts, its
 * window is reset under it, its window is truncated and restored. After
 * each, the VF reconnects by itself and its data path carries frames again,
 * both ways, byte for byte.
 */
static void
test_reconnect(void)
{
	const char *dev = devname("rc");
	struct bcmbox_window w;
	uint64_t before0, before1;
	struct ports p;
	char a[128];
	size_t size;
	void *base;
	int fd;

	REQUIRE(three_ports(&p, dev) == 0);
	all_flows(&p, "the first attach");

	/* 1. The PF goes away (the objects with it) and a new one serves the same device. */
	before0 = xstat(p.vf0, "mbox_reconnects");
	before1 = xstat(p.vf1, "mbox_reconnects");
	down("net_bcnic_pf_dp");
	snprintf(a, sizeof(a), "dev=%s,vfs=2", dev);
	p.pf = up("net_bcnic_pf_dp", a);
	REQUIRE(p.pf >= 0);
	rte_eth_macaddr_get(p.pf, &p.pf_mac);
	REQUIRE(wait_reconnect(p.vf0, before0) == 0);
	REQUIRE(wait_reconnect(p.vf1, before1) == 0);
	all_flows(&p, "a PF restart");

	/* 2. Somebody resets VF 0's window: the PF drops the session and clears the rings. */
	before0 = xstat(p.vf0, "mbox_reconnects");
	base = map_window(dev, &fd, &size);
	REQUIRE(base != NULL);
	REQUIRE(bcmbox_window_map(&w, base, size) == 0);
	__atomic_fetch_add(&w.vf_ctrl->reset_req, 1, __ATOMIC_RELEASE);
	munmap(base, size);
	REQUIRE(wait_reconnect(p.vf0, before0) == 0);
	all_flows(&p, "a window reset");

	/* 3. Somebody truncates VF 0's window: the PF restores it, the VF maps it again. */
	before0 = xstat(p.vf0, "mbox_reconnects");
	CHECK_EQ(ftruncate(fd, 100), 0);
	close(fd);
	REQUIRE(wait_reconnect(p.vf0, before0) == 0);
	all_flows(&p, "a window truncation and restore");
	CHECK_EQ(xstat(p.pf, "mbox_windows_restored"), 1);
	three_down();
}

/* Send one 64-byte frame dst <- src from port src_port (seed: its tag). */
static void
send64(int src_port, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
       uint32_t seed)
{
	struct rte_mbuf *m = frame(dst, src, 64, seed);

	REQUIRE(m != NULL);
	CHECK_EQ(send_one(src_port, m), 0);
}

#define MARKER_SEED 0x4d41524bu

static const struct rte_ether_addr *
mac_of(const struct ports *p, int port)
{
	return port == p->pf ? &p->pf_mac : port == p->vf0 ? &p->vf0_mac : &p->vf1_mac;
}

/*
 * Frames to dst that port received from src: src then sends a marker to port's own MAC;
 * the switch takes a source's frames in order and a receiver's ring keeps it, so once
 * the marker is there, everything src sent before is there or never comes. Anything
 * but frames to dst and the marker fails the check.
 */
static unsigned int
got(const struct ports *p, int port, int src, const struct rte_ether_addr *dst)
{
	uint64_t end = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();
	unsigned int n = 0;
	bool marker = false;

	send64(src, mac_of(p, port), mac_of(p, src), MARKER_SEED);
	while (!marker && rte_get_tsc_cycles() < end) {
		struct rte_mbuf *m[32];
		unsigned int k = rte_eth_rx_burst(port, 0, m, 32);

		for (unsigned int i = 0; i < k; i++) {
			uint32_t seed;

			if (check_frame(m[i], mac_of(p, port), 64, &seed) == 0 &&
			    seed == MARKER_SEED && !marker) {
				marker = true;
			} else {
				CHECK_EQ(check_frame(m[i], dst, 64, &seed), 0);
				n++;
			}
			rte_pktmbuf_free(m[i]);
		}
	}
	CHECK(marker);
	return n;
}

static uint32_t rxmode_invalidations;

static void
on_rxmode(uint16_t port, uint32_t block_id, uint32_t version, void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(version);
	RTE_SET_USED(arg);
	if (block_id == RTE_PMD_BCNIC_BLOCK_RXMODE)
		__atomic_fetch_add(&rxmode_invalidations, 1, __ATOMIC_RELEASE);
}

/*
 * Rx modes: the PF port's promiscuous and all-multicast decide what it takes
 * from the VFs; VF 1 is trusted (devarg), VF 0 is not.
 */
static void
test_rx_modes(void)
{
	struct rte_ether_addr unknown = { { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x02 } };
	struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_ether_addr mcast = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x07 } };
	uint64_t end;
	struct ports p;

	REQUIRE(three_ports_args(&p, devname("rm"), "trust=[1]") == 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(p.pf, 0), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_get(p.pf, 1), 1);
	/* The PF port starts promiscuous (as before Rx modes): it takes a foreign MAC. */
	CHECK_EQ(rte_eth_promiscuous_get(p.pf), 1);
	send64(p.vf0, &unknown, &p.vf0_mac, 1);
	CHECK_EQ(got(&p, p.pf, p.vf0, &unknown), 1);
	/* Off: only its MAC, broadcast and (all-multicast on) multicast. */
	CHECK_EQ(rte_eth_promiscuous_disable(p.pf), 0);
	send64(p.vf0, &unknown, &p.vf0_mac, 2);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_rx_mode", 1), 1);
	CHECK_EQ(got(&p, p.pf, p.vf0, &unknown), 0);
	send64(p.vf0, &p.pf_mac, &p.vf0_mac, 3);
	CHECK_EQ(got(&p, p.pf, p.vf0, &p.pf_mac), 1);
	send64(p.vf0, &mcast, &p.vf0_mac, 4);
	CHECK_EQ(got(&p, p.pf, p.vf0, &mcast), 1);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &mcast), 1);
	CHECK_EQ(rte_eth_allmulticast_disable(p.pf), 0);
	send64(p.vf0, &mcast, &p.vf0_mac, 5);
	CHECK_EQ(got(&p, p.pf, p.vf0, &mcast), 0);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &mcast), 1);
	send64(p.vf0, &bcast, &p.vf0_mac, 6);
	CHECK_EQ(got(&p, p.pf, p.vf0, &bcast), 1);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &bcast), 1);
	CHECK_EQ(rte_eth_allmulticast_enable(p.pf), 0);

	/* An untrusted VF is refused promiscuous by the PF's policy. */
	CHECK_EQ(rte_eth_promiscuous_get(p.vf0), 0);
	CHECK_EQ(rte_eth_promiscuous_enable(p.vf0), -EACCES);
	CHECK_EQ(rte_eth_promiscuous_get(p.vf0), 0);
	/* The trusted one gets unknown unicast from either side, never another function's. */
	CHECK_EQ(rte_eth_promiscuous_enable(p.vf1), 0);
	CHECK_EQ(rte_eth_promiscuous_get(p.vf1), 1);
	send64(p.vf0, &unknown, &p.vf0_mac, 7);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &unknown), 1);
	CHECK_EQ(got(&p, p.pf, p.vf0, &unknown), 0);	/* the PF port is still not promiscuous */
	send64(p.pf, &unknown, &p.pf_mac, 8);
	CHECK_EQ(got(&p, p.vf1, p.pf, &unknown), 1);
	send64(p.pf, &p.vf0_mac, &p.pf_mac, 9);
	CHECK_EQ(got(&p, p.vf0, p.pf, &p.vf0_mac), 1);
	CHECK_EQ(got(&p, p.vf1, p.pf, &p.vf0_mac), 0);
	/* Both promiscuous: both take it. */
	CHECK_EQ(rte_eth_promiscuous_enable(p.pf), 0);
	send64(p.vf0, &unknown, &p.vf0_mac, 10);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &unknown), 1);
	CHECK_EQ(got(&p, p.pf, p.vf0, &unknown), 1);
	CHECK_EQ(rte_eth_promiscuous_disable(p.pf), 0);

	/* Trust revoked: promiscuous goes, and the VF port learns it (INVALIDATE). */
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_register(p.vf1, RTE_PMD_BCNIC_BLOCK_RXMODE, on_rxmode,
						      NULL), 0);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_trust_set(p.pf, 1, 0), 0);
	end = rte_get_tsc_cycles() + 2 * rte_get_tsc_hz();
	/* Acquire pairs with on_rxmode()'s release: the port's flags were written before. */
	while (__atomic_load_n(&rxmode_invalidations, __ATOMIC_ACQUIRE) == 0 &&
	       rte_get_tsc_cycles() < end)
		rte_delay_us_sleep(100);
	CHECK_EQ(__atomic_load_n(&rxmode_invalidations, __ATOMIC_ACQUIRE), 1);
	CHECK_EQ(rte_eth_promiscuous_get(p.vf1), 0);
	CHECK_EQ(rte_eth_allmulticast_get(p.vf1), 1);
	send64(p.vf0, &unknown, &p.vf0_mac, 11);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_rx_mode", 2), 2);
	CHECK_EQ(got(&p, p.vf1, p.vf0, &unknown), 0);
	CHECK_EQ(rte_eth_promiscuous_enable(p.vf1), -EACCES);
	CHECK_EQ(rte_pmd_bcnic_vf_invalidate_unregister(p.vf1, RTE_PMD_BCNIC_BLOCK_RXMODE,
							on_rxmode, NULL), 0);

	/* All-multicast off on a VF: broadcast still, other multicast no more. */
	CHECK_EQ(rte_eth_allmulticast_disable(p.vf0), 0);
	send64(p.pf, &mcast, &p.pf_mac, 12);
	CHECK_EQ(got(&p, p.vf1, p.pf, &mcast), 1);
	CHECK_EQ(got(&p, p.vf0, p.pf, &mcast), 0);
	send64(p.pf, &bcast, &p.pf_mac, 13);
	CHECK_EQ(got(&p, p.vf0, p.pf, &bcast), 1);
	CHECK_EQ(got(&p, p.vf1, p.pf, &bcast), 1);
	/* A restart restores ethdev's modes: still off. */
	CHECK_EQ(rte_eth_dev_stop(p.vf0), 0);
	CHECK_EQ(rte_eth_dev_start(p.vf0), 0);
	CHECK_EQ(rte_eth_allmulticast_get(p.vf0), 0);
	send64(p.pf, &mcast, &p.pf_mac, 14);
	CHECK_EQ(got(&p, p.vf1, p.pf, &mcast), 1);
	CHECK_EQ(got(&p, p.vf0, p.pf, &mcast), 0);
	three_down();
}

/* Extra unicast MACs of a VF: received like its own, up to the PF's limit. */
static void
test_mac_filters(void)
{
	struct rte_ether_addr extra[3] = {
		{ { 0x02, 0x00, 0x00, 0x00, 0x88, 0x01 } },
		{ { 0x02, 0x00, 0x00, 0x00, 0x88, 0x02 } },
		{ { 0x02, 0x00, 0x00, 0x00, 0x88, 0x03 } },
	};
	struct rte_eth_dev_info info;
	struct ports p;

	const char *dev = devname("mf");
	uint64_t before;
	char a[128];

	REQUIRE(three_ports_args(&p, dev, "vf_mac_filters=2") == 0);
	CHECK_EQ(rte_eth_dev_info_get(p.vf0, &info), 0);
	CHECK_EQ(info.max_mac_addrs, 3);	/* its own + the PF's limit */
	CHECK_EQ(rte_eth_promiscuous_disable(p.pf), 0);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.vf0, &extra[0], 0), 0);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.vf0, &extra[1], 0), 0);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.vf0, &extra[2], 0), -ENOSPC);
	for (unsigned int i = 0; i < 2; i++) {
		send64(p.pf, &extra[i], &p.pf_mac, 20 + i);
		CHECK_EQ(got(&p, p.vf0, p.pf, &extra[i]), 1);
		send64(p.vf1, &extra[i], &p.vf1_mac, 30 + i);
		CHECK_EQ(got(&p, p.vf0, p.vf1, &extra[i]), 1);
		CHECK_EQ(got(&p, p.pf, p.vf1, &extra[i]), 0);	/* known now: not the uplink's */
	}
	CHECK_EQ(got(&p, p.vf1, p.pf, &extra[0]), 0);
	/* Removed: unknown again (dropped: the PF port is not promiscuous). */
	CHECK_EQ(rte_eth_dev_mac_addr_remove(p.vf0, &extra[0]), 0);
	send64(p.vf1, &extra[0], &p.vf1_mac, 40);
	CHECK_EQ(xstat_wait(p.pf, "switch_drop_rx_mode", 1), 1);
	CHECK_EQ(got(&p, p.vf0, p.vf1, &extra[0]), 0);
	/* Its slot is free again. */
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.vf0, &extra[2], 0), 0);
	send64(p.pf, &extra[2], &p.pf_mac, 41);
	CHECK_EQ(got(&p, p.vf0, p.pf, &extra[2]), 1);
	/* A PF that comes back gets the filters and the Rx mode again from the VF port. */
	CHECK_EQ(rte_eth_allmulticast_disable(p.vf0), 0);
	before = xstat(p.vf0, "mbox_reconnects");
	down("net_bcnic_pf_dp");
	snprintf(a, sizeof(a), "dev=%s,vfs=2,vf_mac_filters=2", dev);
	p.pf = up("net_bcnic_pf_dp", a);
	REQUIRE(p.pf >= 0);
	REQUIRE(wait_reconnect(p.vf0, before) == 0);
	CHECK_EQ(rte_eth_promiscuous_disable(p.pf), 0);
	send64(p.pf, &extra[2], &p.pf_mac, 43);
	CHECK_EQ(got(&p, p.vf0, p.pf, &extra[2]), 1);
	send64(p.pf, &extra[1], &p.pf_mac, 44);
	CHECK_EQ(got(&p, p.vf0, p.pf, &extra[1]), 1);
	send64(p.pf, &extra[0], &p.pf_mac, 45);
	CHECK_EQ(got(&p, p.vf0, p.pf, &extra[0]), 0);
	uint32_t mode = 0xff;

	CHECK_EQ(rte_pmd_bcnic_pf_block_get(p.pf, RTE_PMD_BCNIC_BLOCK_RXMODE, 0, 0, &mode, 4, NULL), 0);
	CHECK_EQ(mode, 0);	/* all-multicast off, as the port was */
	/* The primary MAC still works, and a filter cannot take another VF's MAC. */
	send64(p.pf, &p.vf0_mac, &p.pf_mac, 42);
	CHECK_EQ(got(&p, p.vf0, p.pf, &p.vf0_mac), 1);
	CHECK_EQ(rte_eth_dev_mac_addr_add(p.vf0, &p.vf1_mac, 0), -ENOSPC);	/* full */
	three_down();
}

static const struct check_case cases[] = {
	{ "flows", test_flows },
	{ "broadcast", test_broadcast },
	{ "ring_full", test_ring_full },
	{ "mac_change", test_mac_change },
	{ "link_down", test_link_down },
	{ "queue_limits", test_queue_limits },
	{ "depth", test_depth },
	{ "mtu", test_mtu },
	{ "reconnect", test_reconnect },
	{ "rx_modes", test_rx_modes },
	{ "mac_filters", test_mac_filters },
	{ NULL, NULL },
};

/* VF vf's MAC on the device of a port whose MAC is base (function vf + 1, see bcnic_default_mac()). */
static void
vf_mac(struct rte_ether_addr *mac, const struct rte_ether_addr *base, unsigned int vf)
{
	*mac = *base;
	mac->addr_bytes[4] = (uint8_t)((vf + 1) >> 8);
	mac->addr_bytes[5] = (uint8_t)(vf + 1);
}

/*
 * Take and check frames until stdin closes (then 200 ms more): frames from
 * VF 0's MAC are checked byte for byte and counted; the rest are foreign
 * (a hostile VF's), counted apart.
 */
static void
sink(int port, const struct rte_ether_addr *from, unsigned long *got, unsigned long *bad,
     unsigned long *foreign)
{
	struct rte_mbuf *m[32];
	uint64_t quiet_until = 0, loops = 0;
	bool closing = false;

	for (;;) {
		unsigned int k = rte_eth_rx_burst(port, 0, m, 32);

		for (unsigned int i = 0; i < k; i++) {
			uint32_t seed, len = rte_pktmbuf_pkt_len(m[i]);
			struct rte_ether_addr dst;

			if (len < 12 || memcmp(rte_pktmbuf_mtod_offset(m[i], void *, 6), from, 6) != 0) {
				(*foreign)++;
			} else {
				memcpy(&dst, rte_pktmbuf_mtod(m[i], void *), 6);
				*bad += check_frame(m[i], &dst, len, &seed) != 0 ||
					len != sizes[seed % RTE_DIM(sizes)];
				(*got)++;
			}
			rte_pktmbuf_free(m[i]);
		}
		if (!closing && (++loops & 0x3ff) == 0) {
			struct pollfd p = { .fd = 0, .events = POLLIN };
			char buf[16];

			if (poll(&p, 1, 0) > 0 && read(0, buf, sizeof(buf)) <= 0) {
				closing = true;	/* the sender is done: take what is left */
				quiet_until = rte_get_tsc_cycles() + rte_get_tsc_hz() / 5;
			}
		}
		if (closing && rte_get_tsc_cycles() > quiet_until)
			break;
	}
}

/* mp helper: a PF with vfs VFs receiving and checking VF 0's frames until stdin closes. */
static int
pf_sink(const char *dev, const char *vfs)
{
	struct rte_ether_addr mac, from;
	unsigned long got = 0, bad = 0, foreign = 0;
	char a[128];
	int pf;

	snprintf(a, sizeof(a), "dev=%s,vfs=%s", dev, vfs);
	pf = up("net_bcnic_pf_sink", a);
	if (pf < 0)
		return 1;
	rte_eth_macaddr_get(pf, &mac);
	vf_mac(&from, &mac, 0);
	printf("ready\n");
	fflush(stdout);
	sink(pf, &from, &got, &bad, &foreign);
	printf("received %lu frames, %lu wrong, %" PRIu64 " dropped on a full Rx ring, %lu foreign, "
	       "%" PRIu64 " malformed, %" PRIu64 " bad_cons\n", got, bad,
	       xstat(pf, "switch_drop_rx_ring_full"), foreign, xstat(pf, "switch_drop_malformed"),
	       xstat(pf, "mbox_bad_consumer_pos"));
	/* What the switch took from and gave to each VF. */
	struct rte_eth_xstat_name names[1024];
	struct rte_eth_xstat xs[1024];
	int n = rte_eth_xstats_get_names(pf, names, RTE_DIM(names));

	if (n > 0 && n <= (int)RTE_DIM(xs) && rte_eth_xstats_get(pf, xs, n) == n) {
		printf("switch");
		for (int i = 0; i < n; i++)
			if (strncmp(names[i].name, "vf", 2) == 0 && strstr(names[i].name, "_dp_"))
				printf(" %s=%" PRIu64, names[i].name, xs[i].value);
		printf("\n");
	}
	down("net_bcnic_pf_sink");
	return bad == 0 ? 0 : 1;
}

/* mp helper: VF vf receiving and checking VF 0's frames until stdin closes. */
static int
vf_recv(const char *dev, const char *vf)
{
	struct rte_ether_addr mac, from;
	unsigned long got = 0, bad = 0, foreign = 0;
	char a[128];
	int port;

	snprintf(a, sizeof(a), "dev=%s,vf=%s", dev, vf);
	port = up("net_bcnic_vf_recv", a);
	if (port < 0)
		return 3;
	rte_eth_macaddr_get(port, &mac);
	vf_mac(&from, &mac, 0);
	printf("ready\n");
	fflush(stdout);
	sink(port, &from, &got, &bad, &foreign);
	printf("received %lu frames, %lu wrong, %lu foreign\n", got, bad, foreign);
	down("net_bcnic_vf_recv");
	return bad == 0 ? 0 : 1;
}

/*
 * mp helper: a VF sending n frames of every size to an unknown unicast MAC
 * (the uplink), or broadcast (the PF and every other VF).
 */
static int
vf_send(const char *dev, const char *vf, unsigned long n, bool bcast)
{
	struct rte_ether_addr dst = { { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 } }, src;
	char a[128];
	int port;

	snprintf(a, sizeof(a), "dev=%s,vf=%s", dev, vf);
	port = up("net_bcnic_vf_send", a);
	if (port < 0)
		return 3;
	if (bcast)
		memset(&dst, 0xff, sizeof(dst));
	rte_eth_macaddr_get(port, &src);
	rte_delay_us_sleep(20000);
	for (unsigned long i = 0; i < n; i++) {
		struct rte_mbuf *m = frame(&dst, &src, sizes[i % RTE_DIM(sizes)], (uint32_t)i);

		if (m == NULL || send_one(port, m) != 0)
			return 1;
	}
	printf("sent %lu frames\n", n);
	rte_delay_us_sleep(100000);
	down("net_bcnic_vf_send");
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = { "test_dp", "--no-huge", "-m", "512", "--no-pci", "--no-telemetry",
			"--no-shconf", "--file-prefix=bcnic-test", "-l", "0",
			"--log-level=pmd.net.bcnic*:notice", NULL };
	int rc;

	pmd_uniq_init('d');
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("dp_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		return 1;
	bool helper = argc >= 2 && (strcmp(argv[1], "pf-sink") == 0 ||
				    strcmp(argv[1], "vf-send") == 0 || strcmp(argv[1], "vf-recv") == 0);

	if (argc >= 3 && strcmp(argv[1], "pf-sink") == 0)
		rc = pf_sink(argv[2], argc >= 4 ? argv[3] : "1");
	else if (argc >= 5 && strcmp(argv[1], "vf-send") == 0)
		rc = vf_send(argv[2], argv[3], strtoul(argv[4], NULL, 0),
			     argc >= 6 && strcmp(argv[5], "bcast") == 0);
	else if (argc >= 4 && strcmp(argv[1], "vf-recv") == 0)
		rc = vf_recv(argv[2], argv[3]);
	else
		rc = check_run(cases, argc, argv);
	if (!helper)
		cleanup_shm();	/* the helpers' devices belong to the test that started them */
	finish();
	return rc;
}
