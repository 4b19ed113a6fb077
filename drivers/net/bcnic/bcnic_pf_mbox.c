/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF mailbox poller: serves every VF's request ring.
 *
 * Idle cost: one read per VF per round, of the request slot that VF
 * writes next. That line stays in the poller's cache until the VF writes
 * it, so 256 idle VFs cost 256 cache hits (16 KiB, within L1/L2), and no
 * VF can touch a line another VF's state lives in (doc/mailbox.md,
 * "Polling"). Window resets and heartbeats are handled in a control sweep
 * every 100 us, off the request path.
 *
 * Trust: every request is copied out of the window by bcmbox_ring_recv()
 * and checked by bcmbox_check_request() before anything looks at it.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "bcnic_pf.h"

const uint32_t bcnic_lat_bounds_ns[BCNIC_LAT_BUCKETS - 1] = {
	100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600,
};

#define SWEEP_US	100
#define HEARTBEAT_US	1000
#define SPIN_ROUNDS	2000	/* thread mode: idle rounds before the first sleep */


static void
publish_state(struct bcnic_pf_vf *v)
{
	__atomic_store_n(&v->win.pf->vf_epoch, v->epoch, __ATOMIC_RELAXED);
	__atomic_store_n(&v->win.pf->vf_state, v->state, __ATOMIC_RELEASE);
	v->info.state = (enum rte_pmd_bcnic_vf_state)v->state;
	v->info.epoch = v->epoch;
}

static int
vf_rings_init(struct bcnic_pf_vf *v)
{
	const struct bcmbox_win_info *i = &v->win.info;

	if (bcmbox_ring_init(&v->req, v->win.req, i->req_slots, &v->win.req_cons->pos) != 0 ||
	    bcmbox_ring_init(&v->resp, v->win.resp, i->resp_slots, &v->win.vf->resp_cons) != 0 ||
	    bcmbox_ring_init(&v->evt, v->win.evt, i->evt_slots, &v->win.vf->evt_cons) != 0)
		return -EINVAL;
	memset(&v->evt_ovf, 0, sizeof(v->evt_ovf));
	v->req_halted = false;	/* a cleared ring frames from position 0 again */
	return 0;
}

/* Drop the VF's session: only a reset (and HELLO) gives it another. */
static void
end_session(struct bcnic_pf_vf *v)
{
	rte_spinlock_lock(&v->evt_lock);
	v->epoch = 0;
	v->state = BCMBOX_VF_DETACHED;
	publish_state(v);
	rte_spinlock_unlock(&v->evt_lock);
}

/*
 * The lines the PF owns in a VF window. In shared memory the VF can write
 * them too (on silicon it cannot): they hold what the PF last published,
 * and the PF writes that back when it finds anything else. key: the word
 * stored last (the one VFs load-acquire). skip: words left alone (the
 * heartbeat count, rewritten by every beat anyway).
 */
#define LINE_WORDS (BCMBOX_CACHE_LINE / sizeof(uint32_t))

static const struct {
	uint32_t off;
	uint8_t key;
	uint8_t skip;	/* words at the start left alone */
} pf_lines[] = {
	{ BCMBOX_WIN_INFO_OFF, 0, 0 },		/* magic */
	{ BCMBOX_WIN_PF_OFF, 2, 0 },		/* vf_state */
	{ BCMBOX_WIN_REQ_CONS_OFF, 0, 0 },
	{ BCMBOX_WIN_HEARTBEAT_OFF, 0, 2 },
	{ BCMBOX_WIN_TX_CONS_OFF, 0, 0 },
};

static void
pf_line_image(const struct bcnic_pf *pf, const struct bcnic_pf_vf *v, uint32_t off,
	      uint32_t img[LINE_WORDS])
{
	memset(img, 0, BCMBOX_CACHE_LINE);
	switch (off) {
	case BCMBOX_WIN_INFO_OFF:
		memcpy(img, &v->win.info, sizeof(v->win.info));
		break;
	case BCMBOX_WIN_PF_OFF:
		img[0] = pf->shm->hdr->pf_epoch;
		img[1] = v->epoch;
		img[2] = v->state;
		img[3] = v->reset_seen;
		break;
	case BCMBOX_WIN_REQ_CONS_OFF:
		img[0] = v->req.pos;
		break;
	case BCMBOX_WIN_TX_CONS_OFF:
		if (v->win.tx != NULL) {
			img[0] = v->dtx.pos;
			img[1] = v->rx_prod_pub;
		}
		break;
	default:
		break;
	}
}

/*
 * Make the PF-owned lines of v's window say what the PF published: one
 * read of each word, and a write only where it differs. Poller thread only.
 */
