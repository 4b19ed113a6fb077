/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcmbox wire format: the device layout and the messages, exactly as they
 * sit in shared memory (or in a PCI BAR). doc/mailbox.md is the prose
 * version of this file; the two must agree. All fields are little-endian.
 */
#ifndef BCMBOX_WIRE_H
#define BCMBOX_WIRE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BCMBOX_MAGIC		0x43494e42u	/* "BNIC" in memory order */
#define BCMBOX_LAYOUT_VERSION	1u		/* this header's layout */
#define BCMBOX_PROTO_MIN	1u		/* message protocol versions */
#define BCMBOX_PROTO_MAX	1u

#define BCMBOX_CACHE_LINE	64u
#define BCMBOX_SLOT_SIZE	64u
#define BCMBOX_SLOT_DATA	60u		/* slot bytes after the seq word */
#define BCMBOX_MAX_VFS		256u
#define BCMBOX_MAX_BLOCK_SIZE	65536u		/* largest config block */
#define BCMBOX_MAX_XFER		4096u		/* payload of one READ/WRITE/LIST */

/* Ring sizes in slots: powers of two in these ranges. */
#define BCMBOX_RING_MIN		128u
#define BCMBOX_RING_MAX		4096u
#define BCMBOX_EVT_RING_MIN	16u
#define BCMBOX_EVT_RING_MAX	1024u

/*
 * PF object (one per device): PF-private bookkeeping VFs never map.
 * Everything a VF needs is mirrored into its own window.
 */
struct bcmbox_dev_hdr {
	uint32_t magic;
	uint16_t layout_version;
	uint16_t num_vfs;
	uint32_t window_size;		/* bytes of each VF window object */
	uint32_t pf_epoch;		/* changes on every PF (re)start */
	uint32_t req_slots;
	uint32_t resp_slots;
	uint32_t evt_slots;
	uint32_t owner_pid;		/* informational: who created it */
	uint8_t reserved[32];
};

/* VF session state, as the PF publishes it in the window. */
enum bcmbox_vf_state {
	BCMBOX_VF_DETACHED = 0,		/* no session; VF must reset, then HELLO */
	BCMBOX_VF_HELLO = 1,		/* window reset done, waiting for HELLO */
	BCMBOX_VF_READY = 2,		/* session established (vf_epoch valid) */
	BCMBOX_VF_RESETTING = 3,	/* PF is tearing the session down */
};

/*
 * VF window: one object per VF, its size a power of two. Offsets are
 * fixed by this layout version; ring offsets and sizes are also written
 * into bcmbox_win_info so a VF never has to assume them.
 */
#define BCMBOX_WIN_INFO_OFF	0x000u	/* PF-written at (re)creation */
#define BCMBOX_WIN_PF_OFF	0x040u	/* PF-written: session state */
#define BCMBOX_WIN_REQ_CONS_OFF	0x080u	/* PF-written: request consumer pos */
#define BCMBOX_WIN_HEARTBEAT_OFF 0x0c0u	/* PF-written: liveness */
#define BCMBOX_WIN_VF_OFF	0x100u	/* VF-written: response/event consumer pos */
#define BCMBOX_WIN_VF_CTRL_OFF	0x140u	/* VF-written: reset requests */
#define BCMBOX_WIN_TX_CONS_OFF	0x180u	/* PF-written: data Tx ring consumer pos */
#define BCMBOX_WIN_RX_CONS_OFF	0x1c0u	/* VF-written: data Rx ring consumer pos */
#define BCMBOX_WIN_RINGS_OFF	0x1000u	/* first ring, before coloring */
/*
 * The request ring of VF n starts (n % BCMBOX_RING_COLORS) lines after
 * BCMBOX_WIN_RINGS_OFF, so that the slots the PF polls in many windows at
 * once do not all fall into the same cache set (windows are aligned alike).
 */
