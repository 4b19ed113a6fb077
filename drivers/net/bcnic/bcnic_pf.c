/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF side: the net_bcnic_pf vdev. Creates the emulated device (the PF
 * object and one window per VF), the block store and the mailbox poller,
 * and exposes the PF port.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "bcnic_pf.h"

#define PF_DRV "net_bcnic_pf"

static const struct eth_dev_ops bcnic_pf_ops;

struct bcnic_pf *
bcnic_pf_from_port(uint16_t port_id, int *err)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id)) {
		*err = -ENODEV;
		return NULL;
	}
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &bcnic_pf_ops || dev->data->dev_private == NULL) {
		*err = -ENOTSUP;
		return NULL;
	}
	return dev->data->dev_private;
}

static void
pf_free(struct bcnic_pf *pf)
{
	bcnic_pf_poller_stop(pf);
	bcnic_persist_close(pf);
	for (unsigned int q = 0; q < BCNIC_MAX_QUEUES; q++) {
		struct rte_mbuf *m;

		while (pf->port.rxq[q].ring != NULL &&
		       rte_ring_dequeue(pf->port.rxq[q].ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		while (pf->port.txq[q].ring != NULL &&
		       rte_ring_dequeue(pf->port.txq[q].ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(pf->port.rxq[q].ring);
		rte_ring_free(pf->port.txq[q].ring);
		pf->port.rxq[q].ring = NULL;
		pf->port.txq[q].ring = NULL;
	}
	bcnic_store_free(pf);
	rte_free(pf->vfs);
	rte_free(pf->scratch);
	pf->vfs = NULL;
	pf->scratch = NULL;
	bcnic_shm_device_destroy(pf->shm);
	pf->shm = NULL;
}

/* The VFs' link is the PF port's: started and not forced down. */
static void
pf_update_link(struct rte_eth_dev *dev, bool started)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	bool up = started && !pf->link_down_forced;
	struct rte_eth_link l;

	rte_eth_linkstatus_get(dev, &l);
	l.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	rte_eth_linkstatus_set(dev, &l);	/* one 64-bit store: readers never see half */
	if (up == pf->link_up)
		return;
	/*
	 * Relaxed: a flag with nothing behind it; the switch reads it every round, a
	 * frame more or less either way.
	 */
	__atomic_store_n(&pf->link_up, up, __ATOMIC_RELAXED);
	bcnic_pf_link_changed(pf, up, dev->data->dev_link.link_speed);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static int
bcnic_pf_start(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	int rc = bcnic_dev_start(dev);

	/*
	 * Relaxed: the queues it guards were set up under round_lock, whose release
	 * publishes them.
	 */
	__atomic_store_n(&pf->port_started, true, __ATOMIC_RELAXED);
	pf_update_link(dev, true);
	return rc;
}

static int
bcnic_pf_stop(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	int rc = bcnic_dev_stop(dev);

	__atomic_store_n(&pf->port_started, false, __ATOMIC_RELAXED);	/* as in bcnic_pf_start() */
	pf_update_link(dev, false);
	return rc;
}

static int
bcnic_pf_set_link_up(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	pf->link_down_forced = false;
	pf_update_link(dev, dev->data->dev_started);
	return 0;
}

static int
bcnic_pf_set_link_down(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	pf->link_down_forced = true;
	pf_update_link(dev, dev->data->dev_started);
	return 0;
}

static int
bcnic_pf_close(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	BCNIC_LOG(INFO, "PF port %u: closing device %s", dev->data->port_id, pf->dev_name);
	pf_free(pf);
	dev->data->mac_addrs = NULL;	/* part of dev_private */
	return 0;
}

static int
bcnic_pf_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	int rc;

	/* The poller keeps serving VFs while the port is stopped: not mid-round with this queue. */
	rte_spinlock_lock(&pf->round_lock);
	rc = bcnic_rx_queue_setup(dev, qid, nb_desc, socket, conf, mp);
	if (rc == 0 && pf->data_slots != 0)
		rc = bcnic_switch_queue_ring(pf, true, nb_desc, &pf->port.rxq[qid].ring);
	rte_spinlock_unlock(&pf->round_lock);
	return rc;
}

static int
bcnic_pf_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	int rc;

	rte_spinlock_lock(&pf->round_lock);	/* as in bcnic_pf_rx_queue_setup() */
	rc = bcnic_tx_queue_setup(dev, qid, nb_desc, socket, conf);
	if (rc == 0 && pf->data_slots != 0)
		rc = bcnic_switch_queue_ring(pf, false, nb_desc, &pf->port.txq[qid].ring);
	rte_spinlock_unlock(&pf->round_lock);
	return rc;
}

/* The PF port's MTU: the longest frame the switch delivers to it. */
static int
bcnic_pf_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	/* Relaxed: a limit the switch reads per frame; a frame more or less either way. */
	__atomic_store_n(&pf->sw.pf_rx_max_len, bcnic_switch_max_len(mtu), __ATOMIC_RELAXED);
	return 0;
}

static int
bcnic_pf_configure(struct rte_eth_dev *dev)
{
	int rc = bcnic_dev_configure(dev);

	return rc != 0 ? rc : bcnic_pf_mtu_set(dev, dev->data->mtu);	/* rxmode.mtu */
}

/* The switch's drops because of the PF port (imissed) or of its frames (oerrors). */
static int
bcnic_pf_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	int rc = bcnic_stats_get(dev, st);

	st->imissed += pf->sw.pf_dp.rx_missed - pf->dp_base.rx_missed;
	st->oerrors += pf->sw.pf_dp.tx_dropped - pf->dp_base.tx_dropped;
	return rc;
}

