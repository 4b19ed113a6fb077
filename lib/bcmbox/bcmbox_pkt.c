/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet rings of the data path: the same seq-word protocol as the slot
 * rings (bcmbox_ring.c), with 2 KiB buffers and packets of up to
 * BCMBOX_PKT_MAX_BUFS chained buffers.
 */
#include <errno.h>
#include <string.h>

#include "bcmbox.h"

void
bcmbox_pkt_ring_init(struct bcmbox_pkt_ring *r, struct bcmbox_pkt_buf *bufs, uint32_t size,
		     uint32_t *cons_pos)
{
	r->bufs = bufs;
	r->cons_pos = cons_pos;
	r->size = size;
	r->mask = size - 1;
	r->pos = 0;
	r->cons_cache = 0;
	r->cap = size;
	r->cap_pos = NULL;
}

uint32_t
bcmbox_pkt_depth(uint32_t size, uint32_t want)
{
	if (want == 0 || want > size)
		return size;
	return want < BCMBOX_PKT_MAX_BUFS ? BCMBOX_PKT_MAX_BUFS : want;
}

void
bcmbox_pkt_ring_set_cap(struct bcmbox_pkt_ring *r, uint32_t cap, const uint32_t *cap_pos)
{
	r->cap = bcmbox_pkt_depth(r->size, cap);
	r->cap_pos = cap_pos;
}

void
bcmbox_pkt_ring_clear(struct bcmbox_pkt_buf *bufs, uint32_t size, uint32_t *cons_pos)
{
	/* relaxed: the store-release of the position below publishes them */
	for (uint32_t i = 0; i < size; i++)
		__atomic_store_n(&bufs[i].seq, 0, __ATOMIC_RELAXED);
	/* store-release: the cleared seqs are visible before the position says "empty" */
	__atomic_store_n(cons_pos, 0, __ATOMIC_RELEASE);
}

int
bcmbox_pkt_free(struct bcmbox_pkt_ring *r, uint32_t want)
{
	uint32_t used = r->pos - r->cons_cache;
	uint32_t cons;

	if (used <= r->cap && r->cap - used >= want)
		return (int)(r->cap - used);
	/*
	 * load-acquire synchronizes with the consumer's store-release of its
	 * position in bcmbox_pkt_release(): it copied the buffers we reuse.
	 */
	cons = __atomic_load_n(r->cons_pos, __ATOMIC_ACQUIRE);
	used = r->pos - cons;
	if (used > r->size)
		return -EPROTO;	/* an untrusted consumer published nonsense */
	r->cons_cache = cons;
	if (r->cap_pos != NULL)	/* relaxed: a size, read once and clamped (untrusted) */
		r->cap = bcmbox_pkt_depth(r->size, __atomic_load_n(r->cap_pos, __ATOMIC_RELAXED));
	return used < r->cap ? (int)(r->cap - used) : 0;
}

int
bcmbox_pkt_send(struct bcmbox_pkt_ring *r, const void *const *segs, const uint32_t *seg_len,
		unsigned int nsegs, uint32_t total)
{
	uint32_t n = bcmbox_pkt_bufs(total), pos = r->pos;
	unsigned int seg = 0;
	uint32_t seg_off = 0;
	int free_bufs;

	if (total == 0 || total > BCMBOX_PKT_MAX_LEN)
		return -EMSGSIZE;
	free_bufs = bcmbox_pkt_free(r, n);
	if (free_bufs < 0)
		return free_bufs;
	if ((uint32_t)free_bufs < n)
		return -ENOSPC;
	/* Fill every buffer; continuation seqs now, the first one's last. */
	for (uint32_t i = 0; i < n; i++) {
		struct bcmbox_pkt_buf *b = &r->bufs[(pos + i) & r->mask];
		uint32_t room = i + 1 < n ? BCMBOX_PKT_DATA : total - i * BCMBOX_PKT_DATA;
		uint32_t filled = 0;

		while (filled < room && seg < nsegs) {
			uint32_t c = seg_len[seg] - seg_off;

			if (c > room - filled)
				c = room - filled;
			memcpy(b->data + filled, (const uint8_t *)segs[seg] + seg_off, c);
			filled += c;
			seg_off += c;
			if (seg_off == seg_len[seg]) {
				seg++;
				seg_off = 0;
			}
		}
		b->len = (uint16_t)filled;
		b->flags = i + 1 < n ? BCMBOX_PKT_MORE : 0;
		/* relaxed: the first buffer's store-release below publishes it */
		if (i > 0)
			__atomic_store_n(&b->seq, pos + i + 1, __ATOMIC_RELAXED);
	}
	/* store-release pairs with the consumer's load-acquire of this seq in bcmbox_pkt_recv() */
	__atomic_store_n(&r->bufs[pos & r->mask].seq, pos + 1, __ATOMIC_RELEASE);
	r->pos = pos + n;
	return 0;
}

bool
bcmbox_pkt_ready(const struct bcmbox_pkt_ring *r)
{
	/* load-acquire synchronizes with the store-release of seq in bcmbox_pkt_send() */
	return __atomic_load_n(&r->bufs[r->pos & r->mask].seq, __ATOMIC_ACQUIRE) == r->pos + 1;
}

int
bcmbox_pkt_recv(struct bcmbox_pkt_ring *r, struct bcmbox_pkt *p)
{
	uint32_t pos = r->pos, i;

	/* load-acquire synchronizes with the store-release of the first seq in bcmbox_pkt_send() */
	if (__atomic_load_n(&r->bufs[pos & r->mask].seq, __ATOMIC_ACQUIRE) != pos + 1)
		return 0;
	p->len = 0;
	for (i = 0; i < BCMBOX_PKT_MAX_BUFS && i < r->size; i++) {
		const struct bcmbox_pkt_buf *b = &r->bufs[(pos + i) & r->mask];
		uint16_t len, flags;

		/* acquire, as recv_one() in bcmbox_ring.c: a peer may publish continuations late */
		if (i > 0 && __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != pos + i + 1)
			break;	/* a continuation that was never published */
		/*
		 * relaxed: ordered by the seq acquire above; atomic only so that
		 * each shared field is read once (a VF is untrusted).
		 */
		len = __atomic_load_n(&b->len, __ATOMIC_RELAXED);
		flags = __atomic_load_n(&b->flags, __ATOMIC_RELAXED);
		if (len > BCMBOX_PKT_DATA || p->len + len > BCMBOX_PKT_MAX_LEN ||
		    (len < BCMBOX_PKT_DATA && (flags & BCMBOX_PKT_MORE)))
			break;
		memcpy(p->data + p->len, b->data, len);
		p->len += len;
		if (!(flags & BCMBOX_PKT_MORE)) {
			r->pos = pos + i + 1;
			return p->len > 0 ? 1 : -EBADMSG;
		}
	}
	r->pos = pos + 1;	/* malformed: drop the first buffer and go on */
	return -EBADMSG;
}

void
bcmbox_pkt_release(struct bcmbox_pkt_ring *r)
{
	/* store-release pairs with the producer's load-acquire in bcmbox_pkt_free(): copies done */
	__atomic_store_n(r->cons_pos, r->pos, __ATOMIC_RELEASE);
}
