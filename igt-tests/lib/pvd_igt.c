// SPDX-License-Identifier: MIT
/*
 * igt test-binary protocol for libdrm-based tests; see pvd_igt.h.
 */

#include "pvd_igt.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *binary_name = "pvd-test";
static const char *current_subtest;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void kmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, len;

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "<6>[IGT] %s: ", binary_name);
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	if (write(fd, buf, len) < 0) {
		/* The kernel log marker is a convenience; tests do not depend on it. */
	}
	close(fd);
}

void pvd_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void pvd_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "(%s:%d) %s: ", file, line,
		current_subtest ? current_subtest : binary_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	_exit(PVD_EXIT_FAILURE);
}

void pvd_skip(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("Test requirement not met in %s: ",
	       current_subtest ? current_subtest : binary_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(PVD_EXIT_SKIP);
}

static bool matches(const char *name, const char *patterns)
{
	char *copy, *tok, *save = NULL;
	bool hit = false;

	if (!patterns)
		return true;
	copy = strdup(patterns);
	if (!copy)
		return false;
	for (tok = strtok_r(copy, ",", &save); tok && !hit;
	     tok = strtok_r(NULL, ",", &save))
		hit = fnmatch(tok, name, 0) == 0;
	free(copy);
	return hit;
}

/* Run one subtest in a child; return its igt exit status. */
static int run_one(const struct pvd_subtest *t)
{
	const char *word;
	double start;
	int status, rc;
	pid_t pid;

	printf("Starting subtest: %s\n", t->name);
	fflush(stdout);
	fflush(stderr);
	kmsg("starting subtest %s\n", t->name);
	start = now_s();

	pid = fork();
	if (pid < 0) {
		perror("fork");
		rc = PVD_EXIT_FAILURE;
	} else if (pid == 0) {
		current_subtest = t->name;
		t->run();
		fflush(stdout);
		_exit(PVD_EXIT_SUCCESS);
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status))
			rc = WEXITSTATUS(status);
		else {
			fprintf(stderr, "subtest %s killed by signal %d\n",
				t->name, WTERMSIG(status));
			rc = PVD_EXIT_FAILURE;
		}
	}

	switch (rc) {
	case PVD_EXIT_SUCCESS:
		word = "SUCCESS";
		break;
	case PVD_EXIT_SKIP:
		word = "SKIP";
		break;
	default:
		word = "FAIL";
		rc = PVD_EXIT_FAILURE;
		break;
	}
	printf("Subtest %s: %s (%.3fs)\n", t->name, word, now_s() - start);
	fflush(stdout);
	kmsg("finished subtest %s, %s\n", t->name, word);
	return rc;
}

static void usage(const struct pvd_subtest *tests, size_t count)
{
	size_t i;

	printf("Usage: %s [--list-subtests] [--run-subtest PATTERN[,PATTERN...]]\n",
	       binary_name);
	for (i = 0; i < count; i++)
		printf("  %-32s %s\n", tests[i].name, tests[i].description);
}

int pvd_igt_main(int argc, char **argv, const struct pvd_subtest *tests,
		 size_t count)
{
	const char *patterns = NULL;
	bool any_success = false, any_fail = false, ran = false;
	struct utsname uts;
	size_t i;
	int a;

	binary_name = basename(argv[0]);

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--list-subtests")) {
			for (i = 0; i < count; i++)
				printf("%s\n", tests[i].name);
			return PVD_EXIT_SUCCESS;
		} else if (!strcmp(argv[a], "--run-subtest") && a + 1 < argc) {
			patterns = argv[++a];
		} else if (!strncmp(argv[a], "--run-subtest=", 14)) {
			patterns = argv[a] + 14;
		} else if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(tests, count);
			return PVD_EXIT_SUCCESS;
		} else if (!strcmp(argv[a], "--debug") || !strncmp(argv[a], "--device", 8)) {
			/* Accepted for igt_runner compatibility; nothing to do. */
			if (!strcmp(argv[a], "--device") && a + 1 < argc)
				a++;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[a]);
			usage(tests, count);
			return PVD_EXIT_INVALID;
		}
	}

	uname(&uts);
	printf("IGT-Version: 2.5-pvdisplay (%s) (Linux: %s %s)\n",
	       uts.machine, uts.release, uts.machine);
	fflush(stdout);

	for (i = 0; i < count; i++) {
		if (!matches(tests[i].name, patterns))
			continue;
		ran = true;
		switch (run_one(&tests[i])) {
		case PVD_EXIT_SUCCESS:
			any_success = true;
			break;
		case PVD_EXIT_SKIP:
			break;
		default:
			any_fail = true;
			break;
		}
	}

	if (!ran) {
		fprintf(stderr, "Unknown subtest: %s\n", patterns ? patterns : "");
		return PVD_EXIT_INVALID;
	}
	if (any_fail)
		return PVD_EXIT_FAILURE;
	return any_success ? PVD_EXIT_SUCCESS : PVD_EXIT_SKIP;
}