#define BCMBOX_RING_COLORS	64u
#define BCMBOX_REQ_OFFSET(vf)	(BCMBOX_WIN_RINGS_OFF + ((vf) % BCMBOX_RING_COLORS) * BCMBOX_SLOT_SIZE)

struct bcmbox_win_info {
	uint32_t magic;
	uint16_t layout_version;
	uint16_t vf_index;
	uint16_t num_vfs;
	uint16_t slot_size;
	uint32_t window_size;
	uint32_t req_offset;
	uint32_t req_slots;
	uint32_t resp_offset;
	uint32_t resp_slots;
	uint32_t evt_offset;
	uint32_t evt_slots;
	uint32_t max_xfer;
	uint32_t max_block_size;
	/* Data path (0 slots: none): a Tx ring then an Rx ring of packet buffers. */
	uint32_t data_offset;
	uint32_t data_slots;
	uint32_t data_buf_size;
	uint32_t reserved;
};

struct bcmbox_win_pf {
	uint32_t pf_epoch;		/* 0: no PF behind this window */
	uint32_t vf_epoch;		/* session epoch granted by HELLO, 0 none */
	uint32_t vf_state;		/* enum bcmbox_vf_state */
	uint32_t reset_ack;		/* last bcmbox_win_vf_ctrl.reset_req served */
	uint8_t reserved[48];
};

struct bcmbox_win_req_cons {
	uint32_t pos;
	uint8_t reserved[60];
};

struct bcmbox_win_heartbeat {
	uint64_t count;			/* opaque, changes about every ms: compare only */
	uint8_t reserved[56];
};

struct bcmbox_win_vf {
	uint32_t resp_cons;		/* response ring consumer position */
	uint32_t evt_cons;		/* event ring consumer position */
	uint8_t reserved[56];
};

struct bcmbox_win_vf_ctrl {
	uint32_t reset_req;		/* VF bumps it to ask for a window reset */
	uint8_t reserved[60];
};

/*
 * A ring slot. The consumer of position p polls the slot at index
 * p & (slots - 1) until seq == p + 1 (load-acquire); the producer writes
 * the data first and stores seq last (store-release).
 */
struct bcmbox_slot {
	uint32_t seq;
	uint8_t data[BCMBOX_SLOT_DATA];
};

/*
 * Data path: packet buffers of data_buf_size bytes in two rings per window,
 * Tx (the VF produces, the PF's switch consumes) and Rx (the other way).
 * Same protocol as the slot rings: the consumer of position p waits for
 * seq == p + 1 (acquire), the producer stores seq last (release). A
 * packet longer than one buffer takes consecutive buffers, all but the
 * last flagged BCMBOX_PKT_MORE; the first buffer's seq is stored last.
 */
#define BCMBOX_PKT_BUF_SIZE	2048u
#define BCMBOX_PKT_HDR_SIZE	8u
#define BCMBOX_PKT_DATA		(BCMBOX_PKT_BUF_SIZE - BCMBOX_PKT_HDR_SIZE)
#define BCMBOX_PKT_MAX_LEN	9216u		/* jumbo frame */
#define BCMBOX_PKT_MAX_BUFS	((BCMBOX_PKT_MAX_LEN + BCMBOX_PKT_DATA - 1) / BCMBOX_PKT_DATA)
#define BCMBOX_DATA_RING_MIN	64u
#define BCMBOX_DATA_RING_MAX	4096u
#define BCMBOX_PKT_MORE		0x1u

struct bcmbox_pkt_buf {
	uint32_t seq;
	uint16_t len;		/* bytes of this buffer's data */
	uint16_t flags;		/* BCMBOX_PKT_MORE */
	uint8_t data[BCMBOX_PKT_DATA];
};

/* PF-written: the switch's Tx consumer and Rx producer positions (a VF resumes from them). */
struct bcmbox_win_tx_cons {
	uint32_t pos;
	uint32_t rx_prod;
	uint8_t reserved[56];
};

