/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * bcnic private API: configuration blocks between a PF and its VFs.
 *
 * The PF side (functions rte_pmd_bcnic_pf_*) defines blocks, sets and gets
 * their per-VF contents and decides on VF writes. A VF reads and writes
 * them over the mailbox; the PF answers from its poller.
 *
 * Every function takes the port id first and returns 0 (or a count) on
 * success and a negative errno on failure: -ENODEV for an invalid port,
 * -ENOTSUP for a port that is not of the right bcnic kind.
 */
#ifndef RTE_PMD_BCNIC_H
#define RTE_PMD_BCNIC_H

#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Block ids from this one up are the PMD's standard blocks. */
#define RTE_PMD_BCNIC_BLOCK_STD_BASE	0xffff0000u
/** VF MAC address: 6 bytes, then 2 reserved. Per VF, RW, default assigned by the PF. */
#define RTE_PMD_BCNIC_BLOCK_MAC		0xffff0001u
/** VF MTU: uint32_t. Per VF, RW. */
#define RTE_PMD_BCNIC_BLOCK_MTU		0xffff0002u
/** Link state: struct rte_pmd_bcnic_link. Shared, RO. */
#define RTE_PMD_BCNIC_BLOCK_LINK	0xffff0003u
/** Rx mode: uint32_t, RTE_PMD_BCNIC_RXMODE_* flags. Per VF, RW; promiscuous only when trusted. */
#define RTE_PMD_BCNIC_BLOCK_RXMODE	0xffff0004u
/** Rx mode flag: unknown unicast too. */
#define RTE_PMD_BCNIC_RXMODE_PROMISC	0x1u
/** Rx mode flag: every multicast (broadcast is always received). */
#define RTE_PMD_BCNIC_RXMODE_ALLMULTI	0x2u
/**
 * Extra unicast MAC filters: entries of 6 bytes + 2 reserved (all zero: unused), as many
 * as devarg vf_mac_filters says. Per VF, RW. Absent with vf_mac_filters=0.
 */
#define RTE_PMD_BCNIC_BLOCK_MAC_FILTER	0xffff0005u

/** Largest block. */
#define RTE_PMD_BCNIC_MAX_BLOCK_SIZE	65536u
/** Most bytes one mailbox request moves. */
#define RTE_PMD_BCNIC_MAX_XFER		4096u
/** "Every VF" where a VF index is expected. */
#define RTE_PMD_BCNIC_VF_ALL		UINT16_MAX

/** What a VF may do with a block. */
enum rte_pmd_bcnic_access {
	RTE_PMD_BCNIC_ACCESS_NONE = 0,	/**< invisible to the VF */
	RTE_PMD_BCNIC_ACCESS_RO = 1,	/**< VF may read */
	RTE_PMD_BCNIC_ACCESS_RW = 2,	/**< VF may read and write (subject to the policy) */
};

/** Whose contents a block holds. */
enum rte_pmd_bcnic_scope {
	RTE_PMD_BCNIC_SCOPE_PER_VF = 0,	/**< each VF has its own contents */
	RTE_PMD_BCNIC_SCOPE_SHARED = 1,	/**< one contents seen by every VF */
};

/** Contents of the standard link block. */
struct rte_pmd_bcnic_link {
	uint32_t link_up;	/**< 1 up, 0 down */
	uint32_t speed_mbps;	/**< link speed */
};

/** A block definition. */
struct rte_pmd_bcnic_block_def {
	uint32_t id;				/**< vendor id, below RTE_PMD_BCNIC_BLOCK_STD_BASE */
	uint32_t size;				/**< 1..RTE_PMD_BCNIC_MAX_BLOCK_SIZE bytes */
	enum rte_pmd_bcnic_scope scope;		/**< per VF or shared */
	enum rte_pmd_bcnic_access access;	/**< initial access of every VF */
};

