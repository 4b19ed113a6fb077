/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side: the net_bcnic_vf vdev. Maps its own window of the emulated
 * device, and nothing else, and serves the config-block API and the
 * ethdev ops (MAC, MTU, link) over the mailbox.
 *
 * Requests: every request gets a slot in a FIFO indexed by its tag; the
 * PF answers one VF's requests in order, so responses complete the FIFO
 * from its head. Synchronous calls hold the port's lock for their round
 * trip; asynchronous ones leave their slot for rte_pmd_bcnic_vf_completions().
 *
 * Events and liveness: an event thread (or the application through
 * rte_pmd_bcnic_vf_event_poll()) drains the event ring every 100 us,
 * watches the PF's heartbeat and epoch, and reconnects when a PF is back.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_cycles.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "bcmbox_client.h"
#include "bcnic.h"
#include "rte_pmd_bcnic.h"

#define VF_DRV			"net_bcnic_vf"
#define VF_PENDING		8192u	/* requests in flight, power of two */
#define VF_MAX_CALLBACKS	32
#define EVENT_PERIOD_US		100
#define CHECK_PERIOD_NS		(10ull * 1000000)
#define RECONNECT_PERIOD_NS	(100ull * 1000000)
#define AWAY_LOG_PERIOD_NS	(10ull * 1000000000)
#define LAT_BUCKETS		10

static const uint32_t lat_bounds_ns[LAT_BUCKETS - 1] = {
	250, 500, 1000, 2000, 4000, 8000, 16000, 64000, 1000000,
};

enum vf_req_state { REQ_FREE = 0, REQ_INFLIGHT, REQ_DONE };

struct vf_req {
	uint32_t tag;
	uint8_t state;
	bool async;
	uint8_t type;
	void *buf;		/* READ destination */
	uint32_t len;
	void *cookie;
	int status;
	uint32_t version;
	uint64_t t0;		/* TSC at submit */
};

struct vf_callback {
	uint32_t block_id;
	rte_pmd_bcnic_invalidate_cb_t cb;
	void *arg;
};

struct vf_counters {
	uint64_t requests;
	uint64_t completed;
	uint64_t timeouts;
	uint64_t errors;		/* completed with an error status */
	uint64_t not_connected;
	uint64_t unexpected;		/* responses matching no request */
	uint64_t events;
	uint64_t invalidations;
	uint64_t overflows;
	uint64_t link_changes;
	uint64_t disconnects;
	uint64_t reconnects;
	uint64_t pf_stalls;		/* heartbeat silences of a PF that was alive */
	uint64_t lat[LAT_BUCKETS];
};

struct bcnic_vf {
	struct bcnic_port port;		/* first: the common ops use it */
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	unsigned int vf;
	struct rte_eth_dev *eth_dev;
	struct bcnic_window_map map;
	bool by_name;			/* shm transport: the window can be opened again */
	struct bcmbox_client c;
	rte_spinlock_t lock;		/* requests, responses, FIFO, (re)connect */
	rte_spinlock_t evt_lock;	/* event ring, liveness */
	rte_spinlock_t cb_lock;
	struct vf_req *pend;		/* [VF_PENDING] */
	uint32_t head, tail;		/* FIFO of tags in flight or done */
	struct bcmbox_msg *rx;		/* response scratch (under lock) */
	struct bcmbox_msg *ev;		/* event scratch (under evt_lock) */
	uint64_t timeout_ns;
	uint64_t timeout_tsc;		/* the same, in TSC cycles */
	uint64_t pf_timeout_ns;		/* devarg pf_timeout_ms */
	uint64_t stalls_base;		/* pf_stalls of earlier sessions */
	uint32_t reconnect_fails;	/* attempts since the PF went away */
	uint64_t next_away_log_ns;
	uint64_t tsc_hz;
	uint64_t lat_bounds_cycles[LAT_BUCKETS - 1];
	bool connected;
	bool link_up;
	bool lsc_pending;
	uint32_t link_speed;
	bool use_thread;
	bool probing;			/* in setup: may drive a PF of this process */
	pthread_t thread;
	bool thread_running;
	bool stop;			/* atomic: the event thread's exit flag */
	uint64_t next_check_ns;
	uint64_t next_reconnect_ns;
	uint64_t next_live_check;	/* TSC: completions() checks the PF at most this often */
	unsigned int ncb;
	struct vf_callback cbs[VF_MAX_CALLBACKS];
	struct vf_counters cnt;
	/* data path */
	struct bcmbox_pkt_ring dtx;	/* we produce */
	struct bcmbox_pkt_ring drx;	/* we consume */
	struct bcmbox_pkt *rx_pkt;	/* scratch of rx_burst */
	struct bcmbox_pkt *tx_pkt;	/* scratch of tx_burst (linearized chains) */
	bool dp_ready;			/* rings usable: cleared around a reconnect */
	uint32_t dp_busy;		/* bursts running now */
	uint64_t tx_ring_full;
	uint64_t rx_malformed;
};

static const struct eth_dev_ops bcnic_vf_ops;

static struct bcnic_vf *
vf_from_port(uint16_t port_id, int *err)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id)) {
		*err = -ENODEV;
		return NULL;
	}
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &bcnic_vf_ops || dev->data->dev_private == NULL) {
		*err = -ENOTSUP;
		return NULL;
	}
	return dev->data->dev_private;
}

/* ---- request FIFO (vf->lock held) ---- */

static void
count_latency(struct bcnic_vf *vf, uint64_t cycles)
{
	unsigned int i;

	for (i = 0; i < LAT_BUCKETS - 1 && cycles >= vf->lat_bounds_cycles[i]; i++)
		;
	vf->cnt.lat[i]++;
}

static void
req_done(struct bcnic_vf *vf, struct vf_req *r, int status, uint32_t version)
{
	r->state = REQ_DONE;
	r->status = status;
	r->version = version;
	vf->cnt.completed++;
	if (status == -ETIMEDOUT)
		vf->cnt.timeouts++;
	else if (status == -ENOTCONN)
		vf->cnt.not_connected++;
	else if (status != 0)
		vf->cnt.errors++;
}

