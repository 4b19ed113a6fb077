/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reference channels, measured on the same two lcores as bcnic: the
 * client on the calling lcore, the server on server_lcore.
 *   baseline_mailbox:     a request slot and a response slot, each on its
 *                         own line, the sequence number in the slot: the
 *                         least any mailbox (bcnic's included) must do
 *   baseline_cacheline:   both directions in one cache line, PAUSE on both
 *                         sides: not a floor for a mailbox, where each side
 *                         writes only its own line; kept for comparison
 *   baseline_rte_ring:    a request ring and a response ring (one pointer each way)
 *   baseline_unix_socket: AF_UNIX SOCK_SEQPACKET, 64-byte messages, blocking
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "test_bc.h"

/* ---- two-line mailbox ---- */

/*
 * One slot per direction, as bcnic's rings: the producer fills the data,
 * then stores seq (release); the consumer polls seq of the slot it expects
 * (acquire) and copies the message out. Two lines apart, so the adjacent-
 * line prefetcher does not pair them (bcnic's rings are further apart).
 */
struct mb_slot {
	uint32_t seq;
	uint8_t data[60];
} __rte_aligned(128);

static struct mb_slot mb_req, mb_resp;
static uint64_t mb_total;

/* The PF side: its service lcore polls without PAUSE (the service loop has none). */
static int
mb_server(void *arg)
{
	uint8_t msg[sizeof(mb_req.data)];

	RTE_SET_USED(arg);
	for (uint32_t i = 1; i <= mb_total; i++) {
		while (__atomic_load_n(&mb_req.seq, __ATOMIC_ACQUIRE) != i)
			;
		memcpy(msg, mb_req.data, sizeof(msg));	/* copied out before use, as the PF does */
		memcpy(mb_resp.data, msg, sizeof(msg));
		__atomic_store_n(&mb_resp.seq, i, __ATOMIC_RELEASE);
	}
	return 0;
}

int
bc_baseline_mailbox(struct bc_series *s, unsigned int server_lcore, uint32_t warmup)
{
	uint8_t msg[sizeof(mb_req.data)];
	double t0 = 0;

	memset(&mb_req, 0, sizeof(mb_req));
	memset(&mb_resp, 0, sizeof(mb_resp));
	memset(msg, 0x5a, sizeof(msg));
	mb_total = (uint64_t)warmup + s->n;
	if (rte_eal_remote_launch(mb_server, NULL, server_lcore) != 0)
		return -EBUSY;
	for (uint32_t i = 1; i <= mb_total; i++) {
		uint64_t c0 = rte_rdtsc();

		if (i == (uint64_t)warmup + 1)
			t0 = bc_now_s();
		memcpy(mb_req.data, msg, sizeof(msg));
		__atomic_store_n(&mb_req.seq, i, __ATOMIC_RELEASE);
		/* The VF side: spin with PAUSE, as the driver's wait does. */
		while (__atomic_load_n(&mb_resp.seq, __ATOMIC_ACQUIRE) != i)
			rte_pause();
		memcpy(msg, mb_resp.data, sizeof(msg));
		if (i > warmup)
			s->cycles[i - warmup - 1] = (uint32_t)(rte_rdtsc() - c0);
	}
	s->elapsed_s = bc_now_s() - t0;
	return rte_eal_wait_lcore(server_lcore);
}

/* ---- one cache line, both directions ---- */

struct cl_pingpong {
	volatile uint64_t req;
	volatile uint64_t resp;
	uint64_t total;
} __rte_cache_aligned;

static struct cl_pingpong cl;

static int
cl_server(void *arg)
{
	uint64_t i;

	RTE_SET_USED(arg);
	for (i = 1; i <= cl.total; i++) {
		while (__atomic_load_n(&cl.req, __ATOMIC_ACQUIRE) != i)
			rte_pause();
		__atomic_store_n(&cl.resp, i, __ATOMIC_RELEASE);
	}
	return 0;
}

int
bc_baseline_cacheline(struct bc_series *s, unsigned int server_lcore, uint32_t warmup)
{
	uint64_t i;
	double t0 = 0;

	cl.req = cl.resp = 0;
	cl.total = (uint64_t)warmup + s->n;
	if (rte_eal_remote_launch(cl_server, NULL, server_lcore) != 0)
		return -EBUSY;
	for (i = 1; i <= cl.total; i++) {
		uint64_t c0 = rte_rdtsc();

		if (i == (uint64_t)warmup + 1)
			t0 = bc_now_s();
		__atomic_store_n(&cl.req, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&cl.resp, __ATOMIC_ACQUIRE) != i)
			rte_pause();
		if (i > warmup)
			s->cycles[i - warmup - 1] = (uint32_t)(rte_rdtsc() - c0);
	}
	s->elapsed_s = bc_now_s() - t0;
	return rte_eal_wait_lcore(server_lcore);
}

