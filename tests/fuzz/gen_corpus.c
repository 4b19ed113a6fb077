/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of the fuzz targets: rings holding well-formed
 * conversations, in the input layout of fuzz_common.h.
 * Usage: gen_corpus <pf_request dir> <vf_response dir> <pf_window dir>
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

static uint8_t out[12 + 8 + FUZZ_RING_SLOTS * FUZZ_SLOT_BYTES];

/* Serialise slots [start, start + n) of r as a fuzz input. */
static size_t
dump(const struct bcmbox_slot *slots, uint32_t start, uint32_t n, uint32_t epoch, uint8_t *buf)
{
	size_t len = 8;

	memcpy(buf, &start, 4);
	memcpy(buf + 4, &epoch, 4);
	for (uint32_t i = 0; i < n; i++) {
		const struct bcmbox_slot *s = &slots[(start + i) & (FUZZ_RING_SLOTS - 1)];

		buf[len] = (uint8_t)(s->seq - (start + i + 1));
		memcpy(buf + len + 1, s->data, BCMBOX_SLOT_DATA);
		len += FUZZ_SLOT_BYTES;
	}
	return len;
}

static void
save(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	static struct fuzz_ring r;
	static uint8_t data[BCMBOX_MAX_XFER];
	struct bcmbox_hello_req hreq = { 1, 1, BCMBOX_CAP_EVENTS };
	struct bcmbox_hello_resp hresp = { .proto = 1, .pf_epoch = 5, .vf_epoch = 9,
					   .max_xfer = BCMBOX_MAX_XFER, .num_blocks = 2 };
	struct bcmbox_catalog_entry cat[2] = { { 1, 64, 2, 0, 0, 1 }, { 0xffff0001u, 8, 2, 0, 0, 1 } };
	struct bcmbox_link_evt link = { 1, 10000 };
	uint32_t start = FUZZ_RING_SLOTS - 3; /* conversations cross the wrap */
	struct bcmbox_msg_hdr h;
	size_t len;

	if (argc != 4)
		return 2;
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;

	/* PF side: HELLO, LIST, READ, WRITE (small and multi-slot), BYE. */
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	r.ring.pos = r.ring.cons_cache = start;
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO, .tag = 1, .length = sizeof(hreq) };
	bcmbox_ring_send(&r.ring, &h, &hreq);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_LIST, .tag = 2, .epoch = 9 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 3, .epoch = 9, .block_id = 1, .arg = 64 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 4, .epoch = 9, .block_id = 1, .length = 8 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 5, .epoch = 9, .block_id = 1,
				     .offset = 64, .length = 300 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_BYE, .tag = 6, .epoch = 9 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	len = dump(r.slots, start, r.ring.pos - start, 9, out);
	save(argv[1], "conversation", out, len);
	len = dump(r.slots, start, 1, 0, out);
	save(argv[1], "hello", out, len);
	/* A type the PF does not know: answered 0x80 NOTSUP. */
	h = (struct bcmbox_msg_hdr){ .type = 0x06, .tag = 7, .epoch = 9 };
	r.ring.pos = r.ring.cons_cache = start;
	bcmbox_ring_send(&r.ring, &h, NULL);
	len = dump(r.slots, start, 1, 9, out);
	save(argv[1], "unknown-type", out, len);

	/* VF side: the answers, then events. */
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	r.ring.pos = r.ring.cons_cache = start;
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_HELLO | BCMBOX_RESP, .tag = 1, .epoch = 9,
				     .length = sizeof(hresp) };
	bcmbox_ring_send(&r.ring, &h, &hresp);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_LIST | BCMBOX_RESP, .tag = 2, .epoch = 9,
				     .length = sizeof(cat), .arg = 2 };
	bcmbox_ring_send(&r.ring, &h, cat);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ | BCMBOX_RESP, .tag = 3, .epoch = 9,
				     .block_id = 1, .length = 64, .arg = 1 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE | BCMBOX_RESP, .tag = 4, .epoch = 9,
				     .status = BCMBOX_ST_ACCESS };
	bcmbox_ring_send(&r.ring, &h, NULL);
	len = dump(r.slots, start, r.ring.pos - start, 9, out);
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_INVALIDATE, .epoch = 9, .block_id = 1, .arg = 2 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_LINK, .epoch = 9, .length = sizeof(link) };
	bcmbox_ring_send(&r.ring, &h, &link);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_EVT_OVERFLOW, .epoch = 9 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	len += dump(r.slots, 0, r.ring.pos, 9, out + len);
	save(argv[2], "conversation", out, len);
	/* The answer to a request of an unknown type. */
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_RESP_UNKNOWN, .tag = 7, .epoch = 9,
				     .status = BCMBOX_ST_NOTSUP, .arg = 0x06 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	len = dump(r.slots, 0, r.ring.pos, 9, out);
	save(argv[2], "unknown-answer", out, len);

	/*
	 * PF window: ctrl 3 (a real HELLO first, epochs patched), then requests
	 * for fuzz_pf_window's blocks, laid from position 1.
	 */
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	r.ring.pos = r.ring.cons_cache = 1;
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_LIST, .tag = 2 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 3, .block_id = 1, .arg = 64 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 4, .block_id = 1, .length = 8 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 5, .block_id = 5, .offset = 10,
				     .length = 90 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 6, .block_id = 3, .offset = 61440,
				     .arg = 4096 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 7, .block_id = 4, .arg = 16 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_BYE, .tag = 8 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	uint32_t ctrl[3] = { 3, 0, 0 };

	memcpy(out, ctrl, sizeof(ctrl));
	len = sizeof(ctrl) + dump(r.slots, 1, r.ring.pos - 1, 0, out + sizeof(ctrl));
	save(argv[3], "conversation", out, len);
	ctrl[0] = 3 | 4 | 8 | 16;
	ctrl[1] = 0xffffff00;
	ctrl[2] = 77;
	memcpy(out, ctrl, sizeof(ctrl));
	save(argv[3], "bad-consumers", out, len);
	/*
	 * A 4-slot WRITE whose first continuation is not published but holds a
	 * READ header: framing is lost there, the READ must never run.
	 */
	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	r.ring.pos = r.ring.cons_cache = 1;
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 9, .block_id = 1, .length = 200 };
	bcmbox_ring_send(&r.ring, &h, data);
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .nslots = 1, .tag = 10, .block_id = 1,
				     .arg = 64 };
	memcpy(r.slots[2].data, &h, sizeof(h));
	r.slots[2].seq = 0;
	ctrl[0] = 3;
	memcpy(out, ctrl, sizeof(ctrl));
	len = sizeof(ctrl) + dump(r.slots, 1, 4, 0, out + sizeof(ctrl));
	save(argv[3], "hidden-request", out, len);
	/* A conversation, then junk over the session line (ctrl bit 7). */
	ctrl[0] = 3 | 128;
	memcpy(out, ctrl, sizeof(ctrl));
	len = sizeof(ctrl) + dump(r.slots, 1, 0, 0, out + sizeof(ctrl));
	out[len] = 1;	/* line 1: the session line */
	memset(out + len + 1, 0xa5, 64);
	len += 65;
	save(argv[3], "pf-lines", out, len);
	/* The Rx-mode and MAC filter blocks: whole, partial, refused (policy, flags, range). */
	static const uint32_t modes[] = { 3, 2, 1, 4, 0 };

	memset(&r, 0, sizeof(r));
	bcmbox_ring_init(&r.ring, r.slots, FUZZ_RING_SLOTS, &r.cons_pos);
	r.ring.pos = r.ring.cons_cache = 1;
	for (unsigned int i = 0; i < 5; i++) {
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 10 + i,
					     .block_id = 0xffff0004u, .length = 4 };
		bcmbox_ring_send(&r.ring, &h, &modes[i]);
	}
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 15, .block_id = 0xffff0004u,
				     .offset = 1, .length = 1 };
	bcmbox_ring_send(&r.ring, &h, data);
	for (unsigned int i = 0; i < 3; i++) {
		h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_WRITE, .tag = 16 + i,
					     .block_id = 0xffff0005u, .offset = 8 * i * 2,
					     .length = 8 };
		bcmbox_ring_send(&r.ring, &h, data);
	}
	h = (struct bcmbox_msg_hdr){ .type = BCMBOX_MSG_READ, .tag = 19, .block_id = 0xffff0005u,
				     .arg = 32 };
	bcmbox_ring_send(&r.ring, &h, NULL);
	ctrl[0] = 3 | 1u << 16;	/* VF 0 trusted: promiscuous granted */
	memcpy(out, ctrl, sizeof(ctrl));
	len = sizeof(ctrl) + dump(r.slots, 1, r.ring.pos - 1, 0, out + sizeof(ctrl));
	save(argv[3], "rx-modes-trusted", out, len);
	ctrl[0] = 3;
	memcpy(out, ctrl, sizeof(ctrl));
	save(argv[3], "rx-modes", out, len);
	return 0;
}
