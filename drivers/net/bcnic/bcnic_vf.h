/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side internals: the port's private structure and what its files
 * call of each other. Layers, top first (calls point down only; checked
 * by devtools/layers.py):
 *
 *   bcnic_vf_api.c      the rte_pmd_bcnic_vf_* private API
 *   bcnic_vf.c          probe, devargs, setup and the ethdev ops
 *   bcnic_vf_session.c  the session: synchronous requests, events, link,
 *                       liveness, reconnection, the event thread
 *   bcnic_vf_rxtx.c     the data path: Rx/Tx bursts over the window's rings
 *
 * Every request goes through lib/bcmbox's client (submit, pump, wait,
 * expire, split, paging); this side adds the locking, DPDK types and the
 * TSC clock.
 */
#ifndef BCNIC_VF_H
#define BCNIC_VF_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "bcmbox_client.h"
#include "bcnic.h"
#include "rte_pmd_bcnic.h"

#define BCNIC_VF_PENDING	8192u	/* requests in flight or uncollected, power of two */
#define BCNIC_VF_MAX_CALLBACKS	32
/* The window's data path counters (struct bcmbox_win_dp_stats) a VF port reads. */
enum { BCNIC_VF_DP_RX_FULL, BCNIC_VF_DP_RX_OVERSIZE, BCNIC_VF_DP_TX_DROPPED, BCNIC_VF_DP_COUNTS };

#define BCNIC_VF_TIMEOUT_MAX_MS		3600000	/* timeout_ms=, rte_pmd_bcnic_vf_timeout_set() */

/* What a VF port is set up with: devargs (vdev), or the defaults and the BAR (PCI). */
struct bcnic_vf_opts {
	char dev_name[BCNIC_DEV_NAME_MAX + 1];	/* dev=: the device (PCI: the PCI address) */
	unsigned int vf;			/* vf=: the VF's index on that device */
	unsigned int timeout_ms;		/* timeout_ms=: a request's default timeout */
	unsigned int pf_timeout_ms;		/* pf_timeout_ms=: heartbeat silence before the PF may be gone */
	bool use_thread;			/* events=thread (or poll) */
};

struct bcnic_vf_callback {
	uint32_t block_id;
	rte_pmd_bcnic_invalidate_cb_t cb;
	void *arg;
};

/* Counters of this side; the request engine's are in c.st. */
struct bcnic_vf_counters {
	uint64_t events;
	uint64_t invalidations;
	uint64_t overflows;
	uint64_t link_changes;
	uint64_t disconnects;
	uint64_t reconnects;
	uint64_t tx_ring_full;
	uint64_t rx_malformed;
};

/*
 * Lock order: evt_lock, then lock; cb_lock is taken last and held only to
 * copy the callback list. Callbacks run with evt_lock alone held, so they
 * may make requests (lock); an event poll from a callback finds evt_lock
 * taken and returns. lock is held for a request's round trip. The data
 * path takes none: it enters through dp_ready/dp_busy (bcnic_vf_rxtx.c),
 * which a reconnect waits out.
 */
struct bcnic_vf {
	struct bcnic_port port;		/* first: the common ops use it */
	struct bcnic_vf_opts o;		/* dev_name, vf index, timeouts */
	struct rte_eth_dev *eth_dev;
	struct bcnic_window_map map;
	bool by_name;			/* shm transport: the window can be opened again */
	rte_spinlock_t lock;		/* c: requests, responses, (re)connect; link state */
	rte_spinlock_t evt_lock;	/* event ring, liveness checks, reconnect timing */
	rte_spinlock_t cb_lock;		/* cbs, ncb */
	struct bcmbox_client c;		/* the request engine, under lock (its event ring: evt_lock) */
	struct bcmbox_pending *pend;	/* c's pending table [BCNIC_VF_PENDING] */
	struct bcmbox_msg *rx;		/* response scratch (under lock) */
	struct bcmbox_msg *ev;		/* event scratch (under evt_lock) */
	uint64_t timeout_ns;		/* the port's request timeout */
	uint64_t timeout_tsc;		/* the same, in TSC cycles */
	uint64_t tsc_hz;
	uint32_t reconnect_fails;	/* attempts since the PF went away */
	uint64_t next_away_log_ns;
	bool connected;			/* atomic: written under lock, read anywhere */
	bool link_up;
	bool lsc_pending;		/* atomic: an LSC event to raise outside the locks */
	uint32_t link_speed;
	bool probing;			/* in setup: may drive a PF of this process */
	pthread_t thread;
	bool thread_running;
	bool stop;			/* atomic: the event thread's exit flag */
	uint64_t next_check_ns;
	uint64_t next_reconnect_ns;
	uint64_t next_live_check;	/* TSC: completions() checks the PF at most this often */
	unsigned int ncb;
	struct bcnic_vf_callback cbs[BCNIC_VF_MAX_CALLBACKS];
	struct bcnic_vf_counters cnt;
	/* data path (bcnic_vf_rxtx.c) */
	struct bcmbox_pkt_ring dtx;	/* we produce */
	struct bcmbox_pkt_ring drx;	/* we consume */
	struct bcmbox_pkt *rx_pkt;	/* scratch of rx_burst */
	struct bcmbox_pkt *tx_pkt;	/* scratch of tx_burst (linearized chains) */
	bool dp_ready;			/* rings usable: cleared around a reconnect */
	/* The RXMODE block as last written or read, UINT32_MAX: unknown; atomic (ops, events). */
	uint32_t rx_mode;
	/* ethdev's MAC table: [0] the MAC block, [1..] the MAC filter block's entries */
	struct rte_ether_addr macs[1 + BCMBOX_MAC_FILTERS_MAX];
	uint32_t dp_busy;		/* bursts running now */
	uint16_t rx_depth, tx_depth;	/* the queues' nb_desc (0: not set up): buffers in flight */
	/* The switch's drops of our frames, from the window's counters line (stats_get). */
	uint64_t dp_seen[BCNIC_VF_DP_COUNTS];	/* last values read there */
	uint64_t dp_acc[BCNIC_VF_DP_COUNTS];	/* accumulated since the last stats_reset */
};

