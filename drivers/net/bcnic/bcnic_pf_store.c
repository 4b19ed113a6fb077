/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF block store: block definitions, contents, versions. The bottom of the
 * PF: it calls nothing above it; a change goes up through the notifier the
 * mailbox registers (bcnic_store_changed()).
 *
 * Blocks are defined once and never removed, so the poller can look them
 * up without a lock: an entry is filled in, then its hash slot is
 * published with a release store. Each contents is behind a seqlock: a
 * reader (the poller answering READ, or the application) retries instead
 * of ever returning a mix of two writes; writers (the poller applying a VF
 * WRITE, or an application thread) serialize on the seqlock's spinlock.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>

#include "bcnic_pf.h"

_Static_assert(RTE_PMD_BCNIC_BLOCK_MAC == BCMBOX_BLOCK_MAC, "one id for the MAC block");
_Static_assert(RTE_PMD_BCNIC_BLOCK_MTU == BCMBOX_BLOCK_MTU, "one id for the MTU block");
_Static_assert(RTE_PMD_BCNIC_BLOCK_LINK == BCMBOX_BLOCK_LINK, "one id for the link block");
_Static_assert(sizeof(struct rte_pmd_bcnic_link) == BCMBOX_BLOCK_LINK_SIZE, "the link block's layout");
_Static_assert(sizeof(struct bcmbox_link_evt) == BCMBOX_BLOCK_LINK_SIZE, "the link event's layout");
_Static_assert(sizeof(uint32_t) == BCMBOX_BLOCK_MTU_SIZE, "the MTU block holds a uint32_t");
_Static_assert(BCMBOX_BLOCK_MAC_SIZE >= RTE_ETHER_ADDR_LEN, "the MAC block holds a MAC");
_Static_assert(RTE_PMD_BCNIC_MAX_XFER == BCMBOX_MAX_XFER, "one transfer limit");
_Static_assert(RTE_PMD_BCNIC_MAX_BLOCK_SIZE == BCMBOX_MAX_BLOCK_SIZE, "one block size limit");
_Static_assert((int)RTE_PMD_BCNIC_ACCESS_RW == (int)BCMBOX_ACCESS_RW, "access values");
_Static_assert((int)RTE_PMD_BCNIC_SCOPE_SHARED == (int)BCMBOX_SCOPE_SHARED, "scope values");
_Static_assert((int)RTE_PMD_BCNIC_VF_READY == (int)BCMBOX_VF_READY, "state values");

static inline uint32_t
hash_id(uint32_t id)
{
	return (id * 0x9e3779b1u) >> 7;
}

int
bcnic_store_init(struct bcnic_pf *pf, uint32_t max_blocks)
{
	struct bcnic_store *s = &pf->store;
	uint32_t slots = 16;

	while (slots < 2 * max_blocks)
		slots <<= 1;
	memset(s, 0, sizeof(*s));
	s->max_blocks = max_blocks;
	s->blocks = rte_zmalloc("bcnic_blocks", max_blocks * sizeof(*s->blocks), 0);
	s->hash = rte_zmalloc("bcnic_block_hash", slots * sizeof(*s->hash), 0);
	if (s->blocks == NULL || s->hash == NULL) {
		bcnic_store_free(pf);
		return -ENOMEM;
	}
	s->hash_mask = slots - 1;
	rte_spinlock_init(&s->define_lock);
	return 0;
}

void
bcnic_store_free(struct bcnic_pf *pf)
{
	struct bcnic_store *s = &pf->store;
	uint32_t i, c;

	for (i = 0; s->blocks != NULL && i < s->count; i++) {
		struct bcnic_block *b = &s->blocks[i];

		for (c = 0; b->copies != NULL && c < b->ncopies; c++)
			rte_free(b->copies[c].bytes);
		rte_free(b->copies);
		rte_free(b->access);
	}
	rte_free(s->blocks);
	rte_free(s->hash);
	s->blocks = NULL;
	s->hash = NULL;
	s->count = 0;
}

