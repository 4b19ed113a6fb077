/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side: the net_bcnic_vf vdev. Maps its own window of the emulated
 * device, and nothing else; probe, devargs, setup and the ethdev ops (MAC,
 * MTU, link, xstats) over the mailbox. The private API is in
 * bcnic_vf_api.c, the session (requests, events, link, reconnection) in
 * bcnic_vf_session.c, the data path in bcnic_vf_rxtx.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "bcnic_vf.h"

#define VF_DRV			"net_bcnic_vf"

#define VF_ARG_ROW(...) BCNIC_DEVARG_ROW(struct bcnic_vf_opts, __VA_ARGS__)
static const struct bcnic_devarg vf_devargs[] = {
	BCNIC_VF_ARGS_WHERE(VF_ARG_ROW) BCNIC_VF_ARGS_SESSION(VF_ARG_ROW)
};
/* A PCI VF's window is its BAR: only the session's devargs apply. */
static const struct bcnic_devarg vf_pci_devargs[] = { BCNIC_VF_ARGS_SESSION(VF_ARG_ROW) };

void
bcnic_vf_opts_default(struct bcnic_vf_opts *o)
{
	bcnic_devargs_defaults(vf_devargs, RTE_DIM(vf_devargs), o);
}

int
bcnic_vf_pci_opts(const char *drv, const char *args, struct bcnic_vf_opts *o)
{
	bcnic_vf_opts_default(o);
	return bcnic_devargs_parse(drv, args, vf_pci_devargs, RTE_DIM(vf_pci_devargs), o);
}

/* ---- ethdev ops ---- */

static int
bcnic_vf_start(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	int rc = bcnic_dev_start(dev);

	rte_spinlock_lock(&vf->lock);
	dev->data->dev_started = 1;	/* what set_link() goes by; ethdev sets it after us */
	bcnic_vf_set_link(vf, vf->link_up, 0);
	rte_spinlock_unlock(&vf->lock);
	bcnic_vf_flush_lsc(vf);
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

/* The link is kept current by bcnic_vf_service(): from LINK events and PF liveness. */
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
	rc = bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MAC, 0, block, sizeof(block),
			       NULL, -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused MAC " RTE_ETHER_ADDR_PRT_FMT ": %s",
			  vf->o.vf, vf->o.dev_name, RTE_ETHER_ADDR_BYTES(addr), strerror(-rc));
		return rc;
	}
	vf->port.mac = *addr;
	return 0;
}

/*
 * Rx modes and MAC filters are requests to the PF (its Rx-mode and MAC filter blocks),
 * which it may refuse: promiscuous needs trust (-EACCES), filters are limited.
 */
static int
vf_rxmode_write(struct rte_eth_dev *dev, bool promisc, bool allmulti)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint32_t flags = (promisc ? BCMBOX_RXMODE_PROMISC : 0) |
			 (allmulti ? BCMBOX_RXMODE_ALLMULTI : 0);
	int rc;

	/*
	 * ethdev writes the modes again at every start: no request for what the PF has.
	 * Relaxed: a value with nothing behind it; a stale one costs a request.
	 */
	if (__atomic_load_n(&vf->rx_mode, __ATOMIC_RELAXED) == flags)
		return 0;
	rc = bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_RXMODE, 0, &flags, sizeof(flags),
			       NULL, -1);
	/* Unknown after a failure: the next call asks again. */
	__atomic_store_n(&vf->rx_mode, rc < 0 ? UINT32_MAX : flags, __ATOMIC_RELAXED);
	if (rc == -ENOENT)
		rc = -ENOTSUP;	/* a PF without Rx modes */
	if (rc == -ENOTCONN)
		return 0;	/* no PF now: ethdev's flags are written again when it is back */
	if (rc < 0) {
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused Rx mode%s%s: %s", vf->o.vf,
			  vf->o.dev_name, promisc ? " promiscuous" : "",
			  allmulti ? " all-multicast" : "", strerror(-rc));
		return rc;
	}
	return 0;
}

static int
bcnic_vf_promiscuous_enable(struct rte_eth_dev *dev)
{
	return vf_rxmode_write(dev, true, dev->data->all_multicast);
}

static int
bcnic_vf_promiscuous_disable(struct rte_eth_dev *dev)
{
	return vf_rxmode_write(dev, false, dev->data->all_multicast);
}