/* Take every response that is ready. */
static void
vf_pump(struct bcnic_vf *vf)
{
	struct bcmbox_msg *m = vf->rx;

	while (bcmbox_client_recv(&vf->c, m) == 1) {
		struct vf_req *r = &vf->pend[m->hdr.tag & (VF_PENDING - 1)];
		int st;

		if (r->state != REQ_INFLIGHT || r->tag != m->hdr.tag ||
		    m->hdr.type != (r->type | BCMBOX_RESP)) {
			vf->cnt.unexpected++;	/* e.g. the answer to a timed-out request */
			continue;
		}
		st = bcmbox_status_to_errno(m->hdr.status);
		if (st == 0 && r->type == BCMBOX_MSG_READ) {
			if (m->hdr.length != r->len)
				st = -EPROTO;
			else
				memcpy(r->buf, m->payload, r->len);
		} else if (st == 0 && r->type == BCMBOX_MSG_LIST) {
			if (m->hdr.length > r->len) {
				st = -EPROTO;
			} else {
				memcpy(r->buf, m->payload, m->hdr.length);
				r->len = m->hdr.length;
			}
		}
		count_latency(vf, rte_rdtsc() - r->t0);
		req_done(vf, r, st, m->hdr.arg);
	}
}

/*
 * Requests submitted before older_than_tsc, or all of them (0) when the PF
 * is gone. The FIFO is in submission order: stop at the first young one.
 */
static void
vf_fail_inflight(struct bcnic_vf *vf, int err, uint64_t older_than_tsc)
{
	for (uint32_t t = vf->head; t != vf->tail; t++) {
		struct vf_req *r = &vf->pend[t & (VF_PENDING - 1)];

		if (older_than_tsc != 0 && r->t0 >= older_than_tsc)
			break;
		if (r->state == REQ_INFLIGHT)
			req_done(vf, r, err, 0);
	}
}

static void
vf_retire(struct bcnic_vf *vf)
{
	while (vf->head != vf->tail && vf->pend[vf->head & (VF_PENDING - 1)].state == REQ_FREE)
		vf->head++;
}

static int
vf_submit(struct bcnic_vf *vf, uint8_t type, uint32_t id, uint32_t off, void *buf, uint32_t len,
	  bool async, void *cookie, uint32_t *tag_out)
{
	struct bcmbox_msg_hdr h = { .type = type, .block_id = id, .offset = off };
	struct vf_req *r;
	int64_t tag;

	if (!vf->connected)
		return -ENOTCONN;
	vf_retire(vf);
	if (vf->tail - vf->head == VF_PENDING)
		return -EAGAIN;
	if (type == BCMBOX_MSG_READ)
		h.arg = len;
	else if (type == BCMBOX_MSG_WRITE)
		h.length = len;
	if (vf->c.next_tag != vf->tail)
		vf->c.next_tag = vf->tail;	/* tags and FIFO positions are one counter */
	tag = bcmbox_client_send(&vf->c, &h, type == BCMBOX_MSG_WRITE ? buf : NULL);
	if (tag == -ENOSPC)
		return -EAGAIN;
	if (tag < 0)
		return (int)tag;
	r = &vf->pend[(uint32_t)tag & (VF_PENDING - 1)];
	r->tag = (uint32_t)tag;
	r->state = REQ_INFLIGHT;
	r->async = async;
	r->type = type;
	r->buf = buf;
	r->len = len;
	r->cookie = cookie;
	r->t0 = rte_rdtsc();
	vf->tail++;
	vf->cnt.requests++;
	if (tag_out != NULL)
		*tag_out = (uint32_t)tag;
	return 0;
}

/* Liveness under vf->lock: -ENOTCONN (and every request failed) when the PF is gone. */
static int
vf_check_pf(struct bcnic_vf *vf)
{
	int rc;

	if (!vf->connected)
		return -ENOTCONN;
	rc = bcmbox_client_check_pf(&vf->c);
	vf->cnt.pf_stalls = vf->stalls_base + vf->c.pf_stalls;
	if (rc == 0)
		return 0;
	__atomic_store_n(&vf->connected, false, __ATOMIC_RELAXED);
	vf->cnt.disconnects++;
	vf_fail_inflight(vf, -ENOTCONN, 0);
	BCNIC_LOG(NOTICE, "VF %u of %s: the PF is gone", vf->vf, vf->dev_name);
	return -ENOTCONN;
}

/* Wait until the request tagged tag is done; returns its status, leaves it DONE. */
static int
vf_wait_keep(struct bcnic_vf *vf, uint32_t tag, uint64_t deadline_tsc)
{
	struct vf_req *r = &vf->pend[tag & (VF_PENDING - 1)];
	unsigned int spins = 0;

	while (r->state == REQ_INFLIGHT) {
		vf_pump(vf);
		if (r->state != REQ_INFLIGHT)
			break;
		if (++spins % 256 == 0) {
			if (vf->c.wait_hook != NULL)
				vf->c.wait_hook(vf->c.wait_arg);
			if (rte_rdtsc() > deadline_tsc)
				req_done(vf, r, -ETIMEDOUT, 0);
			else
				vf_check_pf(vf);
		}
		rte_pause();
	}
	return r->status;
}

/* Wait for the request tagged tag, then free it; returns its status. */
static int
vf_wait(struct bcnic_vf *vf, uint32_t tag, uint64_t deadline_tsc, uint32_t *version)
{
	struct vf_req *r = &vf->pend[tag & (VF_PENDING - 1)];
	int st = vf_wait_keep(vf, tag, deadline_tsc);

	if (version != NULL)
		*version = r->version;
	r->state = REQ_FREE;
	vf_retire(vf);
	return st;
}

static uint64_t
ns_to_tsc(const struct bcnic_vf *vf, uint64_t ns)
{
	return ns / 1000 * (vf->tsc_hz / 1000000);	/* no overflow up to an hour */
}

static uint64_t
deadline(struct bcnic_vf *vf, int timeout_ms)
{
	if (timeout_ms < 0)
		return rte_rdtsc() + vf->timeout_tsc;	/* the common case: no division */
	return rte_rdtsc() + ns_to_tsc(vf, (uint64_t)timeout_ms * 1000000ull);
}