struct bcnic_block *
bcnic_store_find(const struct bcnic_store *s, uint32_t id)
{
	uint32_t h = hash_id(id) & s->hash_mask;

	for (;;) {
		/*
		 * Load-acquire synchronizes with the store-release of the slot in
		 * bcnic_store_define(): the entry is filled.
		 */
		uint32_t idx = __atomic_load_n(&s->hash[h], __ATOMIC_ACQUIRE);

		if (idx == 0)
			return NULL;
		if (s->blocks[idx - 1].id == id)
			return &s->blocks[idx - 1];
		h = (h + 1) & s->hash_mask;
	}
}

int
bcnic_store_define(struct bcnic_pf *pf, uint32_t id, uint32_t size, uint8_t scope, uint8_t access)
{
	struct bcnic_store *s = &pf->store;
	struct bcnic_block *b;
	uint32_t h, c;
	int rc = 0;

	if (size == 0 || size > BCMBOX_MAX_BLOCK_SIZE || scope > BCMBOX_SCOPE_SHARED ||
	    access > BCMBOX_ACCESS_RW)
		return -EINVAL;
	rte_spinlock_lock(&s->define_lock);
	if (bcnic_store_find(s, id) != NULL) {
		rc = -EEXIST;
		goto out;
	}
	if (s->count == s->max_blocks) {
		rc = -ENOSPC;
		goto out;
	}
	b = &s->blocks[s->count];
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->size = size;
	b->scope = scope;
	b->ncopies = scope == BCMBOX_SCOPE_SHARED ? 1 : pf->num_vfs;
	b->access = rte_zmalloc("bcnic_block_access", pf->num_vfs, 0);
	b->copies = rte_zmalloc("bcnic_block_copies", b->ncopies * sizeof(*b->copies), 0);
	if (b->access == NULL || b->copies == NULL)
		goto nomem;
	memset(b->access, access, pf->num_vfs);
	for (c = 0; c < b->ncopies; c++) {
		rte_seqlock_init(&b->copies[c].lock);
		b->copies[c].version = 1;
		b->copies[c].bytes = rte_zmalloc("bcnic_block_bytes", size, RTE_CACHE_LINE_SIZE);
		if (b->copies[c].bytes == NULL)
			goto nomem;
	}
	/*
	 * Store-release synchronizes with the load-acquire of count by the catalog walks
	 * (LIST, HELLO, save, telemetry).
	 */
	__atomic_store_n(&s->count, s->count + 1, __ATOMIC_RELEASE);
	for (h = hash_id(id) & s->hash_mask; s->hash[h] != 0; h = (h + 1) & s->hash_mask)
		;
	/* Store-release synchronizes with the load-acquire of the slot in bcnic_store_find(). */
	__atomic_store_n(&s->hash[h], s->count, __ATOMIC_RELEASE);
	goto out;
nomem:
	for (c = 0; b->copies != NULL && c < b->ncopies; c++)
		rte_free(b->copies[c].bytes);
	rte_free(b->copies);
	rte_free(b->access);
	memset(b, 0, sizeof(*b));
	rc = -ENOMEM;
out:
	rte_spinlock_unlock(&s->define_lock);
	return rc;
}

struct bcnic_block_data *
bcnic_block_copy(struct bcnic_block *b, uint16_t vf)
{
	return &b->copies[b->scope == BCMBOX_SCOPE_SHARED ? 0 : vf];
}

/* Copy out a consistent snapshot; returns its version. Range checked by the caller. */
uint32_t
bcnic_block_read(struct bcnic_block_data *d, uint32_t off, void *buf, uint32_t len)
{
	uint32_t sn, version;

	do {
		sn = rte_seqlock_read_begin(&d->lock);
		memcpy(buf, d->bytes + off, len);
		version = d->version;
	} while (rte_seqlock_read_retry(&d->lock, sn));
	return version;
}

