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

int
bcmbox_client_open(struct bcmbox_client *c, void *base, size_t size)
{
	memset(c, 0, sizeof(*c));
	c->pf_timeout_ns = BCMBOX_PF_TIMEOUT_NS;
	return bcmbox_window_map(&c->w, base, size);
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
	uint32_t pf_epoch = __atomic_load_n(&c->w.pf->pf_epoch, __ATOMIC_ACQUIRE);
	uint64_t hb, now, silent;
	int alive;

	if (pf_epoch == 0 || pf_epoch != c->pf_epoch || c->epoch == 0 ||
	    __atomic_load_n(&c->w.pf->vf_state, __ATOMIC_ACQUIRE) != BCMBOX_VF_READY ||
	    __atomic_load_n(&c->w.pf->vf_epoch, __ATOMIC_ACQUIRE) != c->epoch)
		return -ENOTCONN;
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
			if (m->hdr.epoch == c->epoch)
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

	gen = __atomic_load_n(req, __ATOMIC_RELAXED) + 1;
	/* Never 0, and never what reset_ack holds already (it may be junk). */
	while (gen == 0 || gen == __atomic_load_n(&pf->reset_ack, __ATOMIC_ACQUIRE))
		gen++;
	__atomic_store_n(req, gen, __ATOMIC_RELEASE);
	while (__atomic_load_n(&pf->reset_ack, __ATOMIC_ACQUIRE) != gen) {
		if (++spins % CHECK_EVERY == 0) {
			if (c != NULL)
				waiting(c);
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
	const struct bcmbox_win_info *i = &c->w.info;
	uint32_t pf_epoch;
	int rc;

	c->epoch = 0;
	pf_epoch = __atomic_load_n(&c->w.pf->pf_epoch, __ATOMIC_ACQUIRE);
	if (pf_epoch == 0)
		return -ENOTCONN;
	/* Ask for a window reset; the PF acks once it cleared the rings. */
	rc = window_reset(c->w.base, deadline, true, c);
	if (rc != 0)
		return rc;
	if (bcmbox_ring_init(&c->req, c->w.req, i->req_slots, &c->w.req_cons->pos) != 0 ||
	    bcmbox_ring_init(&c->resp, c->w.resp, i->resp_slots, &c->w.vf->resp_cons) != 0 ||
	    bcmbox_ring_init(&c->evt, c->w.evt, i->evt_slots, &c->w.vf->evt_cons) != 0)
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
	c->epoch = c->hello.vf_epoch;
	c->pf_epoch = c->hello.pf_epoch;
	c->hb_seen_ns = 0;
	return bcmbox_client_check_pf(c);
}

int
bcmbox_client_call(struct bcmbox_client *c, struct bcmbox_msg_hdr *hdr, const void *payload,
		   struct bcmbox_msg *m, uint64_t timeout_ns)
{
	uint64_t deadline = bcmbox_now_ns() + timeout_ns;
	int rc;

	if (c->epoch == 0)
		return -ENOTCONN;
	rc = send_wait_room(c, hdr, payload, deadline);
	if (rc == 0)
		rc = wait_response(c, hdr->tag, m, deadline, true);
	if (rc != 0)
		return rc;
	if (m->hdr.type == BCMBOX_RESP_UNKNOWN)
		return -ENOTSUP;	/* the PF does not know this request type */
	if (m->hdr.type != (hdr->type | BCMBOX_RESP))
		return -EPROTO;
	return bcmbox_status_to_errno(m->hdr.status);
}

/* READ or WRITE of [offset, offset + len) in parts, pipelined. */
static int
transfer(struct bcmbox_client *c, uint8_t type, uint32_t block_id, uint32_t offset, uint8_t *buf,
	 uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t deadline, bool *torn)
{
	uint32_t parts = (len + BCMBOX_MAX_XFER - 1) / BCMBOX_MAX_XFER;
	uint32_t sent = 0, got = 0, first_tag = c->next_tag, v = 0;
	int err = 0;

	*torn = false;
	while (got < parts) {
		while (sent < parts && err == 0) {
			uint32_t off = sent * BCMBOX_MAX_XFER;
			uint32_t n = min_u32(len - off, BCMBOX_MAX_XFER);
			struct bcmbox_msg_hdr h = {
				.type = type,
				.block_id = block_id,
				.offset = offset + off,
			};
			int64_t tag;

			if (type == BCMBOX_MSG_READ)
				h.arg = n;
			else
				h.length = n;
			tag = send_raw(c, &h, type == BCMBOX_MSG_WRITE ? buf + off : NULL);
			if (tag == -ENOSPC)
				break;
			if (tag < 0)
				return (int)tag;
			sent++;
		}
		if (sent == got)
			break;	/* an error stopped sending and everything sent is answered */
		int rc = wait_response(c, first_tag + got, m, deadline, true);

		if (rc != 0)
			return rc;	/* the session is unusable anyway */
		if (m->hdr.type != (type | BCMBOX_RESP)) {
			err = -EPROTO;
		} else if (m->hdr.status != BCMBOX_ST_OK) {
			if (err == 0)
				err = bcmbox_status_to_errno(m->hdr.status);
		} else if (err == 0) {
			uint32_t off = got * BCMBOX_MAX_XFER;

			if (type == BCMBOX_MSG_READ) {
				if (m->hdr.length != min_u32(len - off, BCMBOX_MAX_XFER))
					err = -EPROTO;
				else
					memcpy(buf + off, m->payload, m->hdr.length);
			}
			if (got > 0 && m->hdr.arg != v)
				*torn = true;
			v = m->hdr.arg;
		}
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
	uint64_t deadline = bcmbox_now_ns() + timeout_ns;
	bool torn;
	int attempt, rc;

	if (c->epoch == 0)
		return -ENOTCONN;
	if (len == 0 || buf == NULL || (uint64_t)offset + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	for (attempt = 0; attempt < 16; attempt++) {
		rc = transfer(c, BCMBOX_MSG_READ, block_id, offset, buf, len, version, m, deadline,
			      &torn);
		if (rc != 0 || !torn)
			return rc;
	}
	return -EAGAIN;	/* written faster than it can be read whole */
}

int
bcmbox_client_write(struct bcmbox_client *c, uint32_t block_id, uint32_t offset, const void *buf,
		    uint32_t len, uint32_t *version, struct bcmbox_msg *m, uint64_t timeout_ns)
{
	bool torn;

	if (c->epoch == 0)
		return -ENOTCONN;
	if (len == 0 || buf == NULL || (uint64_t)offset + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	return transfer(c, BCMBOX_MSG_WRITE, block_id, offset, (uint8_t *)(uintptr_t)buf, len,
			version, m, bcmbox_now_ns() + timeout_ns, &torn);
}

int
bcmbox_client_list(struct bcmbox_client *c, struct bcmbox_catalog_entry *e, uint32_t max,
		   struct bcmbox_msg *m, uint64_t timeout_ns)
{
	uint32_t got = 0, total = 0;
	int rc;

	do {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_LIST, .offset = got };
		uint32_t n, take;

		rc = bcmbox_client_call(c, &h, NULL, m, timeout_ns);
		if (rc != 0)
			return rc;
		total = m->hdr.arg;
		n = m->hdr.length / sizeof(*e);
		take = got < max ? min_u32(n, max - got) : 0;
		if (take > 0)
			memcpy(e + got, m->payload, take * sizeof(*e));
		if (n == 0)
			break;
		got += n;
	} while (got < total && got < max);
	return (int)total;
}

int
bcmbox_client_bye(struct bcmbox_client *c, struct bcmbox_msg *m, uint64_t timeout_ns)
{
	struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_BYE };
	int rc = bcmbox_client_call(c, &h, NULL, m, timeout_ns);

	c->epoch = 0;
	return rc;
}
