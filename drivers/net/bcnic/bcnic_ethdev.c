/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers both ports share: ethdev ops common to the PF and VF ports,
 * devargs helpers, log types. Calls nothing else of the driver (the
 * drivers' registration is in bcnic_register.c).
 *
 * Ports without a data path (data_ring_size=0): Rx returns nothing and Tx
 * counts what it is given and frees it (see doc/guide.md).
 */
#include <ctype.h>
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

/* The keys of valid, comma separated, into buf (never cut: sized for BCNIC_DEVARGS_MAX keys). */
static void
list_keys(const char *const *valid, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; valid[i] != NULL && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", valid[i]);
}

static int
kvargs_parse(const char *drv, const char *args, const char *const *valid,
	     struct rte_kvargs **out)
{
	char keys[BCNIC_DEVARGS_MAX * 24];
	struct rte_kvargs *kv, *any;
	const char *bad = NULL;
	unsigned int i, j;

	args = args != NULL ? args : "";
	kv = rte_kvargs_parse(args, (const char **)(uintptr_t)valid);
	if (kv == NULL) {
		/* Say which key: parse again accepting any key, find the one not ours. */
		list_keys(valid, keys, sizeof(keys));
		any = rte_kvargs_parse(args, NULL);
		for (i = 0; any != NULL && i < any->count && bad == NULL; i++) {
			for (j = 0; valid[j] != NULL; j++)
				if (strcmp(any->pairs[i].key, valid[j]) == 0)
					break;
			if (valid[j] == NULL)
				bad = any->pairs[i].key;
		}
		if (bad != NULL)
			BCNIC_LOG(ERR, "%s: unknown devarg %s in \"%s\" (valid keys: %s)", drv, bad,
				  args, keys);
		else
			BCNIC_LOG(ERR, "%s: cannot parse devargs \"%s\" (key=value pairs, valid keys: %s)",
				  drv, args, keys);
		rte_kvargs_free(any);
		return -EINVAL;
	}
	for (i = 0; i < kv->count; i++) {
		/* kvargs takes a bare key; a setting without a value is a mistake, not a default. */
		if (kv->pairs[i].value == NULL) {
			BCNIC_LOG(ERR, "%s: devarg %s given without a value (%s=<value>)", drv,
				  kv->pairs[i].key, kv->pairs[i].key);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	for (i = 0; valid[i] != NULL; i++) {
		if (rte_kvargs_count(kv, valid[i]) > 1) {
			BCNIC_LOG(ERR, "%s: devarg %s= given more than once in \"%s\"", drv, valid[i],
				  args);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	*out = kv;
	return 0;
}

/* An unsigned devarg s: 0 or -EINVAL (logged, naming key and value). */
static int
devarg_uint(const struct bcnic_devarg *a, const char *s, unsigned int *val)
{
	bool pow2 = a->type == BCNIC_DEVARG_POW2 || a->type == BCNIC_DEVARG_POW2_OFF;
	unsigned long v;
	char *end;

	/* Decimal only, as documented: no octal (vf=010 is not VF 8), hex or spaces. */
	if (!isdigit((unsigned char)s[0])) {
		end = (char *)(uintptr_t)s;
		v = 0;
	} else {
		errno = 0;
		v = strtoul(s, &end, 10);
	}
	if (a->type == BCNIC_DEVARG_POW2_OFF && *s != '\0' && *end == '\0' && errno == 0 &&
	    v == 0) {
		*val = 0;
		return 0;
	}
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < a->lo || v > a->hi ||
	    (pow2 && !bcmbox_is_pow2(v))) {
		BCNIC_LOG(ERR, "invalid %s=%s: expected %s%u..%u%s", a->key, s,
			  pow2 ? "a power of two in " : "an integer in ", a->lo, a->hi,
			  a->type == BCNIC_DEVARG_POW2_OFF ? " (or 0: off)" : "");
		return -EINVAL;
	}
	*val = (unsigned int)v;
	return 0;
}

static int
devarg_dev(const struct bcnic_devarg *a, const char *s, char *name)
{
	if (!bcmbox_dev_name_valid(s)) {
		BCNIC_LOG(ERR, "invalid %s=%s: use 1..%d letters, digits, '-' or '_'", a->key, s,
			  BCNIC_DEV_NAME_MAX);
		return -EINVAL;
	}
	strcpy(name, s);
	return 0;
}

/* A word devarg s: its index in a->words ("a|b|c"), or -EINVAL (logged). */
static int
devarg_word(const struct bcnic_devarg *a, const char *s)
{
	size_t len = strlen(s);
	const char *w = a->words;

	for (int i = 0; *w != '\0'; i++) {
		size_t wl = strcspn(w, "|");

		if (wl == len && len != 0 && strncmp(w, s, len) == 0)
			return i;
		w += wl + (w[wl] == '|');
	}
	BCNIC_LOG(ERR, "invalid %s=%s: expected %s", a->key, s, a->words);
	return -EINVAL;
}

/*
 * A set devarg s: "all", or indexes and ranges, comma separated, bracketed or
 * not ("3", "0-2", "[0,2-3]"). 0 or -EINVAL (logged).
 */
static int
devarg_set(const struct bcnic_devarg *a, const char *s, uint64_t *set)
{
	const char *p;

	if (strcmp(s, "all") == 0) {
		for (unsigned int i = 0; i <= a->hi; i++)
			set[i / 64] |= 1ull << (i % 64);
		return 0;
	}
	p = s + (*s == '[');
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi > a->hi)
			goto bad;
		for (unsigned long i = lo; i <= hi; i++)
			set[i / 64] |= 1ull << (i % 64);
		p = end;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']' && *s == '[' && p[1] == '\0')
			return 0;
		if (*p == '\0' && *s != '[')
			return 0;
		goto bad;
	}
bad:
	BCNIC_LOG(ERR, "invalid %s=%s: expected all, or indexes and ranges in 0..%u "
		  "such as [0,2-3]", a->key, s, a->hi);
	return -EINVAL;
}

void
bcnic_devargs_defaults(const struct bcnic_devarg *t, unsigned int n, void *opts)
{
	for (unsigned int i = 0; i < n; i++) {
		void *field = (uint8_t *)opts + t[i].off;

		if (t[i].type == BCNIC_DEVARG_DEV)
			*(char *)field = '\0';
		else if (t[i].type == BCNIC_DEVARG_FLAG)
			*(bool *)field = t[i].def != 0;
		else if (t[i].type == BCNIC_DEVARG_SET)
			memset(field, 0, BCNIC_DEVARG_SET_WORDS * sizeof(uint64_t));
		else
			*(unsigned int *)field = t[i].def;
	}
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
	bcnic_devargs_defaults(t, n, opts);
	for (i = 0; i < n; i++)
		valid[i] = t[i].key;
	valid[n] = NULL;
	rc = kvargs_parse(drv, args, valid, &kv);
	if (rc != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		const char *s = rte_kvargs_get(kv, t[i].key);
		void *field = (uint8_t *)opts + t[i].off;
		int w;

		if (s == NULL) {
			if (t[i].type == BCNIC_DEVARG_DEV || t[i].type == BCNIC_DEVARG_REQ_UINT) {
				BCNIC_LOG(ERR, "%s: missing %s=", drv, t[i].key);
				rc = -EINVAL;
			}
			continue;
		}
		switch (t[i].type) {
		case BCNIC_DEVARG_DEV:
			rc = devarg_dev(&t[i], s, field);
			break;
		case BCNIC_DEVARG_WORD:
		case BCNIC_DEVARG_FLAG:
			w = devarg_word(&t[i], s);
			if (w < 0)
				rc = w;
			else if (t[i].type == BCNIC_DEVARG_FLAG)
				*(bool *)field = w != 0;
			else
				*(unsigned int *)field = (unsigned int)w;
			break;
		case BCNIC_DEVARG_SET:
			rc = devarg_set(&t[i], s, field);
			break;
		default:
			rc = devarg_uint(&t[i], s, field);
			break;
		}
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
	if (port->desc_default == 0)
		port->desc_default = port->desc_max;
	port->port_id = data->port_id;
	data->mac_addrs = &port->mac;
	data->dev_link.link_speed = RTE_ETH_SPEED_NUM_100G;
	data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	data->dev_link.link_autoneg = RTE_ETH_LINK_FIXED;
	/* What the switch did before Rx modes; a VF port takes its own from the PF at probe. */
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

/*
 * What a port accepts it honours (doc/guide.md, "What the ports accept"):
 * everything else of rte_eth_conf is refused here, by name. ethdev itself
 * checks offloads against the capabilities, RSS hash functions against
 * flow_type_rss_offloads (none) and intr_conf.lsc/rmv against the flags.
 */
int
bcnic_vdev_remove(struct rte_vdev_device *vdev)
{
	return bcnic_port_remove(rte_vdev_device_name(vdev));
}

int
bcnic_dev_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *c = &dev->data->dev_conf;
	const char *name = dev->data->name;
	const char *what = NULL;

	if (c->lpbk_mode != 0)
		what = "loopback (lpbk_mode != 0)";
	else if (c->rxmode.mq_mode & (RTE_ETH_MQ_RX_DCB_FLAG | RTE_ETH_MQ_RX_VMDQ_FLAG))
		what = "Rx DCB/VMDq (rxmode.mq_mode)";
	else if ((c->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG) && dev->data->nb_rx_queues > 1)
		what = "RSS over several Rx queues (rxmode.mq_mode)";
	else if (c->txmode.mq_mode != RTE_ETH_MQ_TX_NONE)
		what = "Tx DCB/VMDq (txmode.mq_mode)";
	else if (c->txmode.pvid != 0 || c->txmode.hw_vlan_reject_tagged ||
		 c->txmode.hw_vlan_reject_untagged || c->txmode.hw_vlan_insert_pvid)
		what = "Tx VLAN handling (txmode.pvid, hw_vlan_*)";
	else if (c->intr_conf.rxq != 0)
		what = "Rx queue interrupts (intr_conf.rxq)";
	else if (c->link_speeds != RTE_ETH_LINK_SPEED_AUTONEG &&
		 c->link_speeds != (RTE_ETH_LINK_SPEED_FIXED | RTE_ETH_LINK_SPEED_100G) &&
		 c->link_speeds != RTE_ETH_LINK_SPEED_100G)
		what = "a link speed other than 100G (link_speeds)";
	else if (c->dcb_capability_en != 0)
		what = "DCB (dcb_capability_en)";
	if (what != NULL) {
		BCNIC_LOG(ERR, "%s: %s is not supported: configure refused", name, what);
		return -ENOTSUP;
	}
	return 0;
}

int
bcnic_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct bcnic_port *port = port_of(dev);

	info->max_mac_addrs = RTE_MAX(port->max_mac_addrs, 1);
	/* The data path's limit, for every port (doc/guide.md, MTU). */
	info->max_rx_pktlen = BCNIC_MAX_RX_PKTLEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = BCNIC_MAX_MTU;
	info->max_rx_queues = port->max_queues;
	info->max_tx_queues = port->max_queues;
	info->rx_desc_lim.nb_max = port->desc_max;
	info->rx_desc_lim.nb_min = port->desc_min;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = port->desc_default;
	info->default_txportconf.ring_size = port->desc_default;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED | RTE_ETH_LINK_SPEED_100G;
	info->default_rxconf.rx_drop_en = 1;	/* a full queue drops (it cannot stall the switch) */
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

	RTE_SET_USED(socket);
	if (conf->rx_deferred_start) {
		BCNIC_LOG(ERR, "%s: Rx queue %u: deferred start is not supported", dev->data->name,
			  qid);
		return -ENOTSUP;
	}
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->mp = mp;
	q->port_id = port->port_id;
	q->queue_id = qid;
	q->nb_desc = nb_desc;
	q->conf = *conf;
	q->conf.rx_drop_en = 1;	/* what the queue does, whatever was asked */
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

	RTE_SET_USED(socket);
	if (conf->tx_deferred_start) {
		BCNIC_LOG(ERR, "%s: Tx queue %u: deferred start is not supported", dev->data->name,
			  qid);
		return -ENOTSUP;
	}
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->port_id = port->port_id;
	q->queue_id = qid;
	q->nb_desc = nb_desc;
	q->conf = *conf;
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

void
bcnic_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *qi)
{
	const struct bcnic_rxq *q = &port_of(dev)->rxq[qid];

	qi->mp = q->mp;
	qi->conf = q->conf;
	qi->scattered_rx = 1;	/* a frame longer than an mbuf comes as a chain */
	qi->nb_desc = q->nb_desc;
	qi->rx_buf_size = q->mp != NULL ? rte_pktmbuf_data_room_size(q->mp) -
					  RTE_PKTMBUF_HEADROOM : 0;
}

void
bcnic_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *qi)
{
	const struct bcnic_txq *q = &port_of(dev)->txq[qid];

	qi->conf = q->conf;
	qi->nb_desc = q->nb_desc;
}
