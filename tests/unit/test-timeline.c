/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trial_analyze: outage, lost probes, detection and convergence from
 * synthetic probe records and events. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "timeline.h"
#include "util.h"

#define MS 1000000ull
#define US 1000ull
#define T0 (1000 * MS)          /* records start here */
#define N 400                   /* probes, 1 ms apart: T0 .. T0 + 399 ms */
#define FAULT (T0 + 200 * MS)

static struct probe_rec rec[N];

/* every probe answered after rtt, except those sent in [lost_from, lost_to) */
static void fill(uint64_t rtt, uint64_t lost_from, uint64_t lost_to) {
	for (size_t i = 0; i < N; i++) {
		rec[i] = (struct probe_rec){ .send_ns = T0 + i * MS };
		if (rec[i].send_ns < lost_from || rec[i].send_ns >= lost_to)
			rec[i].recv_ns = rec[i].send_ns + rtt;
	}
}

static const struct trial_opts opts_1ms = { .interval_ns = MS };

static void test_noop_fault(void **state) {
	struct trial_result r;

	fill(50 * US, 0, 0);
	assert_int_equal(trial_analyze(rec, N, FAULT + 300 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.baseline);
	assert_true(r.recovered);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.lost_total, 0);
	assert_int_equal(r.gap_ns, MS);
	assert_int_equal(r.outage_ns, 0);
	assert_int_equal(r.sent, N);
	assert_int_equal(r.received, N);
	assert_int_equal(r.detection_ns, -1);
	assert_int_equal(r.convergence_ns, -1);
}

