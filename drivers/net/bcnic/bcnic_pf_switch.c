/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated device's embedded switch, run by the PF poller.
 *
 * Functions: the PF port (function 0, the uplink) and every VF (function
 * n + 1). A unicast frame goes to the function one of whose MACs (the MAC
 * block and the MAC filter block: the backchannel decides them) is its
 * destination. Broadcast goes to every other function; other multicast to
 * every other function in all-multicast or promiscuous mode (the Rx-mode
 * block; the PF port's own mode). Unknown unicast goes to every other
 * function in promiscuous mode: from a VF the PF port (the uplink) when it
 * is promiscuous and the promiscuous VFs, from the PF port the promiscuous
 * VFs; taken by none, it is dropped (unknown_dst from the PF: there is
 * nothing beyond the uplink; rx_mode from a VF). A promiscuous VF never
 * gets unicast for another function's MAC. With the PF's link down,
 * nothing is delivered to VFs.
 *
 * VF frames are copied out of the VF's Tx ring (each byte once) before
 * anything looks at them; the PF port's frames come and go through
 * software rings of mbufs (the PF port's Rx and Tx queue).
 *
 * Delivery honours the receiver: its MTU (a VF's MTU block, the PF port's
 * mtu_set) and its Rx queue depth (a VF's depth line). Every drop is
 * counted by reason (sw.drops) and charged to the port it concerns: the
 * receiver's imissed or the sender's oerrors (a VF's in its window's
 * counters line, the PF port's in sw.pf_dp); doc/guide.md section 8.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "bcnic_pf.h"

#define SWITCH_BURST	32	/* frames taken from one source per round */

static inline uint64_t
mac_key(const uint8_t *m)
{
	uint64_t k = 0;

	memcpy(&k, m, RTE_ETHER_ADDR_LEN);
	return k;
}

static inline uint32_t
mac_hash(uint64_t k)
{
	return (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 40);
}

uint32_t
bcnic_switch_max_len(uint32_t mtu)
{
	return RTE_MAX((uint32_t)RTE_ETHER_MIN_MTU, RTE_MIN(mtu, (uint32_t)BCNIC_MAX_MTU)) +
	       BCNIC_MTU_OVERHEAD;
}

/* A VF's receive limit from its MTU block (written by the VF, validated, or by the PF). */
static void
mtu_read(struct bcnic_pf *pf, struct bcnic_block *b, uint16_t vf)
{
	uint32_t mtu = RTE_ETHER_MTU;

	if (b != NULL)
		bcnic_block_read(bcnic_block_copy(b, vf), 0, &mtu, sizeof(mtu));
	pf->vfs[vf].rx_max_len = bcnic_switch_max_len(mtu);
}

static void
mtu_refresh(struct bcnic_pf *pf)
{
	struct bcnic_block *b = bcnic_store_find(&pf->store, BCMBOX_BLOCK_MTU);

	for (uint16_t vf = 0; vf < pf->num_vfs; vf++)
		mtu_read(pf, b, vf);
}

/* A drop the receiver (or sender) VF owns: counted, and published in its window (relaxed: a count). */
static inline void
vf_count(uint64_t *mine, uint64_t *win)
{
	(*mine)++;
	__atomic_store_n(win, *mine, __ATOMIC_RELAXED);
}

/* A frame function src sent is lost: its oerrors. */
static inline void
sender_drop(struct bcnic_pf *pf, int src)
{
	if (src == 0) {
		pf->sw.pf_dp.tx_dropped++;
	} else {
		struct bcnic_pf_vf *v = &pf->vfs[src - 1];

		vf_count(&v->dp.tx_dropped, &v->win.dp_stats->tx_dropped);
	}
}

/* Function f answers to unicast MAC k (none for 0 and multicast). */
static void
mac_insert(struct bcnic_switch *sw, uint64_t k, uint16_t f)
{
	uint32_t h;

	if (k == 0 || (k & 1))
		return;
	for (h = mac_hash(k) & BCNIC_MAC_SLOTS_MASK; sw->mac_slot[h].fn1 != 0;
	     h = (h + 1) & BCNIC_MAC_SLOTS_MASK)
		if (sw->mac_slot[h].key == k)
			return;	/* two functions with one MAC: the first one wins */
	sw->mac_slot[h].key = k;
	sw->mac_slot[h].fn1 = (uint16_t)(f + 1);
}

/*
 * MAC -> function table and the VFs' Rx modes, rebuilt when a block the switch
 * reads changed (mac_gen moved; the VFs' MTUs too). Primary MACs first: a filter never steals one.
 */
static void
mac_table_refresh(struct bcnic_pf *pf)
{
	struct bcnic_switch *sw = &pf->sw;
	struct bcnic_block *b = bcnic_store_find(&pf->store, BCMBOX_BLOCK_MAC);
	struct bcnic_block *rxm = bcnic_store_find(&pf->store, BCMBOX_BLOCK_RXMODE);
	struct bcnic_block *flt = bcnic_store_find(&pf->store, BCMBOX_BLOCK_MAC_FILTER);
	/*
	 * Load-acquire synchronizes with the fetch-add-release in bcnic_switch_mac_changed():
	 * the refresh reads the blocks written before it.
	 */
	uint32_t gen = __atomic_load_n(&sw->mac_gen, __ATOMIC_ACQUIRE);

	memset(sw->mac_slot, 0, sizeof(sw->mac_slot));
	sw->npromisc = 0;
	for (uint16_t f = 0; f <= pf->num_vfs; f++) {
		uint8_t mac[BCMBOX_BLOCK_MAC_SIZE] = { 0 };
		uint64_t k;

		if (f == 0)
			memcpy(mac, pf->port.mac.addr_bytes, RTE_ETHER_ADDR_LEN);
		else
			bcnic_block_read(bcnic_block_copy(b, f - 1), 0, mac, sizeof(mac));
		k = mac_key(mac);
		sw->fn_mac[f] = k;
		mac_insert(sw, k, f);
	}
	for (uint16_t vf = 0; vf < pf->num_vfs; vf++) {
		uint32_t mode = 0;

		if (rxm != NULL)
			bcnic_block_read(bcnic_block_copy(rxm, vf), 0, &mode, sizeof(mode));
		sw->vf_rxmode[vf] = (uint8_t)(mode & BCMBOX_RXMODE_KNOWN);
		if (mode & BCMBOX_RXMODE_PROMISC)
			sw->promisc_vf[sw->npromisc++] = vf;
		for (uint32_t off = 0; flt != NULL && off < flt->size;
		     off += BCMBOX_MAC_FILTER_ENTRY_SIZE) {
			uint8_t mac[BCMBOX_MAC_FILTER_ENTRY_SIZE] = { 0 };

			bcnic_block_read(bcnic_block_copy(flt, vf), off, mac, sizeof(mac));
			mac[6] = mac[7] = 0;	/* reserved bytes are not part of the MAC */
			mac_insert(sw, mac_key(mac), vf + 1);
		}
	}
	sw->mac_gen_seen = gen;
	mtu_refresh(pf);
}

/* Function of a unicast MAC, or -1. */
static inline int
mac_lookup(const struct bcnic_switch *sw, uint64_t k)
{
	for (uint32_t h = mac_hash(k) & BCNIC_MAC_SLOTS_MASK; sw->mac_slot[h].fn1 != 0;
	     h = (h + 1) & BCNIC_MAC_SLOTS_MASK)
		if (sw->mac_slot[h].key == k)
			return sw->mac_slot[h].fn1 - 1;
	return -1;
}

void
bcnic_switch_mac_changed(struct bcnic_pf *pf)
{
	/*
	 * Release: pairs with the switch's load-acquire of mac_gen; the MAC block was
	 * written before.
	 */
	__atomic_fetch_add(&pf->sw.mac_gen, 1, __ATOMIC_RELEASE);
}

void
bcnic_switch_mtu_changed(struct bcnic_pf *pf)
{
	/* One generation for both: the refresh re-reads MACs and MTUs. */
	bcnic_switch_mac_changed(pf);
}

/* Into VF vf's Rx ring. */
static void
deliver_vf(struct bcnic_pf *pf, uint16_t vf, const uint8_t *data, uint32_t len)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];
	const void *seg = data;
	int rc;

	/*
	 * Relaxed: a flag with nothing behind it (pf_update_link()); a frame more or less
	 * either way.
	 */
	if (!__atomic_load_n(&pf->link_up, __ATOMIC_RELAXED)) {
		pf->sw.drops[BCNIC_DROP_LINK_DOWN]++;
		return;
	}
	if (v->state != BCMBOX_VF_READY) {
		pf->sw.drops[BCNIC_DROP_NOT_ATTACHED]++;
		return;
	}
	if (unlikely(len > v->rx_max_len)) {	/* the receiver's MTU: its imissed */
		pf->sw.drops[BCNIC_DROP_OVERSIZE]++;
		vf_count(&v->dp.rx_oversize, &v->win.dp_stats->rx_oversize);
		return;
	}
	rc = bcmbox_pkt_send(&v->drx, &seg, &len, 1, len);
	if (rc == 0) {
		v->dp.rx_packets++;
		v->dp.rx_bytes += len;
	} else if (rc == -ENOSPC) {
		pf->sw.drops[BCNIC_DROP_RX_RING_FULL]++;
		vf_count(&v->dp.rx_full, &v->win.dp_stats->rx_ring_full);
	} else {
		/* The VF published an impossible Rx consumer position. Relaxed: a count. */
		__atomic_fetch_add(&pf->cnt.bad_consumer_pos, 1, __ATOMIC_RELAXED);
	}
}

/* Into the PF port's Rx queue, as an mbuf chain from its mempool. */
static void
deliver_pf(struct bcnic_pf *pf, const uint8_t *data, uint32_t len)
{
	struct bcnic_rxq *q = &pf->port.rxq[0];
	struct rte_mbuf *head;

	/* Relaxed: the queues it guards were set up under round_lock, which this round holds. */
	if (q->ring == NULL || q->mp == NULL ||
	    !__atomic_load_n(&pf->port_started, __ATOMIC_RELAXED)) {
		pf->sw.drops[BCNIC_DROP_NOT_ATTACHED]++;
		pf->sw.pf_dp.rx_missed++;
		return;
	}
	/* Relaxed: a limit bcnic_pf_mtu_set() stores; a frame more or less either way. */
	if (unlikely(len > __atomic_load_n(&pf->sw.pf_rx_max_len, __ATOMIC_RELAXED))) {
		pf->sw.drops[BCNIC_DROP_OVERSIZE]++;
		pf->sw.pf_dp.rx_missed++;
		return;
	}
	head = bcnic_mbuf_from_frame(q->mp, data, len, pf->port.port_id);
	if (head == NULL) {
		pf->sw.drops[BCNIC_DROP_NO_MBUF]++;
		pf->eth_dev->data->rx_mbuf_alloc_failed++;
		return;
	}
	if (rte_ring_sp_enqueue(q->ring, head) != 0) {
		rte_pktmbuf_free(head);
		pf->sw.drops[BCNIC_DROP_RX_RING_FULL]++;
		pf->sw.pf_dp.rx_missed++;
		return;
	}
	q->st.packets++;
	q->st.bytes += len;
}

/* Unknown unicast from src: a copy to every other promiscuous function. */
static void
forward_unknown(struct bcnic_pf *pf, int src, const uint8_t *data, uint32_t len)
{
	struct bcnic_switch *sw = &pf->sw;
	unsigned int taken = 0;

	for (uint16_t i = 0; i < sw->npromisc; i++) {
		uint16_t vf = sw->promisc_vf[i];

		if ((int)vf + 1 != src) {
			deliver_vf(pf, vf, data, len);
			taken++;
		}
	}
	/* Relaxed: a flag with nothing behind it (the PF port's promiscuous ops). */
	if (src != 0 && __atomic_load_n(&pf->rx_promisc, __ATOMIC_RELAXED)) {
		deliver_pf(pf, data, len);	/* the uplink */
		taken++;
	}
	if (taken > 0)
		sw->forwarded++;
	else
		sw->drops[src == 0 ? BCNIC_DROP_UNKNOWN_DST : BCNIC_DROP_RX_MODE]++;
}

/* One frame from function src (0: the PF port) to wherever it goes. */
static void
forward(struct bcnic_pf *pf, int src, const uint8_t *data, uint32_t len)
{
	struct bcnic_switch *sw = &pf->sw;
	int dst;

	if (len < RTE_ETHER_HDR_LEN) {
		sw->drops[BCNIC_DROP_MALFORMED]++;
		sender_drop(pf, src);
		return;
	}
	if (data[0] & 1) {	/* broadcast: every other function; multicast: by Rx mode */
		bool bcast = rte_is_broadcast_ether_addr((const struct rte_ether_addr *)data);

		sw->flooded++;
		for (uint16_t vf = 0; vf < pf->num_vfs; vf++)
			if ((int)vf + 1 != src && (bcast || sw->vf_rxmode[vf] != 0))
				deliver_vf(pf, vf, data, len);
		/* Relaxed: flags with nothing behind them (the PF port's Rx-mode ops). */
		if (src != 0 && (bcast || __atomic_load_n(&pf->rx_allmulti, __ATOMIC_RELAXED) ||
				 __atomic_load_n(&pf->rx_promisc, __ATOMIC_RELAXED)))
			deliver_pf(pf, data, len);
		return;
	}
	dst = mac_lookup(sw, mac_key(data));
	if (dst == src) {
		sw->drops[BCNIC_DROP_HAIRPIN]++;	/* never back out of the port it came in */
		sender_drop(pf, src);
		return;
	}
	if (dst < 0) {
		forward_unknown(pf, src, data, len);
		return;
	}
	sw->forwarded++;
	if (dst == 0)
		deliver_pf(pf, data, len);
	else
		deliver_vf(pf, (uint16_t)(dst - 1), data, len);
}

/* Frames a VF sent: at most SWITCH_BURST per round. */
unsigned int
bcnic_switch_vf(struct bcnic_pf *pf, uint16_t vf)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];
	struct bcmbox_pkt *p = &pf->scratch->pkt;
	unsigned int n;

	/* Load-acquire synchronizes with the fetch-add-release in bcnic_switch_mac_changed(). */
	if (unlikely(pf->sw.mac_gen_seen != __atomic_load_n(&pf->sw.mac_gen, __ATOMIC_ACQUIRE)))
		mac_table_refresh(pf);
	for (n = 0; n < SWITCH_BURST; n++) {
		int rc = bcmbox_pkt_recv(&v->dtx, p);

		if (rc == 0)
			break;
		if (rc < 0) {
			pf->sw.drops[BCNIC_DROP_MALFORMED]++;
			vf_count(&v->dp.tx_dropped, &v->win.dp_stats->tx_dropped);
			continue;
		}
		v->dp.tx_packets++;
		v->dp.tx_bytes += p->len;
		if (v->state != BCMBOX_VF_READY) {
			pf->sw.drops[BCNIC_DROP_NOT_ATTACHED]++;
			vf_count(&v->dp.tx_dropped, &v->win.dp_stats->tx_dropped);
			continue;
		}
		forward(pf, vf + 1, p->data, p->len);
	}
	bcmbox_pkt_release(&v->dtx);
	return n;
}

