/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF observability: xstats on the PF port and telemetry commands under
 * /bcnic/ (list PFs, one PF's VFs, its blocks). Counters are written by
 * the poller alone; readers may see them slightly behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_telemetry.h>

#include "bcnic_pf.h"

#define XSTATS_PER_VF_MAX 16	/* per-VF xstats for the first VFs; telemetry has all */

static const char *const req_names[] = { NULL, "hello", "list", "read", "write", "bye" };

static const struct {
	const char *name;
	size_t off;
} pf_counters[] = {
	{ "mbox_read_bytes", offsetof(struct bcnic_pf_counters, read_bytes) },
	{ "mbox_write_bytes", offsetof(struct bcnic_pf_counters, write_bytes) },
	{ "mbox_throttled", offsetof(struct bcnic_pf_counters, throttled) },
	{ "mbox_policy_rejects", offsetof(struct bcnic_pf_counters, policy_rejects) },
	{ "mbox_resp_ring_full", offsetof(struct bcnic_pf_counters, resp_ring_full) },
	{ "mbox_bad_consumer_pos", offsetof(struct bcnic_pf_counters, bad_cons) },
	{ "mbox_events", offsetof(struct bcnic_pf_counters, events) },
	{ "mbox_events_dropped", offsetof(struct bcnic_pf_counters, events_dropped) },
	{ "mbox_window_resets", offsetof(struct bcnic_pf_counters, resets) },
	{ "mbox_sessions", offsetof(struct bcnic_pf_counters, hellos) },
	{ "mbox_windows_restored", offsetof(struct bcnic_pf_counters, windows_restored) },
	{ "mbox_lines_republished", offsetof(struct bcnic_pf_counters, lines_republished) },
	{ "mbox_persist_errors", offsetof(struct bcnic_pf_counters, persist_errors) },
};

static const struct {
	const char *name;
	size_t off;
} vf_counters[] = {
	{ "requests", offsetof(struct rte_pmd_bcnic_vf_info, requests) },
	{ "rejected", offsetof(struct rte_pmd_bcnic_vf_info, rejected) },
	{ "stale", offsetof(struct rte_pmd_bcnic_vf_info, stale) },
	{ "throttled", offsetof(struct rte_pmd_bcnic_vf_info, throttled) },
	{ "events_dropped", offsetof(struct rte_pmd_bcnic_vf_info, events_dropped) },
};

/* One walk over every xstat: fills names or values (either may be NULL). */
static unsigned int
pf_xstats_walk(struct bcnic_pf *pf, struct rte_eth_xstat_name *names, uint64_t *values)
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
	for (i = 0; i < BCNIC_LAT_BUCKETS; i++) {
		if (i < BCNIC_LAT_BUCKETS - 1)
			ITEM(c->lat[i], "mbox_service_lt_%uns", bcnic_lat_bounds_ns[i]);
		else
			ITEM(c->lat[i], "mbox_service_ge_%uns", bcnic_lat_bounds_ns[i - 1]);
	}
	if (pf->data_slots != 0) {
		static const char *const drop_names[BCNIC_DROP__MAX] = {
			"unknown_dst", "rx_ring_full", "no_mbuf", "link_down", "not_attached",
			"malformed", "hairpin",
		};

		ITEM(pf->sw.forwarded, "switch_forwarded");
		ITEM(pf->sw.flooded, "switch_flooded");
		for (i = 0; i < BCNIC_DROP__MAX; i++)
			ITEM(pf->sw.drops[i], "switch_drop_%s", drop_names[i]);
	}
	ITEM(pf->rounds, "mbox_poller_rounds");
	ITEM(pf->idle_sleeps, "mbox_poller_idle_sleeps");
	for (uint16_t vf = 0; vf < RTE_MIN(pf->num_vfs, XSTATS_PER_VF_MAX); vf++)
		for (i = 0; i < RTE_DIM(vf_counters); i++)
			ITEM(*(const uint64_t *)((const uint8_t *)&pf->vfs[vf].info +
						 vf_counters[i].off),
			     "vf%u_%s", vf, vf_counters[i].name);
	for (uint16_t vf = 0; pf->data_slots != 0 && vf < RTE_MIN(pf->num_vfs, XSTATS_PER_VF_MAX); vf++) {
		const struct bcnic_vf_dp *d = &pf->vfs[vf].dp;

		ITEM(d->tx_packets, "vf%u_dp_tx_packets", vf);
		ITEM(d->tx_bytes, "vf%u_dp_tx_bytes", vf);
		ITEM(d->rx_packets, "vf%u_dp_rx_packets", vf);
		ITEM(d->rx_bytes, "vf%u_dp_rx_bytes", vf);
		ITEM(d->rx_full, "vf%u_dp_rx_full", vf);
	}
#undef ITEM
	return n;
}

