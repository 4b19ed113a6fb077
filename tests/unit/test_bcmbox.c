/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/bcmbox: rings, codec, validator, events, windows. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bcmbox.h"
#include "bcmbox_client.h"
#include "check.h"

int check_failures;

#define RTE_DIM_(a) (sizeof(a) / sizeof((a)[0]))

struct pair {
	struct bcmbox_slot *slots;
	uint32_t cons_pos;
	struct bcmbox_ring tx, rx;
};

static void
pair_open(struct pair *p, uint32_t size)
{
	p->slots = aligned_alloc(64, (size_t)size * BCMBOX_SLOT_SIZE);
	bcmbox_ring_clear(p->slots, size, &p->cons_pos);
	CHECK_EQ(bcmbox_ring_init(&p->tx, p->slots, size, &p->cons_pos), 0);
	CHECK_EQ(bcmbox_ring_init(&p->rx, p->slots, size, &p->cons_pos), 0);
}

static void
pair_close(struct pair *p)
{
	free(p->slots);
}

static void
fill(uint8_t *buf, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Send hdr+payload through p and check what comes out is identical. */
static void
roundtrip(struct pair *p, struct bcmbox_msg_hdr *h, const void *payload)
{
	static struct bcmbox_msg m;
	enum bcmbox_reject why = BCMBOX_REJ_NONE;
	int n = bcmbox_ring_send(&p->tx, h, payload);

	CHECK_EQ(n, (int)bcmbox_msg_slots(h->length));
	CHECK(bcmbox_ring_ready(&p->rx));
	CHECK_EQ(bcmbox_ring_recv(&p->rx, &m, &why), 1);
	CHECK_EQ(why, BCMBOX_REJ_NONE);
	CHECK(memcmp(&m.hdr, h, sizeof(*h)) == 0);
	if (h->length != 0)
		CHECK(memcmp(m.payload, payload, h->length) == 0);
	CHECK_EQ(p->cons_pos, p->tx.pos);
	CHECK(!bcmbox_ring_ready(&p->rx));
}

static void
test_msg_slots(void)
{
	CHECK_EQ(bcmbox_msg_slots(0), 1);
	CHECK_EQ(bcmbox_msg_slots(BCMBOX_FIRST_PAYLOAD), 1);
	CHECK_EQ(bcmbox_msg_slots(BCMBOX_FIRST_PAYLOAD + 1), 2);
	CHECK_EQ(bcmbox_msg_slots(BCMBOX_FIRST_PAYLOAD + BCMBOX_SLOT_DATA), 2);
	CHECK_EQ(bcmbox_msg_slots(BCMBOX_FIRST_PAYLOAD + BCMBOX_SLOT_DATA + 1), 3);
	CHECK_EQ(bcmbox_msg_slots(BCMBOX_MAX_XFER), BCMBOX_MSG_MAX_SLOTS);
	CHECK_EQ(BCMBOX_MSG_MAX_SLOTS, 69);
}

/* Every request, response and event, encoded, carried and decoded. */
static void
test_roundtrip_all_messages(void)
{
	struct pair p;
	static uint8_t data[BCMBOX_MAX_XFER + 16];
	struct bcmbox_hello_req hreq = { .proto_min = 1, .proto_max = 1, .caps = BCMBOX_CAP_EVENTS };
	struct bcmbox_hello_resp hresp = { .proto = 1, .pf_epoch = 7, .vf_epoch = 9,
					   .max_xfer = BCMBOX_MAX_XFER, .num_blocks = 3 };
	struct bcmbox_link_evt link = { .link_up = 1, .speed_mbps = 100000 };
	struct bcmbox_catalog_entry cat[4] = { { 1, 64, BCMBOX_ACCESS_RW, 0, 0, 3 } };
	uint32_t sizes[] = { 0, 1, 8, 32, 33, 64, 92, 93, 512, 4095, 4096 };

	pair_open(&p, 256);
	fill(data, sizeof(data), 1);
	struct bcmbox_msg_hdr h;

	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO, .tag = 1, .length = sizeof(hreq) };
	roundtrip(&p, &h, &hreq);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO | BCMBOX_RESP, .tag = 1, .epoch = 9,
				     .length = sizeof(hresp) };
	roundtrip(&p, &h, &hresp);
	CHECK_EQ(h.nslots, 1);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_LIST, .tag = 2, .epoch = 9, .offset = 5 };
	roundtrip(&p, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_LIST | BCMBOX_RESP, .tag = 2, .epoch = 9,
				     .length = sizeof(cat), .arg = 4 };
	roundtrip(&p, &h, cat);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 10 + i, .epoch = 9,
					     .block_id = 0x1234, .offset = 100, .arg = sizes[i] };
		roundtrip(&p, &h, NULL);
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ | BCMBOX_RESP, .tag = 10 + i,
					     .epoch = 9, .block_id = 0x1234, .offset = 100,
					     .length = sizes[i], .arg = 77 };
		roundtrip(&p, &h, data);
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 30 + i, .epoch = 9,
					     .block_id = 0xffff0001, .offset = 7, .length = sizes[i] };
		roundtrip(&p, &h, data + i);
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE | BCMBOX_RESP, .tag = 30 + i,
					     .epoch = 9, .status = BCMBOX_ST_ACCESS };
		roundtrip(&p, &h, NULL);
	}
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_BYE, .tag = 99, .epoch = 9 };
	roundtrip(&p, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_INVALIDATE, .epoch = 9, .block_id = 5, .arg = 6 };
	roundtrip(&p, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_LINK, .epoch = 9, .length = sizeof(link) };
	roundtrip(&p, &h, &link);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_RESET, .epoch = 9 };
	roundtrip(&p, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_OVERFLOW, .epoch = 9 };
	roundtrip(&p, &h, NULL);
	pair_close(&p);
}

static void
test_ring_empty_full_wrap(void)
{
	struct pair p;
	struct bcmbox_msg m;
	enum bcmbox_reject why;
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .epoch = 1, .arg = 8 };
	uint32_t i;

	pair_open(&p, 128);
	/* empty */
	CHECK(!bcmbox_ring_ready(&p.rx));
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 0);
	CHECK_EQ(bcmbox_ring_free(&p.tx, 1), 128);
	/* full */
	for (i = 0; i < 128; i++) {
		h.tag = i;
		CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), 1);
	}
	CHECK_EQ(bcmbox_ring_free(&p.tx, 1), 0);
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), -ENOSPC);
	/* drain one, room for one */
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
	CHECK_EQ(m.hdr.tag, 0);
	CHECK_EQ(bcmbox_ring_free(&p.tx, 1), 1);
	h.tag = 128;
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), 1);
	/* wrap many times, order kept */
	for (i = 1; i < 10000; i++) {
		CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
		CHECK_EQ(m.hdr.tag, i);
		h.tag = i + 128;
		CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), 1);
	}
	pair_close(&p);
}