static void
republish_lines(struct bcnic_pf *pf, struct bcnic_pf_vf *v)
{
	for (unsigned int l = 0; l < RTE_DIM(pf_lines); l++) {
		uint32_t *w = (uint32_t *)(v->win.base + pf_lines[l].off);
		uint32_t img[LINE_WORDS];
		unsigned int k, key = pf_lines[l].key;
		bool differ = false;

		pf_line_image(pf, v, pf_lines[l].off, img);
		for (k = pf_lines[l].skip; k < LINE_WORDS && !differ; k++)
			differ = __atomic_load_n(&w[k], __ATOMIC_RELAXED) != img[k];
		if (!differ)
			continue;
		/* A VF must not validate a half-written info line: magic off first. */
		if (pf_lines[l].off == BCMBOX_WIN_INFO_OFF)
			__atomic_store_n(&w[key], 0, __ATOMIC_RELEASE);
		for (k = pf_lines[l].skip; k < LINE_WORDS; k++)
			if (k != key)
				__atomic_store_n(&w[k], img[k], __ATOMIC_RELEASE);
		if (key >= pf_lines[l].skip)
			__atomic_store_n(&w[key], img[key], __ATOMIC_RELEASE);
		pf->cnt.lines_republished++;
	}
}

/* Some windows' PF-owned lines per sweep: all of them every num_vfs / 8 sweeps. */
#define LINES_PER_SWEEP 8u

static void
check_pf_lines(struct bcnic_pf *pf)
{
	for (unsigned int n = 0; n < LINES_PER_SWEEP && n < pf->num_vfs; n++) {
		republish_lines(pf, &pf->vfs[pf->lines_next]);
		pf->lines_next = (uint16_t)(pf->lines_next + 1 == pf->num_vfs ? 0 :
					    pf->lines_next + 1);
	}
}

int
bcnic_pf_mbox_init(struct bcnic_pf *pf)
{
	uint16_t i;
	int rc;

	pf->vfs = rte_zmalloc("bcnic_pf_vfs", pf->num_vfs * sizeof(*pf->vfs), RTE_CACHE_LINE_SIZE);
	pf->scratch = rte_zmalloc("bcnic_pf_scratch", sizeof(*pf->scratch), RTE_CACHE_LINE_SIZE);
	if (pf->vfs == NULL || pf->scratch == NULL)
		return -ENOMEM;
	for (i = 0; i < pf->num_vfs; i++) {
		struct bcnic_pf_vf *v = &pf->vfs[i];

		rc = bcmbox_window_map(&v->win, pf->shm->win[i].base, pf->shm->win[i].size);
		if (rc == 0)
			rc = vf_rings_init(v);
		if (rc != 0)
			return rc;
		bcnic_switch_init_vf(pf, i);
		rte_spinlock_init(&v->evt_lock);
		v->state = BCMBOX_VF_DETACHED;
		/* A VF's own stale reset request must not trigger a reset: start from it. */
		v->reset_seen = __atomic_load_n(&v->win.vf_ctrl->reset_req, __ATOMIC_ACQUIRE);
		__atomic_store_n(&v->win.pf->reset_ack, v->reset_seen, __ATOMIC_RELAXED);
		__atomic_store_n(&v->win.pf->pf_epoch, pf->shm->hdr->pf_epoch, __ATOMIC_RELAXED);
		publish_state(v);
		v->tokens = (uint64_t)pf->rate_burst << 16;
	}
	pf->sw.mac_gen = 1;	/* build the MAC table at the first frame */
	pf->tsc_hz = rte_get_tsc_hz();
	for (i = 0; i < BCNIC_LAT_BUCKETS - 1; i++)
		pf->lat_bounds_cycles[i] = (uint64_t)bcnic_lat_bounds_ns[i] * pf->tsc_hz / 1000000000ull;
	pf->sweep_period = pf->tsc_hz * SWEEP_US / 1000000;
	pf->heartbeat_period = pf->tsc_hz * HEARTBEAT_US / 1000000;
	return 0;
}

/* ---- events ---- */

int
bcnic_pf_post_event(struct bcnic_pf *pf, uint16_t vf, struct bcmbox_msg_hdr *hdr,
		    const void *payload)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];
	int rc;

	rte_spinlock_lock(&v->evt_lock);
	if (v->state != BCMBOX_VF_READY || !(v->caps & BCMBOX_CAP_EVENTS)) {
		rte_spinlock_unlock(&v->evt_lock);
		return 0;	/* no session (it reads everything fresh at HELLO), or no events asked */
	}
	hdr->epoch = v->epoch;
	rc = bcmbox_event_post(&v->evt, &v->evt_ovf, hdr, payload);
	v->info.events_dropped = v->evt_ovf.dropped;
	rte_spinlock_unlock(&v->evt_lock);
	if (rc == 0)
		__atomic_fetch_add(&pf->cnt.events, 1, __ATOMIC_RELAXED);
	else if (rc == -ENOSPC)
		__atomic_fetch_add(&pf->cnt.events_dropped, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&pf->cnt.bad_cons, 1, __ATOMIC_RELAXED);
	return rc;
}

void
bcnic_pf_link_changed(struct bcnic_pf *pf, bool up, uint32_t speed)
{
	struct rte_pmd_bcnic_link link = { .link_up = up, .speed_mbps = speed };
	struct bcmbox_link_evt evt = { .link_up = up, .speed_mbps = speed };
	struct bcnic_block *b = bcnic_store_find(&pf->store, BCMBOX_BLOCK_LINK);
	uint16_t i;

	bcnic_block_write(&b->copies[0], 0, &link, sizeof(link));
	for (i = 0; i < pf->num_vfs; i++) {
		struct bcmbox_msg_hdr h = {
			.type = BCMBOX_EVT_LINK,
			.length = sizeof(evt),
		};

		bcnic_pf_post_event(pf, i, &h, &evt);
	}
}