static int
bcnic_vf_allmulticast_enable(struct rte_eth_dev *dev)
{
	return vf_rxmode_write(dev, dev->data->promiscuous, true);
}

static int
bcnic_vf_allmulticast_disable(struct rte_eth_dev *dev)
{
	return vf_rxmode_write(dev, dev->data->promiscuous, false);
}

/* Entry index - 1 of the MAC filter block; ethdev keeps index below max_mac_addrs. */
static int
vf_mac_filter_write(struct rte_eth_dev *dev, const struct rte_ether_addr *addr, uint32_t index)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint8_t entry[BCMBOX_MAC_FILTER_ENTRY_SIZE] = { 0 };
	int rc;

	if (index == 0 || index >= vf->port.max_mac_addrs)
		return -ENOSPC;
	if (addr != NULL)
		memcpy(entry, addr->addr_bytes, RTE_ETHER_ADDR_LEN);
	rc = bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MAC_FILTER,
			       (index - 1) * BCMBOX_MAC_FILTER_ENTRY_SIZE, entry, sizeof(entry),
			       NULL, -1);
	if (rc == -EINVAL)
		rc = -ENOSPC;	/* beyond the block: the PF's limit shrank under us */
	if (rc == -ENOTCONN)
		return 0;	/* no PF now: ethdev's table is written again when it is back */
	return rc < 0 ? rc : 0;
}

static int
bcnic_vf_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		      uint32_t vmdq)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	int rc;

	RTE_SET_USED(vmdq);
	if (index == 0)	/* ethdev restoring the default MAC */
		return bcnic_vf_mac_addr_set(dev, addr);
	/* ethdev restoring its table at start (or the same MAC again): the PF has it. */
	if (index < vf->port.max_mac_addrs && rte_is_same_ether_addr(&vf->macs[index], addr))
		return 0;
	rc = vf_mac_filter_write(dev, addr, index);
	if (rc < 0)
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused MAC filter " RTE_ETHER_ADDR_PRT_FMT
			  ": %s", vf->o.vf, vf->o.dev_name, RTE_ETHER_ADDR_BYTES(addr),
			  strerror(-rc));
	return rc;
}

static void
bcnic_vf_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	int rc = vf_mac_filter_write(dev, NULL, index);

	if (rc < 0)
		BCNIC_LOG(ERR, "VF %u of %s: cannot remove MAC filter %u: %s", vf->o.vf,
			  vf->o.dev_name, index, strerror(-rc));
}

static int
bcnic_vf_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint32_t v = mtu;
	int rc;

	rc = bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MTU, 0, &v, sizeof(v), NULL, -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "VF %u of %s: the PF refused MTU %u: %s", vf->o.vf, vf->o.dev_name,
			  mtu, strerror(-rc));
		return rc;
	}
	return 0;
}

/* The MTU ethdev's configure set (rxmode.mtu, 1500 by default) goes to the PF too. */
static int
bcnic_vf_configure(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint32_t mtu = 0;
	int rc = bcnic_dev_configure(dev);

	if (rc != 0)
		return rc;
	if (bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MTU, 0, &mtu, sizeof(mtu), NULL,
			      -1) == (int)sizeof(mtu) && mtu == dev->data->mtu)
		return 0;
	rc = bcnic_vf_mtu_set(dev, dev->data->mtu);
	if (rc == -EACCES && mtu >= RTE_ETHER_MIN_MTU && mtu <= BCNIC_MAX_MTU) {
		/* The PF keeps this VF's MTU: the port shows the one that is true. */
		BCNIC_LOG(NOTICE, "VF %u of %s: the PF keeps MTU %u: the port's MTU is %u",
			  vf->o.vf, vf->o.dev_name, mtu, mtu);
		dev->data->mtu = (uint16_t)mtu;
		return 0;
	}
	return rc;
}

/*
 * Queues: nb_desc is the queue's depth in 2 KiB buffers on the window's
 * ring (doc/guide.md, "Descriptors"), at most the ring's data_ring_size.
 */
