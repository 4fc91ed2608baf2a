/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report: percentiles, steady-state gaps, summaries and the SLA verdict,
 * the CSV, JSON and SVG writers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "util.h"

#define MS 1000000ull
#define US 1000ull

static void test_percentile(void **state) {
	uint64_t v[1000] = { 0 };

	assert_int_equal(stats_percentile(v, 0, 50), 0);
	v[0] = 7;
	assert_int_equal(stats_percentile(v, 1, 50), 7);
	assert_int_equal(stats_percentile(v, 1, 100), 7);
	/* 100 .. 1 reversed, then sorted: nearest rank */
	for (size_t i = 0; i < 100; i++)
		v[i] = 100 - i;
	stats_sort(v, 100);
	assert_int_equal(v[0], 1);
	assert_int_equal(stats_percentile(v, 100, 50), 50);
	assert_int_equal(stats_percentile(v, 100, 95), 95);
	assert_int_equal(stats_percentile(v, 100, 99), 99);
	assert_int_equal(stats_percentile(v, 100, 100), 100);
	assert_int_equal(stats_percentile(v, 100, 0.5), 1);
	assert_int_equal(stats_percentile(v, 100, 0), 1);
	for (size_t i = 0; i < 1000; i++)
		v[i] = i + 1;
	assert_int_equal(stats_percentile(v, 1000, 99.9), 999);
	assert_int_equal(stats_percentile(v, 1000, 99.95), 1000);
	/* 10 values: p50 is the 5th, p95 and p99 the 10th */
	assert_int_equal(stats_percentile(v, 10, 50), 5);
	assert_int_equal(stats_percentile(v, 10, 95), 10);
	assert_int_equal(stats_percentile(v, 10, 90), 9);
}

static void test_fmt(void **state) {
	char b[32];

	assert_string_equal(report_fmt_ns(850 * US, b, sizeof(b)), "850us");
	assert_string_equal(report_fmt_ns(5500, b, sizeof(b)), "5.5us");
	assert_string_equal(report_fmt_ns(1234567, b, sizeof(b)), "1.23ms");
	assert_string_equal(report_fmt_ns(12345678, b, sizeof(b)), "12.3ms");
	assert_string_equal(report_fmt_ns(123456789, b, sizeof(b)), "123ms");
	assert_string_equal(report_fmt_ns(1500 * MS, b, sizeof(b)), "1.50s");
	assert_string_equal(report_fmt_ns(-1, b, sizeof(b)), "-");
	assert_string_equal(report_fmt_ns(INT64_MAX, b, sizeof(b)), "never");
}

static void test_gap_stats(void **state) {
	struct probe_rec rec[1001];
	struct gap_stats g;

	/* 1000 replies 1 ms apart, but probe 500 lost: one 2 ms gap; probe
	 * 700 answered late (3 ms rtt) */
	for (size_t i = 0; i < 1001; i++)
		rec[i] = (struct probe_rec){ .send_ns = 1000 * MS + i * MS, .recv_ns = 1000 * MS + i * MS + 40 * US };
	rec[500].recv_ns = 0;
	rec[1000].recv_ns = 0;
	rec[700].recv_ns = rec[700].send_ns + 3 * MS;
	assert_int_equal(report_gap_stats(rec, 1001, &g), 0);
	assert_int_equal(g.sent, 1001);
	assert_int_equal(g.received, 999);
	assert_int_equal(g.n_gaps, 998);
	assert_int_equal(g.p50_ns, MS);
	assert_int_equal(g.max_ns, 2 * MS);
	/* by receive time, 700's reply lands after 701 and 702's */
	assert_int_equal(g.min_ns, 40 * US);       /* 703.00 ms (probe 700) -> 703.04 ms */
	assert_true(g.p999_ns >= MS);
	assert_int_equal(g.rtt_p50_ns, 40 * US);
	assert_int_equal(g.rtt_max_ns, 3 * MS);

	/* nothing answered */
	for (size_t i = 0; i < 10; i++)
		rec[i].recv_ns = 0;
	assert_int_equal(report_gap_stats(rec, 10, &g), 0);
	assert_int_equal(g.received, 0);
	assert_int_equal(g.n_gaps, 0);
	assert_int_equal(g.p999_ns, 0);
}

