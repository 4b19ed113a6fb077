/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Doorbell stress: no lost wake-up. A VF thread and a PF thread ping-pong
 * messages over the request and response rings of a real window, each
 * sleeping on its eventfd (bcmbox_db_sleep) after a random number of empty
 * polls, each ringing the other (bcmbox_db_notify) after publishing. The
 * random spins put the announce/re-check of one side right across the
 * publish/notify of the other, round after round. A lost wake-up cannot
 * recover here (the producer waits for the answer before it sends again),
 * so it shows up as a bounded wait that times out: the test fails and says
 * at which round and whether the message was in the ring.
 *   Usage: stress_doorbell [seconds (default 8)] [max rounds (0: no limit)]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bcmbox.h"
#include "bcmbox_doorbell.h"

#define WAIT_MS 2000	/* a wake-up later than this was lost: poll() reports a latched fd first */
#define TAG_STOP 0xffffffffu

static uint8_t *win;
static struct bcmbox_window w;
static int efd_pf, efd_vf;	/* the PF's doorbell (VF rings it), the VF's */
static int failed;	/* set once by whichever side fails first (atomic) */
static struct bcmbox_db_stats pf_st, vf_st;
static uint64_t pf_lost, vf_lost;

struct side {
	struct bcmbox_ring rx, tx;
	struct bcmbox_db db;
	uint64_t rng;
	const char *name;
	bool is_pf;
};

static uint32_t
rnd(struct side *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)s->rng;
}

/*
 * Rounds come in phases of 4096: in one the VF is the tight side, in the
 * next the PF. The tight side polls only a few times (often none) before it
 * sleeps, so its announce/re-check lands right across the other side's
 * publish/notify; the patient side polls for about a millisecond, so it is
 * usually awake when a message comes (a pair that both slept every round
 * would measure eventfd latency, not the race).
 */
#define PHASE_SHIFT 12
#define PATIENT_POLLS (1u << 18)

static bool
tight(const struct side *s, uint64_t round)
{
	return ((round >> PHASE_SHIFT) & 1) == (s->is_pf ? 1u : 0u);
}

static uint32_t
spin_budget(struct side *s, uint64_t round)
{
	uint32_t r = rnd(s);

	if (!tight(s, round))
		return PATIENT_POLLS;
	return (r & 7) == 0 ? 0 : (r >> 8) % 256;
}

/* A producer's random "work" before it publishes: moves the publish across the peer's re-check. */
static void
work(struct side *s)
{
	uint32_t n = rnd(s) % 192;

	for (volatile uint32_t i = 0; i < n; i++)
		;
}

static bool
rx_ready(void *arg)
{
	return bcmbox_ring_ready(&((struct side *)arg)->rx);
}

static void
fail(struct side *s, const char *what, uint64_t round)
{
	uint64_t one = 1;

	fprintf(stderr, "%s: %s at round %" PRIu64 "\n", s->name, what, round);
	__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
	/* Wake the other side so it sees the failure instead of waiting it out. */
	if (write(efd_pf, &one, sizeof(one)) < 0 || write(efd_vf, &one, sizeof(one)) < 0)
		perror("write");
}

/*
 * Receive the next message: poll a random number of times, then sleep on
 * the doorbell. Returns 1 with a message, 0 on failure.
 */
static int
next_msg(struct side *s, struct bcmbox_msg *m, uint64_t round, uint64_t *lost)
{
	enum bcmbox_reject why;

	for (;;) {
		uint32_t budget = spin_budget(s, round);

		for (uint32_t i = 0; i <= budget; i++) {
			int rc = bcmbox_ring_recv(&s->rx, m, &why);

			if (rc == 1)
				return 1;
			if (rc < 0) {
				fail(s, "framing error", round);
				return 0;
			}
		}
		if (__atomic_load_n(&failed, __ATOMIC_RELAXED))
			return 0;
		int rc = bcmbox_db_sleep(&s->db, rx_ready, s, WAIT_MS);

		if (__atomic_load_n(&failed, __ATOMIC_RELAXED))
			return 0;
		if (rc < 0) {
			fail(s, "wait failed", round);
			return 0;
		}
		if (rc == 0) {
			/* Timed out: with the message in the ring, the doorbell was lost. */
			(*lost)++;
			fail(s, bcmbox_ring_ready(&s->rx) ?
				"LOST WAKE-UP (message published, doorbell never rung)" :
				"timed out with nothing published (peer stuck)", round);
			return 0;
		}
	}
}

