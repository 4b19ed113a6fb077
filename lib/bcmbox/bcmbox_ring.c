/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPSC rings of cache-line slots.
 *
 * Ordering (doc/mailbox.md, "Memory ordering"):
 *  - producer: writes slot data and continuation seq words, then stores the
 *    first slot's seq with release; the consumer's acquire load of that seq
 *    makes the whole message visible.
 *  - consumer: copies the message, then stores its position with release,
 *    so the producer's acquire load of it proves the copy is done before
 *    the slots are reused.
 */
#include <errno.h>
#include <string.h>

#include "bcmbox.h"

static inline uint32_t
load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void
store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int
bcmbox_ring_init(struct bcmbox_ring *r, void *slots, uint32_t size, uint32_t *cons_pos)
{
	if (r == NULL || slots == NULL || cons_pos == NULL || !bcmbox_is_pow2(size) ||
	    size < BCMBOX_EVT_RING_MIN || size > BCMBOX_RING_MAX)
		return -EINVAL;
	r->slots = slots;
	r->cons_pos = cons_pos;
	r->size = size;
	r->mask = size - 1;
	r->pos = 0;
	r->cons_cache = 0;
	r->max_msg_slots = size < BCMBOX_MSG_MAX_SLOTS ? size : BCMBOX_MSG_MAX_SLOTS;
	return 0;
}

void
bcmbox_ring_clear(void *slots, uint32_t size, uint32_t *cons_pos)
{
	memset(slots, 0, (size_t)size * BCMBOX_SLOT_SIZE);
	/*
	 * store-release pairs with the producer's load-acquire of cons_pos in
	 * bcmbox_ring_free(): the zeroed slots are visible before the position
	 * says "empty".
	 */
	store_release(cons_pos, 0);
}

int
bcmbox_ring_free(struct bcmbox_ring *r, uint32_t want)
{
	uint32_t used = r->pos - r->cons_cache;
	uint32_t cons;

	if (r->size - used >= want)
		return (int)(r->size - used);
	/*
	 * load-acquire synchronizes with the consumer's store-release of its
	 * position in bcmbox_ring_recv(): its copy of the slots is done before
	 * we write them again (doc/mailbox.md section 7, "consumer position").
	 */
	cons = load_acquire(r->cons_pos);
	used = r->pos - cons;
	/* The consumer may be untrusted: it cannot be ahead of us or lag by more than a ring. */
	if (used > r->size)
		return -EPROTO;
	r->cons_cache = cons;
	return (int)(r->size - used);
}

static void
write_msg(struct bcmbox_ring *r, struct bcmbox_msg_hdr *hdr, const void *payload, uint32_t n)
{
	const uint8_t *p = payload;
	uint32_t pos = r->pos;
	uint32_t len = hdr->length;
	struct bcmbox_slot *s;
	uint32_t i;

	hdr->nslots = (uint8_t)n;
	for (i = 1; i < n; i++) {
		uint32_t off = BCMBOX_FIRST_PAYLOAD + (i - 1) * BCMBOX_SLOT_DATA;
		uint32_t chunk = len - off < BCMBOX_SLOT_DATA ? len - off : BCMBOX_SLOT_DATA;

		s = &r->slots[(pos + i) & r->mask];
		memcpy(s->data, p + off, chunk);
		/* relaxed: the first slot's store-release below publishes it (section 7) */
		__atomic_store_n(&s->seq, pos + i + 1, __ATOMIC_RELAXED);
	}
	s = &r->slots[pos & r->mask];
	memcpy(s->data, hdr, BCMBOX_HDR_SIZE);
	if (len != 0)
		memcpy(s->data + BCMBOX_HDR_SIZE, p,
		       len < BCMBOX_FIRST_PAYLOAD ? len : BCMBOX_FIRST_PAYLOAD);
	/* store-release pairs with the consumer's load-acquire of this seq in recv_one() */
	store_release(&s->seq, pos + 1);
	r->pos = pos + n;
}

int
bcmbox_ring_send(struct bcmbox_ring *r, struct bcmbox_msg_hdr *hdr, const void *payload)
{
	uint32_t n;
	int free_slots;

	if (hdr->length > BCMBOX_MAX_XFER || (hdr->length != 0 && payload == NULL))
		return -EMSGSIZE;
	n = bcmbox_msg_slots(hdr->length);
	if (n > r->max_msg_slots)
		return -EMSGSIZE;
	free_slots = bcmbox_ring_free(r, n);
	if (free_slots < 0)
		return free_slots;
	if ((uint32_t)free_slots < n)
		return -ENOSPC;
	write_msg(r, hdr, payload, n);
	return (int)n;
}

