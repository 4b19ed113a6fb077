/* SPDX-License-Identifier: BSD-3-Clause */
/* A few assertion macros shared by the project's C tests. */
#ifndef BCNIC_TEST_CHECK_H
#define BCNIC_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int check_failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond);                              \
			check_failures++;                                      \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
				__FILE__, __LINE__, #a, #b, _a, _b);           \
			check_failures++;                                      \
		}                                                              \
	} while (0)

/* Stop the current test function: later steps depend on this one. */
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: REQUIRE(%s) failed\n", __FILE__, \
				__LINE__, #cond);                              \
			check_failures++;                                      \
			return;                                                \
		}                                                              \
	} while (0)

struct check_case {
	const char *name;
	void (*fn)(void);
};

/* Run the cases named on the command line, or all; 0 when none failed. */
static inline int
check_run(const struct check_case *cases, int argc, char **argv)
{
	int ran = 0;

	for (const struct check_case *c = cases; c->name != NULL; c++) {
		int want = argc <= 1;

		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], c->name) == 0)
				want = 1;
		if (!want)
			continue;
		int before = check_failures;

		c->fn();
		printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", c->name);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "no such test case\n");
		return 2;
	}
	printf("%d cases, %d failed checks\n", ran, check_failures);
	return check_failures == 0 ? 0 : 1;
}

#endif
