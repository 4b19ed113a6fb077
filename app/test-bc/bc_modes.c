/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc modes beyond latency: throughput (pipelined asynchronous
 * reads, 1..N VFs), scale (one active VF among 1..256 attached), fairness
 * (a probe VF beside a flooding one), backoff (the PF's thread poller:
 * idle CPU and wake-up latency), datapath, serve. The VF side on the main
 * lcore (fairness's flooder on a spare lcore when there is one), the PF
 * poller where the PF puts it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bcmbox_client.h"
#include "rte_pmd_bcnic.h"
#include "test_bc.h"

static uint8_t sink[RTE_PMD_BCNIC_MAX_XFER];	/* async reads land here: contents unused */
static int first_error;	/* the first failed request's status, for the message */

static void
record(struct bc_series *s, uint32_t cap, uint64_t cycles)
{
	if (s->n < cap)
		s->cycles[s->n++] = (uint32_t)RTE_MIN(cycles, (uint64_t)UINT32_MAX);
}

/* Keep a VF's mailbox full of reads; returns requests submitted. */
static unsigned int
top_up(uint16_t port, uint32_t size, unsigned int *inflight, unsigned int depth)
{
	unsigned int n = 0;

	while (*inflight < depth &&
	       rte_pmd_bcnic_vf_read_submit(port, BC_BLOCK, 0, sink, size,
					    (void *)(uintptr_t)rte_rdtsc()) == 0) {
		(*inflight)++;
		n++;
	}
	return n;
}

/* Take completions; their latency into s when s is not NULL. Returns errors. */
static unsigned int
drain(uint16_t port, unsigned int *inflight, uint64_t *ops, struct bc_series *s, uint32_t cap)
{
	struct rte_pmd_bcnic_completion c[64];
	unsigned int errors = 0;
	int n = rte_pmd_bcnic_vf_completions(port, c, RTE_DIM(c));
	uint64_t now = rte_rdtsc();

	for (int i = 0; i < n; i++) {
		if (c[i].status != 0) {
			errors++;
			if (first_error == 0)
				first_error = c[i].status;
		} else if (s != NULL) {
			record(s, cap, now - (uint64_t)(uintptr_t)c[i].cookie);
		}
	}
	if (n > 0) {
		*inflight -= (unsigned int)n;
		*ops += (uint64_t)n;
	}
	return errors;
}

struct idle_vf;
static int raw_floods(const struct bc_opts *o, struct bc_report *r);

int
bc_mode_throughput(const struct bc_opts *o, struct bc_report *r)
{
	uint16_t pf, ports[64];
	int rc = 0;

	for (unsigned int nvf = 1; nvf <= o->max_vfs && rc == 0; nvf *= 2) {
		unsigned int attached = 0;

		rc = bc_pf_create(o, nvf, "", &pf);
		for (unsigned int v = 0; rc == 0 && v < nvf; v++) {
			rc = bc_vf_attach(o->dev, v, &ports[v]);
			attached += rc == 0;
		}
		for (unsigned int k = 0; rc == 0 && k < o->nsizes; k++) {
			uint32_t size = o->sizes[k];
			unsigned int inflight[64] = { 0 }, errors = 0;
			uint64_t ops = 0;
			struct bc_series *s;
			char what[64], name[64];
			double t0 = bc_now_s(), t1, end;

			if (size > RTE_PMD_BCNIC_MAX_XFER)
				continue;	/* one asynchronous request moves at most 4 KiB */
			s = bc_series_new(r, "bcnic_read_pipelined", "read", size, nvf, o->samples);
			if (s == NULL)
				return -ENOMEM;
			snprintf(what, sizeof(what), "pipelined %u B reads, %u VF(s)", size, nvf);
			bc_progress(what, 0, o->duration_ms);
			/* Warm-up: a tenth of the time, not counted. */
			for (int phase = 0; phase < 2 && !bc_quit; phase++) {
				double span = phase == 0 ? o->duration_ms / 10000.0 : o->duration_ms / 1000.0;

				t0 = bc_now_s();
				end = t0 + span;
				ops = 0;
				while (!bc_quit) {
					for (unsigned int v = 0; v < nvf; v++) {
						top_up(ports[v], size, &inflight[v], o->depth);
						errors += drain(ports[v], &inflight[v], &ops,
								phase ? s : NULL, o->samples);
					}
					if ((ops & 0x3ff) == 0 && bc_now_s() > end)
						break;
				}
			}
			t1 = bc_now_s();
			/* Let the last answers in before the next point. */
			for (int spins = 0; spins < 1000000; spins++) {
				unsigned int left = 0;
				uint64_t dummy = 0;

				for (unsigned int v = 0; v < nvf; v++) {
					drain(ports[v], &inflight[v], &dummy, NULL, 0);
					left += inflight[v];
				}
				if (left == 0)
					break;
			}
			bc_progress(what, o->duration_ms, o->duration_ms);
			s->elapsed_s = t1 - t0;
			s->ops = ops;
			snprintf(name, sizeof(name), "mbytes_per_s_%uvf_%uB", nvf, size);
			bc_extra(r, name, ops * size / s->elapsed_s / 1e6);
			if (errors != 0) {
				fprintf(stderr, "%s: %u requests failed (the first: %s)\n", what, errors,
					strerror(-first_error));
				rc = -EIO;
			}
		}
		for (unsigned int v = 0; v < attached; v++)
			bc_vf_detach(v);
		/* The same window, now driven by the raw library client: the driver's cost. */
		if (rc == 0 && nvf == 1)
			rc = raw_floods(o, r);
		bc_pf_destroy();
	}
	return rc;
}

/* A raw session on a VF window: an attached, idle VF (lib/bcmbox only). */
struct idle_vf {
	struct bcmbox_client c;
	void *base;
	size_t size;
};

static int
idle_attach(struct idle_vf *v, const char *dev, unsigned int vf)
{
	int rc;

	rc = bcmbox_shm_map(dev, (int)vf, &v->base, &v->size);
	if (rc != 0) {
		v->base = NULL;
		return rc;
	}
	rc = bcmbox_client_open(&v->c, v->base, v->size);
	if (rc == 0)
		rc = bcmbox_client_connect(&v->c, 2000000000ull);
	return rc;
}

/* Synchronous 64 B reads of one VF port into a new series. */
static int
sync_reads(struct bc_report *r, const struct bc_opts *o, uint16_t port, const char *name,
	   uint32_t vfs, uint32_t n)
{
	struct bc_series *s = bc_series_new(r, name, "read", 64, vfs, n);
	double t0 = 0;
	uint8_t buf[64];

	if (s == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < o->warmup + n && !bc_quit; i++) {
		uint64_t c0;
		int rc;

		if (i == o->warmup)
			t0 = bc_now_s();
		c0 = rte_rdtsc();
		rc = rte_pmd_bcnic_vf_block_read(port, BC_BLOCK, 0, buf, sizeof(buf), NULL,
						 BC_TIMEOUT_MS);
		if (rc != (int)sizeof(buf))
			return rc < 0 ? rc : -EIO;
		if (i >= o->warmup)
			record(s, n, rte_rdtsc() - c0);
	}
	s->elapsed_s = bc_now_s() - t0;
	return bc_quit ? -EINTR : 0;
}

int
bc_mode_scale(const struct bc_opts *o, struct bc_report *r)
{
	static const unsigned int counts[] = { 1, 16, 64, 256 };
	static struct idle_vf idle[256];
	const struct bc_series *one = NULL, *many = NULL;
	int rc = 0;

	for (unsigned int k = 0; k < RTE_DIM(counts) && rc == 0; k++) {
		unsigned int count = counts[k], attached = 0;
		uint16_t pf, port;
		char what[64];

		snprintf(what, sizeof(what), "%u VFs attached, one active", count);
		fprintf(stderr, "  measuring %s\n", what);
		rc = bc_pf_create(o, count, "", &pf);
		/* VFs 0..count-2 attached and idle; the last one is the active port. */
		for (unsigned int v = 0; rc == 0 && v + 1 < count; v++) {
			rc = idle_attach(&idle[v], o->dev, v);
			attached++;
		}
		if (rc == 0)
			rc = bc_vf_attach(o->dev, count - 1, &port);
		if (rc == 0) {
			rc = sync_reads(r, o, port, "bcnic_read", count, o->samples);
			bc_vf_detach(count - 1);
		}
		for (unsigned int v = 0; v < attached; v++)
			if (idle[v].base != NULL) {
				munmap(idle[v].base, idle[v].size);
				idle[v].base = NULL;
			}
		bc_pf_destroy();
	}
	if (rc == 0) {
		bc_summarise(r);
		one = bc_find(r, "bcnic_read", 0);
		for (unsigned int k = 0; k < r->count; k++)
			if (r->s[k].vfs == 256)
				many = &r->s[k];
		if (one != NULL && many != NULL && one->p50 > 0)
			bc_extra(r, "p50_ratio_256_vs_1_vf", many->p50 / one->p50);
	}
	return rc;
}

/*
 * Pipelined reads of every size on VF 0's window by a raw session (lib/bcmbox:
 * send and receive on the rings, no pending table, no lock), at the driver's
 * depth: the flood rate the driver's async API is compared with.
 */
static int
raw_floods(const struct bc_opts *o, struct bc_report *r)
{
	static struct idle_vf raw;
	static struct bcmbox_msg m;
	static uint64_t sent_at[4096];	/* by tag: more than a request ring holds */
	int rc = idle_attach(&raw, o->dev, 0);

	for (unsigned int k = 0; rc == 0 && k < o->nsizes; k++) {
		uint32_t size = o->sizes[k];
		unsigned int inflight = 0, errors = 0, loops = 0;
		uint64_t ops = 0;
		struct bc_series *s;
		char name[64];
		double t0 = 0, t1, end = 0;

		if (size > RTE_PMD_BCNIC_MAX_XFER)
			continue;
		s = bc_series_new(r, "raw_read_pipelined", "read", size, 1, o->samples);
		if (s == NULL) {
			rc = -ENOMEM;
			break;
		}
		for (int phase = 0; phase < 2 && !bc_quit; phase++) {
			t0 = bc_now_s();
			end = t0 + (phase == 0 ? o->duration_ms / 10000.0 : o->duration_ms / 1000.0);
			ops = 0;
			while (!bc_quit) {
				struct bcmbox_msg_hdr h = {
					.type = BCMBOX_MSG_READ, .block_id = BC_BLOCK, .arg = size,
				};

				int64_t tag;

				while (inflight < o->depth &&
				       (tag = bcmbox_client_send(&raw.c, &h, NULL)) >= 0) {
					sent_at[tag & (RTE_DIM(sent_at) - 1)] = rte_rdtsc();
					inflight++;
				}
				while (bcmbox_client_recv(&raw.c, &m) == 1) {
					inflight--;
					ops++;
					errors += m.hdr.status != BCMBOX_ST_OK;
					if (phase == 1)
						record(s, o->samples, rte_rdtsc() -
						       sent_at[m.hdr.tag & (RTE_DIM(sent_at) - 1)]);
				}
				/* By loops, not answers: a burst of answers may step over any mark. */
				if ((++loops & 0xff) == 0 && bc_now_s() > end)
					break;
			}
		}
		t1 = bc_now_s();
		for (int spins = 0; inflight > 0 && spins < 1000000; spins++)
			while (bcmbox_client_recv(&raw.c, &m) == 1)
				inflight--;
		s->elapsed_s = t1 - t0;
		s->ops = ops;
		snprintf(name, sizeof(name), "raw_mbytes_per_s_1vf_%uB", size);
		bc_extra(r, name, ops * size / s->elapsed_s / 1e6);
		const struct bc_series *drv = bc_find(r, "bcnic_read_pipelined", size);

		if (drv != NULL && drv->elapsed_s > 0 && ops > 0) {
			snprintf(name, sizeof(name), "driver_vs_raw_rate_%uB", size);
			bc_extra(r, name, (drv->ops / drv->elapsed_s) / (ops / s->elapsed_s));
		}
		if (errors != 0) {
			fprintf(stderr, "raw pipelined %u B reads: %u requests failed\n", size, errors);
			rc = -EIO;
		}
	}
	if (raw.base != NULL) {
		munmap(raw.base, raw.size);
		raw.base = NULL;
	}
	return rc;
}

/*
 * The flooding VF is a raw session driven in bursts straight on its rings
 * (lib/bcmbox, no driver locks), so that keeping it flooding costs little
 * when it shares the probe's lcore.
 */
static unsigned int
flood_step(struct idle_vf *f, unsigned int *inflight, unsigned int depth, struct bcmbox_msg *m,
	   uint64_t *ops, unsigned int *errors)
{
	unsigned int sent = 0;

	while (bcmbox_client_recv(&f->c, m) == 1) {
		(*inflight)--;
		(*ops)++;
		*errors += m->hdr.status != BCMBOX_ST_OK;
	}
	while (*inflight < depth) {
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_READ, .block_id = BC_BLOCK, .arg = 64 };

		if (bcmbox_client_send(&f->c, &h, NULL) < 0)
			break;
		(*inflight)++;
		sent++;
	}
	return sent;
}

