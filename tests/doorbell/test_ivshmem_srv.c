/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ivshmem server (drivers/net/bcnic/bcnic_ivshmem_srv.c): a test client
 * that speaks QEMU's side of docs/specs/ivshmem-spec.rst checks every
 * message, maps the window it was given and rings both ways; then, when
 * qemu-system-x86_64 is installed, a real QEMU with ivshmem-doorbell
 * (paused, no guest) takes the setup, and services the guest's vector;
 * and a guest of a few instructions rings the PF through the doorbell register.
 *   Usage: test_ivshmem_srv [case...]
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bcnic_ivshmem_srv.h"
#include "check.h"

int check_failures;

#define WIN_SIZE 65536u
#define PATTERN 0x43494e42u

static char dir[64];

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A window object without /dev/shm (nothing to clean up): memfd, first word set. */
static int
make_window(void)
{
	int fd = memfd_create("bcnic-ivshmem-test", MFD_CLOEXEC);
	uint32_t *p;

	if (fd < 0 || ftruncate(fd, WIN_SIZE) != 0)
		return -1;
	p = mmap(NULL, WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	p[0] = PATTERN;
	munmap(p, WIN_SIZE);
	return fd;
}

static int
client_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/* QEMU's side: one 8-byte little-endian number, maybe an fd. 1 read, 0 EOF, -1 error. */
static int
client_recv(int s, int64_t *v, int *fd)
{
	uint64_t le;
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct pollfd p = { .fd = s, .events = POLLIN };
	ssize_t n;

	*fd = -1;
	if (poll(&p, 1, 5000) != 1)
		return -1;
	n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(le))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		if (c->cmsg_len != CMSG_LEN(sizeof(int)) || *fd >= 0)
			return -1;	/* the spec: at most one fd per message */
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	}
	*v = (int64_t)le64toh(le);
	return 1;
}

static bool
readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

struct guest {
	int sock, shm, peer0, self;
};

/* The whole setup as QEMU reads it, each step checked. */
static void
guest_setup(struct guest *g)
{
	int64_t v;
	int fd;
	struct stat st;

	g->shm = g->peer0 = g->self = -1;
	CHECK_EQ(client_recv(g->sock, &v, &fd), 1);
	CHECK_EQ(v, BCNIC_IVSHMEM_PROTO);
	CHECK_EQ(fd, -1);
	CHECK_EQ(client_recv(g->sock, &v, &fd), 1);
	CHECK_EQ(v, BCNIC_IVSHMEM_GUEST_ID);
	CHECK_EQ(fd, -1);
	CHECK_EQ(client_recv(g->sock, &v, &g->shm), 1);
	CHECK_EQ(v, -1);
	CHECK(g->shm >= 0 && fstat(g->shm, &st) == 0 && st.st_size == WIN_SIZE);
	if (g->shm >= 0) {
		uint32_t *p = mmap(NULL, WIN_SIZE, PROT_READ, MAP_SHARED, g->shm, 0);

		CHECK(p != MAP_FAILED && p[0] == PATTERN);	/* the very window the PF made */
		if (p != MAP_FAILED)
			munmap(p, WIN_SIZE);
	}
	/* Peer 0 (the host) with one vector, then our own vector. */
	CHECK_EQ(client_recv(g->sock, &v, &g->peer0), 1);
	CHECK_EQ(v, BCNIC_IVSHMEM_HOST_ID);
	CHECK(g->peer0 >= 0);
	CHECK_EQ(client_recv(g->sock, &v, &g->self), 1);
	CHECK_EQ(v, BCNIC_IVSHMEM_GUEST_ID);
	CHECK(g->self >= 0);
	/* And nothing more: the connection is quiet until a peer comes or goes. */
	CHECK(!readable(g->sock, 50));
}