/* Positions wrap at 2^32 too: start near the end of the u32 range. */
static void
test_ring_position_wrap(void)
{
	struct pair p;
	static struct bcmbox_msg m;
	static uint8_t data[BCMBOX_MAX_XFER];
	enum bcmbox_reject why;
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_WRITE, .epoch = 1 };

	pair_open(&p, 128);
	p.tx.pos = p.tx.cons_cache = p.rx.pos = p.cons_pos = UINT32_MAX - 70;
	for (uint32_t i = 0; i < 300; i++) {
		h.tag = i;
		h.length = (i * 37) % BCMBOX_MAX_XFER + 1;
		fill(data, h.length, i);
		REQUIRE(bcmbox_ring_send(&p.tx, &h, data) > 0);
		CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
		CHECK_EQ(m.hdr.tag, i);
		CHECK_EQ(m.hdr.length, h.length);
		CHECK(memcmp(m.payload, data, h.length) == 0);
	}
	pair_close(&p);
}

/* A multi-slot message laid across the end of the slot array. */
static void
test_multislot_across_wrap(void)
{
	struct pair p;
	static struct bcmbox_msg m;
	static uint8_t data[BCMBOX_MAX_XFER];
	enum bcmbox_reject why;
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_WRITE, .epoch = 1 };

	pair_open(&p, 128);
	/* Advance to 10 slots before the end. */
	for (int i = 0; i < 118; i++) {
		h.length = 1;
		CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), 1);
		CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
	}
	h.length = BCMBOX_MAX_XFER;
	fill(data, sizeof(data), 42);
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), 69);
	CHECK_EQ(p.tx.pos & p.tx.mask, (118 + 69) & 127);
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
	CHECK_EQ(m.hdr.nslots, 69);
	CHECK(memcmp(m.payload, data, sizeof(data)) == 0);
	/* Not enough room for a 69-slot message leaves the ring untouched. */
	h.length = 8;
	for (int i = 0; i < 60; i++)
		CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), 1);
	uint32_t before = p.tx.pos;

	h.length = BCMBOX_MAX_XFER;
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), -ENOSPC);
	CHECK_EQ(p.tx.pos, before);
	h.length = BCMBOX_MAX_XFER + 1;
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), -EMSGSIZE);
	pair_close(&p);
}

static void
test_burst(void)
{
	struct pair p;
	static struct bcmbox_msg m[16];
	struct bcmbox_msg_hdr h[16];
	const void *pl[16];
	static uint8_t data[16][200];
	uint64_t rejects[BCMBOX_REJ__MAX] = { 0 };

	pair_open(&p, 128);
	for (int i = 0; i < 16; i++) {
		h[i] = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = i, .epoch = 3,
						.length = 10 * i + 1 };
		fill(data[i], sizeof(data[i]), i);
		pl[i] = data[i];
	}
	CHECK_EQ(bcmbox_ring_send_burst(&p.tx, h, pl, 16), 16);
	CHECK_EQ(bcmbox_ring_recv_burst(&p.rx, m, 10, rejects), 10);
	CHECK_EQ(bcmbox_ring_recv_burst(&p.rx, m + 10, 16, rejects), 6);
	for (int i = 0; i < 16; i++) {
		CHECK_EQ(m[i].hdr.tag, i);
		CHECK(memcmp(m[i].payload, data[i], m[i].hdr.length) == 0);
	}
	CHECK_EQ(p.cons_pos, p.tx.pos);
	/* A burst that does not all fit writes the prefix that does. */
	for (int i = 0; i < 16; i++)
		h[i].length = 200; /* 4 slots each */
	CHECK_EQ(bcmbox_ring_send_burst(&p.tx, h, pl, 16), 16);
	CHECK_EQ(bcmbox_ring_send_burst(&p.tx, h, pl, 16), 16);
	CHECK_EQ(bcmbox_ring_send_burst(&p.tx, h, pl, 16), 0);
	pair_close(&p);
}

/* Framing rejects: what a hostile producer can do to the slots. */
static void
test_framing_rejects(void)
{
	struct pair p;
	static struct bcmbox_msg m;
	enum bcmbox_reject why;
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_WRITE, .epoch = 1, .length = 100 };
	static uint8_t data[256];
	struct bcmbox_slot *s;

	pair_open(&p, 128);
	/* nslots 0 */
	s = &p.slots[0];
	memset(s->data, 0, sizeof(s->data));
	s->seq = 1;
	why = BCMBOX_REJ_NONE;
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), -EBADMSG);
	CHECK_EQ(why, BCMBOX_REJ_NSLOTS);
	CHECK_EQ(p.cons_pos, 1);
	/* nslots above the limit */
	s = &p.slots[1];
	s->data[1] = 200;
	s->seq = 2;
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), -EBADMSG);
	CHECK_EQ(why, BCMBOX_REJ_NSLOTS);
	/* continuation not published */
	p.tx.pos = p.rx.pos;
	p.tx.cons_cache = p.rx.pos;
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), 3);
	p.slots[(p.rx.pos + 2) & 127].seq = 0;
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), -EBADMSG);
	CHECK_EQ(why, BCMBOX_REJ_CONT_SEQ);
	/* length disagrees with nslots */
	p.tx.pos = p.rx.pos;
	p.tx.cons_cache = p.rx.pos;
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, data), 3);
	memcpy(p.slots[(p.rx.pos) & 127].data + offsetof(struct bcmbox_msg_hdr, length),
	       &(uint32_t){ 10 }, 4);
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), -EBADMSG);
	CHECK_EQ(why, BCMBOX_REJ_LENGTH);
	CHECK_EQ(p.rx.pos, p.tx.pos);
	/* length above max_xfer with a consistent slot count */
	p.tx.pos = p.rx.pos;
	s = &p.slots[p.rx.pos & 127];
	for (uint32_t i = 1; i < 69; i++)
		p.slots[(p.rx.pos + i) & 127].seq = p.rx.pos + i + 1;
	struct bcmbox_msg_hdr big = { .type = BCMBOX_MSG_WRITE, .nslots = 69, .length = 4100 };

	memcpy(s->data, &big, sizeof(big));
	__atomic_store_n(&s->seq, p.rx.pos + 1, __ATOMIC_RELEASE);
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), -EBADMSG);
	CHECK_EQ(why, BCMBOX_REJ_LENGTH);
	/* a stale or future seq is simply not ready */
	s = &p.slots[p.rx.pos & 127];
	s->seq = p.rx.pos + 1 + 128;
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 0);
	/* garbage in a burst is counted and skipped */
	uint64_t rejects[BCMBOX_REJ__MAX] = { 0 };

	for (int i = 0; i < 4; i++) {
		s = &p.slots[(p.rx.pos + i) & 127];
		memset(s->data, 0, sizeof(s->data));
		s->seq = p.rx.pos + i + 1;
	}
	CHECK_EQ(bcmbox_ring_recv_burst(&p.rx, &m, 1, rejects), 0);
	CHECK_EQ(rejects[BCMBOX_REJ_NSLOTS], 2);
	pair_close(&p);
}

