/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * doc/mailbox.md against the PF, through a raw VF: ring slots written and
 * read by hand (lib/bcmbox rings, no client validation on answers), the
 * way a VF written from the document alone sees the PF. One case per
 * statement of the text that issue 14 found missing or untrue.
 *
 * Usage: test_spec <case>...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "bcmbox_client.h"
#include "check.h"
#include "pmd_util.h"
#include "rte_pmd_bcnic.h"

int check_failures;

#define TIMEOUT_NS	(2ull * 1000000000ull)
#define QUIET_NS	(50ull * 1000000ull)	/* "no answer": nothing for this long */

static struct bcmbox_msg msg;

struct raw_vf {
	struct bcmbox_client c;
	uint8_t *base;
	size_t size;
};

static int
pf_up(const char *tag, const char *dev, const char *extra)
{
	char args[256], name[64];

	snprintf(name, sizeof(name), "net_bcnic_pf_%s", tag);
	snprintf(args, sizeof(args), "%s,dev=%s,poller=thread%s%s", name, dev, extra[0] ? "," : "",
		 extra);
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

/* Map VF n's window; nothing validated, nothing said to the PF. */
static int
raw_map(struct raw_vf *v, const char *dev, unsigned int n)
{
	void *base;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = bcmbox_shm_map(dev, (int)n, &base, &v->size);
	v->base = base;
	return rc;
}

/* Map, validate (asking for a repair when the info line is wrong), reset and HELLO. */
#define RAW_PF_TIMEOUT_NS (30 * 1000000000ull)

static int
raw_open(struct raw_vf *v, const char *dev, unsigned int n)
{
	int rc = raw_map(v, dev, n);

	if (rc != 0)
		return rc;
	rc = bcmbox_client_open(&v->c, v->base, v->size);
	if (rc == -ENODEV || rc == -EINVAL) {
		rc = bcmbox_window_repair(v->base, v->size, TIMEOUT_NS);
		if (rc == 0)
			rc = bcmbox_client_open(&v->c, v->base, v->size);
	}
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
raw_close(struct raw_vf *v)
{
	munmap(v->base, v->size);
}

/*
 * Send h exactly as given (epoch and all; the tag is ours) and take the
 * answer with that tag off the response ring as raw slots, unvalidated.
 * 0 with it in m, -ETIMEDOUT when none came.
 */
static int
raw_call(struct raw_vf *v, struct bcmbox_msg_hdr *h, const void *payload, struct bcmbox_msg *m,
	 uint64_t timeout_ns)
{
	uint64_t end = bcmbox_now_ns() + timeout_ns;
	enum bcmbox_reject why;

	h->tag = bcmbox_client_take_tag(&v->c);
	if (bcmbox_ring_send(&v->c.req, h, payload) < 0)
		return -ENOSPC;
	while (bcmbox_now_ns() < end)
		if (bcmbox_ring_recv(&v->c.resp, m, &why) == 1 && m->hdr.tag == h->tag)
			return 0;
	return -ETIMEDOUT;
}

/* A request of the current session, answered: its status (or -ETIMEDOUT). */
static int
status_of(struct raw_vf *v, struct bcmbox_msg_hdr h, const void *payload)
{
	h.epoch = v->c.epoch;
	if (raw_call(v, &h, payload, &msg, TIMEOUT_NS) != 0)
		return -ETIMEDOUT;
	return msg.hdr.status;
}

/* The next event of the raw event ring within QUIET_NS, unvalidated: 1 or 0. */
static int
raw_event(struct raw_vf *v, struct bcmbox_msg *m)
{
	uint64_t end = bcmbox_now_ns() + QUIET_NS;
	enum bcmbox_reject why;

	while (bcmbox_now_ns() < end)
		if (bcmbox_ring_recv(&v->c.evt, m, &why) == 1)
			return 1;
	return 0;
}

static uint64_t
xstat(int port, const char *name)
{
	uint64_t id, value = 0;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return UINT64_MAX;
	return value;
}

/* Wait (a loaded machine may keep the PF's poller off the CPU) until name >= min. */
static uint64_t
xstat_wait(int port, const char *name, uint64_t min)
{
	uint64_t end = bcmbox_now_ns() + TIMEOUT_NS, x;

	while ((x = xstat(port, name)) < min && bcmbox_now_ns() < end)
		usleep(1000);
	return x;
}

static uint32_t
win_u32(const struct raw_vf *v, uint32_t off)
{
	return __atomic_load_n((const uint32_t *)(v->base + off), __ATOMIC_ACQUIRE);
}

/* 1.2 (items 1, 2): data_offset and vf_index of every window as the text gives them. */
static void
test_layout(void)
{
	const char *dev = devname("lay");
	/* Small rings: the case where a per-VF data_offset refused 50 of 65 windows. */
	int pf = pf_up("lay", dev, "vfs=65,ring_size=128,evt_ring_size=16,data_ring_size=64");
	uint32_t end = 0x1000 + 64 * 64 + 64 * (128 + 128 + 16);

	REQUIRE(pf >= 0);
	for (unsigned int n = 0; n < 65; n++) {
		struct bcmbox_win_info info;
		struct raw_vf v;

		REQUIRE(raw_map(&v, dev, n) == 0);
		memcpy(&info, v.base, sizeof(info));
		CHECK_EQ(info.vf_index, n);
		CHECK_EQ(info.slot_size, 64);
		CHECK_EQ(info.req_offset, 0x1000 + 64 * (n % 64));
		CHECK_EQ(info.data_offset, (end + 4095) & ~4095u);
		CHECK_EQ(info.data_buf_size, 2048);
		CHECK_EQ(info.reserved, 0);
		CHECK(info.window_size >= info.data_offset + 2 * 64 * 2048);
		raw_close(&v);
	}
	/* And a VF that checks just that attaches to the first and the last. */
	struct raw_vf v;

	REQUIRE(raw_open(&v, dev, 0) == 0);
	raw_close(&v);
	REQUIRE(raw_open(&v, dev, 64) == 0);
	raw_close(&v);
	pf_down("lay");
}

/*
 * 1 (item 3): the PF writes into a VF line only during a window reset
 * (resp_cons, evt_cons, the data Rx consumer), never otherwise, and never
 * the VF lines' other bytes.
 */
static void
test_line_owners(void)
{
	const char *dev = devname("own");
	int pf = pf_up("own", dev, "vfs=1");
	struct raw_vf v;
	uint8_t mark[56];
	uint32_t mtu;

	REQUIRE(pf >= 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, &msg,
					    TIMEOUT_NS), 0);
	memset(mark, 0x5a, sizeof(mark));
	memcpy(v.base + BCMBOX_WIN_VF_OFF + 8, mark, sizeof(mark));
	memcpy(v.base + BCMBOX_WIN_VF_CTRL_OFF + 4, mark, sizeof(mark));
	memcpy(v.base + BCMBOX_WIN_RX_CONS_OFF + 4, mark, sizeof(mark) - 4);
	uint32_t resp_cons = win_u32(&v, BCMBOX_WIN_VF_OFF);

	CHECK_EQ(resp_cons, v.c.resp.pos);
	CHECK(resp_cons != 0);
	usleep(20000);	/* a couple of hundred sweeps */
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_VF_OFF), resp_cons);
	CHECK(memcmp(v.base + BCMBOX_WIN_VF_OFF + 8, mark, sizeof(mark)) == 0);
	CHECK(memcmp(v.base + BCMBOX_WIN_VF_CTRL_OFF + 4, mark, sizeof(mark)) == 0);
	/* A reset: the PF zeroes both consumer positions, sets the Rx consumer to rx_prod. */
	__atomic_store_n((uint32_t *)(v.base + BCMBOX_WIN_VF_OFF + 4), 1234, __ATOMIC_RELEASE);
	__atomic_store_n((uint32_t *)(v.base + BCMBOX_WIN_RX_CONS_OFF), 999, __ATOMIC_RELEASE);
	REQUIRE(bcmbox_client_connect(&v.c, TIMEOUT_NS) == 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_VF_OFF + 4), 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_RX_CONS_OFF), win_u32(&v, BCMBOX_WIN_TX_CONS_OFF + 4));
	CHECK(memcmp(v.base + BCMBOX_WIN_VF_OFF + 8, mark, sizeof(mark)) == 0);
	CHECK(memcmp(v.base + BCMBOX_WIN_VF_CTRL_OFF + 4, mark, sizeof(mark)) == 0);
	CHECK(memcmp(v.base + BCMBOX_WIN_RX_CONS_OFF + 4, mark, sizeof(mark) - 4) == 0);
	raw_close(&v);
	pf_down("own");
}

