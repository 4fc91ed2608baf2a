/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the lines of a lab service's events file (svc-events.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "svc-events.h"
#include "util.h"

static void test_kinds(void **state) {
	const char *text;
	enum tl_kind kind;
	uint64_t t;

	(void)state;
	assert_int_equal(svc_events_parse("100.5 membership ctl1: new membership (1.9) was formed. Members left: 2",
	                                  0, &t, &kind, &text), 0);
	assert_int_equal(t, 100500000000ull);
	assert_int_equal(kind, TL_MEMBERSHIP);
	assert_string_equal(text, "ctl1: new membership (1.9) was formed. Members left: 2");
	assert_int_equal(svc_events_parse("7.000123 resource api start on ctl1: ok", 0, &t, &kind, &text), 0);
	assert_int_equal(t, 7000123000ull);
	assert_int_equal(kind, TL_RESOURCE);
	assert_string_equal(text, "api start on ctl1: ok");
	/* any other kind: a note */
	assert_int_equal(svc_events_parse("3 note  controller on ctl3: node ctl2 lost", 0, &t, &kind, &text), 0);
	assert_int_equal(t, 3000000000ull);
	assert_int_equal(kind, TL_NOTE);
	assert_string_equal(text, "controller on ctl3: node ctl2 lost");
	/* a step of the cluster's reaction, for a VIP or for all */
	assert_int_equal(svc_events_parse("5 step 10.70.0.50 pacemaker-execd: start api: the agent runs", 0, &t, &kind,
	                                  &text), 0);
	assert_int_equal(kind, TL_STEP);
	{
		struct ipaddr a = { 0 }, want;

		svc_events_step_addr(text, &a, &text);
		assert_int_equal(parse_ipaddr("10.70.0.50", &want), 0);
		assert_int_equal(a.family, want.family);
		assert_memory_equal(a.a, want.a, 4);
		assert_string_equal(text, "pacemaker-execd: start api: the agent runs");
		memset(&a, 0, sizeof(a));
		svc_events_step_addr("pacemaker-controld: DC elected", &a, &text);
		assert_false(ipaddr_is_set(&a));
		assert_string_equal(text, "pacemaker-controld: DC elected");
	}
	/* nanoseconds kept, more digits ignored */
	assert_int_equal(svc_events_parse("1.1234567899 membership x", 0, &t, &kind, &text), 0);
	assert_int_equal(t, 1123456789ull);
}

static void test_clock(void **state) {
	const char *text;
	enum tl_kind kind;
	uint64_t t;

	(void)state;
	/* wall clock to the timeline's: mono - real added */
	assert_int_equal(svc_events_parse("1796342400.25 resource r", -1796342000000000000ll, &t, &kind, &text), 0);
	assert_int_equal(t, 400250000000ull);
	/* before the monotonic clock began: not an event */
	assert_int_equal(svc_events_parse("10 resource r", -20000000000ll, &t, &kind, &text), -EINVAL);
}

static void test_not_events(void **state) {
	const char *text;
	enum tl_kind kind;
	uint64_t t;

	(void)state;
	assert_int_equal(svc_events_parse("", 0, &t, &kind, &text), -EINVAL);
	assert_int_equal(svc_events_parse("Dec 03 22:16:06.003 [TOTEM ] A new membership", 0, &t, &kind, &text),
	                 -EINVAL);
	assert_int_equal(svc_events_parse("12.5", 0, &t, &kind, &text), -EINVAL);
	assert_int_equal(svc_events_parse("12.5 ", 0, &t, &kind, &text), -EINVAL);
	assert_int_equal(svc_events_parse("12x membership a", 0, &t, &kind, &text), -EINVAL);
	assert_int_equal(svc_events_parse("99999999999999999999999 membership a", 0, &t, &kind, &text), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_not_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