/* ---- request handling ---- */

static void
respond(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg_hdr *req,
	uint16_t status, uint32_t arg, uint32_t length, const void *payload)
{
	struct bcmbox_msg_hdr h = {
		.type = req->type | BCMBOX_RESP,
		.status = status,
		.tag = req->tag,
		.epoch = v->epoch,
		.block_id = req->block_id,
		.offset = req->offset,
		.length = status == BCMBOX_ST_OK ? length : 0,
		.arg = arg,
	};

	/* Room for the largest response was checked before the request was taken. */
	if (bcmbox_ring_send(&v->resp, &h, payload) < 0)
		__atomic_fetch_add(&pf->cnt.bad_cons, 1, __ATOMIC_RELAXED);	/* app threads post events too */
	pf->cnt.status[status]++;
}

/* Group commit: one journal sync, then every write acknowledgement held for it. */
static void
flush_acks(struct bcnic_pf *pf)
{
	uint16_t st = BCMBOX_ST_OK;

	if (pf->nacks == 0)
		return;
	if (bcnic_persist_sync(pf) != 0) {
		pf->cnt.persist_errors++;
		st = BCMBOX_ST_AGAIN;	/* applied, but not known to be durable */
	}
	for (unsigned int i = 0; i < pf->nacks; i++) {
		struct bcnic_pf_ack *a = &pf->acks[i];
		struct bcnic_pf_vf *v = &pf->vfs[a->vf];

		respond(pf, v, &a->req, st, st == BCMBOX_ST_OK ? a->version : 0, 0, NULL);
		v->acks_queued = 0;
	}
	pf->nacks = 0;
}

static void
handle_hello(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m)
{
	struct bcmbox_hello_req req;
	struct bcmbox_hello_resp resp;
	int proto;

	memcpy(&req, m->payload, sizeof(req));
	proto = bcmbox_negotiate(req.proto_min, req.proto_max, BCMBOX_PROTO_MIN, BCMBOX_PROTO_MAX);
	if (proto < 0) {
		BCNIC_MBOX_LOG(NOTICE, "%s VF %u: HELLO for protocol %u..%u, PF speaks %u..%u",
			       pf->dev_name, (unsigned int)(v - pf->vfs), req.proto_min,
			       req.proto_max, BCMBOX_PROTO_MIN, BCMBOX_PROTO_MAX);
		end_session(v);	/* a HELLO always ends the session it was sent in */
		respond(pf, v, &m->hdr, BCMBOX_ST_VERSION, 0, 0, NULL);
		return;
	}
	rte_spinlock_lock(&v->evt_lock);
	do {
		v->epoch = (uint32_t)rte_rand();
	} while (v->epoch == 0 || v->epoch == v->info.epoch);
	v->state = BCMBOX_VF_READY;
	v->proto = (uint16_t)proto;
	v->caps = req.caps & BCMBOX_CAP_EVENTS;
	publish_state(v);
	rte_spinlock_unlock(&v->evt_lock);
	republish_lines(pf, v);	/* a new session starts from lines that say what we say */
	pf->cnt.hellos++;

	memset(&resp, 0, sizeof(resp));
	resp.proto = v->proto;
	resp.caps = v->caps;
	resp.pf_epoch = pf->shm->hdr->pf_epoch;
	resp.vf_epoch = v->epoch;
	resp.max_xfer = BCMBOX_MAX_XFER;
	resp.max_block_size = BCMBOX_MAX_BLOCK_SIZE;
	resp.rate_limit = pf->rate;
	for (uint32_t i = 0; i < __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE); i++)
		if (__atomic_load_n(&pf->store.blocks[i].access[v - pf->vfs], __ATOMIC_RELAXED) !=
		    BCMBOX_ACCESS_NONE)
			resp.num_blocks++;
	BCNIC_MBOX_LOG(INFO, "%s VF %u: session epoch %08x, protocol %u", pf->dev_name,
		       (unsigned int)(v - pf->vfs), v->epoch, v->proto);
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, 0, sizeof(resp), &resp);
}

static void
handle_list(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m,
	    uint8_t *out)
{
	uint16_t vf = (uint16_t)(v - pf->vfs);
	uint32_t count = __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE);
	uint32_t max = BCMBOX_MAX_XFER / sizeof(struct bcmbox_catalog_entry);
	uint32_t visible = 0, n = 0, i;

	for (i = 0; i < count; i++) {
		struct bcnic_block *b = &pf->store.blocks[i];
		uint8_t access = __atomic_load_n(&b->access[vf], __ATOMIC_RELAXED);
		struct bcmbox_catalog_entry e;

		if (access == BCMBOX_ACCESS_NONE)
			continue;
		if (visible++ < m->hdr.offset || n == max)
			continue;
		memset(&e, 0, sizeof(e));
		e.block_id = b->id;
		e.size = b->size;
		e.access = access;
		e.scope = b->scope;
		e.version = __atomic_load_n(&bcnic_block_copy(b, vf)->version, __ATOMIC_RELAXED);
		memcpy(out + n * sizeof(e), &e, sizeof(e));
		n++;
	}
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, visible, n * sizeof(struct bcmbox_catalog_entry), out);
}