struct bcmbox_win_rx_cons {
	uint32_t pos;
	/*
	 * The VF's Rx queue depth in buffers (its nb_desc): the switch keeps
	 * at most this many unconsumed buffers in the Rx ring. 0 or more than
	 * data_slots: the whole ring (a VF that never writes it). Below
	 * BCMBOX_PKT_MAX_BUFS: BCMBOX_PKT_MAX_BUFS (a jumbo frame must fit).
	 */
	uint32_t depth;
	uint8_t reserved[56];
};

/* Message types. A response carries the request's type | BCMBOX_RESP. */
enum bcmbox_msg_type {
	BCMBOX_MSG_HELLO = 0x01,
	BCMBOX_MSG_LIST = 0x02,
	BCMBOX_MSG_READ = 0x03,
	BCMBOX_MSG_WRITE = 0x04,
	BCMBOX_MSG_BYE = 0x05,

	BCMBOX_EVT_INVALIDATE = 0x41,
	BCMBOX_EVT_LINK = 0x42,
	BCMBOX_EVT_RESET = 0x43,
	BCMBOX_EVT_OVERFLOW = 0x44,

	BCMBOX_RESP = 0x80,
	/* The answer to a request of an unknown type: status NOTSUP, arg = that type. */
	BCMBOX_RESP_UNKNOWN = 0x80,
};

/* Status of a response; bcmbox_status_to_errno() maps it to -errno. */
enum bcmbox_status {
	BCMBOX_ST_OK = 0,
	BCMBOX_ST_NOENT = 1,		/* -ENOENT: unknown block */
	BCMBOX_ST_ACCESS = 2,		/* -EACCES: access rule or policy refused */
	BCMBOX_ST_RANGE = 3,		/* -EINVAL: offset/length outside the block */
	BCMBOX_ST_MSGSIZE = 4,		/* -EMSGSIZE: transfer above max_xfer */
	BCMBOX_ST_BUSY = 5,		/* -EBUSY: throttled by the rate limit */
	BCMBOX_ST_AGAIN = 6,		/* -EAGAIN: PF temporarily cannot serve */
	BCMBOX_ST_PROTO = 7,		/* -EPROTO: malformed request */
	BCMBOX_ST_VERSION = 8,		/* -EPROTONOSUPPORT: no common version */
	BCMBOX_ST_NOTSUP = 9,		/* -ENOTSUP: request type not supported */
	BCMBOX_ST__MAX
};

/*
 * Message header: the first 28 bytes of a message's first slot data.
 * The payload follows it directly: 32 bytes in the first slot, then
 * BCMBOX_SLOT_DATA bytes in each continuation slot.
 */
struct bcmbox_msg_hdr {
	uint8_t type;			/* enum bcmbox_msg_type */
	uint8_t nslots;			/* slots of this message, >= 1 */
	uint16_t status;		/* enum bcmbox_status; 0 in requests */
	uint32_t tag;			/* request id, echoed in the response */
	uint32_t epoch;			/* VF session epoch (0 in HELLO) */
	uint32_t block_id;
	uint32_t offset;
	uint32_t length;		/* payload bytes that follow */
	/*
	 * Per type: READ request: bytes wanted; READ/WRITE response and
	 * INVALIDATE: the block's version; LIST response: catalog entries in
	 * all; PROTO response: the reason (enum bcmbox_reject); 0x80 answer:
	 * the type not understood; 0 elsewhere.
	 */
	uint32_t arg;
};

#define BCMBOX_HDR_SIZE		28u
#define BCMBOX_FIRST_PAYLOAD	(BCMBOX_SLOT_DATA - BCMBOX_HDR_SIZE)

/* HELLO request payload. */
struct bcmbox_hello_req {
	uint16_t proto_min;
	uint16_t proto_max;
	uint32_t caps;			/* BCMBOX_CAP_* the VF understands */
};

