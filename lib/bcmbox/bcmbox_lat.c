/* SPDX-License-Identifier: BSD-3-Clause */
/* The one latency histogram: its bounds and its bucket names (bcmbox.h). */
#include <stdio.h>

#include "bcmbox.h"

/* From a PF's fast service time to a VF's round trip through a busy poller. */
const uint32_t bcmbox_lat_bounds_ns[BCMBOX_LAT_BUCKETS - 1] = {
	250, 500, 1000, 2000, 4000, 8000, 16000, 64000, 1000000,
};

void
bcmbox_lat_bounds_init(struct bcmbox_lat_bounds *b, uint64_t hz)
{
	for (unsigned int i = 0; i < BCMBOX_LAT_BUCKETS - 1; i++)
		b->ticks[i] = (uint64_t)bcmbox_lat_bounds_ns[i] * hz / 1000000000ull;
}

int
bcmbox_lat_name(char *buf, size_t len, const char *prefix, unsigned int i)
{
	if (i < BCMBOX_LAT_BUCKETS - 1)
		return snprintf(buf, len, "%s_lt_%uns", prefix, bcmbox_lat_bounds_ns[i]);
	return snprintf(buf, len, "%s_ge_%uns", prefix, bcmbox_lat_bounds_ns[BCMBOX_LAT_BUCKETS - 2]);
}