/* An untrusted consumer publishing an impossible position. */
static void
test_bad_consumer_position(void)
{
	struct pair p;
	struct bcmbox_msg_hdr h = { .type = BCMBOX_EVT_RESET };

	pair_open(&p, 128);
	for (int i = 0; i < 128; i++)
		CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), 1);
	p.cons_pos = 1000; /* ahead of the producer */
	CHECK_EQ(bcmbox_ring_free(&p.tx, 1), -EPROTO);
	CHECK_EQ(bcmbox_ring_send(&p.tx, &h, NULL), -EPROTO);
	p.cons_pos = 5;
	CHECK_EQ(bcmbox_ring_free(&p.tx, 1), 5);
	pair_close(&p);
}

static struct bcmbox_msg *
mk(struct bcmbox_msg_hdr h, const void *payload)
{
	static struct bcmbox_msg m;

	memset(&m, 0, sizeof(m));
	m.hdr = h;
	if (payload != NULL)
		memcpy(m.payload, payload, h.length);
	return &m;
}

/* Every rejection path of the request validator. */
static void
test_check_request(void)
{
	struct bcmbox_hello_req hello = { 1, 1, 0 }, bad_hello = { 2, 1, 0 };
	const uint32_t E = 42;

#define REQ(...) mk((struct bcmbox_msg_hdr){ __VA_ARGS__ }, NULL)
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .length = sizeof(hello) }, &hello), 0),
		 BCMBOX_REJ_NONE);
	/* HELLO carries epoch 0, in a session or not (doc/mailbox.md section 3) */
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .length = sizeof(hello) }, &hello), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .epoch = 5, .length = sizeof(hello) }, &hello), E),
		 BCMBOX_REJ_RESERVED);
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .length = 4 }, &hello), 0),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .length = sizeof(hello), .arg = 1 }, &hello), 0),
		 BCMBOX_REJ_RESERVED);
	CHECK_EQ(bcmbox_check_request(mk((struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO,
							      .length = sizeof(hello) }, &bad_hello), 0),
		 BCMBOX_REJ_HELLO);
	CHECK_EQ(bcmbox_check_request(REQ(.type = 0), E), BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = 0x77, .epoch = E), E), BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E), E),
		 BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_EVT_LINK, .epoch = E), E), BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .status = 1, .epoch = E, .arg = 8), E),
		 BCMBOX_REJ_STATUS);
	/* the type is checked first: an unknown type with a status is still "type" */
	CHECK_EQ(bcmbox_check_request(REQ(.type = 0x06, .status = 1, .epoch = E), E), BCMBOX_REJ_TYPE);
	/* epochs */
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E, .arg = 8), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E - 1, .arg = 8), E),
		 BCMBOX_REJ_EPOCH);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = 0, .arg = 8), 0),
		 BCMBOX_REJ_EPOCH);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_LIST, .epoch = 1), 0), BCMBOX_REJ_EPOCH);
	/* LIST */
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_LIST, .epoch = E, .offset = 3), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_LIST, .epoch = E, .length = 1), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_LIST, .epoch = E, .block_id = 1), E),
		 BCMBOX_REJ_RESERVED);
	/* READ */
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E, .length = 4, .arg = 8), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E, .arg = BCMBOX_MAX_XFER + 1), E),
		 BCMBOX_REJ_XFER);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E, .arg = 0), E),
		 BCMBOX_REJ_RANGE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E,
					  .offset = BCMBOX_MAX_BLOCK_SIZE - 4, .arg = 8), E),
		 BCMBOX_REJ_RANGE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E,
					  .offset = UINT32_MAX, .arg = 8), E),
		 BCMBOX_REJ_RANGE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_READ, .epoch = E,
					  .offset = BCMBOX_MAX_BLOCK_SIZE - 8, .arg = 8), E),
		 BCMBOX_REJ_NONE);
	/* WRITE */
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_WRITE, .epoch = E, .length = 8), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_WRITE, .epoch = E, .length = 0), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_WRITE, .epoch = E, .length = 8,
					  .offset = UINT32_MAX - 2), E),
		 BCMBOX_REJ_RANGE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_WRITE, .epoch = E, .length = 8, .arg = 1), E),
		 BCMBOX_REJ_RESERVED);
	/* BYE */
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_BYE, .epoch = E), E), BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_BYE, .epoch = E, .length = 1), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_request(REQ(.type = BCMBOX_MSG_BYE, .epoch = E, .offset = 1), E),
		 BCMBOX_REJ_RESERVED);
#undef REQ
	for (int r = 0; r < BCMBOX_REJ__MAX; r++)
		CHECK(strcmp(bcmbox_reject_name(r), "unknown") != 0);
	CHECK(strcmp(bcmbox_reject_name(BCMBOX_REJ__MAX), "unknown") == 0);
}