/* Returns the new version. */
uint32_t
bcnic_block_write(struct bcnic_block_data *d, uint32_t off, const void *buf, uint32_t len)
{
	uint32_t version;

	rte_seqlock_write_lock(&d->lock);
	memcpy(d->bytes + off, buf, len);
	version = ++d->version;
	if (version == 0)	/* 0 is never a valid version */
		version = d->version = 1;
	rte_seqlock_write_unlock(&d->lock);
	return version;
}

/*
 * Report a change of b's contents (vf: the owner of a per-VF copy, or
 * RTE_PMD_BCNIC_VF_ALL; except_vf: who wrote it, told already) to the layer
 * that registered for it: the mailbox, which tells the VFs and the switch.
 * Before it registers (probe) nobody has a session to tell.
 */
void
bcnic_store_changed(struct bcnic_pf *pf, const struct bcnic_block *b, uint16_t vf,
		    uint32_t version, uint16_t except_vf)
{
	if (pf->store.changed != NULL)
		pf->store.changed(pf, b, vf, version, except_vf);
}

/* The standard blocks the VF ethdev ops use, with their defaults. */
int
bcnic_store_std_blocks(struct bcnic_pf *pf)
{
	struct rte_pmd_bcnic_link link = { .link_up = 0, .speed_mbps = RTE_ETH_SPEED_NUM_100G };
	uint32_t mtu = RTE_ETHER_MTU;
	uint16_t vf;
	int rc;

	rc = bcnic_store_define(pf, BCMBOX_BLOCK_MAC, BCMBOX_BLOCK_MAC_SIZE, BCMBOX_SCOPE_PER_VF,
				pf->vf_mac_change ? BCMBOX_ACCESS_RW : BCMBOX_ACCESS_RO);
	if (rc == 0)
		rc = bcnic_store_define(pf, BCMBOX_BLOCK_MTU, BCMBOX_BLOCK_MTU_SIZE, BCMBOX_SCOPE_PER_VF,
					BCMBOX_ACCESS_RW);
	if (rc == 0)
		rc = bcnic_store_define(pf, BCMBOX_BLOCK_LINK, BCMBOX_BLOCK_LINK_SIZE, BCMBOX_SCOPE_SHARED,
					BCMBOX_ACCESS_RO);
	/* Promiscuous needs trust: the mailbox checks a VF's write (rxmode_policy()). */
	if (rc == 0)
		rc = bcnic_store_define(pf, BCMBOX_BLOCK_RXMODE, BCMBOX_BLOCK_RXMODE_SIZE,
					BCMBOX_SCOPE_PER_VF, BCMBOX_ACCESS_RW);
	if (rc == 0 && pf->vf_mac_filters > 0)
		rc = bcnic_store_define(pf, BCMBOX_BLOCK_MAC_FILTER,
					BCMBOX_BLOCK_MAC_FILTER_SIZE(pf->vf_mac_filters),
					BCMBOX_SCOPE_PER_VF, BCMBOX_ACCESS_RW);
	if (rc != 0)
		return rc;
	for (vf = 0; vf < pf->num_vfs; vf++) {
		uint32_t rxmode = BCMBOX_RXMODE_ALLMULTI;	/* multicast as before Rx modes */

		struct rte_ether_addr mac;
		uint8_t mac_block[BCMBOX_BLOCK_MAC_SIZE] = { 0 };

		bcnic_default_mac(&mac, pf->dev_name, vf + 1u);
		memcpy(mac_block, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
		bcnic_block_write(bcnic_block_copy(bcnic_store_find(&pf->store, BCMBOX_BLOCK_MAC), vf),
				  0, mac_block, sizeof(mac_block));
		bcnic_block_write(bcnic_block_copy(bcnic_store_find(&pf->store, BCMBOX_BLOCK_MTU), vf),
				  0, &mtu, sizeof(mtu));
		bcnic_block_write(bcnic_block_copy(bcnic_store_find(&pf->store, BCMBOX_BLOCK_RXMODE), vf),
				  0, &rxmode, sizeof(rxmode));
	}
	bcnic_block_write(bcnic_block_copy(bcnic_store_find(&pf->store, BCMBOX_BLOCK_LINK), 0), 0,
			  &link, sizeof(link));
	return 0;
}
