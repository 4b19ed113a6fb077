/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF mailbox request handlers and VF sessions: HELLO, LIST, READ, WRITE,
 * BYE, events to the VFs, window resets and restores. The poller
 * (bcnic_pf_poller.c) decides when they run; they run on one thread at a
 * time (round_lock), except event posting, which app threads do too
 * (evt_lock).
 *
 * Trust: every request is copied out of the window by bcmbox_ring_recv()
 * and checked by bcmbox_check_request() before anything looks at it.
 *
 * "A block changed" has one path: block_changed() below, which posts
 * INVALIDATE to the VFs that see the contents and tells the switch when
 * a block it reads (MAC, MAC filters, Rx mode) changed. The layers below
 * reach it through the store's notifier (bcnic_store_changed()), the layers
 * above the same way.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "bcnic_pf.h"

static void block_changed(struct bcnic_pf *pf, const struct bcnic_block *b, uint16_t vf,
			  uint32_t version, uint16_t except_vf);
static void
publish_state(struct bcnic_pf_vf *v)
{
	/* Relaxed: the release of vf_state below publishes it. */
	__atomic_store_n(&v->win.pf->vf_epoch, v->epoch, __ATOMIC_RELAXED);
	/*
	 * Store-release synchronizes with the VF's load-acquire of vf_state
	 * (doc/mailbox.md section 7, vf_state).
	 */
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
		/*
		 * Relaxed: a compare only; nothing is read behind a word, a difference is
		 * rewritten.
		 */
		for (k = pf_lines[l].skip; k < LINE_WORDS && !differ; k++)
			differ = __atomic_load_n(&w[k], __ATOMIC_RELAXED) != img[k];
		if (!differ)
			continue;
		/* A VF must not validate a half-written info line: magic off first. */
		if (pf_lines[l].off == BCMBOX_WIN_INFO_OFF)
			__atomic_store_n(&w[key], 0, __ATOMIC_RELEASE);
		/*
		 * Release each word: some are load-acquired by the VF on their own
		 * (consumer positions, reset_ack), as when first published. The key
		 * word last: its store-release synchronizes with the VF's
		 * load-acquire of it (doc/mailbox.md section 7, re-published line).
		 */
		for (k = pf_lines[l].skip; k < LINE_WORDS; k++)
			if (k != key)
				__atomic_store_n(&w[k], img[k], __ATOMIC_RELEASE);
		if (key >= pf_lines[l].skip)
			__atomic_store_n(&w[key], img[key], __ATOMIC_RELEASE);
		pf->cnt.lines_republished++;
	}
}

/*
 * Some windows' PF-owned lines per sweep: all of them every num_vfs / 8
 * sweeps; the VF's Rx queue depth with them (the switch also reads it when
 * the VF's ring fills).
 */
#define LINES_PER_SWEEP 8u

void
bcnic_pf_check_lines(struct bcnic_pf *pf)
{
	for (unsigned int n = 0; n < LINES_PER_SWEEP && n < pf->num_vfs; n++) {
		republish_lines(pf, &pf->vfs[pf->lines_next]);
		bcnic_switch_vf_depth(pf, pf->lines_next);
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

		v->idx = i;
		rc = bcmbox_window_map(&v->win, pf->shm->win[i].base, pf->shm->win[i].size);
		if (rc == 0)
			rc = vf_rings_init(v);
		if (rc != 0)
			return rc;
		bcnic_switch_init_vf(pf, i);
		rte_spinlock_init(&v->evt_lock);
		v->state = BCMBOX_VF_DETACHED;
		/* A VF's own stale reset request must not trigger a reset: start from it. */
		/*
		 * Load-acquire synchronizes with the VF's store-release of reset_req
		 * (doc/mailbox.md section 7).
		 */
		v->reset_seen = __atomic_load_n(&v->win.vf_ctrl->reset_req, __ATOMIC_ACQUIRE);
		/* Relaxed: no session yet; publish_state()'s release of vf_state publishes both. */
		__atomic_store_n(&v->win.pf->reset_ack, v->reset_seen, __ATOMIC_RELAXED);
		__atomic_store_n(&v->win.pf->pf_epoch, pf->shm->hdr->pf_epoch, __ATOMIC_RELAXED);
		publish_state(v);
		v->tokens = (uint64_t)pf->rate_burst << 16;
	}
	pf->sw.mac_gen = 1;	/* build the MAC table at the first frame */
	pf->tsc_hz = rte_get_tsc_hz();
	bcmbox_lat_bounds_init(&pf->lat_bounds, pf->tsc_hz);
	pf->store.changed = block_changed;	/* from now on a change reaches the VFs */
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
	/*
	 * Relaxed: counts only, nothing published with them; atomic: app threads post
	 * events too.
	 */
	if (rc == 0)
		__atomic_fetch_add(&pf->cnt.events, 1, __ATOMIC_RELAXED);
	else if (rc == -ENOSPC)
		__atomic_fetch_add(&pf->cnt.events_dropped, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&pf->cnt.bad_consumer_pos, 1, __ATOMIC_RELAXED);
	return rc;
}