static int
bcnic_pf_stats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	pf->dp_base = pf->sw.pf_dp;
	return bcnic_stats_reset(dev);
}

static const char *const vf_state_names[] = {
	[BCMBOX_VF_DETACHED] = "detached", [BCMBOX_VF_HELLO] = "hello",
	[BCMBOX_VF_READY] = "ready", [BCMBOX_VF_RESETTING] = "resetting",
};

#define PF_DUMP_VFS 16	/* VF lines in priv_dump (telemetry's string holds 8 KiB); telemetry has all */

/* What a support engineer asks first: device, link, MTU, the switch, the VFs' sessions and rings. */
static int
bcnic_pf_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	const struct bcnic_switch *sw = &pf->sw;
	unsigned int shown = 0, ready = 0;

	fprintf(f, "bcnic PF of device %s (port %u): %u VFs, PF epoch %08x, poller rounds %"
		PRIu64 "\n", pf->dev_name, dev->data->port_id, pf->num_vfs,
		pf->shm != NULL ? pf->shm->hdr->pf_epoch : 0, pf->rounds);
	fprintf(f, "link: %s%s; MTU %u, max frame %u; data rings %u buffers\n",
		pf->link_up ? "up" : "down", pf->link_down_forced ? " (forced down)" : "",
		dev->data->mtu, __atomic_load_n(&pf->sw.pf_rx_max_len, __ATOMIC_RELAXED),
		pf->data_slots);
	fprintf(f, "switch: forwarded %" PRIu64 ", flooded %" PRIu64 ", PF rx missed %" PRIu64
		", PF tx dropped %" PRIu64 "\n", sw->forwarded, sw->flooded, sw->pf_dp.rx_missed,
		sw->pf_dp.tx_dropped);
	fprintf(f, "drops: unknown_dst %" PRIu64 " rx_ring_full %" PRIu64 " no_mbuf %" PRIu64
		" link_down %" PRIu64 " not_attached %" PRIu64 " malformed %" PRIu64 " hairpin %"
		PRIu64 " oversize %" PRIu64 " rx_mode %" PRIu64 "\n", sw->drops[BCNIC_DROP_UNKNOWN_DST],
		sw->drops[BCNIC_DROP_RX_RING_FULL], sw->drops[BCNIC_DROP_NO_MBUF],
		sw->drops[BCNIC_DROP_LINK_DOWN], sw->drops[BCNIC_DROP_NOT_ATTACHED],
		sw->drops[BCNIC_DROP_MALFORMED], sw->drops[BCNIC_DROP_HAIRPIN],
		sw->drops[BCNIC_DROP_OVERSIZE], sw->drops[BCNIC_DROP_RX_MODE]);
	/* Relaxed: flags with nothing behind them (the Rx-mode ops). */
	fprintf(f, "PF port Rx mode: promiscuous %s, all-multicast %s; VF MAC filters %u each\n",
		__atomic_load_n(&pf->rx_promisc, __ATOMIC_RELAXED) ? "on" : "off",
		__atomic_load_n(&pf->rx_allmulti, __ATOMIC_RELAXED) ? "on" : "off",
		pf->vf_mac_filters);
	for (uint16_t i = 0; i < pf->num_vfs; i++) {
		const struct bcnic_pf_vf *v = &pf->vfs[i];
		uint32_t st = __atomic_load_n(&v->state, __ATOMIC_RELAXED);

		if (st == BCMBOX_VF_DETACHED)
			continue;
		ready++;
		if (shown++ == PF_DUMP_VFS)
			continue;
		fprintf(f, "vf%u: %s, epoch %08x, max frame %u; tx cons %u; rx prod %u, depth %u; "
			"rx %" PRIu64 " tx %" PRIu64 " rx_full %" PRIu64 " rx_oversize %" PRIu64
			" tx_dropped %" PRIu64 "\n", i, st < RTE_DIM(vf_state_names) ?
			vf_state_names[st] : "?", v->epoch, v->rx_max_len, v->dtx.pos, v->drx.pos,
			v->drx.cap, v->dp.rx_packets, v->dp.tx_packets, v->dp.rx_full,
			v->dp.rx_oversize, v->dp.tx_dropped);
	}
	fprintf(f, "VFs attached: %u%s\n", ready, ready > PF_DUMP_VFS ? " (first 16 shown)" : "");
	return 0;
}

