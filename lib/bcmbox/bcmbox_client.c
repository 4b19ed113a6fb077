/* SPDX-License-Identifier: BSD-3-Clause */
/* VF-side client of one window. See bcmbox_client.h and doc/mailbox.md. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "bcmbox_client.h"

#define CHECK_EVERY 256		/* spins between clock / PF liveness checks */

uint64_t
bcmbox_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The session epoch is written by the thread that drives requests and read
 * by bcmbox_client_event(), which a VF PMD runs on its event thread: relaxed
 * atomics are enough, since the event side only filters events by it; a
 * stale value lets through events of a session that just ended, which the
 * VF, no longer connected, ignores. Every other access is the driver's own.
 */
static inline void
set_epoch(struct bcmbox_client *c, uint32_t epoch)
{
	__atomic_store_n(&c->epoch, epoch, __ATOMIC_RELAXED);
}

static inline uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ns -> ticks of c's clock; exact for a ns clock, no overflow up to an hour otherwise. */
static uint64_t
ns_to_ticks(const struct bcmbox_client *c, uint64_t ns)
{
	if (c->clock_hz == 1000000000ull)
		return ns;
	return ns / 1000 * (c->clock_hz / 1000000);
}

void
bcmbox_client_set_clock(struct bcmbox_client *c, uint64_t (*clock)(void), uint64_t hz,
			uint64_t default_timeout_ns)
{
	c->clock = clock;
	c->clock_hz = hz;
	bcmbox_lat_bounds_init(&c->lat_bounds, hz);
	c->dflt_timeout_ns = default_timeout_ns;
	c->dflt_timeout_ticks = ns_to_ticks(c, default_timeout_ns);
}

static inline uint64_t
timeout_ticks(const struct bcmbox_client *c, uint64_t timeout_ns)
{
	/* The usual timeout is converted once: no division per request. */
	if (timeout_ns == c->dflt_timeout_ns)
		return c->dflt_timeout_ticks;
	return ns_to_ticks(c, timeout_ns);
}

uint64_t
bcmbox_client_deadline(const struct bcmbox_client *c, uint64_t timeout_ns)
{
	return c->clock() + timeout_ticks(c, timeout_ns);
}

void
bcmbox_client_init(struct bcmbox_client *c)
{
	memset(c, 0, sizeof(*c));
	c->pf_timeout_ns = BCMBOX_PF_TIMEOUT_NS;
	c->pend = c->pend_small;
	c->pend_mask = BCMBOX_CLIENT_PENDING - 1;
	bcmbox_client_set_clock(c, bcmbox_now_ns, 1000000000ull, BCMBOX_PF_TIMEOUT_NS);
}

int
bcmbox_client_open(struct bcmbox_client *c, void *base, size_t size)
{
	bcmbox_client_init(c);
	return bcmbox_window_map(&c->w, base, size);
}

int
bcmbox_client_reopen(struct bcmbox_client *c, void *base, size_t size)
{
	bcmbox_client_lost(c);
	memset(&c->req, 0, sizeof(c->req));
	memset(&c->resp, 0, sizeof(c->resp));
	memset(&c->evt, 0, sizeof(c->evt));
	c->pf_epoch = 0;
	c->hb_last = c->hb_seen_ns = c->hb_checked_ns = 0;
	c->stalled = false;
	return bcmbox_window_map(&c->w, base, size);
}

void
bcmbox_client_set_hooks(struct bcmbox_client *c, void (*wait_hook)(void *), void *wait_arg,
			int (*pf_alive)(void *), void *pf_alive_arg)
{
	c->wait_hook = wait_hook;
	c->wait_arg = wait_arg;
	c->pf_alive = pf_alive;
	c->pf_alive_arg = pf_alive_arg;
}

void
bcmbox_client_set_pf_timeout(struct bcmbox_client *c, uint64_t ns)
{
	c->pf_timeout_ns = ns;
}