static void
guest_close(struct guest *g)
{
	int *fds[] = { &g->sock, &g->shm, &g->peer0, &g->self };

	for (unsigned int i = 0; i < 4; i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

static void
ivshmem_client(void)
{
	char path[100];
	struct bcnic_ivsrv *s;
	struct guest g;
	uint64_t v = 1;
	int shm = make_window();

	REQUIRE(shm >= 0);
	snprintf(path, sizeof(path), "%s/vf0.ivshmem", dir);
	s = bcnic_ivsrv_create(path, shm);
	REQUIRE(s != NULL);
	CHECK(bcnic_ivsrv_create(path, shm) == NULL && errno == EADDRINUSE);
	/*
	 * The failed create's probe connected and left: a guest that came and
	 * went (or left before its welcome was sent). Either way, none is left.
	 */
	for (int i = 0; i < 4 && bcnic_ivsrv_service(s, 100) != BCNIC_IVSRV_NONE; i++)
		;
	CHECK_EQ(bcnic_ivsrv_conn_fd(s), -1);

	for (int round = 0; round < 2; round++) {
		g.sock = client_connect(path);
		REQUIRE(g.sock >= 0);
		CHECK_EQ(bcnic_ivsrv_service(s, 1000), BCNIC_IVSRV_GUEST_UP);
		CHECK(bcnic_ivsrv_conn_fd(s) >= 0);
		guest_setup(&g);
		/* The guest's doorbell write (peer 0, vector 0) wakes the PF ... */
		CHECK(!readable(bcnic_ivsrv_host_efd(s), 0));
		CHECK(write(g.peer0, &v, sizeof(v)) == sizeof(v));
		CHECK(readable(bcnic_ivsrv_host_efd(s), 1000));
		/* ... and the PF's ring reaches the guest's vector 0. */
		CHECK(!readable(g.self, 0));
		CHECK(write(bcnic_ivsrv_guest_efd(s), &v, sizeof(v)) == sizeof(v));
		CHECK(readable(g.self, 1000));

		/* A second QEMU for the same window is turned away with nothing. */
		int second = client_connect(path);
		int fd;
		int64_t x;

		CHECK(second >= 0);
		CHECK_EQ(bcnic_ivsrv_service(s, 1000), BCNIC_IVSRV_REFUSED);
		CHECK_EQ(client_recv(second, &x, &fd), 0);
		close(second);

		guest_close(&g);
		CHECK_EQ(bcnic_ivsrv_service(s, 1000), BCNIC_IVSRV_GUEST_DOWN);
		CHECK_EQ(bcnic_ivsrv_conn_fd(s), -1);
		CHECK_EQ(bcnic_ivsrv_service(s, 0), BCNIC_IVSRV_NONE);
	}
	bcnic_ivsrv_destroy(s);
	CHECK(!exists(path));
	close(shm);
}

/* A real QEMU: ivshmem-doorbell, paused before any guest code (-S), TCG. */
static void
ivshmem_qemu(void)
{
	const char *qemu = "/usr/bin/qemu-system-x86_64";
	char path[100], chardev[160];
	struct bcnic_ivsrv *s;
	int shm, ev = BCNIC_IVSRV_NONE, status, efd;
	uint64_t v = 1;
	pid_t pid;

	if (access(qemu, X_OK) != 0) {
		printf("  skipped: no %s\n", qemu);
		return;
	}
	shm = make_window();
	REQUIRE(shm >= 0);
	snprintf(path, sizeof(path), "%s/qemu.ivshmem", dir);
	s = bcnic_ivsrv_create(path, shm);
	REQUIRE(s != NULL);
	snprintf(chardev, sizeof(chardev), "socket,path=%s,id=c", path);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		execl(qemu, qemu, "-M", "q35", "-accel", "tcg", "-S", "-display", "none",
		      "-nodefaults", "-m", "64", "-chardev", chardev,
		      "-device", "ivshmem-doorbell,chardev=c,vectors=1", (char *)NULL);
		_exit(127);
	}
	for (double t0 = now_ms(); ev == BCNIC_IVSRV_NONE && now_ms() - t0 < 20000;)
		ev = bcnic_ivsrv_service(s, 200);
	CHECK_EQ(ev, BCNIC_IVSRV_GUEST_UP);
	/*
	 * QEMU watches the guest's vector eventfd once it took the whole setup
	 * (its own id's fd is the last message): a ring is consumed by QEMU
	 * (drained, then an MSI-X message if the guest enabled it).
	 */
	efd = bcnic_ivsrv_guest_efd(s);
	CHECK(write(efd, &v, sizeof(v)) == sizeof(v));
	bool drained = false;

	for (double t0 = now_ms(); !drained && now_ms() - t0 < 5000;) {
		usleep(2000);
		drained = !readable(efd, 0);
	}
	CHECK(drained);
	/* QEMU stayed up (a setup it disliked would have stopped it). */
	CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
	kill(pid, SIGKILL);
	ev = bcnic_ivsrv_service(s, 5000);
	CHECK_EQ(ev, BCNIC_IVSRV_GUEST_DOWN);
	CHECK(waitpid(pid, &status, 0) == pid);
	bcnic_ivsrv_destroy(s);
	CHECK(!exists(path));
	close(shm);
}

/*
 * A real guest (tests/doorbell/ivshmem_guest.s, BCNIC_IVSHMEM_GUEST): it
 * reads its peer id and BAR 2 and rings peer 0 through the doorbell
 * register; the PF's eventfd must wake.
 */
static void
ivshmem_guest(void)
{
	const char *qemu = "/usr/bin/qemu-system-x86_64";
	const char *kernel = getenv("BCNIC_IVSHMEM_GUEST");
	char path[100], chardev[160], out[64] = "";
	struct bcnic_ivsrv *s;
	int shm, ev = BCNIC_IVSRV_NONE, status, pfd[2];
	size_t got = 0;
	pid_t pid;

	if (access(qemu, X_OK) != 0 || kernel == NULL) {
		printf("  skipped: no %s or no BCNIC_IVSHMEM_GUEST\n", qemu);
		return;
	}
	shm = make_window();
	REQUIRE(shm >= 0);
	REQUIRE(pipe(pfd) == 0);
	snprintf(path, sizeof(path), "%s/guest.ivshmem", dir);
	s = bcnic_ivsrv_create(path, shm);
	REQUIRE(s != NULL);
	snprintf(chardev, sizeof(chardev), "socket,path=%s,id=c", path);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(pfd[1], 1);	/* the debug console */
		close(pfd[0]);
		execl(qemu, qemu, "-M", "q35", "-accel", "tcg", "-display", "none",
		      "-nodefaults", "-m", "64", "-kernel", kernel, "-debugcon", "stdio",
		      "-chardev", chardev, "-device", "ivshmem-doorbell,chardev=c,vectors=1",
		      (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (double t0 = now_ms(); ev == BCNIC_IVSRV_NONE && now_ms() - t0 < 20000;)
		ev = bcnic_ivsrv_service(s, 200);
	CHECK_EQ(ev, BCNIC_IVSRV_GUEST_UP);

	double t0 = now_ms();
	bool rang = readable(bcnic_ivsrv_host_efd(s), 30000);

	printf("  guest's doorbell write %s the PF's eventfd after %.0f ms\n",
	       rang ? "woke" : "did NOT wake", now_ms() - t0);
	CHECK(rang);
	/* What the guest saw: its id (1), the window's pattern in BAR 2, the doorbell rung. */
	while (got < 3 && readable(pfd[0], 5000)) {
		ssize_t n = read(pfd[0], out + got, sizeof(out) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	printf("  guest said \"%s\"\n", out);
	CHECK(strcmp(out, "1PD") == 0);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_EQ(bcnic_ivsrv_service(s, 5000), BCNIC_IVSRV_GUEST_DOWN);
	close(pfd[0]);
	bcnic_ivsrv_destroy(s);
	CHECK(!exists(path));
	close(shm);
}

static const struct check_case cases[] = {
	{ "ivshmem_client", ivshmem_client },
	{ "ivshmem_qemu", ivshmem_qemu },
	{ "ivshmem_guest", ivshmem_guest },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/bcnic-ivshmem-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = check_run(cases, argc, argv);
	if (rmdir(dir) != 0) {
		fprintf(stderr, "test_ivshmem_srv: %s not empty: %s\n", dir, strerror(errno));
		rc = 1;
	}
	return rc;
}