/* READ or WRITE in parts of at most BCMBOX_MAX_XFER, pipelined; lock held. */
static int
vf_transfer(struct bcnic_vf *vf, uint8_t type, uint32_t id, uint32_t off, uint8_t *buf,
	    uint32_t len, uint32_t *version, uint64_t dl, bool *torn)
{
	uint32_t parts = (len + BCMBOX_MAX_XFER - 1) / BCMBOX_MAX_XFER;
	uint32_t tags[BCMBOX_MAX_BLOCK_SIZE / BCMBOX_MAX_XFER];
	uint32_t sent = 0, got = 0, v = 0;
	int err = 0, rc;

	*torn = false;
	while (got < parts) {
		while (sent < parts) {
			uint32_t o = sent * BCMBOX_MAX_XFER;

			rc = vf_submit(vf, type, id, off + o, buf + o,
				       RTE_MIN(len - o, BCMBOX_MAX_XFER), false, NULL, &tags[sent]);
			if (rc == -EAGAIN && sent > got)
				break;	/* full: wait for an answer first */
			if (rc == -EAGAIN) {
				vf_pump(vf);
				if (rte_rdtsc() > dl)
					return -ETIMEDOUT;
				continue;
			}
			if (rc != 0) {
				/* Nothing more can be sent: collect what was. */
				if (err == 0)
					err = rc;
				parts = sent;
				break;
			}
			sent++;
		}
		if (got == sent)
			break;
		uint32_t pv;

		rc = vf_wait(vf, tags[got], dl, &pv);
		if (rc != 0 && err == 0)
			err = rc;
		if (rc == 0) {
			if (got > 0 && pv != v)
				*torn = true;
			v = pv;
		}
		got++;
	}
	if (err == 0 && version != NULL)
		*version = v;
	return err;
}

static int
vf_block_io(struct bcnic_vf *vf, uint8_t type, uint32_t id, uint32_t off, void *buf, uint32_t len,
	    uint32_t *version, int timeout_ms)
{
	bool torn = false;
	int rc = 0, attempt;

	if (buf == NULL || len == 0 || (uint64_t)off + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	uint64_t dl = deadline(vf, timeout_ms);

	for (attempt = 0; attempt < 16; attempt++) {
		rc = vf_transfer(vf, type, id, off, buf, len, version, dl, &torn);
		if (rc != 0 || !torn || type != BCMBOX_MSG_READ)
			break;
	}
	rte_spinlock_unlock(&vf->lock);
	if (rc == 0 && torn && type == BCMBOX_MSG_READ)
		return -EAGAIN;	/* rewritten faster than it can be read whole */
	return rc == 0 ? (int)len : rc;
}

int
rte_pmd_bcnic_vf_block_read(uint16_t port_id, uint32_t block_id, uint32_t offset, void *buf,
			    uint32_t len, uint32_t *version, int timeout_ms)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	return vf_block_io(vf, BCMBOX_MSG_READ, block_id, offset, buf, len, version, timeout_ms);
}

int
rte_pmd_bcnic_vf_block_write(uint16_t port_id, uint32_t block_id, uint32_t offset,
			     const void *data, uint32_t len, uint32_t *version, int timeout_ms)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	return vf_block_io(vf, BCMBOX_MSG_WRITE, block_id, offset, (void *)(uintptr_t)data, len,
			   version, timeout_ms);
}

static int
vf_async_submit(uint16_t port_id, uint8_t type, uint32_t id, uint32_t off, void *buf,
		uint32_t len, void *cookie)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	if (buf == NULL || len == 0 || len > BCMBOX_MAX_XFER ||
	    (uint64_t)off + len > BCMBOX_MAX_BLOCK_SIZE)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	rc = vf_submit(vf, type, id, off, buf, len, true, cookie, NULL);
	if (rc == -EAGAIN)
		vf_pump(vf);	/* make room for the next try */
	rte_spinlock_unlock(&vf->lock);
	return rc;
}

int
rte_pmd_bcnic_vf_read_submit(uint16_t port_id, uint32_t block_id, uint32_t offset, void *buf,
			     uint32_t len, void *cookie)
{
	return vf_async_submit(port_id, BCMBOX_MSG_READ, block_id, offset, buf, len, cookie);
}

int
rte_pmd_bcnic_vf_write_submit(uint16_t port_id, uint32_t block_id, uint32_t offset,
			      const void *data, uint32_t len, void *cookie)
{
	return vf_async_submit(port_id, BCMBOX_MSG_WRITE, block_id, offset,
			       (void *)(uintptr_t)data, len, cookie);
}

int
rte_pmd_bcnic_vf_completions(uint16_t port_id, struct rte_pmd_bcnic_completion *c, unsigned int n)
{
	struct bcnic_vf *vf;
	unsigned int got = 0;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	if (c == NULL && n > 0)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	uint64_t now = rte_rdtsc(), tmo = vf->timeout_tsc;

	vf_pump(vf);
	if (now > tmo)
		vf_fail_inflight(vf, -ETIMEDOUT, now - tmo);
	/* Liveness costs a clock read and three window lines: once a millisecond is enough. */
	if (now >= vf->next_live_check) {
		vf->next_live_check = now + vf->tsc_hz / 1000;
		vf_check_pf(vf);
	}
	for (uint32_t t = vf->head; t != vf->tail && got < n; t++) {
		struct vf_req *r = &vf->pend[t & (VF_PENDING - 1)];

		if (r->state == REQ_INFLIGHT)
			break;	/* keep the order */
		if (r->state != REQ_DONE || !r->async)
			continue;
		c[got].cookie = r->cookie;
		c[got].status = r->status;
		c[got].version = r->version;
		c[got].len = r->status == 0 ? r->len : 0;
		r->state = REQ_FREE;
		got++;
	}
	vf_retire(vf);
	rte_spinlock_unlock(&vf->lock);
	return (int)got;
}

int
rte_pmd_bcnic_vf_catalog(uint16_t port_id, struct rte_pmd_bcnic_block_info *info, unsigned int max)
{
	struct bcmbox_catalog_entry e[BCMBOX_MAX_XFER / sizeof(struct bcmbox_catalog_entry)];
	struct bcnic_vf *vf;
	uint32_t got = 0, total = 0, tag;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	if (info == NULL && max > 0)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	uint64_t dl = deadline(vf, -1);

	do {
		struct vf_req *r;
		uint32_t n;

		rc = vf_submit(vf, BCMBOX_MSG_LIST, 0, got, e, sizeof(e), false, NULL, &tag);
		if (rc != 0)
			break;
		r = &vf->pend[tag & (VF_PENDING - 1)];
		n = 0;
		rc = vf_wait_keep(vf, tag, dl);
		if (rc == 0) {
			total = r->version;	/* LIST answers the count in arg */
			n = r->len / sizeof(e[0]);
		}
		r->state = REQ_FREE;
		vf_retire(vf);
		if (rc != 0)
			break;
		for (uint32_t i = 0; i < n && got + i < max; i++) {
			info[got + i].id = e[i].block_id;
			info[got + i].size = e[i].size;
			info[got + i].access = (enum rte_pmd_bcnic_access)e[i].access;
			info[got + i].scope = (enum rte_pmd_bcnic_scope)e[i].scope;
			info[got + i].version = e[i].version;
		}
		got += n;
		if (n == 0)
			break;
	} while (got < total && got < max);
	rte_spinlock_unlock(&vf->lock);
	return rc != 0 ? rc : (int)total;
}