/* Block lookup and range check shared by READ and WRITE; 0 or a status. */
static uint16_t
block_access(struct bcnic_pf *pf, uint16_t vf, uint32_t id, uint32_t off, uint32_t len,
	     uint8_t need, struct bcnic_block **out)
{
	struct bcnic_block *b = bcnic_store_find(&pf->store, id);
	uint8_t access;

	if (b == NULL)
		return BCMBOX_ST_NOENT;
	access = __atomic_load_n(&b->access[vf], __ATOMIC_RELAXED);
	if (access == BCMBOX_ACCESS_NONE)
		return BCMBOX_ST_NOENT;	/* invisible blocks do not exist for this VF */
	if (access < need)
		return BCMBOX_ST_ACCESS;
	if ((uint64_t)off + len > b->size)
		return BCMBOX_ST_RANGE;
	*out = b;
	return BCMBOX_ST_OK;
}

static void
handle_read(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m, uint8_t *out)
{
	uint16_t vf = (uint16_t)(v - pf->vfs);
	struct bcnic_block *b = NULL;
	uint16_t st = block_access(pf, vf, m->hdr.block_id, m->hdr.offset, m->hdr.arg,
				   BCMBOX_ACCESS_RO, &b);
	uint32_t version;

	if (st != BCMBOX_ST_OK) {
		respond(pf, v, &m->hdr, st, 0, 0, NULL);
		return;
	}
	version = bcnic_block_read(bcnic_block_copy(b, vf), m->hdr.offset, out, m->hdr.arg);
	pf->cnt.read_bytes += m->hdr.arg;
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, version, m->hdr.arg, out);
}

static void
handle_write(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m)
{
	uint16_t vf = (uint16_t)(v - pf->vfs);
	struct bcnic_block *b = NULL;
	uint16_t st = block_access(pf, vf, m->hdr.block_id, m->hdr.offset, m->hdr.length,
				   BCMBOX_ACCESS_RW, &b);
	struct rte_pmd_bcnic_mb_event_param p;
	uint32_t version;

	if (st != BCMBOX_ST_OK) {
		respond(pf, v, &m->hdr, st, 0, 0, NULL);
		return;
	}
	/* The application's policy: ixgbe-style VF_MBOX event with a result. */
	p.vf = vf;
	p.block_id = m->hdr.block_id;
	p.offset = m->hdr.offset;
	p.length = m->hdr.length;
	p.data = m->payload;
	p.retval = RTE_PMD_BCNIC_MB_EVENT_ACCEPT;
	rte_eth_dev_callback_process(pf->eth_dev, RTE_ETH_EVENT_VF_MBOX, &p);
	if (p.retval != RTE_PMD_BCNIC_MB_EVENT_ACCEPT) {
		pf->cnt.policy_rejects++;
		respond(pf, v, &m->hdr, BCMBOX_ST_ACCESS, 0, 0, NULL);
		return;
	}
	version = bcnic_block_write(bcnic_block_copy(b, vf), m->hdr.offset, m->payload,
				    m->hdr.length);
	pf->cnt.write_bytes += m->hdr.length;
	if (m->hdr.block_id == BCMBOX_BLOCK_MAC)
		bcnic_switch_mac_changed(pf);	/* where its frames go changes now */
	if (pf->persist_fd >= 0) {
		/* Acknowledged only once on disk: held until the round's journal sync. */
		if (bcnic_persist_append(pf, vf, &m->hdr, m->payload, version) != 0) {
			pf->cnt.persist_errors++;
			respond(pf, v, &m->hdr, BCMBOX_ST_AGAIN, 0, 0, NULL);
		} else {
			struct bcnic_pf_ack *a = &pf->acks[pf->nacks++];

			a->vf = vf;
			a->version = version;
			a->req = m->hdr;
			v->acks_queued++;
			if (pf->nacks == BCNIC_MAX_ACKS)
				flush_acks(pf);
		}
	} else {
		respond(pf, v, &m->hdr, BCMBOX_ST_OK, version, 0, NULL);
	}
	if (b->scope == BCMBOX_SCOPE_SHARED)
		bcnic_store_invalidate(pf, b, RTE_PMD_BCNIC_VF_ALL, version, vf);
}

static void
handle_bye(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m)
{
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, 0, 0, NULL);
	rte_spinlock_lock(&v->evt_lock);
	v->epoch = 0;
	v->state = BCMBOX_VF_DETACHED;
	publish_state(v);
	rte_spinlock_unlock(&v->evt_lock);
	BCNIC_MBOX_LOG(INFO, "%s VF %u: BYE", pf->dev_name, (unsigned int)(v - pf->vfs));
}

