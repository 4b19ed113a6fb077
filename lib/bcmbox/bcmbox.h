/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcmbox: the bcnic mailbox protocol library. C11, no DPDK.
 *
 * Rings of cache-line slots, the message codec and the validator both the
 * PF and the VF side use. The wire format itself is in bcmbox_wire.h.
 *
 * Trust: everything a ring consumer gets is a private copy
 * (struct bcmbox_msg) taken with one read of each shared byte; validation
 * looks only at that copy.
 */
#ifndef BCMBOX_H
#define BCMBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bcmbox_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A message copied out of a ring: header then payload, linear. */
struct bcmbox_msg {
	union {
		struct {
			struct bcmbox_msg_hdr hdr;
			uint8_t payload[BCMBOX_MAX_XFER];
		};
		uint8_t raw[BCMBOX_MSG_MAX_SLOTS * BCMBOX_SLOT_DATA];
	};
};

/*
 * One side's view of a single-producer single-consumer slot ring.
 * The same structure serves the producer and the consumer; only the
 * functions called on it differ.
 */
struct bcmbox_ring {
	struct bcmbox_slot *slots;	/* shared */
	uint32_t *cons_pos;		/* shared: consumer's published position */
	uint32_t size;			/* slots, power of two */
	uint32_t mask;
	uint32_t pos;			/* next position this side uses */
	uint32_t cons_cache;		/* producer: last consumer position read */
	uint32_t max_msg_slots;		/* largest message accepted/sent */
};

/*
 * Why a message was rejected. Each has its own counter in the PF. The
 * numbers are on the wire (the arg of a PROTO answer, doc/mailbox.md
 * section 5): never renumber.
 */
enum bcmbox_reject {
	BCMBOX_REJ_NONE = 0,
	BCMBOX_REJ_NSLOTS = 1,	/* nslots is 0 or above the ring's limit */
	BCMBOX_REJ_CONT_SEQ = 2,	/* a continuation slot was not published */
	BCMBOX_REJ_LENGTH = 3,	/* length does not match nslots */
	BCMBOX_REJ_TYPE = 4,	/* unknown type, or one for the other direction */
	BCMBOX_REJ_STATUS = 5,	/* status set in a request, unknown in a response */
	BCMBOX_REJ_EPOCH = 6,	/* epoch is not the current session's (stale) */
	BCMBOX_REJ_XFER = 7,	/* transfer length above BCMBOX_MAX_XFER */
	BCMBOX_REJ_RANGE = 8,	/* zero bytes, or offset + length beyond BCMBOX_MAX_BLOCK_SIZE */
	BCMBOX_REJ_PAYLOAD = 9,	/* payload length wrong for the message type */
	BCMBOX_REJ_HELLO = 10,	/* HELLO with proto_min > proto_max */
	BCMBOX_REJ_RESERVED = 11,	/* a reserved field is not zero (HELLO: also its epoch) */
	BCMBOX_REJ__MAX
};

/* Short stable name of a reject reason (used for counters and logs). */
const char *bcmbox_reject_name(enum bcmbox_reject why);

/* Status <-> errno. bcmbox_status_to_errno() returns 0 or a negative errno. */
int bcmbox_status_to_errno(uint32_t status);
uint16_t bcmbox_errno_to_status(int err);
const char *bcmbox_status_name(uint32_t status);

/* Highest protocol version in both ranges, or -1 when they do not meet. */
int bcmbox_negotiate(uint16_t a_min, uint16_t a_max, uint16_t b_min, uint16_t b_max);

/* ---- rings ---- */

/*
 * Attach to a ring of size slots (power of two, BCMBOX_EVT_RING_MIN..
 * BCMBOX_RING_MAX) at slots, whose consumer publishes its position at
 * cons_pos. Positions start at 0: both sides must agree the ring was
 * cleared (bcmbox_ring_clear) before first use.
 * Returns 0 or -EINVAL.
 */
int bcmbox_ring_init(struct bcmbox_ring *r, void *slots, uint32_t size, uint32_t *cons_pos);

/* Zero every slot and the consumer position: the state both sides start from. */
void bcmbox_ring_clear(void *slots, uint32_t size, uint32_t *cons_pos);