/* 4.3 (item 4): the heartbeat changes about every millisecond, never faster. */
static void
test_heartbeat(void)
{
	const char *dev = devname("hb");
	int pf = pf_up("hb", dev, "vfs=1");
	uint64_t last, t0, now, changes = 0;
	struct raw_vf v;

	REQUIRE(pf >= 0);
	REQUIRE(raw_map(&v, dev, 0) == 0);
	last = __atomic_load_n((uint64_t *)(v.base + BCMBOX_WIN_HEARTBEAT_OFF), __ATOMIC_ACQUIRE);
	t0 = bcmbox_now_ns();
	do {
		uint64_t hb = __atomic_load_n((uint64_t *)(v.base + BCMBOX_WIN_HEARTBEAT_OFF),
					      __ATOMIC_ACQUIRE);

		changes += hb != last;
		last = hb;
		now = bcmbox_now_ns();
	} while (now - t0 < 300000000ull);
	printf("heartbeat: %" PRIu64 " changes in 300 ms\n", changes);
	CHECK(changes >= 5);		/* alive (loaded machines stretch the ms) */
	CHECK(changes <= 300 + 2);	/* at most one beat per millisecond */
	raw_close(&v);
	pf_down("hb");
}

/* 5 (items 5, 6): numbered PROTO reasons; MSGSIZE, RANGE and the order of the checks. */
static void
test_statuses(void)
{
	const char *dev = devname("st");
	int pf = pf_up("st", dev, "vfs=1");
	struct rte_pmd_bcnic_block_def ro = { 0x300, 16, RTE_PMD_BCNIC_SCOPE_PER_VF,
					      RTE_PMD_BCNIC_ACCESS_RO };
	uint8_t four[4] = { 1, 2, 3, 4 };
	struct raw_vf v;

	REQUIRE(pf >= 0);
	REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &ro) == 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
