/* SPDX-License-Identifier: BSD-3-Clause */
/* dpdk-test-bc: percentiles, the table, JSON, CSV and the gnuplot CDF. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_bc.h"

struct bc_series *
bc_series_new(struct bc_report *r, const char *name, const char *op, uint32_t size, uint32_t vfs,
	      uint32_t n)
{
	struct bc_series *s;

	if (r->count == BC_MAX_SERIES)
		return NULL;
	s = &r->s[r->count];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->op, sizeof(s->op), "%s", op);
	s->size = size;
	s->vfs = vfs;
	s->cap = n;
	s->cycles = calloc(n ? n : 1, sizeof(*s->cycles));
	if (s->cycles == NULL)
		return NULL;
	r->count++;
	return s;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const struct bc_series *s, double p, double ns_per_cycle)
{
	uint32_t i = (uint32_t)ceil(p / 100.0 * s->n);

	if (i > 0)
		i--;
	if (i >= s->n)
		i = s->n - 1;
	return s->cycles[i] * ns_per_cycle;
}

void
bc_extra(struct bc_report *r, const char *name, double value)
{
	if (r->nextras == BC_MAX_EXTRAS)
		return;
	snprintf(r->extras[r->nextras].name, sizeof(r->extras[0].name), "%s", name);
	r->extras[r->nextras].value = value;
	r->nextras++;
}

void
bc_summarise(struct bc_report *r)
{
	double ns_per_cycle = 1e9 / (double)r->tsc_hz;

	for (unsigned int k = 0; k < r->count; k++) {
		struct bc_series *s = &r->s[k];
		double sum = 0;

		if (s->n == 0)
			continue;
		qsort(s->cycles, s->n, sizeof(*s->cycles), cmp_u32);
		for (uint32_t i = 0; i < s->n; i++)
			sum += s->cycles[i];
		s->p50 = pct(s, 50, ns_per_cycle);
		s->p90 = pct(s, 90, ns_per_cycle);
		s->p99 = pct(s, 99, ns_per_cycle);
		s->p999 = pct(s, 99.9, ns_per_cycle);
		s->max = s->cycles[s->n - 1] * ns_per_cycle;
		s->mean = sum / s->n * ns_per_cycle;
		s->ops_per_s = s->elapsed_s > 0 ? (s->ops ? s->ops : s->n) / s->elapsed_s : 0;
	}
}

const struct bc_series *
bc_find(const struct bc_report *r, const char *name, uint32_t size)
{
	for (unsigned int k = 0; k < r->count; k++)
		if (strcmp(r->s[k].name, name) == 0 && (size == 0 || r->s[k].size == size))
			return &r->s[k];
	return NULL;
}

static void
size_str(char *buf, size_t len, uint32_t size)
{
	if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%u KiB", size / 1024);
	else
		snprintf(buf, len, "%u B", size);
}

/* s's p50 over the p50 of baseline b (same run, same lcores); 0 when there is none. */
static double
ratio(const struct bc_series *s, const struct bc_series *b)
{
	return b != NULL && b->p50 > 0 ? s->p50 / b->p50 : 0;
}

static void
print_machine(const struct bc_machine *m)
{
	printf("machine: %s, %u online CPUs, %s, %s%s%s, TSC %.1f MHz%s\n", m->cpu_model,
	       m->online_cpus, m->kernel,
	       m->virtualised == 1 ? "virtualised (" : m->virtualised == 0 ? "not virtualised" :
	       "virtualised: unknown",
	       m->virtualised == 1 ? m->hypervisor : "", m->virtualised == 1 ? ")" : "",
	       m->tsc_hz / 1e6, m->tsc_invariant ? " (invariant)" : "");
	printf("lcores:");
	for (unsigned int i = 0; i < m->nlcores; i++) {
		const struct bc_lcore_fact *l = &m->lcores[i];

		printf("%s %s on lcore %u, CPU %s (SMT siblings %s)", i ? ";" : "", l->role, l->lcore,
		       l->cpus, l->siblings[0] ? l->siblings : "unknown");
	}
	if (m->nlcores >= 2)
		printf("; %s and %s SMT siblings: %s", m->lcores[0].role, m->lcores[1].role, m->smt);
	printf("\n");
}

