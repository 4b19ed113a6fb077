/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "bcmbox.h"
#include <rte_ethdev.h>

#include "pmd_util.h"

char uniq[64];

void
pmd_uniq_init(char tag)
{
	snprintf(uniq, sizeof(uniq), "%c%d-", tag, getpid());
}

const char *
devname(const char *tag)
{
	static char buf[4][96];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s%s", uniq, tag);
	return buf[k];
}

int
port_of(const char *vdev)
{
	uint16_t port;

	return rte_eth_dev_get_port_by_name(vdev, &port) == 0 ? port : -1;
}

void
cleanup_shm(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char name[300];

		if (strstr(e->d_name, uniq) != NULL) {
			snprintf(name, sizeof(name), "/%s", e->d_name);
			shm_unlink(name);
		}
	}
	if (d != NULL)
		closedir(d);
}

void
finish(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}