static uint16_t
vf_depth(struct bcnic_vf *vf, const char *dir, uint16_t qid, uint16_t nb_desc)
{
	uint32_t slots = vf->c.w.info.data_slots;
	uint16_t d;

	if (slots == 0)	/* no data path: stand-in queues of any size */
		return nb_desc;
	d = (uint16_t)bcmbox_pkt_depth(slots, nb_desc);
	if (d != nb_desc)
		BCNIC_LOG(NOTICE, "VF %u of %s: %s queue %u: %u descriptors, the window's ring "
			  "has %u buffers: the queue holds %u (raise the PF's data_ring_size)",
			  vf->o.vf, vf->o.dev_name, dir, qid, nb_desc, slots, d);
	return d;
}

static int
bcnic_vf_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint16_t d = vf_depth(vf, "Rx", qid, nb_desc);
	int rc = bcnic_rx_queue_setup(dev, qid, d, socket, conf, mp);

	if (rc != 0)
		return rc;
	rte_spinlock_lock(&vf->lock);
	vf->rx_depth = d;
	/* relaxed: connected is written under vf->lock, which we hold */
	if (__atomic_load_n(&vf->connected, __ATOMIC_RELAXED))
		bcnic_vf_dp_depths(vf);
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

static int
bcnic_vf_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	uint16_t d = vf_depth(vf, "Tx", qid, nb_desc);
	int rc = bcnic_tx_queue_setup(dev, qid, d, socket, conf);

	if (rc != 0)
		return rc;
	rte_spinlock_lock(&vf->lock);
	vf->tx_depth = d;
	/* relaxed: connected is written under vf->lock, which we hold */
	if (__atomic_load_n(&vf->connected, __ATOMIC_RELAXED))
		bcnic_vf_dp_depths(vf);
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

/* The switch's drops because of us (imissed) or of our frames (oerrors): the window says. */
static int
bcnic_vf_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	int rc = bcnic_stats_get(dev, st);

	bcnic_vf_dp_counts(vf);
	st->imissed += vf->dp_acc[BCNIC_VF_DP_RX_FULL] + vf->dp_acc[BCNIC_VF_DP_RX_OVERSIZE];
	st->oerrors += vf->dp_acc[BCNIC_VF_DP_TX_DROPPED];
	return rc;
}

static int
bcnic_vf_stats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;

	bcnic_vf_dp_counts(vf);
	memset(vf->dp_acc, 0, sizeof(vf->dp_acc));
	return bcnic_stats_reset(dev);
}

/* What a support engineer asks first: session, link, MTU, rings, counters. */
static int
bcnic_vf_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	struct bcnic_vf *vf = dev->data->dev_private;
	const struct bcmbox_window *w = &vf->c.w;

	bcnic_vf_dp_counts(vf);
	rte_spinlock_lock(&vf->lock);
	fprintf(f, "bcnic VF %u of device %s (port %u)\n", vf->o.vf, vf->o.dev_name,
		dev->data->port_id);
	fprintf(f, "session: %s, epoch %08x, PF epoch %08x, reconnects %" PRIu64
		", PF lost %" PRIu64 "\n", vf->connected ? "connected" : "not connected",
		vf->c.epoch, vf->c.pf_epoch, vf->cnt.reconnects, vf->cnt.disconnects);
	fprintf(f, "link: %s (PF says %s), %u Mbps; MTU %u, max frame %u\n",
		dev->data->dev_link.link_status ? "up" : "down", vf->link_up ? "up" : "down",
		vf->link_speed, dev->data->mtu, dev->data->mtu + BCNIC_MTU_OVERHEAD);
	fprintf(f, "mailbox: requests %" PRIu64 ", completed %" PRIu64 ", timeouts %" PRIu64
		", errors %" PRIu64 ", events %" PRIu64 ", overflows %" PRIu64 "\n",
		vf->c.st.requests, vf->c.st.completed, vf->c.st.timeouts, vf->c.st.errors,
		vf->cnt.events, vf->cnt.overflows);
	if (w->tx != NULL && vf->connected) {
		fprintf(f, "data rings: %u buffers of %u bytes; Rx depth %u, Tx depth %u\n",
			w->info.data_slots, w->info.data_buf_size, vf->rx_depth, vf->tx_depth);
		fprintf(f, "tx: pos %u, consumer %u (switch published %u), cap %u, ring full %" PRIu64
			"\n", vf->dtx.pos, vf->dtx.cons_cache,
			__atomic_load_n(&w->tx_cons->pos, __ATOMIC_RELAXED), vf->dtx.cap,
			vf->cnt.tx_ring_full);
		fprintf(f, "rx: pos %u, depth published %u, malformed %" PRIu64 "\n", vf->drx.pos,
			__atomic_load_n(&w->rx_cons->depth, __ATOMIC_RELAXED), vf->cnt.rx_malformed);
	}
	fprintf(f, "switch drops: rx ring full %" PRIu64 ", rx oversize %" PRIu64
		", tx dropped %" PRIu64 " (since stats reset)\n", vf->dp_acc[BCNIC_VF_DP_RX_FULL],
		vf->dp_acc[BCNIC_VF_DP_RX_OVERSIZE], vf->dp_acc[BCNIC_VF_DP_TX_DROPPED]);
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