/*
 * The one path of "a block changed": vf is the owner of a per-VF copy, or
 * RTE_PMD_BCNIC_VF_ALL for a shared block; the VFs that see it, but
 * except_vf (the writer), get an INVALIDATE; a new MAC, MAC filter or Rx mode reroutes frames.
 * Called after the write: a switch rebuilding in between must not keep the old MAC.
 */
static void
block_changed(struct bcnic_pf *pf, const struct bcnic_block *b, uint16_t vf, uint32_t version,
	      uint16_t except_vf)
{
	uint16_t first = vf, last = vf, i;

	if (bcnic_switch_reads_block(b->id))
		bcnic_switch_mac_changed(pf);
	else if (b->id == BCMBOX_BLOCK_MTU)
		bcnic_switch_mtu_changed(pf);
	if (vf == RTE_PMD_BCNIC_VF_ALL) {
		first = 0;
		last = pf->num_vfs - 1;
	}
	for (i = first; i <= last; i++) {
		struct bcmbox_msg_hdr h = {
			.type = BCMBOX_EVT_INVALIDATE,
			.block_id = b->id,
			.arg = version,
		};

		/*
		 * Relaxed: access is one byte with no data behind it
		 * (rte_pmd_bcnic_pf_block_access_set()).
		 */
		if (i == except_vf ||
		    __atomic_load_n(&b->access[i], __ATOMIC_RELAXED) == BCMBOX_ACCESS_NONE)
			continue;
		bcnic_pf_post_event(pf, i, &h, NULL);
	}
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

/* An answered request into the trace (rte_pmd_bcnic_pf_trace_start()). */
static void
trace_add(struct bcnic_pf_vf *v, const struct bcmbox_msg_hdr *req, uint64_t pickup,
	  uint64_t published)
{
	struct rte_pmd_bcnic_trace_rec *e;

	if (v->trace_n == v->trace_cap)
		return;
	e = &v->trace[v->trace_n++];
	e->tag = req->tag;
	e->type = req->type;
	e->t[0] = pickup;
	e->t[1] = published;
}

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
	/* Relaxed: a count (atomic: event posters on app threads count it too). */
	if (bcmbox_ring_send(&v->resp, &h, payload) < 0)
		__atomic_fetch_add(&pf->cnt.bad_consumer_pos, 1, __ATOMIC_RELAXED);
	/* The trace's one branch; its stamp after the seq's store-release in the send. */
	if (unlikely(v->trace != NULL))
		trace_add(v, req, pf->scratch->pickup, rte_rdtsc());
	pf->cnt.status[status]++;
}

/* Group commit: one journal sync, then every write acknowledgement held for it. */
void
bcnic_pf_flush_acks(struct bcnic_pf *pf)
{
	uint16_t st = BCMBOX_ST_OK;

	if (pf->nacks == 0)
		return;
	if (bcnic_persist_sync(pf) != 0) {
		pf->cnt.persist_errors++;
		st = BCMBOX_ST_AGAIN;	/* applied, but not known to be durable */
	}
	pf->scratch->pickup = 0;	/* the trace: these requests were seen rounds ago */
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
			       pf->dev_name, v->idx, req.proto_min,
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
	pf->cnt.sessions++;

	memset(&resp, 0, sizeof(resp));
	resp.proto = v->proto;
	resp.caps = v->caps;
	resp.pf_epoch = pf->shm->hdr->pf_epoch;
	resp.vf_epoch = v->epoch;
	resp.max_xfer = BCMBOX_MAX_XFER;
	resp.max_block_size = BCMBOX_MAX_BLOCK_SIZE;
	resp.rate_limit = pf->rate;
	/*
	 * Load-acquire of count synchronizes with the store-release in
	 * bcnic_store_define(): blocks[] below it are filled. access: relaxed,
	 * one byte with nothing behind it.
	 */
	for (uint32_t i = 0; i < __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE); i++)
		if (__atomic_load_n(&pf->store.blocks[i].access[v->idx], __ATOMIC_RELAXED) !=
		    BCMBOX_ACCESS_NONE)
			resp.num_blocks++;
	BCNIC_MBOX_LOG(INFO, "%s VF %u: session epoch %08x, protocol %u", pf->dev_name,
		       v->idx, v->epoch, v->proto);
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, 0, sizeof(resp), &resp);
}

