/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF mailbox poller runtime: when and where the request handlers
 * (bcnic_pf_mbox.c) run. A round checks the hot VFs and a slice of the cold
 * ones, serves what it finds, forwards frames, then flushes the write acks;
 * every SWEEP_US a control sweep checks windows (resets, truncation) and
 * beats the heartbeat. The runner is an rte_service, a control thread with
 * back-off, or the application (poller=app); round_lock keeps it one at a time.
 *
 * Idle cost: one read per VF per round, of the request slot that VF
 * writes next. That line stays in the poller's cache until the VF writes
 * it, so 256 idle VFs cost 256 cache hits (16 KiB, within L1/L2), and no
 * VF can touch a line another VF's state lives in (doc/mailbox.md,
 * "Polling"). Window resets and heartbeats are handled in the sweep, off
 * the request path.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_service.h>
#include <rte_service_component.h>

#include "bcnic_pf.h"

#define SWEEP_US	100
#define HEARTBEAT_US	1000
#define SPIN_ROUNDS	2000	/* thread mode: idle rounds before the first sleep */

static void
sweep(struct bcnic_pf *pf, uint64_t now)
{
	bool beat = now >= pf->next_heartbeat;
	uint16_t i;

	for (i = 0; i < pf->num_vfs; i++) {
		bcnic_pf_check_window(pf, &pf->vfs[i]);
		/*
		 * Store-release pairs with the VF's load-acquire of heartbeat
		 * (doc/mailbox.md section 7): liveness only.
		 */
		if (beat)
			__atomic_store_n(&pf->vfs[i].win.heartbeat->count, now, __ATOMIC_RELEASE);
	}
	if (beat)
		pf->next_heartbeat = now + pf->heartbeat_period;
	bcnic_pf_check_lines(pf);
	pf->next_sweep = now + pf->sweep_period;
}

/*
 * Hot and cold VFs. A VF that sent something recently is hot and checked
 * every round; the others are cold and checked COLD_SLICE at a time,
 * round-robin, so a round costs (hot VFs + COLD_SLICE) line reads instead
 * of one per VF: with 256 windows (256 pages) the full scan would cost the
 * active VFs a TLB- and cache-miss-bound round. A cold VF's first request
 * waits at most num_vfs / COLD_SLICE rounds. A hot VF that stays silent for
 * HOT_IDLE_ROUNDS rounds turns cold.
 */
#define COLD_SLICE	8u
#define SWEEP_CLOCK_ROUNDS 16u	/* service: idle rounds per look at the clock (power of 2) */
#define HOT_IDLE_ROUNDS	4096u

static inline unsigned int
check_vf(struct bcnic_pf *pf, uint16_t i, struct bcnic_pf_scratch *s)
{
	struct bcnic_pf_vf *v = &pf->vfs[i];
	bool req = !v->req_halted && bcmbox_ring_ready(&v->req);
	bool pkt = v->win.tx != NULL && bcmbox_pkt_ready(&v->dtx);
	unsigned int n = 0;

	if (!req && !pkt)
		return 0;
	if (!v->hot) {
		v->hot = true;
		pf->hot[pf->nhot++] = i;
	}
	v->last_busy = pf->rounds;
	if (req)
		n += bcnic_pf_serve_vf(pf, v, s);
	if (pkt)
		n += bcnic_switch_vf(pf, i);
	return n;
}

/* One round; the clock (sweep, heartbeat) is looked at when asked or after serving. */
static inline unsigned int
poll_round(struct bcnic_pf *pf, bool clock)
{
	struct bcnic_pf_scratch *s = pf->scratch;
	unsigned int served = 0, k;
	uint64_t now;

	if (pf->num_vfs <= COLD_SLICE) {
		for (uint16_t i = 0; i < pf->num_vfs; i++)
			served += check_vf(pf, i, s);
	} else {
		for (k = 0; k < pf->nhot; k++) {
			uint16_t i = pf->hot[k];

			served += check_vf(pf, i, s);
			if (pf->rounds - pf->vfs[i].last_busy > HOT_IDLE_ROUNDS) {
				pf->vfs[i].hot = false;
				pf->hot[k--] = pf->hot[--pf->nhot];
			}
		}
		for (k = 0; k < COLD_SLICE; k++) {
			uint16_t i = pf->cold_next;

			pf->cold_next = (uint16_t)(i + 1 == pf->num_vfs ? 0 : i + 1);
			if (!pf->vfs[i].hot)
				served += check_vf(pf, i, s);
		}
	}
	served += bcnic_switch_pf(pf);
	if (pf->nacks != 0)	/* here: a round with no write held for the journal makes no call */
		bcnic_pf_flush_acks(pf);
	pf->rounds++;
	if (served == 0 && !clock)
		return 0;
	now = rte_rdtsc();
	if (now >= pf->next_sweep) {
		sweep(pf, now);
		bcnic_persist_maybe_compact(pf);
	}
	return served;
}

