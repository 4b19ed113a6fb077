/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side: the session with the PF. Synchronous requests, events, link,
 * liveness and reconnection.
 *
 * An event thread (or the application through rte_pmd_bcnic_vf_event_poll())
 * drains the event ring every 100 us, watches the PF's heartbeat and epoch,
 * and reconnects when a PF is back.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>

#include "bcnic_vf.h"

#define EVENT_PERIOD_US		100
#define CHECK_PERIOD_NS		(10ull * 1000000)
#define RECONNECT_PERIOD_NS	(100ull * 1000000)
#define AWAY_LOG_PERIOD_NS	(10ull * 1000000000)


/* ---- requests (vf->lock held) ---- */

/* Say once that the PF is gone, mark the port. */
void
bcnic_vf_note_lost(struct bcnic_vf *vf)
{
	if (vf->c.epoch != 0 || !vf->connected)
		return;
	/* relaxed: readers outside vf->lock only need to see it eventually (doc/mailbox.md 7) */
	__atomic_store_n(&vf->connected, false, __ATOMIC_RELAXED);
	vf->cnt.disconnects++;
	BCNIC_LOG(NOTICE, "VF %u of %s: the PF is gone", vf->o.vf, vf->o.dev_name);
}

/* Liveness: -ENOTCONN (and every request failed) when the PF is gone. */
int
bcnic_vf_check_pf(struct bcnic_vf *vf)
{
	if (!vf->connected)
		return -ENOTCONN;
	if (bcmbox_client_watch(&vf->c) == 0)
		return 0;
	bcnic_vf_note_lost(vf);
	return -ENOTCONN;
}

static uint64_t
timeout_ns(const struct bcnic_vf *vf, int timeout_ms)
{
	return timeout_ms < 0 ? vf->timeout_ns : (uint64_t)timeout_ms * 1000000ull;
}

int
bcnic_vf_block_io(struct bcnic_vf *vf, uint8_t type, uint32_t id, uint32_t off, void *buf,
		  uint32_t len, uint32_t *version, int timeout_ms)
{
	int rc;

	/* The engine checks the arguments (-EINVAL) and the session (-ENOTCONN). */
	rte_spinlock_lock(&vf->lock);
	if (type == BCMBOX_MSG_READ)
		rc = bcmbox_client_read(&vf->c, id, off, buf, len, version, vf->rx,
					timeout_ns(vf, timeout_ms));
	else
		rc = bcmbox_client_write(&vf->c, id, off, buf, len, version, vf->rx,
					 timeout_ns(vf, timeout_ms));
	bcnic_vf_note_lost(vf);
	rte_spinlock_unlock(&vf->lock);
	return rc == 0 ? (int)len : rc;
}

static void
notify(struct bcnic_vf *vf, uint32_t block_id, uint32_t version)
{
	struct bcnic_vf_callback cbs[BCNIC_VF_MAX_CALLBACKS];
	unsigned int n = 0;

	/* A copy, called outside cb_lock: a callback may (un)register. */
	rte_spinlock_lock(&vf->cb_lock);
	for (unsigned int i = 0; i < vf->ncb; i++)
		if (vf->cbs[i].block_id == RTE_PMD_BCNIC_BLOCK_ANY ||
		    block_id == RTE_PMD_BCNIC_BLOCK_ANY || vf->cbs[i].block_id == block_id)
			cbs[n++] = vf->cbs[i];
	rte_spinlock_unlock(&vf->cb_lock);
	for (unsigned int i = 0; i < n; i++)
		cbs[i].cb(vf->port.port_id, block_id, version, cbs[i].arg);
}

void
bcnic_vf_set_link(struct bcnic_vf *vf, bool up, uint32_t speed)
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
		/*
		 * Raised by bcnic_vf_flush_lsc(), outside our locks: it may run on
		 * another thread now. store-release pairs with its exchange's acquire.
		 */
		__atomic_store_n(&vf->lsc_pending, true, __ATOMIC_RELEASE);
	}
}

