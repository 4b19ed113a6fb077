/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF internals: per-VF mailbox state, the block store, the poller.
 *
 * Layers: each file calls only files below it (devtools/layers.py checks
 * the object files; doc/guide.md, "Layers", draws the whole driver).
 *
 *   private API, registration  bcnic_pf_api.c  bcnic_pf_telemetry.c  bcnic_register.c
 *   ethdev glue                bcnic_pf.c (probe, devargs, ops)
 *   observability              bcnic_pf_obs.c (xstats)
 *   poller runtime             bcnic_pf_poller.c (rounds, sweep, service/thread/app)
 *   mailbox handlers           bcnic_pf_mbox.c (requests, sessions, events, "a block changed")
 *   persistence                bcnic_pf_persist.c
 *   switch                     bcnic_pf_switch.c
 *   block store                bcnic_pf_store.c
 *   transports, common         bcnic_shm.c  bcnic_ethdev.c (helpers both ports share)  lib/bcmbox
 *
 * Upward news takes one path: a block's contents change -> bcnic_store_changed()
 * -> the notifier the mailbox registers at init -> INVALIDATE to the VFs
 * and, for the blocks the switch reads (MAC, MAC filters, Rx mode), its
 * tables. Nothing below the mailbox posts events or tells the switch itself.
 */
#ifndef BCNIC_PF_H
#define BCNIC_PF_H

#include <limits.h>
#include <pthread.h>

#include <rte_seqlock.h>
#include <rte_spinlock.h>

#include "bcnic.h"
#include "rte_pmd_bcnic.h"

/*
 * Counters the poller alone writes; readers may see them slightly stale.
 * A scalar field f is the xstat "mbox_<f>" (bcnic_pf_obs.c).
 */
struct bcnic_pf_counters {
	uint64_t req[BCMBOX_MSG_BYE + 1];	/* by request type */
	uint64_t read_bytes;
	uint64_t write_bytes;
	uint64_t reject[BCMBOX_REJ__MAX];	/* by reason; [BCMBOX_REJ_EPOCH] = stale */
	uint64_t status[BCMBOX_ST__MAX];	/* responses by status */
	uint64_t throttled;
	uint64_t policy_rejects;
	uint64_t resp_ring_full;		/* rounds a VF was skipped: its responses unread */
	uint64_t bad_consumer_pos;		/* impossible VF positions; atomic: app threads too */
	uint64_t events;
	uint64_t events_dropped;
	uint64_t window_resets;
	uint64_t sessions;			/* HELLOs answered */
	uint64_t windows_restored;		/* window objects truncated under us */
	uint64_t lines_republished;		/* PF-owned window lines found changed */
	uint64_t persist_errors;		/* journal append or sync failed */
	uint64_t lat[BCMBOX_LAT_BUCKETS];	/* request service time */
};

/* Data path counters of one VF, as the switch sees them. */
struct bcnic_vf_dp {
	uint64_t tx_packets;	/* frames the VF sent */
	uint64_t tx_bytes;
	uint64_t rx_packets;	/* frames delivered to it */
	uint64_t rx_bytes;
	uint64_t rx_full;	/* frames dropped: its Rx ring was full */
	uint64_t rx_oversize;	/* frames dropped: longer than its MTU allows */
	uint64_t tx_dropped;	/* frames it sent that the switch dropped */
};

struct bcnic_pf_vf {
	struct bcmbox_window win;
	uint16_t idx;				/* its index in bcnic_pf.vfs[] */
	struct bcmbox_pkt_ring dtx;		/* its data Tx ring, we consume */
	struct bcmbox_pkt_ring drx;		/* its data Rx ring, we produce */
	struct bcnic_vf_dp dp;
	struct bcmbox_ring req;			/* VF -> PF, we consume */
	struct bcmbox_ring resp;		/* PF -> VF, we produce */
	struct bcmbox_ring evt;			/* PF -> VF, we produce (under evt_lock) */
	struct bcmbox_evt_overflow evt_ovf;
	rte_spinlock_t evt_lock;		/* app threads post events too */
	uint32_t epoch;				/* session epoch, 0 = none */
	uint32_t state;				/* enum bcmbox_vf_state */
	uint32_t reset_seen;			/* last reset_req served */
	uint16_t proto;
	uint32_t caps;
	uint64_t tokens;			/* rate limit, in requests << 16 */
	uint64_t last_refill;			/* TSC */
	bool hot;				/* in bcnic_pf.hot[]: checked every round */
	uint16_t acks_queued;			/* write acks waiting for the journal sync */
	uint64_t last_busy;			/* poller round it last had a request */
	bool req_halted;			/* framing lost: no requests until a reset */
	bool trusted;				/* may turn promiscuous on (devarg trust=, API) */
	uint32_t rx_prod_pub;			/* the Rx producer position last published */
	uint32_t rx_max_len;			/* longest frame it receives (its MTU block + overhead) */
	struct rte_pmd_bcnic_vf_info info;	/* counters kept in API form */
	/* Trace (rte_pmd_bcnic_pf_trace_start()): set under round_lock, NULL when off. */
	struct rte_pmd_bcnic_trace_rec *trace;
	uint32_t trace_n, trace_cap;
};