/* Token bucket; true when this request may go through. */
static bool
rate_ok(struct bcnic_pf *pf, struct bcnic_pf_vf *v, uint64_t now)
{
	uint64_t full = (uint64_t)pf->rate_burst << 16;

	if (pf->rate == 0)
		return true;
	if (v->tokens < full) {
		uint64_t add = (now - v->last_refill) * ((uint64_t)pf->rate << 16) / pf->tsc_hz;

		if (add > 0) {
			v->tokens = RTE_MIN(full, v->tokens + add);
			v->last_refill = now;
		}
	} else {
		v->last_refill = now;
	}
	if (v->tokens < (1u << 16))
		return false;
	v->tokens -= 1u << 16;
	return true;
}

/* Bucket bounds are in TSC cycles (set at init): no division on the request path. */
static void
count_latency(struct bcnic_pf *pf, uint64_t cycles)
{
	unsigned int i;

	for (i = 0; i < BCNIC_LAT_BUCKETS - 1 && cycles >= pf->lat_bounds_cycles[i]; i++)
		;
	pf->cnt.lat[i]++;
}

static unsigned int
serve_vf(struct bcnic_pf *pf, struct bcnic_pf_vf *v, struct bcnic_pf_scratch *s)
{
	unsigned int served = 0, n;

	for (n = 0; n < pf->vf_burst && bcmbox_ring_ready(&v->req); n++) {
		enum bcmbox_reject why = BCMBOX_REJ_NONE;
		uint64_t t0 = rte_rdtsc();
		uint32_t need = BCMBOX_MSG_MAX_SLOTS + v->acks_queued;
		int free_slots = bcmbox_ring_free(&v->resp, need);
		int rc;

		if (free_slots < 0) {
			__atomic_fetch_add(&pf->cnt.bad_cons, 1, __ATOMIC_RELAXED);	/* app threads post events too */
			break;
		}
		if (free_slots < (int)need) {
			/* The VF is not reading its answers: only it waits. */
			pf->cnt.resp_ring_full++;
			break;
		}
		rc = bcmbox_ring_recv(&v->req, &s->req, &why);
		if (rc == 0)
			break;
		if (rc < 0) {
			/*
			 * Framing is lost: the next slots may be payload, never to be
			 * run as requests. The session ends; only a window reset
			 * (which clears the ring) makes us read this ring again.
			 */
			pf->cnt.reject[why]++;
			v->info.rejected++;
			v->req_halted = true;
			end_session(v);
			BCNIC_MBOX_LOG(DEBUG, "%s VF %u: framing error (%s): session ended",
				       pf->dev_name, (unsigned int)(v - pf->vfs),
				       bcmbox_reject_name(why));
			break;
		}
		why = bcmbox_check_request(&s->req, v->epoch);
		if (why == BCMBOX_REJ_EPOCH) {
			/* An old session's request: nobody waits for it. */
			pf->cnt.reject[why]++;
			v->info.stale++;
			continue;
		}
		if (why != BCMBOX_REJ_NONE) {
			struct bcmbox_msg_hdr *q = &s->req.hdr;
			uint16_t st = BCMBOX_ST_PROTO;
			uint32_t arg = why;

			pf->cnt.reject[why]++;
			v->info.rejected++;
			if (why == BCMBOX_REJ_TYPE) {
				/* Answered as type 0x80, which every VF knows, naming the type. */
				arg = q->type;
				q->type = 0;
				q->block_id = 0;
				q->offset = 0;
				st = BCMBOX_ST_NOTSUP;
			} else if (why == BCMBOX_REJ_XFER) {
				st = BCMBOX_ST_MSGSIZE;
				arg = 0;
			} else if (why == BCMBOX_REJ_RANGE) {
				st = BCMBOX_ST_RANGE;
				arg = 0;
			} else if (q->type == BCMBOX_MSG_HELLO) {
				end_session(v);	/* a HELLO always ends the session it was sent in */
			}
			respond(pf, v, q, st, arg, 0, NULL);
			continue;
		}
		if (s->req.hdr.type != BCMBOX_MSG_HELLO && !rate_ok(pf, v, t0)) {
			pf->cnt.throttled++;
			v->info.throttled++;
			respond(pf, v, &s->req.hdr, BCMBOX_ST_BUSY, 0, 0, NULL);
			continue;
		}
		pf->cnt.req[s->req.hdr.type]++;
		v->info.requests++;
		switch (s->req.hdr.type) {
		case BCMBOX_MSG_HELLO:
			handle_hello(pf, v, &s->req);
			break;
		case BCMBOX_MSG_LIST:
			handle_list(pf, v, &s->req, s->data);
			break;
		case BCMBOX_MSG_READ:
			handle_read(pf, v, &s->req, s->data);
			break;
		case BCMBOX_MSG_WRITE:
			handle_write(pf, v, &s->req);
			break;
		default:
			handle_bye(pf, v, &s->req);
			break;
		}
		count_latency(pf, rte_rdtsc() - t0);
		served++;
	}
	return served;
}

