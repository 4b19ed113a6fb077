/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side: the rte_pmd_bcnic_vf_* private API, on top of the port
 * (bcnic_vf.c) and its session (bcnic_vf_session.c).
 *
 * Requests: lib/bcmbox's client does the work (a pending table indexed by
 * tag, split into transfers, same-version retry, catalog paging); here it
 * runs under vf->lock, with the TSC as its clock. Synchronous calls hold
 * the lock for their round trip; asynchronous ones leave their entry for
 * rte_pmd_bcnic_vf_completions().
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>

#include "bcnic_vf.h"

/* The VF port behind port_id: 0, -ENODEV (no such port) or -ENOTSUP (not a bcnic VF). */
static int
vf_of_port(uint16_t port_id, struct bcnic_vf **vf)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	dev = &rte_eth_devices[port_id];
	if (!bcnic_vf_is_port(dev) || dev->data->dev_private == NULL)
		return -ENOTSUP;
	*vf = dev->data->dev_private;
	return 0;
}

/* Every call starts so: vf set, or the call returns vf_of_port()'s error. */
#define VF_OF_PORT_OR_RET(port_id, vf) do { \
	int err_ = vf_of_port(port_id, &(vf)); \
	if (err_ != 0) \
		return err_; \
} while (0)

int
rte_pmd_bcnic_vf_block_read(uint16_t port_id, uint32_t block_id, uint32_t offset, void *buf,
			    uint32_t len, uint32_t *version, int timeout_ms)
{
	struct bcnic_vf *vf;

	VF_OF_PORT_OR_RET(port_id, vf);
	return bcnic_vf_block_io(vf, BCMBOX_MSG_READ, block_id, offset, buf, len, version,
				 timeout_ms);
}

int
rte_pmd_bcnic_vf_block_write(uint16_t port_id, uint32_t block_id, uint32_t offset,
			     const void *data, uint32_t len, uint32_t *version, int timeout_ms)
{
	struct bcnic_vf *vf;

	VF_OF_PORT_OR_RET(port_id, vf);
	return bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, block_id, offset, (void *)(uintptr_t)data,
				 len, version, timeout_ms);
}

