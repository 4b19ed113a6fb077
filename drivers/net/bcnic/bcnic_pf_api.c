/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PF's private API (rte_pmd_bcnic.h): the top layer with the ethdev
 * glue. Each call finds the PF behind the port, checks its arguments and
 * calls the layers below: the store, persistence, the poller.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>

#include "bcnic_pf.h"

static int
check_vf(const struct bcnic_pf *pf, uint16_t vf, bool all_ok)
{
	if (vf == RTE_PMD_BCNIC_VF_ALL)
		return all_ok ? 0 : -EINVAL;
	return vf < pf->num_vfs ? 0 : -EINVAL;
}

/* The PF of port_id and a valid vf (RTE_PMD_BCNIC_VF_ALL if all_ok): 0 or -errno. */
static int
pf_vf_of_port(uint16_t port_id, uint16_t vf, bool all_ok, struct bcnic_pf **pf)
{
	int rc;

	*pf = bcnic_pf_from_port(port_id, &rc);
	if (*pf == NULL)
		return rc;
	return check_vf(*pf, vf, all_ok);
}

int
rte_pmd_bcnic_pf_block_define(uint16_t port_id, const struct rte_pmd_bcnic_block_def *def)
{
	struct bcnic_pf *pf;
	int rc;

	pf = bcnic_pf_from_port(port_id, &rc);
	if (pf == NULL)
		return rc;
	if (def == NULL || def->id >= RTE_PMD_BCNIC_BLOCK_STD_BASE)
		return -EINVAL;
	return bcnic_store_define(pf, def->id, def->size, (uint8_t)def->scope, (uint8_t)def->access);
}

int
rte_pmd_bcnic_pf_block_access_set(uint16_t port_id, uint32_t block_id, uint16_t vf,
				  enum rte_pmd_bcnic_access access)
{
	struct bcnic_block *b;
	struct bcnic_pf *pf;
	int rc;