/*
 * The PF port's Rx mode, which the switch honours per frame (bcnic_pf_switch.c). Relaxed:
 * flags with nothing behind them; a frame more or less either way.
 */
static int
bcnic_pf_promiscuous_enable(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	__atomic_store_n(&pf->rx_promisc, true, __ATOMIC_RELAXED);
	return 0;
}

static int
bcnic_pf_promiscuous_disable(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	__atomic_store_n(&pf->rx_promisc, false, __ATOMIC_RELAXED);
	return 0;
}

static int
bcnic_pf_allmulticast_enable(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	__atomic_store_n(&pf->rx_allmulti, true, __ATOMIC_RELAXED);
	return 0;
}

static int
bcnic_pf_allmulticast_disable(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	__atomic_store_n(&pf->rx_allmulti, false, __ATOMIC_RELAXED);
	return 0;
}

static const struct eth_dev_ops bcnic_pf_ops = {
	.dev_configure = bcnic_pf_configure,
	.dev_infos_get = bcnic_dev_infos_get,
	.dev_start = bcnic_pf_start,
	.dev_stop = bcnic_pf_stop,
	.dev_set_link_up = bcnic_pf_set_link_up,
	.dev_set_link_down = bcnic_pf_set_link_down,
	.dev_close = bcnic_pf_close,
	.rx_queue_setup = bcnic_pf_rx_queue_setup,
	.tx_queue_setup = bcnic_pf_tx_queue_setup,
	.rxq_info_get = bcnic_rxq_info_get,
	.txq_info_get = bcnic_txq_info_get,
	.eth_dev_priv_dump = bcnic_pf_priv_dump,
	.mtu_set = bcnic_pf_mtu_set,
	.link_update = bcnic_link_update,
	.stats_get = bcnic_pf_stats_get,
	.stats_reset = bcnic_pf_stats_reset,
	.xstats_get = bcnic_pf_xstats_get,
	.xstats_get_names = bcnic_pf_xstats_get_names,
	.xstats_reset = bcnic_pf_xstats_reset,
	.promiscuous_enable = bcnic_pf_promiscuous_enable,
	.promiscuous_disable = bcnic_pf_promiscuous_disable,
	.allmulticast_enable = bcnic_pf_allmulticast_enable,
	.allmulticast_disable = bcnic_pf_allmulticast_disable,
};

/* Devarg keys, each written once: PF_ARGS below uses them. */
#define PF_ARG_DEV		"dev"
#define PF_ARG_VFS		"vfs"
#define PF_ARG_RING_SIZE	"ring_size"
#define PF_ARG_EVT_RING_SIZE	"evt_ring_size"
#define PF_ARG_MAX_BLOCKS	"max_blocks"
#define PF_ARG_POLLER		"poller"
#define PF_ARG_RATE		"rate"
#define PF_ARG_RATE_BURST	"rate_burst"
#define PF_ARG_VF_BURST		"vf_burst"
#define PF_ARG_IDLE_SLEEP_US	"idle_sleep_us"
#define PF_ARG_VF_MAC_CHANGE	"vf_mac_change"
#define PF_ARG_DATA_RING_SIZE	"data_ring_size"
#define PF_ARG_TRUST		"trust"
#define PF_ARG_VF_MAC_FILTERS	"vf_mac_filters"

