/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcmbox VF-side client: the reset handshake, HELLO, requests and events
 * over one window. The VF PMD, the benchmark and the tests' raw VF all use
 * it. Not thread-safe: one thread drives one client (the VF PMD: under its
 * port lock).
 *
 * The request engine: every request gets an entry in a pending table
 * indexed by its tag (tags and FIFO positions are one counter, so lookup
 * is O(1) and the FIFO is in submission order); bcmbox_client_pump()
 * completes entries from the response ring, bcmbox_client_expire() fails
 * the old ones, bcmbox_client_completions() hands async ones back in order.
 * The synchronous calls (call, read, write, list, bye) submit and wait on
 * the same table, so async requests may be in flight beside them. No
 * allocation per request; READ data is copied out of the ring into the
 * scratch message (copy, then validate) and from there to the caller's
 * buffer, nothing more.
 */
#ifndef BCMBOX_CLIENT_H
#define BCMBOX_CLIENT_H

#include "bcmbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The request engine's record of one request, in a table indexed by tag
 * (tag & mask): submit fills it, a response or a deadline completes it.
 */
enum bcmbox_pend_state {
	BCMBOX_PEND_FREE = 0,
	BCMBOX_PEND_INFLIGHT,
	BCMBOX_PEND_DONE,
};

struct bcmbox_pending {
	void *buf;		/* READ/LIST: where the payload goes (the caller's) */
	void *cookie;		/* async: handed back by bcmbox_client_completions() */
	uint64_t t0;		/* clock at submit */
	uint32_t tag;
	uint32_t block_id;
	uint32_t offset;
	uint32_t len;		/* asked; LIST: what came */
	uint32_t version;	/* the response's arg (READ/WRITE: block version, LIST: total) */
	int32_t status;		/* 0 or -errno once DONE */
	uint8_t type;
	uint8_t state;		/* enum bcmbox_pend_state */
	bool async;
};

/* A finished asynchronous request. */
struct bcmbox_completion {
	void *cookie;
	int status;
	uint32_t version;
	uint32_t len;		/* bytes read or written; 0 on error */
};

/*
 * One traced request (bcmbox_client_trace_start()), in the client's clock
 * (the VF PMD: TSC). Kept on the VF's side only: nothing of it crosses
 * the window.
 */
struct bcmbox_trace_rec {
	uint32_t tag;
	uint8_t type;		/* BCMBOX_MSG_* of the request */
	uint8_t reserved[3];
	uint64_t submit;	/* just before the request's seq store-release */
	uint64_t seen;		/* the pump found the response's seq */
};

/* What the engine counted (the VF's mbox_* xstats). */
struct bcmbox_client_stats {
	uint64_t requests;
	uint64_t completed;
	uint64_t timeouts;
	uint64_t errors;		/* completed with an error status */
	uint64_t not_connected;
	uint64_t unexpected;		/* responses matching no request */
	uint64_t lat[BCMBOX_LAT_BUCKETS];	/* round trips (bcmbox.h's histogram) */
};

/* Size of the table every client has; bcmbox_client_set_pending() gives a larger one. */
#define BCMBOX_CLIENT_PENDING	32u

/*
 * Fields are the library's: read them (tests do), change them only through
 * the functions below.
 */