int
rte_pmd_bcnic_vf_timeout_set(uint16_t port_id, unsigned int timeout_ms)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	if (timeout_ms == 0 || timeout_ms > 3600000)
		return -EINVAL;
	vf->timeout_ns = (uint64_t)timeout_ms * 1000000ull;
	vf->timeout_tsc = ns_to_tsc(vf, vf->timeout_ns);
	return 0;
}

/* ---- events, liveness, reconnection ---- */

int
rte_pmd_bcnic_vf_invalidate_register(uint16_t port_id, uint32_t block_id,
				     rte_pmd_bcnic_invalidate_cb_t cb, void *arg)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	if (cb == NULL)
		return -EINVAL;
	rc = 0;
	rte_spinlock_lock(&vf->cb_lock);
	if (vf->ncb == VF_MAX_CALLBACKS) {
		rc = -ENOMEM;
	} else {
		vf->cbs[vf->ncb] = (struct vf_callback){ block_id, cb, arg };
		vf->ncb++;
	}
	rte_spinlock_unlock(&vf->cb_lock);
	return rc;
}

int
rte_pmd_bcnic_vf_invalidate_unregister(uint16_t port_id, uint32_t block_id,
				       rte_pmd_bcnic_invalidate_cb_t cb, void *arg)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	rc = -ENOENT;
	rte_spinlock_lock(&vf->cb_lock);
	for (unsigned int i = 0; i < vf->ncb; i++) {
		struct vf_callback *c = &vf->cbs[i];

		if (c->block_id == block_id && c->cb == cb && c->arg == arg) {
			memmove(c, c + 1, (vf->ncb - i - 1) * sizeof(*c));
			vf->ncb--;
			rc = 0;
			break;
		}
	}
	rte_spinlock_unlock(&vf->cb_lock);
	return rc;
}

static void
notify(struct bcnic_vf *vf, uint32_t block_id, uint32_t version)
{
	struct vf_callback cbs[VF_MAX_CALLBACKS];
	unsigned int n = 0;

	rte_spinlock_lock(&vf->cb_lock);
	for (unsigned int i = 0; i < vf->ncb; i++)
		if (vf->cbs[i].block_id == RTE_PMD_BCNIC_BLOCK_ANY ||
		    block_id == RTE_PMD_BCNIC_BLOCK_ANY || vf->cbs[i].block_id == block_id)
			cbs[n++] = vf->cbs[i];
	rte_spinlock_unlock(&vf->cb_lock);
	for (unsigned int i = 0; i < n; i++)
		cbs[i].cb(vf->port.port_id, block_id, version, cbs[i].arg);
}

/* The port's link from the PF's and our state. vf->lock held: the event thread and the app call it. */
static void
set_link(struct bcnic_vf *vf, bool up, uint32_t speed)
{
	struct rte_eth_dev *dev = vf->eth_dev;
	bool port_up = up && vf->connected && dev->data->dev_started;
	struct rte_eth_link l;
	bool was_up;

	vf->link_up = up;
	if (speed != 0)
		vf->link_speed = speed;
	rte_eth_linkstatus_get(dev, &l);
	was_up = l.link_status == RTE_ETH_LINK_UP;
	l.link_speed = vf->link_speed;
	l.link_status = port_up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	rte_eth_linkstatus_set(dev, &l);	/* one 64-bit store: rte_eth_link_get_nowait() sees all or nothing */
	if (port_up != was_up) {
		vf->cnt.link_changes++;
		/* Raised by flush_lsc(), outside our locks: it may run on another thread now. */
		__atomic_store_n(&vf->lsc_pending, true, __ATOMIC_RELEASE);
	}
}