void
bcnic_vf_flush_lsc(struct bcnic_vf *vf)
{
	/* acquire: synchronizes with the store-release of lsc_pending in bcnic_vf_set_link() */
	if (__atomic_exchange_n(&vf->lsc_pending, false, __ATOMIC_ACQ_REL))
		rte_eth_dev_callback_process(vf->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

void
bcnic_vf_refresh_link(struct bcnic_vf *vf)
{
	struct rte_pmd_bcnic_link l;

	if (bcmbox_client_read(&vf->c, BCMBOX_BLOCK_LINK, 0, &l, sizeof(l), NULL, vf->rx,
			       vf->timeout_ns) == 0)
		bcnic_vf_set_link(vf, l.link_up != 0, l.speed_mbps);
	bcnic_vf_note_lost(vf);
}

/*
 * After a reconnect: the MTU the port was configured with is ours to keep
 * (a new PF starts every VF at 1500); if the PF refuses it, the port shows
 * the PF's. vf->lock held.
 */
static void
vf_restore_mtu(struct bcnic_vf *vf)
{
	struct rte_eth_dev_data *data = vf->eth_dev->data;
	uint32_t want = data->mtu, have = 0;

	if (!data->dev_configured ||
	    bcmbox_client_read(&vf->c, BCMBOX_BLOCK_MTU, 0, &have, sizeof(have), NULL, vf->rx,
			       vf->timeout_ns) != 0 || have == want)
		goto out;
	if (bcmbox_client_write(&vf->c, BCMBOX_BLOCK_MTU, 0, &want, sizeof(want), NULL, vf->rx,
				vf->timeout_ns) != 0 && have >= RTE_ETHER_MIN_MTU &&
	    have <= BCNIC_MAX_MTU) {
		BCNIC_LOG(NOTICE, "VF %u of %s: the PF keeps MTU %u: the port's MTU is %u",
			  vf->o.vf, vf->o.dev_name, have, have);
		data->mtu = (uint16_t)have;
	}
out:
	bcnic_vf_note_lost(vf);
}

/* The PF changed our MTU block: the port's MTU is that. vf->lock held. */
static void
vf_refresh_mtu(struct bcnic_vf *vf)
{
	uint32_t mtu = 0;

	if (bcmbox_client_read(&vf->c, BCMBOX_BLOCK_MTU, 0, &mtu, sizeof(mtu), NULL, vf->rx,
			       vf->timeout_ns) == 0 && mtu >= RTE_ETHER_MIN_MTU &&
	    mtu <= BCNIC_MAX_MTU)
		vf->eth_dev->data->mtu = (uint16_t)mtu;
	bcnic_vf_note_lost(vf);
}

/* ---- reconnection ---- */

/* While probing: our PF may live in this process and not run yet (bcnic_shm_assist()). */
static void
vf_assist_pf(void *arg)
{
	struct bcnic_vf *vf = arg;

	bcnic_shm_assist(vf->o.dev_name);
}

static int
vf_pf_alive(void *arg)
{
	const struct bcnic_vf *vf = arg;

	return bcnic_window_pf_alive(&vf->map);
}

int
bcnic_vf_connect(struct bcnic_vf *vf, uint64_t timeout_ns, bool reopen)
{
	int rc;

	bcnic_vf_dp_detach(vf);
	if (reopen && vf->by_name) {
		/*
		 * A PF that exited cleanly removed the objects and a new one made
		 * new ones; a truncated window is zeros now. Open by name again
		 * (our flock goes with the old descriptor first).
		 */
		bcnic_window_unmap(&vf->map);
		rc = bcnic_shm_window_open(vf->o.dev_name, vf->o.vf, &vf->map, true);
		if (rc != 0)
			return rc;
	}
	/* The engine keeps its table, tags and counters across sessions. */
	rc = bcmbox_client_reopen(&vf->c, vf->map.base, vf->map.size);
	if ((rc == -ENODEV || rc == -EINVAL) &&
	    bcmbox_window_repair(vf->map.base, vf->map.size, timeout_ns) == 0)
		rc = bcmbox_client_reopen(&vf->c, vf->map.base, vf->map.size);	/* re-published */
	bcmbox_client_set_hooks(&vf->c, vf->probing && vf->by_name ? vf_assist_pf : NULL, vf,
				vf_pf_alive, vf);
	if (rc == 0)
		rc = bcmbox_client_connect(&vf->c, timeout_ns);
	if (rc != 0)
		return rc;
	/* relaxed: readers outside vf->lock only need to see it eventually */
	__atomic_store_n(&vf->connected, true, __ATOMIC_RELAXED);
	bcnic_vf_dp_attach(vf);
	return 0;
}

/* The PF went away under us (or its window did): fail what waits, link down. Lock held. */
static void
vf_window_lost(struct bcnic_vf *vf)
{
	BCNIC_LOG(WARNING, "VF %u of %s: the window was truncated under us", vf->o.vf,
		  vf->o.dev_name);
	bcmbox_client_lost(&vf->c);
	bcnic_vf_note_lost(vf);
	bcnic_vf_set_link(vf, false, 0);
}

/*
 * A PF that came back knows nothing of what this port asked for: its Rx mode and MAC
 * filters are written again (promiscuous too, which a PF that no longer trusts us
 * refuses: then the port is not promiscuous any more). Lock held.
 */
static void
vf_reapply_rx(struct bcnic_vf *vf)
{
	struct rte_eth_dev_data *data = vf->eth_dev->data;
	uint32_t flags = (data->promiscuous ? BCMBOX_RXMODE_PROMISC : 0) |
			 (data->all_multicast ? BCMBOX_RXMODE_ALLMULTI : 0);
	uint8_t entry[BCMBOX_MAC_FILTER_ENTRY_SIZE];

	int rc;

	rc = bcmbox_client_write(&vf->c, BCMBOX_BLOCK_RXMODE, 0, &flags, sizeof(flags), NULL,
				 vf->rx, vf->timeout_ns);
	if (rc == -EACCES) {
		flags &= ~BCMBOX_RXMODE_PROMISC;
		rc = bcmbox_client_write(&vf->c, BCMBOX_BLOCK_RXMODE, 0, &flags, sizeof(flags),
					 NULL, vf->rx, vf->timeout_ns);
		if (rc == 0)
			data->promiscuous = 0;	/* as in vf_rxmode_changed() */
	}
	/* Relaxed: as in the Rx-mode ops (bcnic_vf.c). */
	__atomic_store_n(&vf->rx_mode, rc == 0 ? flags : UINT32_MAX, __ATOMIC_RELAXED);
	for (uint16_t i = 1; i < vf->port.max_mac_addrs; i++) {
		if (rte_is_zero_ether_addr(&vf->macs[i]))
			continue;
		memset(entry, 0, sizeof(entry));
		memcpy(entry, vf->macs[i].addr_bytes, RTE_ETHER_ADDR_LEN);
		bcmbox_client_write(&vf->c, BCMBOX_BLOCK_MAC_FILTER,
				    (i - 1) * BCMBOX_MAC_FILTER_ENTRY_SIZE, entry, sizeof(entry), NULL,
				    vf->rx, vf->timeout_ns);
	}
	bcnic_vf_note_lost(vf);
}

/* Reconnect when it is time; lock held. Returns 1 when reconnected. */
static int
vf_reconnect(struct bcnic_vf *vf, uint64_t now)
{
	int rc;

	vf->next_reconnect_ns = now + RECONNECT_PERIOD_NS;
	rc = bcnic_vf_connect(vf, RECONNECT_PERIOD_NS / 2, true);
	if (rc == 0) {
		vf->cnt.reconnects++;
		BCNIC_LOG(NOTICE, "VF %u of %s: reconnected to the PF after %u attempt(s)",
			  vf->o.vf, vf->o.dev_name, vf->reconnect_fails + 1);
		vf->reconnect_fails = 0;
		vf_reapply_rx(vf);
		bcnic_vf_refresh_link(vf);
		vf_restore_mtu(vf);
		return 1;
	}
	if (vf->reconnect_fails++ == 0 || now >= vf->next_away_log_ns) {
		/* Every 100 ms while the PF is away: once, then a summary now and then. */
		BCNIC_LOG(NOTICE, "VF %u of %s: no PF yet (%u attempt(s), last: %s); "
			  "retrying every %llu ms", vf->o.vf, vf->o.dev_name,
			  vf->reconnect_fails, strerror(-rc), RECONNECT_PERIOD_NS / 1000000);
		vf->next_away_log_ns = now + AWAY_LOG_PERIOD_NS;
	}
	return 0;
}

/*
 * The PF changed our Rx mode (it revoked our trust: promiscuous off). ethdev's flags
 * follow, so that the port says what it does and promiscuous_enable asks again.
 */
static void
vf_rxmode_changed(struct bcnic_vf *vf)
{
	struct rte_eth_dev_data *data = vf->eth_dev->data;
	uint32_t flags;

	if (bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_RXMODE, 0, &flags, sizeof(flags),
			      NULL, -1) != (int)sizeof(flags))
		return;
	/*
	 * ethdev writes these bitfields after an op returns, under no lock of ours: an
	 * application's Rx-mode call racing a revocation may win; the PF's block stays the truth.
	 */
	data->promiscuous = !!(flags & BCMBOX_RXMODE_PROMISC);
	data->all_multicast = !!(flags & BCMBOX_RXMODE_ALLMULTI);
	/* Relaxed: as in the Rx-mode ops (bcnic_vf.c). */
	__atomic_store_n(&vf->rx_mode, flags, __ATOMIC_RELAXED);
}

int
bcnic_vf_service(struct bcnic_vf *vf)
{
	uint64_t now = bcmbox_now_ns();
	int handled = 0;

	/* Busy elsewhere, or called back into from one of our callbacks: nothing to do. */
	if (!rte_spinlock_trylock(&vf->evt_lock))
		return 0;
	/*
	 * connected: written under vf->lock, read here under evt_lock only;
	 * relaxed is enough: a stale true costs one look at an event ring that
	 * only gets events of its session (epoch-checked), a stale false one round.
	 */
	while (__atomic_load_n(&vf->connected, __ATOMIC_RELAXED) &&
	       bcmbox_client_event(&vf->c, vf->ev) == 1) {
		struct bcmbox_msg *m = vf->ev;

		handled++;
		vf->cnt.events++;
		switch (m->hdr.type) {
		case BCMBOX_EVT_INVALIDATE:
			vf->cnt.invalidations++;
			if (m->hdr.block_id == BCMBOX_BLOCK_MTU) {
				/* The PF set our MTU: the port shows what the switch enforces. */
				rte_spinlock_lock(&vf->lock);
				vf_refresh_mtu(vf);
				rte_spinlock_unlock(&vf->lock);
			}
			if (m->hdr.block_id == BCMBOX_BLOCK_RXMODE)
				vf_rxmode_changed(vf);
			notify(vf, m->hdr.block_id, m->hdr.arg);
			break;
		case BCMBOX_EVT_LINK: {
			struct bcmbox_link_evt l;

			memcpy(&l, m->payload, sizeof(l));
			rte_spinlock_lock(&vf->lock);
			bcnic_vf_set_link(vf, l.link_up != 0, l.speed_mbps);
			rte_spinlock_unlock(&vf->lock);
			break;
		}
		case BCMBOX_EVT_OVERFLOW:
			/* Events were lost: re-read what we show, tell the app to resync. */
			vf->cnt.overflows++;
			rte_spinlock_lock(&vf->lock);
			bcnic_vf_refresh_link(vf);
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
		if (vf->connected && bcnic_window_broken(&vf->map))
			vf_window_lost(vf);
		bcnic_vf_check_pf(vf);
		bcnic_vf_set_link(vf, vf->link_up, 0);	/* down while not connected */
		/* relaxed: the exit flag only needs to be seen eventually */
		if (!vf->connected && now >= vf->next_reconnect_ns &&
		    !__atomic_load_n(&vf->stop, __ATOMIC_RELAXED))
			handled += vf_reconnect(vf, now);
		rte_spinlock_unlock(&vf->lock);
	}
	rte_spinlock_unlock(&vf->evt_lock);
	bcnic_vf_flush_lsc(vf);
	return handled;
}

void *
bcnic_vf_event_thread(void *arg)
{
	struct bcnic_vf *vf = arg;
	struct timespec ts = { 0, EVENT_PERIOD_US * 1000 };

	/* relaxed: pthread_join() in bcnic_vf_disconnect() orders everything else */
	while (!__atomic_load_n(&vf->stop, __ATOMIC_RELAXED)) {
		bcnic_vf_service(vf);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

void
bcnic_vf_disconnect(struct bcnic_vf *vf)
{
	if (vf->thread_running) {
		/* relaxed: the thread needs to see it eventually; pthread_join() orders the rest */
		__atomic_store_n(&vf->stop, true, __ATOMIC_RELAXED);
		pthread_join(vf->thread, NULL);
		vf->thread_running = false;
	}
	rte_spinlock_lock(&vf->lock);
	if (vf->connected && vf->c.w.base != NULL) {
		bcmbox_client_bye(&vf->c, vf->rx, 100 * 1000000ull);
		/* relaxed: the event thread is joined; nobody else reads it now */
		__atomic_store_n(&vf->connected, false, __ATOMIC_RELAXED);
	}
	rte_spinlock_unlock(&vf->lock);
	bcnic_window_unmap(&vf->map);
	bcnic_vf_dp_detach(vf);
}
