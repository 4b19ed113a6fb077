/* SPDX-License-Identifier: BSD-3-Clause */
/* What every PMD test program needs: per-process device names, ports by name, cleanup. */
#ifndef PMD_UTIL_H
#define PMD_UTIL_H

#include <stddef.h>

extern char uniq[64];		/* per-process prefix of device names, e.g. "t<pid>-" */

/* Set uniq to "<tag><pid>-": tests running in parallel never share a device. */
void pmd_uniq_init(char tag);
/* uniq + tag; four results stay valid at a time. */
const char *devname(const char *tag);
/* The port of an ethdev by name, or -1. */
int port_of(const char *vdev);
/* Remove every /dev/shm object this process's devices left (a failed check skips a detach). */
void cleanup_shm(void);
/* EAL cleanup, then remove its (empty, with --no-shconf) runtime folder if nobody else uses it. */
void finish(void);

#endif
