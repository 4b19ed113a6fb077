/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers both ports share: ethdev ops common to the PF and VF ports,
 * devargs helpers, log types. Calls nothing else of the driver (the
 * drivers' registration is in bcnic_register.c).
 *
 * Data path: the emulated device has no packet rings yet, so Rx returns
 * nothing and Tx counts what it is given and frees it (see doc/guide.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "bcnic.h"

RTE_LOG_REGISTER_DEFAULT(bcnic_logtype, NOTICE);
RTE_LOG_REGISTER_SUFFIX(bcnic_logtype_mbox, mbox, NOTICE);

/* ---- devargs ---- */

int
bcnic_kvargs_parse(const char *drv, const char *args, const char *const *valid,
		   struct rte_kvargs **out)
{
	struct rte_kvargs *kv;
	char keys[128] = "";
	unsigned int i;

	kv = rte_kvargs_parse(args != NULL ? args : "", (const char **)(uintptr_t)valid);
	if (kv == NULL) {
		for (i = 0; valid[i] != NULL; i++) {
			strncat(keys, i ? ", " : "", sizeof(keys) - strlen(keys) - 1);
			strncat(keys, valid[i], sizeof(keys) - strlen(keys) - 1);
		}
		BCNIC_LOG(ERR, "%s: cannot parse devargs \"%s\" (valid keys: %s)", drv,
			  args != NULL ? args : "", keys);
		return -EINVAL;
	}
	for (i = 0; valid[i] != NULL; i++) {
		if (rte_kvargs_count(kv, valid[i]) > 1) {
			BCNIC_LOG(ERR, "%s: devarg %s= given more than once", drv, valid[i]);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	*out = kv;
	return 0;
}

static const char *
kvarg_value(struct rte_kvargs *kv, const char *key)
{
	unsigned int i;

	for (i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].value;
	return NULL;
}

/* Returns 0 (absent: *val untouched), 1 (set) or -EINVAL (logged). */
int
bcnic_kvarg_uint(struct rte_kvargs *kv, const char *key, unsigned long lo, unsigned long hi,
		 bool pow2, unsigned int *val)
{
	const char *s = kvarg_value(kv, key);
	unsigned long v;
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < lo || v > hi ||
	    (pow2 && !bcmbox_is_pow2(v))) {
		BCNIC_LOG(ERR, "invalid %s=%s: expected %s%lu..%lu", key, s,
			  pow2 ? "a power of two in " : "an integer in ", lo, hi);
		return -EINVAL;
	}
	*val = (unsigned int)v;
	return 1;
}

int
bcnic_kvarg_dev(struct rte_kvargs *kv, char *name)
{
	const char *s = kvarg_value(kv, "dev");

	if (s == NULL) {
		BCNIC_LOG(ERR, "missing dev=<name>: the emulated device to use");
		return -EINVAL;
	}
	if (!bcmbox_dev_name_valid(s)) {
		BCNIC_LOG(ERR, "invalid dev=%s: use 1..%d letters, digits, '-' or '_'", s,
			  BCNIC_DEV_NAME_MAX);
		return -EINVAL;
	}
	strcpy(name, s);
	return 0;
}

/* A word devarg: 0 (absent), 1 (set: *val its index) or -EINVAL (logged). */
static int
devarg_word(struct rte_kvargs *kv, const struct bcnic_devarg *a, unsigned int *val)
{
	const char *s = kvarg_value(kv, a->key);
	char expected[128] = "";

	if (s == NULL)
		return 0;
	for (unsigned int i = 0; a->words[i] != NULL; i++) {
		if (strcmp(s, a->words[i]) == 0) {
			*val = i;
			return 1;
		}
		strncat(expected, i ? "|" : "", sizeof(expected) - strlen(expected) - 1);
		strncat(expected, a->words[i], sizeof(expected) - strlen(expected) - 1);
	}
	BCNIC_LOG(ERR, "invalid %s=%s: expected %s", a->key, s, expected);
	return -EINVAL;
}

int
bcnic_devargs_parse(const char *drv, const char *args, const struct bcnic_devarg *t,
		    unsigned int n, void *opts)
{
	const char *valid[BCNIC_DEVARGS_MAX + 1];
	struct rte_kvargs *kv;
	unsigned int i;
	int rc = 0;

	if (n > BCNIC_DEVARGS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		valid[i] = t[i].key;
		if (t[i].type != BCNIC_DEVARG_DEV)
			*(unsigned int *)((uint8_t *)opts + t[i].off) = t[i].def;
	}
	valid[n] = NULL;
	rc = bcnic_kvargs_parse(drv, args, valid, &kv);
	if (rc != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		void *field = (uint8_t *)opts + t[i].off;
		const char *s;

		switch (t[i].type) {
		case BCNIC_DEVARG_DEV:
			rc = bcnic_kvarg_dev(kv, field);
			break;
		case BCNIC_DEVARG_WORD:
			rc = devarg_word(kv, &t[i], field);
			break;
		case BCNIC_DEVARG_POW2:
			s = kvarg_value(kv, t[i].key);
			if (t[i].zero_off && s != NULL && strcmp(s, "0") == 0) {
				*(unsigned int *)field = 0;
				break;
			}
			rc = bcnic_kvarg_uint(kv, t[i].key, t[i].lo, t[i].hi, true, field);
			if (rc < 0 && t[i].zero_off)
				BCNIC_LOG(ERR, "(or %s=0: off)", t[i].key);
			break;
		default:
			rc = bcnic_kvarg_uint(kv, t[i].key, t[i].lo, t[i].hi, false, field);
			break;
		}
		rc = rc < 0 ? rc : 0;
	}
	rte_kvargs_free(kv);
	return rc;
}

/* ---- MAC addresses ---- */

/*
 * Locally administered, stable per device name and function (0 = PF,
 * n = VF n-1), so a restarted PF hands out the same defaults.
 */
void
bcnic_default_mac(struct rte_ether_addr *mac, const char *dev, unsigned int function)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *dev != '\0'; dev++)
		h = (h ^ (uint8_t)*dev) * 16777619u;
	mac->addr_bytes[0] = 0x02;
	mac->addr_bytes[1] = (uint8_t)(h >> 24);
	mac->addr_bytes[2] = (uint8_t)(h >> 16);
	mac->addr_bytes[3] = (uint8_t)(h >> 8);
	mac->addr_bytes[4] = (uint8_t)(function >> 8);
	mac->addr_bytes[5] = (uint8_t)function;
}

/* ---- data path stand-ins, for ports without a data path (data_ring_size=0) ---- */

static uint16_t
bcnic_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static uint16_t
bcnic_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct bcnic_txq *txq = q;
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	rte_pktmbuf_free_bulk(pkts, n);
	txq->st.packets += n;
	txq->st.bytes += bytes;
	return n;
}