static void *
pf_thread(void *arg)
{
	static struct bcmbox_msg m;
	struct side *s = arg;

	for (uint64_t round = 0;; round++) {
		if (!next_msg(s, &m, round, &pf_lost))
			break;
		work(s);
		while (bcmbox_ring_send(&s->tx, &m.hdr, m.payload) == -ENOSPC)
			;
		if (bcmbox_db_notify(&s->db) < 0) {
			fail(s, "ring failed", round);
			break;
		}
		if (m.hdr.tag == TAG_STOP)
			break;
	}
	pf_st = s->db.st;
	return NULL;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
print_stats(const char *who, const struct bcmbox_db_stats *st)
{
	printf("  %s: rung %" PRIu64 ", suppressed %" PRIu64 ", slept %" PRIu64
	       ", re-check found work %" PRIu64 ", woken %" PRIu64 ", timeouts %" PRIu64 "\n",
	       who, st->rung, st->suppressed, st->sleeps, st->aborted, st->wakeups, st->timeouts);
}

int
main(int argc, char **argv)
{
	static struct bcmbox_msg m;
	struct bcmbox_window_cfg cfg = { .req_slots = 128, .resp_slots = 128, .evt_slots = 16 };
	double secs = argc > 1 ? atof(argv[1]) : 8.0;
	uint64_t max_rounds = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	struct side pf = { .rng = 0x9e3779b97f4a7c15ULL, .name = "PF", .is_pf = true };
	struct side vf = { .rng = 0xd1b54a32d192ed03ULL, .name = "VF" };
	uint32_t size = bcmbox_window_size(&cfg);
	uint64_t round = 0;
	pthread_t th;
	int rc = 1;

	win = aligned_alloc(4096, size);
	if (win == NULL || bcmbox_window_format(win, size, 0, 1, &cfg) != 0 ||
	    bcmbox_window_map(&w, win, size) != 0)
		return 1;
	efd_pf = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	efd_vf = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd_pf < 0 || efd_vf < 0)
		return 1;
	/* The sleeping words live where the wire puts them: each side's own line. */
	uint32_t *pf_sleeping = &((struct bcmbox_win_pf_db *)(win + BCMBOX_WIN_PF_DB_OFF))->sleeping;
	uint32_t *vf_sleeping = &((struct bcmbox_win_vf_db *)(win + BCMBOX_WIN_VF_DB_OFF))->sleeping;

	bcmbox_ring_init(&pf.rx, w.req, cfg.req_slots, &w.req_cons->pos);
	bcmbox_ring_init(&pf.tx, w.resp, cfg.resp_slots, &w.vf->resp_cons);
	bcmbox_ring_init(&vf.tx, w.req, cfg.req_slots, &w.req_cons->pos);
	bcmbox_ring_init(&vf.rx, w.resp, cfg.resp_slots, &w.vf->resp_cons);
	bcmbox_db_init(&pf.db, pf_sleeping, vf_sleeping, &bcmbox_db_eventfd_ops, &efd_vf, &efd_pf);
	bcmbox_db_init(&vf.db, vf_sleeping, pf_sleeping, &bcmbox_db_eventfd_ops, &efd_pf, &efd_vf);

	double t0 = now(), t1;

	if (pthread_create(&th, NULL, pf_thread, &pf) != 0)
		return 1;
	for (;; round++) {
		/* Check the clock every 1024 rounds: the budget scales the count to the machine. */
		bool stop = (max_rounds != 0 && round + 1 >= max_rounds) ||
			((round & 1023) == 0 && now() - t0 >= secs);
		struct bcmbox_msg_hdr h = {
			.type = BCMBOX_MSG_READ,
			.tag = stop ? TAG_STOP : (uint32_t)round,
			.length = 0,
		};

		work(&vf);
		if (bcmbox_ring_send(&vf.tx, &h, NULL) != 1) {
			fail(&vf, "send failed", round);
			break;
		}
		if (bcmbox_db_notify(&vf.db) < 0) {
			fail(&vf, "ring failed", round);
			break;
		}
		if (!next_msg(&vf, &m, round, &vf_lost))
			break;
		if (m.hdr.tag != h.tag) {
			fail(&vf, "echo out of order", round);
			break;
		}
		if (stop) {
			round++;
			rc = 0;
			break;
		}
	}
	pthread_join(th, NULL);
	t1 = now();
	vf_st = vf.db.st;
	printf("stress_doorbell: %" PRIu64 " rounds in %.2f s (%.0f rounds/s), lost wake-ups %" PRIu64 "\n",
	       round, t1 - t0, (double)round / (t1 - t0), pf_lost + vf_lost);
	print_stats("VF (rings the PF)", &vf_st);
	print_stats("PF (rings the VF)", &pf_st);
	if (rc == 0 && !__atomic_load_n(&failed, __ATOMIC_RELAXED)) {
		/* The test is worth something only if every path was taken. */
		if (vf_st.rung + pf_st.rung == 0 || vf_st.suppressed + pf_st.suppressed == 0 ||
		    vf_st.sleeps + pf_st.sleeps == 0 || vf_st.aborted + pf_st.aborted == 0) {
			fprintf(stderr, "stress_doorbell: a path was never taken (rung, suppressed, "
				"slept, re-check found work): the race was not exercised\n");
			rc = 1;
		}
		if (vf_st.timeouts + pf_st.timeouts != 0)
			rc = 1;
	} else {
		rc = 1;
	}
	printf("stress_doorbell: %s\n", rc == 0 ? "PASS" : "FAILED");
	close(efd_pf);
	close(efd_vf);
	free(win);
	return rc;
}
