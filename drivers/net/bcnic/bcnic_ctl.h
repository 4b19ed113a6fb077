/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcnic control socket (shm transport): how a VF process gets its doorbells
 * and learns at once that its PF process died.
 *
 * The PF listens on a per-device UNIX SOCK_SEQPACKET socket. A VF connects,
 * sends a hello (magic, version, VF index); the PF answers with a welcome
 * carrying, by SCM_RIGHTS, two eventfds (as memif hands its region and
 * interrupt fds): the VF's doorbell (the PF rings it, the VF waits on it)
 * and the PF's doorbell for that VF (the VF rings it). The connection then
 * stays open and silent: the PF sees the VF process die as a hang-up on its
 * connection, the VF sees the PF die as a hang-up (POLLHUP/EPOLLRDHUP, read
 * 0) on its socket, without waiting for the heartbeat.
 *
 * Plain POSIX, no DPDK: the PF's control thread and the VF's event thread
 * put the fds given here in their own epoll sets.
 */
#ifndef BCNIC_CTL_H
#define BCNIC_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BCNIC_CTL_MAGIC		0x4c544342u	/* "BCTL" in memory */
#define BCNIC_CTL_VERSION	1u

/* VF -> PF, the first and only message of a VF. */
struct bcnic_ctl_hello {
	uint32_t magic;
	uint16_t version;
	uint16_t vf_index;
	uint32_t pid;			/* for messages only */
	uint32_t reserved;		/* 0 */
};

/* PF -> VF: status 0 comes with two fds (BCNIC_CTL_FD_*), else none and the PF closes. */
struct bcnic_ctl_welcome {
	uint32_t magic;
	uint16_t version;
	uint16_t vf_index;
	int32_t status;			/* 0 or -errno: EINVAL, EBUSY, EPROTONOSUPPORT, EPROTO */
	uint32_t nfds;
};

enum {
	BCNIC_CTL_FD_TO_VF = 0,		/* the VF's doorbell: PF rings, VF waits */
	BCNIC_CTL_FD_TO_PF = 1,		/* the PF's doorbell for this VF: VF rings, PF waits */
	BCNIC_CTL_NFDS = 2,
};

/*
 * The socket of device dev: "@bcnic.<dev>.ctl" (abstract namespace: gone
 * with the PF process, nothing to clean up) when abstract, else
 * "<runtime dir>/<dev>.ctl" with the runtime dir /run/bcnic for root,
 * $XDG_RUNTIME_DIR/bcnic, else /tmp/bcnic-<uid> (created 0700). A name that
 * starts with '@' anywhere in this API is an abstract one.
 * Returns 0, -ENAMETOOLONG, or -errno from creating the directory.
 */
int bcnic_ctl_path(char *buf, size_t len, const char *dev, bool abstract);

/* ---- PF side ---- */

struct bcnic_ctl_srv;

enum bcnic_ctl_evt_type {
	BCNIC_CTL_VF_UP = 1,		/* VF vf connected and got its fds */
	BCNIC_CTL_VF_DOWN = 2,		/* VF vf's connection closed (process died or left) */
	BCNIC_CTL_REFUSED = 3,		/* a connection was refused; status says why */
};

struct bcnic_ctl_evt {
	enum bcnic_ctl_evt_type type;
	uint16_t vf;
	int status;			/* REFUSED: -errno */
	uint32_t pid;			/* UP: the VF process (SO_PEERCRED) */
};

/*
 * Listen at path for VFs 0..num_vfs-1. A socket file left by a dead PF is
 * replaced; one a live PF answers on is not (-EADDRINUSE). Returns NULL with
 * errno set on failure.
 */
struct bcnic_ctl_srv *bcnic_ctl_srv_create(const char *path, uint16_t num_vfs);

/* Close every connection and eventfd, remove the socket file. NULL is a no-op. */
void bcnic_ctl_srv_destroy(struct bcnic_ctl_srv *srv);

/*
 * Do what is pending: accept connections, answer hellos, notice hang-ups.
 * Waits up to timeout_ms (0: just look, -1: until something happens).
 * Fills up to n events; returns their number or -errno. Never blocks on one
 * peer: a connection that has not said hello yet waits in a short queue.
 */
int bcnic_ctl_srv_service(struct bcnic_ctl_srv *srv, struct bcnic_ctl_evt *evts, int n,
			  int timeout_ms);

/* The listening socket, to put in an epoll set (readable: call service). */
int bcnic_ctl_srv_fd(const struct bcnic_ctl_srv *srv);

/* VF vf's connection (hang-up: call service), or -1 when not connected. */
int bcnic_ctl_srv_conn_fd(const struct bcnic_ctl_srv *srv, uint16_t vf);

/*
 * VF vf's eventfds (BCNIC_CTL_FD_TO_VF: the PF writes it to ring the VF;
 * BCNIC_CTL_FD_TO_PF: the PF waits on it), or -1 before the VF first
 * connected. They outlive a VF process, so the PF's epoll set does not change
 * when a VF restarts.
 */
int bcnic_ctl_srv_efd(const struct bcnic_ctl_srv *srv, uint16_t vf, int which);

/* ---- VF side ---- */

struct bcnic_ctl_vf {
	int sock;			/* hang-up: the PF process is gone */
	int fd[BCNIC_CTL_NFDS];		/* BCNIC_CTL_FD_TO_VF: wait on it; _TO_PF: ring it */
};

/*
 * Connect to the PF at path as VF vf_index and receive the doorbells,
 * waiting up to timeout_ms for the answer. Returns 0, or -errno: the PF's
 * status (-EINVAL, -EBUSY, ...), -ECONNREFUSED/-ENOENT (no PF listening),
 * -ETIMEDOUT, -EPROTO (not a bcnic PF).
 */
int bcnic_ctl_vf_connect(const char *path, uint16_t vf_index, int timeout_ms,
			 struct bcnic_ctl_vf *c);

/* Has the PF hung up? Looks without waiting. */
bool bcnic_ctl_vf_pf_gone(const struct bcnic_ctl_vf *c);

void bcnic_ctl_vf_close(struct bcnic_ctl_vf *c);

#ifdef __cplusplus
}
#endif

/* Socket helpers the control socket and the ivshmem server share. */
#define BCNIC_SOCK_MAX_FDS 4
/* Close *fd if open, mark it closed (-1). */
void bcnic_close_fd(int *fd);
/*
 * One message of len bytes with nfds (<= BCNIC_SOCK_MAX_FDS) descriptors
 * (SCM_RIGHTS), never blocking, never raising SIGPIPE. 0 or -errno.
 */
int bcnic_sock_send(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds);

#endif /* BCNIC_CTL_H */