/* Frames the PF port sent (its Tx queue): at most SWITCH_BURST per round. */
unsigned int
bcnic_switch_pf(struct bcnic_pf *pf)
{
	struct bcnic_txq *q = &pf->port.txq[0];
	struct rte_mbuf *m[SWITCH_BURST];
	struct bcmbox_pkt *p = &pf->scratch->pkt;
	unsigned int n;

	if (q->ring == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(q->ring, (void **)m, SWITCH_BURST, NULL);
	/* Load-acquire synchronizes with the fetch-add-release in bcnic_switch_mac_changed(). */
	if (n > 0 && unlikely(pf->sw.mac_gen_seen !=
			      __atomic_load_n(&pf->sw.mac_gen, __ATOMIC_ACQUIRE)))
		mac_table_refresh(pf);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(m[i]);

		if (len > BCMBOX_PKT_MAX_LEN) {	/* longer than anything carries: the PF's oerrors */
			pf->sw.drops[BCNIC_DROP_OVERSIZE]++;
			pf->sw.pf_dp.tx_dropped++;
		} else {
			/* Linear copy: a frame goes to several VFs when flooded. */
			const uint8_t *d = rte_pktmbuf_read(m[i], 0, len, p->data);

			if (d != p->data)
				memcpy(p->data, d, len);
			forward(pf, 0, p->data, len);
		}
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

void
bcnic_switch_vf_reset(struct bcnic_pf *pf, uint16_t vf)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];

	if (v->win.tx == NULL)
		return;
	/*
	 * Positions continue across a reset (nothing to clear: a stale seq can
	 * never match a later position); the VF starts where we are, read
	 * from the lines we publish.
	 */
	/*
	 * Relaxed: the VF reads these only after the reset's ack, whose
	 * store-release (reset_vf()) publishes them (doc/mailbox.md section 7, reset_ack).
	 */
	__atomic_store_n(&v->win.tx_cons->pos, v->dtx.pos, __ATOMIC_RELAXED);
	__atomic_store_n(&v->win.tx_cons->rx_prod, v->drx.pos, __ATOMIC_RELAXED);
	v->rx_prod_pub = v->drx.pos;
	__atomic_store_n(&v->win.rx_cons->pos, v->drx.pos, __ATOMIC_RELAXED);
	v->drx.cons_cache = v->drx.pos;
	/* The counters line again (a window restored after truncation reads zeros). */
	__atomic_store_n(&v->win.dp_stats->rx_ring_full, v->dp.rx_full, __ATOMIC_RELAXED);
	__atomic_store_n(&v->win.dp_stats->rx_oversize, v->dp.rx_oversize, __ATOMIC_RELAXED);
	__atomic_store_n(&v->win.dp_stats->tx_dropped, v->dp.tx_dropped, __ATOMIC_RELAXED);
}