void
bc_print_table(const struct bc_report *r)
{
	const struct bc_series *mb = bc_find(r, "baseline_mailbox", 0);
	const struct bc_series *rg = bc_find(r, "baseline_rte_ring", 0);

	printf("\n");
	print_machine(&r->machine);
	printf("%-22s %-6s %7s %4s %8s %8s %8s %8s %9s %8s %11s %11s %12s\n", "series", "op",
	       "size", "vfs", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns",
	       "ops/s", "p50/mailbox", "p50/rte_ring");
	for (unsigned int k = 0; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];
		char sz[16], a[16] = "-", b[16] = "-";

		if (s->n == 0)
			continue;
		size_str(sz, sizeof(sz), s->size);
		if (mb != NULL && mb->p50 > 0)
			snprintf(a, sizeof(a), "%.2f", ratio(s, mb));
		if (rg != NULL && rg->p50 > 0)
			snprintf(b, sizeof(b), "%.2f", ratio(s, rg));
		printf("%-22s %-6s %7s %4u %8.0f %8.0f %8.0f %8.0f %9.0f %8.0f %11.0f %11s %12s\n",
		       s->name, s->op, sz, s->vfs, s->p50, s->p90, s->p99, s->p999, s->max, s->mean,
		       s->ops_per_s, a, b);
	}
	if (mb != NULL || rg != NULL)
		printf("p50/mailbox, p50/rte_ring: median over baseline_mailbox's (a request line and a response line:\n"
		       "  the least a mailbox does), over baseline_rte_ring's; same run, same lcores\n");
	if (bc_find(r, "baseline_cacheline", 0) != NULL)
		printf("baseline_cacheline: both directions in one line, PAUSE on both sides: not a floor for a mailbox\n");
	for (unsigned int k = 0; k < r->nextras; k++)
		printf("%-40s %14.2f\n", r->extras[k].name, r->extras[k].value);
}

/* A JSON string: quotes and backslashes from /proc would break the document. */
static void
json_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "\"%s\": \"", key);
	for (; *v != '\0'; v++)
		fputc(*v == '"' || *v == '\\' || (unsigned char)*v < 0x20 ? '?' : *v, f);
	fputc('"', f);
}

static void
json_machine(FILE *f, const struct bc_machine *m)
{
	fprintf(f, "\"machine\": {");
	json_str(f, "cpu_model", m->cpu_model);
	fprintf(f, ", ");
	json_str(f, "kernel", m->kernel);
	fprintf(f, ", \"virtualised\": %s, ",
		m->virtualised == 1 ? "true" : m->virtualised == 0 ? "false" : "null");
	json_str(f, "hypervisor", m->hypervisor);
	fprintf(f, ", \"online_cpus\": %u, \"tsc_hz\": %llu, \"tsc_invariant\": %s, \"lcores\": [",
		m->online_cpus, (unsigned long long)m->tsc_hz, m->tsc_invariant ? "true" : "false");
	for (unsigned int i = 0; i < m->nlcores; i++) {
		const struct bc_lcore_fact *l = &m->lcores[i];

		fprintf(f, "%s{", i ? ", " : "");
		json_str(f, "role", l->role);
		fprintf(f, ", \"lcore\": %u, ", l->lcore);
		json_str(f, "cpus", l->cpus);
		fprintf(f, ", ");
		json_str(f, "thread_siblings", l->siblings);
		fprintf(f, "}");
	}
	fprintf(f, "], ");
	json_str(f, "smt_siblings", m->nlcores >= 2 ? m->smt : "unknown");
	fprintf(f, "}, ");
}

/* A ratio for the JSON: null when the run has no such baseline. */
static void
json_ratio(FILE *f, const char *key, const struct bc_series *s, const struct bc_series *b)
{
	double x = ratio(s, b);

	if (x > 0)
		fprintf(f, ", \"%s\": %.3f", key, x);
	else
		fprintf(f, ", \"%s\": null", key);
}