/* One contents of a block (a per-VF block has one per VF). */
struct bcnic_block_data {
	rte_seqlock_t lock;			/* writers serialize on its spinlock */
	uint32_t version;
	uint8_t *bytes;
};

struct bcnic_block {
	uint32_t id;
	uint32_t size;
	uint8_t scope;				/* enum bcmbox_scope */
	uint8_t *access;			/* [num_vfs], enum bcmbox_access */
	uint16_t ncopies;			/* 1 (shared) or num_vfs */
	struct bcnic_block_data *copies;
};

struct bcnic_pf;

/* Told about every change of a block's contents (bcnic_store_changed()). */
typedef void (*bcnic_store_changed_t)(struct bcnic_pf *pf, const struct bcnic_block *b,
				      uint16_t vf, uint32_t version, uint16_t except_vf);

/* Insert-only table: the poller looks blocks up without a lock. */
struct bcnic_store {
	bcnic_store_changed_t changed;		/* set by the mailbox layer at init */
	uint32_t max_blocks;
	uint32_t count;				/* published with release */
	struct bcnic_block *blocks;		/* [max_blocks] */
	uint32_t hash_mask;
	uint32_t *hash;				/* block index + 1, 0 = empty */
	rte_spinlock_t define_lock;
};

/* The poller's working copies: it runs on one thread at a time. */
struct bcnic_pf_scratch {
	uint64_t pickup;			/* TSC when the request answered now was seen; 0: none */
	struct bcmbox_msg req;
	uint8_t data[BCMBOX_MAX_XFER];
	struct bcmbox_pkt pkt;
};

/* Why the switch dropped a frame. */
enum bcnic_drop {
	BCNIC_DROP_UNKNOWN_DST,		/* unicast from the PF to no VF */
	BCNIC_DROP_RX_RING_FULL,	/* the destination's Rx ring was full */
	BCNIC_DROP_NO_MBUF,		/* no mbuf for the PF port's Rx */
	BCNIC_DROP_LINK_DOWN,		/* to a VF while the PF's link is down */
	BCNIC_DROP_NOT_ATTACHED,	/* from or to a function without a session / not started */
	BCNIC_DROP_MALFORMED,		/* bad buffers, or shorter than an Ethernet header */
	BCNIC_DROP_HAIRPIN,		/* back to the function it came from */
	BCNIC_DROP_OVERSIZE,		/* longer than the receiver's MTU (or than any frame) */
	BCNIC_DROP_RX_MODE,		/* unknown unicast from a VF: no Rx mode takes it */
	BCNIC_DROP__MAX
};

/* > 2 x (256 VFs x (1 + BCMBOX_MAC_FILTERS_MAX) + PF) */
#define BCNIC_MAC_SLOTS		16384
#define BCNIC_MAC_SLOTS_MASK	(BCNIC_MAC_SLOTS - 1)

/* The PF port's data path counters kept by the switch (the VFs': struct bcnic_vf_dp). */
struct bcnic_pf_dp {
	uint64_t rx_missed;			/* to the PF port, dropped: ring full, oversize, stopped */
	uint64_t tx_dropped;			/* from the PF port, dropped: too long, hairpin */
};

struct bcnic_switch {
	uint32_t mac_gen;			/* bumped when a block the switch reads changes */
	uint32_t mac_gen_seen;			/* what the tables were built from */
	uint64_t fn_mac[BCMBOX_MAX_VFS + 1];	/* function -> MAC (0: PF) */
	uint8_t vf_rxmode[BCMBOX_MAX_VFS];	/* VF -> BCMBOX_RXMODE_* */
	uint16_t promisc_vf[BCMBOX_MAX_VFS];	/* VFs in promiscuous mode */
	uint16_t npromisc;
	struct {
		uint64_t key;
		uint16_t fn1;			/* function + 1, 0: empty */
	} mac_slot[BCNIC_MAC_SLOTS];
	uint64_t forwarded;
	uint64_t flooded;
	uint64_t drops[BCNIC_DROP__MAX];
	struct bcnic_pf_dp pf_dp;
	uint32_t pf_rx_max_len;			/* longest frame the PF port receives (its MTU) */
};