#define H(...) ((struct bcmbox_msg_hdr){ __VA_ARGS__ })
	/* Transfers above max_xfer: MSGSIZE, whatever the block. */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				 .arg = 4097), NULL), BCMBOX_ST_MSGSIZE);
	CHECK_EQ(msg.hdr.length, 0);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = 0x999, .arg = 8192), NULL),
		 BCMBOX_ST_MSGSIZE);
	/* Beyond 64 KiB, READ and WRITE alike: RANGE (beyond every block). */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				 .offset = 65535, .arg = 4), NULL), BCMBOX_ST_RANGE);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_WRITE, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				 .offset = 65534, .length = 4), four), BCMBOX_ST_RANGE);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				 .arg = 0), NULL), BCMBOX_ST_RANGE);
	/* Beyond this block: RANGE. */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
				 .offset = 2, .arg = 4), NULL), BCMBOX_ST_RANGE);
	/* Store checks in order: NOENT, then ACCESS, then RANGE. */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_WRITE, .block_id = 0x999, .offset = 100,
				 .length = 4), four), BCMBOX_ST_NOENT);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_WRITE, .block_id = 0x300, .offset = 100,
				 .length = 4), four), BCMBOX_ST_ACCESS);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = 0x300, .offset = 14,
				 .arg = 4), NULL), BCMBOX_ST_RANGE);
	/* PROTO carries its reason number in arg. */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .status = 3, .block_id = 0x300, .arg = 4),
			   NULL), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 5);	/* status */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = 0x300, .length = 4, .arg = 4),
			   four), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 9);	/* payload */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_LIST, .arg = 1), NULL), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 11);	/* reserved */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_BYE, .block_id = 1), NULL), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 11);
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_WRITE, .block_id = 0x300, .length = 4,
				 .arg = 1), four), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 11);
	/* The session survived all of it. */
	CHECK_EQ(status_of(&v, H(.type = BCMBOX_MSG_READ, .block_id = 0x300, .arg = 16), NULL),
		 BCMBOX_ST_OK);
	CHECK_EQ(msg.hdr.length, 16);
	/* HELLO with proto_min > proto_max: reason 10 (and, a failed HELLO, the session ends). */
	struct bcmbox_hello_req bad = { 2, 1, 0 };
	struct bcmbox_msg_hdr h = H(.type = BCMBOX_MSG_HELLO, .length = sizeof(bad));

	CHECK_EQ(raw_call(&v, &h, &bad, &msg, TIMEOUT_NS), 0);
	CHECK_EQ(msg.hdr.status, BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, 10);
	CHECK_EQ(msg.hdr.epoch, 0);
#undef H
	raw_close(&v);
	pf_down("st");
}