	rc = pf_vf_of_port(port_id, vf, true, &pf);
	if (rc != 0)
		return rc;
	if ((unsigned int)access > RTE_PMD_BCNIC_ACCESS_RW)
		return -EINVAL;
	b = bcnic_store_find(&pf->store, block_id);
	if (b == NULL)
		return -ENOENT;
	/* Relaxed: one byte with nothing behind it; the poller loads it relaxed too. */
	for (uint16_t i = 0; i < pf->num_vfs; i++)
		if (vf == RTE_PMD_BCNIC_VF_ALL || i == vf)
			__atomic_store_n(&b->access[i], (uint8_t)access, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The PF behind port_id and its block block_id, or NULL with *err set (-ENODEV, -ENOTSUP,
 * -ENOENT).
 */
static struct bcnic_block *
port_block(uint16_t port_id, uint32_t block_id, struct bcnic_pf **pf, int *err)
{
	struct bcnic_block *b;

	*pf = bcnic_pf_from_port(port_id, err);
	if (*pf == NULL)
		return NULL;
	b = bcnic_store_find(&(*pf)->store, block_id);
	if (b == NULL)
		*err = -ENOENT;
	return b;
}

int
rte_pmd_bcnic_pf_block_set(uint16_t port_id, uint32_t block_id, uint16_t vf, uint32_t offset,
			   const void *data, uint32_t len)
{
	struct bcnic_block *b;
	struct bcnic_pf *pf;
	uint16_t i;
	int rc;

	b = port_block(port_id, block_id, &pf, &rc);
	if (b == NULL)
		return rc;
	if (data == NULL || len == 0 || (uint64_t)offset + len > b->size)
		return -EINVAL;
	if (b->scope == BCMBOX_SCOPE_SHARED) {
		uint32_t v = bcnic_block_write(&b->copies[0], offset, data, len);

		bcnic_store_changed(pf, b, RTE_PMD_BCNIC_VF_ALL, v, RTE_PMD_BCNIC_VF_ALL);
		return 0;
	}
	if (check_vf(pf, vf, true) != 0)
		return -EINVAL;
	for (i = 0; i < pf->num_vfs; i++) {
		if (vf != RTE_PMD_BCNIC_VF_ALL && i != vf)
			continue;
		uint32_t v = bcnic_block_write(&b->copies[i], offset, data, len);

		bcnic_store_changed(pf, b, i, v, RTE_PMD_BCNIC_VF_ALL);
	}
	return 0;
}

int
rte_pmd_bcnic_pf_block_get(uint16_t port_id, uint32_t block_id, uint16_t vf, uint32_t offset,
			   void *buf, uint32_t len, uint32_t *version)
{
	struct bcnic_block *b;
	struct bcnic_pf *pf;
	uint32_t v;
	int rc;

	b = port_block(port_id, block_id, &pf, &rc);
	if (b == NULL)
		return rc;
	if (buf == NULL || len == 0 || (uint64_t)offset + len > b->size ||
	    (b->scope != BCMBOX_SCOPE_SHARED && check_vf(pf, vf, false) != 0))
		return -EINVAL;
	v = bcnic_block_read(bcnic_block_copy(b, vf), offset, buf, len);
	if (version != NULL)
		*version = v;
	return 0;
}

/* Persistence calls: fn(the PF behind port_id, path). */
static int
persist_call(uint16_t port_id, const char *path, int (*fn)(struct bcnic_pf *, const char *))
{
	struct bcnic_pf *pf;
	int rc;

	pf = bcnic_pf_from_port(port_id, &rc);
	return pf == NULL ? rc : fn(pf, path);
}

int
rte_pmd_bcnic_pf_store_save(uint16_t port_id, const char *path)
{
	return persist_call(port_id, path, bcnic_persist_save);
}

int
rte_pmd_bcnic_pf_store_load(uint16_t port_id, const char *path)
{
	return persist_call(port_id, path, bcnic_persist_load);
}

int
rte_pmd_bcnic_pf_persist(uint16_t port_id, const char *path)
{
	return persist_call(port_id, path, bcnic_persist_start);
}

int
rte_pmd_bcnic_pf_poll(uint16_t port_id)
{
	struct bcnic_pf *pf;
	int rc;

	pf = bcnic_pf_from_port(port_id, &rc);
	if (pf == NULL)
		return rc;
	if (pf->mode != BCNIC_POLLER_APP)
		return -EBUSY;
	/* Uncontended but while a VF of this process attaches (poller_assist()). */
	if (!rte_spinlock_trylock(&pf->round_lock))
		return 0;
	rc = (int)bcnic_pf_poll_round(pf);
	rte_spinlock_unlock(&pf->round_lock);
	return rc;
}

int
rte_pmd_bcnic_pf_trace_start(uint16_t port_id, uint16_t vf, struct rte_pmd_bcnic_trace_rec *recs,
			     uint32_t n)
{
	struct bcnic_pf *pf;
	int rc;

	rc = pf_vf_of_port(port_id, vf, false, &pf);
	if (rc != 0)
		return rc;
	if (recs == NULL || n == 0)
		return -EINVAL;
	/* Between two rounds: the poller reads the trace fields only inside one. */
	rte_spinlock_lock(&pf->round_lock);
	pf->vfs[vf].trace_n = 0;
	pf->vfs[vf].trace_cap = n;
	pf->vfs[vf].trace = recs;
	rte_spinlock_unlock(&pf->round_lock);
	return 0;
}

int
rte_pmd_bcnic_pf_trace_stop(uint16_t port_id, uint16_t vf)
{
	struct bcnic_pf *pf;
	int rc;

	rc = pf_vf_of_port(port_id, vf, false, &pf);
	if (rc != 0)
		return rc;
	rte_spinlock_lock(&pf->round_lock);	/* no round writes the buffer after this */
	pf->vfs[vf].trace = NULL;
	rc = (int)pf->vfs[vf].trace_n;
	rte_spinlock_unlock(&pf->round_lock);
	return rc;
}

int
rte_pmd_bcnic_pf_vf_info_get(uint16_t port_id, uint16_t vf, struct rte_pmd_bcnic_vf_info *info)
{
	struct bcnic_pf *pf;
	int rc;

	rc = pf_vf_of_port(port_id, vf, false, &pf);
	if (rc != 0)
		return rc;
	if (info == NULL)
		return -EINVAL;
	*info = pf->vfs[vf].info;
	return 0;
}

int
rte_pmd_bcnic_pf_vf_trust_set(uint16_t port_id, uint16_t vf, int on)
{
	struct bcnic_pf *pf;
	struct bcnic_block *b;
	uint16_t i;
	int rc;

	rc = pf_vf_of_port(port_id, vf, true, &pf);
	if (rc != 0)
		return rc;
	b = bcnic_store_find(&pf->store, BCMBOX_BLOCK_RXMODE);
	/*
	 * Under the round lock: a VF's Rx-mode write (checked against its trust on
	 * the poller) is either before this, and turned off below, or after, and refused.
	 */
	rte_spinlock_lock(&pf->round_lock);
	for (i = 0; i < pf->num_vfs; i++) {
		struct bcnic_block_data *d;
		uint32_t flags;

		if (vf != RTE_PMD_BCNIC_VF_ALL && i != vf)
			continue;
		/* Relaxed: a flag the poller reads under the round lock we hold. */
		__atomic_store_n(&pf->vfs[i].trusted, on != 0, __ATOMIC_RELAXED);
		if (on || b == NULL)
			continue;
		d = bcnic_block_copy(b, i);
		bcnic_block_read(d, 0, &flags, sizeof(flags));
		if (!(flags & BCMBOX_RXMODE_PROMISC))
			continue;
		flags &= ~BCMBOX_RXMODE_PROMISC;
		/* INVALIDATE to the VF, and the switch's tables, by the one path. */
		bcnic_store_changed(pf, b, i, bcnic_block_write(d, 0, &flags, sizeof(flags)),
				    RTE_PMD_BCNIC_VF_ALL);
	}
	rte_spinlock_unlock(&pf->round_lock);
	return 0;
}

int
rte_pmd_bcnic_pf_vf_trust_get(uint16_t port_id, uint16_t vf)
{
	struct bcnic_pf *pf;
	int rc;

	rc = pf_vf_of_port(port_id, vf, false, &pf);
	if (rc != 0)
		return rc;
	/* Relaxed: a flag with nothing behind it. */
	return __atomic_load_n(&pf->vfs[vf].trusted, __ATOMIC_RELAXED) ? 1 : 0;
}
