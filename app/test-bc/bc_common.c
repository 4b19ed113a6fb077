/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc: what every mode shares, below them all: the stop flag,
 * the PF and VF ports the modes measure, and the lcores they run on.
 * Calls nothing above it (modes, main).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include "rte_pmd_bcnic.h"
#include "test_bc.h"

volatile sig_atomic_t bc_quit;

double
bc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The VF side is a net_bcnic_vf port: the benchmark measures the private API. */
int
bc_vf_attach(const char *dev, unsigned int vf, uint16_t *port)
{
	char args[128], name[48];
	int rc;

	/*
	 * events=poll: no event thread to steal cycles from the measuring lcore.
	 * timeout_ms: asynchronous requests get the synchronous calls' timeout.
	 */
	snprintf(name, sizeof(name), "net_bcnic_vf_bench%u", vf);
	snprintf(args, sizeof(args), "%s,dev=%s,vf=%u,events=poll,timeout_ms=%u", name, dev, vf,
		 BC_TIMEOUT_MS);
	rc = rte_dev_probe(args);
	if (rc != 0) {
		fprintf(stderr, "VF %u of %s: cannot attach: %s\n", vf, dev, strerror(-rc));
		return rc;
	}
	return rte_eth_dev_get_port_by_name(name, port);
}

void
bc_vf_detach(unsigned int vf)
{
	char name[48];

	snprintf(name, sizeof(name), "net_bcnic_vf_bench%u", vf);
	rte_eal_hotplug_remove("vdev", name);
}

/* A PF with vfs VFs and the benchmark block; extra devargs after the user's. */
int
bc_pf_create(const struct bc_opts *o, unsigned int vfs, const char *extra, uint16_t *port)
{
	struct rte_pmd_bcnic_block_def d = { BC_BLOCK, RTE_PMD_BCNIC_MAX_BLOCK_SIZE,
					     RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_RW };
	char args[512];
	int rc;

	snprintf(args, sizeof(args), "net_bcnic_pf_bench,dev=%s,vfs=%u%s%s%s%s", o->dev, vfs,
		 o->pf_args[0] ? "," : "", o->pf_args, extra[0] ? "," : "", extra);
	rc = rte_dev_probe(args);
	if (rc != 0) {
		fprintf(stderr, "cannot create the PF (%s): %s\n", args, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name("net_bcnic_pf_bench", port);
	if (rc == 0)
		rc = rte_pmd_bcnic_pf_block_define(*port, &d);
	return rc;
}

void
bc_pf_destroy(void)
{
	rte_eal_hotplug_remove("vdev", "net_bcnic_pf_bench");
}

/* The lcore the other end runs on: the first service lcore, else the first worker. */
int
bc_server_lcore(bool *is_service)
{
	uint32_t list[RTE_MAX_LCORE];
	unsigned int lcore;

	if (rte_service_lcore_list(list, RTE_MAX_LCORE) > 0) {
		*is_service = true;
		return (int)list[0];
	}
	*is_service = false;
	RTE_LCORE_FOREACH_WORKER(lcore)
		return (int)lcore;
	return -1;
}

/*
 * Lend the service lcore to a baseline: pause the services mapped to it
 * (the PF poller among them) and stop it; bc_lcore_return() undoes it.
 */
#define BC_MAX_SERVICES 64	/* service ids looked at: EAL has fewer */
static int paused[BC_MAX_SERVICES];
static unsigned int npaused;

void
bc_lcore_borrow(unsigned int lcore, bool is_service)
{
	npaused = 0;
	if (!is_service)
		return;
	for (uint32_t id = 0; id < BC_MAX_SERVICES; id++) {
		if (rte_service_map_lcore_get(id, lcore) == 1 && rte_service_runstate_get(id) == 1) {
			rte_service_runstate_set(id, 0);
			paused[npaused++] = (int)id;
		}
	}
	rte_service_lcore_stop(lcore);
	rte_eal_wait_lcore(lcore);
}

void
bc_lcore_return(unsigned int lcore, bool is_service)
{
	if (!is_service)
		return;
	rte_service_lcore_start(lcore);
	for (unsigned int i = 0; i < npaused; i++)
		rte_service_runstate_set((uint32_t)paused[i], 1);
}
