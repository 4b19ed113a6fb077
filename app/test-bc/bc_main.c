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
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_service.h>

#include "rte_pmd_bcnic.h"
#include "test_bc.h"


volatile sig_atomic_t bc_quit;

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
	       "                   fairness: a probe VF alone, then beside a flooding VF;\n"
	       "                   backoff: the PF's thread poller, busy, idle CPU, wake-up;\n"
	       "                   datapath: 64 B and 1500 B frames VF -> PF through the switch\n"
	       "  --baselines      also measure baseline_cacheline, baseline_rte_ring and\n"
	       "                   baseline_unix_socket on the same two lcores\n"
	       "  --samples N      measured operations per series (default 200000)\n"
	       "  --warmup N       operations before measuring, excluded (default 10%% of N)\n"
	       "  --sizes LIST     block sizes, comma separated (default 8,64,512,4096,65536)\n"
	       "  --json FILE      results as JSON\n"
	       "  --csv FILE       latency histograms as CSV; a PNG CDF is written next to it\n"
	       "  --png FILE       where the plot goes (default: the CSV name with .png)\n"
	       "  --duration-ms N  throughput: time per point; backoff: idle window (1000)\n"
	       "  --max-vfs N      throughput: up to N VFs, doubling from 1 (default 4)\n"
	       "  --depth N        requests in flight per VF when pipelining (default 128)\n"
	       "  --chunks N       latency: measure the series interleaved in N chunks (10)\n"
	       "  --dev NAME       emulated device name (default bcbench<pid>)\n"
	       "  --pf-args ARGS   extra net_bcnic_pf devargs, e.g. poller=thread\n"
	       "  --serve          only run the PF (and its benchmark block) until SIGINT\n"
	       "  --attach DEV:VF  be the VF of a PF another process serves (--serve)\n"
	       "EAL: give two lcores and make the second a service lcore, e.g.\n"
	       "  -l 0-1 -s 0x2 --no-huge -m 256 --no-pci\n", prog);
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

/* The lcore the other end runs on: the first service lcore, else the first worker. */
static int
server_lcore(bool *is_service)
{
	uint32_t list[RTE_MAX_LCORE];
	unsigned int lcore;

	if (rte_service_lcore_list(list, RTE_MAX_LCORE) > 0) {
		*is_service = true;
		return (int)list[0];
	}
	*is_service = false;
	RTE_LCORE_FOREACH_WORKER(lcore)
		return (int)lcore;
	return -1;
}

/*
 * Lend the service lcore to a baseline: pause the services mapped to it
 * (the PF poller among them) and stop it; bc_lcore_return() undoes it.
 */
#define BC_MAX_SERVICES 64	/* service ids looked at: EAL has fewer */
static int paused[BC_MAX_SERVICES];
static unsigned int npaused;

static void
bc_lcore_borrow(unsigned int lcore, bool is_service)
{
	npaused = 0;
	if (!is_service)
		return;
	for (uint32_t id = 0; id < BC_MAX_SERVICES; id++) {
		if (rte_service_map_lcore_get(id, lcore) == 1 && rte_service_runstate_get(id) == 1) {
			rte_service_runstate_set(id, 0);
			paused[npaused++] = (int)id;
		}
	}
	rte_service_lcore_stop(lcore);
	rte_eal_wait_lcore(lcore);
}

static void
bc_lcore_return(unsigned int lcore, bool is_service)
{
	if (!is_service)
		return;
	rte_service_lcore_start(lcore);
	for (unsigned int i = 0; i < npaused; i++)
		rte_service_runstate_set((uint32_t)paused[i], 1);
}