/* The VF asked for a fresh window: clear its rings and session, then ack. */
static void
reset_vf(struct bcnic_pf *pf, struct bcnic_pf_vf *v, uint32_t req)
{
	const struct bcmbox_win_info *i = &v->win.info;

	rte_spinlock_lock(&v->evt_lock);
	v->state = BCMBOX_VF_RESETTING;
	publish_state(v);
	bcmbox_ring_clear(v->win.req, i->req_slots, &v->win.req_cons->pos);
	bcmbox_ring_clear(v->win.resp, i->resp_slots, &v->win.vf->resp_cons);
	bcmbox_ring_clear(v->win.evt, i->evt_slots, &v->win.vf->evt_cons);
	vf_rings_init(v);
	bcnic_switch_vf_reset(pf, (uint16_t)(v - pf->vfs));
	republish_lines(pf, v);	/* whatever the VF wrote over them, before the ack */
	v->epoch = 0;
	v->state = BCMBOX_VF_HELLO;
	v->reset_seen = req;
	v->tokens = (uint64_t)pf->rate_burst << 16;
	publish_state(v);
	__atomic_store_n(&v->win.pf->reset_ack, req, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&v->evt_lock);
	pf->cnt.resets++;
	BCNIC_MBOX_LOG(INFO, "%s VF %u: window reset (%u)", pf->dev_name,
		       (unsigned int)(v - pf->vfs), req);
}

/* Someone truncated this VF's window: map it back, reformat, drop the session. */
static void
restore_window(struct bcnic_pf *pf, uint16_t i)
{
	struct bcnic_window_map *map = &pf->shm->win[i];
	struct bcnic_pf_vf *v = &pf->vfs[i];
	int rc;

	rc = bcnic_window_restore(map);
	if (rc == 0)
		rc = bcmbox_window_format(map->base, map->size, i, pf->num_vfs, &pf->cfg);
	if (rc == 0)
		rc = bcmbox_window_map(&v->win, map->base, map->size);
	if (rc == 0)
		rc = vf_rings_init(v);
	if (rc == 0)
		bcnic_switch_init_vf(pf, i);
	rte_spinlock_lock(&v->evt_lock);
	v->epoch = 0;
	v->state = BCMBOX_VF_DETACHED;
	v->reset_seen = 0;
	if (rc == 0) {
		__atomic_store_n(&v->win.pf->pf_epoch, pf->shm->hdr->pf_epoch, __ATOMIC_RELEASE);
		publish_state(v);
	}
	rte_spinlock_unlock(&v->evt_lock);
	pf->cnt.windows_restored++;
	BCNIC_LOG(WARNING, "%s VF %u: window object truncated by someone; %s, session dropped",
		  pf->dev_name, i, rc == 0 ? "restored" : "cannot restore it");
}

static void
sweep(struct bcnic_pf *pf, uint64_t now)
{
	bool beat = now >= pf->next_heartbeat;
	uint16_t i;

	for (i = 0; i < pf->num_vfs; i++) {
		struct bcnic_pf_vf *v = &pf->vfs[i];

		if (unlikely(bcnic_window_broken(&pf->shm->win[i])))
			restore_window(pf, i);
		uint32_t req = __atomic_load_n(&v->win.vf_ctrl->reset_req, __ATOMIC_ACQUIRE);

		if (req != v->reset_seen)
			reset_vf(pf, v, req);
		if (beat)
			__atomic_store_n(&v->win.heartbeat->count, now, __ATOMIC_RELEASE);
	}
	if (beat)
		pf->next_heartbeat = now + pf->heartbeat_period;
	check_pf_lines(pf);
	pf->next_sweep = now + pf->sweep_period;
}

/*
 * Hot and cold VFs. A VF that sent something recently is hot and checked
 * every round; the others are cold and checked COLD_SLICE at a time,
 * round-robin, so a round costs (hot VFs + COLD_SLICE) line reads instead
 * of one per VF: with 256 windows (256 pages) the full scan would cost the
 * active VFs a TLB- and cache-miss-bound round. A cold VF's first request
 * waits at most num_vfs / COLD_SLICE rounds. A hot VF that stays silent for
 * HOT_IDLE_ROUNDS rounds turns cold.
 */
#define COLD_SLICE	8u
#define HOT_IDLE_ROUNDS	4096u

static inline unsigned int
check_vf(struct bcnic_pf *pf, uint16_t i, struct bcnic_pf_scratch *s)
{
	struct bcnic_pf_vf *v = &pf->vfs[i];
	bool req = !v->req_halted && bcmbox_ring_ready(&v->req);
	bool pkt = v->win.tx != NULL && bcmbox_pkt_ready(&v->dtx);
	unsigned int n = 0;

	if (!req && !pkt)
		return 0;
	if (!v->hot) {
		v->hot = true;
		pf->hot[pf->nhot++] = i;
	}
	v->last_busy = pf->rounds;
	if (req)
		n += serve_vf(pf, v, s);
	if (pkt)
		n += bcnic_switch_vf(pf, i);
	return n;
}