/* 3/5 (item 7): an unknown type is answered as type 0x80, NOTSUP, naming the type. */
static void
test_unknown_type(void)
{
	static const uint8_t types[] = { 0x00, 0x06, 0x3f, 0x41, 0x44, 0x81, 0xc1, 0xff };
	const char *dev = devname("unk");
	int pf = pf_up("unk", dev, "vfs=1");
	struct raw_vf v;

	REQUIRE(pf >= 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	for (unsigned int i = 0; i < RTE_DIM(types); i++) {
		struct bcmbox_msg_hdr h = { .type = types[i], .epoch = v.c.epoch, .block_id = 7,
					    .offset = 9, .status = (uint16_t)(i & 1) };

		CHECK_EQ(raw_call(&v, &h, NULL, &msg, TIMEOUT_NS), 0);
		CHECK_EQ(msg.hdr.type, 0x80);
		CHECK_EQ(msg.hdr.status, BCMBOX_ST_NOTSUP);
		CHECK_EQ(msg.hdr.arg, types[i]);
		CHECK_EQ(msg.hdr.epoch, v.c.epoch);
		CHECK_EQ(msg.hdr.length, 0);
		CHECK_EQ(bcmbox_check_response(&msg, v.c.epoch), BCMBOX_REJ_NONE);
	}
	/* The library client maps it to -ENOTSUP instead of timing out. */
	struct bcmbox_msg_hdr h = { .type = 0x06 };

	CHECK_EQ(bcmbox_client_call(&v.c, &h, NULL, &msg, TIMEOUT_NS), -ENOTSUP);
	CHECK_EQ(v.c.bad_responses, 0);
	raw_close(&v);
	pf_down("unk");
}

static int
hello(struct raw_vf *v, uint32_t epoch, uint16_t lo, uint16_t hi, uint32_t caps)
{
	struct bcmbox_hello_req req = { lo, hi, caps };
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_HELLO, .epoch = epoch, .length = sizeof(req) };

	if (raw_call(v, &h, &req, &msg, TIMEOUT_NS) != 0)
		return -ETIMEDOUT;
	return msg.hdr.status;
}

/* A READ of the MTU in the given epoch: answered (1) or dropped as stale (0). */
static int
answered(struct raw_vf *v, uint32_t epoch)
{
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .epoch = epoch,
				    .block_id = RTE_PMD_BCNIC_BLOCK_MTU, .arg = 4 };

	return raw_call(v, &h, NULL, &msg, QUIET_NS) == 0;
}

/* 3, 4.2 (item 8): HELLO's epoch, capabilities, and what a failed HELLO leaves. */
static void
test_hello(void)
{
	const char *dev = devname("hel");
	int pf = pf_up("hel", dev, "vfs=1");
	struct rte_pmd_bcnic_block_def d = { 0x310, 8, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	struct bcmbox_hello_resp r;
	struct raw_vf v;
	uint32_t e1, e2;

	REQUIRE(pf >= 0);
	REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &d) == 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	e1 = v.c.epoch;
	CHECK(answered(&v, e1));
	/* A HELLO that claims an epoch: PROTO (reserved), and the session it was sent in ends. */
	CHECK_EQ(hello(&v, e1, 1, 1, BCMBOX_CAP_EVENTS), BCMBOX_ST_PROTO);
	CHECK_EQ(msg.hdr.arg, BCMBOX_REJ_RESERVED);
	CHECK_EQ(msg.hdr.epoch, 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 8), BCMBOX_VF_DETACHED);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 4), 0);
	CHECK(!answered(&v, e1));
	/* Unknown capability bits are ignored: the answer grants the known ones. */
	CHECK_EQ(hello(&v, 0, 1, 1, 0xffffffffu), BCMBOX_ST_OK);
	memcpy(&r, msg.payload, sizeof(r));
	CHECK_EQ(r.caps, BCMBOX_CAP_EVENTS);
	e2 = r.vf_epoch;
	CHECK(e2 != 0 && e2 != e1);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 8), BCMBOX_VF_READY);
	CHECK(answered(&v, e2));
	/* No common version: VERSION, and the session is gone too. */
	CHECK_EQ(hello(&v, 0, 7, 9, BCMBOX_CAP_EVENTS), BCMBOX_ST_VERSION);
	CHECK_EQ(msg.hdr.epoch, 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 8), BCMBOX_VF_DETACHED);
	CHECK(!answered(&v, e2));
	/* Capabilities 0: no events at all. */
	CHECK_EQ(hello(&v, 0, 1, 1, 0), BCMBOX_ST_OK);
	memcpy(&r, msg.payload, sizeof(r));
	CHECK_EQ(r.caps, 0);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x310, 0, 0, "abcd", 4), 0);
	CHECK_EQ(raw_event(&v, &msg), 0);
	/* With BCMBOX_CAP_EVENTS the same change is announced. */
	CHECK_EQ(hello(&v, 0, 1, 1, BCMBOX_CAP_EVENTS), BCMBOX_ST_OK);
	memcpy(&r, msg.payload, sizeof(r));
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x310, 0, 0, "efgh", 4), 0);
	CHECK_EQ(raw_event(&v, &msg), 1);
	CHECK_EQ(msg.hdr.type, BCMBOX_EVT_INVALIDATE);
	CHECK_EQ(msg.hdr.epoch, r.vf_epoch);
	raw_close(&v);
	pf_down("hel");
}