/* The flooder: its session and what it did; stepped inline or on its own lcore. */
struct flooder {
	struct idle_vf vf;
	struct bcmbox_msg m;
	unsigned int depth, inflight, errors;
	uint64_t ops;		/* answers taken while measuring */
	double elapsed_s;	/* time it flooded while measuring */
	uint32_t stop;		/* set by the probe's lcore: stop and drain */
	uint32_t measuring;	/* set by the probe's lcore: count from now */
	uint32_t flooding;	/* set by the flooder once its ring has been full */
};

static void
flooder_drain(struct flooder *fl)
{
	for (int spins = 0; fl->inflight > 0 && spins < 1000000; spins++)
		while (bcmbox_client_recv(&fl->vf.c, &fl->m) == 1)
			fl->inflight--;
}

/* The flooder on its own lcore: flood until told to stop. */
static int
flooder_run(void *arg)
{
	struct flooder *fl = arg;
	uint64_t ops = 0;
	double t0 = 0;
	bool counting = false;

	while (!__atomic_load_n(&fl->stop, __ATOMIC_ACQUIRE) && !bc_quit) {
		if (!counting && __atomic_load_n(&fl->measuring, __ATOMIC_RELAXED)) {
			counting = true;	/* a relaxed flag: the count, not data, depends on it */
			ops = 0;
			t0 = bc_now_s();
		}
		flood_step(&fl->vf, &fl->inflight, fl->depth, &fl->m, &ops, &fl->errors);
		if (fl->inflight == fl->depth)
			__atomic_store_n(&fl->flooding, 1, __ATOMIC_RELAXED);
	}
	if (counting) {
		fl->ops = ops;
		fl->elapsed_s = bc_now_s() - t0;
	}
	flooder_drain(fl);
	return 0;
}

