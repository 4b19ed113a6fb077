/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcnic control socket: doorbell eventfds over SCM_RIGHTS, and process
 * death as a hang-up. See bcnic_ctl.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bcnic_ctl.h"

/* Connections that have not said hello yet; the oldest is dropped for a new one. */
#define CTL_PENDING 8

struct ctl_vf {
	int conn;			/* -1: not connected */
	int efd[BCNIC_CTL_NFDS];	/* -1 until the first connection */
};

struct bcnic_ctl_srv {
	int lfd;
	struct sockaddr_un addr;
	socklen_t addr_len;
	bool abstract;
	uint16_t num_vfs;
	int pending[CTL_PENDING];
	struct ctl_vf vf[];
};

static int
ctl_addr(const char *path, struct sockaddr_un *a, socklen_t *len)
{
	size_t n = strlen(path);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memcpy(a->sun_path, path, n);
	/* "@name": abstract namespace, the leading NUL and no terminator. */
	if (path[0] == '@')
		a->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
	return 0;
}

int
bcnic_ctl_path(char *buf, size_t len, const char *dev, bool abstract)
{
	char dir[96];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (abstract) {
		n = snprintf(buf, len, "@bcnic.%s.ctl", dev);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	if (getuid() == 0)
		n = snprintf(dir, sizeof(dir), "/run/bcnic");
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/bcnic", xdg);
	else
		n = snprintf(dir, sizeof(dir), "/tmp/bcnic-%u", (unsigned int)getuid());
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	/* 0700: only this user's processes may connect (and get doorbells). */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	n = snprintf(buf, len, "%s/%s.ctl", dir, dev);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

void
bcnic_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
bcnic_sock_send(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * BCNIC_SOCK_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > BCNIC_SOCK_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	/*
	 * MSG_NOSIGNAL: a peer that already left must not kill the PF with
	 * SIGPIPE. MSG_DONTWAIT: the PF never blocks on a peer; what it sends
	 * on a fresh connection is far below the socket's buffer.
	 */
	return sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len ? 0 : -errno;
}

struct bcnic_ctl_srv *
bcnic_ctl_srv_create(const char *path, uint16_t num_vfs)
{
	struct bcnic_ctl_srv *srv;
	int rc;

	if (num_vfs == 0) {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv) + num_vfs * sizeof(srv->vf[0]));
	if (srv == NULL)
		return NULL;
	srv->num_vfs = num_vfs;
	srv->abstract = path[0] == '@';
	for (int i = 0; i < CTL_PENDING; i++)
		srv->pending[i] = -1;
	for (uint16_t v = 0; v < num_vfs; v++) {
		srv->vf[v].conn = -1;
		srv->vf[v].efd[0] = srv->vf[v].efd[1] = -1;
	}
	rc = ctl_addr(path, &srv->addr, &srv->addr_len);
	if (rc < 0)
		goto fail;
	srv->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0) {
		rc = -errno;
		goto fail;
	}
	if (bind(srv->lfd, (struct sockaddr *)&srv->addr, srv->addr_len) != 0) {
		rc = -errno;
		if (rc == -EADDRINUSE && !srv->abstract) {
			/* A file left by a dead PF refuses connections: replace it. */
			int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

			if (probe >= 0 && connect(probe, (struct sockaddr *)&srv->addr,
						  srv->addr_len) != 0 && errno == ECONNREFUSED) {
				unlink(srv->addr.sun_path);
				rc = bind(srv->lfd, (struct sockaddr *)&srv->addr, srv->addr_len) == 0 ?
					0 : -errno;
			}
			if (probe >= 0)
				close(probe);
		}
		if (rc < 0) {
			close(srv->lfd);
			goto fail;
		}
	}
	if (!srv->abstract)
		chmod(srv->addr.sun_path, 0600);
	if (listen(srv->lfd, 16) != 0) {
		rc = -errno;
		close(srv->lfd);
		if (!srv->abstract)
			unlink(srv->addr.sun_path);
		goto fail;
	}
	return srv;
fail:
	free(srv);
	errno = -rc;
	return NULL;
}

void
bcnic_ctl_srv_destroy(struct bcnic_ctl_srv *srv)
{
	if (srv == NULL)
		return;
	for (int i = 0; i < CTL_PENDING; i++)
		bcnic_close_fd(&srv->pending[i]);
	for (uint16_t v = 0; v < srv->num_vfs; v++) {
		bcnic_close_fd(&srv->vf[v].conn);
		bcnic_close_fd(&srv->vf[v].efd[0]);
		bcnic_close_fd(&srv->vf[v].efd[1]);
	}
	close(srv->lfd);
	if (!srv->abstract)
		unlink(srv->addr.sun_path);
	free(srv);
}