unsigned int
bcnic_pf_poll_round(struct bcnic_pf *pf)
{
	struct bcnic_pf_scratch *s = pf->scratch;
	unsigned int served = 0, k;
	uint64_t now;

	if (pf->num_vfs <= COLD_SLICE) {
		for (uint16_t i = 0; i < pf->num_vfs; i++)
			served += check_vf(pf, i, s);
	} else {
		for (k = 0; k < pf->nhot; k++) {
			uint16_t i = pf->hot[k];

			served += check_vf(pf, i, s);
			if (pf->rounds - pf->vfs[i].last_busy > HOT_IDLE_ROUNDS) {
				pf->vfs[i].hot = false;
				pf->hot[k--] = pf->hot[--pf->nhot];
			}
		}
		for (k = 0; k < COLD_SLICE; k++) {
			uint16_t i = pf->cold_next;

			pf->cold_next = (uint16_t)(i + 1 == pf->num_vfs ? 0 : i + 1);
			if (!pf->vfs[i].hot)
				served += check_vf(pf, i, s);
		}
	}
	served += bcnic_switch_pf(pf);
	flush_acks(pf);
	pf->rounds++;
	now = rte_rdtsc();
	if (now >= pf->next_sweep) {
		sweep(pf, now);
		bcnic_persist_maybe_compact(pf);
	}
	return served;
}

int
rte_pmd_bcnic_pf_poll(uint16_t port_id)
{
	struct bcnic_pf *pf;
	int rc;

	pf = bcnic_pf_from_port(port_id, &rc);
	if (pf == NULL)
		return rc;
	if (pf->mode != BCNIC_POLLER_APP)
		return -EBUSY;
	/* Uncontended but while a VF of this process attaches (poller_assist()). */
	if (!rte_spinlock_trylock(&pf->round_lock))
		return 0;
	rc = (int)bcnic_pf_poll_round(pf);
	rte_spinlock_unlock(&pf->round_lock);
	return rc;
}

/* ---- running the poller ---- */

/*
 * Several rounds per call: between calls the service framework spends more
 * time than a round (its loop, the run lock), and a request arriving then
 * waits for it. A few microseconds at most, so other services on the same
 * lcore still run often.
 */
#define ROUNDS_PER_CALL 32

static int32_t
service_run(void *arg)
{
	struct bcnic_pf *pf = arg;
	unsigned int served = 0;

	/* Two atomics per ROUNDS_PER_CALL rounds; busy only while a local VF attaches. */
	if (!rte_spinlock_trylock(&pf->round_lock))
		return -EBUSY;
	for (int i = 0; i < ROUNDS_PER_CALL; i++)
		served += bcnic_pf_poll_round(pf);
	rte_spinlock_unlock(&pf->round_lock);
	return served > 0 ? 0 : -EAGAIN;
}

static void *
thread_run(void *arg)
{
	struct bcnic_pf *pf = arg;
	unsigned int idle = 0, sleep_us = 0;

	/* Sleep what we ask for: the default 50 us timer slack would double short sleeps. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!__atomic_load_n(&pf->stop, __ATOMIC_RELAXED)) {
		unsigned int served;

		rte_spinlock_lock(&pf->round_lock);	/* against queue setup only: uncontended */
		served = bcnic_pf_poll_round(pf);
		rte_spinlock_unlock(&pf->round_lock);
		if (served > 0) {
			idle = 0;
			sleep_us = 0;
			continue;
		}
		if (++idle < SPIN_ROUNDS) {
			rte_pause();
			continue;
		}
		/* Idle: sleep in growing steps up to the ceiling. */
		sleep_us = sleep_us == 0 ? 1 : RTE_MIN(sleep_us * 2, pf->idle_sleep_max_us);
		struct timespec ts = { 0, (long)sleep_us * 1000 };

		nanosleep(&ts, NULL);
		pf->idle_sleeps++;
	}
	return NULL;
}

/* Map the service to the least busy service lcore and make sure it runs. */
static void
service_map_self(struct bcnic_pf *pf)
{
	uint32_t lcores[RTE_MAX_LCORE], best = 0;
	int32_t n = rte_service_lcore_list(lcores, RTE_MAX_LCORE), i, best_count = INT32_MAX;

	for (i = 0; i < n; i++) {
		if (rte_service_map_lcore_get(pf->service_id, lcores[i]) == 1)
			return;	/* EAL or the application mapped it */
		int32_t c = rte_service_lcore_count_services(lcores[i]);

		if (c < best_count) {
			best_count = c;
			best = lcores[i];
		}
	}
	if (n <= 0)
		return;
	rte_service_map_lcore_set(pf->service_id, best, 1);
	rte_service_lcore_start(best);	/* -EALREADY when running */
	BCNIC_LOG(INFO, "%s: PF poller mapped to service lcore %u", pf->dev_name, best);
}

static void
service_map_alarm(void *arg)
{
	service_map_self(arg);
}

/*
 * A VF of this process waits for an answer (bcnic_shm_assist()): in the
 * same EAL init as its PF it probes before EAL starts any service lcore,
 * and an application in poller=app mode has not begun to poll. Run a round
 * for it, never beside another runner of this PF (round_lock). Registered
 * in service and app mode only: the thread runs on its own.
 */
static void
poller_assist(void *arg)
{
	struct bcnic_pf *pf = arg;

	if (rte_spinlock_trylock(&pf->round_lock)) {
		bcnic_pf_poll_round(pf);
		rte_spinlock_unlock(&pf->round_lock);
	}
}