/* ---- rte_ring pair ---- */

struct ring_pair {
	struct rte_ring *req, *resp;
	uint64_t total;
};

static int
ring_server(void *arg)
{
	struct ring_pair *p = arg;
	void *obj;

	for (uint64_t i = 0; i < p->total; i++) {
		while (rte_ring_sc_dequeue(p->req, &obj) != 0)
			rte_pause();
		while (rte_ring_sp_enqueue(p->resp, obj) != 0)
			rte_pause();
	}
	return 0;
}

int
bc_baseline_rte_ring(struct bc_series *s, unsigned int server_lcore, uint32_t warmup)
{
	struct ring_pair p;
	double t0 = 0;
	void *obj;
	int rc;

	p.req = rte_ring_create("bc_req", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	p.resp = rte_ring_create("bc_resp", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p.req == NULL || p.resp == NULL) {
		rte_ring_free(p.req);
		rte_ring_free(p.resp);
		return -ENOMEM;
	}
	p.total = (uint64_t)warmup + s->n;
	rc = rte_eal_remote_launch(ring_server, &p, server_lcore);
	for (uint64_t i = 0; rc == 0 && i < p.total; i++) {
		uint64_t c0 = rte_rdtsc();

		if (i == warmup)
			t0 = bc_now_s();
		while (rte_ring_sp_enqueue(p.req, (void *)(uintptr_t)(i + 1)) != 0)
			rte_pause();
		while (rte_ring_sc_dequeue(p.resp, &obj) != 0)
			rte_pause();
		if (i >= warmup)
			s->cycles[i - warmup] = (uint32_t)(rte_rdtsc() - c0);
	}
	s->elapsed_s = bc_now_s() - t0;
	if (rc == 0)
		rc = rte_eal_wait_lcore(server_lcore);
	rte_ring_free(p.req);
	rte_ring_free(p.resp);
	return rc;
}

/* ---- AF_UNIX SOCK_SEQPACKET ---- */

struct sock_pair {
	int fd;
	uint64_t total;
};

static int
sock_server(void *arg)
{
	struct sock_pair *p = arg;
	uint8_t buf[64];

	for (uint64_t i = 0; i < p->total; i++) {
		if (read(p->fd, buf, sizeof(buf)) != sizeof(buf) ||
		    write(p->fd, buf, sizeof(buf)) != sizeof(buf))
			return -EIO;
	}
	return 0;
}

int
bc_baseline_unix_socket(struct bc_series *s, unsigned int server_lcore, uint32_t warmup)
{
	struct sock_pair p;
	uint8_t buf[64];
	double t0 = 0;
	int fds[2], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0)
		return -errno;
	memset(buf, 0x5a, sizeof(buf));
	p.fd = fds[1];
	p.total = (uint64_t)warmup + s->n;
	rc = rte_eal_remote_launch(sock_server, &p, server_lcore);
	for (uint64_t i = 0; rc == 0 && i < p.total; i++) {
		uint64_t c0 = rte_rdtsc();

		if (i == warmup)
			t0 = bc_now_s();
		if (write(fds[0], buf, sizeof(buf)) != sizeof(buf) ||
		    read(fds[0], buf, sizeof(buf)) != sizeof(buf)) {
			rc = -EIO;
			break;
		}
		if (i >= warmup)
			s->cycles[i - warmup] = (uint32_t)(rte_rdtsc() - c0);
	}
	s->elapsed_s = bc_now_s() - t0;
	close(fds[0]);	/* unblocks the server on error */
	if (rte_eal_wait_lcore(server_lcore) != 0 && rc == 0)
		rc = -EIO;
	close(fds[1]);
	return rc;
}