/*
 * Producer: free slots. Re-reads the consumer position only when the
 * cached one says fewer than want are free. Returns the count, or -EPROTO
 * when the consumer published an impossible position (an untrusted peer).
 */
int bcmbox_ring_free(struct bcmbox_ring *r, uint32_t want);

/*
 * Producer: write one message (hdr->nslots is filled in) with len =
 * hdr->length payload bytes. Returns the slots used, -ENOSPC when the
 * ring has no room (nothing written), -EMSGSIZE above BCMBOX_MAX_XFER,
 * -EPROTO as bcmbox_ring_free().
 */
int bcmbox_ring_send(struct bcmbox_ring *r, struct bcmbox_msg_hdr *hdr, const void *payload);

/*
 * Producer: write up to n messages, in order, stopping at the first that
 * does not fit. Returns how many were written, or -EPROTO / -EMSGSIZE
 * when nothing was written for that reason.
 */
int bcmbox_ring_send_burst(struct bcmbox_ring *r, struct bcmbox_msg_hdr *hdrs,
			   const void *const *payloads, unsigned int n);

/*
 * Consumer: copy the next message out of the ring into m, each shared
 * byte read once, then publish the new consumer position.
 * Returns 1 with a framed message in m, 0 when none is ready, or
 * -EBADMSG with *why set when the framing is malformed (the bad slots are
 * skipped, so the ring keeps moving). Field validation is separate:
 * bcmbox_check_request() / bcmbox_check_response() / bcmbox_check_event().
 */
int bcmbox_ring_recv(struct bcmbox_ring *r, struct bcmbox_msg *m, enum bcmbox_reject *why);

/*
 * Consumer: up to n messages into m[]; framing rejects are counted into
 * rejects[] (BCMBOX_REJ__MAX entries) and skipped. The consumer position
 * is published once at the end. Returns the number of framed messages.
 */
unsigned int bcmbox_ring_recv_burst(struct bcmbox_ring *r, struct bcmbox_msg *m,
				    unsigned int n, uint64_t *rejects);

/*
 * Producer, for tests that play a hostile peer: publish one slot of raw
 * bytes (BCMBOX_SLOT_DATA of them) as it is, framing or not; or go on
 * writing at pos, taking the consumer to be there too.
 */
void bcmbox_ring_send_slot(struct bcmbox_ring *r, const void *data);
void bcmbox_ring_rewind(struct bcmbox_ring *r, uint32_t pos);

/* Consumer: is a message ready at the current position? One acquire load. */
bool bcmbox_ring_ready(const struct bcmbox_ring *r);

/* ---- validation of a private copy ---- */

/*
 * PF side: check a request. session_epoch is the epoch the PF granted
 * this VF (0 when there is no session: only HELLO is acceptable then).
 */
enum bcmbox_reject bcmbox_check_request(const struct bcmbox_msg *m, uint32_t session_epoch);

/* VF side: check a response to a request sent in session_epoch. */
enum bcmbox_reject bcmbox_check_response(const struct bcmbox_msg *m, uint32_t session_epoch);

/* VF side: check an event. */
enum bcmbox_reject bcmbox_check_event(const struct bcmbox_msg *m);

/* ---- events ---- */

/* PF side: overflow bookkeeping of one event ring. Zero it with the ring. */
struct bcmbox_evt_overflow {
	bool pending;		/* an event was dropped, no marker sent since */
	bool queued;		/* a marker sits in the ring at marker_pos */
	uint32_t marker_pos;
	uint64_t dropped;	/* events dropped in all */
};

/*
 * PF side: post an event, keeping one slot back for the OVERFLOW marker.
 * When the ring is full the event is dropped and remembered; the next
 * post that finds a free slot first sends OVERFLOW (which tells the VF to
 * resync everything). Drops while an unread marker is still in the ring
 * are covered by it, so the VF sees one marker per overflow. Returns 0,
 * -ENOSPC (dropped) or -EPROTO (the VF published a bad consumer position:
 * dropped too, and an OVERFLOW owed as for a full ring).
 */
int bcmbox_event_post(struct bcmbox_ring *evt, struct bcmbox_evt_overflow *ovf,
		      struct bcmbox_msg_hdr *hdr, const void *payload);

/* ---- windows ---- */

