/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shm control socket (drivers/net/bcnic/bcnic_ctl.c) between processes:
 * the VF gets two working eventfds, sees its PF die (SIGKILL) as a hang-up
 * within 10 ms, the PF sees a VF die, bad hellos are refused, and the
 * socket file is replaced when stale and removed at the end.
 *   Usage: test_ctl [case...]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bcnic_ctl.h"
#include "check.h"

int check_failures;

/*
 * The hang-up must arrive (a bounded wait, not a speed check: a loaded
 * machine can take a while to deliver SIGKILL and tear the process down).
 * How fast it arrives (issue 18's target: 10 ms) is printed here and is
 * the benchmark's business, not a pass/fail criterion.
 */
#define DEATH_WAIT_MS 5000
#define ROUNDS 3

static char dir[64];

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
sock_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s.ctl", dir, name);
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A child PF: serve until one VF is up, answer its ring with one ring back, then wait to be killed. */
static void
pf_child(const char *path, int report)
{
	struct bcnic_ctl_srv *srv = bcnic_ctl_srv_create(path, 4);
	struct bcnic_ctl_evt ev[4];
	char st = 'E';
	int vf = -1;

	if (srv == NULL)
		_exit(1);
	if (write(report, "R", 1) != 1)
		_exit(1);
	for (double t0 = now_ms(); vf < 0 && now_ms() - t0 < 5000;) {
		int n = bcnic_ctl_srv_service(srv, ev, 4, 100);

		for (int i = 0; i < n; i++)
			if (ev[i].type == BCNIC_CTL_VF_UP)
				vf = ev[i].vf;
	}
	if (vf >= 0) {
		struct pollfd p = { .fd = bcnic_ctl_srv_efd(srv, (uint16_t)vf, BCNIC_CTL_FD_TO_PF),
				    .events = POLLIN };
		uint64_t v = 1;

		if (poll(&p, 1, 5000) == 1 && read(p.fd, &v, sizeof(v)) == sizeof(v) && v == 1) {
			v = 1;
			if (write(bcnic_ctl_srv_efd(srv, (uint16_t)vf, BCNIC_CTL_FD_TO_VF), &v,
				  sizeof(v)) == sizeof(v))
				st = 'K';
		}
	}
	if (write(report, &st, 1) != 1)
		_exit(1);
	for (;;)
		pause();	/* the parent kills us: a PF crash leaves its socket file behind */
}

static void
ctl_pf_death(void)
{
	char path[100];

	sock_path(path, sizeof(path), "pfdeath");
	for (int round = 0; round < ROUNDS; round++) {
		struct bcnic_ctl_vf c;
		struct epoll_event ev, got[4];
		int pfd[2], status, ep;
		char b;
		uint64_t v = 1;
		pid_t pid;

		REQUIRE(pipe(pfd) == 0);
		pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			pf_child(path, pfd[1]);
		}
		close(pfd[1]);
		CHECK(read(pfd[0], &b, 1) == 1 && b == 'R');
		CHECK_EQ(bcnic_ctl_vf_connect(path, 2, 5000, &c), 0);
		CHECK(c.sock >= 0 && fcntl(c.fd[0], F_GETFD) >= 0 && fcntl(c.fd[1], F_GETFD) >= 0);
		CHECK(!bcnic_ctl_vf_pf_gone(&c));
		ep = epoll_create1(EPOLL_CLOEXEC);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = c.fd[BCNIC_CTL_FD_TO_VF] };
		CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c.fd[BCNIC_CTL_FD_TO_VF], &ev) == 0);
		ev = (struct epoll_event){ .events = EPOLLRDHUP, .data.fd = c.sock };
		CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c.sock, &ev) == 0);
		/* VF rings the PF; the PF, woken, rings back: both fds work across processes. */
		CHECK(write(c.fd[BCNIC_CTL_FD_TO_PF], &v, sizeof(v)) == sizeof(v));
		CHECK_EQ(epoll_wait(ep, got, 4, 5000), 1);
		CHECK_EQ(got[0].data.fd, c.fd[BCNIC_CTL_FD_TO_VF]);
		CHECK(read(c.fd[BCNIC_CTL_FD_TO_VF], &v, sizeof(v)) == sizeof(v) && v == 1);
		CHECK(read(pfd[0], &b, 1) == 1 && b == 'K');

		double t0 = now_ms();

		kill(pid, SIGKILL);
		int n = epoll_wait(ep, got, 4, DEATH_WAIT_MS);
		double dt = now_ms() - t0;

		CHECK_EQ(n, 1);
		CHECK_EQ(got[0].data.fd, c.sock);
		CHECK(got[0].events & (EPOLLHUP | EPOLLRDHUP));
		CHECK(bcnic_ctl_vf_pf_gone(&c));
		printf("  PF killed -> VF saw the hang-up in %.3f ms\n", dt);
		CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
		close(ep);
		close(pfd[0]);
		bcnic_ctl_vf_close(&c);
		/* The crashed PF left its socket file: the next PF replaces it. */
		CHECK(exists(path));
	}
	struct bcnic_ctl_srv *srv = bcnic_ctl_srv_create(path, 1);

	CHECK(srv != NULL);
	bcnic_ctl_srv_destroy(srv);
	CHECK(!exists(path));
}