/* 3 (item 9): LIST pages of at most 256 entries; past the end: OK with none. */
static void
test_list(void)
{
	const char *dev = devname("lst");
	int pf = pf_up("lst", dev, "vfs=1,max_blocks=400");
	struct bcmbox_catalog_entry e;
	struct raw_vf v;

	REQUIRE(pf >= 0);
	for (uint32_t i = 0; i < 300; i++) {
		struct rte_pmd_bcnic_block_def d = { 0x1000 + i, 8, RTE_PMD_BCNIC_SCOPE_PER_VF,
						     RTE_PMD_BCNIC_ACCESS_RO };

		REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &d) == 0);
	}
	REQUIRE(raw_open(&v, dev, 0) == 0);
	CHECK_EQ(v.c.hello.num_blocks, 305);
	static const uint32_t first[] = { 0, 256, 300, 304, 305, 5000 };
	static const uint32_t count[] = { 256, 49, 5, 1, 0, 0 };

	for (unsigned int i = 0; i < RTE_DIM(first); i++) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_LIST, .offset = first[i] };

		CHECK_EQ(status_of(&v, h, NULL), BCMBOX_ST_OK);
		CHECK_EQ(msg.hdr.offset, first[i]);
		CHECK_EQ(msg.hdr.arg, 305);
		CHECK_EQ(msg.hdr.length, count[i] * sizeof(e));
		if (count[i] > 0) {
			memcpy(&e, msg.payload, sizeof(e));
			/* Entries in catalog order: the five standard blocks, then ours. */
			CHECK_EQ(e.block_id, first[i] < 5 ? RTE_PMD_BCNIC_BLOCK_MAC + first[i] :
				 0x1000 + first[i] - 5);
		}
	}
	raw_close(&v);
	pf_down("lst");
}

/*
 * 2 (item 10): a consumer position that cannot be stops the PF producing
 * into that ring (counted); a valid one published again resumes it.
 */
static void
test_bad_cons(void)
{
	const char *dev = devname("bc");
	int pf = pf_up("bc", dev, "vfs=1");
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	unsigned int n = 200, got = 0;
	uint32_t first_tag;

	REQUIRE(pf >= 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	REQUIRE(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info) == 0);
	uint64_t requests = info.requests;

	/* Ahead of everything the PF produced. */
	__atomic_store_n(&v.c.w.vf->resp_cons, v.c.resp.pos + 1000, __ATOMIC_RELEASE);
	first_tag = v.c.next_tag;
	for (unsigned int i = 0; i < n; i++) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .epoch = v.c.epoch,
					    .tag = bcmbox_client_take_tag(&v.c),
					    .block_id = RTE_PMD_BCNIC_BLOCK_MTU, .arg = 4 };

		REQUIRE(bcmbox_ring_send(&v.c.req, &h, NULL) == 1);
	}
	CHECK(xstat_wait(pf, "mbox_bad_consumer_pos", 1) >= 1);
	usleep(20000);
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	/* It answered while its cached position said there was room, then stopped. */
	CHECK(info.requests - requests < n);
	CHECK(info.requests - requests >= 256 - BCMBOX_MSG_MAX_SLOTS - 1);
	/* Reading the answers publishes a valid position: the rest is answered, in order. */
	uint64_t end = bcmbox_now_ns() + TIMEOUT_NS;

	while (got < n && bcmbox_now_ns() < end) {
		if (bcmbox_client_recv(&v.c, &msg) == 1) {
			CHECK_EQ(msg.hdr.tag, first_tag + got);
			CHECK_EQ(msg.hdr.status, BCMBOX_ST_OK);
			got++;
		}
	}
	CHECK_EQ(got, n);
	/* The event ring: the events that met the bad position end as one OVERFLOW. */
	struct rte_pmd_bcnic_block_def d = { 0x330, 8, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	uint64_t bad = xstat(pf, "mbox_bad_consumer_pos");
	unsigned int inv = 0;

	REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &d) == 0);
	__atomic_store_n(&v.c.w.vf->evt_cons, v.c.evt.pos + 5000, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < 80; i++)
		CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x330, 0, 0, &i, 4), 0);
	CHECK(xstat(pf, "mbox_bad_consumer_pos") > bad);
	__atomic_store_n(&v.c.w.vf->evt_cons, v.c.evt.pos, __ATOMIC_RELEASE);
	while (raw_event(&v, &msg) == 1) {
		CHECK_EQ(msg.hdr.type, BCMBOX_EVT_INVALIDATE);
		inv++;
	}
	CHECK(inv > 0 && inv < 80);
	CHECK_EQ(rte_pmd_bcnic_pf_block_set(pf, 0x330, 0, 0, "last", 4), 0);
	CHECK_EQ(raw_event(&v, &msg), 1);
	CHECK_EQ(msg.hdr.type, BCMBOX_EVT_OVERFLOW);
	CHECK_EQ(raw_event(&v, &msg), 1);
	CHECK_EQ(msg.hdr.type, BCMBOX_EVT_INVALIDATE);
	raw_close(&v);
	pf_down("bc");
}

