/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ivshmem server for one VF window (see bcnic_ivshmem_srv.h). Written from
 * the protocol text of QEMU's docs/specs/ivshmem-spec.rst.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bcnic_ctl.h"
#include "bcnic_ivshmem_srv.h"

struct bcnic_ivsrv {
	int lfd;
	int conn;			/* the guest, -1: none */
	int shm_fd;
	int host_efd;			/* peer BCNIC_IVSHMEM_HOST_ID, vector 0 */
	int guest_efd;			/* peer BCNIC_IVSHMEM_GUEST_ID, vector 0 */
	struct sockaddr_un addr;
	socklen_t addr_len;
};

/* One message: an 8-byte little-endian number, with fd when fd >= 0. */
static int
send_msg(int sock, int64_t v, int fd)
{
	uint64_t le = htole64((uint64_t)v);

	/*
	 * One sendmsg per fd: a stream receiver gets each fd with the 8 bytes it
	 * came with (the kernel does not merge messages carrying fds).
	 */
	return bcnic_sock_send(sock, &le, sizeof(le), &fd, fd >= 0 ? 1 : 0);
}

static int
welcome(struct bcnic_ivsrv *s, int sock)
{
	int rc;

	/* ivshmem-spec "On connect": version, id, shm, other peers, own vectors. */
	rc = send_msg(sock, BCNIC_IVSHMEM_PROTO, -1);
	if (rc == 0)
		rc = send_msg(sock, BCNIC_IVSHMEM_GUEST_ID, -1);
	if (rc == 0)
		rc = send_msg(sock, -1, s->shm_fd);
	if (rc == 0)
		rc = send_msg(sock, BCNIC_IVSHMEM_HOST_ID, s->host_efd);
	if (rc == 0)
		rc = send_msg(sock, BCNIC_IVSHMEM_GUEST_ID, s->guest_efd);
	return rc;
}

struct bcnic_ivsrv *
bcnic_ivsrv_create(const char *path, int shm_fd)
{
	struct bcnic_ivsrv *s = calloc(1, sizeof(*s));
	size_t n = strlen(path);
	int rc = 0;

	if (s == NULL)
		return NULL;
	s->lfd = s->conn = s->shm_fd = s->host_efd = s->guest_efd = -1;
	if (n == 0 || n >= sizeof(s->addr.sun_path) || path[0] == '@') {
		/* QEMU's socket chardev takes a path; no abstract names here. */
		rc = -EINVAL;
		goto fail;
	}
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, n + 1);
	s->addr_len = (socklen_t)sizeof(s->addr);
	s->shm_fd = fcntl(shm_fd, F_DUPFD_CLOEXEC, 0);
	/* Non-blocking: the PF's ring must never block, whatever the guest does. */
	s->host_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->guest_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->shm_fd < 0 || s->host_efd < 0 || s->guest_efd < 0 || s->lfd < 0) {
		rc = -errno;
		goto fail;
	}
	if (bind(s->lfd, (struct sockaddr *)&s->addr, s->addr_len) != 0) {
		rc = -errno;
		if (rc == -EADDRINUSE) {
			/* A file left by a dead server refuses connections: replace it. */
			int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (probe >= 0 && connect(probe, (struct sockaddr *)&s->addr,
						  s->addr_len) != 0 && errno == ECONNREFUSED) {
				unlink(path);
				rc = bind(s->lfd, (struct sockaddr *)&s->addr, s->addr_len) == 0 ?
					0 : -errno;
			}
			if (probe >= 0)
				close(probe);
		}
		if (rc < 0)
			goto fail;
	}
	/* 0600: whoever connects gets the VF window. */
	chmod(path, 0600);
	if (listen(s->lfd, 4) != 0) {
		rc = -errno;
		unlink(path);
		goto fail;
	}
	return s;
fail:
	bcnic_close_fd(&s->lfd);
	bcnic_close_fd(&s->shm_fd);
	bcnic_close_fd(&s->host_efd);
	bcnic_close_fd(&s->guest_efd);
	free(s);
	errno = -rc;
	return NULL;
}

void
bcnic_ivsrv_destroy(struct bcnic_ivsrv *s)
{
	if (s == NULL)
		return;
	bcnic_close_fd(&s->conn);
	bcnic_close_fd(&s->lfd);
	unlink(s->addr.sun_path);
	bcnic_close_fd(&s->shm_fd);
	bcnic_close_fd(&s->host_efd);
	bcnic_close_fd(&s->guest_efd);
	free(s);
}

int
bcnic_ivsrv_service(struct bcnic_ivsrv *s, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = s->lfd, .events = POLLIN },
		{ .fd = s->conn, .events = POLLIN },
	};
	int rc = poll(p, 2, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? BCNIC_IVSRV_NONE : -errno;
	if (s->conn >= 0 && p[1].revents != 0) {
		char b[64];
		ssize_t n = recv(s->conn, b, sizeof(b), MSG_DONTWAIT);

		/* The connection is one-way: a client only ever closes it. Junk ends it too. */
		if (!(n < 0 && (errno == EAGAIN || errno == EINTR))) {
			bcnic_close_fd(&s->conn);
			return BCNIC_IVSRV_GUEST_DOWN;
		}
	}
	if (p[0].revents & POLLIN) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return BCNIC_IVSRV_NONE;
		if (s->conn >= 0) {
			/* One guest per window: the second gets nothing (its device fails to set up). */
			close(fd);
			return BCNIC_IVSRV_REFUSED;
		}
		/* Stale rings from the last guest would interrupt the new one for nothing. */
		uint64_t v;

		while (read(s->guest_efd, &v, sizeof(v)) > 0)
			;
		while (read(s->host_efd, &v, sizeof(v)) > 0)
			;
		if (welcome(s, fd) != 0) {
			close(fd);
			return BCNIC_IVSRV_GUEST_DOWN;
		}
		s->conn = fd;
		return BCNIC_IVSRV_GUEST_UP;
	}
	return BCNIC_IVSRV_NONE;
}

int
bcnic_ivsrv_fd(const struct bcnic_ivsrv *s)
{
	return s->lfd;
}

int
bcnic_ivsrv_conn_fd(const struct bcnic_ivsrv *s)
{
	return s->conn;
}

int
bcnic_ivsrv_host_efd(const struct bcnic_ivsrv *s)
{
	return s->host_efd;
}

int
bcnic_ivsrv_guest_efd(const struct bcnic_ivsrv *s)
{
	return s->guest_efd;
}