static void
ctl_vf_death(void)
{
	char path[100];
	struct bcnic_ctl_srv *srv;
	struct bcnic_ctl_evt ev[4];
	int efd_to_pf = -1;

	sock_path(path, sizeof(path), "vfdeath");
	srv = bcnic_ctl_srv_create(path, 2);
	REQUIRE(srv != NULL);
	for (int round = 0; round < 2; round++) {
		int pfd[2], status, up = 0, down = 0;
		char b;
		pid_t pid;

		REQUIRE(pipe(pfd) == 0);
		pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			struct bcnic_ctl_vf c;

			close(pfd[0]);
			b = bcnic_ctl_vf_connect(path, 1, 5000, &c) == 0 ? 'C' : 'E';
			if (write(pfd[1], &b, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(pfd[1]);
		for (double t0 = now_ms(); !up && now_ms() - t0 < 5000;) {
			int n = bcnic_ctl_srv_service(srv, ev, 4, 100);

			for (int i = 0; i < n; i++)
				if (ev[i].type == BCNIC_CTL_VF_UP && ev[i].vf == 1 &&
				    ev[i].pid == (uint32_t)pid)
					up = 1;
		}
		CHECK(up);
		CHECK(read(pfd[0], &b, 1) == 1 && b == 'C');
		CHECK(bcnic_ctl_srv_conn_fd(srv, 1) >= 0);
		/* A restarted VF gets the same doorbells: the PF's epoll set stays. */
		if (round == 0)
			efd_to_pf = bcnic_ctl_srv_efd(srv, 1, BCNIC_CTL_FD_TO_PF);
		else
			CHECK_EQ(bcnic_ctl_srv_efd(srv, 1, BCNIC_CTL_FD_TO_PF), efd_to_pf);

		double t0 = now_ms();

		kill(pid, SIGKILL);
		while (!down && now_ms() - t0 < DEATH_WAIT_MS) {
			int n = bcnic_ctl_srv_service(srv, ev, 4, 1000);

			for (int i = 0; i < n; i++)
				if (ev[i].type == BCNIC_CTL_VF_DOWN && ev[i].vf == 1)
					down = 1;
		}
		double dt = now_ms() - t0;

		CHECK(down);
		printf("  VF killed -> PF saw the hang-up in %.3f ms\n", dt);
		CHECK_EQ(bcnic_ctl_srv_conn_fd(srv, 1), -1);
		CHECK(waitpid(pid, &status, 0) == pid);
		close(pfd[0]);
	}
	bcnic_ctl_srv_destroy(srv);
	CHECK(!exists(path));
}

/* PF service in a thread, for the cases where the VF is this process. */
struct pf_thread_arg {
	struct bcnic_ctl_srv *srv;
	int stop;
	int refused;
	int last_status;
};

static void *
pf_thread(void *p)
{
	struct pf_thread_arg *a = p;
	struct bcnic_ctl_evt ev[8];

	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		int n = bcnic_ctl_srv_service(a->srv, ev, 8, 20);

		for (int i = 0; i < n; i++) {
			if (ev[i].type == BCNIC_CTL_REFUSED) {
				__atomic_fetch_add(&a->refused, 1, __ATOMIC_RELAXED);
				__atomic_store_n(&a->last_status, ev[i].status, __ATOMIC_RELAXED);
			}
		}
	}
	return NULL;
}

/* Send a raw hello and return the welcome's status (or a negative errno of our own). */
static int
raw_hello(const char *path, const struct bcnic_ctl_hello *h, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct bcnic_ctl_welcome w;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = s, .events = POLLIN };
	int rc = -EIO;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 && send(s, h, len, 0) == (ssize_t)len &&
	    poll(&p, 1, 5000) == 1 && recv(s, &w, sizeof(w), 0) == (ssize_t)sizeof(w))
		rc = w.status;
	close(s);
	return rc;
}