static void
test_check_response_and_event(void)
{
	const uint32_t E = 7;

#define RSP(...) mk((struct bcmbox_msg_hdr){ __VA_ARGS__ }, NULL)
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_HELLO | BCMBOX_RESP, .epoch = 99,
					   .length = sizeof(struct bcmbox_hello_resp)), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_HELLO | BCMBOX_RESP, .length = 4), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_HELLO | BCMBOX_RESP,
					   .status = BCMBOX_ST_VERSION), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ, .epoch = E), E), BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = 0x80 | 0x33, .epoch = E), E), BCMBOX_REJ_TYPE);
	/* 0x80 answers a request of an unknown type: NOTSUP only, no payload */
	CHECK_EQ(bcmbox_check_response(RSP(.type = 0x80, .epoch = E, .status = BCMBOX_ST_NOTSUP,
					   .arg = 0x06), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = 0x80, .epoch = E, .status = BCMBOX_ST_OK), E),
		 BCMBOX_REJ_STATUS);
	CHECK_EQ(bcmbox_check_response(RSP(.type = 0x80, .epoch = E + 1, .status = BCMBOX_ST_NOTSUP),
				       E),
		 BCMBOX_REJ_EPOCH);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E,
					   .status = BCMBOX_ST__MAX), E),
		 BCMBOX_REJ_STATUS);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E + 1,
					   .length = 8), E),
		 BCMBOX_REJ_EPOCH);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E,
					   .length = 8), E),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E,
					   .offset = BCMBOX_MAX_BLOCK_SIZE, .length = 8), E),
		 BCMBOX_REJ_RANGE);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_READ | BCMBOX_RESP, .epoch = E,
					   .status = BCMBOX_ST_NOENT, .length = 8), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_LIST | BCMBOX_RESP, .epoch = E,
					   .length = 17), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_WRITE | BCMBOX_RESP, .epoch = E,
					   .length = 1), E),
		 BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_response(RSP(.type = BCMBOX_MSG_BYE | BCMBOX_RESP, .epoch = E), E),
		 BCMBOX_REJ_NONE);

	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_INVALIDATE, .block_id = 3, .arg = 4)),
		 BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_INVALIDATE, .length = 1)), BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_LINK, .length = 8)), BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_LINK)), BCMBOX_REJ_PAYLOAD);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_RESET, .status = 1)), BCMBOX_REJ_STATUS);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_MSG_READ)), BCMBOX_REJ_TYPE);
	CHECK_EQ(bcmbox_check_event(RSP(.type = BCMBOX_EVT_OVERFLOW)), BCMBOX_REJ_NONE);
#undef RSP
}

static void
test_status_errno(void)
{
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_OK), 0);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_NOENT), -ENOENT);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_ACCESS), -EACCES);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_RANGE), -EINVAL);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_MSGSIZE), -EMSGSIZE);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_BUSY), -EBUSY);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_AGAIN), -EAGAIN);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_PROTO), -EPROTO);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_VERSION), -EPROTONOSUPPORT);
	CHECK_EQ(bcmbox_status_to_errno(BCMBOX_ST_NOTSUP), -ENOTSUP);
	CHECK_EQ(bcmbox_status_to_errno(1000), -EPROTO);
	for (uint32_t st = 0; st < BCMBOX_ST__MAX; st++)
		CHECK_EQ(bcmbox_errno_to_status(bcmbox_status_to_errno(st)), st);
	CHECK_EQ(bcmbox_errno_to_status(ENOENT), BCMBOX_ST_NOENT);
	CHECK_EQ(bcmbox_errno_to_status(-E2BIG), BCMBOX_ST_PROTO);
	CHECK(strcmp(bcmbox_status_name(BCMBOX_ST_ACCESS), "access") == 0);
}

static void
test_negotiate(void)
{
	/* VF newer than PF, PF newer than VF, equal, disjoint, malformed */
	CHECK_EQ(bcmbox_negotiate(1, 3, 1, 1), 1);
	CHECK_EQ(bcmbox_negotiate(1, 1, 1, 3), 1);
	CHECK_EQ(bcmbox_negotiate(2, 5, 1, 4), 4);
	CHECK_EQ(bcmbox_negotiate(1, 1, 1, 1), 1);
	CHECK_EQ(bcmbox_negotiate(3, 4, 1, 2), -1);
	CHECK_EQ(bcmbox_negotiate(1, 2, 3, 4), -1);
	CHECK_EQ(bcmbox_negotiate(2, 1, 1, 2), -1);
}

static void
test_event_overflow(void)
{
	struct pair p;
	struct bcmbox_msg m;
	enum bcmbox_reject why;
	struct bcmbox_evt_overflow ovf = { 0 };
	int posted = 0, dropped = 0;

	pair_open(&p, 16);
	for (uint32_t i = 0; i < 40; i++) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_EVT_INVALIDATE, .epoch = 1,
					    .block_id = i, .arg = i };
		int rc = bcmbox_event_post(&p.tx, &ovf, &h, NULL);

		if (rc == 0)
			posted++;
		else if (rc == -ENOSPC)
			dropped++;
	}
	CHECK_EQ(posted, 15); /* one slot kept for the marker */
	CHECK_EQ(dropped, 25);
	CHECK_EQ(ovf.dropped, 25);
	/* 15 invalidations, then one marker (in the kept slot), nothing more. */
	for (int i = 0; i < 15; i++) {
		CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
		CHECK_EQ(m.hdr.type, BCMBOX_EVT_INVALIDATE);
		CHECK_EQ(m.hdr.block_id, i);
	}
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
	CHECK_EQ(m.hdr.type, BCMBOX_EVT_OVERFLOW);
	CHECK_EQ(bcmbox_check_event(&m), BCMBOX_REJ_NONE);
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 0);
	/* Drops after the marker was queued were covered: no second marker. */
	struct bcmbox_msg_hdr h = { .type = BCMBOX_EVT_INVALIDATE, .epoch = 1, .block_id = 100 };

	CHECK_EQ(bcmbox_event_post(&p.tx, &ovf, &h, NULL), 0);
	CHECK(!ovf.pending);
	CHECK_EQ(bcmbox_ring_recv(&p.rx, &m, &why), 1);
	CHECK_EQ(m.hdr.type, BCMBOX_EVT_INVALIDATE);
	CHECK_EQ(m.hdr.block_id, 100);
	/* Fill again after the marker was read: a new overflow gets a new marker. */
	for (uint32_t i = 0; i < 20; i++) {
		h.block_id = 200 + i;
		bcmbox_event_post(&p.tx, &ovf, &h, NULL);
	}
	int markers = 0, events = 0;

	while (bcmbox_ring_recv(&p.rx, &m, &why) == 1) {
		if (m.hdr.type == BCMBOX_EVT_OVERFLOW)
			markers++;
		else
			events++;
	}
	CHECK_EQ(markers, 1);
	CHECK_EQ(events, 15);
	pair_close(&p);
}

/*
 * The VF client takes only its own session's events: a PF restart or a
 * window reset leaves events of the old session (epoch E - 1) in the ring
 * beside the new session's (E), and only E's reach the VF, in order.
 */
