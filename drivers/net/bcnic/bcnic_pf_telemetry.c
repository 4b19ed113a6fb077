/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF telemetry commands under /bcnic/ (list PFs, one PF's VFs, its blocks),
 * readable with dpdk-telemetry.py. Values may be slightly behind the poller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_telemetry.h>

#include "bcnic_pf.h"

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

/* Parse "<port>[,<first>]"; the PF or NULL. */
static struct bcnic_pf *
pf_and_first(const char *params, unsigned long *first)
{
	char port_str[16];
	const char *comma;

	*first = 0;
	if (params == NULL)
		return NULL;
	comma = strchr(params, ',');
	if (comma != NULL) {
		char *e;

		if ((size_t)(comma - params) >= sizeof(port_str) || comma[1] < '0' ||
		    comma[1] > '9')
			return NULL;
		*first = strtoul(comma + 1, &e, 10);
		if (*e != '\0')
			return NULL;
		memcpy(port_str, params, comma - params);
		port_str[comma - params] = '\0';
		params = port_str;
	}
	return pf_from_params(params);
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
	/* Relaxed: a flag, a snapshot. */
	rte_tel_data_add_dict_int(d, "link_up", __atomic_load_n(&pf->link_up, __ATOMIC_RELAXED));
	n = bcnic_pf_xstats_walk(pf, NULL, NULL);
	values = malloc(n * sizeof(*values));
	names = malloc(n * sizeof(*names));
	if (values != NULL && names != NULL) {
		bcnic_pf_xstats_walk(pf, names, values);
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
	struct bcnic_pf *pf;
	unsigned long first;
	uint16_t end;

	RTE_SET_USED(cmd);
	RTE_BUILD_BUG_ON(RTE_DIM(bcnic_pf_vf_counters) != 5);	/* VFS_ENTRY_MAX has them all */
	RTE_BUILD_BUG_ON(VFS_PAGE * (sizeof(VFS_ENTRY_MAX) - 1) + sizeof(VFS_HEAD_MAX) >
			 TEL_REPLY_MAX);
	RTE_BUILD_BUG_ON(VFS_PAGE + 3 > RTE_TEL_MAX_DICT_ENTRIES);
	pf = pf_and_first(params, &first);
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
		for (unsigned int k = 0; k < RTE_DIM(bcnic_pf_vf_counters); k++)
			rte_tel_data_add_dict_u64(v, bcnic_pf_vf_counters[k].name,
						  *(const uint64_t *)((const uint8_t *)i +
								      bcnic_pf_vf_counters[k].off));
		snprintf(key, sizeof(key), "vf%u", vf);
		rte_tel_data_add_dict_container(d, key, v, 0);
	}
	return 0;
}

/*
 * /bcnic/blocks pages the same way, by bytes: a block's entry is at most
 * BLOCK_ENTRY_MAX plus one VERSION_MAX per copy (a per-VF block of 256 VFs
 * takes about 2.9 KiB), and a page takes blocks while their longest
 * possible entries fit beside BLOCKS_HEAD_MAX.
 */
#define BLOCK_ENTRY_MAX ",\"0xffffffff\":{\"size\":4294967295,\"scope\":\"per_vf\"," \
	"\"versions\":[]}"
#define VERSION_MAX "4294967295,"	/* versions are uint32_t */
#define BLOCKS_HEAD_MAX "{\"/bcnic/blocks\":{\"total_blocks\":4294967295,\"first\":4294967295," \
	"\"next\":4294967295}}"

static size_t
block_entry_max(const struct bcnic_block *blk)
{
	return sizeof(BLOCK_ENTRY_MAX) - 1 + blk->ncopies * (sizeof(VERSION_MAX) - 1);
}

/* "/bcnic/blocks,<port>[,<first>]": blocks from index first, as many as surely fit. */
static int
tel_blocks(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long first;
	struct bcnic_pf *pf = pf_and_first(params, &first);
	size_t used = sizeof(BLOCKS_HEAD_MAX);
	uint32_t count, end;

	RTE_SET_USED(cmd);
	/* The largest block entry (a per-VF block of 256 VFs) fits a page alone. */
	RTE_BUILD_BUG_ON(sizeof(BLOCKS_HEAD_MAX) + sizeof(BLOCK_ENTRY_MAX) +
			 BCMBOX_MAX_VFS * (sizeof(VERSION_MAX) - 1) > TEL_REPLY_MAX);
	RTE_BUILD_BUG_ON(BCMBOX_MAX_VFS > RTE_TEL_MAX_ARRAY_ENTRIES);
	if (pf == NULL)
		return -EINVAL;
	/* Load-acquire synchronizes with the store-release of count in bcnic_store_define(). */
	count = __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE);
	if (first > count)
		return -EINVAL;
	for (end = (uint32_t)first; end < count && end - first < RTE_TEL_MAX_DICT_ENTRIES - 3;
	     end++) {
		used += block_entry_max(&pf->store.blocks[end]);
		if (used > TEL_REPLY_MAX)
			break;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total_blocks", count);
	rte_tel_data_add_dict_u64(d, "first", first);
	rte_tel_data_add_dict_u64(d, "next", end);
	for (uint32_t b = (uint32_t)first; b < end; b++) {
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
			/* Relaxed: a snapshot; no bytes are read behind it. */
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
				   "A PF's blocks, a page from block first: size, scope, versions; "
				   "total_blocks, next. Parameters: PF port id[,first block]");
}
