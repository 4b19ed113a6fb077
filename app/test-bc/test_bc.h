/* SPDX-License-Identifier: BSD-3-Clause */
/* dpdk-test-bc: shared definitions. */
#ifndef TEST_BC_H
#define TEST_BC_H

#include <stdbool.h>
#include <stdint.h>

#define BC_MAX_SERIES 64

/* One measured series: raw samples in TSC cycles, summarised on report. */
struct bc_series {
	char name[32];		/* bcnic_read, baseline_cacheline, ... */
	char op[16];		/* read, write, rtt */
	uint32_t size;		/* payload bytes */
	uint32_t vfs;		/* VFs attached while measured */
	uint32_t n;		/* samples */
	uint32_t *cycles;	/* [n] */
	double elapsed_s;	/* wall time of the measured phase */
	/* filled in by bc_summarise() */
	double p50, p90, p99, p999, max, mean, ops_per_s;	/* ns, ops/s */
};

struct bc_report {
	const char *mode;
	uint64_t tsc_hz;
	unsigned int count;
	struct bc_series s[BC_MAX_SERIES];
};

/* Allocate a series of up to n samples; NULL when the table is full. */
struct bc_series *bc_series_new(struct bc_report *r, const char *name, const char *op,
				uint32_t size, uint32_t vfs, uint32_t n);
void bc_summarise(struct bc_report *r);
void bc_print_table(const struct bc_report *r);
int bc_write_json(const struct bc_report *r, const char *path);
int bc_write_csv(const struct bc_report *r, const char *path);
int bc_plot_png(const struct bc_report *r, const char *csv, const char *png);
void bc_report_free(struct bc_report *r);
const struct bc_series *bc_find(const struct bc_report *r, const char *name, uint32_t size);

/* Baselines: request/response between the calling lcore and server_lcore. */
int bc_baseline_cacheline(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);
int bc_baseline_rte_ring(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);
int bc_baseline_unix_socket(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);

/* Progress on stderr for runs longer than a few seconds. */
void bc_progress(const char *what, uint32_t done, uint32_t total);

#endif
