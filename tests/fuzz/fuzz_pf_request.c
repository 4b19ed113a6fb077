/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the PF's view of a VF's request ring. */
#include <stdlib.h>

#include "fuzz_common.h"

static struct fuzz_ring f;
static struct bcmbox_msg m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t rejects[BCMBOX_REJ__MAX] = { 0 };

	fuzz_ring_load(&f, data, size);
	for (unsigned int round = 0; round < 2 * FUZZ_RING_SLOTS; round++) {
		enum bcmbox_reject why = BCMBOX_REJ__MAX;
		int rc = bcmbox_ring_recv(&f.ring, &m, &why);

		if (rc == 0)
			break;
		if (rc < 0) {
			if (why >= BCMBOX_REJ__MAX || why == BCMBOX_REJ_NONE)
				abort();
			rejects[why]++;
			continue;
		}
		/* Framing accepted: the copy must be self-consistent. */
		if (m.hdr.length > BCMBOX_MAX_XFER || bcmbox_msg_slots(m.hdr.length) != m.hdr.nslots)
			abort();
		why = bcmbox_check_request(&m, f.epoch);
		if (why >= BCMBOX_REJ__MAX)
			abort();
		rejects[why]++;
		if (why != BCMBOX_REJ_NONE)
			continue;
		/* What the PF relies on once a request is valid. */
		switch (m.hdr.type) {
		case BCMBOX_MSG_HELLO: {
			struct bcmbox_hello_req h;

			memcpy(&h, m.payload, sizeof(h));
			(void)bcmbox_negotiate(h.proto_min, h.proto_max, BCMBOX_PROTO_MIN,
					       BCMBOX_PROTO_MAX);
			break;
		}
		case BCMBOX_MSG_READ:
			if (m.hdr.arg == 0 || m.hdr.arg > BCMBOX_MAX_XFER ||
			    (uint64_t)m.hdr.offset + m.hdr.arg > BCMBOX_MAX_BLOCK_SIZE)
				abort();
			break;
		case BCMBOX_MSG_WRITE:
			if ((uint64_t)m.hdr.offset + m.hdr.length > BCMBOX_MAX_BLOCK_SIZE ||
			    m.hdr.epoch != f.epoch || f.epoch == 0)
				abort();
			break;
		default:
			break;
		}
	}
	/* Whatever was consumed, good or bad, was published to the producer. */
	if (f.ring.pos != f.cons_pos)
		abort();
	return 0;
}