/* The PF's options, as parsed from its devargs. */
struct pf_args {
	char dev[BCNIC_DEV_NAME_MAX + 1];
	unsigned int vfs, ring, evt, max_blocks, rate, rate_burst, vf_burst, idle_sleep_us, data;
	unsigned int mode;		/* enum bcnic_poller_mode */
	bool vf_mac_deny;
	unsigned int mac_filters;	/* extra unicast MACs per VF */
	uint64_t trust[BCNIC_DEVARG_SET_WORDS];	/* trusted VFs */
};

/*
 * The devargs (bcnic.h says how a row reads): the table and the param
 * string. The ranges are literals so the param string shows numbers; the
 * asserts below tie them to the wire's limits. rate=0 is unlimited.
 */
#define PF_ARGS(X) \
	X(PF_ARG_DEV, DEV, dev, 0, 0, 0, NULL) \
	X(PF_ARG_VFS, UINT, vfs, 1, 256, 1, NULL) \
	X(PF_ARG_RING_SIZE, POW2, ring, 128, 4096, BCNIC_DEFAULT_RING, NULL) \
	X(PF_ARG_EVT_RING_SIZE, POW2, evt, 16, 1024, BCNIC_DEFAULT_EVT_RING, NULL) \
	X(PF_ARG_MAX_BLOCKS, UINT, max_blocks, 4, 4096, 64, NULL) \
	X(PF_ARG_POLLER, WORD, mode, 0, 0, BCNIC_POLLER_AUTO, PF_POLLER_WORDS) \
	X(PF_ARG_RATE, UINT, rate, 0, 100000000, 0, NULL) \
	X(PF_ARG_RATE_BURST, UINT, rate_burst, 1, 1000000, 64, NULL) \
	X(PF_ARG_VF_BURST, UINT, vf_burst, 1, 1024, 4, NULL) \
	X(PF_ARG_IDLE_SLEEP_US, UINT, idle_sleep_us, 1, 100000, 50, NULL) \
	X(PF_ARG_VF_MAC_CHANGE, FLAG, vf_mac_deny, 0, 0, false, "allow|deny") \
	X(PF_ARG_DATA_RING_SIZE, POW2_OFF, data, 64, 4096, 256, NULL) \
	X(PF_ARG_TRUST, SET, trust, 0, 255, 0, "all|<VF list, e.g. [0,2-3]>") \
	X(PF_ARG_VF_MAC_FILTERS, UINT, mac_filters, 0, 16, 4, NULL)
/* In enum bcnic_poller_mode's order: the value parsed is the word's index. */
#define PF_POLLER_WORDS "auto|service|thread|app"
_Static_assert(BCNIC_POLLER_AUTO == 0 && BCNIC_POLLER_SERVICE == 1 &&
	       BCNIC_POLLER_THREAD == 2 && BCNIC_POLLER_APP == 3, "PF_POLLER_WORDS's order");
_Static_assert(256 == BCMBOX_MAX_VFS, "vfs= goes up to every VF");
_Static_assert(128 == BCMBOX_RING_MIN && 4096 == BCMBOX_RING_MAX, "ring_size= range");
_Static_assert(16 == BCMBOX_EVT_RING_MIN && 1024 == BCMBOX_EVT_RING_MAX, "evt_ring_size= range");
_Static_assert(64 == BCMBOX_DATA_RING_MIN && 4096 == BCMBOX_DATA_RING_MAX,
	       "data_ring_size= range");
_Static_assert(255 == BCMBOX_MAX_VFS - 1 && 256 <= BCNIC_DEVARG_SET_WORDS * 64, "trust= range");
_Static_assert(16 == BCMBOX_MAC_FILTERS_MAX, "vf_mac_filters= range");

#define PF_ARG_ROW(...) BCNIC_DEVARG_ROW(struct pf_args, __VA_ARGS__)
static const struct bcnic_devarg pf_devargs[] = { PF_ARGS(PF_ARG_ROW) };

static int
parse_args(const char *args, struct pf_args *a)
{
	return bcnic_devargs_parse(PF_DRV, args, pf_devargs, RTE_DIM(pf_devargs), a);
}

