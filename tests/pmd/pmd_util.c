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

int
pmd_window_map(const char *dev, unsigned int vf, void **base, size_t *size)
{
	char path[128];
	struct stat st;
	void *p;
	int fd;

	bcmbox_shm_name(path, sizeof(path), dev, (int)vf);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -errno;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	*size = (size_t)st.st_size;
	return 0;
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