void
bcnic_switch_vf_depth(struct bcnic_pf *pf, uint16_t vf)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];

	if (v->win.tx == NULL)
		return;
	/* Relaxed: a size the VF writes, read once and clamped (untrusted). */
	bcmbox_pkt_ring_set_cap(&v->drx, __atomic_load_n(&v->win.rx_cons->depth, __ATOMIC_RELAXED),
				&v->win.rx_cons->depth);
}

void
bcnic_switch_init_vf(struct bcnic_pf *pf, uint16_t vf)
{
	struct bcnic_pf_vf *v = &pf->vfs[vf];

	if (v->win.tx == NULL)
		return;
	bcmbox_pkt_ring_init(&v->dtx, v->win.tx, v->win.info.data_slots, &v->win.tx_cons->pos);
	bcmbox_pkt_ring_init(&v->drx, v->win.rx, v->win.info.data_slots, &v->win.rx_cons->pos);
	/* The VF's Rx queue depth (its nb_desc): the sweep and a full ring read it. */
	bcnic_switch_vf_depth(pf, vf);
	if (pf->sw.pf_rx_max_len == 0)
		pf->sw.pf_rx_max_len = bcnic_switch_max_len(RTE_ETHER_MTU);
	mtu_read(pf, bcnic_store_find(&pf->store, BCMBOX_BLOCK_MTU), vf);
	bcnic_switch_vf_reset(pf, vf);
}

