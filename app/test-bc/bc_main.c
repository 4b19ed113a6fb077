/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc: the bcnic mailbox benchmark.
 *
 *   dpdk-test-bc <EAL args> -- [options]
 *
 * By default a PF (poller on the service lcore) and a VF (client on the
 * main lcore) run in this process on the emulated device; --serve runs
 * only the PF for a VF in another process (--attach).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "rte_pmd_bcnic.h"
#include "test_bc.h"

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	bc_quit = 1;
}

static void
usage(const char *prog)
{
	printf("usage: %s <EAL args> -- [options]\n"
	       "  --mode M         latency (default): synchronous reads and writes per size;\n"
	       "                   throughput: pipelined reads, 1..--max-vfs VFs;\n"
	       "                   scale: one active VF with 1, 16, 64, 256 attached;\n"
	       "                   fairness: a probe VF alone, then beside a flooding VF\n"
	       "                   (the flooder on a third lcore when given one);\n"
	       "                   backoff: the PF's thread poller, busy, idle CPU, wake-up;\n"
	       "                   datapath: 64 B and 1500 B frames VF -> PF through the switch\n"
	       "  --baselines      also measure, on the same two lcores: baseline_mailbox (a\n"
	       "                   request line and a response line: the least a mailbox\n"
	       "                   does), baseline_cacheline (both directions in one line:\n"
	       "                   not a floor), baseline_rte_ring, baseline_unix_socket\n"
	       "  --breakdown      latency: also where a 64 B read's time goes, from both sides'\n"
	       "                   traces (TSC): VF submit, PF pickup, PF handling, answer\n"
	       "                   seen, call return; one series per stage (op \"stage\")\n"
	       "  --samples N      measured operations per series (default 200000)\n"
	       "  --warmup N       operations before measuring, excluded (default 10%% of N)\n"
	       "  --sizes LIST     block sizes, comma separated (default 8,64,512,4096,65536)\n"
	       "  --json FILE      results as JSON\n"
	       "  --csv FILE       latency histograms as CSV; a PNG CDF is written next to it\n"
	       "  --png FILE       where the plot goes (default: the CSV name with .png); its\n"
	       "                   gnuplot script, data included, beside it with .gp\n"
	       "  --duration-ms N  throughput: time per point; backoff: idle window (1000)\n"
	       "  --max-vfs N      throughput: up to N VFs, doubling from 1 (default 4)\n"
	       "  --depth N        requests in flight per VF when pipelining (default 128)\n"
	       "  --chunks N       latency: measure the series interleaved in N chunks (10)\n"
	       "  --dev NAME       emulated device name (default bcbench<pid>)\n"
	       "  --pf-args ARGS   extra net_bcnic_pf devargs, e.g. poller=thread\n"
	       "  --serve          only run the PF (and its benchmark block) until SIGINT\n"
	       "  --attach DEV:VF  be the VF of a PF another process serves (--serve)\n"
	       "EAL: give two lcores and make the second a service lcore, e.g.\n"
	       "  -l 0-1 -s 0x2 --no-huge -m 256 --no-pci\n"
	       "The output starts with the machine facts (CPU, lcores' CPUs and SMT siblings,\n"
	       "TSC, kernel, hypervisor); the JSON has them under \"machine\".\n", prog);
}

static int
parse_sizes(struct bc_opts *o, char *list)
{
	char *save = NULL;

	o->nsizes = 0;
	for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(t, &end, 0);

		if (*end != '\0' || v == 0 || v > RTE_PMD_BCNIC_MAX_BLOCK_SIZE ||
		    o->nsizes == RTE_DIM(o->sizes)) {
			fprintf(stderr, "invalid --sizes entry '%s': 1..65536, at most 8 sizes\n", t);
			return -EINVAL;
		}
		o->sizes[o->nsizes++] = (uint32_t)v;
	}
	return o->nsizes > 0 ? 0 : -EINVAL;
}

