/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The measurement report: per trial and per fault (group) summaries --
 * outage p50/p95/p99/max, detection, convergence, lost probes -- and the
 * verdict against [sla]; printed as a table, JSON or CSV, and drawn as an
 * SVG timeline.  Also the steady-state statistics of a probe run (the
 * gaps between consecutive replies).
 *
 * Percentiles are nearest-rank: the smallest value with at least p% of
 * the values at or below it (p100 is the maximum), so a reported p99
 * was really measured.  A trial that never recovered counts as an
 * infinite outage: it fails any SLA. */
#ifndef HANET_REPORT_H
#define HANET_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "model.h"
#include "prober.h"
#include "timeline.h"

/* Nearest-rank percentile of n sorted values (pct in (0, 100]). */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, double pct);
/* Sort in place (ascending). */
void stats_sort(uint64_t *v, size_t n);

/* ---- steady state -------------------------------------------------------- */

struct gap_stats {
	uint32_t sent, received;
	size_t n_gaps;              /* received - 1 */
	uint64_t min_ns, p50_ns, p99_ns, p999_ns, max_ns;
	double mean_ns;
	uint64_t rtt_p50_ns, rtt_p99_ns, rtt_max_ns;
};

/* Gaps between consecutive replies (by receive time) of a probe run. */
int report_gap_stats(const struct probe_rec *rec, size_t n, struct gap_stats *ret);
/* "1ms: sent 10000 received 10000 gap p50 1.000ms p99 1.021ms p99.9 1.104ms max 1.300ms ..." */
void report_print_gap_stats(FILE *f, const char *label, const struct gap_stats *g);
void report_json_gap_stats(struct json *j, const char *key, const struct gap_stats *g);

/* ---- trials -------------------------------------------------------------- */

struct report_trial {
	struct trial_result res;
	/* for the SVG (may be NULL): the trial's records and events, owned by
	 * the caller */
	const struct probe_rec *rec;
	size_t n_rec;
	const struct tl_event *ev;
	size_t n_ev;
	/* the longest time without a probe sent, from the fault to the end
	 * of the outage (and past the first reaction): an interruption
	 * shorter than this could go unseen; 0 = not known */
	uint64_t send_gap_ns;
};

struct report_group {
	const char *name;           /* the fault's name */
	const char *description;    /* "carrier-off sw-c1a in switch"; may be NULL */
	uint64_t interval_ns;       /* the probes' interval */
	struct report_trial *trials;
	size_t n_trials;
	uint32_t redone;            /* trials measured again (the prober fell behind around the fault) */
	uint64_t redo_limit_ns;     /* ... by more than this */
	struct ipaddr vip;          /* the address the trials' reactions are for (not set: any); the
	                             * steps of a trial's breakdown (trial_breakdown) are its */
};

/* A probe run without any fault (`hanet measure --steady`): the gaps
 * between its replies. */
struct report_steady {
	const char *name;           /* the probe's name */
	const char *description;    /* "icmp from client to 10.10.0.50"; may be NULL */
	uint64_t interval_ns;
	uint64_t duration_ns;
	struct gap_stats gaps;
};

struct report {
	const char *title;          /* the lab profile's name */
	struct sla sla;             /* sla.set false: no verdict */
	struct report_group *groups;
	size_t n_groups;
	/* steady-state runs, printed before the groups (table and JSON;
	 * not in the CSV, one row a trial) */
	const struct report_steady *steady;
	size_t n_steady;
};

enum report_verdict {
	REPORT_NO_SLA,
	REPORT_PASS,
	REPORT_FAIL,
};

struct report_summary {
	size_t trials, recovered;
	uint64_t outage_p50_ns, outage_p95_ns, outage_p99_ns, outage_max_ns;   /* UINT64_MAX: a trial never recovered */
	size_t n_detection;         /* trials with a reaction event */
	uint64_t detection_p50_ns, detection_max_ns;
	size_t n_convergence;
	int64_t convergence_p50_ns, convergence_max_ns;
	uint64_t lost_total;
	uint32_t lost_max;
	uint64_t sla_outage_ns;     /* the outage at the SLA's percentile */
	size_t trials_within;       /* trials with outage <= failover_max */
	enum report_verdict verdict;
};

int report_summarize(const struct report_group *g, const struct sla *sla, struct report_summary *ret);
/* Every group passes (REPORT_PASS), one fails (REPORT_FAIL), or no SLA. */
enum report_verdict report_verdict(const struct report *r);
const char *report_verdict_name(enum report_verdict v);   /* "PASS", "FAIL", "no SLA" */

int report_print_table(const struct report *r, FILE *f);
/* JSON also lists each trial's events (when given), at most this many. */
#define REPORT_JSON_MAX_EVENTS 256
int report_print_json(const struct report *r, FILE *f);
int report_print_csv(const struct report *r, FILE *f);

/* SVG limits: panels drawn, points per panel, labelled events per panel. */
#define REPORT_SVG_MAX_PANELS 40
#define REPORT_SVG_MAX_LABELS 24
/* Draw one trial (group >= 0 and trial >= 0) or all trials (-1, -1) or
 * all trials of a group (group, -1): one panel per trial, the probes'
 * round-trip times as points against time from the fault, lost probes
 * as ticks, the outage shaded, the fault and the netlink events marked
 * with labels.  Well-formed standalone SVG; its size is bounded by the
 * limits above. */
int report_write_svg(const struct report *r, int group, int trial, FILE *f);

/* "12.3ms", "850us", "1.20s", "-" for a negative value */
const char *report_fmt_ns(int64_t ns, char *buf, size_t size);

#endif