int
bcmbox_client_set_pending(struct bcmbox_client *c, struct bcmbox_pending *table, uint32_t n)
{
	if (table == NULL || n < 2 || (n & (n - 1)) != 0)
		return -EINVAL;
	for (uint32_t t = c->head; t != c->next_tag; t++)
		if (c->pend[t & c->pend_mask].state != BCMBOX_PEND_FREE)
			return -EBUSY;
	c->pend = table;
	c->pend_mask = n - 1;
	c->head = c->next_tag;
	return 0;
}

void
bcmbox_client_stats_reset(struct bcmbox_client *c)
{
	memset(&c->st, 0, sizeof(c->st));
	c->pf_stalls = 0;
}

uint32_t
bcmbox_client_take_tag(struct bcmbox_client *c)
{
	return c->next_tag++;
}

void
bcmbox_client_adopt_epoch(struct bcmbox_client *c, uint32_t epoch)
{
	set_epoch(c, epoch);
}

/*
 * A gap between two checks longer than this means we were not watching (an
 * idle application, or this process starved on a busy host): start over.
 */
static inline uint64_t
watch_gap(const struct bcmbox_client *c)
{
	uint64_t half = c->pf_timeout_ns / 2;

	return half > BCMBOX_WATCH_GAP_NS ? half : BCMBOX_WATCH_GAP_NS;
}

int
bcmbox_client_check_pf(struct bcmbox_client *c)
{
	/*
	 * load-acquire synchronizes with the PF's store-release of pf_epoch
	 * when it (re)publishes the window (restore_window()) and of 0 when
	 * it leaves.
	 */
	uint32_t pf_epoch = __atomic_load_n(&c->w.pf->pf_epoch, __ATOMIC_ACQUIRE);
	uint64_t hb, now, silent;
	int alive;

	/*
	 * vf_state: load-acquire synchronizes with the PF's store-release in
	 * publish_state(), made after vf_epoch: the epoch read next matches the
	 * state (doc/mailbox.md section 7). vf_epoch itself: acquire only to
	 * keep the two loads in that order.
	 */
	if (pf_epoch == 0 || pf_epoch != c->pf_epoch || c->epoch == 0 ||
	    __atomic_load_n(&c->w.pf->vf_state, __ATOMIC_ACQUIRE) != BCMBOX_VF_READY ||
	    __atomic_load_n(&c->w.pf->vf_epoch, __ATOMIC_ACQUIRE) != c->epoch)
		return -ENOTCONN;
	/*
	 * load-acquire pairs with the PF's store-release of the heartbeat in
	 * sweep(); liveness only: nothing else is read under it (section 7).
	 */
	hb = __atomic_load_n(&c->w.heartbeat->count, __ATOMIC_ACQUIRE);
	now = bcmbox_now_ns();
	/*
	 * Silence counts only while we watch: after a long gap between two
	 * checks (an idle application) start watching again instead of
	 * blaming the PF for the time we were not looking.
	 */
	if (hb != c->hb_last || c->hb_seen_ns == 0 || now - c->hb_checked_ns > watch_gap(c)) {
		c->hb_last = hb;
		c->hb_seen_ns = now;
		c->hb_checked_ns = now;
		c->stalled = false;
		return 0;
	}
	c->hb_checked_ns = now;
	silent = now - c->hb_seen_ns;
	if (silent <= BCMBOX_SUSPECT_NS)
		return 0;
	/* A busy host delays the PF's heartbeat; only a dead PF process releases its lock. */
	alive = c->pf_alive != NULL ? c->pf_alive(c->pf_alive_arg) : -1;
	if (alive == 0)
		return -ENOTCONN;	/* killed: no need to wait out the timeout */
	if (silent <= c->pf_timeout_ns)
		return 0;
	if (alive < 0)
		return -ENOTCONN;	/* nothing else to go by */
	if (!c->stalled) {
		c->stalled = true;
		c->pf_stalls++;
	}
	if (silent > c->pf_timeout_ns * BCMBOX_HUNG_FACTOR)
		return -ENOTCONN;	/* alive but not serving for that long: hung */
	return 0;
}