static void
test_client_event_epoch(void)
{
	struct bcmbox_window_cfg cfg = { 256, 256, 64, 0 };
	uint32_t size = bcmbox_window_size(&cfg), e = 0x5e55;
	uint8_t *base = aligned_alloc(4096, size);
	struct bcmbox_evt_overflow ovf = { 0 };
	struct bcmbox_client c;
	struct bcmbox_ring pf_evt;
	struct bcmbox_msg m;
	uint32_t want = 0, got = 0;

	memset(base, 0, size);
	CHECK_EQ(bcmbox_window_format(base, size, 0, 1, &cfg), 0);
	CHECK_EQ(bcmbox_client_open(&c, base, size), 0);
	CHECK_EQ(bcmbox_ring_init(&pf_evt, c.w.evt, c.w.info.evt_slots, &c.w.vf->evt_cons), 0);
	CHECK_EQ(bcmbox_client_attach(&c, e), 0);	/* the session HELLO would have given */
	for (uint32_t i = 0; i < 40; i++) {
		/* old, new, old, old, new, ...: both kinds, interleaved and in runs */
		bool mine = i % 5 == 1 || i % 5 == 4;
		struct bcmbox_msg_hdr h = { .type = BCMBOX_EVT_INVALIDATE,
					    .epoch = mine ? e : e - 1, .block_id = 0x100 + i,
					    .arg = i };

		CHECK_EQ(bcmbox_event_post(&pf_evt, &ovf, &h, NULL), 0);
		if (mine)
			want++;
	}
	for (uint32_t i = 0; bcmbox_client_event(&c, &m) == 1; i++) {
		CHECK_EQ(m.hdr.epoch, e);
		CHECK(m.hdr.arg % 5 == 1 || m.hdr.arg % 5 == 4);
		CHECK_EQ(m.hdr.block_id, 0x100 + m.hdr.arg);
		CHECK(i == 0 || m.hdr.arg > got);	/* in order */
		got = m.hdr.arg;
		want--;
	}
	CHECK_EQ(want, 0);	/* every one of the session's events arrived */
	CHECK_EQ(c.bad_events, 0);	/* an old session's events are not malformed */
	/* A later session ignores this one's events too. */
	struct bcmbox_msg_hdr h = { .type = BCMBOX_EVT_LINK, .epoch = e, .length = 8 };
	uint64_t link = 1;

	CHECK_EQ(bcmbox_event_post(&pf_evt, &ovf, &h, &link), 0);
	bcmbox_client_adopt_epoch(&c, e + 1);
	CHECK_EQ(bcmbox_client_event(&c, &m), 0);
	free(base);
}

/* The fake PF of test_client_engine(): answer every request; READs get 64 bytes of tag. */
static unsigned int
engine_pf_answer(struct bcmbox_ring *pf_req, struct bcmbox_ring *pf_resp, uint32_t e,
		 uint32_t noent_tag)
{
	enum bcmbox_reject why;
	struct bcmbox_msg q;
	unsigned int n = 0;

	while (bcmbox_ring_recv(pf_req, &q, &why) == 1) {
		uint8_t data[64];
		struct bcmbox_msg_hdr h = { .type = q.hdr.type | BCMBOX_RESP, .tag = q.hdr.tag,
					    .epoch = e, .block_id = q.hdr.block_id,
					    .offset = q.hdr.offset, .arg = 7 };

		if (q.hdr.tag == noent_tag) {
			h.status = BCMBOX_ST_NOENT;
		} else if (q.hdr.type == BCMBOX_MSG_READ) {
			h.length = q.hdr.arg;
			memset(data, (int)(q.hdr.tag & 0xff), sizeof(data));
		}
		CHECK(bcmbox_ring_send(pf_resp, &h, data) > 0);
		n++;
	}
	return n;
}

/*
 * The request engine on its own, the PF played here: async submits fill
 * the pending table (then -EAGAIN), pump completes them and copies READ
 * data, completions come back in order with their cookies; expire and
 * lost fail what is in flight, and late answers count as unexpected.
 */
static void
test_client_engine(void)
{
	struct bcmbox_window_cfg cfg = { 256, 256, 64, 0 };
	uint32_t size = bcmbox_window_size(&cfg), e = 0xe9, first;
	uint8_t *base = aligned_alloc(4096, size);
	static uint8_t bufs[BCMBOX_CLIENT_PENDING + 2][64];
	struct bcmbox_completion out[BCMBOX_CLIENT_PENDING];
	struct bcmbox_ring pf_req, pf_resp;
	struct bcmbox_client c;
	struct bcmbox_msg m;
	unsigned int i, n;

	memset(base, 0, size);
	CHECK_EQ(bcmbox_window_format(base, size, 0, 1, &cfg), 0);
	CHECK_EQ(bcmbox_client_open(&c, base, size), 0);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 1, 0, bufs[0], 64, NULL), -ENOTCONN);
	CHECK_EQ(bcmbox_client_attach(&c, e), 0);
	CHECK_EQ(bcmbox_ring_init(&pf_req, c.w.req, c.w.info.req_slots, &c.w.req_cons->pos), 0);
	CHECK_EQ(bcmbox_ring_init(&pf_resp, c.w.resp, c.w.info.resp_slots, &c.w.vf->resp_cons), 0);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 1, 0, bufs[0], 0, NULL), -EINVAL);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 1, 0, bufs[0], BCMBOX_MAX_XFER + 1, NULL),
		 -EINVAL);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_BYE, 1, 0, bufs[0], 8, NULL), -EINVAL);
	first = c.next_tag;
	for (i = 0; i < BCMBOX_CLIENT_PENDING; i++)
		CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 0x100, i * 64, bufs[i], 64,
					      (void *)(uintptr_t)(i + 1)), 0);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 0x100, 0, bufs[i], 64, NULL), -EAGAIN);
	CHECK_EQ(bcmbox_client_completions(&c, out, BCMBOX_CLIENT_PENDING), 0);	/* none answered yet */
	CHECK_EQ(engine_pf_answer(&pf_req, &pf_resp, e, first + 3), BCMBOX_CLIENT_PENDING);
	CHECK_EQ(bcmbox_client_pump(&c, &m), BCMBOX_CLIENT_PENDING);
	/* In submission order, a few at a time. */
	CHECK_EQ(bcmbox_client_completions(&c, out, 10), 10);
	n = 10;
	n += bcmbox_client_completions(&c, out + 10, BCMBOX_CLIENT_PENDING - 10);
	CHECK_EQ(n, BCMBOX_CLIENT_PENDING);
	for (i = 0; i < n; i++) {
		CHECK_EQ((uintptr_t)out[i].cookie, i + 1);
		CHECK_EQ(out[i].status, i == 3 ? -ENOENT : 0);
		CHECK_EQ(out[i].version, 7u);
		CHECK_EQ(out[i].len, i == 3 ? 0u : 64u);
		if (i != 3)
			CHECK_EQ(bufs[i][63], (uint8_t)(first + i));
	}
	CHECK_EQ(bcmbox_client_completions(&c, out, 1), 0);
	/* The table is free again; two requests expire, their late answers are unexpected. */
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_WRITE, 0x100, 0, bufs[0], 8, out), 0);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 0x100, 0, bufs[1], 64, out + 1), 0);
	bcmbox_client_expire(&c, -ETIMEDOUT, bcmbox_client_clock(&c) + 1);
	CHECK_EQ(bcmbox_client_completions(&c, out, 4), 2);
	CHECK_EQ(out[0].status, -ETIMEDOUT);
	CHECK_EQ(out[1].status, -ETIMEDOUT);
	CHECK_EQ(engine_pf_answer(&pf_req, &pf_resp, e, 0), 2);
	CHECK_EQ(bcmbox_client_pump(&c, &m), 2);
	CHECK_EQ(c.st.unexpected, 2);
	/* A young request is not expired; a lost session fails it, and takes no more. */
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 0x100, 0, bufs[0], 64, NULL), 0);
	bcmbox_client_expire(&c, -ETIMEDOUT, bcmbox_client_clock(&c) - 1000000000ull);
	CHECK_EQ(bcmbox_client_completions(&c, out, 4), 0);
	bcmbox_client_lost(&c);
	CHECK_EQ(bcmbox_client_completions(&c, out, 4), 1);
	CHECK_EQ(out[0].status, -ENOTCONN);
	CHECK_EQ(bcmbox_client_submit(&c, BCMBOX_MSG_READ, 0x100, 0, bufs[0], 64, NULL), -ENOTCONN);
	CHECK_EQ(c.st.requests, BCMBOX_CLIENT_PENDING + 3);
	CHECK_EQ(c.st.completed, BCMBOX_CLIENT_PENDING + 3);
	CHECK_EQ(c.st.errors, 1);
	CHECK_EQ(c.st.timeouts, 2);
	CHECK_EQ(c.st.not_connected, 1);
	free(base);
}