/*
 * xstats: the backchannel as this VF sees it, by offset in struct bcnic_vf
 * (the engine's counters are in c). A NULL name stands for the latency
 * buckets (c.st.lat, named by bcmbox_lat_name()).
 */
static const struct {
	const char *name;
	size_t off;
} vf_xstats[] = {
	{ "mbox_requests", offsetof(struct bcnic_vf, c.st.requests) },
	{ "mbox_completed", offsetof(struct bcnic_vf, c.st.completed) },
	{ "mbox_timeouts", offsetof(struct bcnic_vf, c.st.timeouts) },
	{ "mbox_errors", offsetof(struct bcnic_vf, c.st.errors) },
	{ "mbox_not_connected", offsetof(struct bcnic_vf, c.st.not_connected) },
	{ "mbox_unexpected_responses", offsetof(struct bcnic_vf, c.st.unexpected) },
	{ "mbox_events", offsetof(struct bcnic_vf, cnt.events) },
	{ "mbox_invalidations", offsetof(struct bcnic_vf, cnt.invalidations) },
	{ "mbox_event_overflows", offsetof(struct bcnic_vf, cnt.overflows) },
	{ "mbox_link_changes", offsetof(struct bcnic_vf, cnt.link_changes) },
	{ "mbox_pf_lost", offsetof(struct bcnic_vf, cnt.disconnects) },
	{ "mbox_reconnects", offsetof(struct bcnic_vf, cnt.reconnects) },
	{ "mbox_pf_stalls", offsetof(struct bcnic_vf, c.pf_stalls) },
	{ NULL, 0 },
	{ "tx_ring_full", offsetof(struct bcnic_vf, cnt.tx_ring_full) },
	{ "rx_malformed", offsetof(struct bcnic_vf, cnt.rx_malformed) },
};
#define VF_NB_XSTATS (RTE_DIM(vf_xstats) - 1 + BCMBOX_LAT_BUCKETS)

static int
bcnic_vf_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	unsigned int i = 0;

	RTE_SET_USED(dev);
	if (names == NULL || size < VF_NB_XSTATS)
		return VF_NB_XSTATS;
	for (unsigned int x = 0; x < RTE_DIM(vf_xstats); x++) {
		if (vf_xstats[x].name != NULL) {
			snprintf(names[i++].name, sizeof(names[0].name), "%s", vf_xstats[x].name);
			continue;
		}
		for (unsigned int b = 0; b < BCMBOX_LAT_BUCKETS; b++)
			bcmbox_lat_name(names[i++].name, sizeof(names[0].name), "mbox_latency", b);
	}
	return VF_NB_XSTATS;
}

static int
bcnic_vf_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	const struct bcnic_vf *vf = dev->data->dev_private;
	unsigned int i = 0;

	if (xs == NULL || n < VF_NB_XSTATS)
		return VF_NB_XSTATS;
	for (unsigned int x = 0; x < RTE_DIM(vf_xstats); x++) {
		if (vf_xstats[x].name != NULL) {
			xs[i].id = i;
			xs[i].value = *(const uint64_t *)((const uint8_t *)vf + vf_xstats[x].off);
			i++;
			continue;
		}
		for (unsigned int b = 0; b < BCMBOX_LAT_BUCKETS; b++, i++) {
			xs[i].id = i;
			xs[i].value = vf->c.st.lat[b];
		}
	}
	return VF_NB_XSTATS;
}