static int
vf_async_submit(uint16_t port_id, uint8_t type, uint32_t id, uint32_t off, void *buf,
		uint32_t len, void *cookie)
{
	struct bcnic_vf *vf;
	int rc;

	VF_OF_PORT_OR_RET(port_id, vf);
	rte_spinlock_lock(&vf->lock);
	/* The engine checks the arguments (-EINVAL) and the session (-ENOTCONN). */
	rc = bcmbox_client_submit(&vf->c, type, id, off, buf, len, cookie);
	if (rc == -EAGAIN)
		bcmbox_client_pump(&vf->c, vf->rx);	/* make room for the next try */
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

#define SAME_FIELD(f) \
	(offsetof(struct rte_pmd_bcnic_completion, f) == offsetof(struct bcmbox_completion, f) && \
	 sizeof(((struct rte_pmd_bcnic_completion *)0)->f) == sizeof(((struct bcmbox_completion *)0)->f))
_Static_assert(sizeof(struct rte_pmd_bcnic_completion) == sizeof(struct bcmbox_completion) &&
	       SAME_FIELD(cookie) && SAME_FIELD(status) && SAME_FIELD(version) && SAME_FIELD(len),
	       "the engine's completions are the API's");

int
rte_pmd_bcnic_vf_completions(uint16_t port_id, struct rte_pmd_bcnic_completion *c, unsigned int n)
{
	struct bcnic_vf *vf;
	unsigned int got;

	VF_OF_PORT_OR_RET(port_id, vf);
	if (c == NULL && n > 0)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	uint64_t now = rte_rdtsc(), tmo = vf->timeout_tsc;

	bcmbox_client_pump(&vf->c, vf->rx);
	if (now > tmo)
		bcmbox_client_expire(&vf->c, -ETIMEDOUT, now - tmo);
	/* Liveness costs a clock read and three window lines: once a millisecond is enough. */
	if (now >= vf->next_live_check) {
		vf->next_live_check = now + vf->tsc_hz / 1000;
		bcnic_vf_check_pf(vf);
	}
	/* The same layout (asserted above): completions go straight to the caller's array. */
	got = bcmbox_client_completions(&vf->c, (struct bcmbox_completion *)c, n);
	rte_spinlock_unlock(&vf->lock);
	return (int)got;
}

static void
catalog_entry(void *arg, uint32_t i, const struct bcmbox_catalog_entry *e)
{
	struct rte_pmd_bcnic_block_info *info = arg;

	info[i].id = e->block_id;
	info[i].size = e->size;
	info[i].access = (enum rte_pmd_bcnic_access)e->access;
	info[i].scope = (enum rte_pmd_bcnic_scope)e->scope;
	info[i].version = e->version;
}

int
rte_pmd_bcnic_vf_catalog(uint16_t port_id, struct rte_pmd_bcnic_block_info *info, unsigned int max)
{
	struct bcnic_vf *vf;
	int rc;

	VF_OF_PORT_OR_RET(port_id, vf);
	if (info == NULL && max > 0)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	rc = bcmbox_client_list_each(&vf->c, catalog_entry, info, max, vf->rx, vf->timeout_ns);
	bcnic_vf_note_lost(vf);
	rte_spinlock_unlock(&vf->lock);
	return rc;
}

int
rte_pmd_bcnic_vf_timeout_set(uint16_t port_id, unsigned int timeout_ms)
{
	struct bcnic_vf *vf;

	VF_OF_PORT_OR_RET(port_id, vf);
	if (timeout_ms == 0 || timeout_ms > BCNIC_VF_TIMEOUT_MAX_MS)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	vf->timeout_ns = (uint64_t)timeout_ms * 1000000ull;
	bcmbox_client_set_clock(&vf->c, rte_rdtsc, vf->tsc_hz, vf->timeout_ns);
	vf->timeout_tsc = vf->c.dflt_timeout_ticks;
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

_Static_assert(sizeof(struct rte_pmd_bcnic_trace_rec) == sizeof(struct bcmbox_trace_rec) &&
	       offsetof(struct rte_pmd_bcnic_trace_rec, tag) == offsetof(struct bcmbox_trace_rec, tag) &&
	       offsetof(struct rte_pmd_bcnic_trace_rec, type) == offsetof(struct bcmbox_trace_rec, type) &&
	       offsetof(struct rte_pmd_bcnic_trace_rec, t) == offsetof(struct bcmbox_trace_rec, submit) &&
	       offsetof(struct bcmbox_trace_rec, seen) == offsetof(struct bcmbox_trace_rec, submit) + 8,
	       "the engine's trace records are the API's");

int
rte_pmd_bcnic_vf_trace_start(uint16_t port_id, struct rte_pmd_bcnic_trace_rec *recs, uint32_t n)
{
	struct bcnic_vf *vf;

	VF_OF_PORT_OR_RET(port_id, vf);
	if (recs == NULL || n == 0)
		return -EINVAL;
	rte_spinlock_lock(&vf->lock);
	/* The same layout (asserted above): the engine writes the caller's array. */
	bcmbox_client_trace_start(&vf->c, (struct bcmbox_trace_rec *)recs, n);
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

int
rte_pmd_bcnic_vf_trace_stop(uint16_t port_id)
{
	struct bcnic_vf *vf;
	int rc;

	VF_OF_PORT_OR_RET(port_id, vf);
	rte_spinlock_lock(&vf->lock);
	rc = (int)bcmbox_client_trace_stop(&vf->c);
	rte_spinlock_unlock(&vf->lock);
	return rc;
}

/* ---- events ---- */

int
rte_pmd_bcnic_vf_invalidate_register(uint16_t port_id, uint32_t block_id,
				     rte_pmd_bcnic_invalidate_cb_t cb, void *arg)
{
	struct bcnic_vf *vf;
	int rc;

	VF_OF_PORT_OR_RET(port_id, vf);
	if (cb == NULL)
		return -EINVAL;
	rc = 0;
	rte_spinlock_lock(&vf->cb_lock);
	if (vf->ncb == BCNIC_VF_MAX_CALLBACKS) {
		rc = -ENOMEM;
	} else {
		vf->cbs[vf->ncb] = (struct bcnic_vf_callback){ block_id, cb, arg };
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

	VF_OF_PORT_OR_RET(port_id, vf);
	rc = -ENOENT;
	rte_spinlock_lock(&vf->cb_lock);
	for (unsigned int i = 0; i < vf->ncb; i++) {
		struct bcnic_vf_callback *c = &vf->cbs[i];

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

int
rte_pmd_bcnic_vf_event_poll(uint16_t port_id)
{
	struct bcnic_vf *vf;

	VF_OF_PORT_OR_RET(port_id, vf);
	return bcnic_vf_service(vf);
}