/* Standard blocks the store defines before the application's (bcnic_store_std_blocks()). */
#define BCNIC_STD_BLOCKS 5

#define BCNIC_MAX_ACKS 256

enum bcnic_poller_mode {
	BCNIC_POLLER_AUTO,
	BCNIC_POLLER_SERVICE,
	BCNIC_POLLER_THREAD,
	BCNIC_POLLER_APP,
};

struct bcnic_pf {
	struct bcnic_port port;			/* first: the common ops use it */
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	struct rte_eth_dev *eth_dev;
	struct bcmbox_window_cfg cfg;
	struct bcnic_shm_device *shm;
	uint16_t num_vfs;
	struct bcnic_pf_vf *vfs;		/* [num_vfs] */
	struct bcnic_pf_scratch *scratch;
	struct bcnic_switch sw;
	uint32_t data_slots;			/* data ring size, 0: no data path */
	uint16_t hot[BCMBOX_MAX_VFS];		/* VFs checked every round */
	uint16_t nhot;
	uint16_t cold_next;			/* next cold VF to check */
	uint16_t lines_next;			/* next VF whose PF-owned lines the sweep checks */
	struct bcnic_store store;

	/* poller */
	enum bcnic_poller_mode mode;
	uint32_t service_id;
	bool service_registered;
	/*
	 * One runner of the poller at a time: the service lcore, the thread,
	 * the app (poller=app) or a VF of this process at probe
	 * (poller_assist()); the PF port's queue setup takes it to swap the
	 * switch's rings. Its acquire/release also orders probe's set-up
	 * before the first round and the last round before close.
	 */
	rte_spinlock_t round_lock;
	pthread_t thread;
	bool thread_running;
	bool stop;			/* thread mode: atomic, set by poller_stop() */
	uint32_t vf_burst;			/* requests per VF per round */
	uint32_t rate;				/* requests/s per VF, 0 = unlimited */
	uint32_t rate_burst;			/* bucket depth */
	uint32_t idle_sleep_max_us;		/* thread mode back-off ceiling */
	uint64_t tsc_hz;
	struct bcmbox_lat_bounds lat_bounds;	/* in TSC cycles */
	uint64_t next_sweep;			/* TSC of the next control sweep */
	uint64_t sweep_period;
	uint64_t next_heartbeat;
	uint64_t heartbeat_period;
	uint64_t rounds;
	uint64_t idle_sleeps;
	struct bcnic_pf_counters cnt;
	/* persistence (bcnic_pf_persist.c) */
	int persist_fd;				/* journal, -1: VF writes not persisted */
	char persist_path[PATH_MAX];
	bool compact_pending;
	uint64_t journal_bytes;
	off_t journal_synced;			/* journal length known on disk */
	unsigned int nacks;			/* acks held until the journal is synced */
	struct bcnic_pf_ack {
		uint16_t vf;
		uint32_t version;
		struct bcmbox_msg_hdr req;
	} acks[BCNIC_MAX_ACKS];
	bool link_down_forced;			/* rte_eth_dev_set_link_down() */
	bool link_up;
	bool port_started;			/* the PF port's; atomic: the switch reads it */				/* what the link block says */
	bool vf_mac_change;			/* VFs may write their MAC block */
	struct bcnic_pf_dp dp_base;		/* sw.pf_dp at the last stats_reset */
	uint32_t vf_mac_filters;		/* entries of each VF's MAC filter block, 0: none */
	/* The PF port's Rx mode; atomic: the ops write it, the switch reads it. */
	bool rx_promisc;
	bool rx_allmulti;
};

/* bcnic_pf_mbox.c: request handlers, sessions, events */
int bcnic_pf_mbox_init(struct bcnic_pf *pf);
unsigned int bcnic_pf_serve_vf(struct bcnic_pf *pf, struct bcnic_pf_vf *v,
			       struct bcnic_pf_scratch *s);
void bcnic_pf_flush_acks(struct bcnic_pf *pf);
/* Control sweep work: reset requests and truncation of v's window; PF-owned lines. */
void bcnic_pf_check_window(struct bcnic_pf *pf, struct bcnic_pf_vf *v);
void bcnic_pf_check_lines(struct bcnic_pf *pf);
int bcnic_pf_post_event(struct bcnic_pf *pf, uint16_t vf, struct bcmbox_msg_hdr *hdr,
			const void *payload);