static const struct {
	const char *name;
	int (*fn)(struct bc_series *, unsigned int, uint32_t);
} baselines[] = {
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

/* The VF side is a net_bcnic_vf port: the benchmark measures the private API. */
int
bc_vf_attach(const char *dev, unsigned int vf, uint16_t *port)
{
	char args[128], name[48];
	int rc;

	/* events=poll: no event thread to steal cycles from the measuring lcore. */
	snprintf(name, sizeof(name), "net_bcnic_vf_bench%u", vf);
	snprintf(args, sizeof(args), "%s,dev=%s,vf=%u,events=poll", name, dev, vf);
	rc = rte_dev_probe(args);
	if (rc != 0) {
		fprintf(stderr, "VF %u of %s: cannot attach: %s\n", vf, dev, strerror(-rc));
		return rc;
	}
	return rte_eth_dev_get_port_by_name(name, port);
}

void
bc_vf_detach(unsigned int vf)
{
	char name[48];

	snprintf(name, sizeof(name), "net_bcnic_vf_bench%u", vf);
	rte_eal_hotplug_remove("vdev", name);
}

/* A PF with vfs VFs and the benchmark block; extra devargs after the user's. */
int
bc_pf_create(const struct bc_opts *o, unsigned int vfs, const char *extra, uint16_t *port)
{
	struct rte_pmd_bcnic_block_def d = { BC_BLOCK, RTE_PMD_BCNIC_MAX_BLOCK_SIZE,
					     RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_RW };
	char args[512];
	int rc;

	snprintf(args, sizeof(args), "net_bcnic_pf_bench,dev=%s,vfs=%u%s%s%s%s", o->dev, vfs,
		 o->pf_args[0] ? "," : "", o->pf_args, extra[0] ? "," : "", extra);
	rc = rte_dev_probe(args);
	if (rc != 0) {
		fprintf(stderr, "cannot create the PF (%s): %s\n", args, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name("net_bcnic_pf_bench", port);
	if (rc == 0)
		rc = rte_pmd_bcnic_pf_block_define(*port, &d);
	return rc;
}

void
bc_pf_destroy(void)
{
	rte_eal_hotplug_remove("vdev", "net_bcnic_pf_bench");
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

static int
serve(const struct bc_opts *o)
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
 * Latency: every series is measured in o->chunks interleaved chunks, so a
 * slow phase of a shared machine weighs on all of them alike and the
 * ratios between them hold.
 */
static int
latency(const struct bc_opts *o, struct bc_report *r)
{
	bool is_service = false;
	int lcore = server_lcore(&is_service);
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
	if (vf_up)
		bc_vf_detach(vf);
	if (own_pf)
		bc_pf_destroy();
	return rc;
}

int
main(int argc, char **argv)
{
	struct bc_report *r = calloc(1, sizeof(*r));
	struct bc_opts o;
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
	if (o.serve) {
		rc = serve(&o);
	} else if (strcmp(o.mode, "latency") == 0) {
		rc = latency(&o, r);
	} else if (strcmp(o.mode, "throughput") == 0) {
		rc = bc_mode_throughput(&o, r);
	} else if (strcmp(o.mode, "scale") == 0) {
		rc = bc_mode_scale(&o, r);
	} else if (strcmp(o.mode, "fairness") == 0) {
		rc = bc_mode_fairness(&o, r);
	} else if (strcmp(o.mode, "backoff") == 0) {
		rc = bc_mode_backoff(&o, r);
	} else if (strcmp(o.mode, "datapath") == 0) {
		rc = bc_mode_datapath(&o, r);
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
			char png[512];

			rc = bc_write_csv(r, o.csv);
			if (rc != 0) {
				fprintf(stderr, "cannot write %s: %s\n", o.csv, strerror(-rc));
			} else {
				const char *dot = strrchr(o.csv, '.');
				int base = dot ? (int)(dot - o.csv) : (int)strlen(o.csv);

				if (o.png != NULL)
					snprintf(png, sizeof(png), "%s", o.png);
				else
					snprintf(png, sizeof(png), "%.*s.png", base, o.csv);
				rc = bc_plot_png(r, o.csv, png);
				if (rc == -ENOENT)
					fprintf(stderr, "gnuplot not found: no %s (apt-get install gnuplot-nox)\n", png);
				else if (rc != 0)
					fprintf(stderr, "gnuplot failed to write %s\n", png);
				else
					printf("wrote %s\n", png);
			}
		}
	}
	bc_report_free(r);
	free(r);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