struct bcmbox_client {
	struct bcmbox_window w;
	struct bcmbox_ring req;		/* we produce */
	struct bcmbox_ring resp;	/* we consume */
	struct bcmbox_ring evt;		/* we consume */
	uint32_t epoch;			/* session epoch, 0 = none */
	uint32_t pf_epoch;		/* PF epoch the session belongs to */
	uint32_t next_tag;		/* also the tail of the pending FIFO */
	uint32_t head;			/* oldest tag not retired */
	struct bcmbox_pending *pend;	/* [pend_mask + 1], by tag */
	uint32_t pend_mask;
	uint64_t (*clock)(void);	/* t0 and deadlines; bcmbox_now_ns by default */
	uint64_t clock_hz;
	struct bcmbox_lat_bounds lat_bounds;	/* in ticks of clock */
	uint64_t dflt_timeout_ns;	/* cached conversion of the usual timeout */
	uint64_t dflt_timeout_ticks;
	struct bcmbox_client_stats st;
	struct bcmbox_hello_resp hello;	/* what the PF said at HELLO */
	uint64_t hb_last;		/* last heartbeat value seen */
	uint64_t hb_seen_ns;		/* when it last changed */
	uint64_t hb_checked_ns;		/* when we last looked */
	uint64_t pf_timeout_ns;		/* heartbeat silence that may mean "PF gone" */
	uint64_t pf_stalls;		/* silences longer than that of a PF still alive */
	bool stalled;			/* in such a silence now */
	uint64_t bad_responses;		/* malformed or unexpected responses skipped */
	/* Run now and then while a call waits for the PF (a PF in this process drives its poller). */
	void (*wait_hook)(void *arg);
	void *wait_arg;
	/*
	 * Asked while the heartbeat is silent: 1 the PF process lives (a
	 * stalled PF: keep the session), 0 it is gone, negative: cannot tell.
	 * NULL: cannot tell.
	 */
	int (*pf_alive)(void *arg);
	void *pf_alive_arg;
	uint64_t bad_events;
	struct bcmbox_trace_rec *trace;	/* NULL: off (one predictable branch per completion) */
	uint32_t trace_n, trace_cap;
	struct bcmbox_pending pend_small[BCMBOX_CLIENT_PENDING];
};

/* CLOCK_MONOTONIC in ns. */
uint64_t bcmbox_now_ns(void);

/* No window, no session: the defaults (a ns clock, the built-in pending table). */
void bcmbox_client_init(struct bcmbox_client *c);

/*
 * bcmbox_client_init(), then map the window at base (size bytes) without
 * talking to the PF.
 * Returns 0 or what bcmbox_window_map() returns.
 */
int bcmbox_client_open(struct bcmbox_client *c, void *base, size_t size);

/*
 * Map the window again (the same or a new mapping of it) for a new
 * session: requests in flight fail with -ENOTCONN; the pending table,
 * uncollected completions, tags, hooks, clock and counters are kept.
 */
int bcmbox_client_reopen(struct bcmbox_client *c, void *base, size_t size);

/* Hooks: wait_hook may be NULL; pf_alive NULL means "cannot tell". */
void bcmbox_client_set_hooks(struct bcmbox_client *c, void (*wait_hook)(void *), void *wait_arg,
			     int (*pf_alive)(void *), void *pf_alive_arg);

/* Heartbeat silence after which the PF may be gone (default BCMBOX_PF_TIMEOUT_NS). */
void bcmbox_client_set_pf_timeout(struct bcmbox_client *c, uint64_t ns);

/*
 * The clock of t0, deadlines and latencies: hz ticks a second (a TSC, say).
 * default_timeout_ns: the timeout most calls give, converted once.
 */
void bcmbox_client_set_clock(struct bcmbox_client *c, uint64_t (*clock)(void), uint64_t hz,
			     uint64_t default_timeout_ns);

/*
 * Use table (n entries, a power of two, zeroed) as the pending table: at
 * most n requests in flight or uncollected. Only while none is.
 * Returns 0 or -EINVAL (n not a power of two) / -EBUSY.
 */
int bcmbox_client_set_pending(struct bcmbox_client *c, struct bcmbox_pending *table, uint32_t n);

/* Zero the counters of struct bcmbox_client_stats and pf_stalls. */
void bcmbox_client_stats_reset(struct bcmbox_client *c);

/*
 * A tag for a request sent by hand on c->req (tests of malformed
 * requests): its answer counts as unexpected to the engine.
 */
uint32_t bcmbox_client_take_tag(struct bcmbox_client *c);

