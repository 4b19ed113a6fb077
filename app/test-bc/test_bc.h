/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc: shared definitions. The files call one way:
 *   bc_main.c                       options, dispatch, output
 *   bc_latency.c, bc_modes.c        the modes
 *   bc_trace.c                      PF and VF traces matched: stages, pickup
 *   bc_common.c, bc_baselines.c,    ports, lcores, stop flag; reference
 *   bc_machine.c, bc_report.c       channels; machine facts; table, JSON,
 *                                   CSV, plot
 */
#ifndef TEST_BC_H
#define TEST_BC_H

#include <stdbool.h>
#include <stdint.h>

#include <signal.h>

#define BC_MAX_SERIES 64
#define BC_MAX_EXTRAS 16
#define BC_BLOCK	0x0bc00001u	/* the benchmark's block: 64 KiB, per VF, RW */
#define BC_TIMEOUT_MS	2000

struct bc_opts {
	const char *mode;
	bool baselines;
	bool breakdown;		/* latency: where a 64 B read's time goes (traces) */
	uint32_t samples;
	uint32_t warmup;
	uint32_t sizes[8];
	unsigned int nsizes;
	uint32_t duration_ms;	/* throughput: measuring time per point */
	uint32_t max_vfs;	/* throughput: 1..max_vfs VFs */
	uint32_t depth;		/* requests in flight per VF */
	uint32_t chunks;	/* latency: interleaved chunks per series */
	const char *json, *csv, *png;
	char dev[33];
	const char *attach;	/* dev:vf of a PF in another process */
	bool serve;
	const char *pf_args;
};

extern volatile sig_atomic_t bc_quit;

/* One measured series: raw samples in TSC cycles, summarised on report. */
struct bc_series {
	char name[32];		/* bcnic_read, baseline_cacheline, ... */
	/*
	 * read, write, rtt, frame; "stage": one stage of the breakdown
	 * (bc_stage_names[]) or the PF pickup delay (fairness), from traces.
	 */
	char op[16];
	uint32_t size;		/* payload bytes */
	uint32_t vfs;		/* VFs attached while measured */
	uint32_t n;		/* samples */
	uint32_t cap;		/* room in cycles[] */
	uint32_t *cycles;	/* [n] */
	double elapsed_s;	/* wall time of the measured phase */
	uint64_t ops;		/* operations done when more than samples kept; 0: n */
	/* filled in by bc_summarise() */
	double p50, p90, p99, p999, max, mean, ops_per_s;	/* ns, ops/s */
};

/* Where a role (vf, pf, flooder) ran: its lcore, CPUs and their SMT siblings. */
struct bc_lcore_fact {
	char role[16];
	unsigned int lcore;
	int cpu;		/* the one CPU of the lcore, -1 if several */
	char cpus[64];		/* the lcore's CPU list */
	char siblings[64];	/* thread_siblings_list of cpu, "" unknown */
};

/* The facts that decide the numbers (bc_machine.c). */
struct bc_machine {
	char cpu_model[128];
	char kernel[200];
	char hypervisor[16];	/* CPUID signature, "none", "unknown" */
	int virtualised;	/* 1, 0, -1 unknown */
	unsigned int online_cpus;
	uint64_t tsc_hz;
	bool tsc_invariant;	/* constant_tsc and nonstop_tsc */
	unsigned int nlcores;
	struct bc_lcore_fact lcores[4];
	char smt[16];		/* first two lcores: yes, no, same_cpu, unknown */
};

struct bc_report {
	const char *mode;
	uint64_t tsc_hz;
	struct bc_machine machine;
	unsigned int count;
	struct bc_series s[BC_MAX_SERIES];
	unsigned int nextras;	/* mode-specific figures: printed and in the JSON */
	struct {
		char name[48];
		double value;
	} extras[BC_MAX_EXTRAS];
	unsigned int nnotes;	/* mode-specific words (layout, ...): printed and in the JSON */
	struct {
		char name[32];
		char value[96];
	} notes[BC_MAX_EXTRAS];
};

void bc_extra(struct bc_report *r, const char *name, double value);
void bc_note(struct bc_report *r, const char *name, const char *value);

/* bc_common.c: the PF and VF the modes measure, the lcores they use. */
double bc_now_s(void);
int bc_pf_create(const struct bc_opts *o, unsigned int vfs, const char *extra, uint16_t *port);
void bc_pf_destroy(void);
int bc_vf_attach(const char *dev, unsigned int vf, uint16_t *port);
void bc_vf_detach(unsigned int vf);
int bc_server_lcore(bool *is_service);
void bc_lcore_borrow(unsigned int lcore, bool is_service);
void bc_lcore_return(unsigned int lcore, bool is_service);

/* bc_machine.c */
void bc_machine_probe(struct bc_machine *m);
void bc_machine_lcore(struct bc_machine *m, const char *role, unsigned int lcore);

/* bc_latency.c */
int bc_mode_latency(const struct bc_opts *o, struct bc_report *r);

/* bc_modes.c */
int bc_mode_serve(const struct bc_opts *o);
int bc_mode_throughput(const struct bc_opts *o, struct bc_report *r);
int bc_mode_scale(const struct bc_opts *o, struct bc_report *r);
int bc_mode_fairness(const struct bc_opts *o, struct bc_report *r);
int bc_mode_backoff(const struct bc_opts *o, struct bc_report *r);
int bc_mode_datapath(const struct bc_opts *o, struct bc_report *r);

/* Allocate a series of up to n samples; NULL when the table is full. */
struct bc_series *bc_series_new(struct bc_report *r, const char *name, const char *op,
				uint32_t size, uint32_t vfs, uint32_t n);
void bc_summarise(struct bc_report *r);
void bc_print_table(const struct bc_report *r);
int bc_write_json(const struct bc_report *r, const char *path);
int bc_write_csv(const struct bc_report *r, const char *path);
int bc_plot_png(const struct bc_report *r, const char *script, const char *png);
void bc_report_free(struct bc_report *r);
const struct bc_series *bc_find(const struct bc_report *r, const char *name, uint32_t size);

/* Baselines: request/response between the calling lcore and server_lcore. */
int bc_baseline_mailbox(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);
int bc_baseline_cacheline(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);
int bc_baseline_rte_ring(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);
int bc_baseline_unix_socket(struct bc_series *s, unsigned int server_lcore, uint32_t warmup);

/* bc_trace.c: both sides' traces of one VF's requests (TSC, one host). */
struct bc_trace {
	struct rte_pmd_bcnic_trace_rec *vf_rec, *pf_rec;
	uint32_t cap, nvf, npf;
	uint16_t pf_port, vf, vf_port;
};

#define BC_STAGES 6	/* five stages, then their total */
extern const char *const bc_stage_names[BC_STAGES];

int bc_trace_start(struct bc_trace *t, uint16_t pf_port, uint16_t vf, uint16_t vf_port, uint32_t n);
int bc_trace_stop(struct bc_trace *t);
void bc_trace_free(struct bc_trace *t);
/* PF pickup delay (VF submit -> PF pickup) of every matched request into s. */
int bc_trace_pickup(const struct bc_trace *t, struct bc_series *s);
/* The stages of ncalls synchronous one-request calls made between call0[k] and call1[k]. */
int bc_trace_stages(const struct bc_trace *t, const uint64_t *call0, const uint64_t *call1,
		    uint32_t ncalls, struct bc_series *const st[BC_STAGES]);

/* Progress on stderr for runs longer than a few seconds. */
void bc_progress(const char *what, uint32_t done, uint32_t total);

#endif