int
bcnic_ctl_srv_fd(const struct bcnic_ctl_srv *srv)
{
	return srv->lfd;
}

int
bcnic_ctl_srv_conn_fd(const struct bcnic_ctl_srv *srv, uint16_t vf)
{
	return vf < srv->num_vfs ? srv->vf[vf].conn : -1;
}

int
bcnic_ctl_srv_efd(const struct bcnic_ctl_srv *srv, uint16_t vf, int which)
{
	if (vf >= srv->num_vfs || which < 0 || which >= BCNIC_CTL_NFDS)
		return -1;
	return srv->vf[vf].efd[which];
}

static int
send_welcome(int fd, uint16_t vf, int status, const int *fds)
{
	struct bcnic_ctl_welcome w = {
		.magic = BCNIC_CTL_MAGIC,
		.version = BCNIC_CTL_VERSION,
		.vf_index = vf,
		.status = status,
		.nfds = fds != NULL ? BCNIC_CTL_NFDS : 0,
	};

	return bcnic_sock_send(fd, &w, sizeof(w), fds, fds != NULL ? BCNIC_CTL_NFDS : 0);
}

/* A hello arrived on pending connection fd: answer it. Returns the event to report. */
static struct bcnic_ctl_evt
handle_hello(struct bcnic_ctl_srv *srv, int fd)
{
	struct bcnic_ctl_evt ev = { .type = BCNIC_CTL_REFUSED };
	struct bcnic_ctl_hello h;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	ssize_t n = recv(fd, &h, sizeof(h), MSG_DONTWAIT);
	struct ctl_vf *vf;

	/* Only this user (or root) gets doorbells: matters for abstract names. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		ev.status = -EACCES;
		goto refuse;
	}
	if (n != (ssize_t)sizeof(h) || h.magic != BCNIC_CTL_MAGIC || h.reserved != 0) {
		ev.status = -EPROTO;
		goto refuse;
	}
	if (h.version != BCNIC_CTL_VERSION) {
		ev.status = -EPROTONOSUPPORT;
		goto refuse;
	}
	ev.vf = h.vf_index;
	if (h.vf_index >= srv->num_vfs) {
		ev.status = -EINVAL;
		goto refuse;
	}
	vf = &srv->vf[h.vf_index];
	if (vf->conn >= 0) {
		/* One VF process per window (the window's flock says the same). */
		ev.status = -EBUSY;
		goto refuse;
	}
	for (int i = 0; i < BCNIC_CTL_NFDS; i++) {
		if (vf->efd[i] >= 0)
			continue;
		/* Non-blocking: the PF's ring must never block on a full counter. */
		vf->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vf->efd[i] < 0) {
			ev.status = -errno;
			goto refuse;
		}
	}
	ev.status = send_welcome(fd, h.vf_index, 0, vf->efd);
	if (ev.status < 0) {
		close(fd);
		return ev;
	}
	vf->conn = fd;
	ev.type = BCNIC_CTL_VF_UP;
	ev.pid = (uint32_t)cred.pid;
	return ev;
refuse:
	send_welcome(fd, ev.vf, ev.status, NULL);
	close(fd);
	return ev;
}

static void
add_pending(struct bcnic_ctl_srv *srv, int fd)
{
	for (int i = 0; i < CTL_PENDING; i++) {
		if (srv->pending[i] < 0) {
			srv->pending[i] = fd;
			return;
		}
	}
	/* Full of silent peers: drop the oldest rather than refuse a real VF. */
	close(srv->pending[0]);
	memmove(&srv->pending[0], &srv->pending[1], sizeof(int) * (CTL_PENDING - 1));
	srv->pending[CTL_PENDING - 1] = fd;
}