static void
ctl_refusals(void)
{
	char path[100], abs_path[108];
	struct pf_thread_arg a = { 0 };
	struct bcnic_ctl_vf c, c2;
	struct bcnic_ctl_hello h = { .magic = BCNIC_CTL_MAGIC, .version = BCNIC_CTL_VERSION };
	pthread_t th;

	sock_path(path, sizeof(path), "refuse");
	CHECK_EQ(bcnic_ctl_vf_connect(path, 0, 1000, &c), -ENOENT);	/* no PF yet */
	a.srv = bcnic_ctl_srv_create(path, 2);
	REQUIRE(a.srv != NULL);
	/* A live PF's socket is not taken over. */
	CHECK(bcnic_ctl_srv_create(path, 2) == NULL && errno == EADDRINUSE);
	REQUIRE(pthread_create(&th, NULL, pf_thread, &a) == 0);
	CHECK_EQ(bcnic_ctl_vf_connect(path, 2, 5000, &c), -EINVAL);	/* VF index beyond num_vfs */
	CHECK_EQ(bcnic_ctl_vf_connect(path, 0, 5000, &c), 0);
	CHECK_EQ(bcnic_ctl_vf_connect(path, 0, 5000, &c2), -EBUSY);	/* one process per VF */
	h.version = BCNIC_CTL_VERSION + 1;
	CHECK_EQ(raw_hello(path, &h, sizeof(h)), -EPROTONOSUPPORT);
	h.version = BCNIC_CTL_VERSION;
	h.magic = 0x12345678;
	CHECK_EQ(raw_hello(path, &h, sizeof(h)), -EPROTO);
	h.magic = BCNIC_CTL_MAGIC;
	CHECK_EQ(raw_hello(path, &h, 4), -EPROTO);			/* short hello */
	/*
	 * The five above, and the probe of the second create (connected, said
	 * nothing, left). The thread counts after answering: give it a moment.
	 */
	for (double t0 = now_ms(); now_ms() - t0 < 2000 &&
	     __atomic_load_n(&a.refused, __ATOMIC_RELAXED) < 6;)
		usleep(1000);
	CHECK_EQ(__atomic_load_n(&a.refused, __ATOMIC_RELAXED), 6);
	bcnic_ctl_vf_close(&c);
	/* VF 0 left: it may come back. */
	CHECK_EQ(bcnic_ctl_vf_connect(path, 0, 5000, &c), 0);
	bcnic_ctl_vf_close(&c);
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	bcnic_ctl_srv_destroy(a.srv);
	CHECK(!exists(path));

	/* Abstract namespace: nothing on disk, gone with the PF. */
	char devname[48];

	snprintf(devname, sizeof(devname), "test%d", (int)getpid());
	CHECK_EQ(bcnic_ctl_path(abs_path, sizeof(abs_path), devname, true), 0);
	CHECK(abs_path[0] == '@');
	memset(&a, 0, sizeof(a));
	a.srv = bcnic_ctl_srv_create(abs_path, 1);
	REQUIRE(a.srv != NULL);
	REQUIRE(pthread_create(&th, NULL, pf_thread, &a) == 0);
	CHECK_EQ(bcnic_ctl_vf_connect(abs_path, 0, 5000, &c), 0);
	bcnic_ctl_vf_close(&c);
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	bcnic_ctl_srv_destroy(a.srv);
	CHECK_EQ(bcnic_ctl_vf_connect(abs_path, 0, 1000, &c), -ECONNREFUSED);
}

static void
ctl_silent_peer(void)
{
	char path[100];
	struct pf_thread_arg a = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bcnic_ctl_vf c;
	int silent[12];
	pthread_t th;

	/* Connections that never say hello must not block a real VF. */
	sock_path(path, sizeof(path), "silent");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	a.srv = bcnic_ctl_srv_create(path, 1);
	REQUIRE(a.srv != NULL);
	REQUIRE(pthread_create(&th, NULL, pf_thread, &a) == 0);
	for (int i = 0; i < 12; i++) {
		silent[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		CHECK(connect(silent[i], (struct sockaddr *)&sa, sizeof(sa)) == 0);
	}
	double t0 = now_ms();

	CHECK_EQ(bcnic_ctl_vf_connect(path, 0, 5000, &c), 0);
	CHECK(now_ms() - t0 < 1000);
	bcnic_ctl_vf_close(&c);
	for (int i = 0; i < 12; i++)
		close(silent[i]);
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	bcnic_ctl_srv_destroy(a.srv);
	CHECK(!exists(path));
}

static const struct check_case cases[] = {
	{ "ctl_pf_death", ctl_pf_death },
	{ "ctl_vf_death", ctl_vf_death },
	{ "ctl_refusals", ctl_refusals },
	{ "ctl_silent_peer", ctl_silent_peer },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/bcnic-ctl-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = check_run(cases, argc, argv);
	/* Leave nothing behind, and fail if a case did. */
	if (rmdir(dir) != 0) {
		fprintf(stderr, "test_ctl: %s not empty: %s\n", dir, strerror(errno));
		rc = 1;
	}
	return rc;
}
