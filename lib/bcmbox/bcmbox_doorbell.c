/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Doorbell suppression: a store-load (Dekker) handshake between a sleeping
 * word and a ring slot. doc/mailbox.md section 7.1 gives the argument.
 */
#include <errno.h>
#include <stddef.h>

#include "bcmbox_doorbell.h"

void
bcmbox_db_init(struct bcmbox_db *db, uint32_t *self, const uint32_t *peer,
	       const struct bcmbox_db_ops *ops, void *ring_ctx, void *wait_ctx)
{
	db->self = self;
	db->peer = peer;
	db->ops = ops;
	db->ring_ctx = ring_ctx;
	db->wait_ctx = wait_ctx;
	db->st = (struct bcmbox_db_stats){0};
}

void
bcmbox_db_announce(uint32_t *self)
{
	/* Relaxed: bcmbox_db_announce_fence() orders it before the re-check. */
	__atomic_store_n(self, 1, __ATOMIC_RELAXED);
}

void
bcmbox_db_announce_fence(void)
{
	/*
	 * Store-load fence: the sleeping word must be visible to the producer
	 * before this side loads the ring slots again. Release/acquire cannot
	 * order a store before a later load (x86's store buffer does exactly
	 * that reordering); only a seq_cst fence (mfence / lock-prefixed op)
	 * does. Paired with the fence in bcmbox_db_peer_sleeping().
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void
bcmbox_db_cancel(uint32_t *self)
{
	/*
	 * Relaxed: a producer that still reads the old 1 rings once more, which
	 * is a spurious wake-up, never a lost one.
	 */
	__atomic_store_n(self, 0, __ATOMIC_RELAXED);
}

bool
bcmbox_db_peer_sleeping(const uint32_t *peer)
{
	/*
	 * Store-load fence: the slot's seq (stored with release by the caller)
	 * must be visible to the consumer before this side reads its sleeping
	 * word. Paired with bcmbox_db_announce_fence(): in the single order of
	 * seq_cst fences one of the two comes first, so either the consumer's
	 * re-check sees the message or this load sees the consumer's 1.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Relaxed: the fence above does the ordering; the value is a hint only. */
	return __atomic_load_n(peer, __ATOMIC_RELAXED) != 0;
}

int
bcmbox_db_notify(struct bcmbox_db *db)
{
	int rc;

	if (!bcmbox_db_peer_sleeping(db->peer)) {
		db->st.suppressed++;
		return 0;
	}
	rc = db->ops->ring(db->ring_ctx);
	if (rc < 0)
		return rc;
	db->st.rung++;
	return 1;
}

int
bcmbox_db_sleep(struct bcmbox_db *db, bool (*ready)(void *arg), void *arg, int timeout_ms)
{
	int rc;

	bcmbox_db_announce(db->self);
	bcmbox_db_announce_fence();
	/*
	 * The re-check: a producer that published before our fence may have
	 * read sleeping == 0 and not rung; its message is visible here.
	 */
	if (ready(arg)) {
		bcmbox_db_cancel(db->self);
		db->st.aborted++;
		return 1;
	}
	db->st.sleeps++;
	/* The doorbell latches: a ring between the re-check and here is kept. */
	rc = db->ops->wait(db->wait_ctx, timeout_ms);
	bcmbox_db_cancel(db->self);
	if (rc > 0)
		db->st.wakeups++;
	else if (rc == 0)
		db->st.timeouts++;
	return rc;
}
