/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one latency histogram of the PF (request service time) and the VF
 * (request round trip): the same buckets, the same counting, the same
 * xstat names ("<prefix>_lt_<bound>ns", the last "<prefix>_ge_<bound>ns").
 */
#ifndef BCNIC_HIST_H
#define BCNIC_HIST_H

#include <stdint.h>
#include <stdio.h>

/* Buckets; the last one is open. */
#define BCNIC_LAT_BUCKETS 10

/* Upper bound (ns) of bucket i < BCNIC_LAT_BUCKETS - 1. */
static inline uint32_t
bcnic_hist_bound_ns(unsigned int i)
{
	static const uint32_t bounds_ns[BCNIC_LAT_BUCKETS - 1] = {
		100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600,
	};

	return bounds_ns[i];
}

/* Bounds in TSC cycles, set once: counting divides nothing. */
struct bcnic_hist {
	uint64_t bound_cycles[BCNIC_LAT_BUCKETS - 1];
};

static inline void
bcnic_hist_init(struct bcnic_hist *h, uint64_t tsc_hz)
{
	for (unsigned int i = 0; i < BCNIC_LAT_BUCKETS - 1; i++)
		h->bound_cycles[i] = (uint64_t)bcnic_hist_bound_ns(i) * tsc_hz / 1000000000ull;
}

/* Count one sample of cycles into counts[BCNIC_LAT_BUCKETS]. */
static inline void
bcnic_hist_count(const struct bcnic_hist *h, uint64_t counts[BCNIC_LAT_BUCKETS], uint64_t cycles)
{
	unsigned int i;

	for (i = 0; i < BCNIC_LAT_BUCKETS - 1 && cycles >= h->bound_cycles[i]; i++)
		;
	counts[i]++;
}

/* The xstat name of bucket i. */
static inline void
bcnic_hist_name(char *buf, size_t len, const char *prefix, unsigned int i)
{
	if (i < BCNIC_LAT_BUCKETS - 1)
		snprintf(buf, len, "%s_lt_%uns", prefix, bcnic_hist_bound_ns(i));
	else
		snprintf(buf, len, "%s_ge_%uns", prefix, bcnic_hist_bound_ns(i - 1));
}

#endif /* BCNIC_HIST_H */
