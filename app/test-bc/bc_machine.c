/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-test-bc: the machine facts that decide the numbers, printed beside
 * the table and in the JSON: CPU model, the lcores' CPUs and whether they
 * are SMT siblings as far as the OS tells, TSC, kernel, hypervisor.
 * Only cheap reads (procfs, sysfs, CPUID); a fact not found says unknown.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "test_bc.h"

/* The value of the first "key : value" line of /proc/cpuinfo whose key starts with key. */
static bool
cpuinfo(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (colon == NULL || strncmp(line, key, strlen(key)) != 0)
			continue;
		colon++;
		colon += strspn(colon, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		found = true;
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/* Whether the CPU flags (x86 "flags", arm "Features") list flag. */
static bool
cpu_flag(const char *flag)
{
	char flags[4096], *save = NULL;

	if (!cpuinfo("flags", flags, sizeof(flags)) && !cpuinfo("Features", flags, sizeof(flags)))
		return false;
	for (char *t = strtok_r(flags, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
		if (strcmp(t, flag) == 0)
			return true;
	return false;
}

static void
hypervisor(struct bc_machine *m)
{
	snprintf(m->hypervisor, sizeof(m->hypervisor), "unknown");
	m->virtualised = -1;
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	/* CPUID.1:ECX bit 31 is set by hypervisors; leaf 0x40000000 names it. */
	if (__get_cpuid(1, &a, &b, &c, &d) == 0)
		return;
	m->virtualised = (c >> 31) & 1;
	if (m->virtualised) {
		char sig[13];

		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		snprintf(m->hypervisor, sizeof(m->hypervisor), "%s", sig);
	} else {
		snprintf(m->hypervisor, sizeof(m->hypervisor), "none");
	}
#else
	if (cpu_flag("hypervisor")) {
		m->virtualised = 1;
	} else {
		FILE *f = fopen("/sys/hypervisor/type", "r");

		if (f != NULL) {
			if (fgets(m->hypervisor, sizeof(m->hypervisor), f) != NULL) {
				m->hypervisor[strcspn(m->hypervisor, "\n")] = '\0';
				m->virtualised = 1;
			}
			fclose(f);
		}
	}
#endif
}

void
bc_machine_probe(struct bc_machine *m)
{
	struct utsname u;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(m, 0, sizeof(*m));
	if (!cpuinfo("model name", m->cpu_model, sizeof(m->cpu_model)) &&
	    !cpuinfo("Model", m->cpu_model, sizeof(m->cpu_model)))
		snprintf(m->cpu_model, sizeof(m->cpu_model), "unknown");
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(m->kernel, sizeof(m->kernel), "unknown");
	m->online_cpus = n > 0 ? (unsigned int)n : 0;
	m->tsc_hz = rte_get_tsc_hz();
	/* Both flags: the TSC ticks at one rate in every P- and C-state. */
	m->tsc_invariant = cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc");
	hypervisor(m);
}

/* The CPUs of lcore as a list ("1" or "0-1"), and the single one in *cpu (-1 if several). */
static void
lcore_cpus(unsigned int lcore, char *buf, size_t len, int *cpu)
{
	rte_cpuset_t set = rte_lcore_cpuset(lcore);
	size_t off = 0;
	int count = 0;

	buf[0] = '\0';
	*cpu = -1;
	for (int c = 0; c < CPU_SETSIZE && off + 8 < len; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%d", count ? "," : "", c);
		*cpu = c;
		count++;
	}
	if (count != 1)
		*cpu = -1;
	if (count == 0)
		snprintf(buf, len, "unknown");
}

/* The OS's thread_siblings_list of cpu, "" when sysfs does not say. */
static void
siblings(int cpu, char *buf, size_t len)
{
	char path[96];
	FILE *f;

	buf[0] = '\0';
	if (cpu < 0)
		return;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list",
		 cpu);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Whether cpu is in a list like "0,4" or "0-1". */
static bool
in_list(const char *list, int cpu)
{
	const char *p = list;

	while (*p != '\0') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return false;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			return true;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return false;
}

/* Record that role ran on lcore; the first two recorded decide smt. */
void
bc_machine_lcore(struct bc_machine *m, const char *role, unsigned int lcore)
{
	struct bc_lcore_fact *l;

	if (m->nlcores == RTE_DIM(m->lcores))
		return;
	l = &m->lcores[m->nlcores++];
	snprintf(l->role, sizeof(l->role), "%s", role);
	l->lcore = lcore;
	lcore_cpus(lcore, l->cpus, sizeof(l->cpus), &l->cpu);
	siblings(l->cpu, l->siblings, sizeof(l->siblings));
	if (m->nlcores != 2)
		return;
	const struct bc_lcore_fact *a = &m->lcores[0], *b = &m->lcores[1];

	if (a->cpu < 0 || b->cpu < 0)
		snprintf(m->smt, sizeof(m->smt), "unknown");
	else if (a->cpu == b->cpu)
		snprintf(m->smt, sizeof(m->smt), "same_cpu");
	else if (a->siblings[0] == '\0')
		snprintf(m->smt, sizeof(m->smt), "unknown");
	else
		snprintf(m->smt, sizeof(m->smt), "%s", in_list(a->siblings, b->cpu) ? "yes" : "no");
}