static void test_outage_50ms(void **state) {
	struct trial_result r;

	/* the fault at 200.3 ms; probes sent from 200.3 to 250.3 are lost */
	fill(50 * US, FAULT + 300 * US, FAULT + 50 * MS + 300 * US);
	assert_int_equal(trial_analyze(rec, N, FAULT + 300 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	assert_int_equal(r.lost, 50);                   /* 201 .. 250 */
	assert_int_equal(r.lost_total, 50);
	assert_int_equal(r.gap_start_ns, FAULT + 50 * US);
	assert_int_equal(r.gap_end_ns, FAULT + 51 * MS + 50 * US);
	assert_int_equal(r.gap_ns, 51 * MS);
	assert_int_equal(r.outage_ns, 50 * MS);
}

static void test_reply_in_flight(void **state) {
	struct trial_result r;

	/* a reply for the probe sent just before the fault arrives after
	 * it; the outage that follows must still be found */
	fill(50 * US, FAULT + 1, FAULT + 30 * MS);
	assert_int_equal(trial_analyze(rec, N, FAULT + 10 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	assert_int_equal(r.gap_start_ns, FAULT + 50 * US);       /* after the fault mark */
	assert_int_equal(r.gap_ns, 30 * MS);
	assert_int_equal(r.outage_ns, 29 * MS);
	assert_int_equal(r.lost, 29);
}

static void test_delayed_effect(void **state) {
	struct trial_result r;

	/* replies stop only 5 ms after the fault */
	fill(50 * US, FAULT + 5 * MS, FAULT + 25 * MS);
	assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	assert_int_equal(r.outage_ns, 20 * MS);
	assert_int_equal(r.lost, 20);
	assert_int_equal(r.gap_start_ns, FAULT + 4 * MS + 50 * US);
}

static void test_never_recovers(void **state) {
	struct trial_result r;

	fill(50 * US, FAULT + 1, UINT64_MAX);
	assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_false(r.recovered);
	assert_true(r.baseline);
	assert_int_equal(r.lost, N - 201);
	assert_int_equal(r.lost_total, N - 201);
	assert_int_equal(r.gap_start_ns, FAULT + 50 * US);
	assert_int_equal(r.gap_end_ns, T0 + (N - 1) * MS);
	assert_int_equal(r.convergence_ns, -1);
}

static void test_no_baseline(void **state) {
	struct trial_result r;

	/* nothing answered until 10 ms after the fault */
	fill(50 * US, 0, FAULT + 10 * MS);
	assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_false(r.baseline);
	assert_true(r.recovered);
	assert_int_equal(r.gap_start_ns, FAULT);
	assert_int_equal(r.gap_end_ns, FAULT + 10 * MS + 50 * US);
	assert_int_equal(r.lost, 10);
	assert_int_equal(r.lost_total, 10);
}

static void test_longest_gap_wins(void **state) {
	struct trial_result r;

	fill(50 * US, FAULT + 2 * MS, FAULT + 5 * MS);
	/* and a longer one later */
	for (size_t i = 260; i < 300; i++)
		rec[i].recv_ns = 0;
	assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_int_equal(r.outage_ns, 40 * MS);
	assert_int_equal(r.lost, 40);
	assert_int_equal(r.lost_total, 43);
	/* a horizon that ends before the second one sees only the first */
	{
		struct trial_opts o = { .interval_ns = MS, .horizon_ns = 50 * MS };
		assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &o, &r), 0);
		assert_int_equal(r.outage_ns, 3 * MS);
		assert_int_equal(r.lost, 3);
	}
}

static void test_reordered_replies(void **state) {
	struct trial_result r;

	fill(50 * US, FAULT + 1, FAULT + 10 * MS);
	/* probe 190's reply overtaken by 191's */
	rec[190].recv_ns = rec[191].recv_ns + 10 * US;
	assert_int_equal(trial_analyze(rec, N, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_int_equal(r.outage_ns, 9 * MS);
	assert_int_equal(r.lost, 9);
}

static struct tl_event ev_at(enum tl_kind k, uint64_t t, const char *netns, const char *dev, const char *addr) {
	struct tl_event e = { .t_ns = t, .kind = k };

	snprintf(e.netns, sizeof(e.netns), "%s", netns);
	snprintf(e.dev, sizeof(e.dev), "%s", dev);
	if (addr)
		assert_int_equal(parse_prefix(addr, false, &e.addr), 0);
	return e;
}

static void test_detection_convergence(void **state) {
	struct tl_event ev[6];
	struct trial_result r;
	struct ipaddr vip;

	fill(50 * US, FAULT + 1, FAULT + 20 * MS);
	ev[0] = ev_at(TL_FAULT, FAULT, "", "", NULL);
	ev[1] = ev_at(TL_CARRIER_DOWN, FAULT + 20 * US, "ctrl1", "eth1", NULL);          /* not a reaction */
	ev[2] = ev_at(TL_ADDR_ADD, FAULT + 3 * MS, "ctrl2", "eth0", "192.0.2.7/24");      /* another address */
	ev[3] = ev_at(TL_ACTIVE_SLAVE, FAULT + 12 * MS, "ctrl1", "bond0", NULL);
	ev[4] = ev_at(TL_ADDR_ADD, FAULT + 15 * MS, "ctrl2", "api0", "192.0.2.100/24");
	ev[5] = ev_at(TL_ACTIVE_SLAVE, FAULT - 5 * MS, "ctrl1", "bond0", NULL);           /* before the fault */
	assert_int_equal(parse_ipaddr("192.0.2.100", &vip), 0);

	{
		struct trial_opts o = { .interval_ns = MS, .vip = &vip };
		assert_int_equal(trial_analyze(rec, N, FAULT, ev, 6, &o, &r), 0);
		assert_true(r.has_reaction);
		assert_int_equal(r.reaction.kind, TL_ACTIVE_SLAVE);
		assert_int_equal(r.detection_ns, 12 * MS);
		assert_int_equal(r.convergence_ns, (int64_t)(FAULT + 20 * MS + 50 * US) - (int64_t)(FAULT + 12 * MS));
	}
	{
		/* without the address filter the first address added reacts */
		assert_int_equal(trial_analyze(rec, N, FAULT, ev, 6, &opts_1ms, &r), 0);
		assert_int_equal(r.reaction.kind, TL_ADDR_ADD);
		assert_int_equal(r.detection_ns, 3 * MS);
		assert_string_equal(r.reaction.dev, "eth0");
	}
	{
		/* only VIP additions count */
		struct trial_opts o = { .interval_ns = MS, .vip = &vip, .reaction_mask = TL_MASK(TL_ADDR_ADD) };
		assert_int_equal(trial_analyze(rec, N, FAULT, ev, 6, &o, &r), 0);
		assert_int_equal(r.detection_ns, 15 * MS);
		assert_string_equal(r.reaction.netns, "ctrl2");
		assert_int_equal(r.convergence_ns, 5 * MS + 50 * US);
	}
	{
		/* a reaction after the replies came back: negative convergence */
		struct trial_opts o = { .interval_ns = MS, .reaction_mask = TL_MASK(TL_ACTIVE_SLAVE) };
		fill(50 * US, FAULT + 1, FAULT + 5 * MS);
		assert_int_equal(trial_analyze(rec, N, FAULT, ev, 6, &o, &r), 0);
		assert_true(r.convergence_ns < 0);
	}
}

static void test_late_prober(void **state) {
	struct trial_result r;

	/* the prober itself was held 10 ms: no probe sent, none lost */
	fill(50 * US, 0, 0);
	for (size_t i = 201; i < N; i++) {
		rec[i].send_ns += 10 * MS;
		rec[i].recv_ns += 10 * MS;
	}
	assert_int_equal(trial_analyze(rec, N, FAULT + 300 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.outage_ns, 0);
	/* a reply 3 ms late (queued somewhere) is an outage of 3 ms */
	fill(50 * US, 0, 0);
	rec[201].recv_ns += 3 * MS;
	for (size_t i = 202; i < 204; i++)
		rec[i].recv_ns = rec[201].recv_ns + (i - 201) * 10 * US;
	assert_int_equal(trial_analyze(rec, N, FAULT + 300 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_int_equal(r.outage_ns, 3 * MS);
	assert_int_equal(r.lost, 0);
}

static void test_lost_at_the_end(void **state) {
	struct trial_result r;

	/* nothing happened, but the very last probe got no reply: recovered */
	fill(50 * US, 0, 0);
	rec[N - 1].recv_ns = 0;
	assert_int_equal(trial_analyze(rec, N, FAULT + 300 * US, NULL, 0, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	assert_true(r.outage_ns <= MS);
	assert_int_equal(r.lost_total, 1);
}

static void test_empty(void **state) {
	struct trial_result r;

	assert_int_equal(trial_analyze(NULL, 0, FAULT, NULL, 0, &opts_1ms, &r), 0);
	assert_false(r.recovered);
	assert_int_equal(r.sent, 0);
	assert_int_equal(r.lost, 0);
	assert_int_equal(trial_analyze(NULL, 3, FAULT, NULL, 0, &opts_1ms, &r), -EINVAL);
}

static void test_format(void **state) {
	struct tl_event e = ev_at(TL_ADDR_ADD, 1, "ctrl2", "api0", "192.0.2.100/24");
	char buf[200];

	tl_event_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "addr-add ctrl2/api0 192.0.2.100/24");
	e = ev_at(TL_ACTIVE_SLAVE, 1, "c1", "bond0", NULL);
	snprintf(e.detail, sizeof(e.detail), "active slave eth2");
	tl_event_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "active-slave c1/bond0: active slave eth2");
	e = ev_at(TL_FAULT, 1, "", "", NULL);
	snprintf(e.detail, sizeof(e.detail), "carrier-off");
	tl_event_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "fault: carrier-off");
	assert_string_equal(tl_kind_name(TL_CARRIER_DOWN), "carrier-down");
	assert_string_equal(tl_kind_name(_TL_KIND_MAX), "unknown");
}

/* Where the time went: the fault, the cluster's steps (another VIP's
 * left out, a text seen twice taken once), the VIP's first add and
 * announcement, the first reply; the stretches add up. */
static void test_breakdown(void **state) {
	struct tl_event ev[8] = { 0 };
	struct tl_step st[8];
	struct trial_result r;
	struct ipaddr vip, other;
	size_t n, k = 0;
	uint64_t sum = 0, prev = FAULT;

	(void)state;
	assert_int_equal(parse_ipaddr("10.0.0.50", &vip), 0);
	assert_int_equal(parse_ipaddr("10.0.0.60", &other), 0);
	fill(50 * US, FAULT, FAULT + 100 * MS);
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 40 * MS, .kind = TL_MEMBERSHIP, .detail = "new membership" };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 45 * MS, .kind = TL_STEP, .detail = "node lost", .netns = "a" };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 46 * MS, .kind = TL_STEP, .detail = "node lost", .netns = "b" };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 60 * MS, .kind = TL_STEP, .detail = "start other", .addr = other };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 70 * MS, .kind = TL_STEP, .detail = "start vip", .addr = vip };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 90 * MS, .kind = TL_ADDR_ADD, .addr = vip };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 91 * MS, .kind = TL_GARP, .addr = vip };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 30 * MS, .kind = TL_RESOURCE, .detail = "not a step" };
	assert_int_equal(trial_analyze(rec, N, FAULT, ev, k, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	n = trial_breakdown(ev, k, &r, &vip, st, 8);
	assert_int_equal(n, 6);
	assert_int_equal(st[0].ev->kind, TL_MEMBERSHIP);
	assert_string_equal(st[1].ev->netns, "a");
	assert_string_equal(st[2].ev->detail, "start vip");
	assert_int_equal(st[3].ev->kind, TL_ADDR_ADD);
	assert_int_equal(st[4].ev->kind, TL_GARP);
	assert_null(st[5].ev);
	assert_int_equal(st[5].t_ns, r.gap_end_ns);
	for (size_t i = 0; i < n; i++) {
		assert_true(st[i].t_ns >= prev);
		sum += st[i].t_ns - prev;
		prev = st[i].t_ns;
	}
	assert_int_equal(sum, r.gap_end_ns - FAULT);
	/* room for two: one step, then the reply */
	assert_int_equal(trial_breakdown(ev, k, &r, &vip, st, 2), 2);
	assert_null(st[1].ev);
	/* not recovered: nothing */
	r.recovered = false;
	assert_int_equal(trial_breakdown(ev, k, &r, &vip, st, 8), 0);
}

/* Events of the same time: a membership first, the others in the order
 * the timeline recorded them (seq), wherever they are in the array. */
static void test_breakdown_ties(void **state) {
	struct tl_event ev[5] = { 0 };
	struct tl_step st[8];
	struct trial_result r;
	struct ipaddr vip;
	size_t n, k = 0;

	(void)state;
	assert_int_equal(parse_ipaddr("10.0.0.50", &vip), 0);
	fill(50 * US, FAULT, FAULT + 100 * MS);
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 40 * MS, .kind = TL_STEP, .detail = "node lost", .seq = 0 };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 40 * MS, .kind = TL_MEMBERSHIP, .detail = "new", .seq = 1 };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 50 * MS, .kind = TL_STEP, .detail = "second", .seq = 3 };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 50 * MS, .kind = TL_STEP, .detail = "first", .seq = 2 };
	ev[k++] = (struct tl_event){ .t_ns = FAULT + 90 * MS, .kind = TL_ADDR_ADD, .addr = vip, .seq = 4 };
	assert_int_equal(trial_analyze(rec, N, FAULT, ev, k, &opts_1ms, &r), 0);
	assert_true(r.recovered);
	n = trial_breakdown(ev, k, &r, &vip, st, 8);
	assert_int_equal(n, 6);
	assert_int_equal(st[0].ev->kind, TL_MEMBERSHIP);
	assert_string_equal(st[1].ev->detail, "node lost");
	assert_string_equal(st[2].ev->detail, "first");
	assert_string_equal(st[3].ev->detail, "second");
	assert_int_equal(st[4].ev->kind, TL_ADDR_ADD);
	assert_null(st[5].ev);
}

