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

#include <rte_common.h>

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
bc_note(struct bc_report *r, const char *name, const char *value)
{
	if (r->nnotes == BC_MAX_EXTRAS)
		return;
	snprintf(r->notes[r->nnotes].name, sizeof(r->notes[0].name), "%s", name);
	snprintf(r->notes[r->nnotes].value, sizeof(r->notes[0].value), "%s", value);
	r->nnotes++;
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

/* The breakdown's stages on their own: p50, p99, and their share of the mean. */
static void
print_breakdown(const struct bc_report *r)
{
	const struct bc_series *total = bc_find(r, "stage_total", 0);

	if (total == NULL || total->n == 0)
		return;
	printf("\nbreakdown of a 64 B read (%u reads traced on both sides, TSC):\n", total->n);
	printf("  %-18s %8s %8s %8s %6s\n", "stage", "p50 ns", "p99 ns", "mean ns", "share");
	for (unsigned int k = 0; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];

		if (strcmp(s->op, "stage") != 0 || s->n == 0 || strncmp(s->name, "stage_", 6) != 0)
			continue;
		printf("  %-18s %8.0f %8.0f %8.0f %5.0f%%\n", s->name + 6, s->p50, s->p99, s->mean,
		       total->mean > 0 ? 100 * s->mean / total->mean : 0);
	}
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
	print_breakdown(r);
	for (unsigned int k = 0; k < r->nnotes; k++)
		printf("%-40s %s\n", r->notes[k].name, r->notes[k].value);
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
	for (unsigned int k = 0; k < r->nnotes; k++) {
		json_str(f, r->notes[k].name, r->notes[k].value);
		fprintf(f, ", ");
	}
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
 * The CDF of one sorted series, one line per histogram bucket: 10 ns
 * buckets below 2 us, 100 ns below 20 us, 1 us above. Each line is
 * prefix, then "bucket_ns,count,cdf" (the CSV) or "bucket_ns cdf" (the plot).
 */
static void
write_cdf(FILE *f, const struct bc_series *s, double ns_per_cycle, const char *prefix, bool csv)
{
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
		if (csv)
			fprintf(f, "%s%.0f,%u,%.6f\n", prefix, bucket, c, (double)i / s->n);
		else
			fprintf(f, "%.0f %.6f\n", bucket, (double)i / s->n);
	}
}

/* Histogram per series. Columns: name,op,size,vfs,bucket_ns,count,cdf. */
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
		char prefix[96];

		snprintf(prefix, sizeof(prefix), "%s,%s,%u,%u,", s->name, s->op, s->size, s->vfs);
		write_cdf(f, s, ns_per_cycle, prefix, true);
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/*
 * Plot styles, so that each curve is known without the legend's order:
 * baselines dashed in grey (a dash pattern and a shade each); bcnic series
 * solid, one hue family per series name (reads blue, writes red, ...), and
 * per size (and VF count) a shade of that hue, a point type and a width
 * shared by all families, so "64 B" looks alike in reads and writes.
 */
static const struct {
	const char *name;
	const char *style;
} baseline_styles[] = {
	{ "baseline_mailbox", "lc rgb '#000000' dt 2 lw 2.5" },
	{ "baseline_cacheline", "lc rgb '#404040' dt 4 lw 2" },
	{ "baseline_rte_ring", "lc rgb '#808080' dt 3 lw 2" },
	{ "baseline_unix_socket", "lc rgb '#a8a8a8' dt 5 lw 2" },
};

#define BC_SHADES 6
static const struct {
	const char *name;	/* NULL: any other bcnic series */
	const char *shade[BC_SHADES];	/* light to dark */
} families[] = {
	{ "bcnic_read", { "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b" } },
	{ "bcnic_write", { "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#99000d" } },
	{ "bcnic_read_pipelined", { "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b", "#002a10" } },
	{ "bcnic_read_flooded", { "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d", "#25004a" } },
	{ "bcnic_read_after_idle", { "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704" } },
	{ NULL, { "#e7298a", "#ce1256", "#980043", "#67001f", "#c51b7d", "#8e0152" } },
};
static const int point_types[] = { 4, 6, 8, 10, 12, 14, 1, 2 };

static bool
is_baseline(const struct bc_series *s)
{
	return strncmp(s->name, "baseline_", 9) == 0;
}

