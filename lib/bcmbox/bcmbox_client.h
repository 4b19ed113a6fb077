/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcmbox VF-side client: the reset handshake, HELLO, requests and events
 * over one window. The VF PMD, the benchmark and the tests' raw VF all use
 * it. Not thread-safe: one thread drives one client.
 */
#ifndef BCMBOX_CLIENT_H
#define BCMBOX_CLIENT_H

#include "bcmbox.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bcmbox_client {
	struct bcmbox_window w;
	struct bcmbox_ring req;		/* we produce */
	struct bcmbox_ring resp;	/* we consume */
	struct bcmbox_ring evt;		/* we consume */
	uint32_t epoch;			/* session epoch, 0 = none */
	uint32_t pf_epoch;		/* PF epoch the session belongs to */
	uint32_t next_tag;
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
};

/* CLOCK_MONOTONIC in ns. */
uint64_t bcmbox_now_ns(void);

/*
 * Map the window at base (size bytes) without talking to the PF.
 * Returns 0 or what bcmbox_window_map() returns.
 */
int bcmbox_client_open(struct bcmbox_client *c, void *base, size_t size);

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
 * Queue one request (epoch and tag filled in; hdr->tag returned).
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
 * One request, one response, nothing else in flight: send hdr, wait up to
 * timeout_ns for the response with its tag. Returns the response's status
 * as 0 / -errno (m holds it), or -ETIMEDOUT, -ENOTCONN, -ENOSPC.
 */
int bcmbox_client_call(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
		       struct bcmbox_msg *m, uint64_t timeout_ns);

/*
 * Read len bytes of a block from offset into buf: requests of at most
 * BCMBOX_MAX_XFER bytes, pipelined; retried until every part carries the
 * same version, so the result is one snapshot. Returns 0 with *version
 * set, or a negative errno. Needs nothing else in flight.
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

/* End the session politely. */
int bcmbox_client_bye(struct bcmbox_client *c, struct bcmbox_msg *m, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* BCMBOX_CLIENT_H */
