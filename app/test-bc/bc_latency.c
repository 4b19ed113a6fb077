/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc latency mode: synchronous reads and writes of every size
 * from a VF port, and the reference channels (--baselines) on the same
 * two lcores, interleaved in chunks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "rte_pmd_bcnic.h"
#include "test_bc.h"

static const struct {
	const char *name;
	int (*fn)(struct bc_series *, unsigned int, uint32_t);
} baselines[] = {
	{ "baseline_mailbox", bc_baseline_mailbox },
	{ "baseline_cacheline", bc_baseline_cacheline },
	{ "baseline_rte_ring", bc_baseline_rte_ring },
	{ "baseline_unix_socket", bc_baseline_unix_socket },
};

/* One chunk of every baseline, appended to its series. */
static int
baselines_chunk(struct bc_series **bs, uint32_t chunk, uint32_t warmup, unsigned int lcore,
		bool is_service)
{
	int rc = 0;

	bc_lcore_borrow(lcore, is_service);
	for (unsigned int i = 0; i < RTE_DIM(baselines) && rc == 0; i++) {
		struct bc_series view = *bs[i];
		uint32_t n = RTE_MIN(chunk, bs[i]->cap - bs[i]->n);

		view.cycles = bs[i]->cycles + bs[i]->n;
		view.n = n;
		view.elapsed_s = 0;
		rc = baselines[i].fn(&view, lcore, warmup);
		if (rc != 0) {
			fprintf(stderr, "%s failed: %s\n", baselines[i].name, strerror(-rc));
			break;
		}
		bs[i]->n += n;
		bs[i]->elapsed_s += view.elapsed_s;
	}
	bc_lcore_return(lcore, is_service);
	return rc;
}

/* Samples a size gets: fewer for multi-request sizes, the same bytes as 4 KiB. */
static uint32_t
samples_for(const struct bc_opts *o, uint32_t size)
{
	return size > 4096 ? RTE_MAX(o->samples / (size / 4096), 1000u) : o->samples;
}

/*
 * The VF gives the PF up after 200 ms without a heartbeat; on a shared
 * machine the PF's lcore can be descheduled that long. Wait (bounded) for
 * the VF to reconnect, say so, and let the caller retake the sample.
 */