/* HELLO response payload (32 bytes: fits the first slot). */
struct bcmbox_hello_resp {
	uint16_t proto;			/* chosen protocol version */
	uint16_t reserved;
	uint32_t caps;			/* BCMBOX_CAP_* both sides use */
	uint32_t pf_epoch;
	uint32_t vf_epoch;		/* epoch of the new session */
	uint32_t max_xfer;
	uint32_t num_blocks;		/* catalog entries visible to this VF */
	uint32_t max_block_size;
	uint32_t rate_limit;		/* requests per second, 0 unlimited */
};

#define BCMBOX_CAP_EVENTS	(1u << 0)	/* event ring in use */

/* Block access for one VF, as LIST reports it. */
enum bcmbox_access {
	BCMBOX_ACCESS_NONE = 0,
	BCMBOX_ACCESS_RO = 1,
	BCMBOX_ACCESS_RW = 2,
};

enum bcmbox_scope {
	BCMBOX_SCOPE_PER_VF = 0,	/* each VF has its own contents */
	BCMBOX_SCOPE_SHARED = 1,	/* one contents seen by every VF */
};

/* LIST response payload: an array of these. */
struct bcmbox_catalog_entry {
	uint32_t block_id;
	uint32_t size;
	uint8_t access;			/* enum bcmbox_access */
	uint8_t scope;			/* enum bcmbox_scope */
	uint16_t reserved;
	uint32_t version;
};

/* LINK event payload. */
struct bcmbox_link_evt {
	uint32_t link_up;
	uint32_t speed_mbps;
};

/* Block ids 0xffff0000..0xffffffff are the PMD's standard blocks. */
#define BCMBOX_BLOCK_STD_BASE	0xffff0000u
#define BCMBOX_BLOCK_MAC	0xffff0001u	/* 6 bytes + 2 reserved */
#define BCMBOX_BLOCK_MTU	0xffff0002u	/* uint32_t */
#define BCMBOX_BLOCK_LINK	0xffff0003u	/* struct bcmbox_link_evt */
#define BCMBOX_BLOCK_MAC_SIZE	8u		/* the MAC block's size */
#define BCMBOX_BLOCK_MTU_SIZE	4u		/* the MTU block's size */
#define BCMBOX_BLOCK_LINK_SIZE	8u		/* the link block's size */
#define BCMBOX_BLOCK_RXMODE	0xffff0004u	/* uint32_t: BCMBOX_RXMODE_* flags */
#define BCMBOX_BLOCK_RXMODE_SIZE	4u		/* the Rx-mode block's size */
#define BCMBOX_RXMODE_PROMISC	0x1u		/* unknown unicast too (trusted VFs only) */
#define BCMBOX_RXMODE_ALLMULTI	0x2u		/* every multicast, not only broadcast */
#define BCMBOX_RXMODE_KNOWN	(BCMBOX_RXMODE_PROMISC | BCMBOX_RXMODE_ALLMULTI)
/* Extra unicast MACs: entries of 6 bytes + 2 reserved, all zero = unused. */
#define BCMBOX_BLOCK_MAC_FILTER	0xffff0005u
#define BCMBOX_MAC_FILTER_ENTRY_SIZE	8u
#define BCMBOX_MAC_FILTERS_MAX	16u		/* entries per VF at most (PF devarg) */
#define BCMBOX_BLOCK_MAC_FILTER_SIZE(n)	((n) * BCMBOX_MAC_FILTER_ENTRY_SIZE)

/* Slots a message with a payload of len bytes occupies. */
static inline uint32_t
bcmbox_msg_slots(uint32_t len)
{
	if (len <= BCMBOX_FIRST_PAYLOAD)
		return 1;
	return 1 + (len - BCMBOX_FIRST_PAYLOAD + BCMBOX_SLOT_DATA - 1) /
		BCMBOX_SLOT_DATA;
}