/* 6 (item 11): a link change is one LINK event, no INVALIDATE; the LINK block follows. */
static void
test_link(void)
{
	const char *dev = devname("lnk");
	int pf = pf_up("lnk", dev, "vfs=1");
	struct rte_eth_conf conf;
	struct rte_pmd_bcnic_link link;
	struct raw_vf v;
	uint32_t ver0, ver1;

	REQUIRE(pf >= 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	memset(&conf, 0, sizeof(conf));
	REQUIRE(rte_eth_dev_configure(pf, 0, 0, &conf) == 0);
	REQUIRE(rte_eth_dev_start(pf) == 0);
	CHECK_EQ(raw_event(&v, &msg), 1);
	CHECK_EQ(msg.hdr.type, BCMBOX_EVT_LINK);
	CHECK_EQ(raw_event(&v, &msg), 0);
	CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), &ver0,
				    &msg, TIMEOUT_NS), 0);
	CHECK_EQ(link.link_up, 1);
	CHECK_EQ(rte_eth_dev_set_link_down(pf), 0);
	CHECK_EQ(raw_event(&v, &msg), 1);
	CHECK_EQ(msg.hdr.type, BCMBOX_EVT_LINK);
	CHECK_EQ(msg.hdr.length, sizeof(struct bcmbox_link_evt));
	CHECK_EQ(((struct bcmbox_link_evt *)msg.payload)->link_up, 0);
	CHECK_EQ(raw_event(&v, &msg), 0);	/* no INVALIDATE of the LINK block */
	CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_LINK, 0, &link, sizeof(link), &ver1,
				    &msg, TIMEOUT_NS), 0);
	CHECK_EQ(link.link_up, 0);
	CHECK(ver1 > ver0);
	CHECK_EQ(rte_eth_dev_stop(pf), 0);
	raw_close(&v);
	pf_down("lnk");
}

/* The PF-owned lines of a window (doc/mailbox.md 1.2). */
static const uint32_t pf_line_off[] = {
	BCMBOX_WIN_INFO_OFF, BCMBOX_WIN_PF_OFF, BCMBOX_WIN_REQ_CONS_OFF, BCMBOX_WIN_HEARTBEAT_OFF,
	BCMBOX_WIN_TX_CONS_OFF,
};

static void
junk_pf_lines(struct raw_vf *v, uint8_t seed)
{
	for (unsigned int l = 0; l < RTE_DIM(pf_line_off); l++)
		for (unsigned int i = 0; i < 64; i++)
			__atomic_store_n(v->base + pf_line_off[l] + i,
					 (uint8_t)(seed + 31 * l + 7 * i) | 1, __ATOMIC_RELAXED);
}

/*
 * 1.2, 4.2 (item 12): junk in every PF-owned line of a window. The PF
 * writes them back (its sweep), a reset gives a VF a working window at
 * once, and the VF driver attaches through that.
 */