/* ---- the PF port's data path: software rings the switch fills and drains ---- */

static uint16_t
pf_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct bcnic_rxq *q = queue;

	return (uint16_t)rte_ring_sc_dequeue_burst(q->ring, (void **)pkts, n, NULL);
}

static uint16_t
pf_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct bcnic_txq *q = queue;
	uint16_t sent = (uint16_t)rte_ring_sp_enqueue_burst(q->ring, (void **)pkts, n, NULL);

	for (uint16_t i = 0; i < sent; i++)
		q->st.bytes += rte_pktmbuf_pkt_len(pkts[i]);
	q->st.packets += sent;
	return sent;	/* the rest stays with the caller: the switch is behind */
}

void
bcnic_switch_set_burst(struct rte_eth_dev *dev)
{
	dev->rx_pkt_burst = pf_rx_burst;
	dev->tx_pkt_burst = pf_tx_burst;
}

int
bcnic_switch_queue_ring(struct bcnic_pf *pf, bool rx, uint16_t nb_desc, struct rte_ring **out)
{
	char name[RTE_RING_NAMESIZE];

	if (*out != NULL) {
		/* Reconfigured: drop what the old ring holds. */
		struct rte_mbuf *m;

		while (rte_ring_dequeue(*out, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(*out);
		*out = NULL;
	}
	snprintf(name, sizeof(name), "bcnic_%s_%.16s", rx ? "rx" : "tx", pf->dev_name);
	*out = rte_ring_create(name, nb_desc, SOCKET_ID_ANY,
			       RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	return *out == NULL ? -rte_errno : 0;
}