static int
bc_vf_reconnect(uint16_t vf)
{
	struct timespec ts = { 0, 1000000 };
	uint8_t probe;

	for (int i = 0; i < 5000 && !bc_quit; i++) {
		rte_pmd_bcnic_vf_event_poll(vf);	/* reconnects when the PF beats again */
		if (rte_pmd_bcnic_vf_block_read(vf, BC_BLOCK, 0, &probe, 1, NULL, 100) == 1) {
			fprintf(stderr, "note: VF port %u lost the PF for a moment (a stalled lcore) and reconnected; sample retaken\n",
				vf);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -ENOTCONN;
}

/* A chunk of synchronous reads or writes of s->size bytes, appended to s. */
static int
block_chunk(struct bc_series *s, uint16_t vf, bool write, uint32_t chunk, uint32_t warm)
{
	static uint8_t buf[RTE_PMD_BCNIC_MAX_BLOCK_SIZE];
	uint32_t size = s->size, n = RTE_MIN(chunk, s->cap - s->n);
	struct timespec t0, t1;
	int rc;

	memset(buf, 0xa5, size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t i = 0; i < warm + n && !bc_quit; i++) {
		uint64_t c0;

		if (i == warm)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		c0 = rte_rdtsc();
		if (write)
			rc = rte_pmd_bcnic_vf_block_write(vf, BC_BLOCK, 0, buf, size, NULL,
							  BC_TIMEOUT_MS);
		else
			rc = rte_pmd_bcnic_vf_block_read(vf, BC_BLOCK, 0, buf, size, NULL,
							 BC_TIMEOUT_MS);
		if (rc == -ENOTCONN && bc_vf_reconnect(vf) == 0) {
			i--;	/* the sample is lost, not counted: take it again */
			continue;
		}
		if (rc != (int)size) {
			fprintf(stderr, "%s %u B failed: %s\n", s->name, size, strerror(-rc));
			return rc < 0 ? rc : -EIO;
		}
		if (i >= warm)
			s->cycles[s->n++] = (uint32_t)RTE_MIN(rte_rdtsc() - c0, (uint64_t)UINT32_MAX);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->elapsed_s += (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return bc_quit ? -EINTR : 0;
}

/*
 * Where a 64 B read's time goes: n synchronous reads with both sides'
 * traces on, each cut into the stages at the timestamps the VF, the PF and
 * this loop took (one TSC). A pass of its own, after the series above: the
 * trace's stores stay out of those.
 */
static int
breakdown(const struct bc_opts *o, struct bc_report *r, uint16_t pf_port, unsigned int vf,
	  uint16_t vf_port)
{
	uint32_t n = RTE_MIN(o->samples, 100000u), warm = RTE_MIN(o->warmup, n), k = 0;
	uint64_t *call0 = calloc(n, sizeof(*call0)), *call1 = calloc(n, sizeof(*call1));
	struct bc_series *st[BC_STAGES];
	struct bc_trace t;
	uint8_t buf[64];
	double t0;
	int rc = 0;

	for (unsigned int i = 0; i < BC_STAGES; i++)
		if ((st[i] = bc_series_new(r, bc_stage_names[i], "stage", 64, 1, n)) == NULL)
			rc = -ENOMEM;
	if (call0 == NULL || call1 == NULL)
		rc = -ENOMEM;
	for (uint32_t i = 0; rc == 0 && i < warm; i++)
		if (rte_pmd_bcnic_vf_block_read(vf_port, BC_BLOCK, 0, buf, 64, NULL, BC_TIMEOUT_MS) != 64)
			rc = -EIO;
	if (rc == 0)
		rc = bc_trace_start(&t, pf_port, (uint16_t)vf, vf_port, n + 64);
	if (rc != 0)
		goto out;
	t0 = bc_now_s();
	for (k = 0; k < n && !bc_quit; k++) {
		call0[k] = rte_rdtsc();
		rc = rte_pmd_bcnic_vf_block_read(vf_port, BC_BLOCK, 0, buf, 64, NULL, BC_TIMEOUT_MS);
		call1[k] = rte_rdtsc();
		if (rc != 64) {
			rc = rc < 0 ? rc : -EIO;
			break;
		}
		rc = 0;
	}
	for (unsigned int i = 0; i < BC_STAGES; i++)
		st[i]->elapsed_s = bc_now_s() - t0;	/* the traced pass */
	if (bc_trace_stop(&t) == 0 && rc == 0)
		rc = bc_trace_stages(&t, call0, call1, k, st);
	bc_trace_free(&t);
	if (rc != 0)
		fprintf(stderr, "breakdown failed: %s\n", strerror(-rc));
out:
	free(call0);
	free(call1);
	return rc;
}

/*
 * Latency: every series is measured in o->chunks interleaved chunks, so a
 * slow phase of a shared machine weighs on all of them alike and the
 * ratios between them hold.
 */
int
bc_mode_latency(const struct bc_opts *o, struct bc_report *r)
{
	bool is_service = false;
	int lcore = bc_server_lcore(&is_service);
	bool own_pf = o->attach == NULL;
	struct bc_series *bs[RTE_DIM(baselines)] = { NULL };
	struct bc_series *rd[8] = { NULL }, *wr[8] = { NULL };
	char dev[33];
	unsigned int vf = 0;
	uint16_t pf_port, vf_port;
	bool vf_up = false;
	int rc = 0;

	if (own_pf && lcore < 0) {
		fprintf(stderr, "need a second lcore for the PF poller, e.g. EAL -l 0-1 -s 0x2\n");
		return -EINVAL;
	}
	if (own_pf && !is_service)
		fprintf(stderr, "note: no service lcore; the PF poller runs in its fallback thread\n");
	if (o->baselines && (lcore < 0 || (!own_pf && !is_service && lcore < 0))) {
		fprintf(stderr, "--baselines needs a second lcore\n");
		return -EINVAL;
	}
	if (o->baselines)
		for (unsigned int i = 0; i < RTE_DIM(baselines); i++)
			if ((bs[i] = bc_series_new(r, baselines[i].name, "rtt", 64, 0, o->samples)) == NULL)
				return -ENOMEM;
	for (unsigned int i = 0; i < o->nsizes; i++) {
		rd[i] = bc_series_new(r, "bcnic_read", "read", o->sizes[i], 1, samples_for(o, o->sizes[i]));
		wr[i] = bc_series_new(r, "bcnic_write", "write", o->sizes[i], 1,
				      samples_for(o, o->sizes[i]));
		if (rd[i] == NULL || wr[i] == NULL)
			return -ENOMEM;
	}
	if (own_pf) {
		snprintf(dev, sizeof(dev), "%s", o->dev);
		rc = bc_pf_create(o, 1, "", &pf_port);
	} else if (sscanf(o->attach, "%32[^:]:%u", dev, &vf) != 2) {
		fprintf(stderr, "invalid --attach '%s': expected DEV:VF\n", o->attach);
		rc = -EINVAL;
	}
	if (rc == 0) {
		rc = bc_vf_attach(dev, vf, &vf_port);
		vf_up = rc == 0;
	}
	bc_progress("latency", 0, o->chunks);
	for (uint32_t k = 0; rc == 0 && k < o->chunks; k++) {
		/* The first chunk warms up fully, later ones re-warm the caches briefly. */
		uint32_t warm = k == 0 ? o->warmup : o->warmup / o->chunks;

		if (o->baselines)
			rc = baselines_chunk(bs, (o->samples + o->chunks - 1) / o->chunks, warm,
					     (unsigned int)lcore, is_service);
		for (unsigned int i = 0; rc == 0 && i < o->nsizes; i++) {
			uint32_t n = samples_for(o, o->sizes[i]);
			uint32_t c = (n + o->chunks - 1) / o->chunks;
			uint32_t w = o->sizes[i] > 4096 ? RTE_MAX(warm / (o->sizes[i] / 4096), 10u) : warm;

			rc = block_chunk(rd[i], vf_port, false, c, w);
			if (rc == 0)
				rc = block_chunk(wr[i], vf_port, true, c, w);
		}
		bc_progress("latency", k + 1, o->chunks);
	}
	if (rc == 0 && o->breakdown) {
		if (own_pf)
			rc = breakdown(o, r, pf_port, vf, vf_port);
		else
			fprintf(stderr, "note: --breakdown needs the PF in this process: skipped with --attach\n");
	}
	if (vf_up)
		bc_vf_detach(vf);
	if (own_pf)
		bc_pf_destroy();
	return rc;
}