/* Events added at the same time come back in the order added: the
 * timeline numbers them, whatever seq the caller's copy had. */
static void test_added_order(void **state) {
	struct timeline *tl;
	struct tl_event e = { .t_ns = FAULT, .kind = TL_STEP, .seq = 7 }, *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(timeline_new(&tl), 0);
	snprintf(e.detail, sizeof(e.detail), "second");
	timeline_add_event(tl, &e);
	snprintf(e.detail, sizeof(e.detail), "first");
	e.seq = 0;
	timeline_add_event(tl, &e);
	assert_int_equal(timeline_events(tl, 0, 0, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].detail, "second");
	assert_string_equal(v[1].detail, "first");
	assert_true(v[0].seq < v[1].seq);
	free(v);
	timeline_free(tl);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noop_fault),
		cmocka_unit_test(test_outage_50ms),
		cmocka_unit_test(test_reply_in_flight),
		cmocka_unit_test(test_delayed_effect),
		cmocka_unit_test(test_never_recovers),
		cmocka_unit_test(test_no_baseline),
		cmocka_unit_test(test_longest_gap_wins),
		cmocka_unit_test(test_reordered_replies),
		cmocka_unit_test(test_detection_convergence),
		cmocka_unit_test(test_late_prober),
		cmocka_unit_test(test_lost_at_the_end),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_breakdown),
		cmocka_unit_test(test_breakdown_ties),
		cmocka_unit_test(test_added_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
