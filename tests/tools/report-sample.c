/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes a report of synthetic trials in every format, for the tests
 * that parse them with independent parsers:
 *
 *   report-sample DIR        -> DIR/report.txt, .json, .csv, .svg, trial.svg
 *
 * Two groups: "bond failover" with 12 trials of 1 ms probes (outages
 * around 12 ms, one trial that never recovers) and "vip, move" with 5 trials
 * of 100 us probes; names, namespaces and details carry characters that
 * every format must escape. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

#define MS 1000000ull
#define US 1000ull

static struct tl_event event(enum tl_kind k, uint64_t t, const char *netns, const char *dev, const char *detail) {
	struct tl_event e = { .t_ns = t, .kind = k };

	snprintf(e.netns, sizeof(e.netns), "%s", netns);
	snprintf(e.dev, sizeof(e.dev), "%s", dev);
	snprintf(e.detail, sizeof(e.detail), "%s", detail);
	return e;
}

/* One trial: probes every interval for 400 intervals, lost from the fault
 * for `outage`, events along the way; analysed by trial_analyze. */
static int make_trial(struct report_trial *t, uint64_t interval, uint64_t outage, bool recovers, uint64_t seed) {
	enum { NREC = 400, NEV = 6 };
	struct probe_rec *rec = calloc(NREC, sizeof(*rec));
	struct tl_event *ev = calloc(NEV, sizeof(*ev));
	uint64_t t0 = 1000 * MS * (seed + 1), fault = t0 + 100 * interval + interval / 3;
	struct trial_opts o = { .interval_ns = interval };

	if (!rec || !ev)
		return -ENOMEM;
	for (size_t i = 0; i < NREC; i++) {
		rec[i].send_ns = t0 + i * interval;
		if (rec[i].send_ns >= fault && (!recovers || rec[i].send_ns < fault + outage))
			continue;
		rec[i].recv_ns = rec[i].send_ns + 30 * US + ((i * 7919 + seed * 31) % 40) * US;
	}
	ev[0] = event(TL_FAULT, fault, "", "", "carrier-off sw/c1a, \"quoted\"");
	ev[1] = event(TL_CARRIER_DOWN, fault + 20 * US, "ctrl<1>", "eth1", "");
	ev[2] = event(TL_ACTIVE_SLAVE, fault + outage / 2, "ctrl<1>", "bond0", "active slave eth2 & more");
	ev[3] = event(TL_ANNOUNCE, fault + outage / 2 + 50 * US, "ctrl<1>", "bond0", "3 frames");
	ev[4] = event(TL_CARRIER_UP, fault + outage + 5 * MS, "ctrl<1>", "eth1", "");
	ev[5] = event(TL_RESTORE, fault + outage + 4 * MS, "", "", "restore");
	t->rec = rec;
	t->n_rec = NREC;
	t->ev = ev;
	t->n_ev = NEV;
	return trial_analyze(rec, NREC, fault, ev, NEV, &o, &t->res);
}

static int write_one(const char *dir, const char *name, const struct report *r,
                 int (*fn)(const struct report *, FILE *)) {
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fn(r, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int svg_all(const struct report *r, FILE *f) { return report_write_svg(r, -1, -1, f); }
static int svg_one(const struct report *r, FILE *f) { return report_write_svg(r, 0, 2, f); }

int main(int argc, char **argv) {
	struct report_trial bond[12] = { 0 }, vip[5] = { 0 };
	struct report_group g[2] = {
		{ .name = "bond failover", .description = "carrier-off <sw-c1a> & co", .interval_ns = MS,
		  .trials = bond, .n_trials = 12 },
		{ .name = "vip, move", .description = NULL, .interval_ns = 100 * US, .trials = vip, .n_trials = 5 },
	};
	struct report r = { .title = "lab \"demo\" <&>", .sla = { .set = true, .failover_max_us = 30000, .percentile = 90 },
	                    .groups = g, .n_groups = 2 };
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: report-sample DIR\n");
		return 2;
	}
	for (size_t i = 0; i < 12 && ret == 0; i++)
		ret = make_trial(&bond[i], MS, (10 + i % 5) * MS, i != 7, i);
	for (size_t i = 0; i < 5 && ret == 0; i++)
		ret = make_trial(&vip[i], 100 * US, (2 + i) * MS, true, 100 + i);
	if (ret == 0)
		ret = write_one(argv[1], "report.txt", &r, report_print_table);
	if (ret == 0)
		ret = write_one(argv[1], "report.json", &r, report_print_json);
	if (ret == 0)
		ret = write_one(argv[1], "report.csv", &r, report_print_csv);
	if (ret == 0)
		ret = write_one(argv[1], "report.svg", &r, svg_all);
	if (ret == 0)
		ret = write_one(argv[1], "trial.svg", &r, svg_one);
	for (size_t i = 0; i < 12; i++) {
		free((void *)bond[i].rec);
		free((void *)bond[i].ev);
	}
	for (size_t i = 0; i < 5; i++) {
		free((void *)vip[i].rec);
		free((void *)vip[i].ev);
	}
	if (ret < 0) {
		fprintf(stderr, "report-sample: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