/* VF devarg keys, each written once; rows as bcnic.h says (BCNIC_DEVARG_ROW). */
#define BCNIC_VF_ARG_DEV	"dev"
#define BCNIC_VF_ARG_VF		"vf"
#define BCNIC_VF_ARG_TIMEOUT	"timeout_ms"
#define BCNIC_VF_ARG_PF_TIMEOUT	"pf_timeout_ms"
#define BCNIC_VF_ARG_EVENTS	"events"

/* Which window: the vdev's only (a PCI VF's is its BAR). */
#define BCNIC_VF_ARGS_WHERE(X) \
	X(BCNIC_VF_ARG_DEV, DEV, dev_name, 0, 0, 0, NULL) \
	X(BCNIC_VF_ARG_VF, REQ_UINT, vf, 0, 255, 0, NULL)
/* How the session runs: the vdev's and the PCI driver's. */
#define BCNIC_VF_ARGS_SESSION(X) \
	X(BCNIC_VF_ARG_TIMEOUT, UINT, timeout_ms, 1, BCNIC_VF_TIMEOUT_MAX_MS, 1000, NULL) \
	X(BCNIC_VF_ARG_PF_TIMEOUT, UINT, pf_timeout_ms, 10, BCNIC_VF_TIMEOUT_MAX_MS, 1000, NULL) \
	X(BCNIC_VF_ARG_EVENTS, FLAG, use_thread, 0, 0, true, "poll|thread")
_Static_assert(255 == BCMBOX_MAX_VFS - 1, "the vf= range is every VF");

/* ---- bcnic_vf.c ---- */
size_t bcnic_vf_priv_size(void);
/* A PCI VF's options from its devargs (session keys only): 0 or -EINVAL (logged). */
int bcnic_vf_pci_opts(const char *drv, const char *args, struct bcnic_vf_opts *o);
/* The devargs' defaults: a port without devargs (PCI). */
void bcnic_vf_opts_default(struct bcnic_vf_opts *o);
/*
 * The VF port on a mapped window, whatever the transport: a window that is
 * not borrowed (shm) can be opened again by name after a PF restart.
 * Returns 0, or a negative errno with the port released.
 */
int bcnic_vf_setup(struct rte_eth_dev *eth_dev, const struct bcnic_window_map *win,
		   const struct bcnic_vf_opts *o);
bool bcnic_vf_is_port(const struct rte_eth_dev *dev);

/* ---- bcnic_vf_session.c ---- */
/* The engine ended the session (the PF is gone): note it once; vf->lock held. */
void bcnic_vf_note_lost(struct bcnic_vf *vf);
/* Liveness: 0, or -ENOTCONN (and every request failed) when the PF is gone; vf->lock held. */
int bcnic_vf_check_pf(struct bcnic_vf *vf);
/* A synchronous READ/WRITE of any length: len, or a negative errno. */
int bcnic_vf_block_io(struct bcnic_vf *vf, uint8_t type, uint32_t id, uint32_t off, void *buf,
		      uint32_t len, uint32_t *version, int timeout_ms);
/* Attach (again): window, handshake, data path. vf->lock held. */
int bcnic_vf_connect(struct bcnic_vf *vf, uint64_t timeout_ns, bool reopen);
/* Read the link block into the port; vf->lock held. */
void bcnic_vf_refresh_link(struct bcnic_vf *vf);
/* The port's link from the PF's state and ours; vf->lock held. */
void bcnic_vf_set_link(struct bcnic_vf *vf, bool up, uint32_t speed);
/* Raise a pending LSC event; no lock held. */
void bcnic_vf_flush_lsc(struct bcnic_vf *vf);
/* Events, liveness and reconnection: the event thread's (or the app's) round. */
int bcnic_vf_service(struct bcnic_vf *vf);
void *bcnic_vf_event_thread(void *arg);
/* Stop the event thread, say BYE, unmap; the port's memory is freed after. */
void bcnic_vf_disconnect(struct bcnic_vf *vf);

/* ---- bcnic_vf_rxtx.c ---- */
void bcnic_vf_dp_attach(struct bcnic_vf *vf);
void bcnic_vf_dp_detach(struct bcnic_vf *vf);
uint16_t bcnic_vf_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
/* The queues' depths into the rings (and the Rx depth into the window); vf->lock held. */
void bcnic_vf_dp_depths(struct bcnic_vf *vf);
/* Read the window's counters line into dp_seen/dp_acc (no-op while detached). */
void bcnic_vf_dp_counts(struct bcnic_vf *vf);
uint16_t bcnic_vf_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);

#endif /* BCNIC_VF_H */