int
bcmbox_ring_send_burst(struct bcmbox_ring *r, struct bcmbox_msg_hdr *hdrs,
		       const void *const *payloads, unsigned int n)
{
	uint32_t need = 0;
	unsigned int i;
	int free_slots;

	for (i = 0; i < n; i++) {
		if (hdrs[i].length > BCMBOX_MAX_XFER ||
		    bcmbox_msg_slots(hdrs[i].length) > r->max_msg_slots ||
		    (hdrs[i].length != 0 && (payloads == NULL || payloads[i] == NULL))) {
			if (i == 0)
				return -EMSGSIZE;
			n = i;
			break;
		}
		need += bcmbox_msg_slots(hdrs[i].length);
	}
	free_slots = bcmbox_ring_free(r, need);
	if (free_slots < 0)
		return free_slots;
	for (i = 0; i < n; i++) {
		uint32_t slots = bcmbox_msg_slots(hdrs[i].length);

		if ((uint32_t)free_slots < slots)
			break;
		write_msg(r, &hdrs[i], payloads != NULL ? payloads[i] : NULL, slots);
		free_slots -= (int)slots;
	}
	return (int)i;
}

void
bcmbox_ring_send_slot(struct bcmbox_ring *r, const void *data)
{
	struct bcmbox_slot *s = &r->slots[r->pos & r->mask];

	memcpy(s->data, data, BCMBOX_SLOT_DATA);
	/* store-release pairs with the consumer's load-acquire of this seq in recv_one() */
	store_release(&s->seq, r->pos + 1);
	r->pos++;
}

void
bcmbox_ring_rewind(struct bcmbox_ring *r, uint32_t pos)
{
	r->pos = pos;
	r->cons_cache = pos;
}

bool
bcmbox_ring_ready(const struct bcmbox_ring *r)
{
	/* load-acquire synchronizes with the producer's store-release of seq in write_msg() */
	return load_acquire(&r->slots[r->pos & r->mask].seq) == r->pos + 1;
}

/* Copy one message without publishing the consumer position. */
static int
recv_one(struct bcmbox_ring *r, struct bcmbox_msg *m, enum bcmbox_reject *why)
{
	uint32_t pos = r->pos;
	struct bcmbox_slot *s = &r->slots[pos & r->mask];
	uint32_t n, i;

	/*
	 * load-acquire synchronizes with the producer's store-release of the
	 * first slot's seq in write_msg(): the whole message is visible.
	 */
	if (load_acquire(&s->seq) != pos + 1)
		return 0;
	memcpy(m->raw, s->data, BCMBOX_SLOT_DATA);
	n = m->hdr.nslots;
	if (n == 0 || n > r->max_msg_slots) {
		*why = BCMBOX_REJ_NSLOTS;
		r->pos = pos + 1;
		return -EBADMSG;
	}
	for (i = 1; i < n; i++) {
		s = &r->slots[(pos + i) & r->mask];
		/*
		 * An honest producer's continuations are covered by the first
		 * slot's acquire; acquire here too, so that a peer publishing
		 * them late cannot have us copy data older than the seq we checked.
		 */
		if (load_acquire(&s->seq) != pos + i + 1) {
			/* An honest producer publishes continuations first. */
			*why = BCMBOX_REJ_CONT_SEQ;
			r->pos = pos + 1;
			return -EBADMSG;
		}
		memcpy(m->raw + (size_t)i * BCMBOX_SLOT_DATA, s->data, BCMBOX_SLOT_DATA);
	}
	r->pos = pos + n;
	if (m->hdr.length > BCMBOX_MAX_XFER || bcmbox_msg_slots(m->hdr.length) != n) {
		*why = BCMBOX_REJ_LENGTH;
		return -EBADMSG;
	}
	return 1;
}

int
bcmbox_ring_recv(struct bcmbox_ring *r, struct bcmbox_msg *m, enum bcmbox_reject *why)
{
	uint32_t before = r->pos;
	int rc = recv_one(r, m, why);

	/* store-release pairs with the producer's load-acquire in bcmbox_ring_free(): copy done */
	if (r->pos != before)
		store_release(r->cons_pos, r->pos);
	return rc;
}

unsigned int
bcmbox_ring_recv_burst(struct bcmbox_ring *r, struct bcmbox_msg *m, unsigned int n,
		       uint64_t *rejects)
{
	uint32_t before = r->pos;
	unsigned int got = 0;
	unsigned int tries;

	/* Bounded: a peer writing garbage as fast as we skip it cannot hold us here. */
	for (tries = 0; got < n && tries < 2 * n; tries++) {
		enum bcmbox_reject why = BCMBOX_REJ_NONE;
		int rc = recv_one(r, &m[got], &why);

		if (rc == 0)
			break;
		if (rc > 0)
			got++;
		else if (rejects != NULL)
			rejects[why]++;
	}
	/* store-release pairs with the producer's load-acquire in bcmbox_ring_free(): copies done */
	if (r->pos != before)
		store_release(r->cons_pos, r->pos);
	return got;
}
