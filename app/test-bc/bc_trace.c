/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc traces: the PF's and the VF's records of the same requests
 * (rte_pmd_bcnic_*_trace_*, TSC on both sides of one host), matched by
 * tag, turned into per-stage series (op "stage") and PF pickup delays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_common.h>

#include "rte_pmd_bcnic.h"
#include "test_bc.h"

int
bc_trace_start(struct bc_trace *t, uint16_t pf_port, uint16_t vf, uint16_t vf_port, uint32_t n)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->vf_rec = calloc(n, sizeof(*t->vf_rec));
	t->pf_rec = calloc(n, sizeof(*t->pf_rec));
	if (t->vf_rec == NULL || t->pf_rec == NULL) {
		bc_trace_free(t);
		return -ENOMEM;
	}
	t->cap = n;
	t->pf_port = pf_port;
	t->vf = vf;
	t->vf_port = vf_port;
	rc = rte_pmd_bcnic_pf_trace_start(pf_port, vf, t->pf_rec, n);
	if (rc == 0)
		rc = rte_pmd_bcnic_vf_trace_start(vf_port, t->vf_rec, n);
	if (rc != 0) {
		rte_pmd_bcnic_pf_trace_stop(pf_port, vf);
		bc_trace_free(t);
	}
	return rc;
}

int
bc_trace_stop(struct bc_trace *t)
{
	int nv = rte_pmd_bcnic_vf_trace_stop(t->vf_port);
	int np = rte_pmd_bcnic_pf_trace_stop(t->pf_port, t->vf);

	if (nv < 0 || np < 0)
		return nv < 0 ? nv : np;
	t->nvf = (uint32_t)nv;
	t->npf = (uint32_t)np;
	return 0;
}

void
bc_trace_free(struct bc_trace *t)
{
	free(t->vf_rec);
	free(t->pf_rec);
	t->vf_rec = t->pf_rec = NULL;
}

/*
 * The PF record of VF record i, or NULL. Both are in tag order (one VF's
 * requests are served in order), so *j only moves forward.
 */
static const struct rte_pmd_bcnic_trace_rec *
pf_match(const struct bc_trace *t, uint32_t i, uint32_t *j)
{
	uint32_t tag = t->vf_rec[i].tag;

	while (*j < t->npf && (int32_t)(t->pf_rec[*j].tag - tag) < 0)
		(*j)++;
	if (*j < t->npf && t->pf_rec[*j].tag == tag && t->pf_rec[*j].t[0] != 0)
		return &t->pf_rec[*j];
	return NULL;
}

static inline void
put(struct bc_series *s, uint64_t from, uint64_t to)
{
	/* One host's TSC: a negative stage would be a clock skew; count it as 0. */
	if (s->n < s->cap)
		s->cycles[s->n++] = to > from ? (uint32_t)RTE_MIN(to - from, (uint64_t)UINT32_MAX) : 0;
}

int
bc_trace_pickup(const struct bc_trace *t, struct bc_series *s)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < t->nvf; i++) {
		const struct rte_pmd_bcnic_trace_rec *p = pf_match(t, i, &j);

		if (p != NULL)
			put(s, t->vf_rec[i].t[0], p->t[0]);
	}
	return s->n > 0 ? 0 : -ENOENT;
}

const char *const bc_stage_names[BC_STAGES] = {
	"stage_vf_submit",	/* call entry -> request seq released */
	"stage_pf_pickup",	/* -> the poller sees it */
	"stage_pf_handle",	/* -> response seq released */
	"stage_vf_seen",	/* -> the VF's pump sees it */
	"stage_vf_return",	/* -> the call returns */
	"stage_total",		/* call entry -> return, the same calls */
};

int
bc_trace_stages(const struct bc_trace *t, const uint64_t *call0, const uint64_t *call1,
		uint32_t ncalls, struct bc_series *const st[BC_STAGES])
{
	uint32_t i = 0, j = 0;

	/* A call's VF record is the one submitted inside it (the event thread may add others). */
	for (uint32_t k = 0; k < ncalls; k++) {
		const struct rte_pmd_bcnic_trace_rec *v, *p;

		while (i < t->nvf && t->vf_rec[i].t[0] < call0[k])
			i++;
		if (i == t->nvf)
			break;
		v = &t->vf_rec[i];
		if (v->t[0] > call1[k] || (p = pf_match(t, i, &j)) == NULL)
			continue;
		put(st[0], call0[k], v->t[0]);
		put(st[1], v->t[0], p->t[0]);
		put(st[2], p->t[0], p->t[1]);
		put(st[3], p->t[1], v->t[1]);
		put(st[4], v->t[1], call1[k]);
		put(st[5], call0[k], call1[k]);
		i++;
	}
	return st[5]->n > 0 ? 0 : -ENOENT;
}
