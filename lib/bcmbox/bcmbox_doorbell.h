/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcmbox doorbells: sleep when idle, ring only a sleeping peer.
 *
 * Each side owns a "sleeping" word in a line only it writes (bcmbox_win_pf_db
 * or bcmbox_win_vf_db). A consumer with nothing to do announces that it is
 * about to block, re-checks its rings, and only then blocks; a producer that
 * published a message rings the consumer's doorbell only when that word is
 * set, so a busy pair never makes a system call. The ordering that makes a
 * lost wake-up impossible is in doc/mailbox.md section 7.1 and at each fence
 * below.
 *
 * How a doorbell is rung and waited on is the transport's business: an
 * eventfd on the shm transport, a BAR 0 register write and an MSI-X vector
 * on pci. bcmbox_db_ops abstracts both; bcmbox_db_eventfd_ops is the eventfd
 * one (Linux). No DPDK here.
 */
#ifndef BCMBOX_DOORBELL_H
#define BCMBOX_DOORBELL_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A doorbell, as the transport implements it. The doorbell must latch: a
 * ring that happens before the waiter blocks (after its re-check) must make
 * the next wait return at once (an eventfd's counter, a pending MSI-X bit).
 */
struct bcmbox_db_ops {
	/* Wake the peer. Must not block. 0 or -errno. */
	int (*ring)(void *ctx);
	/*
	 * Block until rung or timeout_ms passed (-1: no timeout), and clear the
	 * latch. 1 when rung (or interrupted: the caller re-checks anyway),
	 * 0 on timeout, or -errno.
	 */
	int (*wait)(void *ctx, int timeout_ms);
};

struct bcmbox_db_stats {
	uint64_t rung;		/* notify found the peer sleeping and rang */
	uint64_t suppressed;	/* notify found the peer awake: no system call */
	uint64_t sleeps;	/* sleep blocked in ops->wait */
	uint64_t aborted;	/* sleep found work in its re-check and did not block */
	uint64_t wakeups;	/* ops->wait returned rung */
	uint64_t timeouts;	/* ops->wait timed out */
};

/* One side's doorbell pair: its own sleeping word, the peer's, and how to ring and wait. */
struct bcmbox_db {
	uint32_t *self;			/* shared: my sleeping word (my line) */
	const uint32_t *peer;		/* shared: the peer's sleeping word */
	const struct bcmbox_db_ops *ops;
	void *ring_ctx;			/* ops->ring's argument: the peer's doorbell */
	void *wait_ctx;			/* ops->wait's argument: my doorbell */
	struct bcmbox_db_stats st;	/* this side's counters; one writer */
};

void bcmbox_db_init(struct bcmbox_db *db, uint32_t *self, const uint32_t *peer,
		    const struct bcmbox_db_ops *ops, void *ring_ctx, void *wait_ctx);

/*
 * Producer: call after publishing one or more messages (the first slot's
 * seq stored with release). Full fence, then reads the peer's sleeping
 * word; rings only when it is set. Returns 1 rung, 0 suppressed, or the
 * -errno of ops->ring.
 */
int bcmbox_db_notify(struct bcmbox_db *db);

/*
 * Consumer, in one call: announce, re-check with ready(arg) (which must
 * load the ring with acquire, as bcmbox_ring_ready() does), and block in
 * ops->wait only when still nothing is ready. Returns 1 when work may be
 * ready (found on the re-check, or woken), 0 on timeout, or -errno.
 * The sleeping word is clear again on return.
 */
int bcmbox_db_sleep(struct bcmbox_db *db, bool (*ready)(void *arg), void *arg, int timeout_ms);

/*
 * The same steps one by one, for a side that sleeps on many windows at once
 * (the PF): bcmbox_db_announce() into every window (one fence at the end is
 * enough: bcmbox_db_announce_fence()), re-check every ring, block on all
 * doorbells (epoll), then bcmbox_db_cancel() in every window.
 */
void bcmbox_db_announce(uint32_t *self);
void bcmbox_db_announce_fence(void);
void bcmbox_db_cancel(uint32_t *self);

/* Producer's half, without ringing: full fence, then is the peer sleeping? */
bool bcmbox_db_peer_sleeping(const uint32_t *peer);

#ifdef __linux__
/* eventfd doorbells: ring_ctx and wait_ctx point to an int holding the fd. */
extern const struct bcmbox_db_ops bcmbox_db_eventfd_ops;
#endif

#ifdef __cplusplus
}
#endif

#endif /* BCMBOX_DOORBELL_H */