static void
test_window(void)
{
	struct bcmbox_window_cfg cfg = { 256, 256, 64, 0 };
	struct bcmbox_window w;
	uint32_t size = bcmbox_window_size(&cfg);
	uint8_t *base;

	CHECK_EQ(size, 65536);
	CHECK_EQ(bcmbox_window_cfg_check(&cfg), 0);
	base = aligned_alloc(4096, size);
	memset(base, 0xa5, size);
	CHECK_EQ(bcmbox_window_map(&w, base, size), -ENODEV);
	CHECK_EQ(bcmbox_window_format(base, size, 3, 8, &cfg), 0);
	CHECK_EQ(bcmbox_window_map(&w, base, size), 0);
	CHECK_EQ(w.info.vf_index, 3);
	CHECK_EQ(w.info.num_vfs, 8);
	CHECK_EQ(w.info.req_slots, 256);
	CHECK_EQ((uint8_t *)w.req - base, 0x1000 + 3 * 64);	/* VF 3's color */
	CHECK_EQ((uint8_t *)w.evt - base, 0x1000 + 3 * 64 + 512 * 64);
	CHECK_EQ(w.pf->pf_epoch, 0);
	CHECK_EQ(w.vf->resp_cons, 0);
	/* truncated mapping */
	CHECK_EQ(bcmbox_window_map(&w, base, size / 2), -EINVAL);
	CHECK_EQ(bcmbox_window_map(&w, base, 100), -EINVAL);
	/* other layout version */
	((struct bcmbox_win_info *)base)->layout_version = 2;
	CHECK_EQ(bcmbox_window_map(&w, base, size), -EPROTONOSUPPORT);
	/* inconsistent geometry */
	CHECK_EQ(bcmbox_window_format(base, size, 3, 8, &cfg), 0);
	((struct bcmbox_win_info *)base)->evt_slots = 1024;
	CHECK_EQ(bcmbox_window_map(&w, base, size), -EINVAL);
	CHECK_EQ(bcmbox_window_format(base, size, 3, 8, &cfg), 0);
	((struct bcmbox_win_info *)base)->vf_index = 8;
	CHECK_EQ(bcmbox_window_map(&w, base, size), -EINVAL);
	/* bad configurations */
	CHECK_EQ(bcmbox_window_format(base, size, 8, 8, &cfg), -EINVAL);
	CHECK_EQ(bcmbox_window_format(base, size / 2, 0, 8, &cfg), -EINVAL);
	struct bcmbox_window_cfg bad = { 100, 256, 64, 0 };

	CHECK_EQ(bcmbox_window_cfg_check(&bad), -EINVAL);
	bad = (struct bcmbox_window_cfg){ 256, 8192, 64, 0 };
	CHECK_EQ(bcmbox_window_cfg_check(&bad), -EINVAL);
	bad = (struct bcmbox_window_cfg){ 256, 256, 8, 0 };
	CHECK_EQ(bcmbox_window_cfg_check(&bad), -EINVAL);
	bad = (struct bcmbox_window_cfg){ 256, 256, 64, 100 };
	CHECK_EQ(bcmbox_window_cfg_check(&bad), -EINVAL);
	/* With a data path: 2 x 256 buffers of 2 KiB after the mailbox, a 2 MiB window. */
	struct bcmbox_window_cfg dp = { 256, 256, 64, 256 };
	uint32_t dsize = bcmbox_window_size(&dp);
	uint8_t *dbase = aligned_alloc(4096, dsize);

	CHECK_EQ(dsize, 2u << 20);
	memset(dbase, 0, dsize);
	CHECK_EQ(bcmbox_window_format(dbase, dsize, 1, 2, &dp), 0);
	CHECK_EQ(bcmbox_window_map(&w, dbase, dsize), 0);
	CHECK_EQ(w.info.data_slots, 256);
	CHECK_EQ((uint8_t *)w.tx - dbase, 0xb000);
	CHECK_EQ((uint8_t *)w.rx - (uint8_t *)w.tx, 256 * 2048);
	((struct bcmbox_win_info *)dbase)->data_buf_size = 1024;
	CHECK_EQ(bcmbox_window_map(&w, dbase, dsize), -EINVAL);
	free(dbase);
	free(base);
}

