/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SVG timeline of a measurement: one panel per trial, time relative
 * to the fault on x, round-trip time on a log scale on y.  Replies are
 * drawn per pixel column (the min..max round trip of the probes sent in
 * it), lost probes as red ticks under the axis, the outage shaded, the
 * fault and the netlink events as labelled vertical lines.  Everything
 * is bounded: panels, columns, event lines and labels. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

#define SVG_W 960
#define PANEL_H 250
#define PANEL_GAP 14
#define HEADER_H 56
#define PLOT_X0 74
#define PLOT_X1 (SVG_W - 24)
#define PLOT_TOP 44             /* inside a panel */
#define PLOT_BOTTOM (PANEL_H - 34)
#define MAX_EVENT_LINES 200
#define NCOLS (PLOT_X1 - PLOT_X0 + 1)
/* an event label runs up its line inside the plot: about 6 px a character */
#define LABEL_CHARS ((PLOT_BOTTOM - PLOT_TOP - 12) / 6)

static void xml_text(FILE *f, const char *s) {
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

static const char *kind_color(enum tl_kind k) {
	switch (k) {
	case TL_FAULT: return "#d62728";
	case TL_RESTORE: return "#8c564b";
	case TL_CARRIER_DOWN:
	case TL_LINK_DOWN:
	case TL_LINK_DEL:
	case TL_ADDR_DEL: return "#ff7f0e";
	case TL_CARRIER_UP:
	case TL_LINK_UP:
	case TL_LINK_NEW: return "#2ca02c";
	case TL_ACTIVE_SLAVE:
	case TL_ACTIVE_PORT:
	case TL_SLAVE_STATE: return "#9467bd";
	case TL_ADDR_ADD: return "#17becf";
	case TL_ANNOUNCE: return "#1f77b4";
	case TL_OVERFLOW: return "#000000";
	case TL_MEMBERSHIP: return "#e377c2";
	case TL_RESOURCE: return "#bcbd22";
	case TL_STEP: return "#8c564b";
	default: return "#7f7f7f";
	}
}

struct panel {
	double x0, y0;              /* the panel's origin in the document */
	int64_t t_lo, t_hi;         /* the window, absolute ns */
	double lg_lo, lg_hi;        /* log10 of the RTT range, ns */
};

static double px(const struct panel *p, int64_t t) {
	double x = PLOT_X0 + (double)(t - p->t_lo) / (double)(p->t_hi - p->t_lo) * (PLOT_X1 - PLOT_X0);
	return x < PLOT_X0 ? PLOT_X0 : x > PLOT_X1 ? PLOT_X1 : x;
}

static double py(const struct panel *p, uint64_t rtt) {
	double l = log10(rtt > 0 ? (double)rtt : 1.0);
	double y = PLOT_BOTTOM - (l - p->lg_lo) / (p->lg_hi - p->lg_lo) * (PLOT_BOTTOM - PLOT_TOP);
	return y < PLOT_TOP ? PLOT_TOP : y > PLOT_BOTTOM ? PLOT_BOTTOM : y;
}

/* A "nice" tick step (1, 2, 5 x 10^k ns) for about 8 ticks over span. */
static int64_t tick_step(int64_t span) {
	double raw = (double)span / 8, mag = pow(10, floor(log10(raw > 1 ? raw : 1)));
	double m = raw / mag;

	return (int64_t)((m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag);
}

static void fmt_rel(int64_t ns, char *buf, size_t size) {
	double ms = (double)ns / 1e6;

	if (fabs(ms) >= 1000)
		snprintf(buf, size, "%+.2fs", ms / 1000);
	else if (ns != 0 && fabs(ms) < 1)
		snprintf(buf, size, "%+.0fus", ms * 1000);
	else
		snprintf(buf, size, "%+gms", round(ms * 100) / 100);
	if (ns == 0)
		snprintf(buf, size, "0");
}

static void panel_window(const struct report_group *g, const struct report_trial *tr, struct panel *p) {
	const struct trial_result *t = &tr->res;
	int64_t f = (int64_t)t->fault_ns, end = (int64_t)t->gap_end_ns, span, pad;
	uint64_t lo = UINT64_MAX, hi = 0;

	if (t->has_reaction && (int64_t)t->reaction.t_ns > end)
		end = (int64_t)t->reaction.t_ns;
	span = end - f;
	if (span < (int64_t)(4 * g->interval_ns))
		span = (int64_t)(4 * g->interval_ns);
	if (span < 2000000)
		span = 2000000;
	pad = span / 4;
	if (pad < (int64_t)(5 * g->interval_ns))
		pad = (int64_t)(5 * g->interval_ns);
	p->t_lo = ((int64_t)t->gap_start_ns < f ? (int64_t)t->gap_start_ns : f) - pad;
	p->t_hi = f + span + pad;

	for (size_t i = 0; i < tr->n_rec; i++) {
		const struct probe_rec *r = &tr->rec[i];
		uint64_t rtt;

		if (!r->recv_ns || (int64_t)r->send_ns < p->t_lo || (int64_t)r->send_ns > p->t_hi)
			continue;
		rtt = r->recv_ns - r->send_ns;
		if (rtt < lo)
			lo = rtt;
		if (rtt > hi)
			hi = rtt;
	}
	if (lo == UINT64_MAX)
		lo = hi = 100000;
	p->lg_lo = floor(log10((double)(lo > 1000 ? lo : 1000)));
	p->lg_hi = ceil(log10((double)(hi > 1000 ? hi : 1000)));
	if (p->lg_hi > 10)
		p->lg_hi = 10;
	if (p->lg_hi - p->lg_lo < 1)
		p->lg_hi = p->lg_lo + 1;
}

static void draw_axes(FILE *f, const struct panel *p) {
	char b[32];

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#999\"/>\n", PLOT_X0,
	        PLOT_TOP, PLOT_X1 - PLOT_X0, PLOT_BOTTOM - PLOT_TOP);
	/* y: decades of round-trip time */
	for (int d = (int)p->lg_lo; d <= (int)p->lg_hi; d++) {
		double y = py(p, (uint64_t)pow(10, d));

		report_fmt_ns((int64_t)pow(10, d), b, sizeof(b));
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", PLOT_X0, y, PLOT_X1, y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"ax\">%s</text>\n", PLOT_X0 - 4, y + 3, b);
	}
}