static void
flush_lsc(struct bcnic_vf *vf)
{
	if (__atomic_exchange_n(&vf->lsc_pending, false, __ATOMIC_ACQ_REL))
		rte_eth_dev_callback_process(vf->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* Read the link block into the port; lock held, session up. */
static void
refresh_link(struct bcnic_vf *vf)
{
	struct rte_pmd_bcnic_link l;
	uint32_t v;
	bool torn;

	if (vf_transfer(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_LINK, 0, (uint8_t *)&l, sizeof(l), &v,
			deadline(vf, -1), &torn) == 0)
		set_link(vf, l.link_up != 0, l.speed_mbps);
}

/* ---- data path ---- */

/* Bursts stop using the rings (a reconnect is about to change them). */
static void
dp_detach(struct bcnic_vf *vf)
{
	__atomic_store_n(&vf->dp_ready, false, __ATOMIC_RELEASE);
	while (__atomic_load_n(&vf->dp_busy, __ATOMIC_ACQUIRE) != 0)
		rte_pause();
}

/* After a handshake: resume where the PF's switch stands (it publishes that). */
static void
dp_attach(struct bcnic_vf *vf)
{
	struct bcmbox_window *w = &vf->c.w;

	if (w->tx == NULL)
		return;
	bcmbox_pkt_ring_init(&vf->dtx, w->tx, w->info.data_slots, &w->tx_cons->pos);
	bcmbox_pkt_ring_init(&vf->drx, w->rx, w->info.data_slots, &w->rx_cons->pos);
	vf->dtx.pos = vf->dtx.cons_cache = __atomic_load_n(&w->tx_cons->pos, __ATOMIC_ACQUIRE);
	vf->drx.pos = __atomic_load_n(&w->tx_cons->rx_prod, __ATOMIC_ACQUIRE);
	bcmbox_pkt_release(&vf->drx);
	__atomic_store_n(&vf->dp_ready, true, __ATOMIC_RELEASE);
}

static inline bool
dp_enter(struct bcnic_vf *vf)
{
	if (!__atomic_load_n(&vf->dp_ready, __ATOMIC_ACQUIRE))
		return false;
	__atomic_fetch_add(&vf->dp_busy, 1, __ATOMIC_ACQ_REL);
	if (__atomic_load_n(&vf->dp_ready, __ATOMIC_ACQUIRE))
		return true;
	__atomic_fetch_sub(&vf->dp_busy, 1, __ATOMIC_RELEASE);
	return false;
}

static inline void
dp_leave(struct bcnic_vf *vf)
{
	__atomic_fetch_sub(&vf->dp_busy, 1, __ATOMIC_RELEASE);
}

static uint16_t
vf_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct bcnic_rxq *q = queue;
	struct bcnic_vf *vf = rte_eth_devices[q->port_id].data->dev_private;
	struct bcmbox_pkt *p = vf->rx_pkt;
	uint16_t got = 0;

	if (!dp_enter(vf))
		return 0;
	while (got < n) {
		struct rte_mbuf *head;
		int rc = bcmbox_pkt_recv(&vf->drx, p);

		if (rc == 0)
			break;
		if (rc < 0) {
			vf->rx_malformed++;
			continue;
		}
		head = bcnic_mbuf_from_frame(q->mp, p->data, p->len, q->port_id);
		if (head == NULL) {	/* out of mbufs: the frame is lost, counted */
			rte_eth_devices[q->port_id].data->rx_mbuf_alloc_failed++;
			q->st.errors++;
			continue;
		}
		pkts[got++] = head;
		q->st.packets++;
		q->st.bytes += p->len;
	}
	bcmbox_pkt_release(&vf->drx);
	dp_leave(vf);
	return got;
}

static uint16_t
vf_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct bcnic_txq *q = queue;
	struct bcnic_vf *vf = rte_eth_devices[q->port_id].data->dev_private;
	uint16_t sent;

	if (!dp_enter(vf))
		return 0;
	for (sent = 0; sent < n; sent++) {
		struct rte_mbuf *m = pkts[sent];
		const void *segs[16];
		uint32_t lens[16], len = rte_pktmbuf_pkt_len(m);
		unsigned int ns = 0;
		int rc;

		if (m->nb_segs <= RTE_DIM(segs)) {
			for (struct rte_mbuf *s = m; s != NULL; s = s->next, ns++) {
				segs[ns] = rte_pktmbuf_mtod(s, const void *);
				lens[ns] = s->data_len;
			}
		} else {	/* a long chain: one linear copy */
			segs[0] = rte_pktmbuf_read(m, 0, RTE_MIN(len, BCMBOX_PKT_MAX_LEN), vf->tx_pkt->data);
			lens[0] = RTE_MIN(len, BCMBOX_PKT_MAX_LEN);
			ns = 1;
		}
		rc = bcmbox_pkt_send(&vf->dtx, segs, lens, ns, len);
		if (rc == -ENOSPC) {
			vf->tx_ring_full++;
			break;	/* the rest stays with the caller */
		}
		if (rc != 0)
			q->st.errors++;	/* too long: dropped */
		else {
			q->st.packets++;
			q->st.bytes += len;
		}
		rte_pktmbuf_free(m);
	}
	dp_leave(vf);
	return sent;
}

/* While probing: our PF may live in this process and not run yet (bcnic_shm_assist()). */
static void
vf_assist_pf(void *arg)
{
	struct bcnic_vf *vf = arg;

	bcnic_shm_assist(vf->dev_name);
}

static int
vf_pf_alive(void *arg)
{
	const struct bcnic_vf *vf = arg;

	return bcnic_window_pf_alive(&vf->map);
}

/* Attach (again): window, handshake, what the port shows. Lock held. */
static int
vf_connect(struct bcnic_vf *vf, uint64_t timeout_ns, bool reopen)
{
	int rc;

	dp_detach(vf);
	if (reopen && vf->by_name) {
		/*
		 * A PF that exited cleanly removed the objects and a new one made
		 * new ones; a truncated window is zeros now. Open by name again
		 * (our flock goes with the old descriptor first).
		 */
		bcnic_window_unmap(&vf->map);
		rc = bcnic_shm_window_open(vf->dev_name, vf->vf, &vf->map, true);
		if (rc != 0)
			return rc;
	}
	vf->stalls_base = vf->cnt.pf_stalls;
	rc = bcmbox_client_open(&vf->c, vf->map.base, vf->map.size);
	if ((rc == -ENODEV || rc == -EINVAL) &&
	    bcmbox_window_repair(vf->map.base, vf->map.size, timeout_ns) == 0)
		rc = bcmbox_client_open(&vf->c, vf->map.base, vf->map.size);	/* re-published */
	vf->c.pf_timeout_ns = vf->pf_timeout_ns;
	vf->c.pf_alive = vf_pf_alive;
	vf->c.pf_alive_arg = vf;
	if (vf->probing && vf->by_name) {
		vf->c.wait_hook = vf_assist_pf;
		vf->c.wait_arg = vf;
	}
	if (rc == 0)
		rc = bcmbox_client_connect(&vf->c, timeout_ns);
	if (rc != 0)
		return rc;
	vf->head = vf->tail = vf->c.next_tag;
	__atomic_store_n(&vf->connected, true, __ATOMIC_RELAXED);
	dp_attach(vf);
	return 0;
}

