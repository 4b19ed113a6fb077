/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz input -> ring image. Layout: start position (4 bytes), session
 * epoch (4), then per slot 1 control byte and 60 data bytes. Control 0
 * gives the slot the seq its position expects, anything else a wrong
 * one, so the fuzzer reaches past the readiness check.
 */
#ifndef BCNIC_FUZZ_COMMON_H
#define BCNIC_FUZZ_COMMON_H

#include <stdint.h>
#include <string.h>

#include "bcmbox.h"

#define FUZZ_RING_SLOTS 128u
#define FUZZ_SLOT_BYTES (1u + BCMBOX_SLOT_DATA)

struct fuzz_ring {
	struct bcmbox_slot slots[FUZZ_RING_SLOTS] __attribute__((aligned(64)));
	uint32_t cons_pos;
	uint32_t epoch;
	struct bcmbox_ring ring;
};

static inline size_t
fuzz_ring_load(struct fuzz_ring *f, const uint8_t *data, size_t size)
{
	uint32_t start = 0;
	size_t used = 0;

	memset(f->slots, 0, sizeof(f->slots));
	f->epoch = 0;
	if (size >= 8) {
		memcpy(&start, data, 4);
		memcpy(&f->epoch, data + 4, 4);
		used = 8;
	}
	for (uint32_t i = 0; i < FUZZ_RING_SLOTS && used + FUZZ_SLOT_BYTES <= size; i++) {
		struct bcmbox_slot *s = &f->slots[(start + i) & (FUZZ_RING_SLOTS - 1)];

		s->seq = start + i + 1 + data[used];
		memcpy(s->data, data + used + 1, BCMBOX_SLOT_DATA);
		used += FUZZ_SLOT_BYTES;
	}
	bcmbox_ring_init(&f->ring, f->slots, FUZZ_RING_SLOTS, &f->cons_pos);
	f->ring.pos = start;
	f->cons_pos = start;
	return used;
}

#endif