static void
test_ring_init_rejects(void)
{
	struct bcmbox_ring r;
	uint32_t c;
	struct bcmbox_slot s[4];

	CHECK_EQ(bcmbox_ring_init(&r, s, 0, &c), -EINVAL);
	CHECK_EQ(bcmbox_ring_init(&r, s, 100, &c), -EINVAL);
	CHECK_EQ(bcmbox_ring_init(&r, s, 8, &c), -EINVAL);
	CHECK_EQ(bcmbox_ring_init(&r, s, 8192, &c), -EINVAL);
	CHECK_EQ(bcmbox_ring_init(&r, NULL, 128, &c), -EINVAL);
	CHECK_EQ(bcmbox_ring_init(&r, s, 128, NULL), -EINVAL);
}

/*
 * A queue shallower than its ring: the producer keeps at most cap buffers
 * unconsumed; with cap_pos, the consumer's published depth (read when the
 * ring looks full, clamped: an untrusted size).
 */
static void
test_pkt_depth(void)
{
	static struct bcmbox_pkt_buf bufs[256];
	static struct bcmbox_pkt p;
	uint8_t data[64] = { 0 };
	const void *seg = data;
	uint32_t cons = 0, len = 64, depth = 0, n;
	struct bcmbox_pkt_ring tx, rx;

	CHECK_EQ(bcmbox_pkt_depth(256, 0), 256);
	CHECK_EQ(bcmbox_pkt_depth(256, 300), 256);
	CHECK_EQ(bcmbox_pkt_depth(256, 1), BCMBOX_PKT_MAX_BUFS);
	CHECK_EQ(bcmbox_pkt_depth(256, 100), 100);
	bcmbox_pkt_ring_clear(bufs, 256, &cons);
	bcmbox_pkt_ring_init(&tx, bufs, 256, &cons);
	bcmbox_pkt_ring_init(&rx, bufs, 256, &cons);
	/* The producer's own bound (a VF's Tx queue). */
	bcmbox_pkt_ring_set_cap(&tx, 100, NULL);
	for (n = 0; bcmbox_pkt_send(&tx, &seg, &len, 1, len) == 0; n++)
		;
	CHECK_EQ(n, 100);
	while (bcmbox_pkt_recv(&rx, &p) == 1)
		;
	bcmbox_pkt_release(&rx);
	/* The consumer's published depth (a VF's Rx queue, the switch producing). */
	depth = 70;
	bcmbox_pkt_ring_set_cap(&tx, depth, &depth);
	for (n = 0; bcmbox_pkt_send(&tx, &seg, &len, 1, len) == 0; n++)
		;
	CHECK_EQ(n, 70);
	while (bcmbox_pkt_recv(&rx, &p) == 1)
		;
	bcmbox_pkt_release(&rx);
	depth = 0xffffffffu;	/* nonsense: the whole ring, read when the queue looks full */
	for (n = 0; bcmbox_pkt_send(&tx, &seg, &len, 1, len) == 0; n++)
		;
	CHECK_EQ(n, 256);
}

/* Packet rings: sizes across buffer boundaries, wrap, full, segments. */
static void
test_pkt_ring(void)
{
	static struct bcmbox_pkt_buf bufs[64];
	static struct bcmbox_pkt p;
	static uint8_t data[BCMBOX_PKT_MAX_LEN + 8];
	uint32_t cons = 0, sizes[] = { 1, 60, 64, 2039, 2040, 2041, 4080, 4081, 9000, 9216 };
	struct bcmbox_pkt_ring tx, rx;

	bcmbox_pkt_ring_clear(bufs, 64, &cons);
	bcmbox_pkt_ring_init(&tx, bufs, 64, &cons);
	bcmbox_pkt_ring_init(&rx, bufs, 64, &cons);
	CHECK_EQ(bcmbox_pkt_bufs(2040), 1);
	CHECK_EQ(bcmbox_pkt_bufs(2041), 2);
	CHECK_EQ(bcmbox_pkt_bufs(9216), 5);
	for (int round = 0; round < 20; round++) {
		for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			uint32_t len = sizes[k];
			/* Three segments of uneven sizes. */
			uint32_t a = len / 3, b = len / 2 - a / 2, c = len - a - b;
			const void *segs[3] = { data, data + a, data + a + b };
			uint32_t seg_len[3] = { a, b, c };

			fill(data, len, round * 31 + k);
			CHECK_EQ(bcmbox_pkt_send(&tx, segs, seg_len, 3, len), 0);
			CHECK(bcmbox_pkt_ready(&rx));
			CHECK_EQ(bcmbox_pkt_recv(&rx, &p), 1);
			CHECK_EQ(p.len, len);
			CHECK(memcmp(p.data, data, len) == 0);
			bcmbox_pkt_release(&rx);
		}
	}
	CHECK_EQ(bcmbox_pkt_recv(&rx, &p), 0);
	/* Full: nothing written when it does not fit. */
	const void *seg = data;
	uint32_t len = 9000;

	for (int i = 0; i < 12; i++)
		CHECK_EQ(bcmbox_pkt_send(&tx, &seg, &len, 1, len), 0);
	CHECK_EQ(bcmbox_pkt_free(&tx, 64), 4);
	uint32_t before = tx.pos;

	CHECK_EQ(bcmbox_pkt_send(&tx, &seg, &len, 1, len), -ENOSPC);
	CHECK_EQ(tx.pos, before);
	len = BCMBOX_PKT_MAX_LEN + 1;
	CHECK_EQ(bcmbox_pkt_send(&tx, &seg, &len, 1, len), -EMSGSIZE);
	while (bcmbox_pkt_recv(&rx, &p) == 1)
		;
	bcmbox_pkt_release(&rx);
	/* A consumer position that cannot be. */
	cons = tx.pos + 5;
	CHECK_EQ(bcmbox_pkt_free(&tx, 64), -EPROTO);
	cons = tx.pos;
	/* Malformed: MORE on a short buffer, a continuation never published, len too big. */
	struct bcmbox_pkt_buf *b = &bufs[rx.pos & 63];

	b->len = 10;
	b->flags = BCMBOX_PKT_MORE;
	__atomic_store_n(&b->seq, rx.pos + 1, __ATOMIC_RELEASE);
	CHECK_EQ(bcmbox_pkt_recv(&rx, &p), -EBADMSG);
	b = &bufs[rx.pos & 63];
	b->len = BCMBOX_PKT_DATA;
	b->flags = BCMBOX_PKT_MORE;
	bufs[(rx.pos + 1) & 63].seq = 0;
	__atomic_store_n(&b->seq, rx.pos + 1, __ATOMIC_RELEASE);
	CHECK_EQ(bcmbox_pkt_recv(&rx, &p), -EBADMSG);
	b = &bufs[rx.pos & 63];
	b->len = BCMBOX_PKT_DATA + 1;
	b->flags = 0;
	__atomic_store_n(&b->seq, rx.pos + 1, __ATOMIC_RELEASE);
	CHECK_EQ(bcmbox_pkt_recv(&rx, &p), -EBADMSG);
	/* The ring moves on: a good packet after the garbage arrives. */
	tx.pos = rx.pos;
	len = 100;
	CHECK_EQ(bcmbox_pkt_send(&tx, &seg, &len, 1, len), 0);
	CHECK_EQ(bcmbox_pkt_recv(&rx, &p), 1);
	CHECK_EQ(p.len, 100);
}