static void
test_pf_lines(void)
{
	const char *dev = devname("pfl");
	int pf = pf_up("pfl", dev, "vfs=2");
	uint8_t info[64], session[16];
	uint8_t mac[8];
	struct raw_vf v;
	uint32_t mtu;
	char args[160];
	int port;

	REQUIRE(pf >= 0);
	REQUIRE(raw_map(&v, dev, 1) == 0);
	memcpy(info, v.base, sizeof(info));
	memcpy(session, v.base + BCMBOX_WIN_PF_OFF, sizeof(session));
	/* The four bytes first: pf_epoch, then the VF driver attaches at once. */
	__atomic_store_n((uint32_t *)(v.base + BCMBOX_WIN_PF_OFF), 0x04030201, __ATOMIC_RELEASE);
	snprintf(args, sizeof(args), "net_bcnic_vf_pfl,dev=%s,vf=1", dev);
	REQUIRE(rte_dev_probe(args) == 0);
	port = port_of("net_bcnic_vf_pfl");
	REQUIRE(port >= 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(port, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1), 4);
	CHECK_EQ(rte_eal_hotplug_remove("vdev", "net_bcnic_vf_pfl"), 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF), ((uint32_t *)session)[0]);
	memcpy(session + 4, v.base + BCMBOX_WIN_PF_OFF + 4, sizeof(session) - 4);	/* BYE, acks */
	uint64_t before = xstat(pf, "mbox_lines_republished");
	uint32_t req_cons = win_u32(&v, BCMBOX_WIN_REQ_CONS_OFF);
	uint32_t tx_cons = win_u32(&v, BCMBOX_WIN_TX_CONS_OFF);

	/* Left alone, the PF's sweep writes back what it published. */
	junk_pf_lines(&v, 0x11);
	uint64_t end = bcmbox_now_ns() + TIMEOUT_NS;

	while ((memcmp(v.base, info, sizeof(info)) != 0 ||
		v.base[BCMBOX_WIN_TX_CONS_OFF + 63] != 0) && bcmbox_now_ns() < end)
		usleep(1000);
	usleep(1000);	/* the sweep that wrote the first line has written the last */
	CHECK(memcmp(v.base, info, sizeof(info)) == 0);
	CHECK(memcmp(v.base + BCMBOX_WIN_PF_OFF, session, sizeof(session)) == 0);
	for (unsigned int i = 16; i < 64; i++)
		CHECK_EQ(v.base[BCMBOX_WIN_PF_OFF + i], 0);
	CHECK(req_cons != 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_REQ_CONS_OFF), req_cons);
	for (unsigned int i = 4; i < 64; i++)
		CHECK_EQ(v.base[BCMBOX_WIN_REQ_CONS_OFF + i], 0);
	for (unsigned int i = 8; i < 64; i++)
		CHECK_EQ(v.base[BCMBOX_WIN_HEARTBEAT_OFF + i], 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_TX_CONS_OFF), tx_cons);
	for (unsigned int i = 8; i < 64; i++)
		CHECK_EQ(v.base[BCMBOX_WIN_TX_CONS_OFF + i], 0);
	CHECK(xstat(pf, "mbox_lines_republished") >= before + 5);
	/* A raw VF that finds them wrong: the reset handshake repairs them, then HELLO. */
	junk_pf_lines(&v, 0x22);
	CHECK_EQ(bcmbox_window_repair(v.base, v.size, TIMEOUT_NS), 0);
	CHECK(memcmp(v.base, info, sizeof(info)) == 0);	/* published before the ack */
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF), ((uint32_t *)session)[0]);
	raw_close(&v);
	REQUIRE(raw_map(&v, dev, 1) == 0);
	junk_pf_lines(&v, 0x33);
	raw_close(&v);
	REQUIRE(raw_open(&v, dev, 1) == 0);
	CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, &msg,
				    TIMEOUT_NS), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(bcmbox_client_check_pf(&v.c), 0);
	/* ... and again with junk while it holds a session: a reconnect repairs it. */
	junk_pf_lines(&v, 0x44);
	CHECK_EQ(bcmbox_client_connect(&v.c, TIMEOUT_NS), 0);
	CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, &msg,
				    TIMEOUT_NS), 0);
	CHECK_EQ(bcmbox_client_bye(&v.c, &msg, TIMEOUT_NS), 0);
	/* The VF driver: junk, then attach at once. */
	junk_pf_lines(&v, 0x55);
	raw_close(&v);
	REQUIRE(rte_dev_probe(args) == 0);
	port = port_of("net_bcnic_vf_pfl");
	REQUIRE(port >= 0);
	CHECK_EQ(rte_pmd_bcnic_vf_block_read(port, RTE_PMD_BCNIC_BLOCK_MAC, 0, mac, 8, NULL, -1), 8);
	CHECK_EQ(mac[5], 2);	/* VF 1: function 2 */
	/* Junk under the attached driver: it gets its window back and keeps working. */
	REQUIRE(raw_map(&v, dev, 1) == 0);
	junk_pf_lines(&v, 0x66);
	raw_close(&v);
	int rc = -1;
	end = bcmbox_now_ns() + 3 * TIMEOUT_NS;
	while (rc != 4 && bcmbox_now_ns() < end) {
		rc = rte_pmd_bcnic_vf_block_read(port, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, -1);
		if (rc != 4)
			usleep(10000);
	}
	CHECK_EQ(rc, 4);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(rte_eal_hotplug_remove("vdev", "net_bcnic_vf_pfl"), 0);
	/* VF 0 never noticed. */
	REQUIRE(raw_open(&v, dev, 0) == 0);
	raw_close(&v);
	pf_down("pfl");
}

/*
 * 2.1 (item 13): after a bad continuation slot the PF runs no payload
 * bytes as requests: a READ header hidden in a WRITE's payload stays
 * unexecuted, the session ends, and only a reset revives the ring.
 */