static void draw_xticks(FILE *f, const struct panel *p, int64_t fault) {
	int64_t step = tick_step(p->t_hi - p->t_lo);
	int64_t first = -((fault - p->t_lo) / step) * step;
	char b[32];

	for (int64_t rel = first; fault + rel <= p->t_hi; rel += step) {
		double x;

		if (fault + rel < p->t_lo)
			continue;
		x = px(p, fault + rel);
		fmt_rel(rel, b, sizeof(b));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>", x, PLOT_BOTTOM, x,
		        PLOT_BOTTOM + 4);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"ax\">%s</text>\n", x, PLOT_BOTTOM + 15, b);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"ax\">time from the fault</text>\n", PLOT_X1,
	        PLOT_BOTTOM + 28);
	fprintf(f, "<text x=\"14\" y=\"%d\" class=\"ax\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
	           "round trip</text>\n",
	        (PLOT_TOP + PLOT_BOTTOM) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2);
}

static void draw_probes(FILE *f, const struct report_trial *tr, const struct panel *p) {
	double *cmin, *cmax;
	bool *lost;
	bool any = false;

	cmin = malloc(NCOLS * sizeof(*cmin));
	cmax = malloc(NCOLS * sizeof(*cmax));
	lost = calloc(NCOLS, sizeof(*lost));
	if (!cmin || !cmax || !lost)
		goto out;
	for (int c = 0; c < NCOLS; c++)
		cmin[c] = cmax[c] = -1;
	for (size_t i = 0; i < tr->n_rec; i++) {
		const struct probe_rec *r = &tr->rec[i];
		int c;

		if ((int64_t)r->send_ns < p->t_lo || (int64_t)r->send_ns > p->t_hi)
			continue;
		c = (int)lround(px(p, (int64_t)r->send_ns)) - PLOT_X0;
		if (c < 0 || c >= NCOLS)
			continue;
		if (!r->recv_ns) {
			lost[c] = true;
			continue;
		}
		double y = py(p, r->recv_ns - r->send_ns);
		if (cmin[c] < 0 || y < cmin[c])
			cmin[c] = y;
		if (cmax[c] < 0 || y > cmax[c])
			cmax[c] = y;
	}
	/* replies: one path, a (round-capped) segment per column */
	for (int c = 0; c < NCOLS; c++) {
		if (cmin[c] < 0)
			continue;
		if (!any)
			fputs("<path class=\"rtt\" d=\"", f);
		any = true;
		fprintf(f, "M%d %.1fV%.1f", PLOT_X0 + c, cmin[c], cmax[c]);
	}
	if (any)
		fputs("\"/>\n", f);
	any = false;
	for (int c = 0; c < NCOLS; c++) {
		if (!lost[c])
			continue;
		if (!any)
			fputs("<path class=\"lost\" d=\"", f);
		any = true;
		fprintf(f, "M%d %dv6", PLOT_X0 + c, PLOT_BOTTOM - 6);
	}
	if (any)
		fputs("\"/>\n", f);
out:
	free(cmin);
	free(cmax);
	free(lost);
}