/* A group of n trials with outages 1..n ms (trial k: k ms). */
static struct report_trial *make_trials(size_t n) {
	struct report_trial *t = calloc(n, sizeof(*t));

	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		struct trial_result *r = &t[i].res;
		r->fault_ns = 10000 * MS + i * 1000 * MS;
		r->recovered = r->baseline = true;
		r->outage_ns = (i + 1) * MS;
		r->gap_ns = r->outage_ns + MS;
		r->gap_start_ns = r->fault_ns - 500 * US;
		r->gap_end_ns = r->gap_start_ns + r->gap_ns;
		r->lost = (uint32_t)(i + 1);
		r->lost_total = r->lost;
		r->sent = r->received = 1000;
		r->received -= r->lost;
		r->has_reaction = i % 2 == 0;
		r->detection_ns = r->has_reaction ? (int64_t)(i + 1) * 100 * (int64_t)US : -1;
		r->convergence_ns = r->has_reaction ? (int64_t)r->gap_end_ns - (int64_t)(r->fault_ns + r->detection_ns) : -1;
		if (r->has_reaction) {
			r->reaction.kind = TL_ACTIVE_SLAVE;
			r->reaction.t_ns = r->fault_ns + (uint64_t)r->detection_ns;
			snprintf(r->reaction.netns, sizeof(r->reaction.netns), "ctrl1");
			snprintf(r->reaction.dev, sizeof(r->reaction.dev), "bond0");
			snprintf(r->reaction.detail, sizeof(r->reaction.detail), "active slave eth2");
		}
	}
	return t;
}

static void test_summary_and_verdict(void **state) {
	struct report_group g = { .name = "bond", .interval_ns = MS, .n_trials = 10 };
	struct sla sla = { .set = true, .failover_max_us = 5000, .percentile = 100 };
	struct report_summary s;

	g.trials = make_trials(10);
	assert_int_equal(report_summarize(&g, &sla, &s), 0);
	assert_int_equal(s.trials, 10);
	assert_int_equal(s.recovered, 10);
	assert_int_equal(s.outage_p50_ns, 5 * MS);
	assert_int_equal(s.outage_p95_ns, 10 * MS);
	assert_int_equal(s.outage_p99_ns, 10 * MS);
	assert_int_equal(s.outage_max_ns, 10 * MS);
	assert_int_equal(s.lost_total, 55);
	assert_int_equal(s.lost_max, 10);
	assert_int_equal(s.n_detection, 5);
	assert_int_equal(s.detection_p50_ns, 500 * US);     /* 100, 300, 500, 700, 900 us */
	assert_int_equal(s.detection_max_ns, 900 * US);
	assert_int_equal(s.n_convergence, 5);
	assert_int_equal(s.trials_within, 5);
	assert_int_equal(s.sla_outage_ns, 10 * MS);
	assert_int_equal(s.verdict, REPORT_FAIL);

	sla.percentile = 50;
	assert_int_equal(report_summarize(&g, &sla, &s), 0);
	assert_int_equal(s.sla_outage_ns, 5 * MS);
	assert_int_equal(s.verdict, REPORT_PASS);

	sla.percentile = 100;
	sla.failover_max_us = 10000;
	assert_int_equal(report_summarize(&g, &sla, &s), 0);
	assert_int_equal(s.verdict, REPORT_PASS);

	/* one trial that never recovered fails any SLA */
	g.trials[3].res.recovered = false;
	assert_int_equal(report_summarize(&g, &sla, &s), 0);
	assert_int_equal(s.recovered, 9);
	assert_int_equal(s.outage_max_ns, UINT64_MAX);
	assert_int_equal(s.verdict, REPORT_FAIL);
	sla.percentile = 90;                    /* unless the percentile leaves it out */
	assert_int_equal(report_summarize(&g, &sla, &s), 0);
	assert_int_equal(s.verdict, REPORT_PASS);

	/* no SLA: no verdict */
	assert_int_equal(report_summarize(&g, NULL, &s), 0);
	assert_int_equal(s.verdict, REPORT_NO_SLA);
	free(g.trials);
}

