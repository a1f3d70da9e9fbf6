/* SPDX-License-Identifier: MIT */
/*
 * A minimal implementation of igt-gpu-tools' test-binary protocol, so that
 * igt_runner can list and run our tests like its own: igt ships no headers
 * or -dev package we could build against.
 *
 * Protocol (what igt_runner relies on):
 *   --list-subtests          print subtest names, one per line, exit 0
 *   --run-subtest PATTERNS   run the matching subtests (comma-separated
 *                            fnmatch patterns); exit 79 if none matches
 *   output                   "IGT-Version: ..." first, then per subtest
 *                            "Starting subtest: NAME" and
 *                            "Subtest NAME: SUCCESS|FAIL|SKIP (S.SSSs)"
 *   kernel log               "[IGT] BINARY: starting subtest NAME"
 *   exit status              0 success, 77 all skipped, 98 any failure
 */

#ifndef PVD_IGT_H
#define PVD_IGT_H

#include <stdbool.h>
#include <stddef.h>

#define PVD_EXIT_SUCCESS	0
#define PVD_EXIT_SKIP		77
#define PVD_EXIT_INVALID	79
#define PVD_EXIT_FAILURE	98

struct pvd_subtest {
	const char *name;
	const char *description;
	void (*run)(void);
};

/*
 * Run the subtests selected on the command line.  Each subtest runs in a
 * child process, so a failing assertion (or a crash) ends that subtest only.
 */
int pvd_igt_main(int argc, char **argv, const struct pvd_subtest *tests,
		 size_t count);

/* End the current subtest. */
void pvd_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void pvd_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* Log to stdout with the subtest's context. */
void pvd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define pvd_assert(cond) \
	do { \
		if (!(cond)) \
			pvd_fail(__FILE__, __LINE__, "assertion failed: %s", #cond); \
	} while (0)

#define pvd_assert_f(cond, ...) \
	do { \
		if (!(cond)) \
			pvd_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#define pvd_assert_eq(a, b) \
	do { \
		long long _a = (long long)(a), _b = (long long)(b); \
		if (_a != _b) \
			pvd_fail(__FILE__, __LINE__, "%s == %s failed: %lld != %lld", \
				 #a, #b, _a, _b); \
	} while (0)

#define pvd_require(cond) \
	do { \
		if (!(cond)) \
			pvd_skip("requirement not met: %s", #cond); \
	} while (0)

#endif /* PVD_IGT_H */