/* Events, PF liveness and reconnection: the event thread's (or the app's) job. */
static int
vf_service(struct bcnic_vf *vf)
{
	uint64_t now = bcmbox_now_ns();
	int handled = 0, rc;

	/* Busy elsewhere, or called back into from one of our callbacks: nothing to do. */
	if (!rte_spinlock_trylock(&vf->evt_lock))
		return 0;
	/* connected: written under vf->lock, read here under evt_lock only; relaxed is enough */
	while (__atomic_load_n(&vf->connected, __ATOMIC_RELAXED) &&
	       bcmbox_client_event(&vf->c, vf->ev) == 1) {
		struct bcmbox_msg *m = vf->ev;

		handled++;
		vf->cnt.events++;
		switch (m->hdr.type) {
		case BCMBOX_EVT_INVALIDATE:
			vf->cnt.invalidations++;
			notify(vf, m->hdr.block_id, m->hdr.arg);
			break;
		case BCMBOX_EVT_LINK: {
			struct bcmbox_link_evt l;

			memcpy(&l, m->payload, sizeof(l));
			rte_spinlock_lock(&vf->lock);
			set_link(vf, l.link_up != 0, l.speed_mbps);
			rte_spinlock_unlock(&vf->lock);
			break;
		}
		case BCMBOX_EVT_OVERFLOW:
			/* Events were lost: re-read what we show, tell the app to resync. */
			vf->cnt.overflows++;
			rte_spinlock_lock(&vf->lock);
			refresh_link(vf);
			rte_spinlock_unlock(&vf->lock);
			notify(vf, RTE_PMD_BCNIC_BLOCK_ANY, 0);
			break;
		default:
			break;
		}
	}
	if (now >= vf->next_check_ns) {
		vf->next_check_ns = now + CHECK_PERIOD_NS;
		rte_spinlock_lock(&vf->lock);
		if (vf->connected && bcnic_window_broken(&vf->map)) {
			BCNIC_LOG(WARNING, "VF %u of %s: the window was truncated under us",
				  vf->vf, vf->dev_name);
			__atomic_store_n(&vf->connected, false, __ATOMIC_RELAXED);
			vf->cnt.disconnects++;
			vf_fail_inflight(vf, -ENOTCONN, 0);
			set_link(vf, false, 0);
		}
		vf_check_pf(vf);
		set_link(vf, vf->link_up, 0);	/* down while not connected */
		if (!vf->connected && now >= vf->next_reconnect_ns &&
		    !__atomic_load_n(&vf->stop, __ATOMIC_RELAXED)) {
			vf->next_reconnect_ns = now + RECONNECT_PERIOD_NS;
			rc = vf_connect(vf, RECONNECT_PERIOD_NS / 2, true);
			if (rc == 0) {
				vf->cnt.reconnects++;
				BCNIC_LOG(NOTICE, "VF %u of %s: reconnected to the PF after %u attempt(s)",
					  vf->vf, vf->dev_name, vf->reconnect_fails + 1);
				vf->reconnect_fails = 0;
				refresh_link(vf);
				handled++;
			} else if (vf->reconnect_fails++ == 0 || now >= vf->next_away_log_ns) {
				/* Every 100 ms while the PF is away: once, then a summary now and then. */
				BCNIC_LOG(NOTICE, "VF %u of %s: no PF yet (%u attempt(s), last: %s); "
					  "retrying every %llu ms", vf->vf, vf->dev_name,
					  vf->reconnect_fails, strerror(-rc),
					  RECONNECT_PERIOD_NS / 1000000);
				vf->next_away_log_ns = now + AWAY_LOG_PERIOD_NS;
			}
		}
		rte_spinlock_unlock(&vf->lock);
	}
	rte_spinlock_unlock(&vf->evt_lock);
	flush_lsc(vf);
	return handled;
}

int
rte_pmd_bcnic_vf_event_poll(uint16_t port_id)
{
	struct bcnic_vf *vf;
	int rc;

	vf = vf_from_port(port_id, &rc);
	if (vf == NULL)
		return rc;
	return vf_service(vf);
}

static void *
event_thread(void *arg)
{
	struct bcnic_vf *vf = arg;
	struct timespec ts = { 0, EVENT_PERIOD_US * 1000 };

	while (!__atomic_load_n(&vf->stop, __ATOMIC_RELAXED)) {
		vf_service(vf);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- ethdev ops ---- */

static int
bcnic_vf_start(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	int rc = bcnic_dev_start(dev);

	rte_spinlock_lock(&vf->lock);
	dev->data->dev_started = 1;	/* what set_link() goes by; ethdev sets it after us */
	set_link(vf, vf->link_up, 0);
	rte_spinlock_unlock(&vf->lock);
	flush_lsc(vf);
	return rc;
}

static int
bcnic_vf_stop(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	struct rte_eth_link l;
	int rc;

	/* The PF's link state is kept: the port shows it again at start. No LSC for a stop. */
	rte_spinlock_lock(&vf->lock);
	rc = bcnic_dev_stop(dev);
	rte_eth_linkstatus_get(dev, &l);
	l.link_status = RTE_ETH_LINK_DOWN;
	rte_eth_linkstatus_set(dev, &l);
	rte_spinlock_unlock(&vf->lock);
	return rc;
}

/* The link is kept current by vf_service(): from LINK events and PF liveness. */
static int
bcnic_vf_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

static int
bcnic_vf_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint8_t block[8] = { 0 };
	int rc;

	/* ethdev restores the MAC at every start: no request for what the PF already has. */
	if (rte_is_same_ether_addr(addr, &vf->port.mac))
		return 0;
	memcpy(block, addr->addr_bytes, RTE_ETHER_ADDR_LEN);
	rc = vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MAC, 0, block, sizeof(block), NULL, -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused MAC " RTE_ETHER_ADDR_PRT_FMT ": %s",
			  vf->vf, vf->dev_name, RTE_ETHER_ADDR_BYTES(addr), strerror(-rc));
		return rc;
	}
	return 0;
}

static int
bcnic_vf_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint32_t v = mtu;
	int rc;

	rc = vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MTU, 0, &v, sizeof(v), NULL, -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused MTU %u: %s", vf->vf, vf->dev_name, mtu,
			  strerror(-rc));
		return rc;
	}
	return 0;
}

/* xstats: the backchannel as this VF sees it. */
static const struct {
	const char *name;
	size_t off;
} vf_xstats[] = {
	{ "mbox_requests", offsetof(struct vf_counters, requests) },
	{ "mbox_completed", offsetof(struct vf_counters, completed) },
	{ "mbox_timeouts", offsetof(struct vf_counters, timeouts) },
	{ "mbox_errors", offsetof(struct vf_counters, errors) },
	{ "mbox_not_connected", offsetof(struct vf_counters, not_connected) },
	{ "mbox_unexpected_responses", offsetof(struct vf_counters, unexpected) },
	{ "mbox_events", offsetof(struct vf_counters, events) },
	{ "mbox_invalidations", offsetof(struct vf_counters, invalidations) },
	{ "mbox_event_overflows", offsetof(struct vf_counters, overflows) },
	{ "mbox_link_changes", offsetof(struct vf_counters, link_changes) },
	{ "mbox_pf_lost", offsetof(struct vf_counters, disconnects) },
	{ "mbox_reconnects", offsetof(struct vf_counters, reconnects) },
	{ "mbox_pf_stalls", offsetof(struct vf_counters, pf_stalls) },
};
#define VF_NB_XSTATS (RTE_DIM(vf_xstats) + LAT_BUCKETS + 2)