static inline void
waiting(struct bcmbox_client *c)
{
	if (c->wait_hook != NULL)
		c->wait_hook(c->wait_arg);
}

static int64_t
send_raw(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload)
{
	int rc;

	hdr->epoch = c->epoch;
	hdr->tag = c->next_tag;
	hdr->status = 0;
	rc = bcmbox_ring_send(&c->req, hdr, payload);
	if (rc < 0)
		return rc;
	c->next_tag++;
	return hdr->tag;
}

int64_t
bcmbox_client_send(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload)
{
	if (c->epoch == 0)
		return -ENOTCONN;
	return send_raw(c, hdr, payload);
}

int
bcmbox_client_recv(struct bcmbox_client *c, struct bcmbox_msg *m)
{
	for (;;) {
		enum bcmbox_reject why;
		int rc = bcmbox_ring_recv(&c->resp, m, &why);

		if (rc == 0)
			return 0;
		if (rc > 0 && bcmbox_check_response(m, c->epoch) == BCMBOX_REJ_NONE)
			return 1;
		c->bad_responses++;
	}
}

int
bcmbox_client_event(struct bcmbox_client *c, struct bcmbox_msg *m)
{
	for (;;) {
		enum bcmbox_reject why;
		int rc = bcmbox_ring_recv(&c->evt, m, &why);

		if (rc == 0)
			return 0;
		if (rc > 0 && bcmbox_check_event(m) == BCMBOX_REJ_NONE) {
			/* relaxed: see set_epoch() */
			if (m->hdr.epoch == __atomic_load_n(&c->epoch, __ATOMIC_RELAXED))
				return 1;
			continue;	/* from an earlier session */
		}
		c->bad_events++;
	}
}

/* Wait for the response tagged tag; skip anything else. */
static int
wait_response(struct bcmbox_client *c, uint32_t tag, struct bcmbox_msg *m, uint64_t deadline,
	      bool need_session)
{
	unsigned int spins = 0;

	for (;;) {
		if (bcmbox_client_recv(c, m) == 1) {
			if (m->hdr.tag == tag)
				return 0;
			c->bad_responses++;
			continue;
		}
		if (++spins % CHECK_EVERY == 0) {
			waiting(c);
			if (need_session && bcmbox_client_check_pf(c) != 0)
				return -ENOTCONN;
			/* acquire pairs with the PF's store-release of pf_epoch, as in check_pf */
			if (!need_session && __atomic_load_n(&c->w.pf->pf_epoch, __ATOMIC_ACQUIRE) == 0)
				return -ENOTCONN;
			if (bcmbox_now_ns() > deadline)
				return -ETIMEDOUT;
		}
		cpu_relax();
	}
}