static void draw_panel(FILE *f, const struct report_group *g, size_t idx, const struct report_trial *tr, double y0) {
	const struct trial_result *t = &tr->res;
	struct panel p = { .y0 = y0 };
	char a[4][24], label[200];
	double last_label_x = -100;
	int n_labels = 0, n_lines = 0, stagger = 0;

	panel_window(g, tr, &p);
	fprintf(f, "<g transform=\"translate(0 %.0f)\">\n", y0);
	fprintf(f, "<text x=\"%d\" y=\"16\" class=\"title\">", PLOT_X0);
	xml_text(f, g->name ? g->name : "");
	fprintf(f, " #%zu: ", idx + 1);
	if (t->recovered)
		fprintf(f, "outage %s (gap %s, %" PRIu32 " lost)", report_fmt_ns((int64_t)t->outage_ns, a[0], sizeof(a[0])),
		        report_fmt_ns((int64_t)t->gap_ns, a[1], sizeof(a[1])), t->lost);
	else
		fprintf(f, "no reply after the fault (%" PRIu32 " lost)", t->lost);
	fprintf(f, ", detection %s, convergence %s</text>\n", report_fmt_ns(t->detection_ns, a[2], sizeof(a[2])),
	        report_fmt_ns(t->convergence_ns, a[3], sizeof(a[3])));

	draw_axes(f, &p);
	/* the outage */
	{
		double xa = px(&p, (int64_t)t->gap_start_ns), xb = px(&p, (int64_t)t->gap_end_ns);

		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"gap\"/>\n", xa, PLOT_TOP,
		        xb - xa > 1 ? xb - xa : 1, PLOT_BOTTOM - PLOT_TOP);
	}
	draw_probes(f, tr, &p);
	draw_xticks(f, &p, (int64_t)t->fault_ns);

	/* events, then the fault on top */
	for (size_t i = 0; i < tr->n_ev && n_lines < MAX_EVENT_LINES; i++) {
		const struct tl_event *e = &tr->ev[i];
		double x;

		if ((int64_t)e->t_ns < p.t_lo || (int64_t)e->t_ns > p.t_hi || e->kind == TL_FAULT)
			continue;
		x = px(&p, (int64_t)e->t_ns);
		n_lines++;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n", x,
		        PLOT_TOP, x, PLOT_BOTTOM, kind_color(e->kind));
		if (n_labels >= REPORT_SVG_MAX_LABELS)
			continue;
		/* labels read upwards just right of their line (the glyphs hang
		 * left of the baseline); close ones step right */
		stagger = x - last_label_x < 11 ? stagger + 1 : 0;
		last_label_x = x + stagger * 11;
		tl_event_format(e, label, sizeof(label));
		if (strlen(label) > LABEL_CHARS)
			memcpy(label + LABEL_CHARS - 2, "..", 3);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ev\" fill=\"%s\" transform=\"rotate(-90 %.1f %d)\">",
		        last_label_x + 10, PLOT_BOTTOM - 8, kind_color(e->kind), last_label_x + 10, PLOT_BOTTOM - 8);
		xml_text(f, label);
		fputs("</text>\n", f);
		n_labels++;
	}
	{
		double x = px(&p, (int64_t)t->fault_ns);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>", x,
		        PLOT_TOP - 6, x, PLOT_BOTTOM, kind_color(TL_FAULT));
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"ev\" fill=\"%s\" text-anchor=\"middle\">fault</text>\n", x,
		        PLOT_TOP - 8, kind_color(TL_FAULT));
	}
	if (n_lines >= MAX_EVENT_LINES || n_labels >= REPORT_SVG_MAX_LABELS)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"ax\">some events not labelled</text>\n",
		        PLOT_X1, PLOT_TOP - 8);
	fputs("</g>\n", f);
}