static int
bcnic_vf_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	unsigned int i;

	RTE_SET_USED(dev);
	if (names == NULL || size < VF_NB_XSTATS)
		return VF_NB_XSTATS;
	for (i = 0; i < RTE_DIM(vf_xstats); i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", vf_xstats[i].name);
	for (unsigned int b = 0; b < LAT_BUCKETS; b++, i++) {
		if (b < LAT_BUCKETS - 1)
			snprintf(names[i].name, sizeof(names[i].name), "mbox_latency_lt_%uns",
				 lat_bounds_ns[b]);
		else
			snprintf(names[i].name, sizeof(names[i].name), "mbox_latency_ge_%uns",
				 lat_bounds_ns[LAT_BUCKETS - 2]);
	}
	snprintf(names[i++].name, sizeof(names[0].name), "tx_ring_full");
	snprintf(names[i++].name, sizeof(names[0].name), "rx_malformed");
	return VF_NB_XSTATS;
}

static int
bcnic_vf_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	unsigned int i;

	if (xs == NULL || n < VF_NB_XSTATS)
		return VF_NB_XSTATS;
	for (i = 0; i < RTE_DIM(vf_xstats); i++) {
		xs[i].id = i;
		xs[i].value = *(const uint64_t *)((const uint8_t *)&vf->cnt + vf_xstats[i].off);
	}
	for (unsigned int b = 0; b < LAT_BUCKETS; b++, i++) {
		xs[i].id = i;
		xs[i].value = vf->cnt.lat[b];
	}
	xs[i].id = i;
	xs[i++].value = vf->tx_ring_full;
	xs[i].id = i;
	xs[i++].value = vf->rx_malformed;
	return VF_NB_XSTATS;
}

static int
bcnic_vf_xstats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;

	memset(&vf->cnt, 0, sizeof(vf->cnt));
	vf->tx_ring_full = vf->rx_malformed = 0;
	return 0;
}

static void
vf_free(struct bcnic_vf *vf)
{
	if (vf->thread_running) {
		__atomic_store_n(&vf->stop, true, __ATOMIC_RELAXED);	/* join orders the rest */
		pthread_join(vf->thread, NULL);
		vf->thread_running = false;
	}
	rte_spinlock_lock(&vf->lock);
	if (vf->connected && vf->c.w.base != NULL) {
		vf->c.next_tag = vf->tail;
		bcmbox_client_bye(&vf->c, vf->rx, 100 * 1000000ull);
		__atomic_store_n(&vf->connected, false, __ATOMIC_RELAXED);
	}
	rte_spinlock_unlock(&vf->lock);
	bcnic_window_unmap(&vf->map);
	dp_detach(vf);
	rte_free(vf->pend);
	rte_free(vf->rx);
	rte_free(vf->ev);
	rte_free(vf->rx_pkt);
	rte_free(vf->tx_pkt);
	vf->rx_pkt = vf->tx_pkt = NULL;
	vf->pend = NULL;
	vf->rx = vf->ev = NULL;
}

static int
bcnic_vf_close(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	BCNIC_LOG(INFO, "VF port %u: detaching from VF %u of device %s", dev->data->port_id,
		  vf->vf, vf->dev_name);
	vf_free(vf);
	dev->data->mac_addrs = NULL;	/* part of dev_private */
	return 0;
}

static const struct eth_dev_ops bcnic_vf_ops = {
	.dev_configure = bcnic_dev_configure,
	.dev_infos_get = bcnic_dev_infos_get,
	.dev_start = bcnic_vf_start,
	.dev_stop = bcnic_vf_stop,
	.dev_close = bcnic_vf_close,
	.rx_queue_setup = bcnic_rx_queue_setup,
	.tx_queue_setup = bcnic_tx_queue_setup,
	.link_update = bcnic_vf_link_update,
	.mac_addr_set = bcnic_vf_mac_addr_set,
	.mtu_set = bcnic_vf_mtu_set,
	.stats_get = bcnic_stats_get,
	.stats_reset = bcnic_stats_reset,
	.xstats_get = bcnic_vf_xstats_get,
	.xstats_get_names = bcnic_vf_xstats_get_names,
	.xstats_reset = bcnic_vf_xstats_reset,
	.promiscuous_enable = bcnic_promisc_noop,
	.promiscuous_disable = bcnic_promisc_noop,
	.allmulticast_enable = bcnic_promisc_noop,
	.allmulticast_disable = bcnic_promisc_noop,
};

/* ---- probe ---- */

/*
 * Everything after the window is mapped, whatever the transport: the shm
 * object (by_name: it can be opened again after a PF restart) or a BAR.
 * On failure the port is released and the window unmapped.
 */