static void test_report_verdict(void **state) {
	struct report_group g[2] = {
		{ .name = "a", .interval_ns = MS, .n_trials = 3 },
		{ .name = "b", .interval_ns = MS, .n_trials = 8 },
	};
	struct report r = { .title = "lab", .sla = { .set = true, .failover_max_us = 5000, .percentile = 100 },
	                    .groups = g, .n_groups = 2 };

	g[0].trials = make_trials(3);
	g[1].trials = make_trials(8);
	assert_int_equal(report_verdict(&r), REPORT_FAIL);     /* b: 8 ms */
	g[1].n_trials = 5;
	assert_int_equal(report_verdict(&r), REPORT_PASS);
	r.sla.set = false;
	assert_int_equal(report_verdict(&r), REPORT_NO_SLA);
	assert_string_equal(report_verdict_name(REPORT_PASS), "PASS");
	assert_string_equal(report_verdict_name(REPORT_FAIL), "FAIL");
	free(g[0].trials);
	free(g[1].trials);
}

static char *capture(int (*fn)(const struct report *, FILE *), const struct report *r) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(r, f), 0);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *needle) {
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_csv(void **state) {
	struct report_group g = { .name = "vip, moved \"fast\"", .interval_ns = MS, .n_trials = 4 };
	struct report r = { .title = "lab", .sla = { .set = true, .failover_max_us = 2500, .percentile = 100 },
	                    .groups = &g, .n_groups = 1 };
	char *csv;

	g.trials = make_trials(4);
	g.trials[2].res.recovered = false;
	csv = capture(report_print_csv, &r);
	assert_int_equal(count(csv, "\n"), 5);
	assert_true(strncmp(csv, "group,trial,recovered,outage_us,gap_us,lost,lost_after_fault,detection_us,"
	                         "convergence_us,reaction,sent,received,within_sla\n", 120) == 0);
	/* RFC 4180 quoting of a name with a comma and quotes */
	assert_non_null(strstr(csv, "\n\"vip, moved \"\"fast\"\"\",1,yes,1000.0,2000.0,1,1,100.0,"));
	assert_non_null(strstr(csv, ",active-slave ctrl1/bond0: active slave eth2,1000,999,yes\n"));
	/* trial 2: no reaction: empty detection and convergence; within the SLA */
	assert_non_null(strstr(csv, ",2,yes,2000.0,3000.0,2,2,,,,1000,998,yes\n"));
	/* trial 3: never recovered, empty outage, outside the SLA */
	assert_non_null(strstr(csv, ",3,no,,4000.0,3,3,300.0,,"));
	assert_non_null(strstr(csv, ",1000,997,no\n"));
	free(csv);
	free(g.trials);
}

static void test_json(void **state) {
	struct report_group g = { .name = "bond", .description = "carrier-off \"sw\"", .interval_ns = MS, .n_trials = 3 };
	struct report r = { .title = "lab", .sla = { .set = true, .failover_max_us = 2500, .percentile = 100 },
	                    .groups = &g, .n_groups = 1 };
	char *js;

	g.trials = make_trials(3);
	js = capture(report_print_json, &r);
	assert_int_equal(count(js, "{"), count(js, "}"));
	assert_int_equal(count(js, "["), count(js, "]"));
	assert_non_null(strstr(js, "\"pass\": false"));
	assert_non_null(strstr(js, "\"failover_max_us\": 2500"));
	assert_non_null(strstr(js, "\"description\": \"carrier-off \\\"sw\\\"\""));
	assert_non_null(strstr(js, "\"outage_max_us\": 3000"));
	assert_non_null(strstr(js, "\"trials_within\": 2"));
	assert_int_equal(count(js, "\"trial\": "), 3);
	assert_int_equal(count(js, "\"reaction\": null"), 1);
	assert_non_null(strstr(js, "\"kind\": \"active-slave\""));
	free(js);

	r.sla.set = false;
	js = capture(report_print_json, &r);
	assert_non_null(strstr(js, "\"sla\": null"));
	assert_non_null(strstr(js, "\"pass\": null"));
	free(js);
	free(g.trials);
}

static void test_table(void **state) {
	struct report_group g = { .name = "bond", .interval_ns = MS, .n_trials = 3 };
	struct report r = { .title = "lab", .sla = { .set = true, .failover_max_us = 5000, .percentile = 100 },
	                    .groups = &g, .n_groups = 1 };
	char *t;

	g.trials = make_trials(3);
	t = capture(report_print_table, &r);
	assert_non_null(strstr(t, "hanet measure: lab (SLA: outage <= 5.00ms at p100)"));
	assert_non_null(strstr(t, "bond: 3 trials, a probe every 1.00ms"));
	assert_non_null(strstr(t, "outage p50 2.00ms  p95 3.00ms  p99 3.00ms  max 3.00ms; lost 6 (max 3 in a trial)"));
	assert_non_null(strstr(t, "SLA: p100 outage 3.00ms <= 5.00ms (3/3 trials within): PASS"));
	assert_non_null(strstr(t, "\nSLA: PASS\n"));
	free(t);
	free(g.trials);
}

static char *svg_of(const struct report *r, int group, int trial) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_write_svg(r, group, trial, f), 0);
	fclose(f);
	return buf;
}

