/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Measurement report: statistics, SLA verdict, table, JSON, CSV.  The SVG
 * drawing is in report-svg.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "util.h"

/* ---- statistics ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void stats_sort(uint64_t *v, size_t n) {
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, double pct) {
	double rank;
	size_t k;

	if (n == 0)
		return 0;
	if (!(pct > 0))
		return sorted[0];
	if (pct >= 100)
		return sorted[n - 1];
	/* nearest rank: ceil(p/100 * n), 1-based; the small epsilon keeps
	 * 99.9% of 1000 at rank 999 despite binary fractions */
	rank = ceil(pct / 100.0 * (double)n - 1e-9);
	k = rank < 1 ? 1 : (size_t)rank;
	return sorted[(k > n ? n : k) - 1];
}

const char *report_fmt_ns(int64_t ns, char *buf, size_t size) {
	double v = (double)ns;

	if (ns < 0)
		snprintf(buf, size, "-");
	else if ((uint64_t)ns == UINT64_MAX || ns == INT64_MAX)
		snprintf(buf, size, "never");
	else if (ns < 10000)
		snprintf(buf, size, "%.1fus", v / 1e3);
	else if (ns < 1000000)
		snprintf(buf, size, "%.0fus", v / 1e3);
	else if (ns < 10000000)
		snprintf(buf, size, "%.2fms", v / 1e6);
	else if (ns < 100000000)
		snprintf(buf, size, "%.1fms", v / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.0fms", v / 1e6);
	else
		snprintf(buf, size, "%.2fs", v / 1e9);
	return buf;
}

/* ---- steady state -------------------------------------------------------- */

int report_gap_stats(const struct probe_rec *rec, size_t n, struct gap_stats *ret) {
	struct gap_stats g = { .sent = (uint32_t)n };
	uint64_t *t, *rtt;
	size_t m = 0;
	double sum = 0;

	t = malloc((n ? n : 1) * sizeof(*t));
	rtt = malloc((n ? n : 1) * sizeof(*rtt));
	if (!t || !rtt) {
		free(t);
		free(rtt);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (rec[i].recv_ns) {
			rtt[m] = rec[i].recv_ns - rec[i].send_ns;
			t[m++] = rec[i].recv_ns;
		}
	g.received = (uint32_t)m;
	stats_sort(rtt, m);
	g.rtt_p50_ns = stats_percentile(rtt, m, 50);
	g.rtt_p99_ns = stats_percentile(rtt, m, 99);
	g.rtt_max_ns = m ? rtt[m - 1] : 0;
	stats_sort(t, m);
	for (size_t i = 0; i + 1 < m; i++) {
		t[i] = t[i + 1] - t[i];
		sum += (double)t[i];
	}
	g.n_gaps = m > 1 ? m - 1 : 0;
	stats_sort(t, g.n_gaps);
	if (g.n_gaps) {
		g.min_ns = t[0];
		g.max_ns = t[g.n_gaps - 1];
		g.p50_ns = stats_percentile(t, g.n_gaps, 50);
		g.p99_ns = stats_percentile(t, g.n_gaps, 99);
		g.p999_ns = stats_percentile(t, g.n_gaps, 99.9);
		g.mean_ns = sum / (double)g.n_gaps;
	}
	free(t);
	free(rtt);
	*ret = g;
	return 0;
}

void report_print_gap_stats(FILE *f, const char *label, const struct gap_stats *g) {
	char a[6][24];

	fprintf(f, "%s: sent %" PRIu32 " received %" PRIu32 " (%.2f%%); gap between replies p50 %s p99 %s p99.9 %s "
	           "max %s; rtt p50 %s p99 %s\n",
	        label, g->sent, g->received, g->sent ? 100.0 * g->received / g->sent : 0.0,
	        report_fmt_ns((int64_t)g->p50_ns, a[0], sizeof(a[0])), report_fmt_ns((int64_t)g->p99_ns, a[1], sizeof(a[1])),
	        report_fmt_ns((int64_t)g->p999_ns, a[2], sizeof(a[2])), report_fmt_ns((int64_t)g->max_ns, a[3], sizeof(a[3])),
	        report_fmt_ns((int64_t)g->rtt_p50_ns, a[4], sizeof(a[4])),
	        report_fmt_ns((int64_t)g->rtt_p99_ns, a[5], sizeof(a[5])));
}

static void json_us(struct json *j, const char *key, uint64_t ns) {
	if (ns == UINT64_MAX)
		json_null(j, key);
	else
		json_uint(j, key, (ns + 500) / 1000);
}

static void json_us_signed(struct json *j, const char *key, int64_t ns, bool valid) {
	if (!valid)
		json_null(j, key);
	else
		json_int(j, key, ns >= 0 ? (ns + 500) / 1000 : (ns - 500) / 1000);
}

void report_json_gap_stats(struct json *j, const char *key, const struct gap_stats *g) {
	json_obj_begin(j, key);
	json_uint(j, "sent", g->sent);
	json_uint(j, "received", g->received);
	json_us(j, "gap_p50_us", g->p50_ns);
	json_us(j, "gap_p99_us", g->p99_ns);
	json_us(j, "gap_p999_us", g->p999_ns);
	json_us(j, "gap_max_us", g->max_ns);
	json_us(j, "rtt_p50_us", g->rtt_p50_ns);
	json_us(j, "rtt_p99_us", g->rtt_p99_ns);
	json_obj_end(j);
}

/* ---- summaries ------------------------------------------------------------ */

static uint64_t trial_outage(const struct trial_result *t) {
	return t->recovered ? t->outage_ns : UINT64_MAX;
}

int report_summarize(const struct report_group *g, const struct sla *sla, struct report_summary *ret) {
	struct report_summary s = { .trials = g->n_trials, .verdict = REPORT_NO_SLA };
	size_t n = g->n_trials;
	uint64_t *o, *d;
	int64_t *c;

	o = malloc((n ? n : 1) * sizeof(*o));
	d = malloc((n ? n : 1) * sizeof(*d));
	c = malloc((n ? n : 1) * sizeof(*c));
	if (!o || !d || !c) {
		free(o);
		free(d);
		free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct trial_result *t = &g->trials[i].res;

		o[i] = trial_outage(t);
		if (t->recovered)
			s.recovered++;
		if (t->detection_ns >= 0)
			d[s.n_detection++] = (uint64_t)t->detection_ns;
		if (t->has_reaction && t->recovered)
			c[s.n_convergence++] = t->convergence_ns;
		s.lost_total += t->lost;
		if (t->lost > s.lost_max)
			s.lost_max = t->lost;
		if (sla && sla->set && o[i] <= sla->failover_max_us * 1000)
			s.trials_within++;
	}
	stats_sort(o, n);
	s.outage_p50_ns = stats_percentile(o, n, 50);
	s.outage_p95_ns = stats_percentile(o, n, 95);
	s.outage_p99_ns = stats_percentile(o, n, 99);
	s.outage_max_ns = n ? o[n - 1] : 0;
	stats_sort(d, s.n_detection);
	s.detection_p50_ns = stats_percentile(d, s.n_detection, 50);
	s.detection_max_ns = s.n_detection ? d[s.n_detection - 1] : 0;
	/* convergence may be negative (replies back before the reaction):
	 * shift to sort as unsigned */
	{
		uint64_t *cu = (uint64_t *)c;
		for (size_t i = 0; i < s.n_convergence; i++)
			cu[i] = (uint64_t)c[i] ^ (1ull << 63);
		stats_sort(cu, s.n_convergence);
		s.convergence_p50_ns = (int64_t)(stats_percentile(cu, s.n_convergence, 50) ^ (1ull << 63));
		s.convergence_max_ns = s.n_convergence ? (int64_t)(cu[s.n_convergence - 1] ^ (1ull << 63)) : 0;
	}
	if (sla && sla->set) {
		double pct = sla->percentile > 0 ? sla->percentile : 100;

		s.sla_outage_ns = stats_percentile(o, n, pct);
		s.verdict = n > 0 && s.sla_outage_ns <= sla->failover_max_us * 1000 ? REPORT_PASS : REPORT_FAIL;
	}
	free(o);
	free(d);
	free(c);
	*ret = s;
	return 0;
}

enum report_verdict report_verdict(const struct report *r) {
	enum report_verdict v = REPORT_NO_SLA;

	if (!r->sla.set)
		return REPORT_NO_SLA;
	v = REPORT_PASS;
	for (size_t i = 0; i < r->n_groups; i++) {
		struct report_summary s;

		if (report_summarize(&r->groups[i], &r->sla, &s) < 0 || s.verdict != REPORT_PASS)
			v = REPORT_FAIL;
	}
	if (r->n_groups == 0)
		v = REPORT_FAIL;
	return v;
}

const char *report_verdict_name(enum report_verdict v) {
	switch (v) {
	case REPORT_PASS: return "PASS";
	case REPORT_FAIL: return "FAIL";
	default: return "no SLA";
	}
}

/* ---- table ------------------------------------------------------------------ */

/* An outage: for a trial that did not recover, "no recovery", or
 * ">SILENCE" with the shortest silence of the trials that did not
 * (unrecovered_ns, 0 when not known): all that was seen. */
static const char *fmt_outage_min(uint64_t ns, uint64_t unrecovered_ns, char *buf, size_t size) {
	char t[24];

	if (ns == UINT64_MAX) {
		if (unrecovered_ns)
			snprintf(buf, size, ">%s", report_fmt_ns((int64_t)unrecovered_ns, t, sizeof(t)));
		else
			snprintf(buf, size, "no recovery");
		return buf;
	}
	return report_fmt_ns((int64_t)ns, buf, size);
}

/* The shortest silence of the trials of g that did not recover (0: none). */
static uint64_t unrecovered_min(const struct report_group *g) {
	uint64_t v = 0;

	for (size_t i = 0; i < g->n_trials; i++) {
		const struct trial_result *t = &g->trials[i].res;

		if (!t->recovered && (!v || t->gap_ns < v))
			v = t->gap_ns;
	}
	return v;
}

static void reaction_text(const struct trial_result *t, char *buf, size_t size) {
	if (!t->has_reaction)
		snprintf(buf, size, "-");
	else
		tl_event_format(&t->reaction, buf, size);
}

#define REPORT_MAX_STEPS 48

/* The trial's breakdown (trial_breakdown), when it has a cluster's
 * steps (a membership, a daemon's step): 0 otherwise. */
static size_t cluster_breakdown(const struct report_group *g, const struct report_trial *tr, struct tl_step *out) {
	size_t n;

	if (!tr->ev)
		return 0;
	n = trial_breakdown(tr->ev, tr->n_ev, &tr->res, ipaddr_is_set(&g->vip) ? &g->vip : NULL, out,
	                    REPORT_MAX_STEPS);
	for (size_t i = 0; i < n; i++)
		if (out[i].ev && (out[i].ev->kind == TL_STEP || out[i].ev->kind == TL_MEMBERSHIP))
			return n;
	return 0;
}

static void step_text(const struct tl_step *st, char *buf, size_t size) {
	if (st->ev)
		tl_event_format(st->ev, buf, size);
	else
		snprintf(buf, size, "the first reply");
}

/* Under a trial's row: each step, the time it took and its time from the fault. */
static void print_breakdown(FILE *f, const struct tl_step *st, size_t n, uint64_t fault_ns) {
	uint64_t prev = fault_ns;

	for (size_t i = 0; i < n; i++) {
		char a[2][24], text[160];

		step_text(&st[i], text, sizeof(text));
		fprintf(f, "        %9s  (at %9s)  %s\n", report_fmt_ns((int64_t)(st[i].t_ns - prev), a[0], sizeof(a[0])),
		        report_fmt_ns((int64_t)(st[i].t_ns - fault_ns), a[1], sizeof(a[1])), text);
		prev = st[i].t_ns;
	}
}

int report_print_table(const struct report *r, FILE *f) {
	char a[8][24], pct[16];
	enum report_verdict verdict = report_verdict(r);

	snprintf(pct, sizeof(pct), "%g", r->sla.percentile > 0 ? r->sla.percentile : 100);
	fprintf(f, "hanet measure: %s", r->title ? r->title : "");
	if (r->sla.set)
		fprintf(f, " (SLA: outage <= %s at p%s)", report_fmt_ns((int64_t)r->sla.failover_max_us * 1000, a[0], sizeof(a[0])),
		        pct);
	fputc('\n', f);

	for (size_t i = 0; i < r->n_steady; i++) {
		const struct report_steady *st = &r->steady[i];
		char label[256];

		if (i == 0)
			fprintf(f, "\nsteady state, no fault:\n");
		snprintf(label, sizeof(label), "  %s%s%s, a probe every %s for %s", st->name ? st->name : "",
		         st->description ? ": " : "", st->description ? st->description : "",
		         report_fmt_ns((int64_t)st->interval_ns, a[0], sizeof(a[0])),
		         report_fmt_ns((int64_t)st->duration_ns, a[1], sizeof(a[1])));
		fprintf(f, "%s\n    ", label);
		report_print_gap_stats(f, "probes", &st->gaps);
	}

	for (size_t gi = 0; gi < r->n_groups; gi++) {
		const struct report_group *g = &r->groups[gi];
		struct report_summary s;
		int ret = report_summarize(g, &r->sla, &s);

		if (ret < 0)
			return ret;
		fprintf(f, "\n%s%s%s: %zu trial%s, a probe every %s\n", g->name ? g->name : "",
		        g->description ? ": " : "", g->description ? g->description : "", g->n_trials,
		        g->n_trials == 1 ? "" : "s", report_fmt_ns((int64_t)g->interval_ns, a[0], sizeof(a[0])));
		if (g->redone)
			fprintf(f, "  (%" PRIu32 " trial%s measured again: no probe was sent for more than %s around the fault)\n",
			        g->redone, g->redone == 1 ? "" : "s", report_fmt_ns((int64_t)g->redo_limit_ns, a[0], sizeof(a[0])));
		fprintf(f, "  %5s %9s %9s %6s %10s %12s  %s\n", "trial", "outage", "gap", "lost", "detection", "convergence",
		        "first reaction");
		uint64_t unrec = unrecovered_min(g);
		size_t n_blind = 0;

		for (size_t i = 0; i < g->n_trials; i++) {
			const struct trial_result *t = &g->trials[i].res;
			char react[160];

			reaction_text(t, react, sizeof(react));
			bool blind = g->redo_limit_ns && g->trials[i].send_gap_ns > g->redo_limit_ns;

			if (!t->recovered)
				snprintf(a[0], sizeof(a[0]), ">%s", report_fmt_ns((int64_t)t->gap_ns, a[1], sizeof(a[1])));
			else
				report_fmt_ns((int64_t)t->outage_ns, a[0], sizeof(a[0]));
			if (blind) {
				strcat(a[0], "*");
				n_blind++;
			}
			fprintf(f, "  %5zu %9s %9s %6" PRIu32 " %10s %12s  %s%s\n", i + 1, a[0],
			        report_fmt_ns((int64_t)t->gap_ns, a[1], sizeof(a[1])), t->lost,
			        report_fmt_ns(t->detection_ns, a[2], sizeof(a[2])),
			        t->convergence_ns < 0 && t->has_reaction && t->recovered
			                ? "<0"
			                : report_fmt_ns(t->convergence_ns, a[3], sizeof(a[3])),
			        react, t->recovered ? "" : "  (no reply after the fault: not recovered)");
			{
				struct tl_step st[REPORT_MAX_STEPS];
				size_t n_st = cluster_breakdown(g, &g->trials[i], st);

				if (n_st)
					print_breakdown(f, st, n_st, t->fault_ns);
			}
		}
		if (n_blind)
			fprintf(f, "  * no probe was sent for more than %s after the fault (the machine was busy): an "
			           "interruption that short may have gone unseen\n",
			        report_fmt_ns((int64_t)g->redo_limit_ns, a[0], sizeof(a[0])));
		fprintf(f, "  outage p50 %s  p95 %s  p99 %s  max %s; lost %" PRIu64 " (max %" PRIu32 " in a trial)\n",
		        fmt_outage_min(s.outage_p50_ns, unrec, a[0], sizeof(a[0])),
		        fmt_outage_min(s.outage_p95_ns, unrec, a[1], sizeof(a[1])),
		        fmt_outage_min(s.outage_p99_ns, unrec, a[2], sizeof(a[2])),
		        fmt_outage_min(s.outage_max_ns, unrec, a[3], sizeof(a[3])), s.lost_total, s.lost_max);
		fprintf(f, "  detection p50 %s max %s (%zu/%zu trials); convergence p50 %s max %s\n",
		        s.n_detection ? report_fmt_ns((int64_t)s.detection_p50_ns, a[4], sizeof(a[4])) : "-",
		        s.n_detection ? report_fmt_ns((int64_t)s.detection_max_ns, a[5], sizeof(a[5])) : "-", s.n_detection,
		        s.trials, s.n_convergence ? report_fmt_ns(s.convergence_p50_ns, a[6], sizeof(a[6])) : "-",
		        s.n_convergence ? report_fmt_ns(s.convergence_max_ns, a[7], sizeof(a[7])) : "-");
		if (s.verdict != REPORT_NO_SLA)
			fprintf(f, "  SLA: p%s outage %s %s %s (%zu/%zu trials within): %s\n", pct,
			        fmt_outage_min(s.sla_outage_ns, unrec, a[0], sizeof(a[0])),
			        s.verdict == REPORT_PASS ? "<=" : ">",
			        report_fmt_ns((int64_t)r->sla.failover_max_us * 1000, a[1], sizeof(a[1])), s.trials_within,
			        s.trials, report_verdict_name(s.verdict));
	}
	fprintf(f, "\n%s\n", verdict == REPORT_NO_SLA ? "no [sla] in the profile: no verdict"
	                                               : verdict == REPORT_PASS ? "SLA: PASS" : "SLA: FAIL");
	return ferror(f) ? -EIO : 0;
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_event(struct json *j, const char *key, const struct tl_event *e, uint64_t fault_ns) {
	char a[IPADDR_STRLEN];

	json_obj_begin(j, key);
	json_str(j, "kind", tl_kind_name(e->kind));
	json_int(j, "t_us", ((int64_t)e->t_ns - (int64_t)fault_ns) / 1000);
	json_str(j, "netns", e->netns);
	json_str(j, "dev", e->dev);
	if (ipaddr_is_set(&e->addr))
		json_str(j, "address", format_ipaddr(&e->addr, true, a, sizeof(a)));
	json_str(j, "detail", e->detail);
	json_obj_end(j);
}

int report_print_json(const struct report *r, FILE *f) {
	struct json j;
	enum report_verdict verdict = report_verdict(r);

	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "title", r->title);
	if (r->sla.set) {
		json_obj_begin(&j, "sla");
		json_uint(&j, "failover_max_us", r->sla.failover_max_us);
		json_double(&j, "percentile", r->sla.percentile > 0 ? r->sla.percentile : 100);
		json_obj_end(&j);
	} else {
		json_null(&j, "sla");
	}
	if (verdict == REPORT_NO_SLA)
		json_null(&j, "pass");
	else
		json_bool(&j, "pass", verdict == REPORT_PASS);
	json_arr_begin(&j, "steady");
	for (size_t i = 0; i < r->n_steady; i++) {
		const struct report_steady *st = &r->steady[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "name", st->name);
		json_str(&j, "description", st->description);
		json_us(&j, "interval_us", st->interval_ns);
		json_us(&j, "duration_us", st->duration_ns);
		report_json_gap_stats(&j, "gaps", &st->gaps);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "groups");
	for (size_t gi = 0; gi < r->n_groups; gi++) {
		const struct report_group *g = &r->groups[gi];
		struct report_summary s;
		int ret = report_summarize(g, &r->sla, &s);

		if (ret < 0)
			return ret;
		json_obj_begin(&j, NULL);
		json_str(&j, "name", g->name);
		json_str(&j, "description", g->description);
		json_us(&j, "interval_us", g->interval_ns);
		json_obj_begin(&j, "summary");
		json_uint(&j, "trials", s.trials);
		json_uint(&j, "recovered", s.recovered);
		json_us(&j, "outage_p50_us", s.outage_p50_ns);
		json_us(&j, "outage_p95_us", s.outage_p95_ns);
		json_us(&j, "outage_p99_us", s.outage_p99_ns);
		json_us(&j, "outage_max_us", s.outage_max_ns);
		json_us_signed(&j, "detection_p50_us", (int64_t)s.detection_p50_ns, s.n_detection > 0);
		json_us_signed(&j, "detection_max_us", (int64_t)s.detection_max_ns, s.n_detection > 0);
		json_us_signed(&j, "convergence_p50_us", s.convergence_p50_ns, s.n_convergence > 0);
		json_us_signed(&j, "convergence_max_us", s.convergence_max_ns, s.n_convergence > 0);
		json_uint(&j, "lost_total", s.lost_total);
		json_uint(&j, "lost_max", s.lost_max);
		json_uint(&j, "redone", g->redone);
		json_us(&j, "redo_limit_us", g->redo_limit_ns);
		if (s.verdict == REPORT_NO_SLA) {
			json_null(&j, "pass");
		} else {
			json_us(&j, "sla_outage_us", s.sla_outage_ns);
			json_uint(&j, "trials_within", s.trials_within);
			json_bool(&j, "pass", s.verdict == REPORT_PASS);
		}
		json_obj_end(&j);
		json_arr_begin(&j, "trials");
		for (size_t i = 0; i < g->n_trials; i++) {
			const struct trial_result *t = &g->trials[i].res;

			json_obj_begin(&j, NULL);
			json_uint(&j, "trial", i + 1);
			json_bool(&j, "recovered", t->recovered);
			json_us(&j, "outage_us", trial_outage(t));
			json_us(&j, "gap_us", t->gap_ns);
			json_uint(&j, "lost", t->lost);
			json_uint(&j, "lost_after_fault", t->lost_total);
			if (g->trials[i].send_gap_ns)
				json_us(&j, "send_gap_max_us", g->trials[i].send_gap_ns);
			json_uint(&j, "sent", t->sent);
			json_uint(&j, "received", t->received);
			json_us_signed(&j, "detection_us", t->detection_ns, t->detection_ns >= 0);
			json_us_signed(&j, "convergence_us", t->convergence_ns, t->has_reaction && t->recovered);
			if (t->has_reaction)
				json_event(&j, "reaction", &t->reaction, t->fault_ns);
			else
				json_null(&j, "reaction");
			if (r->sla.set)
				json_bool(&j, "within_sla", trial_outage(t) <= r->sla.failover_max_us * 1000);
			{
				/* where the time went: each step, its time from the
				 * one before (us) and from the fault (at_us) */
				struct tl_step st[REPORT_MAX_STEPS];
				size_t n_st = cluster_breakdown(g, &g->trials[i], st);
				uint64_t prev = t->fault_ns;

				if (n_st) {
					json_arr_begin(&j, "breakdown");
					for (size_t k = 0; k < n_st; k++) {
						char text[160];

						step_text(&st[k], text, sizeof(text));
						json_obj_begin(&j, NULL);
						json_str(&j, "step", text);
						json_str(&j, "kind", st[k].ev ? tl_kind_name(st[k].ev->kind) : "reply");
						json_str(&j, "netns", st[k].ev ? st[k].ev->netns : "");
						json_us(&j, "at_us", st[k].t_ns - t->fault_ns);
						json_us(&j, "us", st[k].t_ns - prev);
						json_obj_end(&j);
						prev = st[k].t_ns;
					}
					json_arr_end(&j);
				}
			}
			if (g->trials[i].ev) {
				/* the trial's events, times from the fault */
				const struct report_trial *tr = &g->trials[i];
				size_t n = tr->n_ev < REPORT_JSON_MAX_EVENTS ? tr->n_ev : REPORT_JSON_MAX_EVENTS;

				json_arr_begin(&j, "events");
				for (size_t k = 0; k < n; k++)
					json_event(&j, NULL, &tr->ev[k], t->fault_ns);
				json_arr_end(&j);
				if (n < tr->n_ev)
					json_uint(&j, "events_left_out", tr->n_ev - n);
			}
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	return ferror(f) ? -EIO : 0;
}

/* ---- CSV -------------------------------------------------------------------- */

/* RFC 4180: quote when needed, double the quotes. */
static void csv_field(FILE *f, const char *s) {
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_us(FILE *f, int64_t ns, bool valid) {
	if (valid)
		fprintf(f, ",%.1f", (double)ns / 1000.0);
	else
		fputc(',', f);
}

int report_print_csv(const struct report *r, FILE *f) {
	fputs("group,trial,recovered,outage_us,gap_us,lost,lost_after_fault,detection_us,convergence_us,reaction,"
	      "sent,received,within_sla\n", f);
	for (size_t gi = 0; gi < r->n_groups; gi++) {
		const struct report_group *g = &r->groups[gi];

		for (size_t i = 0; i < g->n_trials; i++) {
			const struct trial_result *t = &g->trials[i].res;
			char react[160] = "";

			if (t->has_reaction)
				tl_event_format(&t->reaction, react, sizeof(react));
			csv_field(f, g->name);
			fprintf(f, ",%zu,%s", i + 1, t->recovered ? "yes" : "no");
			csv_us(f, (int64_t)t->outage_ns, t->recovered);
			csv_us(f, (int64_t)t->gap_ns, true);
			fprintf(f, ",%" PRIu32 ",%" PRIu32, t->lost, t->lost_total);
			csv_us(f, t->detection_ns, t->detection_ns >= 0);
			csv_us(f, t->convergence_ns, t->has_reaction && t->recovered);
			fputc(',', f);
			csv_field(f, react);
			fprintf(f, ",%" PRIu32 ",%" PRIu32 ",", t->sent, t->received);
			if (r->sla.set)
				fputs(trial_outage(t) <= r->sla.failover_max_us * 1000 ? "yes" : "no", f);
			fputc('\n', f);
		}
	}
	return ferror(f) ? -EIO : 0;
}