static int
parse_uint(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || x < lo || x > hi) {
		fprintf(stderr, "invalid %s '%s': expected %u..%u\n", opt, s, lo, hi);
		return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct bc_opts *o)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "baselines", no_argument, NULL, 'b' },
		{ "breakdown", no_argument, NULL, 'B' },
		{ "samples", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "json", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "png", required_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, 'd' },
		{ "duration-ms", required_argument, NULL, 'D' },
		{ "max-vfs", required_argument, NULL, 'V' },
		{ "depth", required_argument, NULL, 'q' },
		{ "chunks", required_argument, NULL, 'k' },
		{ "pf-args", required_argument, NULL, 'a' },
		{ "serve", no_argument, NULL, 's' },
		{ "attach", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char sizes[] = "8,64,512,4096,65536";
	bool warmup_set = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->mode = "latency";
	o->samples = 200000;
	o->duration_ms = 1000;
	o->max_vfs = 4;
	o->depth = 128;
	o->chunks = 10;
	o->pf_args = "";
	snprintf(o->dev, sizeof(o->dev), "bcbench%d", getpid());
	parse_sizes(o, sizes);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mode = optarg;
			break;
		case 'b':
			o->baselines = true;
			break;
		case 'B':
			o->breakdown = true;
			break;
		case 'n':
			if (parse_uint("--samples", optarg, 1, 50000000, &o->samples) != 0)
				return -EINVAL;
			break;
		case 'w':
			if (parse_uint("--warmup", optarg, 0, 50000000, &o->warmup) != 0)
				return -EINVAL;
			warmup_set = true;
			break;
		case 'z':
			if (parse_sizes(o, optarg) != 0)
				return -EINVAL;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'p':
			o->png = optarg;
			break;
		case 'D':
			if (parse_uint("--duration-ms", optarg, 10, 3600000, &o->duration_ms) != 0)
				return -EINVAL;
			break;
		case 'V':
			if (parse_uint("--max-vfs", optarg, 1, 64, &o->max_vfs) != 0)
				return -EINVAL;
			break;
		case 'q':
			if (parse_uint("--depth", optarg, 1, 8192, &o->depth) != 0)
				return -EINVAL;
			break;
		case 'k':
			if (parse_uint("--chunks", optarg, 1, 1000, &o->chunks) != 0)
				return -EINVAL;
			break;
		case 'd':
			if (strlen(optarg) > 32) {
				fprintf(stderr, "invalid --dev '%s': at most 32 characters\n", optarg);
				return -EINVAL;
			}
			snprintf(o->dev, sizeof(o->dev), "%s", optarg);
			break;
		case 'a':
			o->pf_args = optarg;
			break;
		case 's':
			o->serve = true;
			break;
		case 't':
			o->attach = optarg;
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!warmup_set)
		o->warmup = o->samples / 10;
	return 0;
}

/* path with its file name's extension (if any) replaced by ext. */
static void
with_ext(char *dst, size_t len, const char *path, const char *ext)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash != NULL ? slash : path, '.');
	int base = dot != NULL ? (int)(dot - path) : (int)strlen(path);

	snprintf(dst, len, "%.*s%s", base, path, ext);
}

static const struct {
	const char *name;
	int (*fn)(const struct bc_opts *, struct bc_report *);
} modes[] = {
	{ "latency", bc_mode_latency },
	{ "throughput", bc_mode_throughput },
	{ "scale", bc_mode_scale },
	{ "fairness", bc_mode_fairness },
	{ "backoff", bc_mode_backoff },
	{ "datapath", bc_mode_datapath },
};

typedef int (*bc_mode_fn)(const struct bc_opts *, struct bc_report *);

static bc_mode_fn
find_mode(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(modes); i++)
		if (strcmp(name, modes[i].name) == 0)
			return modes[i].fn;
	return NULL;
}

int
main(int argc, char **argv)
{
	struct bc_report *r = calloc(1, sizeof(*r));
	struct bc_opts o;
	bc_mode_fn mode;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL init failed; see %s -- --help\n", argv[0]);
		return 1;
	}
	argc -= n;
	argv += n;
	if (r == NULL || parse_opts(argc, argv, &o) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r->tsc_hz = rte_get_tsc_hz();
	r->mode = o.mode;
	bc_machine_probe(&r->machine);
	bc_machine_lcore(&r->machine, "vf", rte_get_main_lcore());
	if (o.attach == NULL) {
		bool is_service = false;
		int pf = bc_server_lcore(&is_service);

		if (pf >= 0 && is_service)	/* else the PF poller runs in its own thread */
			bc_machine_lcore(&r->machine, "pf", (unsigned int)pf);
	}
	if (o.serve) {
		rc = bc_mode_serve(&o);
	} else if ((mode = find_mode(o.mode)) != NULL) {
		rc = mode(&o, r);
	} else {
		fprintf(stderr, "unknown --mode %s\n", o.mode);
		rc = -EINVAL;
	}
	if (rc == 0 && !o.serve) {
		bc_summarise(r);
		bc_print_table(r);
		if (o.json != NULL && (rc = bc_write_json(r, o.json)) != 0)
			fprintf(stderr, "cannot write %s: %s\n", o.json, strerror(-rc));
		if (rc == 0 && o.csv != NULL) {
			char png[512], gp[512];

			rc = bc_write_csv(r, o.csv);
			if (rc != 0) {
				fprintf(stderr, "cannot write %s: %s\n", o.csv, strerror(-rc));
			} else {
				if (o.png != NULL)
					snprintf(png, sizeof(png), "%s", o.png);
				else
					with_ext(png, sizeof(png), o.csv, ".png");
				with_ext(gp, sizeof(gp), png, ".gp");
				rc = bc_plot_png(r, gp, png);
				if (rc == -ENOENT)
					fprintf(stderr, "gnuplot not found: no %s (apt-get install gnuplot-nox); its script is %s\n",
						png, gp);
				else if (rc != 0)
					fprintf(stderr, "gnuplot failed to write %s from %s\n", png, gp);
				else
					printf("wrote %s (gnuplot script: %s)\n", png, gp);
			}
		}
	}
	bc_report_free(r);
	free(r);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