static void
handle_list(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m,
	    uint8_t *out)
{
	uint16_t vf = v->idx;
	/* Load-acquire synchronizes with the store-release of count in bcnic_store_define(). */
	uint32_t count = __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE);
	uint32_t max = BCMBOX_MAX_XFER / sizeof(struct bcmbox_catalog_entry);
	uint32_t visible = 0, n = 0, i;

	for (i = 0; i < count; i++) {
		struct bcnic_block *b = &pf->store.blocks[i];
		/*
		 * Relaxed: one byte with nothing behind it
		 * (rte_pmd_bcnic_pf_block_access_set()).
		 */
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
		/*
		 * Relaxed: a hint; a READ returns the version that goes with its bytes
		 * (seqlock).
		 */
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
	/* Relaxed: one byte with nothing behind it (rte_pmd_bcnic_pf_block_access_set()). */
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
	uint16_t vf = v->idx;
	struct bcnic_block *b = NULL;
	uint16_t st = block_access(pf, vf, m->hdr.block_id, m->hdr.offset, m->hdr.arg,
				   BCMBOX_ACCESS_RO, &b);
	uint32_t version;

	if (st != BCMBOX_ST_OK) {
		respond(pf, v, &m->hdr, st, 0, 0, NULL);
		return;
	}
	version = bcnic_block_read(bcnic_block_copy(b, vf), m->hdr.offset, out, m->hdr.arg);
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, version, m->hdr.arg, out);
	pf->cnt.read_bytes += m->hdr.arg;	/* after the answer: off its path */
}

/*
 * The PF's own policy on a VF's Rx-mode write, on the contents it would leave:
 * unknown flags are RANGE, promiscuous without trust ACCESS (the Linux "vf trust" model).
 */
static uint16_t
rxmode_policy(struct bcnic_pf *pf, struct bcnic_pf_vf *v, struct bcnic_block *b,
	      const struct bcmbox_msg *m)
{
	uint8_t mode[BCMBOX_BLOCK_RXMODE_SIZE];
	uint32_t flags;

	/* block_access() checked the range against the block's size. */
	bcnic_block_read(bcnic_block_copy(b, v->idx), 0, mode, sizeof(mode));
	memcpy(mode + m->hdr.offset, m->payload, m->hdr.length);
	memcpy(&flags, mode, sizeof(flags));
	if (flags & ~BCMBOX_RXMODE_KNOWN)
		return BCMBOX_ST_RANGE;
	/* Relaxed: changed under the round lock this round holds (rte_pmd_bcnic_pf_vf_trust_set()). */
	if ((flags & BCMBOX_RXMODE_PROMISC) && !__atomic_load_n(&v->trusted, __ATOMIC_RELAXED)) {
		pf->cnt.policy_rejects++;
		return BCMBOX_ST_ACCESS;
	}
	return BCMBOX_ST_OK;
}

static void
handle_write(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m)
{
	uint16_t vf = v->idx;
	struct bcnic_block *b = NULL;
	uint16_t st = block_access(pf, vf, m->hdr.block_id, m->hdr.offset, m->hdr.length,
				   BCMBOX_ACCESS_RW, &b);
	struct rte_pmd_bcnic_mb_event_param p;
	uint32_t version;

	if (st == BCMBOX_ST_OK && m->hdr.block_id == BCMBOX_BLOCK_MTU) {
		/* The whole value, one the data path carries (doc/guide.md, MTU). */
		uint32_t mtu;

		memcpy(&mtu, m->payload, sizeof(mtu));
		if (m->hdr.offset != 0 || m->hdr.length != sizeof(mtu) ||
		    mtu < RTE_ETHER_MIN_MTU || mtu > BCNIC_MAX_MTU)
			st = BCMBOX_ST_RANGE;
	}
	if (st == BCMBOX_ST_OK && m->hdr.block_id == BCMBOX_BLOCK_RXMODE)
		st = rxmode_policy(pf, v, b, m);
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
	/*
	 * A per-VF copy other than those the switch reads (MAC, MAC filters, Rx mode, MTU)
	 * concerns its writer alone: nobody to tell.
	 */
	if (b->scope == BCMBOX_SCOPE_SHARED || bcnic_switch_reads_block(m->hdr.block_id) ||
	    m->hdr.block_id == BCMBOX_BLOCK_MTU)
		block_changed(pf, b, b->scope == BCMBOX_SCOPE_SHARED ? RTE_PMD_BCNIC_VF_ALL : vf,
			      version, vf);
	/*
	 * Load-acquire synchronizes with the store-release in bcnic_persist_start(): the
	 * journal is set up.
	 */
	if (__atomic_load_n(&pf->persist_fd, __ATOMIC_ACQUIRE) >= 0) {
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
				bcnic_pf_flush_acks(pf);
		}
	} else {
		respond(pf, v, &m->hdr, BCMBOX_ST_OK, version, 0, NULL);
	}
}