/* ---- ops ---- */

static struct bcnic_port *
port_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

void
bcnic_ethdev_init(struct rte_eth_dev *eth_dev, struct bcnic_port *port)
{
	struct rte_eth_dev_data *data = eth_dev->data;

	if (port->max_queues == 0) {
		/* No data path: queues that take anything (Rx empty, Tx freed). */
		port->max_queues = BCNIC_MAX_QUEUES;
		port->desc_min = 1;
		port->desc_max = 4096;
	}
	port->port_id = data->port_id;
	data->mac_addrs = &port->mac;
	data->dev_link.link_speed = RTE_ETH_SPEED_NUM_100G;
	data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	data->dev_link.link_autoneg = RTE_ETH_LINK_FIXED;
	data->promiscuous = 1;
	data->all_multicast = 1;
	eth_dev->rx_pkt_burst = bcnic_rx_burst;
	eth_dev->tx_pkt_burst = bcnic_tx_burst;
}

int
bcnic_port_remove(const char *dev_name)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(dev_name);

	if (eth_dev == NULL)
		return 0;
	/* Hot-unplug of a running port: stop it first, ethdev will not close it started. */
	if (eth_dev->data->dev_started)
		rte_eth_dev_stop(eth_dev->data->port_id);
	return rte_eth_dev_close(eth_dev->data->port_id);
}

int
bcnic_dev_configure(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

int
bcnic_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct bcnic_port *port = port_of(dev);

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = RTE_ETHER_MAX_JUMBO_FRAME_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = RTE_ETHER_MAX_JUMBO_FRAME_LEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->max_rx_queues = port->max_queues;
	info->max_tx_queues = port->max_queues;
	info->rx_desc_lim.nb_max = port->desc_max;
	info->rx_desc_lim.nb_min = port->desc_min;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = port->desc_max;
	info->default_txportconf.ring_size = port->desc_max;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

int
bcnic_dev_start(struct rte_eth_dev *dev)
{
	uint16_t i;

	/* The link is each side's own: pf_update_link(), the VF's set_link(). */
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

int
bcnic_dev_stop(struct rte_eth_dev *dev)
{
	uint16_t i;

	dev->data->dev_started = 0;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

int
bcnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		     const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct bcnic_port *port = port_of(dev);
	struct bcnic_rxq *q = &port->rxq[qid];
	struct rte_ring *ring = q->ring;	/* the PF's setup replaces it */

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->mp = mp;
	q->port_id = port->port_id;
	q->queue_id = qid;
	dev->data->rx_queues[qid] = q;
	return 0;
}

int
bcnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		     const struct rte_eth_txconf *conf)
{
	struct bcnic_port *port = port_of(dev);
	struct bcnic_txq *q = &port->txq[qid];
	struct rte_ring *ring = q->ring;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->port_id = port->port_id;
	q->queue_id = qid;
	dev->data->tx_queues[qid] = q;
	return 0;
}

int
bcnic_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

int
bcnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct bcnic_port *port = port_of(dev);
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues && i < BCNIC_MAX_QUEUES; i++) {
		const struct bcnic_queue_stats *q = &port->rxq[i].st;

		st->ipackets += q->packets;
		st->ibytes += q->bytes;
		st->ierrors += q->errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = q->packets;
			st->q_ibytes[i] = q->bytes;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues && i < BCNIC_MAX_QUEUES; i++) {
		const struct bcnic_queue_stats *q = &port->txq[i].st;

		st->opackets += q->packets;
		st->obytes += q->bytes;
		st->oerrors += q->errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = q->packets;
			st->q_obytes[i] = q->bytes;
		}
	}
	return 0;
}

int
bcnic_stats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_port *port = port_of(dev);
	uint16_t i;

	for (i = 0; i < BCNIC_MAX_QUEUES; i++) {
		memset(&port->rxq[i].st, 0, sizeof(port->rxq[i].st));
		memset(&port->txq[i].st, 0, sizeof(port->txq[i].st));
	}
	return 0;
}

int
bcnic_promisc_noop(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}