static int
bcnic_vf_xstats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;

	rte_spinlock_lock(&vf->lock);
	bcmbox_client_stats_reset(&vf->c);
	memset(&vf->cnt, 0, sizeof(vf->cnt));
	rte_spinlock_unlock(&vf->lock);
	return 0;
}

static void
vf_free(struct bcnic_vf *vf)
{
	bcnic_vf_disconnect(vf);
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
		  vf->o.vf, vf->o.dev_name);
	vf_free(vf);
	dev->data->mac_addrs = NULL;	/* part of dev_private */
	return 0;
}

static const struct eth_dev_ops bcnic_vf_ops = {
	.dev_configure = bcnic_vf_configure,
	.dev_infos_get = bcnic_dev_infos_get,
	.dev_start = bcnic_vf_start,
	.dev_stop = bcnic_vf_stop,
	.dev_close = bcnic_vf_close,
	.rx_queue_setup = bcnic_vf_rx_queue_setup,
	.tx_queue_setup = bcnic_vf_tx_queue_setup,
	.rxq_info_get = bcnic_rxq_info_get,
	.txq_info_get = bcnic_txq_info_get,
	.eth_dev_priv_dump = bcnic_vf_priv_dump,
	.link_update = bcnic_vf_link_update,
	.mac_addr_set = bcnic_vf_mac_addr_set,
	.mtu_set = bcnic_vf_mtu_set,
	.stats_get = bcnic_vf_stats_get,
	.stats_reset = bcnic_vf_stats_reset,
	.xstats_get = bcnic_vf_xstats_get,
	.xstats_get_names = bcnic_vf_xstats_get_names,
	.xstats_reset = bcnic_vf_xstats_reset,
	.promiscuous_enable = bcnic_vf_promiscuous_enable,
	.promiscuous_disable = bcnic_vf_promiscuous_disable,
	.allmulticast_enable = bcnic_vf_allmulticast_enable,
	.allmulticast_disable = bcnic_vf_allmulticast_disable,
	.mac_addr_add = bcnic_vf_mac_addr_add,
	.mac_addr_remove = bcnic_vf_mac_addr_remove,
};

bool
bcnic_vf_is_port(const struct rte_eth_dev *dev)
{
	return dev->dev_ops == &bcnic_vf_ops;
}

/* ---- setup ---- */

/* The request engine: the TSC as its clock, a table for every request the port can have. */
static int
vf_engine_init(struct bcnic_vf *vf)
{
	vf->pend = rte_zmalloc("bcnic_vf_pending", BCNIC_VF_PENDING * sizeof(*vf->pend), 0);
	if (vf->pend == NULL)
		return -ENOMEM;
	bcmbox_client_init(&vf->c);
	bcmbox_client_set_clock(&vf->c, rte_rdtsc, vf->tsc_hz, vf->timeout_ns);
	vf->timeout_tsc = vf->c.dflt_timeout_ticks;
	bcmbox_client_set_pf_timeout(&vf->c, (uint64_t)vf->o.pf_timeout_ms * 1000000ull);
	return bcmbox_client_set_pending(&vf->c, vf->pend, BCNIC_VF_PENDING);
}

/* One queue pair when the window has data rings, of their real size. */
static void
vf_ports_queues(struct bcnic_vf *vf)
{
	struct bcmbox_window w;

	if (bcmbox_window_map(&w, vf->map.base, vf->map.size) == 0 && w.info.data_slots != 0) {
		/* Any depth a VF takes; deeper than the ring: the ring (vf_depth()). */
		vf->port.max_queues = 1;
		vf->port.desc_min = BCMBOX_DATA_RING_MIN;
		vf->port.desc_max = BCMBOX_DATA_RING_MAX;
		vf->port.desc_default = (uint16_t)w.info.data_slots;
	}
}

static void
mac_filter_entry(void *arg, uint32_t i, const struct bcmbox_catalog_entry *e)
{
	uint32_t *size = arg;

	RTE_SET_USED(i);
	if (e->block_id == BCMBOX_BLOCK_MAC_FILTER && e->access == BCMBOX_ACCESS_RW)
		*size = e->size;
}

/*
 * A new VF port starts with promiscuous off, all-multicast on and no MAC filters (what
 * a previous driver of this VF asked for goes); its MAC table has room for as many
 * filters as the PF's block holds.
 */