static void
handle_bye(struct bcnic_pf *pf, struct bcnic_pf_vf *v, const struct bcmbox_msg *m)
{
	respond(pf, v, &m->hdr, BCMBOX_ST_OK, 0, 0, NULL);
	end_session(v);
	BCNIC_MBOX_LOG(INFO, "%s VF %u: BYE", pf->dev_name, v->idx);
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

unsigned int
bcnic_pf_serve_vf(struct bcnic_pf *pf, struct bcnic_pf_vf *v, struct bcnic_pf_scratch *s)
{
	unsigned int served = 0, n;

	for (n = 0; n < pf->vf_burst && bcmbox_ring_ready(&v->req); n++) {
		enum bcmbox_reject why = BCMBOX_REJ_NONE;
		uint64_t t0 = rte_rdtsc();
		uint32_t need = BCMBOX_MSG_MAX_SLOTS + v->acks_queued;
		int free_slots = bcmbox_ring_free(&v->resp, need);
		int rc;

		if (free_slots < 0) {
			/* Relaxed: a count (atomic: event posters on app threads count it too). */
			__atomic_fetch_add(&pf->cnt.bad_consumer_pos, 1, __ATOMIC_RELAXED);
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
		s->pickup = t0;	/* for the trace, in respond() */
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
				       pf->dev_name, v->idx,
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
		/* Counted once the answer is out: between the request and it, only the handler. */
		pf->cnt.req[s->req.hdr.type]++;
		v->info.requests++;
		/* Bounds in TSC cycles (set at init): no division per request. */
		bcmbox_lat_count(&pf->lat_bounds, pf->cnt.lat, rte_rdtsc() - t0);
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
	bcnic_switch_vf_reset(pf, v->idx);
	republish_lines(pf, v);	/* whatever the VF wrote over them, before the ack */
	v->epoch = 0;
	v->state = BCMBOX_VF_HELLO;
	v->reset_seen = req;
	v->tokens = (uint64_t)pf->rate_burst << 16;
	publish_state(v);
	/*
	 * Store-release synchronizes with the VF's load-acquire of reset_ack
	 * (doc/mailbox.md section 7): rings zeroed.
	 */
	__atomic_store_n(&v->win.pf->reset_ack, req, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&v->evt_lock);
	pf->cnt.window_resets++;
	BCNIC_MBOX_LOG(INFO, "%s VF %u: window reset (%u)", pf->dev_name,
		       v->idx, req);
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
		/*
		 * Store-release synchronizes with the VF's load-acquire of pf_epoch
		 * (doc/mailbox.md section 7): the reformatted window.
		 */
		__atomic_store_n(&v->win.pf->pf_epoch, pf->shm->hdr->pf_epoch, __ATOMIC_RELEASE);
		publish_state(v);
	}
	rte_spinlock_unlock(&v->evt_lock);
	pf->cnt.windows_restored++;
	BCNIC_LOG(WARNING, "%s VF %u: window object truncated by someone; %s, session dropped",
		  pf->dev_name, i, rc == 0 ? "restored" : "cannot restore it");
}


void
bcnic_pf_check_window(struct bcnic_pf *pf, struct bcnic_pf_vf *v)
{
	uint32_t req;

	if (unlikely(bcnic_window_broken(&pf->shm->win[v->idx])))
		restore_window(pf, v->idx);
	/*
	 * Load-acquire synchronizes with the VF's store-release of reset_req
	 * (doc/mailbox.md section 7).
	 */
	req = __atomic_load_n(&v->win.vf_ctrl->reset_req, __ATOMIC_ACQUIRE);
	if (req != v->reset_seen)
		reset_vf(pf, v, req);
}