int
bcnic_pf_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	unsigned int n = pf_xstats_walk(pf, NULL, NULL);

	if (names == NULL || size < n)
		return (int)n;
	return (int)pf_xstats_walk(pf, names, NULL);
}

int
bcnic_pf_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct bcnic_pf *pf = dev->data->dev_private;
	unsigned int n = pf_xstats_walk(pf, NULL, NULL);
	uint64_t *values;

	if (xs == NULL || size < n)
		return (int)n;
	values = malloc(n * sizeof(*values));
	if (values == NULL)
		return -ENOMEM;
	pf_xstats_walk(pf, NULL, values);
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

/* ---- telemetry ---- */

static const char *const mode_names[] = { "auto", "service", "thread", "app" };
static const char *const state_names[] = { "detached", "hello", "ready", "resetting" };

/* "/bcnic/pf,<port>" and friends: the PF behind the parameter, or NULL. */
static struct bcnic_pf *
pf_from_params(const char *params)
{
	char *end;
	unsigned long port;
	int err;

	if (params == NULL || *params == '\0')
		return NULL;
	port = strtoul(params, &end, 0);
	if (*end != '\0' || port >= RTE_MAX_ETHPORTS)
		return NULL;
	return bcnic_pf_from_port((uint16_t)port, &err);
}

static int
tel_pfs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t port;
	int err;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	RTE_ETH_FOREACH_DEV(port)
		if (bcnic_pf_from_port(port, &err) != NULL)
			rte_tel_data_add_array_int(d, port);
	return 0;
}

static int
tel_pf(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct bcnic_pf *pf = pf_from_params(params);
	unsigned int n;
	uint64_t *values;
	struct rte_eth_xstat_name *names;

	RTE_SET_USED(cmd);
	if (pf == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "dev", pf->dev_name);
	rte_tel_data_add_dict_int(d, "vfs", pf->num_vfs);
	rte_tel_data_add_dict_string(d, "poller", mode_names[pf->mode]);
	rte_tel_data_add_dict_u64(d, "pf_epoch", pf->shm->hdr->pf_epoch);
	rte_tel_data_add_dict_int(d, "blocks", (int)pf->store.count);
	rte_tel_data_add_dict_int(d, "link_up", __atomic_load_n(&pf->link_up, __ATOMIC_RELAXED));
	n = pf_xstats_walk(pf, NULL, NULL);
	values = malloc(n * sizeof(*values));
	names = malloc(n * sizeof(*names));
	if (values != NULL && names != NULL) {
		pf_xstats_walk(pf, names, values);
		for (unsigned int i = 0; i < n; i++)
			if (strncmp(names[i].name, "vf", 2) != 0)
				rte_tel_data_add_dict_u64(d, names[i].name, values[i]);
	}
	free(values);
	free(names);
	return 0;
}

/*
 * DPDK telemetry answers in one message of at most 16 KiB (MAX_OUTPUT_LEN in
 * lib/telemetry) and silently drops what does not fit. /bcnic/vfs therefore
 * answers a page of VFS_PAGE VFs, sized for the longest possible entry: a
 * 20-digit value in every counter, the longest state, a 3-digit index.
 */
#define TEL_REPLY_MAX (16 * 1024)
#define VFS_PAGE 64
#define VFS_ENTRY_MAX                                                                      \
	",\"vf255\":{\"state\":\"resetting\",\"epoch\":18446744073709551615,"               \
	"\"requests\":18446744073709551615,\"rejected\":18446744073709551615,"               \
	"\"stale\":18446744073709551615,\"throttled\":18446744073709551615,"                 \
	"\"events_dropped\":18446744073709551615}"
#define VFS_HEAD_MAX "{\"/bcnic/vfs\":{\"total_vfs\":256,\"first\":256,\"next\":256}}"