/**
 * Parameter of RTE_ETH_EVENT_VF_MBOX on a PF port: a VF asks to write a
 * block. The callback runs on the PF poller and must not block; it sets
 * @c retval to accept or reject. @c data is a private copy, valid during
 * the callback only.
 */
struct rte_pmd_bcnic_mb_event_param {
	uint16_t vf;		/**< VF index */
	uint32_t block_id;	/**< block written */
	uint32_t offset;	/**< first byte written */
	uint32_t length;	/**< bytes written */
	const void *data;	/**< what the VF wants to write */
	uint16_t retval;	/**< RTE_PMD_BCNIC_MB_EVENT_ACCEPT (default) or _REJECT */
};

#define RTE_PMD_BCNIC_MB_EVENT_ACCEPT	0	/**< let the write happen */
#define RTE_PMD_BCNIC_MB_EVENT_REJECT	1	/**< refuse it: the VF gets -EACCES */

/** Session state of a VF as the PF sees it. */
enum rte_pmd_bcnic_vf_state {
	RTE_PMD_BCNIC_VF_DETACHED = 0,	/**< no session */
	RTE_PMD_BCNIC_VF_HELLO = 1,	/**< window reset, waiting for HELLO */
	RTE_PMD_BCNIC_VF_READY = 2,	/**< session established */
	RTE_PMD_BCNIC_VF_RESETTING = 3,	/**< being reset */
};