int
bc_write_json(const struct bc_report *r, const char *path)
{
	const struct bc_series *mb = bc_find(r, "baseline_mailbox", 0);
	const struct bc_series *rg = bc_find(r, "baseline_rte_ring", 0);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "{\"mode\": \"%s\", \"tsc_hz\": %llu, ", r->mode, (unsigned long long)r->tsc_hz);
	json_machine(f, &r->machine);
	for (unsigned int k = 0; k < r->nextras; k++)
		fprintf(f, "\"%s\": %.3f, ", r->extras[k].name, r->extras[k].value);
	fprintf(f, "\"results\": [");
	for (unsigned int k = 0, first = 1; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];

		if (s->n == 0)
			continue;
		fprintf(f,
			"%s\n  {\"name\": \"%s\", \"op\": \"%s\", \"size\": %u, \"vfs\": %u, "
			"\"p50_ns\": %.1f, \"p90_ns\": %.1f, \"p99_ns\": %.1f, \"p999_ns\": %.1f, "
			"\"max_ns\": %.1f, \"mean_ns\": %.1f, \"ops_per_s\": %.0f, \"samples\": %u",
			first ? "" : ",", s->name, s->op, s->size, s->vfs, s->p50, s->p90, s->p99,
			s->p999, s->max, s->mean, s->ops_per_s, s->n);
		json_ratio(f, "p50_over_mailbox", s, mb);
		json_ratio(f, "p50_over_rte_ring", s, rg);
		fprintf(f, "}");
		first = 0;
	}
	fprintf(f, "\n]}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/*
 * Histogram per series: 10 ns buckets below 2 us, 100 ns buckets below
 * 20 us, 1 us buckets above. Columns: name,op,size,vfs,bucket_ns,count,cdf.
 */
int
bc_write_csv(const struct bc_report *r, const char *path)
{
	double ns_per_cycle = 1e9 / (double)r->tsc_hz;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "name,op,size,vfs,bucket_ns,count,cdf\n");
	for (unsigned int k = 0; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];
		uint32_t i = 0;

		while (i < s->n) {	/* samples are sorted by bc_summarise() */
			double ns = s->cycles[i] * ns_per_cycle;
			double w = ns < 2000 ? 10 : ns < 20000 ? 100 : 1000;
			double bucket = floor(ns / w) * w;
			uint32_t c = 0;

			while (i < s->n && s->cycles[i] * ns_per_cycle < bucket + w) {
				i++;
				c++;
			}
			fprintf(f, "%s,%s,%u,%u,%.0f,%u,%.6f\n", s->name, s->op, s->size, s->vfs,
				bucket, c, (double)i / s->n);
		}
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* Latency CDF per series, log x axis, through gnuplot if it is installed. */
int
bc_plot_png(const struct bc_report *r, const char *csv, const char *png)
{
	char script[] = "/tmp/bcnic-plot-XXXXXX";
	int fd = mkstemp(script);
	FILE *f;
	pid_t pid;
	int st;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	fprintf(f, "set terminal pngcairo size 1200,750 noenhanced\nset output '%s'\n", png);
	fprintf(f, "set datafile separator ','\nset logscale x\nset grid\nset key bottom right\n");
	fprintf(f, "set xlabel 'round-trip latency (ns)'\nset ylabel 'fraction of requests'\n");
	fprintf(f, "set title 'bcnic mailbox latency CDF (%s)'\nplot ", r->mode);
	for (unsigned int k = 0, first = 1; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];

		if (s->n == 0)
			continue;
		fprintf(f, "%s'%s' using (strcol(1) eq '%s' && $3 == %u && $4 == %u ? $5 : NaN):7 "
			"with lines lw 2 title '%s %u B%s'", first ? "" : ", \\\n  ", csv, s->name,
			s->size, s->vfs, s->name, s->size, s->vfs > 1 ? " (many VFs)" : "");
		first = 0;
	}
	fprintf(f, "\n");
	fclose(f);
	pid = fork();
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	unlink(script);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOENT : -EIO;
	return 0;
}

void
bc_report_free(struct bc_report *r)
{
	for (unsigned int k = 0; k < r->count; k++)
		free(r->s[k].cycles);
	r->count = 0;
}

/* A progress line, only once a series has run for more than two seconds. */
void
bc_progress(const char *what, uint32_t done, uint32_t total)
{
	static struct timespec start, last;
	static bool shown;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done == 0) {
		start = last = now;
		shown = false;
		return;
	}
	if (now.tv_sec - start.tv_sec < 2 || (done != total && now.tv_sec == last.tv_sec))
		return;
	if (done == total && !shown)
		return;
	last = now;
	shown = true;
	fprintf(stderr, "\r  %-44s %3u%%", what, total ? (unsigned int)(100ull * done / total) : 100);
	if (done == total)
		fprintf(stderr, "\n");
}