unsigned int
bcnic_pf_poll_round(struct bcnic_pf *pf)
{
	return poll_round(pf, true);
}

/* ---- running the poller ---- */

/*
 * Several rounds per call: between calls the service framework spends more
 * time than a round (its loop, the run lock), and a request arriving then
 * waits for it. A few microseconds at most, so other services on the same
 * lcore still run often.
 */
#define ROUNDS_PER_CALL 32
_Static_assert(ROUNDS_PER_CALL % SWEEP_CLOCK_ROUNDS == 0, "a call ends with a look at the clock");

static int32_t
service_run(void *arg)
{
	struct bcnic_pf *pf = arg;
	unsigned int served = 0;

	/* Two atomics per ROUNDS_PER_CALL rounds; busy only while a local VF attaches. */
	if (!rte_spinlock_trylock(&pf->round_lock))
		return -EBUSY;
	/*
	 * The clock every SWEEP_CLOCK_ROUNDS idle rounds: a TSC read is a good
	 * part of an idle round, and the round's length is what a request
	 * arriving waits for, half of it on average. The service runs back to
	 * back, so the sweep is still due within a few hundred nanoseconds.
	 */
	for (int i = 0; i < ROUNDS_PER_CALL; i++)
		served += poll_round(pf, (i & (SWEEP_CLOCK_ROUNDS - 1)) == SWEEP_CLOCK_ROUNDS - 1);
	rte_spinlock_unlock(&pf->round_lock);
	return served > 0 ? 0 : -EAGAIN;
}

static void *
thread_run(void *arg)
{
	struct bcnic_pf *pf = arg;
	unsigned int idle = 0, sleep_us = 0;

	/* Sleep what we ask for: the default 50 us timer slack would double short sleeps. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	/* Relaxed: a flag with nothing behind it; pthread_join() orders the rest. */
	while (!__atomic_load_n(&pf->stop, __ATOMIC_RELAXED)) {
		unsigned int served;

		rte_spinlock_lock(&pf->round_lock);	/* against queue setup only: uncontended */
		served = bcnic_pf_poll_round(pf);
		rte_spinlock_unlock(&pf->round_lock);
		if (served > 0) {
			idle = 0;
			sleep_us = 0;
			continue;
		}
		if (++idle < SPIN_ROUNDS) {
			rte_pause();
			continue;
		}
		/* Idle: sleep in growing steps up to the ceiling. */
		sleep_us = sleep_us == 0 ? 1 : RTE_MIN(sleep_us * 2, pf->idle_sleep_max_us);
		struct timespec ts = { 0, (long)sleep_us * 1000 };

		nanosleep(&ts, NULL);
		pf->idle_sleeps++;
	}
	return NULL;
}

/* Map the service to the least busy service lcore and make sure it runs. */
static void
service_map_self(struct bcnic_pf *pf)
{
	uint32_t lcores[RTE_MAX_LCORE], best = 0;
	int32_t n = rte_service_lcore_list(lcores, RTE_MAX_LCORE), i, best_count = INT32_MAX;

	for (i = 0; i < n; i++) {
		if (rte_service_map_lcore_get(pf->service_id, lcores[i]) == 1)
			return;	/* EAL or the application mapped it */
		int32_t c = rte_service_lcore_count_services(lcores[i]);

		if (c < best_count) {
			best_count = c;
			best = lcores[i];
		}
	}
	if (n <= 0)
		return;
	rte_service_map_lcore_set(pf->service_id, best, 1);
	rte_service_lcore_start(best);	/* -EALREADY when running */
	BCNIC_LOG(INFO, "%s: PF poller mapped to service lcore %u", pf->dev_name, best);
}

static void
service_map_alarm(void *arg)
{
	service_map_self(arg);
}

/*
 * A VF of this process waits for an answer (bcnic_shm_assist()): in the
 * same EAL init as its PF it probes before EAL starts any service lcore,
 * and an application in poller=app mode has not begun to poll. Run a round
 * for it, never beside another runner of this PF (round_lock). Registered
 * in service and app mode only: the thread runs on its own.
 */
static void
poller_assist(void *arg)
{
	struct bcnic_pf *pf = arg;

	if (rte_spinlock_trylock(&pf->round_lock)) {
		bcnic_pf_poll_round(pf);
		rte_spinlock_unlock(&pf->round_lock);
	}
}