/*
 * Tests: go on as session epoch, which the PF gave this VF without a
 * HELLO (it answered a stale request with it).
 */
void bcmbox_client_adopt_epoch(struct bcmbox_client *c, uint32_t epoch);

/*
 * Tests that play the PF themselves: take the window as freshly reset
 * (rings from their start) and epoch as the session, without a handshake.
 * Returns 0 or -EINVAL (a window whose rings do not fit).
 */
int bcmbox_client_attach(struct bcmbox_client *c, uint32_t epoch);

/*
 * VF side, for a window known to be bcnic's whose PF-written lines do not
 * validate (a VF can scribble over them in shared memory): ask for a window
 * reset through the fixed-offset control lines; the PF re-publishes every
 * line it owns before it acknowledges. Returns 0 once acknowledged, or
 * -ETIMEDOUT. Validate the window again afterwards.
 */
int bcmbox_window_repair(void *base, size_t size, uint64_t timeout_ns);

/*
 * Reset the window (the PF clears the rings) and HELLO: a new session.
 * Returns 0; -ENOTCONN no PF behind the window; -ETIMEDOUT the PF did not
 * answer within timeout_ns; -EPROTONOSUPPORT no common protocol version;
 * -EPROTO a malformed answer.
 */
int bcmbox_client_connect(struct bcmbox_client *c, uint64_t timeout_ns);

/*
 * 0 while the PF serves this session; -ENOTCONN when it is gone or
 * restarted. A silent heartbeat alone is not death: after
 * BCMBOX_SUSPECT_NS of silence pf_alive() is asked and a PF process that is
 * gone ends the session at once; after pf_timeout_ns a PF that cannot be
 * asked is taken for dead, and one that is alive only after
 * BCMBOX_HUNG_FACTOR times that (hung, not busy).
 */
#define BCMBOX_SUSPECT_NS	(20 * 1000000ull)
#define BCMBOX_HUNG_FACTOR	5
#define BCMBOX_WATCH_GAP_NS	(1000 * 1000000ull)	/* checks further apart: not watching */
#define BCMBOX_PF_TIMEOUT_NS	(1000 * 1000000ull)	/* default pf_timeout_ns */
int bcmbox_client_check_pf(struct bcmbox_client *c);

/*
 * bcmbox_client_check_pf(), and when the PF is gone end the session
 * (bcmbox_client_lost()). Returns what check_pf returned.
 */
int bcmbox_client_watch(struct bcmbox_client *c);

/* End the session without the PF (it is gone): every request in flight fails with -ENOTCONN. */
void bcmbox_client_lost(struct bcmbox_client *c);

/* ---- the request engine: asynchronous requests ---- */

/*
 * Queue a READ (buf: where the data goes), WRITE (buf: the data) or LIST
 * (buf: room for len bytes of catalog entries from index offset) of at
 * most BCMBOX_MAX_XFER bytes. The request is async: its completion goes
 * to bcmbox_client_completions(), which gives cookie back.
 * Returns 0; -EAGAIN ring or pending table full (pump, then try again);
 * -ENOTCONN no session; -EINVAL bad arguments.
 */
int bcmbox_client_submit(struct bcmbox_client *c, uint8_t type, uint32_t block_id,
			 uint32_t offset, void *buf, uint32_t len, void *cookie);

/*
 * Take every response that is ready and complete its request (copying a
 * READ's data into its buffer). m is scratch. Returns how many it took.
 */
unsigned int bcmbox_client_pump(struct bcmbox_client *c, struct bcmbox_msg *m);

/*
 * Fail with err every request in flight submitted before older_than (in
 * clock ticks), or every one when older_than is 0.
 */
void bcmbox_client_expire(struct bcmbox_client *c, int err, uint64_t older_than);

/*
 * Up to n finished async requests, in submission order (stops at the
 * first still in flight). Returns how many were put in out.
 */