int report_write_svg(const struct report *r, int group, int trial, FILE *f) {
	size_t n_panels = 0, total = 0, drawn = 0;
	double y;

	if (group >= (int)r->n_groups || (group < 0 && trial >= 0))
		return -EINVAL;
	if (group >= 0 && trial >= (int)r->groups[group].n_trials)
		return -EINVAL;
	for (size_t gi = 0; gi < r->n_groups; gi++) {
		if (group >= 0 && (int)gi != group)
			continue;
		total += trial >= 0 ? 1 : r->groups[gi].n_trials;
	}
	n_panels = total < REPORT_SVG_MAX_PANELS ? total : REPORT_SVG_MAX_PANELS;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" "
	           "font-family=\"sans-serif\">\n",
	        SVG_W, HEADER_H + n_panels * (PANEL_H + PANEL_GAP) + 24, SVG_W, HEADER_H + n_panels * (PANEL_H + PANEL_GAP) + 24);
	fputs("<style>.title{font-size:13px;font-weight:bold}.ax{font-size:10px;fill:#555}.ev{font-size:10px}"
	      ".rtt{stroke:#1f77b4;stroke-width:2;stroke-linecap:round;fill:none}"
	      ".lost{stroke:#d62728;stroke-width:1;fill:none}.gap{fill:#d62728;fill-opacity:0.12}</style>\n", f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n<text x=\"%d\" y=\"22\" "
	           "style=\"font-size:16px;font-weight:bold\">hanet measure: ", PLOT_X0);
	xml_text(f, r->title ? r->title : "");
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%d\" y=\"40\" class=\"ax\">blue: round trip of each probe (log scale) by send time; "
	           "red ticks: lost probes; shaded: the outage; dashed: netlink events; red line: the fault</text>\n",
	        PLOT_X0);

	y = HEADER_H;
	for (size_t gi = 0; gi < r->n_groups && drawn < n_panels; gi++) {
		const struct report_group *g = &r->groups[gi];

		if (group >= 0 && (int)gi != group)
			continue;
		for (size_t i = 0; i < g->n_trials && drawn < n_panels; i++) {
			if (trial >= 0 && (int)i != trial)
				continue;
			draw_panel(f, g, i, &g->trials[i], y);
			y += PANEL_H + PANEL_GAP;
			drawn++;
		}
	}
	if (drawn < total)
		fprintf(f, "<text x=\"%d\" y=\"%.0f\" class=\"ax\">%zu more trial%s not drawn</text>\n", PLOT_X0, y + 10,
		        total - drawn, total - drawn == 1 ? "" : "s");
	fputs("</svg>\n", f);
	return ferror(f) ? -EIO : 0;
}