int
bcnic_pf_poller_start(struct bcnic_pf *pf)
{
	struct rte_service_spec spec;
	uint32_t lcores[RTE_MAX_LCORE];
	int32_t n, i;
	bool running = false;
	int rc;

	pf->sweep_period = pf->tsc_hz * SWEEP_US / 1000000;
	pf->heartbeat_period = pf->tsc_hz * HEARTBEAT_US / 1000000;
	pf->next_sweep = 0;
	pf->next_heartbeat = 0;
	/*
	 * round_lock is zero from rte_zmalloc(): unlocked; an init here would race a
	 * hotplug's service lcore.
	 */
	/* Publishes probe's set-up to whoever takes the lock first (service_run()). */
	rte_spinlock_lock(&pf->round_lock);
	rte_spinlock_unlock(&pf->round_lock);
	if (pf->mode == BCNIC_POLLER_AUTO) {
		pf->mode = rte_service_lcore_count() > 0 ? BCNIC_POLLER_SERVICE : BCNIC_POLLER_THREAD;
		if (pf->mode == BCNIC_POLLER_THREAD)
			BCNIC_LOG(NOTICE, "%s: no service lcore: the PF mailbox poller runs in a control "
				  "thread with back-off (up to %u us idle sleep); give EAL -s <mask> or "
				  "-S <list> for sub-microsecond latency", pf->dev_name,
				  pf->idle_sleep_max_us);
	}
	switch (pf->mode) {
	case BCNIC_POLLER_SERVICE:
		if (rte_service_lcore_count() <= 0) {
			BCNIC_LOG(ERR, "%s: poller=service but EAL has no service lcore: add -s <mask> or -S <list>",
				  pf->dev_name);
			return -EINVAL;
		}
		memset(&spec, 0, sizeof(spec));
		snprintf(spec.name, sizeof(spec.name), "bcnic_pf_%.20s", pf->dev_name);
		spec.callback = service_run;
		spec.callback_userdata = pf;
		spec.socket_id = SOCKET_ID_ANY;
		rc = rte_service_component_register(&spec, &pf->service_id);
		if (rc != 0) {
			BCNIC_LOG(ERR, "%s: cannot register the poller service: %s", pf->dev_name,
				  strerror(-rc));
			return rc;
		}
		pf->service_registered = true;
		rte_service_component_runstate_set(pf->service_id, 1);
		rte_service_runstate_set(pf->service_id, 1);
		/*
		 * Probed from the EAL command line, EAL maps the service when it
		 * starts the service lcores. Hotplugged later, they already run:
		 * map now. Otherwise check again once EAL init is surely done.
		 */
		n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
		for (i = 0; i < n; i++)
			running |= rte_service_lcore_may_be_active(lcores[i]) == 1;
		if (running)
			service_map_self(pf);
		else
			rte_eal_alarm_set(100 * 1000, service_map_alarm, pf);
		bcnic_shm_set_assist(pf->shm, poller_assist, pf);
		BCNIC_LOG(INFO, "%s: PF poller is service %u (%s)", pf->dev_name, pf->service_id,
			  spec.name);
		return 0;
	case BCNIC_POLLER_THREAD:
		BCNIC_LOG(INFO, "%s: PF mailbox poller in a control thread", pf->dev_name);
		__atomic_store_n(&pf->stop, false, __ATOMIC_RELAXED);	/* before the thread exists */
		rc = rte_ctrl_thread_create(&pf->thread, "bcnic-pf", NULL, thread_run, pf);
		if (rc != 0) {
			BCNIC_LOG(ERR, "%s: cannot start the poller thread: %s", pf->dev_name,
				  strerror(rc));
			return -rc;
		}
		pf->thread_running = true;
		return 0;
	default:
		BCNIC_LOG(INFO, "%s: poller=app, the application calls rte_pmd_bcnic_pf_poll()",
			  pf->dev_name);
		bcnic_shm_set_assist(pf->shm, poller_assist, pf);
		return 0;
	}
}

void
bcnic_pf_poller_stop(struct bcnic_pf *pf)
{
	uint32_t lcores[RTE_MAX_LCORE];
	int32_t n, i;

	bcnic_shm_set_assist(pf->shm, NULL, NULL);	/* returns once no hook runs */
	if (pf->service_registered) {
		rte_eal_alarm_cancel(service_map_alarm, pf);
		rte_service_runstate_set(pf->service_id, 0);
		rte_service_component_runstate_set(pf->service_id, 0);
		for (i = 0; i < 100000 && rte_service_may_be_active(pf->service_id) == 1; i++)
			rte_delay_us_sleep(10);
		n = rte_service_lcore_list(lcores, RTE_MAX_LCORE);
		for (i = 0; i < n; i++)
			rte_service_map_lcore_set(pf->service_id, lcores[i], 0);
		rte_service_component_unregister(pf->service_id);
		pf->service_registered = false;
	}
	if (pf->thread_running) {
		__atomic_store_n(&pf->stop, true, __ATOMIC_RELAXED);	/* join orders the rest */
		pthread_join(pf->thread, NULL);
		pf->thread_running = false;
	}
	/*
	 * Pairs with the last round's unlock, whoever ran it (a service lcore,
	 * an app thread that stopped polling): its writes are ours to free now.
	 */
	rte_spinlock_lock(&pf->round_lock);
	rte_spinlock_unlock(&pf->round_lock);
}