/* Ring geometry of a window. */
struct bcmbox_window_cfg {
	uint32_t req_slots;
	uint32_t resp_slots;
	uint32_t evt_slots;
	uint32_t data_slots;		/* packet buffers per data ring, 0: no data path */
};

/* A mapped window: a validated copy of its info and typed pointers. */
struct bcmbox_window {
	struct bcmbox_win_info info;	/* private copy, validated */
	uint8_t *base;
	struct bcmbox_win_pf *pf;
	struct bcmbox_win_req_cons *req_cons;
	struct bcmbox_win_heartbeat *heartbeat;
	struct bcmbox_win_vf *vf;
	struct bcmbox_win_vf_ctrl *vf_ctrl;
	struct bcmbox_slot *req;
	struct bcmbox_slot *resp;
	struct bcmbox_slot *evt;
	struct bcmbox_win_tx_cons *tx_cons;
	struct bcmbox_win_rx_cons *rx_cons;
	struct bcmbox_win_dp_stats *dp_stats;
	struct bcmbox_pkt_buf *tx;		/* NULL without a data path */
	struct bcmbox_pkt_buf *rx;
};

/* ---- packet rings (data path) ---- */

/* One side of a packet ring; producer and consumer use the same structure. */
struct bcmbox_pkt_ring {
	struct bcmbox_pkt_buf *bufs;	/* shared */
	uint32_t *cons_pos;		/* shared: consumer's published position */
	uint32_t size;
	uint32_t mask;
	uint32_t pos;
	uint32_t cons_cache;
	uint32_t cap;			/* producer: buffers it may have unconsumed (<= size) */
	const uint32_t *cap_pos;	/* producer: the consumer's published depth, or NULL */
};

/* A packet copied out of a ring (or to go into one). */
struct bcmbox_pkt {
	uint32_t len;
	uint8_t data[BCMBOX_PKT_MAX_LEN];
};

void bcmbox_pkt_ring_init(struct bcmbox_pkt_ring *r, struct bcmbox_pkt_buf *bufs, uint32_t size,
			  uint32_t *cons_pos);
/*
 * Producer: at most cap buffers unconsumed (a queue of cap descriptors on
 * a ring of size buffers); clamped to BCMBOX_PKT_MAX_BUFS..size. With
 * cap_pos, the consumer publishes its depth there (0: the whole ring) and
 * the producer reads it (once, validated) whenever it reloads the
 * consumer's position: cap is then ignored.
 */
void bcmbox_pkt_ring_set_cap(struct bcmbox_pkt_ring *r, uint32_t cap, const uint32_t *cap_pos);
/* The depth a producer keeps given a requested one: clamped as above. */
uint32_t bcmbox_pkt_depth(uint32_t size, uint32_t want);
/* Zero every buffer's seq and the consumer position. */
void bcmbox_pkt_ring_clear(struct bcmbox_pkt_buf *bufs, uint32_t size, uint32_t *cons_pos);
/* Buffers a packet of len bytes takes. */
static inline uint32_t
bcmbox_pkt_bufs(uint32_t len)
{
	return len == 0 ? 1 : (len + BCMBOX_PKT_DATA - 1) / BCMBOX_PKT_DATA;
}
/* Producer: free buffers, or -EPROTO when the consumer published an impossible position. */
int bcmbox_pkt_free(struct bcmbox_pkt_ring *r, uint32_t want);
/*
 * Producer: copy a packet given as segments into the ring and publish it.
 * Returns 0, -ENOSPC (nothing written), -EMSGSIZE (longer than
 * BCMBOX_PKT_MAX_LEN or empty), -EPROTO as bcmbox_pkt_free().
 */
int bcmbox_pkt_send(struct bcmbox_pkt_ring *r, const void *const *segs, const uint32_t *seg_len,
		    unsigned int nsegs, uint32_t total);
/* Consumer: is a packet ready? */
bool bcmbox_pkt_ready(const struct bcmbox_pkt_ring *r);
/*
 * Consumer: copy the next packet out (each shared byte read once) and
 * release its buffers. 1 with p filled, 0 when none, -EBADMSG when the
 * buffers are malformed (skipped; the ring keeps moving).
 * Does not publish the consumer position: bcmbox_pkt_release() does.
 */
int bcmbox_pkt_recv(struct bcmbox_pkt_ring *r, struct bcmbox_pkt *p);
/* Consumer: publish the position (after a burst). */
void bcmbox_pkt_release(struct bcmbox_pkt_ring *r);