/* "/bcnic/vfs,<port>[,<first>]": VFs first .. first + VFS_PAGE - 1. */
static int
tel_vfs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char port_str[16];
	const char *comma;
	struct bcnic_pf *pf;
	unsigned long first = 0;
	uint16_t end;

	RTE_SET_USED(cmd);
	RTE_BUILD_BUG_ON(RTE_DIM(vf_counters) != 5);	/* VFS_ENTRY_MAX has them all */
	RTE_BUILD_BUG_ON(VFS_PAGE * (sizeof(VFS_ENTRY_MAX) - 1) + sizeof(VFS_HEAD_MAX) >
			 TEL_REPLY_MAX);
	RTE_BUILD_BUG_ON(VFS_PAGE + 3 > RTE_TEL_MAX_DICT_ENTRIES);
	if (params == NULL)
		return -EINVAL;
	comma = strchr(params, ',');
	if (comma != NULL) {
		char *e;

		if ((size_t)(comma - params) >= sizeof(port_str) || comma[1] < '0' ||
		    comma[1] > '9')
			return -EINVAL;
		first = strtoul(comma + 1, &e, 10);
		if (*e != '\0')
			return -EINVAL;
		memcpy(port_str, params, comma - params);
		port_str[comma - params] = '\0';
		params = port_str;
	}
	pf = pf_from_params(params);
	if (pf == NULL || first > pf->num_vfs)
		return -EINVAL;
	end = (uint16_t)RTE_MIN(first + VFS_PAGE, (unsigned long)pf->num_vfs);
	rte_tel_data_start_dict(d);
	/* First, so that they are there even if the page were cut short. */
	rte_tel_data_add_dict_int(d, "total_vfs", pf->num_vfs);
	rte_tel_data_add_dict_int(d, "first", (int)first);
	rte_tel_data_add_dict_int(d, "next", end);
	for (uint16_t vf = (uint16_t)first; vf < end; vf++) {
		const struct rte_pmd_bcnic_vf_info *i = &pf->vfs[vf].info;
		struct rte_tel_data *v = rte_tel_data_alloc();
		char key[16];

		if (v == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(v);
		rte_tel_data_add_dict_string(v, "state", state_names[i->state & 3]);
		rte_tel_data_add_dict_u64(v, "epoch", i->epoch);
		for (unsigned int k = 0; k < RTE_DIM(vf_counters); k++)
			rte_tel_data_add_dict_u64(v, vf_counters[k].name,
						  *(const uint64_t *)((const uint8_t *)i +
								      vf_counters[k].off));
		snprintf(key, sizeof(key), "vf%u", vf);
		rte_tel_data_add_dict_container(d, key, v, 0);
	}
	return 0;
}

static int
tel_blocks(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct bcnic_pf *pf = pf_from_params(params);
	uint32_t count;

	RTE_SET_USED(cmd);
	if (pf == NULL)
		return -EINVAL;
	count = __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE);
	rte_tel_data_start_dict(d);
	for (uint32_t b = 0; b < count; b++) {
		struct bcnic_block *blk = &pf->store.blocks[b];
		struct rte_tel_data *v = rte_tel_data_alloc();
		struct rte_tel_data *vers = rte_tel_data_alloc();
		char key[16];

		if (v == NULL || vers == NULL) {
			rte_tel_data_free(v);
			rte_tel_data_free(vers);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(v);
		rte_tel_data_add_dict_u64(v, "size", blk->size);
		rte_tel_data_add_dict_string(v, "scope",
					     blk->scope == BCMBOX_SCOPE_SHARED ? "shared" : "per_vf");
		/* Versions: one per copy (one for a shared block). */
		rte_tel_data_start_array(vers, RTE_TEL_U64_VAL);
		for (uint16_t c = 0; c < blk->ncopies; c++)
			rte_tel_data_add_array_u64(vers, __atomic_load_n(&blk->copies[c].version,
									 __ATOMIC_RELAXED));
		rte_tel_data_add_dict_container(v, "versions", vers, 0);
		snprintf(key, sizeof(key), "0x%08x", blk->id);
		rte_tel_data_add_dict_container(d, key, v, 0);
	}
	return 0;
}

void
bcnic_telemetry_register(void)
{
	rte_telemetry_register_cmd("/bcnic/pfs", tel_pfs, "Ports of bcnic PFs. No parameters");
	rte_telemetry_register_cmd("/bcnic/pf", tel_pf,
				   "One PF: device, poller, epoch, counters. Parameter: port id");
	rte_telemetry_register_cmd("/bcnic/vfs", tel_vfs,
				   "A PF's VFs, 64 a page: state, epoch, counters; total_vfs, "
				   "next. Parameters: PF port id[,first VF]");
	rte_telemetry_register_cmd("/bcnic/blocks", tel_blocks,
				   "A PF's blocks: size, scope, versions. Parameter: PF port id");
}