static void
vf_rx_config(struct bcnic_vf *vf)
{
	static const uint8_t zero[BCMBOX_BLOCK_MAC_FILTER_SIZE(BCMBOX_MAC_FILTERS_MAX)];
	uint8_t cur[sizeof(zero)];
	struct rte_eth_dev *eth_dev = vf->eth_dev;
	uint32_t flags = BCMBOX_RXMODE_ALLMULTI, now = UINT32_MAX, size = 0;
	bool ok;

	rte_spinlock_lock(&vf->lock);
	bcmbox_client_list_each(&vf->c, mac_filter_entry, &size, UINT32_MAX, vf->rx, vf->timeout_ns);
	bcnic_vf_note_lost(vf);
	rte_spinlock_unlock(&vf->lock);
	size = RTE_MIN(size, (uint32_t)sizeof(zero));
	size -= size % BCMBOX_MAC_FILTER_ENTRY_SIZE;
	vf->port.max_mac_addrs = (uint16_t)(1 + size / BCMBOX_MAC_FILTER_ENTRY_SIZE);
	/* Written only when they differ: every write is a VF_MBOX event the PF sees. */
	if (size > 0 &&
	    (bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MAC_FILTER, 0, cur, size, NULL,
			       -1) != (int)size || memcmp(cur, zero, size) != 0))
		bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_MAC_FILTER, 0, (void *)zero,
				  size, NULL, -1);
	ok = bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_RXMODE, 0, &now, sizeof(now),
			       NULL, -1) == (int)sizeof(now) && now == flags;
	if (!ok)
		ok = bcnic_vf_block_io(vf, BCMBOX_MSG_WRITE, BCMBOX_BLOCK_RXMODE, 0, &flags,
				       sizeof(flags), NULL, -1) == (int)sizeof(flags);
	vf->rx_mode = ok ? flags : UINT32_MAX;	/* the event thread is not running yet */
	/* Not yet visible to anyone: ethdev's flags are ours to set. */
	eth_dev->data->promiscuous = 0;
	eth_dev->data->all_multicast = ok;
}

/* What the port shows comes from the PF. */
static int
vf_read_port_config(struct bcnic_vf *vf, const char *name)
{
	struct rte_eth_dev *eth_dev = vf->eth_dev;
	uint8_t mac[8];
	uint32_t mtu;
	int rc;

	rc = bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MAC, 0, mac, sizeof(mac), NULL,
			       -1);
	if (rc < 0) {
		BCNIC_LOG(ERR, "%s: cannot read the MAC address from the PF: %s", name,
			  strerror(-rc));
		return rc;
	}
	memcpy(vf->port.mac.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	vf->macs[0] = vf->port.mac;
	vf_rx_config(vf);
	if (bcnic_vf_block_io(vf, BCMBOX_MSG_READ, BCMBOX_BLOCK_MTU, 0, &mtu, sizeof(mtu), NULL,
			      -1) == (int)sizeof(mtu) &&
	    mtu >= RTE_ETHER_MIN_MTU && mtu <= UINT16_MAX)
		eth_dev->data->mtu = (uint16_t)mtu;
	return 0;
}