/* Whether lcores a and b may run on one CPU (their cpusets meet). */
static bool
share_cpu(unsigned int a, unsigned int b)
{
	rte_cpuset_t x = rte_lcore_cpuset(a), y = rte_lcore_cpuset(b), both;

	CPU_AND(&both, &x, &y);
	return CPU_COUNT(&both) > 0;
}

/* A worker lcore that is neither the main nor a service lcore; -1 if none. */
static int
spare_lcore(void)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
		if (rte_eal_lcore_role(lcore) == ROLE_RTE)
			return (int)lcore;
	return -1;
}

/* The PF pickup delays of a trace as series name (op "stage"). */
static int
pickup_series(struct bc_report *r, const struct bc_trace *t, const char *name, uint32_t vfs,
	      uint32_t n, double elapsed_s)
{
	struct bc_series *s = bc_series_new(r, name, "stage", 64, vfs, t->nvf > n ? t->nvf : n);

	if (s == NULL)
		return -ENOMEM;
	s->elapsed_s = elapsed_s;
	return bc_trace_pickup(t, s);
}

/*
 * Fairness: the probe VF's 64 B reads alone, then beside a VF that keeps its
 * request ring full. With a spare lcore the flooder runs there, so the
 * probe's figure holds only what the PF does; without one the probe's lcore
 * also drives the flooder, and its latency includes that work. The output
 * says which layout was used.
 */
