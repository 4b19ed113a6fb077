/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ivshmem server protocol (QEMU docs/specs/ivshmem-spec.rst), served
 * by the PF process for one VF window: the pci transport's doorbells.
 *
 * A QEMU started with
 *   -chardev socket,path=<path>,id=c -device ivshmem-doorbell,chardev=c,vectors=1
 * connects to <path> (a UNIX stream socket) and is sent, as 8-byte
 * little-endian signed numbers each with at most one fd (SCM_RIGHTS):
 *   0 (protocol version); its peer id (BCNIC_IVSHMEM_GUEST_ID); -1 with the
 *   VF window's shm fd (BAR 2); BCNIC_IVSHMEM_HOST_ID with the host's
 *   eventfd (the guest's VF rings the PF by writing
 *   (BCNIC_IVSHMEM_HOST_ID << 16 | 0) to the doorbell register at BAR 0 +
 *   12); its own id with its eventfd (the PF writes it, QEMU raises MSI-X
 *   vector 0 in the guest).
 * The host is a peer that never connects: the PF holds its eventfd. One
 * guest per window at a time; another connection is closed at once. A
 * guest that goes away (QEMU exits or dies) is seen as the connection's
 * hang-up; the eventfds stay, so the PF's epoll set does not change.
 *
 * Plain POSIX, no DPDK.
 */
#ifndef BCNIC_IVSHMEM_SRV_H
#define BCNIC_IVSHMEM_SRV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BCNIC_IVSHMEM_PROTO	0	/* the protocol version QEMU speaks */
#define BCNIC_IVSHMEM_HOST_ID	0	/* the PF's peer id: the guest rings it */
#define BCNIC_IVSHMEM_GUEST_ID	1	/* the guest's peer id */
#define BCNIC_IVSHMEM_VECTORS	1	/* one vector each way */

struct bcnic_ivsrv;

enum bcnic_ivsrv_evt {
	BCNIC_IVSRV_NONE = 0,
	BCNIC_IVSRV_GUEST_UP = 1,	/* a guest connected and got the window and the eventfds */
	BCNIC_IVSRV_GUEST_DOWN = 2,	/* its connection closed */
	BCNIC_IVSRV_REFUSED = 3,	/* a second guest was turned away */
};

/*
 * Listen at path (a socket file left by a dead server is replaced; a live
 * one is not: -EADDRINUSE) and serve the shared-memory object shm_fd (dup'ed;
 * the caller keeps its own). Returns NULL with errno set on failure.
 */
struct bcnic_ivsrv *bcnic_ivsrv_create(const char *path, int shm_fd);

/* Close everything, remove the socket file. NULL is a no-op. */
void bcnic_ivsrv_destroy(struct bcnic_ivsrv *s);

/*
 * Accept a guest or notice its hang-up, waiting up to timeout_ms (0: just
 * look). Returns one event (BCNIC_IVSRV_NONE when nothing happened) or
 * -errno. Call again while it returns an event.
 */
int bcnic_ivsrv_service(struct bcnic_ivsrv *s, int timeout_ms);

/* The listening socket and the guest's connection (-1: none), for an epoll set. */
int bcnic_ivsrv_fd(const struct bcnic_ivsrv *s);
int bcnic_ivsrv_conn_fd(const struct bcnic_ivsrv *s);

/* The PF's doorbell (wait on it: the guest rang) and the guest's (write it: MSI-X 0). */
int bcnic_ivsrv_host_efd(const struct bcnic_ivsrv *s);
int bcnic_ivsrv_guest_efd(const struct bcnic_ivsrv *s);

#ifdef __cplusplus
}
#endif

#endif /* BCNIC_IVSHMEM_SRV_H */