int
bcnic_ctl_srv_service(struct bcnic_ctl_srv *srv, struct bcnic_ctl_evt *evts, int n,
		      int timeout_ms)
{
	int npfd = 1 + CTL_PENDING + srv->num_vfs;
	struct pollfd *p = calloc((size_t)npfd, sizeof(*p));
	int got = 0, rc;

	if (p == NULL)
		return -ENOMEM;
	p[0] = (struct pollfd){ .fd = srv->lfd, .events = POLLIN };
	for (int i = 0; i < CTL_PENDING; i++)
		p[1 + i] = (struct pollfd){ .fd = srv->pending[i], .events = POLLIN };
	for (uint16_t v = 0; v < srv->num_vfs; v++)
		p[1 + CTL_PENDING + v] = (struct pollfd){ .fd = srv->vf[v].conn, .events = POLLIN };
	rc = poll(p, (nfds_t)npfd, timeout_ms);
	if (rc < 0) {
		rc = errno == EINTR ? 0 : -errno;
		free(p);
		return rc;
	}
	/* Hang-ups first, so that a VF that restarted at once finds its slot free. */
	for (uint16_t v = 0; v < srv->num_vfs && got < n; v++) {
		struct ctl_vf *vf = &srv->vf[v];
		char b;

		if (p[1 + CTL_PENDING + v].revents == 0 || vf->conn < 0)
			continue;
		/* A VF never sends after its hello: readable means EOF or junk; both end it. */
		if (recv(vf->conn, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
			continue;
		bcnic_close_fd(&vf->conn);
		evts[got++] = (struct bcnic_ctl_evt){ .type = BCNIC_CTL_VF_DOWN, .vf = v };
	}
	for (int i = 0; i < CTL_PENDING && got < n; i++) {
		int fd = srv->pending[i];

		if (fd < 0 || p[1 + i].revents == 0 || fd != p[1 + i].fd)
			continue;
		srv->pending[i] = -1;
		evts[got++] = handle_hello(srv, fd);
	}
	if (p[0].revents & POLLIN) {
		for (;;) {
			int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd < 0)
				break;
			add_pending(srv, fd);
		}
	}
	free(p);
	return got;
}

/* ---- VF side ---- */

static int
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

int
bcnic_ctl_vf_connect(const char *path, uint16_t vf_index, int timeout_ms, struct bcnic_ctl_vf *c)
{
	struct bcnic_ctl_hello h = {
		.magic = BCNIC_CTL_MAGIC,
		.version = BCNIC_CTL_VERSION,
		.vf_index = vf_index,
		.pid = (uint32_t)getpid(),
	};
	struct bcnic_ctl_welcome w;
	struct sockaddr_un a;
	socklen_t alen;
	struct iovec iov = { .iov_base = &w, .iov_len = sizeof(w) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * BCNIC_CTL_NFDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct timespec t0;
	int fds[BCNIC_CTL_NFDS] = { -1, -1 };
	int nfds = 0, rc;
	ssize_t n;

	c->sock = c->fd[0] = c->fd[1] = -1;
	rc = ctl_addr(path, &a, &alen);
	if (rc < 0)
		return rc;
	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->sock < 0)
		return -errno;
	if (connect(c->sock, (struct sockaddr *)&a, alen) != 0 ||
	    send(c->sock, &h, sizeof(h), MSG_NOSIGNAL) != (ssize_t)sizeof(h)) {
		rc = -errno;
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = c->sock, .events = POLLIN };
		int left = timeout_ms < 0 ? -1 : timeout_ms - elapsed_ms(&t0);

		if (timeout_ms >= 0 && left <= 0) {
			rc = -ETIMEDOUT;
			goto fail;
		}
		rc = poll(&p, 1, left);
		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			goto fail;
		}
	}
	n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0) {
		rc = -errno;
		goto fail;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

		for (int i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nfds < BCNIC_CTL_NFDS)
				fds[nfds++] = fd;
			else
				close(fd);	/* more than asked for: not ours to keep */
		}
	}
	if (n == 0) {
		rc = -ECONNRESET;	/* the PF closed without a word */
		goto fail;
	}
	if (n != (ssize_t)sizeof(w) || w.magic != BCNIC_CTL_MAGIC || (mh.msg_flags & MSG_CTRUNC)) {
		rc = -EPROTO;
		goto fail;
	}
	if (w.status != 0) {
		rc = w.status < 0 ? w.status : -EPROTO;
		goto fail;
	}
	if (w.version != BCNIC_CTL_VERSION || w.vf_index != vf_index ||
	    w.nfds != BCNIC_CTL_NFDS || nfds != BCNIC_CTL_NFDS) {
		rc = -EPROTO;
		goto fail;
	}
	c->fd[0] = fds[0];
	c->fd[1] = fds[1];
	return 0;
fail:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	bcnic_close_fd(&c->sock);
	return rc;
}

bool
bcnic_ctl_vf_pf_gone(const struct bcnic_ctl_vf *c)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN | POLLRDHUP };

	if (c->sock < 0)
		return true;
	/* The PF never sends after its welcome: any event is the end. */
	return poll(&p, 1, 0) > 0 && p.revents != 0;
}

void
bcnic_ctl_vf_close(struct bcnic_ctl_vf *c)
{
	bcnic_close_fd(&c->sock);
	bcnic_close_fd(&c->fd[0]);
	bcnic_close_fd(&c->fd[1]);
}