static int
bcnic_pf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct bcnic_shm_device *shm = NULL;
	struct rte_eth_dev *eth_dev;
	struct bcnic_pf *pf;
	struct pf_args a;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		BCNIC_LOG(ERR, "%s: secondary processes are not supported yet; run the PF in a primary",
			  name);
		return -ENOTSUP;
	}
	rc = parse_args(rte_vdev_device_args(vdev), &a);
	if (rc != 0)
		return rc;
	/* trust=all sets every bit: every VF there is. */
	bool trust_all = a.trust[0] == UINT64_MAX && a.trust[1] == UINT64_MAX &&
			 a.trust[2] == UINT64_MAX && a.trust[3] == UINT64_MAX;

	for (unsigned int i = a.vfs; i < BCMBOX_MAX_VFS && !trust_all; i++) {
		if (a.trust[i / 64] & (1ull << (i % 64))) {
			BCNIC_LOG(ERR, "%s: invalid %s: VF %u is not below %s=%u", name, PF_ARG_TRUST,
				  i, PF_ARG_VFS, a.vfs);
			return -EINVAL;
		}
	}
	struct bcmbox_window_cfg cfg = { .req_slots = a.ring, .resp_slots = a.ring,
					 .evt_slots = a.evt, .data_slots = a.data };

	rc = bcnic_shm_device_create(a.dev, (uint16_t)a.vfs, &cfg, &shm);
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: cannot create device %s: %s", name, a.dev, strerror(-rc));
		return rc;
	}
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*pf));
	if (eth_dev == NULL) {
		bcnic_shm_device_destroy(shm);
		return -ENOMEM;
	}
	pf = eth_dev->data->dev_private;
	pf->port.is_pf = true;
	pf->eth_dev = eth_dev;
	pf->persist_fd = -1;
	strcpy(pf->dev_name, a.dev);
	pf->cfg = cfg;
	pf->shm = shm;
	pf->num_vfs = (uint16_t)a.vfs;
	pf->mode = (enum bcnic_poller_mode)a.mode;
	pf->rate = a.rate;
	pf->rate_burst = a.rate_burst;
	pf->vf_burst = a.vf_burst;
	pf->idle_sleep_max_us = a.idle_sleep_us;
	pf->vf_mac_change = !a.vf_mac_deny;
	pf->data_slots = a.data;
	pf->vf_mac_filters = a.mac_filters;
	pf->rx_promisc = true;	/* as ethdev starts the port: promiscuous, all-multicast */
	pf->rx_allmulti = true;
	bcnic_default_mac(&pf->port.mac, a.dev, 0);
	if (a.data != 0) {
		/* One queue pair: the switch's software rings. */
		pf->port.max_queues = 1;
		pf->port.desc_min = 64;
		pf->port.desc_max = 4096;
		pf->port.desc_default = 1024;
	}
	bcnic_ethdev_init(eth_dev, &pf->port);
	if (a.data != 0)
		bcnic_switch_set_burst(eth_dev);
	eth_dev->dev_ops = &bcnic_pf_ops;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;

	rc = bcnic_store_init(pf, a.max_blocks + BCNIC_STD_BLOCKS);
	if (rc == 0)
		rc = bcnic_store_std_blocks(pf);
	if (rc == 0)
		rc = bcnic_pf_mbox_init(pf);
	for (unsigned int i = 0; rc == 0 && i < a.vfs; i++)	/* before the poller runs */
		pf->vfs[i].trusted = (a.trust[i / 64] >> (i % 64)) & 1;
	if (rc == 0)
		rc = bcnic_pf_poller_start(pf);
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: cannot set up the PF: %s", name, strerror(-rc));
		pf_free(pf);
		eth_dev->data->mac_addrs = NULL;
		rte_eth_dev_release_port(eth_dev);
		return rc;
	}
	rte_eth_dev_probing_finish(eth_dev);
	BCNIC_LOG(INFO, "%s: port %u is the PF of device %s with %u VF(s), rings %u/%u/%u slots",
		  name, eth_dev->data->port_id, a.dev, a.vfs, a.ring, a.ring, a.evt);
	return 0;
}

/* Registered by bcnic_register() (bcnic_register.c), once per process. */
struct rte_vdev_driver bcnic_pf_driver = {
	.driver = { .name = RTE_STR(net_bcnic_pf) },
	.probe = bcnic_pf_probe,
	.remove = bcnic_vdev_remove,
};

RTE_PMD_EXPORT_NAME(net_bcnic_pf, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_pf, PF_ARGS(BCNIC_DEVARG_PARAM));