#define BCMBOX_MSG_MAX_SLOTS	(1 + (BCMBOX_MAX_XFER - BCMBOX_FIRST_PAYLOAD + \
				 BCMBOX_SLOT_DATA - 1) / BCMBOX_SLOT_DATA)

#define BCMBOX_STATIC_ASSERT(c, m) _Static_assert(c, m)
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_dev_hdr) == 64, "dev hdr is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_info) == 64, "win info is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_pf) == 64, "win pf is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_req_cons) == 64, "req cons is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_heartbeat) == 64, "heartbeat is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_vf) == 64, "win vf is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_vf_ctrl) == 64, "vf ctrl is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_slot) == BCMBOX_SLOT_SIZE, "slot size");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_pkt_buf) == BCMBOX_PKT_BUF_SIZE, "packet buffer size");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_tx_cons) == 64, "tx cons is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_msg_hdr) == BCMBOX_HDR_SIZE, "msg hdr size");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_hello_resp) <= BCMBOX_FIRST_PAYLOAD,
		     "HELLO response fits one slot");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_catalog_entry) == 16, "catalog entry");
BCMBOX_STATIC_ASSERT(BCMBOX_MSG_MAX_SLOTS <= 255, "nslots is 8 bits");
BCMBOX_STATIC_ASSERT(BCMBOX_MSG_MAX_SLOTS < BCMBOX_RING_MIN, "a max message fits a ring");


/*
 * Doorbells (appended in layout 1: lines 0x200 and 0x240 were unused and
 * are zeroed at format, so a peer that never writes them reads as "not
 * sleeping": an old side is simply never rung). doc/mailbox.md section 7.1.
 * Each side announces in its own line that it is about to block; the other
 * side rings only then. A non-zero word means "sleeping".
 */
#define BCMBOX_WIN_PF_DB_OFF	0x200u	/* PF-written: the PF sleeps on this window */
#define BCMBOX_WIN_VF_DB_OFF	0x240u	/* VF-written: the VF sleeps on its doorbell */

struct bcmbox_win_pf_db {
	uint32_t sleeping;		/* PF: ring my doorbell after publishing a request */
	uint8_t reserved[60];
};

struct bcmbox_win_vf_db {
	uint32_t sleeping;		/* VF: ring my doorbell after publishing a response/event */
	uint8_t reserved[60];
};

BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_pf_db) == 64, "pf doorbell is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_vf_db) == 64, "vf doorbell is a line");

/*
 * Data path counters of one function as the switch sees them (appended in
 * layout 1: line 0x280 was unused and is zeroed at format, so an old PF
 * reads as "nothing dropped"). PF-written, monotonic for the window's
 * life: the switch drops a frame because of the receiver (rx_*) or loses
 * one the VF sent (tx_dropped). doc/mailbox.md section 10.
 */
#define BCMBOX_WIN_DP_STATS_OFF	0x280u

struct bcmbox_win_dp_stats {
	uint64_t rx_ring_full;		/* its Rx ring (its depth) was full */
	uint64_t rx_oversize;		/* longer than its MTU allows */
	uint64_t tx_dropped;		/* it sent it, the switch dropped it (malformed, hairpin, no session) */
	uint8_t reserved[40];
};

BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_dp_stats) == 64, "dp stats is a line");
BCMBOX_STATIC_ASSERT(sizeof(struct bcmbox_win_rx_cons) == 64, "rx cons is a line");
BCMBOX_STATIC_ASSERT(BCMBOX_WIN_DP_STATS_OFF + 64 <= BCMBOX_WIN_RINGS_OFF, "dp stats before the rings");
BCMBOX_STATIC_ASSERT(BCMBOX_WIN_VF_DB_OFF + 64 <= BCMBOX_WIN_RINGS_OFF, "doorbells before the rings");

#ifdef __cplusplus
}
#endif

#endif /* BCMBOX_WIRE_H */