int
bc_mode_fairness(const struct bc_opts *o, struct bc_report *r)
{
	static struct flooder fl;
	struct bc_trace tr;
	bool tracing = false;
	int flood_lcore = spare_lcore();
	bool own = flood_lcore >= 0;
	unsigned int probe_errors = 0;	/* apart from fl.errors: another lcore may write those */
	uint16_t pf, probe;
	struct bc_series *s;
	double t0;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.depth = o->depth;
	bc_note(r, "fairness_layout", own ? "flooder_own_lcore" : "flooder_same_lcore");
	bc_machine_lcore(&r->machine, "flooder", own ? (unsigned int)flood_lcore : rte_lcore_id());
	if (!own)
		fprintf(stderr, "note: no spare lcore: the flooder shares the probe's lcore (give a third lcore, e.g. -l 0-2 -s 0x2)\n");
	rc = bc_pf_create(o, 2, "", &pf);
	if (rc == 0)
		rc = bc_vf_attach(o->dev, 0, &probe);
	if (rc == 0)
		rc = idle_attach(&fl.vf, o->dev, 1);
	if (rc != 0)
		goto out;
	fprintf(stderr, "  measuring the probe VF alone\n");
	/* Fairness where it happens: the PF's pickup delay of the probe's requests, from traces. */
	rc = bc_trace_start(&tr, pf, 0, probe, o->warmup + o->samples + 64);
	if (rc == 0) {
		double ta = bc_now_s();

		rc = sync_reads(r, o, probe, "bcnic_read", 1, o->samples);
		if (bc_trace_stop(&tr) == 0 && rc == 0)
			rc = pickup_series(r, &tr, "pf_pickup", 1, o->samples, bc_now_s() - ta);
		bc_trace_free(&tr);
	}
	if (rc != 0)
		goto out;
	/* Loaded: VF 1 keeps its request ring full all the time; the probe sends one read at a time. */
	fprintf(stderr, "  measuring the probe VF beside a flooding VF (%s)\n",
		own ? "flooder on its own lcore" : "flooder on the probe's lcore");
	s = bc_series_new(r, "bcnic_read_flooded", "read", 64, 2, o->samples);
	if (s == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (own) {
		bool is_service;
		int pf_lcore = bc_server_lcore(&is_service);

		if (share_cpu((unsigned int)flood_lcore, rte_lcore_id()) ||
		    (pf_lcore >= 0 && share_cpu((unsigned int)flood_lcore, (unsigned int)pf_lcore))) {
			fprintf(stderr, "note: the flooder's lcore %d shares a CPU with the probe or the PF: the figures mix in the OS scheduler\n",
				flood_lcore);
			bc_note(r, "fairness_cpu_shared", "yes");
		} else {
			bc_note(r, "fairness_cpu_shared", "no");
		}
		rc = rte_eal_remote_launch(flooder_run, &fl, (unsigned int)flood_lcore);
		if (rc != 0)
			goto out;
		/* Measure only once it floods; sleeping lets it run if it shares our CPU. */
		for (int i = 0; i < 20000 && !__atomic_load_n(&fl.flooding, __ATOMIC_RELAXED); i++)
			usleep(100);
	} else {
		bc_note(r, "fairness_cpu_shared", "yes");
		for (int i = 0; i < 1000; i++)
			flood_step(&fl.vf, &fl.inflight, fl.depth, &fl.m, &fl.ops, &fl.errors);
		fl.ops = 0;
	}
	t0 = bc_now_s();
	for (uint32_t i = 0; i < o->warmup + o->samples && !bc_quit; i++) {
		struct rte_pmd_bcnic_completion c;
		uint64_t c0;

		if (i == o->warmup) {
			__atomic_store_n(&fl.measuring, 1, __ATOMIC_RELAXED);
			if (bc_trace_start(&tr, pf, 0, probe, o->samples + 64) == 0)
				tracing = true;
			t0 = bc_now_s();
		}
		c0 = rte_rdtsc();
		rc = rte_pmd_bcnic_vf_read_submit(probe, BC_BLOCK, 0, sink, 64, NULL);
		if (rc != 0)
			break;
		for (;;) {
			if (!own)
				flood_step(&fl.vf, &fl.inflight, fl.depth, &fl.m, &fl.ops, &fl.errors);
			if (rte_pmd_bcnic_vf_completions(probe, &c, 1) == 1) {
				probe_errors += c.status != 0;
				break;
			}
		}
		if (i >= o->warmup)
			record(s, o->samples, rte_rdtsc() - c0);
		if (probe_errors != 0 || (!own && fl.errors != 0))
			break;
	}
	s->elapsed_s = bc_now_s() - t0;
	if (tracing) {
		if (bc_trace_stop(&tr) == 0 && rc == 0)
			rc = pickup_series(r, &tr, "pf_pickup_flooded", 2, o->samples, s->elapsed_s);
		bc_trace_free(&tr);
	}
	if (own) {
		__atomic_store_n(&fl.stop, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore((unsigned int)flood_lcore);
	} else {
		fl.elapsed_s = s->elapsed_s;
		flooder_drain(&fl);
	}
	bc_extra(r, "flooding_vf_ops_per_s", fl.elapsed_s > 0 ? fl.ops / fl.elapsed_s : 0);
	if (fl.errors + probe_errors != 0) {
		fprintf(stderr, "fairness: %u requests failed\n", fl.errors + probe_errors);
		rc = -EIO;
	}
	if (rc == 0) {
		bc_summarise(r);
		const struct bc_series *alone = bc_find(r, "bcnic_read", 0);

		if (alone != NULL && alone->p99 > 0)
			bc_extra(r, "probe_p99_ratio_flooded_vs_alone", s->p99 / alone->p99);
		alone = bc_find(r, "pf_pickup", 0);
		const struct bc_series *flooded = bc_find(r, "pf_pickup_flooded", 0);

		if (alone != NULL && flooded != NULL && alone->p99 > 0)
			bc_extra(r, "pickup_p99_ratio_flooded_vs_alone", flooded->p99 / alone->p99);
	}
out:
	if (fl.vf.base != NULL)
		munmap(fl.vf.base, fl.vf.size);
	bc_vf_detach(0);
	bc_pf_destroy();
	return rc;
}

/* Only the PF (and its benchmark block), for a VF in another process, until SIGINT. */
int
bc_mode_serve(const struct bc_opts *o)
{
	uint16_t port;
	int rc = bc_pf_create(o, 1, "", &port);

	if (rc != 0)
		return rc;
	printf("serving device %s (PF port %u, benchmark block 0x%08x); SIGINT to stop\n", o->dev,
	       port, BC_BLOCK);
	fflush(stdout);
	while (!bc_quit)
		usleep(100000);
	bc_pf_destroy();
	return 0;
}

/*
 * Data path: a VF port sends frames to the PF port as fast as it can, the
 * PF's switch (on the service lcore) moves them, and the PF port's Rx is
 * drained on this lcore too. Frames per second received, and the cycles
 * spent inside the VF's tx_burst and the PF's rx_burst per frame.
 */
int
bc_mode_datapath(const struct bc_opts *o, struct bc_report *r)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("bc_dp_pool", 16383, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	static const uint32_t dp_sizes[] = { 64, 1500 };
	struct rte_ether_addr pf_mac, vf_mac;
	struct rte_eth_conf conf;
	uint16_t pf, vf;
	int rc;

	if (mp == NULL)
		return -ENOMEM;
	rc = bc_pf_create(o, 1, "", &pf);
	if (rc == 0)
		rc = bc_vf_attach(o->dev, 0, &vf);
	memset(&conf, 0, sizeof(conf));
	for (uint16_t p = 0; rc == 0 && p < 2; p++) {
		uint16_t port = p == 0 ? pf : vf;

		if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
		    rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL, mp) != 0 ||
		    rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL) != 0 ||
		    rte_eth_dev_start(port) != 0)
			rc = -EIO;
	}
	if (rc != 0)
		goto out;
	rte_eth_macaddr_get(pf, &pf_mac);
	rte_eth_macaddr_get(vf, &vf_mac);
	usleep(50000);	/* the VF sees the PF's link come up */
	for (unsigned int k = 0; k < RTE_DIM(dp_sizes) && rc == 0; k++) {
		uint32_t size = dp_sizes[k];
		uint64_t tx_cycles = 0, rx_cycles = 0, sent = 0, got = 0;
		struct rte_mbuf *m[32];
		struct bc_series *s;
		char name[64];
		double t0, end;

		s = bc_series_new(r, "bcnic_dp_vf_to_pf", "frame", size, 1, 1);
		if (s == NULL) {
			rc = -ENOMEM;
			break;
		}
		fprintf(stderr, "  measuring %u B frames VF -> PF for %u ms\n", size, o->duration_ms);
		t0 = bc_now_s();
		end = t0 + o->duration_ms / 1000.0;
		while (!bc_quit) {
			uint16_t n = 0, sent_now, rx;
			uint64_t c0;

			if (rte_pktmbuf_alloc_bulk(mp, m, 32) == 0) {
				for (n = 0; n < 32; n++) {
					uint8_t *d = (uint8_t *)rte_pktmbuf_append(m[n], (uint16_t)size);

					memcpy(d, &pf_mac, 6);
					memcpy(d + 6, &vf_mac, 6);
				}
				c0 = rte_rdtsc();
				sent_now = rte_eth_tx_burst(vf, 0, m, n);
				tx_cycles += rte_rdtsc() - c0;
				sent += sent_now;
				if (sent_now < n)
					rte_pktmbuf_free_bulk(m + sent_now, n - sent_now);
			}
			c0 = rte_rdtsc();
			rx = rte_eth_rx_burst(pf, 0, m, 32);
			rx_cycles += rte_rdtsc() - c0;
			got += rx;
			rte_pktmbuf_free_bulk(m, rx);
			if ((sent & 0x3ff) < 32 && bc_now_s() > end)
				break;
		}
		s->elapsed_s = bc_now_s() - t0;
		s->ops = got;
		s->cycles[0] = 0;
		s->n = 1;
		snprintf(name, sizeof(name), "vf_tx_burst_ns_per_frame_%uB", size);
		bc_extra(r, name, sent ? tx_cycles * 1e9 / r->tsc_hz / sent : 0);
		snprintf(name, sizeof(name), "pf_rx_burst_ns_per_frame_%uB", size);
		bc_extra(r, name, got ? rx_cycles * 1e9 / r->tsc_hz / got : 0);
		snprintf(name, sizeof(name), "frames_per_s_%uB", size);
		bc_extra(r, name, got / s->elapsed_s);
		snprintf(name, sizeof(name), "gbits_per_s_%uB", size);
		bc_extra(r, name, got * size * 8.0 / s->elapsed_s / 1e9);
		usleep(20000);
		while ((got = rte_eth_rx_burst(pf, 0, m, 32)) > 0)
			rte_pktmbuf_free_bulk(m, (unsigned int)got);
	}