int
bcnic_pf_poller_start(struct bcnic_pf *pf)
{
	struct rte_service_spec spec;
	uint32_t lcores[RTE_MAX_LCORE];
	int32_t n, i;
	bool running = false;
	int rc;

	pf->next_sweep = 0;
	pf->next_heartbeat = 0;
	/* round_lock is zero from rte_zmalloc(): unlocked; an init here would race a hotplug's service lcore. */
	/* Publishes probe's set-up to whoever takes the lock first (service_run()). */
	rte_spinlock_lock(&pf->round_lock);
	rte_spinlock_unlock(&pf->round_lock);
	if (pf->mode == BCNIC_POLLER_AUTO) {
		pf->mode = rte_service_lcore_count() > 0 ? BCNIC_POLLER_SERVICE : BCNIC_POLLER_THREAD;
		if (pf->mode == BCNIC_POLLER_THREAD)
			BCNIC_LOG(NOTICE, "%s: no service lcore: the PF mailbox poller runs in a control "
				  "thread with back-off (up to %u us idle sleep); give EAL -s <mask> or "
				  "-S <list> for sub-microsecond latency", pf->dev_name,
				  pf->idle_sleep_max_us);
	}
	switch (pf->mode) {
	case BCNIC_POLLER_SERVICE:
		if (rte_service_lcore_count() <= 0) {
			BCNIC_LOG(ERR, "%s: poller=service but EAL has no service lcore: add -s <mask> or -S <list>",
				  pf->dev_name);
			return -EINVAL;
		}
		memset(&spec, 0, sizeof(spec));
		snprintf(spec.name, sizeof(spec.name), "bcnic_pf_%.20s", pf->dev_name);
		spec.callback = service_run;
		spec.callback_userdata = pf;
		spec.socket_id = SOCKET_ID_ANY;
		rc = rte_service_component_register(&spec, &pf->service_id);
		if (rc != 0) {
			BCNIC_LOG(ERR, "%s: cannot register the poller service: %s", pf->dev_name,
				  strerror(-rc));
			return rc;
		}
		pf->service_registered = true;
		rte_service_component_runstate_set(pf->service_id, 1);
		rte_service_runstate_set(pf->service_id, 1);
		/*
		 * Probed from the EAL command line, EAL maps the service when it
		 * starts the service lcores. Hotplugged later, they already run:
		 * map now. Otherwise check again once EAL init is surely done.
		 */
		n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
		for (i = 0; i < n; i++)
			running |= rte_service_lcore_may_be_active(lcores[i]) == 1;
		if (running)
			service_map_self(pf);
		else
			rte_eal_alarm_set(100 * 1000, service_map_alarm, pf);
		bcnic_shm_set_assist(pf->shm, poller_assist, pf);
		BCNIC_LOG(INFO, "%s: PF poller is service %u (%s)", pf->dev_name, pf->service_id,
			  spec.name);
		return 0;
	case BCNIC_POLLER_THREAD:
		BCNIC_LOG(INFO, "%s: PF mailbox poller in a control thread", pf->dev_name);
		__atomic_store_n(&pf->stop, false, __ATOMIC_RELAXED);	/* before the thread exists */
		rc = rte_ctrl_thread_create(&pf->thread, "bcnic-pf", NULL, thread_run, pf);
		if (rc != 0) {
			BCNIC_LOG(ERR, "%s: cannot start the poller thread: %s", pf->dev_name,
				  strerror(rc));
			return -rc;
		}
		pf->thread_running = true;
		return 0;
	default:
		BCNIC_LOG(INFO, "%s: poller=app, the application calls rte_pmd_bcnic_pf_poll()",
			  pf->dev_name);
		bcnic_shm_set_assist(pf->shm, poller_assist, pf);
		return 0;
	}
}

void
bcnic_pf_poller_stop(struct bcnic_pf *pf)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int32_t n, i;

	bcnic_shm_set_assist(pf->shm, NULL, NULL);	/* returns once no hook runs */
	if (pf->service_registered) {
		rte_eal_alarm_cancel(service_map_alarm, pf);
		rte_service_runstate_set(pf->service_id, 0);
		rte_service_component_runstate_set(pf->service_id, 0);
		for (i = 0; i < 100000 && rte_service_may_be_active(pf->service_id) == 1; i++)
			rte_delay_us_sleep(10);
		n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
		for (i = 0; i < n; i++)
			rte_service_map_lcore_set(pf->service_id, lcores[i], 0);
		rte_service_component_unregister(pf->service_id);
		pf->service_registered = false;
	}
	if (pf->thread_running) {
		__atomic_store_n(&pf->stop, true, __ATOMIC_RELAXED);	/* join orders the rest */
		pthread_join(pf->thread, NULL);
		pf->thread_running = false;
	}
	/*
	 * Pairs with the last round's unlock, whoever ran it (a service lcore,
	 * an app thread that stopped polling): its writes are ours to free now.
	 */
	rte_spinlock_lock(&pf->round_lock);
	rte_spinlock_unlock(&pf->round_lock);
}
