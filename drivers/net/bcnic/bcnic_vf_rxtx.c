/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF data path: Rx/Tx bursts over the window's packet rings (one queue
 * pair). Bursts take no lock: they enter through dp_ready/dp_busy, which a
 * reconnect (bcnic_vf_dp_detach()) waits out before the rings change.
 */
#include <ethdev_driver.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "bcnic_vf.h"

void
bcnic_vf_dp_detach(struct bcnic_vf *vf)
{
	/*
	 * seq_cst store, then seq_cst loads of dp_busy: with dp_enter()'s
	 * increment-then-recheck, either the burst sees dp_ready false or we
	 * see its dp_busy (a Dekker pair, which acquire/release alone cannot
	 * give).
	 */
	__atomic_store_n(&vf->dp_ready, false, __ATOMIC_SEQ_CST);
	/* seq_cst, so also an acquire: synchronizes with the store-release of dp_busy in dp_leave() */
	while (__atomic_load_n(&vf->dp_busy, __ATOMIC_SEQ_CST) != 0)
		rte_pause();
}

/* After a handshake: resume where the PF's switch stands (it publishes that). */
void
bcnic_vf_dp_attach(struct bcnic_vf *vf)
{
	struct bcmbox_window *w = &vf->c.w;

	if (w->tx == NULL)
		return;
	bcmbox_pkt_ring_init(&vf->dtx, w->tx, w->info.data_slots, &w->tx_cons->pos);
	bcmbox_pkt_ring_init(&vf->drx, w->rx, w->info.data_slots, &w->rx_cons->pos);
	/* load-acquire synchronizes with the PF switch's store-release of tx_cons->pos */
	vf->dtx.pos = vf->dtx.cons_cache = __atomic_load_n(&w->tx_cons->pos, __ATOMIC_ACQUIRE);
	/* load-acquire synchronizes with the PF switch's store-release of tx_cons->rx_prod */
	vf->drx.pos = __atomic_load_n(&w->tx_cons->rx_prod, __ATOMIC_ACQUIRE);
	bcnic_vf_dp_depths(vf);
	bcmbox_pkt_release(&vf->drx);
	/* store-release pairs with the load-acquire in dp_enter(): the rings above are set up */
	__atomic_store_n(&vf->dp_ready, true, __ATOMIC_RELEASE);
}

/*
 * nb_desc on the window's rings (doc/guide.md, "Descriptors"): Tx, we
 * keep at most tx_depth buffers unconsumed; Rx, the switch keeps at most
 * rx_depth, which we publish beside our consumer position (0: the ring).
 */
void
bcnic_vf_dp_depths(struct bcnic_vf *vf)
{
	struct bcmbox_window *w = &vf->c.w;

	if (w->tx == NULL)
		return;
	bcmbox_pkt_ring_set_cap(&vf->dtx, vf->tx_depth, NULL);
	/* relaxed: the switch reads it with our position, whose store-release follows */
	__atomic_store_n(&w->rx_cons->depth, vf->rx_depth, __ATOMIC_RELAXED);
}

static inline bool
dp_enter(struct bcnic_vf *vf)
{
	/* load-acquire synchronizes with the store-release of dp_ready in bcnic_vf_dp_attach() */
	if (!__atomic_load_n(&vf->dp_ready, __ATOMIC_ACQUIRE))
		return false;
	/* seq_cst: ordered before the recheck below (the other half of detach's Dekker pair) */
	__atomic_fetch_add(&vf->dp_busy, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vf->dp_ready, __ATOMIC_SEQ_CST))
		return true;
	__atomic_fetch_sub(&vf->dp_busy, 1, __ATOMIC_RELEASE);
	return false;
}

static inline void
dp_leave(struct bcnic_vf *vf)
{
	/* store-release: the burst's ring accesses are done before detach sees 0 */
	__atomic_fetch_sub(&vf->dp_busy, 1, __ATOMIC_RELEASE);
}

void
bcnic_vf_dp_counts(struct bcnic_vf *vf)
{
	const struct bcmbox_win_dp_stats *d;
	uint64_t now[BCNIC_VF_DP_COUNTS];

	if (!dp_enter(vf))	/* the window stays mapped until dp_leave() */
		return;
	d = vf->c.w.dp_stats;
	/* relaxed: counts the PF's switch stores one by one */
	now[BCNIC_VF_DP_RX_FULL] = __atomic_load_n(&d->rx_ring_full, __ATOMIC_RELAXED);
	now[BCNIC_VF_DP_RX_OVERSIZE] = __atomic_load_n(&d->rx_oversize, __ATOMIC_RELAXED);
	now[BCNIC_VF_DP_TX_DROPPED] = __atomic_load_n(&d->tx_dropped, __ATOMIC_RELAXED);
	dp_leave(vf);
	for (unsigned int i = 0; i < BCNIC_VF_DP_COUNTS; i++) {
		/* Smaller than last time: another PF (a new window) counts from 0. */
		vf->dp_acc[i] += now[i] >= vf->dp_seen[i] ? now[i] - vf->dp_seen[i] : now[i];
		vf->dp_seen[i] = now[i];
	}
}

uint16_t
bcnic_vf_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
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
			vf->cnt.rx_malformed++;
			continue;
		}
		head = bcnic_mbuf_from_frame(q->mp, p->data, p->len, q->port_id);
		if (head == NULL) {	/* out of mbufs: the frame is lost, counted (rx_nombuf) */
			rte_eth_devices[q->port_id].data->rx_mbuf_alloc_failed++;
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

uint16_t
bcnic_vf_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
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
			vf->cnt.tx_ring_full++;
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