/** What the PF knows of one VF. */
struct rte_pmd_bcnic_vf_info {
	enum rte_pmd_bcnic_vf_state state;	/**< session state */
	uint32_t epoch;				/**< session epoch, 0 without one */
	uint64_t requests;			/**< requests served */
	uint64_t rejected;			/**< malformed requests */
	uint64_t stale;				/**< requests of an old session, dropped */
	uint64_t throttled;			/**< requests answered "busy" by the rate limit */
	uint64_t events_dropped;		/**< events lost to a full event ring */
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Define a configuration block on a PF. Its contents start zeroed, at
 * version 1, with @p def->access for every VF.
 *
 * @param port_id  a bcnic PF port
 * @param def      the block; id below RTE_PMD_BCNIC_BLOCK_STD_BASE
 * @return
 *   0; -ENODEV bad port; -ENOTSUP not a bcnic PF; -EINVAL bad id, size,
 *   scope or access; -EEXIST id already defined; -ENOSPC block table full
 *   (devarg max_blocks); -ENOMEM.
 */
__rte_experimental
int rte_pmd_bcnic_pf_block_define(uint16_t port_id, const struct rte_pmd_bcnic_block_def *def);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Set what one VF, or every VF, may do with a block.
 *
 * @param port_id   a bcnic PF port
 * @param block_id  a defined block (standard ones included)
 * @param vf        VF index, or RTE_PMD_BCNIC_VF_ALL
 * @param access    the new access
 * @return 0; -ENODEV; -ENOTSUP; -ENOENT unknown block; -EINVAL bad vf or access.
 */
__rte_experimental
int rte_pmd_bcnic_pf_block_access_set(uint16_t port_id, uint32_t block_id, uint16_t vf,
				      enum rte_pmd_bcnic_access access);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Write part of a block from the PF side. The block's version goes up by
 * one and every VF that can see the change and has a session gets an
 * INVALIDATE event. Thread-safe; readers never see a torn mix.
 *
 * @param port_id   a bcnic PF port
 * @param block_id  a defined block
 * @param vf        VF index for a per-VF block, or RTE_PMD_BCNIC_VF_ALL
 *                  (every VF's copy); ignored for a shared block
 * @param offset    first byte to write
 * @param data      bytes to write
 * @param len       their number; offset + len <= block size
 * @return 0; -ENODEV; -ENOTSUP; -ENOENT; -EINVAL bad vf, range or NULL data.
 */
__rte_experimental
int rte_pmd_bcnic_pf_block_set(uint16_t port_id, uint32_t block_id, uint16_t vf,
			       uint32_t offset, const void *data, uint32_t len);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Read part of a block as one VF sees it (never a torn mix of two writes).
 *
 * @param port_id   a bcnic PF port
 * @param block_id  a defined block
 * @param vf        VF index (ignored for a shared block)
 * @param offset    first byte to read
 * @param buf       where to put them
 * @param len       their number; offset + len <= block size
 * @param version   if not NULL, the version read
 * @return 0; -ENODEV; -ENOTSUP; -ENOENT; -EINVAL bad vf, range or NULL buf.
 */
__rte_experimental
int rte_pmd_bcnic_pf_block_get(uint16_t port_id, uint32_t block_id, uint16_t vf,
			       uint32_t offset, void *buf, uint32_t len, uint32_t *version);

/**
 * One traced mailbox request: where its time went, for a benchmark or a
 * debugging session. TSC readings of one host; kept in process memory,
 * never in the window. A PF record and a VF record of the same request
 * share the tag.
 */
struct rte_pmd_bcnic_trace_rec {
	uint32_t tag;		/**< the request's tag */
	uint8_t type;		/**< request type (1 HELLO .. 5 BYE, see doc/mailbox.md) */
	uint8_t reserved[3];	/**< 0 */
	/**
	 * PF: t[0] the poller saw the request's seq (0: a write ack held for
	 * the journal sync, answered rounds later), t[1] the response's seq
	 * was released.
	 * VF: t[0] just before the request's seq was released, t[1] the VF
	 * saw the response's seq.
	 */
	uint64_t t[2];
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Trace the requests of one VF on the PF side: each request answered from
 * now on (rejected ones too) appends a record to @p recs until @p n are kept. Off by default;
 * when off it costs the poller one predictable branch per request. The
 * buffer stays the caller's and must live until
 * rte_pmd_bcnic_pf_trace_stop(). Starting again restarts at recs[0].
 *
 * @param port_id  a bcnic PF port
 * @param vf       VF index
 * @param recs     where the records go
 * @param n        room in @p recs
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL bad vf, NULL recs or n == 0.
 */
__rte_experimental
int rte_pmd_bcnic_pf_trace_start(uint16_t port_id, uint16_t vf,
				 struct rte_pmd_bcnic_trace_rec *recs, uint32_t n);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Stop tracing one VF (rte_pmd_bcnic_pf_trace_start()); returns once the
 * poller no longer writes the buffer.
 *
 * @param port_id  a bcnic PF port
 * @param vf       VF index
 * @return records kept (>= 0); -ENODEV; -ENOTSUP; -EINVAL bad vf.
 */
__rte_experimental
int rte_pmd_bcnic_pf_trace_stop(uint16_t port_id, uint16_t vf);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Session state and counters of one VF.
 *
 * @param port_id  a bcnic PF port
 * @param vf       VF index
 * @param info     filled in
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL bad vf or NULL info.
 */
__rte_experimental
int rte_pmd_bcnic_pf_vf_info_get(uint16_t port_id, uint16_t vf,
				 struct rte_pmd_bcnic_vf_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Trust a VF, or stop trusting it (as `ip link set <pf> vf <n> trust on|off` on Linux).
 * Only a trusted VF may turn promiscuous mode on (its RTE_PMD_BCNIC_BLOCK_RXMODE
 * write is refused with -EACCES otherwise). Revoking trust turns a promiscuous mode
 * the VF has off: its Rx-mode block is written, and the VF gets an INVALIDATE.
 * Waits for the poller's current round; not to be called from the VF_MBOX callback.
 * The initial trust is devarg trust=.
 *
 * @param port_id  a bcnic PF port
 * @param vf       VF index, or RTE_PMD_BCNIC_VF_ALL
 * @param on       trust it (non-zero) or not (0)
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL bad vf.
 */
__rte_experimental
int rte_pmd_bcnic_pf_vf_trust_set(uint16_t port_id, uint16_t vf, int on);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Whether a VF is trusted.
 *
 * @param port_id  a bcnic PF port
 * @param vf       VF index
 * @return 1 trusted, 0 not; -ENODEV; -ENOTSUP; -EINVAL bad vf.
 */
__rte_experimental
int rte_pmd_bcnic_pf_vf_trust_get(uint16_t port_id, uint16_t vf);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Write a snapshot of the block store (every block, its access per VF,
 * every copy with its version) to @p path: written to a temporary file,
 * synced, renamed over @p path, directory synced. Thread-safe.
 *
 * @param port_id  a bcnic PF port
 * @param path     file to write
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL empty path; -errno of the I/O.
 */
__rte_experimental
int rte_pmd_bcnic_pf_store_save(uint16_t port_id, const char *path);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Load a snapshot (and the journal next to it, @p path + ".journal", if
 * any): blocks not defined yet are defined as saved, defined ones must
 * have the saved size and scope; contents, versions and access are
 * restored and VFs with a session get INVALIDATE events. Nothing changes
 * when the file is malformed or inconsistent.
 *
 * @param port_id  a bcnic PF port
 * @param path     snapshot to read
 * @return 0; -ENODEV; -ENOTSUP; -ENOENT no such file; -EINVAL malformed,
 *   checksum mismatch, another vfs= or a block of another shape.
 */
__rte_experimental
int rte_pmd_bcnic_pf_store_load(uint16_t port_id, const char *path);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Keep the block store in @p path across PF restarts: load what is there
 * (snapshot and journal), then journal every VF write and acknowledge it
 * to the VF only after the journal is synced (one sync per poller round).
 * Writes made through rte_pmd_bcnic_pf_block_set() reach the disk with the
 * next snapshot (compaction, port close, or rte_pmd_bcnic_pf_store_save()).
 *
 * @param port_id  a bcnic PF port
 * @param path     snapshot file; the journal is @p path + ".journal"
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL bad path or file; -EBUSY already on.
 */
__rte_experimental
int rte_pmd_bcnic_pf_persist(uint16_t port_id, const char *path);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Run one round of the PF mailbox poller on the calling thread: for
 * applications that poll from their own loop instead of a service lcore.
 * Must not run concurrently with itself. Returns the requests served.
 *
 * @param port_id  a bcnic PF port
 * @return >= 0 requests served; -ENODEV; -ENOTSUP.
 */
__rte_experimental
int rte_pmd_bcnic_pf_poll(uint16_t port_id);


/* ---------------------------------------------------------------------- */
/* VF side                                                                  */
/* ---------------------------------------------------------------------- */

/** Any block: an invalidation callback registered for all of them. */
#define RTE_PMD_BCNIC_BLOCK_ANY		UINT32_MAX

/** One catalog entry as a VF sees it. */
struct rte_pmd_bcnic_block_info {
	uint32_t id;				/**< block id */
	uint32_t size;				/**< bytes */
	enum rte_pmd_bcnic_access access;	/**< what this VF may do */
	enum rte_pmd_bcnic_scope scope;		/**< per VF or shared */
	uint32_t version;			/**< version when listed */
};

/** A finished asynchronous request (rte_pmd_bcnic_vf_completions()). */
struct rte_pmd_bcnic_completion {
	void *cookie;		/**< what was given at submit */
	int status;		/**< 0 or a negative errno, as for the synchronous calls */
	uint32_t version;	/**< block version read, or after the write */
	uint32_t len;		/**< bytes read or written */
};

/**
 * Invalidation callback: block @p block_id changed and is now at
 * @p version. After an event-ring overflow it is called once with
 * block_id RTE_PMD_BCNIC_BLOCK_ANY and version 0, meaning "anything may
 * have changed: re-read what you cache". Runs on the port's event thread
 * (or inside rte_pmd_bcnic_vf_event_poll()); it may call the block
 * read/write functions but not rte_pmd_bcnic_vf_event_poll().
 */
typedef void (*rte_pmd_bcnic_invalidate_cb_t)(uint16_t port_id, uint32_t block_id,
					      uint32_t version, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Read part of a block, synchronously. Reads above RTE_PMD_BCNIC_MAX_XFER
 * are split into pipelined requests and retried until every part has the
 * same version: the result is one snapshot. Thread-safe (calls on one port
 * are serialized).
 *
 * @param port_id     a bcnic VF port
 * @param block_id    block to read
 * @param offset      first byte
 * @param buf         destination
 * @param len         bytes, 1..RTE_PMD_BCNIC_MAX_BLOCK_SIZE
 * @param version     if not NULL, the block's version
 * @param timeout_ms  timeout, or a negative value for the port's (devarg timeout_ms)
 * @return
 *   @p len; -ENODEV bad port; -ENOTSUP not a bcnic VF; -EINVAL bad
 *   arguments or range; -ENOENT unknown block; -EACCES not readable;
 *   -EBUSY throttled; -ETIMEDOUT no answer in time; -ENOTCONN no PF.
 */
__rte_experimental
int rte_pmd_bcnic_vf_block_read(uint16_t port_id, uint32_t block_id, uint32_t offset, void *buf,
				uint32_t len, uint32_t *version, int timeout_ms);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Write part of a block, synchronously. The PF may refuse (-EACCES).
 * Writes above RTE_PMD_BCNIC_MAX_XFER are several requests and not atomic.
 * Thread-safe.
 *
 * @param port_id     a bcnic VF port
 * @param block_id    block to write
 * @param offset      first byte
 * @param data        bytes to write
 * @param len         their number, 1..RTE_PMD_BCNIC_MAX_BLOCK_SIZE
 * @param version     if not NULL, the block's version after the write
 * @param timeout_ms  timeout, or a negative value for the port's
 * @return @p len, or the errors of rte_pmd_bcnic_vf_block_read().
 */
__rte_experimental
int rte_pmd_bcnic_vf_block_write(uint16_t port_id, uint32_t block_id, uint32_t offset,
				 const void *data, uint32_t len, uint32_t *version, int timeout_ms);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Queue an asynchronous read of at most RTE_PMD_BCNIC_MAX_XFER bytes into
 * @p buf, which must stay valid until its completion is returned.
 * Thread-safe.
 *
 * @param port_id   a bcnic VF port
 * @param block_id  block to read
 * @param offset    first byte
 * @param buf       destination, valid until the completion
 * @param len       bytes, 1..RTE_PMD_BCNIC_MAX_XFER
 * @param cookie    returned with the completion
 * @return 0; -EAGAIN the mailbox is full (poll completions, then retry);
 *   -ENODEV; -ENOTSUP; -EINVAL; -ENOTCONN.
 */
__rte_experimental
int rte_pmd_bcnic_vf_read_submit(uint16_t port_id, uint32_t block_id, uint32_t offset, void *buf,
				 uint32_t len, void *cookie);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Queue an asynchronous write of at most RTE_PMD_BCNIC_MAX_XFER bytes;
 * @p data is copied at once. Thread-safe.
 *
 * @param port_id   a bcnic VF port
 * @param block_id  block to write
 * @param offset    first byte
 * @param data      bytes to write
 * @param len       their number, 1..RTE_PMD_BCNIC_MAX_XFER
 * @param cookie    returned with the completion
 * @return as rte_pmd_bcnic_vf_read_submit().
 */
__rte_experimental
int rte_pmd_bcnic_vf_write_submit(uint16_t port_id, uint32_t block_id, uint32_t offset,
				  const void *data, uint32_t len, void *cookie);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Take up to @p n finished asynchronous requests, oldest first. A request
 * whose answer does not come within the port's timeout completes with
 * -ETIMEDOUT; one in flight when the PF goes away, with -ENOTCONN.
 * Thread-safe.
 *
 * @param port_id  a bcnic VF port
 * @param c        where to put them
 * @param n        room in @p c
 * @return completions written to @p c (0 when none); -ENODEV; -ENOTSUP; -EINVAL.
 */
__rte_experimental
int rte_pmd_bcnic_vf_completions(uint16_t port_id, struct rte_pmd_bcnic_completion *c,
				 unsigned int n);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * The block catalog as this VF sees it. Thread-safe.
 *
 * @param port_id  a bcnic VF port
 * @param info     up to @p max entries
 * @param max      room in @p info (0: just count)
 * @return entries the VF can see in all (may exceed @p max), or the errors
 *   of rte_pmd_bcnic_vf_block_read().
 */
__rte_experimental
int rte_pmd_bcnic_vf_catalog(uint16_t port_id, struct rte_pmd_bcnic_block_info *info,
			     unsigned int max);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Be told when a block changes on the PF side (or another VF writes a
 * shared block). Delivered by the port's event thread within a
 * millisecond, with no call from the application; with devarg
 * events=poll, inside rte_pmd_bcnic_vf_event_poll() instead.
 *
 * @param port_id   a bcnic VF port
 * @param block_id  a block, or RTE_PMD_BCNIC_BLOCK_ANY
 * @param cb        the callback
 * @param arg       passed to it
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL NULL cb; -ENOMEM.
 */
__rte_experimental
int rte_pmd_bcnic_vf_invalidate_register(uint16_t port_id, uint32_t block_id,
					 rte_pmd_bcnic_invalidate_cb_t cb, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Remove a callback registered with the same arguments.
 *
 * @param port_id   a bcnic VF port
 * @param block_id  as registered
 * @param cb        as registered
 * @param arg       as registered
 * @return 0; -ENODEV; -ENOTSUP; -ENOENT not registered.
 */
__rte_experimental
int rte_pmd_bcnic_vf_invalidate_unregister(uint16_t port_id, uint32_t block_id,
					   rte_pmd_bcnic_invalidate_cb_t cb, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Handle the port's pending events (invalidations, link changes, PF
 * loss and return) on the calling thread: for applications that run the
 * port with devarg events=poll and want no extra thread. Harmless with
 * the event thread too.
 *
 * @param port_id  a bcnic VF port
 * @return events handled (>= 0); -ENODEV; -ENOTSUP.
 */
__rte_experimental
int rte_pmd_bcnic_vf_event_poll(uint16_t port_id);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Trace this port's requests on the VF side: each request completed by a
 * response from now on appends a record (struct rte_pmd_bcnic_trace_rec,
 * declared with the PF's trace calls) to @p recs until @p n are kept. Off
 * by default; when off it costs one predictable branch per response. The
 * buffer stays the caller's and must live until
 * rte_pmd_bcnic_vf_trace_stop().
 *
 * @param port_id  a bcnic VF port
 * @param recs     where the records go
 * @param n        room in @p recs
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL NULL recs or n == 0.
 */
__rte_experimental
int rte_pmd_bcnic_vf_trace_start(uint16_t port_id, struct rte_pmd_bcnic_trace_rec *recs,
				 uint32_t n);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Stop tracing (rte_pmd_bcnic_vf_trace_start()).
 *
 * @param port_id  a bcnic VF port
 * @return records kept (>= 0); -ENODEV; -ENOTSUP.
 */
__rte_experimental
int rte_pmd_bcnic_vf_trace_stop(uint16_t port_id);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Set the port's default timeout for the calls above.
 *
 * @param port_id     a bcnic VF port
 * @param timeout_ms  1..3600000
 * @return 0; -ENODEV; -ENOTSUP; -EINVAL.
 */
__rte_experimental
int rte_pmd_bcnic_vf_timeout_set(uint16_t port_id, unsigned int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_BCNIC_H */
