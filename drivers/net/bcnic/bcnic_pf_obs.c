/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF xstats: one walk over the counters yields the names and the values.
 * Counters are written by the poller alone; readers may see them slightly
 * behind. Telemetry is in bcnic_pf_telemetry.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>

#include "bcnic_pf.h"

#define XSTATS_PER_VF_MAX 16	/* per-VF xstats for the first VFs; telemetry has all */

static const char *const req_names[] = { NULL, "hello", "list", "read", "write", "bye" };

/* Fields named as their xstats ("mbox_<field>"): each name is written once. */
#define PF_COUNTER(f) { "mbox_" #f, offsetof(struct bcnic_pf_counters, f) }
static const struct bcnic_counter_name pf_counters[] = {
	PF_COUNTER(read_bytes),
	PF_COUNTER(write_bytes),
	PF_COUNTER(throttled),
	PF_COUNTER(policy_rejects),
	PF_COUNTER(resp_ring_full),
	PF_COUNTER(bad_consumer_pos),
	PF_COUNTER(events),
	PF_COUNTER(events_dropped),
	PF_COUNTER(window_resets),
	PF_COUNTER(sessions),
	PF_COUNTER(windows_restored),
	PF_COUNTER(lines_republished),
	PF_COUNTER(persist_errors),
};
#undef PF_COUNTER

/* A VF's counters, as "vf<n>_<field>" xstats and in telemetry. */
#define VF_COUNTER(f) { #f, offsetof(struct rte_pmd_bcnic_vf_info, f) }
const struct bcnic_counter_name bcnic_pf_vf_counters[BCNIC_PF_VF_COUNTERS] = {
	VF_COUNTER(requests),
	VF_COUNTER(rejected),
	VF_COUNTER(stale),
	VF_COUNTER(throttled),
	VF_COUNTER(events_dropped),
};
#undef VF_COUNTER

/* One walk over every xstat: fills names or values (either may be NULL). */
unsigned int
bcnic_pf_xstats_walk(struct bcnic_pf *pf, struct rte_eth_xstat_name *names, uint64_t *values)
{
	const struct bcnic_pf_counters *c = &pf->cnt;
	unsigned int n = 0, i;

#define ITEM(val, ...)                                                                     \
	do {                                                                               \
		if (names != NULL)                                                         \
			snprintf(names[n].name, sizeof(names[n].name), __VA_ARGS__);       \
		if (values != NULL)                                                        \
			values[n] = (val);                                                 \
		n++;                                                                       \
	} while (0)

	for (i = BCMBOX_MSG_HELLO; i <= BCMBOX_MSG_BYE; i++)
		ITEM(c->req[i], "mbox_req_%s", req_names[i]);
	for (i = 0; i < RTE_DIM(pf_counters); i++)
		ITEM(*(const uint64_t *)((const uint8_t *)c + pf_counters[i].off), "%s",
		     pf_counters[i].name);
	for (i = 1; i < BCMBOX_REJ__MAX; i++)
		ITEM(c->reject[i], "mbox_rej_%s", bcmbox_reject_name((enum bcmbox_reject)i));
	for (i = 0; i < BCMBOX_ST__MAX; i++)
		ITEM(c->status[i], "mbox_resp_%s", bcmbox_status_name(i));
	for (i = 0; i < BCMBOX_LAT_BUCKETS; i++) {
		if (names != NULL)
			bcmbox_lat_name(names[n].name, sizeof(names[n].name), "mbox_service", i);
		if (values != NULL)
			values[n] = c->lat[i];
		n++;
	}
	if (pf->data_slots != 0) {
		/* "switch_drop_<reason>": the reason as in enum bcnic_drop. */
		static const char *const drop_names[BCNIC_DROP__MAX] = {
			[BCNIC_DROP_UNKNOWN_DST] = "unknown_dst",
			[BCNIC_DROP_RX_RING_FULL] = "rx_ring_full",
			[BCNIC_DROP_NO_MBUF] = "no_mbuf",
			[BCNIC_DROP_LINK_DOWN] = "link_down",
			[BCNIC_DROP_NOT_ATTACHED] = "not_attached",
			[BCNIC_DROP_MALFORMED] = "malformed",
			[BCNIC_DROP_HAIRPIN] = "hairpin",
			[BCNIC_DROP_OVERSIZE] = "oversize",
			[BCNIC_DROP_RX_MODE] = "rx_mode",
		};

		ITEM(pf->sw.forwarded, "switch_forwarded");
		ITEM(pf->sw.flooded, "switch_flooded");
		for (i = 0; i < BCNIC_DROP__MAX; i++)
			ITEM(pf->sw.drops[i], "switch_drop_%s", drop_names[i]);
	}
	ITEM(pf->rounds, "mbox_poller_rounds");
	ITEM(pf->idle_sleeps, "mbox_poller_idle_sleeps");
	for (uint16_t vf = 0; vf < RTE_MIN(pf->num_vfs, XSTATS_PER_VF_MAX); vf++)
		for (i = 0; i < RTE_DIM(bcnic_pf_vf_counters); i++)
			ITEM(*(const uint64_t *)((const uint8_t *)&pf->vfs[vf].info +
						 bcnic_pf_vf_counters[i].off),
			     "vf%u_%s", vf, bcnic_pf_vf_counters[i].name);
	for (uint16_t vf = 0; pf->data_slots != 0 && vf < RTE_MIN(pf->num_vfs, XSTATS_PER_VF_MAX); vf++) {
		const struct bcnic_vf_dp *d = &pf->vfs[vf].dp;

#define DP_ITEM(f) ITEM(d->f, "vf%u_dp_" #f, vf)	/* "vf<n>_dp_<field>" */
		DP_ITEM(tx_packets);
		DP_ITEM(tx_bytes);
		DP_ITEM(rx_packets);
		DP_ITEM(rx_bytes);
		DP_ITEM(rx_full);
		DP_ITEM(rx_oversize);
		DP_ITEM(tx_dropped);
#undef DP_ITEM
	}
#undef ITEM
	return n;
}

int
bcnic_pf_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	unsigned int n = bcnic_pf_xstats_walk(pf, NULL, NULL);

	if (names == NULL || size < n)
		return (int)n;
	return (int)bcnic_pf_xstats_walk(pf, names, NULL);
}

int
bcnic_pf_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	unsigned int n = bcnic_pf_xstats_walk(pf, NULL, NULL);
	uint64_t *values;

	if (xs == NULL || size < n)
		return (int)n;
	values = malloc(n * sizeof(*values));
	if (values == NULL)
		return -ENOMEM;
	bcnic_pf_xstats_walk(pf, NULL, values);
	for (unsigned int i = 0; i < n; i++) {
		xs[i].id = i;
		xs[i].value = values[i];
	}
	free(values);
	return (int)n;
}

int
bcnic_pf_xstats_reset(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	memset(&pf->cnt, 0, sizeof(pf->cnt));
	pf->sw.forwarded = pf->sw.flooded = 0;
	memset(pf->sw.drops, 0, sizeof(pf->sw.drops));
	for (uint16_t vf = 0; vf < pf->num_vfs; vf++) {
		struct rte_pmd_bcnic_vf_info *i = &pf->vfs[vf].info;

		i->requests = i->rejected = i->stale = i->throttled = 0;
	}
	return 0;
}
