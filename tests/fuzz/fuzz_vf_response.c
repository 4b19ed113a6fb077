/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the VF's view of its response and event rings. */
#include <stdlib.h>

#include "fuzz_common.h"

static struct fuzz_ring resp, evt;
static struct bcmbox_msg m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used = fuzz_ring_load(&resp, data, size);

	fuzz_ring_load(&evt, data + used, size - used);
	for (unsigned int round = 0; round < 2 * FUZZ_RING_SLOTS; round++) {
		enum bcmbox_reject why = BCMBOX_REJ__MAX;
		int rc = bcmbox_ring_recv(&resp.ring, &m, &why);

		if (rc == 0)
			break;
		if (rc < 0)
			continue;
		why = bcmbox_check_response(&m, resp.epoch);
		if (why != BCMBOX_REJ_NONE)
			continue;
		if (m.hdr.status != BCMBOX_ST_OK) {
			if (bcmbox_status_to_errno(m.hdr.status) >= 0 || m.hdr.length != 0)
				abort();
			continue;
		}
		switch (m.hdr.type & ~BCMBOX_RESP) {
		case BCMBOX_MSG_HELLO: {
			struct bcmbox_hello_resp h;

			memcpy(&h, m.payload, sizeof(h));
			(void)bcmbox_negotiate(h.proto, h.proto, BCMBOX_PROTO_MIN, BCMBOX_PROTO_MAX);
			break;
		}
		case BCMBOX_MSG_LIST: {
			struct bcmbox_catalog_entry e;

			for (uint32_t i = 0; i < m.hdr.length / sizeof(e); i++)
				memcpy(&e, m.payload + i * sizeof(e), sizeof(e));
			break;
		}
		case BCMBOX_MSG_READ:
			if ((uint64_t)m.hdr.offset + m.hdr.length > BCMBOX_MAX_BLOCK_SIZE)
				abort();
			break;
		default:
			break;
		}
	}
	for (unsigned int round = 0; round < 2 * FUZZ_RING_SLOTS; round++) {
		enum bcmbox_reject why = BCMBOX_REJ_NONE;
		int rc = bcmbox_ring_recv(&evt.ring, &m, &why);

		if (rc == 0)
			break;
		if (rc < 0)
			continue;
		if (bcmbox_check_event(&m) == BCMBOX_REJ_NONE && m.hdr.type == BCMBOX_EVT_LINK) {
			struct bcmbox_link_evt l;

			memcpy(&l, m.payload, sizeof(l));
		}
	}
	return 0;
}
