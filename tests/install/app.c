/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An application of the installed bcnic, built by tests/install/test_install.py
 * in a folder outside the source tree from the installed header and pkg-config
 * file only:
 *     cc -Wall -Wextra -Werror app.c $(pkg-config --cflags --libs libdpdk libdpdk-bcnic)
 * EAL makes the ports from --vdev net_bcnic_pf0,... --vdev net_bcnic_vf0,...
 * with the plugin it finds in DPDK's PMD directory; the private API comes from
 * the library the program links. Checks that the two are one copy of the
 * driver, then one VF read and one VF write, each checked from the PF side.
 * Prints "app: ok" and exits 0, or says what failed and exits 1.
 */
#define ALLOW_EXPERIMENTAL_API 1	/* the rte_pmd_bcnic_* functions are experimental */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_pmd_bcnic.h>

#define BLOCK	0x1234u

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "app: %s: %s (%d)\n", what, rte_strerror(rc < 0 ? -rc : rc), rc);
	return 1;
}

/* Files named librte_net_bcnic* mapped in this process, told apart by device and inode. */
static int
driver_copies(void)
{
	char line[4096], seen[8][64];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		char dev[32], path[4000] = "", id[64];
		unsigned long inode;
		int i;

		if (sscanf(line, "%*s %*s %*s %31s %lu %3999s", dev, &inode, path) < 3 ||
		    strstr(path, "librte_net_bcnic") == NULL)
			continue;
		snprintf(id, sizeof(id), "%s:%lu", dev, inode);
		for (i = 0; i < n && strcmp(seen[i], id) != 0; i++)
			;
		if (i == n && n < 8) {
			strcpy(seen[n++], id);
			printf("app: driver mapped from %s\n", path);
		}
	}
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	struct rte_pmd_bcnic_block_def def = {
		.id = BLOCK, .size = 64,
		.scope = RTE_PMD_BCNIC_SCOPE_PER_VF, .access = RTE_PMD_BCNIC_ACCESS_RW,
	};
	static const char pf_text[16] = "from-the-pf", vf_text[16] = "from-the-vf";
	char buf[16];
	uint16_t pf, vf;
	uint32_t ver = 0;
	int rc, copies;

	rc = rte_eal_init(argc, argv);
	if (rc < 0)
		return fail("rte_eal_init", -rte_errno);
	if (rte_eth_dev_get_port_by_name("net_bcnic_pf0", &pf) != 0 ||
	    rte_eth_dev_get_port_by_name("net_bcnic_vf0", &vf) != 0)
		return fail("no net_bcnic_pf0 and net_bcnic_vf0 ports (plugin not loaded?)", -ENODEV);
	copies = driver_copies();
	if (copies != 1) {
		fprintf(stderr, "app: %d copies of the driver mapped, expected 1\n", copies);
		return 1;
	}
	/* The port EAL made is one the linked API knows (a second copy would say -ENOTSUP). */
	rc = rte_pmd_bcnic_vf_block_read(pf, RTE_PMD_BCNIC_BLOCK_MAC, 0, buf, 6, NULL, -1);
	if (rc != -ENOTSUP)
		return fail("VF read on the PF port should be -ENOTSUP", rc);

	rc = rte_pmd_bcnic_pf_block_define(pf, &def);
	if (rc != 0)
		return fail("rte_pmd_bcnic_pf_block_define", rc);
	rc = rte_pmd_bcnic_pf_block_set(pf, BLOCK, 0, 0, pf_text, sizeof(pf_text));
	if (rc != 0)
		return fail("rte_pmd_bcnic_pf_block_set", rc);

	rc = rte_pmd_bcnic_vf_block_read(vf, BLOCK, 0, buf, sizeof(buf), &ver, 2000);
	if (rc != (int)sizeof(buf))
		return fail("rte_pmd_bcnic_vf_block_read", rc);
	if (memcmp(buf, pf_text, sizeof(buf)) != 0) {
		fprintf(stderr, "app: VF read \"%.16s\", PF wrote \"%s\"\n", buf, pf_text);
		return 1;
	}
	printf("app: VF read \"%s\" (version %" PRIu32 ")\n", buf, ver);

	rc = rte_pmd_bcnic_vf_block_write(vf, BLOCK, 32, vf_text, sizeof(vf_text), &ver, 2000);
	if (rc != (int)sizeof(vf_text))
		return fail("rte_pmd_bcnic_vf_block_write", rc);
	rc = rte_pmd_bcnic_pf_block_get(pf, BLOCK, 0, 32, buf, sizeof(buf), NULL);
	if (rc != 0)
		return fail("rte_pmd_bcnic_pf_block_get", rc);
	if (memcmp(buf, vf_text, sizeof(buf)) != 0) {
		fprintf(stderr, "app: PF sees \"%.16s\", VF wrote \"%s\"\n", buf, vf_text);
		return 1;
	}
	printf("app: VF wrote \"%s\" (version %" PRIu32 "), PF read it back\n", vf_text, ver);

	rte_eth_dev_close(vf);
	rte_eth_dev_close(pf);
	rte_eal_cleanup();
	printf("app: ok\n");
	return 0;
}