/* The rank of s's (size, vfs) among all bcnic series' pairs, smallest first. */
static unsigned int
size_rank(const struct bc_report *r, const struct bc_series *s)
{
	unsigned int rank = 0;

	for (unsigned int k = 0; k < r->count; k++) {
		const struct bc_series *t = &r->s[k];
		bool dup = false;

		if (is_baseline(t) || t->n == 0 ||
		    !(t->size < s->size || (t->size == s->size && t->vfs < s->vfs)))
			continue;
		for (unsigned int j = 0; j < k && !dup; j++)	/* count each pair once */
			dup = !is_baseline(&r->s[j]) && r->s[j].n > 0 && r->s[j].size == t->size &&
			      r->s[j].vfs == t->vfs;
		rank += !dup;
	}
	return rank;
}

static void
series_style(const struct bc_report *r, const struct bc_series *s, char *buf, size_t len)
{
	unsigned int f = RTE_DIM(families) - 1, rank, nranks = 0;

	for (unsigned int i = 0; i < RTE_DIM(baseline_styles); i++)
		if (strcmp(s->name, baseline_styles[i].name) == 0) {
			snprintf(buf, len, "with lines %s", baseline_styles[i].style);
			return;
		}
	if (is_baseline(s)) {
		snprintf(buf, len, "with lines lc rgb '#c0c0c0' dt 6 lw 2");
		return;
	}
	for (unsigned int i = 0; i + 1 < RTE_DIM(families); i++)
		if (strcmp(s->name, families[i].name) == 0)
			f = i;
	for (unsigned int k = 0; k < r->count; k++)
		if (!is_baseline(&r->s[k]) && r->s[k].n > 0)
			nranks = RTE_MAX(nranks, size_rank(r, &r->s[k]) + 1);
	rank = size_rank(r, s);
	/* Spread the sizes over the shades, darkest for the largest. */
	snprintf(buf, len, "with linespoints lc rgb '%s' dt 1 lw %.1f pt %d ps 1.3 pn 6",
		 families[f].shade[nranks > 1 ? rank * (BC_SHADES - 1) / (nranks - 1) : 2],
		 1.2 + 0.4 * RTE_MIN(rank, 7u), point_types[rank % RTE_DIM(point_types)]);
}

/*
 * Latency CDF per series, log x axis: a gnuplot script with its data (kept,
 * to restyle and re-run), then the PNG through gnuplot if it is installed.
 */
int
bc_plot_png(const struct bc_report *r, const char *script, const char *png)
{
	double ns_per_cycle = 1e9 / (double)r->tsc_hz;
	FILE *f = fopen(script, "w");
	pid_t pid;
	int st;

	if (f == NULL)
		return -errno;
	fprintf(f, "set terminal pngcairo size 1400,850 noenhanced\nset output '%s'\n", png);
	fprintf(f, "set logscale x\nset grid\nset key outside right top\n");
	fprintf(f, "set xlabel 'round-trip latency (ns)'\nset ylabel 'fraction of requests'\n");
	fprintf(f, "set title 'bcnic mailbox latency CDF (%s): baselines dashed grey, reads blue, writes red; point type and width by size (and VF count)'\n",
		r->mode);
	/* One data block per series: no filtering of the CSV by name in gnuplot. */
	for (unsigned int k = 0; k < r->count; k++) {
		if (r->s[k].n == 0)
			continue;
		fprintf(f, "$s%u << EOD\n", k);
		write_cdf(f, &r->s[k], ns_per_cycle, "", false);
		fprintf(f, "EOD\n");
	}
	fprintf(f, "plot ");
	for (unsigned int k = 0, first = 1; k < r->count; k++) {
		const struct bc_series *s = &r->s[k];
		char style[160], sz[16], vfs[24] = "";

		if (s->n == 0)
			continue;
		series_style(r, s, style, sizeof(style));
		size_str(sz, sizeof(sz), s->size);
		if (s->vfs > 1)
			snprintf(vfs, sizeof(vfs), " (%u VFs)", s->vfs);
		fprintf(f, "%s$s%u using 1:2 %s title '%s %s%s'", first ? "" : ", \\\n  ", k,
			style, s->name, sz, vfs);
		first = 0;
	}
	fprintf(f, "\n");
	if (fclose(f) != 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
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