/*
 * Trace: from now on each completed request (by a response) appends its
 * tag and its submit and response-seen clock readings to recs[n], until n
 * are kept. stop returns how many were, and turns tracing off.
 */
void bcmbox_client_trace_start(struct bcmbox_client *c, struct bcmbox_trace_rec *recs, uint32_t n);
uint32_t bcmbox_client_trace_stop(struct bcmbox_client *c);

unsigned int bcmbox_client_completions(struct bcmbox_client *c, struct bcmbox_completion *out,
				       unsigned int n);

/* Clock ticks now, and the deadline timeout_ns from now (ticks). */
static inline uint64_t
bcmbox_client_clock(const struct bcmbox_client *c)
{
	return c->clock();
}
uint64_t bcmbox_client_deadline(const struct bcmbox_client *c, uint64_t timeout_ns);

/* ---- synchronous calls, built on the engine; other requests may be in flight ---- */

/*
 * Queue one request by hand, outside the engine (epoch and tag filled in;
 * hdr->tag returned): its answer is for bcmbox_client_recv(), and counts
 * as unexpected if the engine pumps it.
 * Returns the tag (>= 0 as int64), -ENOSPC when the request ring is full,
 * -ENOTCONN without a session, -EMSGSIZE above BCMBOX_MAX_XFER.
 */
int64_t bcmbox_client_send(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr,
			   const void *payload);

/*
 * Take the next response: 1 with a validated response of this session in
 * m, 0 when none is ready. Malformed ones are skipped and counted.
 */
int bcmbox_client_recv(struct bcmbox_client *c, struct bcmbox_msg *m);

/* Take the next event of this session: 1 with it in m, 0 when none. */
int bcmbox_client_event(struct bcmbox_client *c, struct bcmbox_msg *m);

/*
 * One request, one response: send hdr, wait up to timeout_ns for the
 * response with its tag (taking the others that come first). Returns the
 * response's status as 0 / -errno (m holds it), -ENOTSUP for a type the
 * PF does not know, -EPROTO, or -ETIMEDOUT, -ENOTCONN.
 */
int bcmbox_client_call(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
		       struct bcmbox_msg *m, uint64_t timeout_ns);

/*
 * Read len bytes of a block from offset into buf: requests of at most
 * BCMBOX_MAX_XFER bytes, pipelined; retried until every part carries the
 * same version, so the result is one snapshot. Returns 0 with *version
 * set, or a negative errno (-EAGAIN: rewritten faster than it can be read
 * whole). m is scratch.
 */
int bcmbox_client_read(struct bcmbox_client *c, uint32_t block_id, uint32_t offset, void *buf,
		       uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t timeout_ns);

/*
 * Write len bytes at offset: one request per BCMBOX_MAX_XFER part (a write
 * larger than that is not atomic). Returns 0 with *version (of the last
 * part) set, or a negative errno.
 */
int bcmbox_client_write(struct bcmbox_client *c, uint32_t block_id, uint32_t offset,
			const void *buf, uint32_t len, uint32_t *version, struct bcmbox_msg *m,
			uint64_t timeout_ns);

/*
 * The catalog: up to max entries into e. Returns the number of entries
 * the VF can see in all (may exceed max), or a negative errno.
 */
int bcmbox_client_list(struct bcmbox_client *c, struct bcmbox_catalog_entry *e, uint32_t max,
		       struct bcmbox_msg *m, uint64_t timeout_ns);

/* The same, handing each of the first max entries to fn (index i) instead. */
typedef void (*bcmbox_list_fn)(void *arg, uint32_t i, const struct bcmbox_catalog_entry *e);
int bcmbox_client_list_each(struct bcmbox_client *c, bcmbox_list_fn fn, void *arg, uint32_t max,
			    struct bcmbox_msg *m, uint64_t timeout_ns);

/* End the session politely. */
int bcmbox_client_bye(struct bcmbox_client *c, struct bcmbox_msg *m, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* BCMBOX_CLIENT_H */