int
bcnic_vf_setup(struct rte_eth_dev *eth_dev, const struct bcnic_window_map *win, bool by_name,
	 const char *dev_name, unsigned int index, const struct bcnic_vf_opts *o, const char *name)
{
	struct bcnic_window_map map = *win;
	struct bcnic_vf *vf;
	uint8_t mac[8];
	int rc;

	vf = eth_dev->data->dev_private;
	snprintf(vf->dev_name, sizeof(vf->dev_name), "%s", dev_name);
	vf->vf = index;
	vf->map = map;
	vf->by_name = by_name;
	vf->eth_dev = eth_dev;
	vf->timeout_ns = (uint64_t)o->timeout_ms * 1000000ull;
	vf->pf_timeout_ns = (uint64_t)o->pf_timeout_ms * 1000000ull;
	vf->tsc_hz = rte_get_tsc_hz();
	vf->timeout_tsc = ns_to_tsc(vf, vf->timeout_ns);
	for (unsigned int i = 0; i < LAT_BUCKETS - 1; i++)
		vf->lat_bounds_cycles[i] = (uint64_t)lat_bounds_ns[i] * vf->tsc_hz / 1000000000ull;
	vf->use_thread = o->use_thread;
	vf->link_speed = RTE_ETH_SPEED_NUM_100G;
	rte_spinlock_init(&vf->lock);
	rte_spinlock_init(&vf->evt_lock);
	rte_spinlock_init(&vf->cb_lock);
	{
		struct bcmbox_window w;

		if (bcmbox_window_map(&w, map.base, map.size) == 0 && w.info.data_slots != 0) {
			/* One queue pair: the window's data rings, of their real size. */
			vf->port.max_queues = 1;
			vf->port.desc_min = vf->port.desc_max = (uint16_t)w.info.data_slots;
		}
	}
	bcnic_ethdev_init(eth_dev, &vf->port);
	eth_dev->dev_ops = &bcnic_vf_ops;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	if (vf->port.max_queues == 1) {
		eth_dev->rx_pkt_burst = vf_rx_burst;
		eth_dev->tx_pkt_burst = vf_tx_burst;
	}
	vf->pend = rte_zmalloc("bcnic_vf_pending", VF_PENDING * sizeof(*vf->pend), 0);
	vf->rx = rte_zmalloc("bcnic_vf_rx", sizeof(*vf->rx), RTE_CACHE_LINE_SIZE);
	vf->ev = rte_zmalloc("bcnic_vf_ev", sizeof(*vf->ev), RTE_CACHE_LINE_SIZE);
	vf->rx_pkt = rte_zmalloc("bcnic_vf_rx_pkt", sizeof(*vf->rx_pkt), RTE_CACHE_LINE_SIZE);
	vf->tx_pkt = rte_zmalloc("bcnic_vf_tx_pkt", sizeof(*vf->tx_pkt), RTE_CACHE_LINE_SIZE);
	if (vf->pend == NULL || vf->rx == NULL || vf->ev == NULL || vf->rx_pkt == NULL ||
	    vf->tx_pkt == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rte_spinlock_lock(&vf->lock);
	vf->probing = true;
	rc = vf_connect(vf, vf->timeout_ns, false);
	rte_spinlock_unlock(&vf->lock);
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: VF %u of %s: no answer from the PF: %s", name, index, dev_name,
			  strerror(-rc));
		goto fail;
	}
	/* What the port shows comes from the PF. */
	rc = vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MAC, 0, mac, sizeof(mac), NULL, -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "%s: cannot read the MAC address from the PF: %s", name,
			  strerror(-rc));
		goto fail;
	}
	memcpy(vf->port.mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	uint32_t mtu;

	if (vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MTU, 0, &mtu, sizeof(mtu), NULL, -1) ==
		    (int)sizeof(mtu) &&
	    mtu >= RTE_ETHER_MIN_MTU && mtu <= UINT16_MAX)
		eth_dev->data->mtu = (uint16_t)mtu;
	rte_spinlock_lock(&vf->lock);
	refresh_link(vf);
	vf->probing = false;
	vf->c.wait_hook = NULL;	/* from now on the PF runs on its own */
	rte_spinlock_unlock(&vf->lock);
	vf->lsc_pending = false;	/* not started: nothing to tell */
	if (o->use_thread) {
		rc = rte_ctrl_thread_create(&vf->thread, "bcnic-vf-evt", NULL, event_thread, vf);
		if (rc != 0) {
			rc = -rc;
			goto fail;
		}
		vf->thread_running = true;
	}
	rte_eth_dev_probing_finish(eth_dev);
	BCNIC_LOG(INFO, "%s: port %u is VF %u of device %s, MAC " RTE_ETHER_ADDR_PRT_FMT
		  ", session %08x", name, eth_dev->data->port_id, index, dev_name,
		  RTE_ETHER_ADDR_BYTES(&vf->port.mac), vf->c.epoch);
	return 0;
fail:
	vf_free(vf);
	eth_dev->data->mac_addrs = NULL;
	rte_eth_dev_release_port(eth_dev);
	return rc;
}

size_t
bcnic_vf_priv_size(void)
{
	return sizeof(struct bcnic_vf);
}

static const char *const vf_valid_args[] = { "dev", "vf", "timeout_ms", "pf_timeout_ms", "events",
					    NULL };

static int
parse_events(struct rte_kvargs *kv, bool *use_thread)
{
	for (unsigned int i = 0; i < kv->count; i++) {
		if (strcmp(kv->pairs[i].key, "events") != 0)
			continue;
		if (strcmp(kv->pairs[i].value, "thread") == 0) {
			*use_thread = true;
		} else if (strcmp(kv->pairs[i].value, "poll") == 0) {
			*use_thread = false;
		} else {
			BCNIC_LOG(ERR, "invalid events=%s: expected thread or poll", kv->pairs[i].value);
			return -EINVAL;
		}
	}
	return 0;
}

static int
bcnic_vf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	struct bcnic_vf_opts o = BCNIC_VF_OPTS_DEFAULT;
	unsigned int index = 0;
	struct bcnic_window_map map = { .fd = -1, .guard = -1 };
	struct rte_eth_dev *eth_dev;
	struct rte_kvargs *kv;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		BCNIC_LOG(ERR, "%s: secondary processes are not supported yet; run the VF in a primary",
			  name);
		return -ENOTSUP;
	}
	rc = bcnic_kvargs_parse(VF_DRV, rte_vdev_device_args(vdev), vf_valid_args, &kv);
	if (rc != 0)
		return rc;
	rc = bcnic_kvarg_dev(kv, dev_name);
	if (rc == 0) {
		int set = bcnic_kvarg_uint(kv, "vf", 0, BCMBOX_MAX_VFS - 1, false, &index);

		if (set == 0)
			BCNIC_LOG(ERR, "%s: missing vf=<index>: which VF of device %s this port is",
				  name, dev_name);
		if (set <= 0)
			rc = -EINVAL;
	}
	if (rc == 0 && (bcnic_kvarg_uint(kv, "timeout_ms", 1, 3600000, false, &o.timeout_ms) < 0 ||
			bcnic_kvarg_uint(kv, "pf_timeout_ms", 10, 3600000, false,
					 &o.pf_timeout_ms) < 0 ||
			parse_events(kv, &o.use_thread) != 0))
		rc = -EINVAL;
	rte_kvargs_free(kv);
	if (rc != 0)
		return rc;

	rc = bcnic_shm_window_open(dev_name, index, &map, false);
	if (rc != 0)
		return rc;
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(struct bcnic_vf));
	if (eth_dev == NULL) {
		bcnic_window_unmap(&map);
		return -ENOMEM;
	}
	return bcnic_vf_setup(eth_dev, &map, true, dev_name, index, &o, name);
}

static int
bcnic_vf_remove(struct rte_vdev_device *vdev)
{
	return bcnic_port_remove(rte_vdev_device_name(vdev));
}

/* Registered by bcnic_register() (bcnic_ethdev.c), once per process. */
struct rte_vdev_driver bcnic_vf_driver = {
	.driver = { .name = RTE_STR(net_bcnic_vf) },
	.probe = bcnic_vf_probe,
	.remove = bcnic_vf_remove,
};

RTE_PMD_EXPORT_NAME(net_bcnic_vf, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_vf,
	"dev=<name> "
	"vf=<0-255> "
	"timeout_ms=<1-3600000> "
	"pf_timeout_ms=<10-3600000> "
	"events=thread|poll");