int
bcnic_vf_setup(struct rte_eth_dev *eth_dev, const struct bcnic_window_map *win,
	       const struct bcnic_vf_opts *o)
{
	const char *name = eth_dev->data->name;
	struct bcnic_vf *vf = eth_dev->data->dev_private;
	int rc;

	vf->o = *o;
	vf->map = *win;
	vf->by_name = !win->borrowed;
	vf->eth_dev = eth_dev;
	vf->timeout_ns = (uint64_t)o->timeout_ms * 1000000ull;
	vf->tsc_hz = rte_get_tsc_hz();
	vf->link_speed = RTE_ETH_SPEED_NUM_100G;
	rte_spinlock_init(&vf->lock);
	rte_spinlock_init(&vf->evt_lock);
	rte_spinlock_init(&vf->cb_lock);
	vf_ports_queues(vf);
	bcnic_ethdev_init(eth_dev, &vf->port);
	eth_dev->data->mac_addrs = vf->macs;	/* room for the MAC filters */
	eth_dev->dev_ops = &bcnic_vf_ops;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	if (vf->port.max_queues == 1) {
		eth_dev->rx_pkt_burst = bcnic_vf_rx_burst;
		eth_dev->tx_pkt_burst = bcnic_vf_tx_burst;
	}
	vf->rx = rte_zmalloc("bcnic_vf_rx", sizeof(*vf->rx), RTE_CACHE_LINE_SIZE);
	vf->ev = rte_zmalloc("bcnic_vf_ev", sizeof(*vf->ev), RTE_CACHE_LINE_SIZE);
	vf->rx_pkt = rte_zmalloc("bcnic_vf_rx_pkt", sizeof(*vf->rx_pkt), RTE_CACHE_LINE_SIZE);
	vf->tx_pkt = rte_zmalloc("bcnic_vf_tx_pkt", sizeof(*vf->tx_pkt), RTE_CACHE_LINE_SIZE);
	rc = vf_engine_init(vf);
	if (rc == 0 && (vf->rx == NULL || vf->ev == NULL || vf->rx_pkt == NULL ||
			vf->tx_pkt == NULL))
		rc = -ENOMEM;
	if (rc != 0)
		goto fail;
	rte_spinlock_lock(&vf->lock);
	vf->probing = true;
	rc = bcnic_vf_connect(vf, vf->timeout_ns, false);
	rte_spinlock_unlock(&vf->lock);
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: VF %u of %s: no answer from the PF: %s", name, o->vf,
			  o->dev_name, strerror(-rc));
		goto fail;
	}
	rc = vf_read_port_config(vf, name);
	if (rc != 0)
		goto fail;
	bcnic_vf_dp_counts(vf);	/* drops before we came are not ours */
	memset(vf->dp_acc, 0, sizeof(vf->dp_acc));
	rte_spinlock_lock(&vf->lock);
	bcnic_vf_refresh_link(vf);
	vf->probing = false;
	/* From now on the PF runs on its own: no more driving it from our waits. */
	bcmbox_client_set_hooks(&vf->c, NULL, NULL, vf->c.pf_alive, vf->c.pf_alive_arg);
	rte_spinlock_unlock(&vf->lock);
	vf->lsc_pending = false;	/* not started: nothing to tell */
	if (o->use_thread) {
		rc = rte_ctrl_thread_create(&vf->thread, "bcnic-vf-evt", NULL,
					    bcnic_vf_event_thread, vf);
		if (rc != 0) {
			rc = -rc;
			goto fail;
		}
		vf->thread_running = true;
	}
	rte_eth_dev_probing_finish(eth_dev);
	BCNIC_LOG(INFO, "%s: port %u is VF %u of device %s, MAC " RTE_ETHER_ADDR_PRT_FMT
		  ", session %08x", name, eth_dev->data->port_id, o->vf, o->dev_name,
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

/* ---- probe ---- */

static int
bcnic_vf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct bcnic_vf_opts o;
	struct bcnic_window_map map = { .fd = -1, .guard = -1 };
	struct rte_eth_dev *eth_dev;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		BCNIC_LOG(ERR, "%s: secondary processes are not supported yet; run the VF in a primary",
			  name);
		return -ENOTSUP;
	}
	rc = bcnic_devargs_parse(VF_DRV, rte_vdev_device_args(vdev), vf_devargs,
				 RTE_DIM(vf_devargs), &o);
	if (rc != 0)
		return rc;
	rc = bcnic_shm_window_open(o.dev_name, o.vf, &map, false);
	if (rc != 0)
		return rc;
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(struct bcnic_vf));
	if (eth_dev == NULL) {
		bcnic_window_unmap(&map);
		return -ENOMEM;
	}
	return bcnic_vf_setup(eth_dev, &map, &o);
}

/* Registered by bcnic_register() (bcnic_register.c), once per process. */
struct rte_vdev_driver bcnic_vf_driver = {
	.driver = { .name = RTE_STR(net_bcnic_vf) },
	.probe = bcnic_vf_probe,
	.remove = bcnic_vdev_remove,
};

RTE_PMD_EXPORT_NAME(net_bcnic_vf, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_vf,
	BCNIC_VF_ARGS_WHERE(BCNIC_DEVARG_PARAM) BCNIC_VF_ARGS_SESSION(BCNIC_DEVARG_PARAM));
