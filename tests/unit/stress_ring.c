/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two-thread stress of a ring pair: the client sends N messages of random
 * sizes on ring A, the server checks each one's order and contents and
 * echoes it on ring B, the client checks the echoes. Usage: stress_ring [N]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bcmbox.h"

struct shared {
	struct bcmbox_slot a[1024] __attribute__((aligned(64)));
	struct bcmbox_slot b[1024] __attribute__((aligned(64)));
	uint32_t a_cons __attribute__((aligned(64)));
	uint32_t b_cons __attribute__((aligned(64)));
};

static struct shared sh;
static uint64_t total;
static uint64_t server_errors;

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Mostly small, sometimes up to the largest transfer. */
static uint32_t
size_of(uint64_t i)
{
	uint64_t r = mix(i);
	uint32_t pick = (uint32_t)(r % 100);

	if (pick < 90)
		return (uint32_t)((r >> 8) % 65);
	if (pick < 99)
		return (uint32_t)((r >> 8) % 513);
	return (uint32_t)((r >> 8) % (BCMBOX_MAX_XFER + 1));
}

static void
make_payload(uint8_t *buf, uint32_t len, uint64_t i)
{
	uint64_t x = mix(i ^ 0x9e3779b97f4a7c15ULL);

	for (uint32_t k = 0; k < len; k += 8) {
		uint32_t c = len - k < 8 ? len - k : 8;

		memcpy(buf + k, &x, c);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	}
}

static int
check_msg(const struct bcmbox_msg *m, uint64_t i, uint8_t *scratch)
{
	if (m->hdr.tag != (uint32_t)i || m->hdr.block_id != (uint32_t)(i >> 32) ||
	    m->hdr.length != size_of(i))
		return -1;
	make_payload(scratch, m->hdr.length, i);
	return memcmp(m->payload, scratch, m->hdr.length) == 0 ? 0 : -1;
}

static void *
server(void *arg)
{
	static struct bcmbox_msg m;
	static uint8_t scratch[BCMBOX_MAX_XFER];
	struct bcmbox_ring rx, tx;
	enum bcmbox_reject why;
	uint64_t i = 0;

	(void)arg;
	bcmbox_ring_init(&rx, sh.a, 1024, &sh.a_cons);
	bcmbox_ring_init(&tx, sh.b, 1024, &sh.b_cons);
	while (i < total) {
		int rc = bcmbox_ring_recv(&rx, &m, &why);

		if (rc == 0)
			continue;
		if (rc < 0 || check_msg(&m, i, scratch) != 0) {
			fprintf(stderr, "server: message %" PRIu64 " wrong (rc %d)\n", i, rc);
			server_errors++;
			return NULL;
		}
		while ((rc = bcmbox_ring_send(&tx, &m.hdr, m.payload)) == -ENOSPC)
			;
		if (rc < 0) {
			server_errors++;
			return NULL;
		}
		i++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct bcmbox_msg m;
	static uint8_t buf[BCMBOX_MAX_XFER];
	struct bcmbox_ring tx, rx;
	enum bcmbox_reject why;
	uint64_t sent = 0, got = 0, bytes = 0, errors = 0;
	struct timespec t0, t1;
	pthread_t th;

	total = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000ULL;
	bcmbox_ring_clear(sh.a, 1024, &sh.a_cons);
	bcmbox_ring_clear(sh.b, 1024, &sh.b_cons);
	bcmbox_ring_init(&tx, sh.a, 1024, &sh.a_cons);
	bcmbox_ring_init(&rx, sh.b, 1024, &sh.b_cons);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&th, NULL, server, NULL) != 0)
		return 1;
	while (got < total && errors == 0 && server_errors == 0) {
		if (sent < total) {
			struct bcmbox_msg_hdr h = {
				.type = BCMBOX_MSG_WRITE,
				.tag = (uint32_t)sent,
				.block_id = (uint32_t)(sent >> 32),
				.length = size_of(sent),
			};

			make_payload(buf, h.length, sent);
			if (bcmbox_ring_send(&tx, &h, buf) > 0) {
				bytes += h.length;
				sent++;
			}
		}
		int rc = bcmbox_ring_recv(&rx, &m, &why);

		if (rc == 0)
			continue;
		if (rc < 0 || check_msg(&m, got, buf) != 0) {
			fprintf(stderr, "client: echo %" PRIu64 " wrong (rc %d)\n", got, rc);
			errors++;
			break;
		}
		got++;
	}
	if (errors != 0 || server_errors != 0) {
		/* The server may be stuck waiting for a message we no longer send. */
		fprintf(stderr, "stress: FAILED\n");
		return 1;
	}
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("stress: %" PRIu64 " messages (%" PRIu64 " payload bytes) each way, order and "
	       "contents verified, %.2f s, %.2f M msg/s\n",
	       got, bytes, s, (double)got / s / 1e6);
	return 0;
}