static void
test_framing(void)
{
	const char *dev = devname("frm");
	int pf = pf_up("frm", dev, "vfs=1");
	struct rte_pmd_bcnic_block_def d = { 0x320, 256, RTE_PMD_BCNIC_SCOPE_PER_VF,
					     RTE_PMD_BCNIC_ACCESS_RW };
	struct rte_pmd_bcnic_vf_info info;
	struct raw_vf v;
	uint32_t mtu;

	REQUIRE(pf >= 0);
	REQUIRE(rte_pmd_bcnic_pf_block_define(pf, &d) == 0);
	REQUIRE(raw_open(&v, dev, 0) == 0);
	uint64_t reads = xstat(pf, "mbox_req_read");
	uint64_t writes = xstat(pf, "mbox_req_write");
	/* A 200-byte WRITE: 4 slots. Slot 1's data is a complete READ request. */
	struct bcmbox_ring *r = &v.c.req;
	uint32_t pos = r->pos;
	struct bcmbox_msg_hdr w = { .type = BCMBOX_MSG_WRITE, .nslots = 4, .tag = 0x1111,
				    .epoch = v.c.epoch, .block_id = 0x320, .length = 200 };
	struct bcmbox_msg_hdr hidden = { .type = BCMBOX_MSG_READ, .nslots = 1, .tag = 0xbad,
					 .epoch = v.c.epoch, .block_id = RTE_PMD_BCNIC_BLOCK_MTU,
					 .arg = 4 };
	struct bcmbox_slot *s0 = &r->slots[pos & r->mask], *s1 = &r->slots[(pos + 1) & r->mask];

	memset(s0->data, 0, sizeof(s0->data));
	memcpy(s0->data, &w, sizeof(w));
	memset(s1->data, 0, sizeof(s1->data));
	memcpy(s1->data, &hidden, sizeof(hidden));
	for (uint32_t i = 2; i < 4; i++) {
		memset(r->slots[(pos + i) & r->mask].data, 0x77, BCMBOX_SLOT_DATA);
		__atomic_store_n(&r->slots[(pos + i) & r->mask].seq, pos + i + 1, __ATOMIC_RELAXED);
	}
	/* Slot 1 is not published yet: a bad continuation. */
	__atomic_store_n(&s0->seq, pos + 1, __ATOMIC_RELEASE);
	REQUIRE(xstat_wait(pf, "mbox_rej_cont_seq", 1) == 1);
	/* Now slot 1 looks like a one-slot READ at position pos + 1. */
	__atomic_store_n(&s1->seq, pos + 2, __ATOMIC_RELEASE);
	r->pos = pos + 4;
	CHECK_EQ(raw_event(&v, &msg), 0);
	uint64_t end = bcmbox_now_ns() + QUIET_NS;
	enum bcmbox_reject why;
	int got = 0;

	while (bcmbox_now_ns() < end)
		got += bcmbox_ring_recv(&v.c.resp, &msg, &why) != 0;
	CHECK_EQ(got, 0);	/* neither the WRITE nor the hidden READ answered */
	CHECK_EQ(xstat(pf, "mbox_req_read"), reads);
	CHECK_EQ(xstat(pf, "mbox_req_write"), writes);
	CHECK_EQ(xstat(pf, "mbox_rej_cont_seq"), 1);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 8), BCMBOX_VF_DETACHED);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_PF_OFF + 4), 0);
	CHECK_EQ(win_u32(&v, BCMBOX_WIN_REQ_CONS_OFF), pos + 1);	/* it stopped there */
	CHECK_EQ(rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info), 0);
	CHECK_EQ(info.rejected, 1);
	/* A fresh session on the same ring, even with a HELLO, is not read before a reset. */
	struct bcmbox_hello_req hr = { 1, 1, 0 };
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_HELLO, .length = sizeof(hr) };

	CHECK_EQ(raw_call(&v, &h, &hr, &msg, QUIET_NS), -ETIMEDOUT);
	CHECK_EQ(bcmbox_client_check_pf(&v.c), -ENOTCONN);
	/* The reset handshake: a clean ring, a new session. */
	REQUIRE(bcmbox_client_connect(&v.c, TIMEOUT_NS) == 0);
	CHECK_EQ(bcmbox_client_read(&v.c, RTE_PMD_BCNIC_BLOCK_MTU, 0, &mtu, 4, NULL, &msg,
				    TIMEOUT_NS), 0);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(xstat(pf, "mbox_req_read"), reads + 1);
	raw_close(&v);
	pf_down("frm");
}

static const struct check_case cases[] = {
	{ "layout", test_layout },
	{ "line_owners", test_line_owners },
	{ "heartbeat", test_heartbeat },
	{ "statuses", test_statuses },
	{ "unknown_type", test_unknown_type },
	{ "hello", test_hello },
	{ "list", test_list },
	{ "bad_cons", test_bad_cons },
	{ "link", test_link },
	{ "pf_lines", test_pf_lines },
	{ "framing", test_framing },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	char *eal[] = { "test_spec", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
			"--no-shconf", "--file-prefix=bcnic-spec",
			"--log-level=pmd.net.bcnic*:notice", "-l", "0", NULL };
	int rc;

	pmd_uniq_init('s');
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = check_run(cases, argc, argv);
	cleanup_shm();
	finish();
	return rc;
}