out:
	rte_eth_dev_stop(vf);
	rte_eth_dev_stop(pf);
	bc_vf_detach(0);
	bc_pf_destroy();
	rte_mempool_free(mp);
	return rc;
}

/* CPU time (ns) of this process's thread named name, from schedstat; 0 if none. */
static uint64_t
thread_cpu_ns(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	uint64_t ns = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], comm[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/schedstat", e->d_name);
		f = fopen(path, "r");
		if (f != NULL) {
			unsigned long long run = 0;

			if (fscanf(f, "%llu", &run) == 1)
				ns = run;
			fclose(f);
		}
		break;
	}
	if (d != NULL)
		closedir(d);
	return ns;
}

int
bc_mode_backoff(const struct bc_opts *o, struct bc_report *r)
{
	uint32_t n = RTE_MIN(o->samples, 500u);
	struct bc_series *s;
	uint16_t pf, vf;
	uint64_t cpu0, cpu1;
	double t0, t1;
	int rc;

	rc = bc_pf_create(o, 1, "poller=thread", &pf);
	if (rc == 0)
		rc = bc_vf_attach(o->dev, 0, &vf);
	if (rc != 0)
		goto out;
	/* Busy: back-to-back reads, the poller spinning. */
	fprintf(stderr, "  measuring the thread poller busy\n");
	rc = sync_reads(r, o, vf, "bcnic_read", 1, o->samples);
	if (rc != 0)
		goto out;
	/* Idle: what the poller thread costs while nobody asks anything. */
	fprintf(stderr, "  measuring the thread poller idle for %u ms\n", o->duration_ms);
	usleep(100000);
	cpu0 = thread_cpu_ns("bcnic-pf");
	t0 = bc_now_s();
	usleep(o->duration_ms * 1000);
	cpu1 = thread_cpu_ns("bcnic-pf");
	t1 = bc_now_s();
	if (cpu0 == 0 && cpu1 == 0) {
		fprintf(stderr, "backoff: the poller thread bcnic-pf was not found\n");
		rc = -ENOENT;
		goto out;
	}
	bc_extra(r, "idle_poller_cpu_percent", (cpu1 - cpu0) / 1e9 / (t1 - t0) * 100);
	/* Wake-up: one read after 2 ms of silence, when the poller sleeps deepest. */
	fprintf(stderr, "  measuring wake-up latency (%u reads after 2 ms idle)\n", n);
	s = bc_series_new(r, "bcnic_read_after_idle", "read", 64, 1, n);
	if (s == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	t0 = bc_now_s();
	for (uint32_t i = 0; i < n && !bc_quit; i++) {
		uint8_t buf[64];
		uint64_t c0;

		usleep(2000);
		c0 = rte_rdtsc();
		rc = rte_pmd_bcnic_vf_block_read(vf, BC_BLOCK, 0, buf, sizeof(buf), NULL,
						 BC_TIMEOUT_MS);
		if (rc != (int)sizeof(buf)) {
			rc = rc < 0 ? rc : -EIO;
			goto out;
		}
		record(s, n, rte_rdtsc() - c0);
	}
	rc = 0;
	s->elapsed_s = bc_now_s() - t0;
out:
	bc_vf_detach(0);
	bc_pf_destroy();
	return rc;
}