/*
 * doc/mailbox.md as a VF writer reads it (issue 14 items 1, 2, 5): the
 * data_offset formula of section 1.2 for every color and ring size, each
 * acceptance rule, and the wire numbers of the reject reasons.
 */
static void
test_spec_layout(void)
{
	static const uint32_t rings[][3] = { { 128, 128, 16 }, { 256, 256, 64 },
					     { 4096, 4096, 1024 }, { 128, 4096, 16 } };
	static const uint16_t vfs[] = { 0, 1, 63, 64, 65, 255 };
	struct bcmbox_window w;

	for (unsigned int r = 0; r < RTE_DIM_(rings); r++) {
		for (unsigned int data = 0; data < 2; data++) {
			struct bcmbox_window_cfg cfg = { rings[r][0], rings[r][1], rings[r][2],
							 data ? 64 : 0 };
			uint32_t size = bcmbox_window_size(&cfg);
			/* The text: 0x1000 + 64 x 64 + 64 x (req + resp + evt), up to 4 KiB. */
			uint32_t end = 0x1000 + 64 * 64 + 64 * (rings[r][0] + rings[r][1] +
								rings[r][2]);
			uint32_t doff = (end + 4095) & ~4095u;
			uint8_t *base = aligned_alloc(4096, size);

			REQUIRE(base != NULL);
			CHECK(size >= (data ? doff + 2 * 64 * 2048 : end));
			CHECK_EQ(size & (size - 1), 0);
			for (unsigned int i = 0; i < RTE_DIM_(vfs); i++) {
				memset(base, 0, size);
				CHECK_EQ(bcmbox_window_format(base, size, vfs[i], 256, &cfg), 0);
				CHECK_EQ(bcmbox_window_map(&w, base, size), 0);
				CHECK_EQ(w.info.data_offset, data ? doff : 0);
				CHECK_EQ(w.info.req_offset, 0x1000 + 64 * (vfs[i] % 64));
				CHECK_EQ(w.info.evt_offset + w.info.evt_slots * 64 <= end, 1);
			}
			free(base);
		}
	}
	/* Acceptance: each rule of section 1.2 refuses a window that breaks it. */
	struct bcmbox_window_cfg cfg = { 256, 256, 64, 0 };
	uint32_t size = bcmbox_window_size(&cfg);
	uint8_t *base = aligned_alloc(4096, size);
	struct bcmbox_win_info *info = (struct bcmbox_win_info *)base;

	REQUIRE(base != NULL);
#define REFUSED(field, value, rc) do { \
		memset(base, 0, size); \
		CHECK_EQ(bcmbox_window_format(base, size, 5, 8, &cfg), 0); \
		info->field = value; \
		CHECK_EQ(bcmbox_window_map(&w, base, size), rc); \
	} while (0)
	REFUSED(magic, 0x12345678, -ENODEV);
	REFUSED(layout_version, 2, -EPROTONOSUPPORT);
	REFUSED(slot_size, 128, -EINVAL);
	REFUSED(vf_index, 8, -EINVAL);
	REFUSED(num_vfs, 257, -EINVAL);
	REFUSED(window_size, size * 2, -EINVAL);
	REFUSED(req_offset, 0x1000, -EINVAL);
	REFUSED(resp_slots, 100, -EINVAL);
	REFUSED(max_xfer, 8192, -EINVAL);
	REFUSED(max_block_size, 4096, -EINVAL);
	REFUSED(data_offset, 0x10000, -EINVAL);	/* no data path: 0 */
	REFUSED(data_buf_size, 2048, -EINVAL);	/* no data path: 0 */
	REFUSED(reserved, 1, -EINVAL);
	REFUSED(reserved, 0, 0);
#undef REFUSED
	free(base);
	/* Section 5: the reason numbers a PROTO answer carries in arg. */
	CHECK_EQ(BCMBOX_REJ_NSLOTS, 1);
	CHECK_EQ(BCMBOX_REJ_CONT_SEQ, 2);
	CHECK_EQ(BCMBOX_REJ_LENGTH, 3);
	CHECK_EQ(BCMBOX_REJ_TYPE, 4);
	CHECK_EQ(BCMBOX_REJ_STATUS, 5);
	CHECK_EQ(BCMBOX_REJ_EPOCH, 6);
	CHECK_EQ(BCMBOX_REJ_XFER, 7);
	CHECK_EQ(BCMBOX_REJ_RANGE, 8);
	CHECK_EQ(BCMBOX_REJ_PAYLOAD, 9);
	CHECK_EQ(BCMBOX_REJ_HELLO, 10);
	CHECK_EQ(BCMBOX_REJ_RESERVED, 11);
	CHECK_EQ(BCMBOX_ST_MSGSIZE, 4);
	CHECK_EQ(BCMBOX_ST_NOTSUP, 9);
}

static const struct check_case cases[] = {
	{ "msg_slots", test_msg_slots },
	{ "roundtrip_all_messages", test_roundtrip_all_messages },
	{ "ring_empty_full_wrap", test_ring_empty_full_wrap },
	{ "ring_position_wrap", test_ring_position_wrap },
	{ "multislot_across_wrap", test_multislot_across_wrap },
	{ "burst", test_burst },
	{ "framing_rejects", test_framing_rejects },
	{ "bad_consumer_position", test_bad_consumer_position },
	{ "check_request", test_check_request },
	{ "check_response_and_event", test_check_response_and_event },
	{ "status_errno", test_status_errno },
	{ "negotiate", test_negotiate },
	{ "event_overflow", test_event_overflow },
	{ "client_event_epoch", test_client_event_epoch },
	{ "client_engine", test_client_engine },
	{ "window", test_window },
	{ "spec_layout", test_spec_layout },
	{ "ring_init_rejects", test_ring_init_rejects },
	{ "pkt_ring", test_pkt_ring },
	{ "pkt_depth", test_pkt_depth },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return check_run(cases, argc, argv);
}
