// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Runs every host unit test of the driver's pure code as one cmocka group,
 * so that CMOCKA_MESSAGE_OUTPUT=TAP yields a single TAP plan.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

int main(void)
{
	size_t n = nr_damage_tests + nr_proto_tests;
	struct CMUnitTest *all = calloc(n, sizeof(*all));

	if (!all)
		return 1;
	memcpy(all, damage_tests, nr_damage_tests * sizeof(*all));
	memcpy(all + nr_damage_tests, proto_tests, nr_proto_tests * sizeof(*all));
	return _cmocka_run_group_tests("pvdisplay", all, n, NULL, NULL);
}