/* The one power-of-two check (ring sizes, object sizes, devargs). */
static inline bool
bcmbox_is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* -EINVAL unless every ring size is a power of two in its range. */
int bcmbox_window_cfg_check(const struct bcmbox_window_cfg *cfg);

/* Bytes a window with this geometry needs, rounded up to a power of two. */
uint32_t bcmbox_window_size(const struct bcmbox_window_cfg *cfg);

/*
 * PF side: lay out a fresh window of size bytes (>= bcmbox_window_size())
 * at base: zero it and write its info. The magic is stored last.
 * Returns 0 or -EINVAL.
 */
int bcmbox_window_format(void *base, size_t size, uint16_t vf_index, uint16_t num_vfs,
			 const struct bcmbox_window_cfg *cfg);

/*
 * Either side: validate the window at base (size bytes mapped) from a
 * copy of its info and fill w. Returns 0; -ENODEV when the magic is not
 * bcnic's; -EPROTONOSUPPORT for another layout version; -EINVAL when the
 * geometry does not fit size or is inconsistent.
 */
int bcmbox_window_map(struct bcmbox_window *w, void *base, size_t size);

/*
 * A side's views of the window's three message rings, from their start (a
 * reset window); the PF and the VF use the same calls on them as producer
 * or consumer. Returns 0 or -EINVAL.
 */
int bcmbox_window_rings(const struct bcmbox_window *w, struct bcmbox_ring *req,
			struct bcmbox_ring *resp, struct bcmbox_ring *evt);

/* ---- latency histogram (the PF's service time, the VF's round trip) ---- */

/*
 * Bucket i < BCMBOX_LAT_BUCKETS - 1 counts samples under
 * bcmbox_lat_bounds_ns[i], the last one the rest. Both ports name them
 * with bcmbox_lat_name(), so their xstats read alike.
 */
#define BCMBOX_LAT_BUCKETS	10
extern const uint32_t bcmbox_lat_bounds_ns[BCMBOX_LAT_BUCKETS - 1];

/* The bounds in ticks of one clock, set once: counting divides nothing. */
struct bcmbox_lat_bounds {
	uint64_t ticks[BCMBOX_LAT_BUCKETS - 1];
};

/* b for a clock of hz ticks a second. */
void bcmbox_lat_bounds_init(struct bcmbox_lat_bounds *b, uint64_t hz);

/* Count one sample of ticks into counts[BCMBOX_LAT_BUCKETS]. Inline: per request. */
static inline void
bcmbox_lat_count(const struct bcmbox_lat_bounds *b, uint64_t *counts, uint64_t ticks)
{
	unsigned int i;

	for (i = 0; i < BCMBOX_LAT_BUCKETS - 1 && ticks >= b->ticks[i]; i++)
		;
	counts[i]++;
}

/* Name of bucket i: "<prefix>_lt_<bound>ns", the last "<prefix>_ge_<bound>ns". */
int bcmbox_lat_name(char *buf, size_t len, const char *prefix, unsigned int i);

/* ---- device names (the emulated device's shared-memory objects) ---- */

#define BCMBOX_DEV_NAME_MAX	32

/* true when name can name a device: 1 to BCMBOX_DEV_NAME_MAX of [A-Za-z0-9_-]. */
bool bcmbox_dev_name_valid(const char *name);

/* Function number of the PF object in bcmbox_shm_name(). */
#define BCMBOX_SHM_PF	(-1)

/*
 * The shm_open() name of device dev's object: the PF object
 * (fn == BCMBOX_SHM_PF, "/bcnic.<dev>.pf") or VF fn's window
 * ("/bcnic.<dev>.vf<fn>"); /dev/shm/ + the name without its '/' is the
 * file. Returns snprintf()'s count: >= len when buf was too short.
 */
int bcmbox_shm_name(char *buf, size_t len, const char *dev, int fn);

/*
 * Map all of device dev's object fn (as in bcmbox_shm_name()) read-write,
 * as a raw VF client does: 0 with *base and *size set (munmap() them), or
 * a negative errno. No lock is taken: the driver's transport does more.
 */
int bcmbox_shm_map(const char *dev, int fn, void **base, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* BCMBOX_H */