static int
send_wait_room(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
	       uint64_t deadline)
{
	unsigned int spins = 0;
	int64_t tag;

	while ((tag = send_raw(c, hdr, payload)) == -ENOSPC) {
		if (++spins % CHECK_EVERY == 0) {
			waiting(c);
			if (bcmbox_now_ns() > deadline)
				return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return tag < 0 ? (int)tag : 0;
}

/*
 * The reset handshake, through the control lines whose offsets do not depend
 * on the info line. want_pf: give up at once when pf_epoch says no PF.
 */
static int
window_reset(uint8_t *base, uint64_t deadline, bool want_pf, struct bcmbox_client *c)
{
	uint32_t *req = (uint32_t *)(base + BCMBOX_WIN_VF_CTRL_OFF +
				     offsetof(struct bcmbox_win_vf_ctrl, reset_req));
	struct bcmbox_win_pf *pf = (struct bcmbox_win_pf *)(base + BCMBOX_WIN_PF_OFF);
	unsigned int spins = 0;
	uint32_t gen;

	/* relaxed: our own line, only we write it */
	gen = __atomic_load_n(req, __ATOMIC_RELAXED) + 1;
	/*
	 * Never 0, and never what reset_ack holds already (it may be junk).
	 * acquire: as the wait below, though only the value matters here.
	 */
	while (gen == 0 || gen == __atomic_load_n(&pf->reset_ack, __ATOMIC_ACQUIRE))
		gen++;
	/* store-release pairs with the PF's load-acquire of reset_req in its sweep (section 7) */
	__atomic_store_n(req, gen, __ATOMIC_RELEASE);
	/*
	 * load-acquire synchronizes with the PF's store-release of reset_ack in
	 * reset_vf(), made after it cleared the rings and positions we reuse.
	 */
	while (__atomic_load_n(&pf->reset_ack, __ATOMIC_ACQUIRE) != gen) {
		if (++spins % CHECK_EVERY == 0) {
			if (c != NULL)
				waiting(c);
			/* acquire pairs with the PF's store-release of pf_epoch, as in check_pf */
			if (want_pf && __atomic_load_n(&pf->pf_epoch, __ATOMIC_ACQUIRE) == 0)
				return -ENOTCONN;
			if (bcmbox_now_ns() > deadline)
				return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

int
bcmbox_window_repair(void *base, size_t size, uint64_t timeout_ns)
{
	if (base == NULL || size < BCMBOX_WIN_RINGS_OFF)
		return -EINVAL;
	return window_reset(base, bcmbox_now_ns() + timeout_ns, false, NULL);
}

int
bcmbox_client_attach(struct bcmbox_client *c, uint32_t epoch)
{
	int rc = bcmbox_window_rings(&c->w, &c->req, &c->resp, &c->evt);

	if (rc == 0)
		set_epoch(c, epoch);
	return rc;
}

int
bcmbox_client_connect(struct bcmbox_client *c, uint64_t timeout_ns)
{
	uint64_t deadline = bcmbox_now_ns() + timeout_ns;
	struct bcmbox_hello_req hello = {
		.proto_min = BCMBOX_PROTO_MIN,
		.proto_max = BCMBOX_PROTO_MAX,
		.caps = BCMBOX_CAP_EVENTS,
	};
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_HELLO, .length = sizeof(hello) };
	struct bcmbox_msg m;
	uint32_t pf_epoch;
	int rc;

	bcmbox_client_lost(c);	/* a new session: nothing of the old one completes */
	/* acquire pairs with the PF's store-release of pf_epoch, as in check_pf */
	pf_epoch = __atomic_load_n(&c->w.pf->pf_epoch, __ATOMIC_ACQUIRE);
	if (pf_epoch == 0)
		return -ENOTCONN;
	/* Ask for a window reset; the PF acks once it cleared the rings. */
	rc = window_reset(c->w.base, deadline, true, c);
	if (rc != 0)
		return rc;
	if (bcmbox_window_rings(&c->w, &c->req, &c->resp, &c->evt) != 0)
		return -EINVAL;
	rc = send_wait_room(c, &h, &hello, deadline);
	if (rc == 0)
		rc = wait_response(c, h.tag, &m, deadline, false);
	if (rc != 0)
		return rc;
	if (m.hdr.type != (BCMBOX_MSG_HELLO | BCMBOX_RESP))
		return -EPROTO;
	rc = bcmbox_status_to_errno(m.hdr.status);
	if (rc != 0)
		return rc;
	memcpy(&c->hello, m.payload, sizeof(c->hello));
	if (c->hello.vf_epoch == 0 || c->hello.vf_epoch != m.hdr.epoch ||
	    c->hello.max_xfer != BCMBOX_MAX_XFER)
		return -EPROTO;
	set_epoch(c, c->hello.vf_epoch);
	c->pf_epoch = c->hello.pf_epoch;
	c->hb_seen_ns = 0;
	return bcmbox_client_check_pf(c);
}

/*
 * ---- the request engine ----
 * Its state (pending table, head, tags, counters) is private to the one
 * thread that drives the client (the VF: under its lock): plain accesses.
 * What crosses to the PF does so through the rings' release/acquire pairs.
 */

static inline struct bcmbox_pending *
pending(const struct bcmbox_client *c, uint32_t tag)
{
	return &c->pend[tag & c->pend_mask];
}

static void
finish(struct bcmbox_client *c, struct bcmbox_pending *r, int status, uint32_t version)
{
	r->state = BCMBOX_PEND_DONE;
	r->status = status;
	r->version = version;
	c->st.completed++;
	if (status == -ETIMEDOUT)
		c->st.timeouts++;
	else if (status == -ENOTCONN)
		c->st.not_connected++;
	else if (status != 0)
		c->st.errors++;
}

/* Forget entries already freed: the FIFO starts at the oldest one in use. */
static inline void
retire(struct bcmbox_client *c)
{
	while (c->head != c->next_tag && pending(c, c->head)->state == BCMBOX_PEND_FREE)
		c->head++;
}

static inline void
release(struct bcmbox_client *c, struct bcmbox_pending *r)
{
	r->state = BCMBOX_PEND_FREE;
	retire(c);
}

/*
 * Send hdr (payload: WRITE data) with the next tag and record it.
 * Returns 0 with *tag set, -EAGAIN (ring or table full), -ENOTCONN.
 */
static int
submit(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload, void *buf,
       uint32_t len, bool async, void *cookie, uint32_t *tag)
{
	struct bcmbox_pending *r;
	uint64_t t0;
	int64_t t;

	if (c->epoch == 0)
		return -ENOTCONN;
	retire(c);
	/* Tags and FIFO positions are one counter: the slot of next_tag must be free. */
	if (c->next_tag - c->head > c->pend_mask)
		return -EAGAIN;
	/*
	 * Before the send: t0 is also the trace's submit stamp (taken before the
	 * seq's release) and the sync calls' deadline base.
	 */
	t0 = c->clock();
	t = send_raw(c, hdr, payload);
	if (t < 0)
		return t == -ENOSPC ? -EAGAIN : (int)t;
	r = pending(c, (uint32_t)t);
	r->buf = buf;
	r->cookie = cookie;
	r->t0 = t0;
	r->tag = (uint32_t)t;
	r->block_id = hdr->block_id;
	r->offset = hdr->offset;
	r->len = len;
	r->type = hdr->type;
	r->async = async;
	r->state = BCMBOX_PEND_INFLIGHT;
	c->st.requests++;
	*tag = (uint32_t)t;
	return 0;
}

static int
submit_io(struct bcmbox_client *c, uint8_t type, uint32_t block_id, uint32_t offset, void *buf,
	  uint32_t len, bool async, void *cookie, uint32_t *tag)
{
	struct bcmbox_msg_hdr h = { .type = type, .block_id = block_id, .offset = offset };

	if (type == BCMBOX_MSG_WRITE)
		h.length = len;
	else if (type == BCMBOX_MSG_READ)
		h.arg = len;
	return submit(c, &h, type == BCMBOX_MSG_WRITE ? buf : NULL, buf, len, async, cookie, tag);
}

int
bcmbox_client_submit(struct bcmbox_client *c, uint8_t type, uint32_t block_id, uint32_t offset,
		     void *buf, uint32_t len, void *cookie)
{
	uint32_t tag;

	if (buf == NULL || len == 0 || len > BCMBOX_MAX_XFER ||
	    (type != BCMBOX_MSG_READ && type != BCMBOX_MSG_WRITE && type != BCMBOX_MSG_LIST) ||
	    (type != BCMBOX_MSG_LIST && (uint64_t)offset + len > BCMBOX_MAX_BLOCK_SIZE))
		return -EINVAL;
	return submit_io(c, type, block_id, offset, buf, len, true, cookie, &tag);
}

/*
 * Take one response: 1 when one was taken (m holds it), 0 when none was
 * ready. The request it answers is completed; the data of a READ or LIST
 * is copied to its buffer.
 */
static int
pump_one(struct bcmbox_client *c, struct bcmbox_msg *m)
{
	struct bcmbox_pending *r;
	uint64_t seen;
	int st;

	if (!bcmbox_ring_ready(&c->resp))
		return 0;
	seen = c->clock();	/* the seq is there: the histogram's end, the trace's "answer seen" */
	if (bcmbox_client_recv(c, m) == 0)
		return 0;
	r = pending(c, m->hdr.tag);
	if (r->state != BCMBOX_PEND_INFLIGHT || r->tag != m->hdr.tag) {
		c->st.unexpected++;	/* e.g. the answer to a timed-out request */
		return 1;
	}
	if (m->hdr.type == BCMBOX_RESP_UNKNOWN)
		st = -ENOTSUP;	/* the PF does not know this request type */
	else if (m->hdr.type != (r->type | BCMBOX_RESP))
		st = -EPROTO;
	else
		st = bcmbox_status_to_errno(m->hdr.status);
	if (st == 0 && r->type == BCMBOX_MSG_READ) {
		if (m->hdr.length != r->len)
			st = -EPROTO;
		else
			memcpy(r->buf, m->payload, r->len);
	} else if (st == 0 && r->type == BCMBOX_MSG_LIST && r->buf != NULL) {
		if (m->hdr.length > r->len) {
			st = -EPROTO;
		} else {
			memcpy(r->buf, m->payload, m->hdr.length);
			r->len = m->hdr.length;
		}
	}
	bcmbox_lat_count(&c->lat_bounds, c->st.lat, seen - r->t0);
	if (__builtin_expect(c->trace != NULL, 0) && c->trace_n < c->trace_cap) {
		struct bcmbox_trace_rec *e = &c->trace[c->trace_n++];

		e->tag = r->tag;
		e->type = r->type;
		e->submit = r->t0;
		e->seen = seen;
	}
	finish(c, r, st, m->hdr.arg);
	return 1;
}

void
bcmbox_client_trace_start(struct bcmbox_client *c, struct bcmbox_trace_rec *recs, uint32_t n)
{
	c->trace_n = 0;
	c->trace_cap = recs != NULL ? n : 0;
	c->trace = recs;
}

uint32_t
bcmbox_client_trace_stop(struct bcmbox_client *c)
{
	c->trace = NULL;
	return c->trace_n;
}

unsigned int
bcmbox_client_pump(struct bcmbox_client *c, struct bcmbox_msg *m)
{
	unsigned int n = 0;

	/* No session: nothing to complete, and a failed reconnect may have left no rings. */
	if (c->epoch == 0)
		return 0;
	while (pump_one(c, m) == 1)
		n++;
	return n;
}

void
bcmbox_client_expire(struct bcmbox_client *c, int err, uint64_t older_than)
{
	/* The FIFO is in submission order: stop at the first young one. */
	for (uint32_t t = c->head; t != c->next_tag; t++) {
		struct bcmbox_pending *r = pending(c, t);

		if (r->state != BCMBOX_PEND_INFLIGHT)
			continue;
		if (older_than != 0 && r->t0 >= older_than)
			break;
		finish(c, r, err, 0);
	}
}

void
bcmbox_client_lost(struct bcmbox_client *c)
{
	set_epoch(c, 0);
	bcmbox_client_expire(c, -ENOTCONN, 0);
}

int
bcmbox_client_watch(struct bcmbox_client *c)
{
	int rc = bcmbox_client_check_pf(c);

	if (rc != 0)
		bcmbox_client_lost(c);
	return rc;
}

unsigned int
bcmbox_client_completions(struct bcmbox_client *c, struct bcmbox_completion *out, unsigned int n)
{
	unsigned int got = 0;

	for (uint32_t t = c->head; t != c->next_tag && got < n; t++) {
		struct bcmbox_pending *r = pending(c, t);

		if (r->state == BCMBOX_PEND_INFLIGHT)
			break;	/* keep the order */
		if (r->state != BCMBOX_PEND_DONE || !r->async)
			continue;
		out[got].cookie = r->cookie;
		out[got].status = r->status;
		out[got].version = r->version;
		out[got].len = r->status == 0 ? r->len : 0;
		r->state = BCMBOX_PEND_FREE;
		got++;
	}
	retire(c);
	return got;
}

/*
 * Wait until the request tagged tag is done, taking responses as they
 * come; it times out at deadline, and fails with the session when the PF
 * is gone. Returns its status; the entry stays DONE (release() it). When
 * a response completed it, m holds that response.
 */
static int
wait_done(struct bcmbox_client *c, uint32_t tag, struct bcmbox_msg *m, uint64_t deadline)
{
	struct bcmbox_pending *r = pending(c, tag);
	unsigned int spins = 0;

	while (r->state == BCMBOX_PEND_INFLIGHT) {
		if (pump_one(c, m) == 1)
			continue;
		if (++spins % CHECK_EVERY == 0) {
			waiting(c);
			if (c->clock() > deadline)
				finish(c, r, -ETIMEDOUT, 0);
			else
				bcmbox_client_watch(c);
		}
		cpu_relax();
	}
	return r->status;
}

/* Submit, waiting for room until deadline. */
static int
submit_wait_room(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
		 void *buf, uint32_t len, struct bcmbox_msg *m, uint64_t deadline, uint32_t *tag)
{
	unsigned int spins = 0;
	int rc;

	while ((rc = submit(c, hdr, payload, buf, len, false, NULL, tag)) == -EAGAIN) {
		if (pump_one(c, m) == 1)
			continue;
		if (++spins % CHECK_EVERY == 0) {
			waiting(c);
			if (c->clock() > deadline)
				return -ETIMEDOUT;
			bcmbox_client_watch(c);
		}
		cpu_relax();
	}
	return rc;
}

int
bcmbox_client_call(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
		   struct bcmbox_msg *m, uint64_t timeout_ns)
{
	uint64_t deadline = bcmbox_client_deadline(c, timeout_ns);
	uint32_t tag;
	int rc;

	rc = submit_wait_room(c, hdr, payload, NULL, 0, m, deadline, &tag);
	if (rc != 0)
		return rc;
	rc = wait_done(c, tag, m, deadline);
	release(c, pending(c, tag));
	return rc;
}

/*
 * READ or WRITE of [offset, offset + len) in parts of at most
 * BCMBOX_MAX_XFER, pipelined. *torn: the parts carry different versions.
 */
static int
transfer(struct bcmbox_client *c, uint8_t type, uint32_t block_id, uint32_t offset, uint8_t *buf,
	 uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t *deadline,
	 uint64_t timeout_ns, bool *torn)
{
	uint32_t tags[BCMBOX_MAX_BLOCK_SIZE / BCMBOX_MAX_XFER];
	uint32_t parts = (len + BCMBOX_MAX_XFER - 1) / BCMBOX_MAX_XFER;
	uint32_t sent = 0, got = 0, v = 0;
	unsigned int spins = 0;
	int err = 0, rc;

	*torn = false;
	while (got < parts) {
		while (sent < parts) {
			uint32_t o = sent * BCMBOX_MAX_XFER;

			rc = submit_io(c, type, block_id, offset + o, buf + o,
				       min_u32(len - o, BCMBOX_MAX_XFER), false, NULL, &tags[sent]);
			if (rc == -EAGAIN && sent > got)
				break;	/* full: wait for an answer first */
			if (rc == -EAGAIN) {
				/* Full of others' requests: take answers until there is room. */
				if (pump_one(c, m) == 0 && ++spins % CHECK_EVERY == 0) {
					waiting(c);
					if (*deadline == 0)
						*deadline = bcmbox_client_deadline(c, timeout_ns);
					if (c->clock() > *deadline)
						return -ETIMEDOUT;
					bcmbox_client_watch(c);
				}
				continue;
			}
			if (rc != 0) {
				/* Nothing more can be sent: collect what was. */
				if (err == 0)
					err = rc;
				parts = sent;
				break;
			}
			/* The deadline from the first submit's clock reading: one TSC read less. */
			if (*deadline == 0)
				*deadline = pending(c, tags[sent])->t0 + timeout_ticks(c, timeout_ns);
			sent++;
		}
		if (got == sent)
			break;

		struct bcmbox_pending *r = pending(c, tags[got]);

		rc = wait_done(c, tags[got], m, *deadline);
		if (rc != 0 && err == 0)
			err = rc;
		if (rc == 0) {
			if (got > 0 && r->version != v)
				*torn = true;
			v = r->version;
		}
		release(c, r);
		got++;
	}
	if (err == 0 && version != NULL)
		*version = v;
	return err;
}

int
bcmbox_client_read(struct bcmbox_client *c, uint32_t block_id, uint32_t offset, void *buf,
		   uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t timeout_ns)
{
	uint64_t deadline = 0;	/* set at the first submit */
	bool torn;
	int attempt, rc;

	if (len == 0 || buf == NULL || (uint64_t)offset + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	if (c->epoch == 0)
		return -ENOTCONN;
	for (attempt = 0; attempt < 16; attempt++) {
		rc = transfer(c, BCMBOX_MSG_READ, block_id, offset, buf, len, version, m, &deadline,
			      timeout_ns, &torn);
		if (rc != 0 || !torn)
			return rc;
	}
	return -EAGAIN;	/* written faster than it can be read whole */
}

int
bcmbox_client_write(struct bcmbox_client *c, uint32_t block_id, uint32_t offset, const void *buf,
		    uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t timeout_ns)
{
	uint64_t deadline = 0;	/* set at the first submit */
	bool torn;

	if (len == 0 || buf == NULL || (uint64_t)offset + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	if (c->epoch == 0)
		return -ENOTCONN;
	return transfer(c, BCMBOX_MSG_WRITE, block_id, offset, (uint8_t *)(uintptr_t)buf, len,
			version, m, &deadline, timeout_ns, &torn);
}

int
bcmbox_client_list_each(struct bcmbox_client *c, bcmbox_list_fn fn, void *arg, uint32_t max,
			struct bcmbox_msg *m, uint64_t timeout_ns)
{
	const struct bcmbox_catalog_entry *e = (const void *)m->payload;
	uint32_t got = 0, total = 0;
	int rc;

	do {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_LIST, .offset = got };
		uint32_t n;

		rc = bcmbox_client_call(c, &h, NULL, m, timeout_ns);
		if (rc != 0)
			return rc;
		total = m->hdr.arg;
		n = m->hdr.length / sizeof(*e);
		for (uint32_t i = 0; i < n && got + i < max; i++)
			fn(arg, got + i, &e[i]);
		if (n == 0)
			break;
		got += n;
	} while (got < total && got < max);
	return (int)total;
}

static void
list_copy(void *arg, uint32_t i, const struct bcmbox_catalog_entry *e)
{
	struct bcmbox_catalog_entry *out = arg;

	memcpy(&out[i], e, sizeof(*e));
}

int
bcmbox_client_list(struct bcmbox_client *c, struct bcmbox_catalog_entry *e, uint32_t max,
		   struct bcmbox_msg *m, uint64_t timeout_ns)
{
	return bcmbox_client_list_each(c, list_copy, e, max, m, timeout_ns);
}

int
bcmbox_client_bye(struct bcmbox_client *c, struct bcmbox_msg *m, uint64_t timeout_ns)
{
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_BYE };
	int rc = bcmbox_client_call(c, &h, NULL, m, timeout_ns);

	set_epoch(c, 0);
	return rc;
}