static void test_svg(void **state) {
	enum { NREC = 200000, NT = 60 };
	struct report_group g = { .name = "a<b & \"c\"", .interval_ns = 100 * US, .n_trials = NT };
	struct report r = { .title = "lab & co", .groups = &g, .n_groups = 1 };
	struct probe_rec *rec = calloc(NREC, sizeof(*rec));
	struct tl_event ev[100];
	char *svg;

	assert_non_null(rec);
	g.trials = make_trials(NT);
	/* every trial: 20 s of 100 us probes around its fault, 100 events */
	for (size_t i = 0; i < NREC; i++) {
		rec[i].send_ns = g.trials[0].res.fault_ns - 10000 * MS + i * 100 * US;
		rec[i].recv_ns = i % 97 ? rec[i].send_ns + (30 + i % 50) * US : 0;
	}
	for (size_t i = 0; i < 100; i++) {
		memset(&ev[i], 0, sizeof(ev[i]));
		ev[i].kind = (enum tl_kind)(i % _TL_KIND_MAX);
		ev[i].t_ns = g.trials[0].res.fault_ns - 2 * MS + i * 40 * US;
		snprintf(ev[i].netns, sizeof(ev[i].netns), "ns<%zu>", i);
		snprintf(ev[i].dev, sizeof(ev[i].dev), "eth%zu", i);
		snprintf(ev[i].detail, sizeof(ev[i].detail), "d&\x01%zu", i);
	}
	for (size_t t = 0; t < NT; t++) {
		g.trials[t].rec = rec;
		g.trials[t].n_rec = NREC;
		g.trials[t].ev = ev;
		g.trials[t].n_ev = 100;
		g.trials[t].res.fault_ns = g.trials[0].res.fault_ns;
		g.trials[t].res.gap_start_ns = g.trials[0].res.fault_ns - 50 * US;
		g.trials[t].res.gap_end_ns = g.trials[t].res.gap_start_ns + (t + 1) * MS;
	}

	svg = svg_of(&r, -1, -1);
	assert_true(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
	assert_non_null(strstr(svg, "</svg>\n"));
	assert_non_null(strstr(svg, "lab &amp; co"));
	assert_non_null(strstr(svg, "a&lt;b &amp; &quot;c&quot; #1"));
	assert_null(strstr(svg, "\x01"));
	assert_null(strstr(svg, "ns<"));
	assert_int_equal(count(svg, "<g "), REPORT_SVG_MAX_PANELS);
	assert_non_null(strstr(svg, "20 more trials not drawn"));
	assert_int_equal(count(svg, "class=\"ev\" fill") - count(svg, ">fault</text>"),
	                 REPORT_SVG_MAX_PANELS * REPORT_SVG_MAX_LABELS);
	/* bounded: 40 panels of 200000 probes each stay small */
	assert_true(strlen(svg) < 2u * 1024 * 1024);
	free(svg);

	svg = svg_of(&r, 0, 5);
	assert_int_equal(count(svg, "<g "), 1);
	assert_non_null(strstr(svg, "#6: outage"));
	assert_true(strlen(svg) < 128u * 1024);
	free(svg);

	{
		FILE *f = fopen("/dev/null", "w");
		assert_int_equal(report_write_svg(&r, 1, -1, f), -EINVAL);
		assert_int_equal(report_write_svg(&r, 0, NT, f), -EINVAL);
		assert_int_equal(report_write_svg(&r, -1, 0, f), -EINVAL);
		fclose(f);
	}
	free(g.trials);
	free(rec);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_gap_stats),
		cmocka_unit_test(test_summary_and_verdict),
		cmocka_unit_test(test_report_verdict),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_svg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