void bcnic_pf_link_changed(struct bcnic_pf *pf, bool up, uint32_t speed);

/* bcnic_pf_poller.c: the runtime */
unsigned int bcnic_pf_poll_round(struct bcnic_pf *pf);
int bcnic_pf_poller_start(struct bcnic_pf *pf);
void bcnic_pf_poller_stop(struct bcnic_pf *pf);

/* bcnic_pf_store.c */
int bcnic_store_init(struct bcnic_pf *pf, uint32_t max_blocks);
void bcnic_store_free(struct bcnic_pf *pf);
struct bcnic_block *bcnic_store_find(const struct bcnic_store *s, uint32_t id);
int bcnic_store_define(struct bcnic_pf *pf, uint32_t id, uint32_t size, uint8_t scope,
		       uint8_t access);
struct bcnic_block_data *bcnic_block_copy(struct bcnic_block *b, uint16_t vf);
uint32_t bcnic_block_read(struct bcnic_block_data *d, uint32_t off, void *buf, uint32_t len);
uint32_t bcnic_block_write(struct bcnic_block_data *d, uint32_t off, const void *buf,
			   uint32_t len);
void bcnic_store_changed(struct bcnic_pf *pf, const struct bcnic_block *b, uint16_t vf,
			 uint32_t version, uint16_t except_vf);
int bcnic_store_std_blocks(struct bcnic_pf *pf);

/* bcnic_pf_switch.c */
unsigned int bcnic_switch_vf(struct bcnic_pf *pf, uint16_t vf);
unsigned int bcnic_switch_pf(struct bcnic_pf *pf);
void bcnic_switch_init_vf(struct bcnic_pf *pf, uint16_t vf);
void bcnic_switch_vf_reset(struct bcnic_pf *pf, uint16_t vf);
/* Read the VF's Rx queue depth from its window (the sweep, a reset). */
void bcnic_switch_vf_depth(struct bcnic_pf *pf, uint16_t vf);
void bcnic_switch_mac_changed(struct bcnic_pf *pf);
/* A VF's MTU block changed: the switch re-reads every receiver's limit. */
void bcnic_switch_mtu_changed(struct bcnic_pf *pf);
/* The longest frame a function at this MTU receives. */
uint32_t bcnic_switch_max_len(uint32_t mtu);
/* Does the switch read block id (MAC, MAC filters, Rx mode)? */
static inline bool
bcnic_switch_reads_block(uint32_t id)
{
	return id == BCMBOX_BLOCK_MAC || id == BCMBOX_BLOCK_MAC_FILTER || id == BCMBOX_BLOCK_RXMODE;
}
void bcnic_switch_set_burst(struct rte_eth_dev *dev);
int bcnic_switch_queue_ring(struct bcnic_pf *pf, bool rx, uint16_t nb_desc, struct rte_ring **out);

/* bcnic_pf_persist.c */
int bcnic_persist_append(struct bcnic_pf *pf, uint16_t vf, const struct bcmbox_msg_hdr *h,
			 const void *data, uint32_t version);
int bcnic_persist_sync(struct bcnic_pf *pf);
void bcnic_persist_maybe_compact(struct bcnic_pf *pf);
void bcnic_persist_close(struct bcnic_pf *pf);
int bcnic_persist_save(struct bcnic_pf *pf, const char *path);
int bcnic_persist_load(struct bcnic_pf *pf, const char *path);
int bcnic_persist_start(struct bcnic_pf *pf, const char *path);

/* bcnic_pf_obs.c */
struct bcnic_counter_name {
	const char *name;
	size_t off;
};
#define BCNIC_PF_VF_COUNTERS 5
extern const struct bcnic_counter_name bcnic_pf_vf_counters[BCNIC_PF_VF_COUNTERS];
/* One walk over every xstat: fills names or values (either may be NULL); returns the count. */
unsigned int bcnic_pf_xstats_walk(struct bcnic_pf *pf, struct rte_eth_xstat_name *names,
				  uint64_t *values);
int bcnic_pf_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			      unsigned int size);
int bcnic_pf_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size);
int bcnic_pf_xstats_reset(struct rte_eth_dev *dev);

/* bcnic_pf.c: the PF behind a port, or NULL with *err set (-ENODEV / -ENOTSUP). */
struct bcnic_pf *bcnic_pf_from_port(uint16_t port_id, int *err);

#endif /* BCNIC_PF_H */
