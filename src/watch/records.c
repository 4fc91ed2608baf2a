/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Failover records (JSON lines) and metrics (Prometheus text) of watch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "records.h"
#include "util.h"

/* A counter with labels: (netns, name) for links, kind for repairs. */
struct counter {
	char *netns;                    /* NULL: the current namespace */
	char *name;
	uint64_t n;
};

struct counters {
	struct counter *v;
	size_t n;
};

struct records {
	int fd;
	bool own_fd;
	char *profile;
	struct counters failovers;      /* by link */
	struct counters carrier;        /* by link */
	struct counters repairs;        /* by kind */
	uint64_t n_failovers, n_repairs, resyncs, overflows, reloads_ok, reloads_bad;
	double last_latency_s;
	bool have_latency;
	uint64_t start_realtime_us;
	bool dirty;
};

static void counters_fini(struct counters *c) {
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].netns);
		free(c->v[i].name);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static void counter_inc(struct counters *c, const char *netns, const char *name) {
	struct counter *v;

	for (size_t i = 0; i < c->n; i++)
		if (netns_eq(c->v[i].netns, netns) && strcmp(c->v[i].name, name) == 0) {
			c->v[i].n++;
			return;
		}
	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return;         /* a counter lost to ENOMEM; the record line still goes out */
	c->v = v;
	v[c->n].netns = netns ? strdup(netns) : NULL;
	v[c->n].name = strdup(name);
	if (!v[c->n].name || (netns && !v[c->n].netns)) {
		free(v[c->n].netns);
		free(v[c->n].name);
		return;
	}
	v[c->n].n = 1;
	c->n++;
}

int records_new(const char *path, const char *profile, struct records **ret) {
	struct records *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = STDOUT_FILENO;
	if (path && strcmp(path, "-") != 0) {
		/* never through a symbolic link another user planted */
		int e = open_output(path, true, 0644, &r->fd);

		if (e < 0) {
			free(r);
			return e;
		}
		r->own_fd = true;
	}
	r->profile = strdup(profile ? profile : "");
	if (!r->profile) {
		records_free(r);
		return -ENOMEM;
	}
	r->start_realtime_us = realtime_us();
	r->dirty = true;
	*ret = r;
	return 0;
}

void records_free(struct records *r) {
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	counters_fini(&r->failovers);
	counters_fini(&r->carrier);
	counters_fini(&r->repairs);
	free(r->profile);
	free(r);
}

int records_set_profile(struct records *r, const char *profile) {
	char *p = strdup(profile);

	if (!p)
		return -ENOMEM;
	free(r->profile);
	r->profile = p;
	r->dirty = true;
	return 0;
}

/* ---- one line ---------------------------------------------------------------------- */

struct line {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static void format_wall(uint64_t us, char *buf, size_t size) {
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
}

/* The wall-clock time of a monotonic instant (now minus its age). */
static uint64_t wall_of(uint64_t mono_ns) {
	uint64_t now_mono = now_ns(), now_wall = realtime_us();

	if (mono_ns > now_mono)
		return now_wall;
	return now_wall - (now_mono - mono_ns) / 1000;
}

static bool line_begin(struct records *r, struct line *l, const char *event, uint64_t mono_ns, const char *netns) {
	char wall[64];

	memset(l, 0, sizeof(*l));
	l->f = open_memstream(&l->buf, &l->len);
	if (!l->f)
		return false;
	json_init(&l->j, l->f, false);
	json_obj_begin(&l->j, NULL);
	format_wall(wall_of(mono_ns), wall, sizeof(wall));
	json_str(&l->j, "time", wall);
	json_uint(&l->j, "mono_ns", mono_ns);
	json_str(&l->j, "profile", r->profile);
	json_str(&l->j, "event", event);
	json_str(&l->j, "netns", netns);
	return true;
}

static void line_end(struct records *r, struct line *l) {
	const char *p;
	size_t left;

	json_obj_end(&l->j);
	fputc('\n', l->f);
	if (fclose(l->f) != 0) {
		free(l->buf);
		return;
	}
	/* one write: a line is never split between writers (O_APPEND) */
	for (p = l->buf, left = l->len; left > 0;) {
		ssize_t n = write(r->fd, p, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;  /* records are best effort: a full disk must not stop repairs */
		}
		p += n;
		left -= (size_t)n;
	}
	free(l->buf);
	r->dirty = true;
}

void records_bond_active(struct records *r, uint64_t mono_ns, const char *netns, const char *bond, const char *from,
                         const char *to) {
	struct line l;

	r->n_failovers++;
	counter_inc(&r->failovers, netns, bond);
	if (!line_begin(r, &l, "bond-active-slave", mono_ns, netns))
		return;
	json_str(&l.j, "link", bond);
	json_str(&l.j, "from", from && *from ? from : NULL);
	json_str(&l.j, "to", to && *to ? to : NULL);
	line_end(r, &l);
}

void records_bond_slave_state(struct records *r, uint64_t mono_ns, const char *netns, const char *bond,
                              const char *slave, bool active) {
	struct line l;

	if (!line_begin(r, &l, "bond-slave-state", mono_ns, netns))
		return;
	json_str(&l.j, "link", bond);
	json_str(&l.j, "slave", slave);
	json_str(&l.j, "state", active ? "active" : "backup");
	line_end(r, &l);
}

void records_team_active(struct records *r, uint64_t mono_ns, const char *netns, const char *team, const char *from,
                         const char *to, const char *by, const char *why) {
	struct line l;

	r->n_failovers++;
	counter_inc(&r->failovers, netns, team);
	if (!line_begin(r, &l, "team-active-port", mono_ns, netns))
		return;
	json_str(&l.j, "link", team);
	json_str(&l.j, "from", from && *from ? from : NULL);
	json_str(&l.j, "to", to && *to ? to : NULL);
	json_str(&l.j, "by", by);
	if (why)
		json_str(&l.j, "why", why);
	line_end(r, &l);
}

void records_carrier(struct records *r, uint64_t mono_ns, const char *netns, const char *link, bool up) {
	struct line l;

	counter_inc(&r->carrier, netns, link);
	if (!line_begin(r, &l, "carrier", mono_ns, netns))
		return;
	json_str(&l.j, "link", link);
	json_str(&l.j, "carrier", up ? "up" : "down");
	line_end(r, &l);
}

void records_repair(struct records *r, const char *kind, const char *netns, const char *object, const char *action,
                    const char *cause, uint64_t detected_ns, uint64_t done_ns) {
	struct line l;
	uint64_t lat = done_ns > detected_ns ? done_ns - detected_ns : 0;

	r->n_repairs++;
	counter_inc(&r->repairs, NULL, kind);
	r->last_latency_s = (double)lat / 1e9;
	r->have_latency = true;
	if (!line_begin(r, &l, "repair", done_ns, netns))
		return;
	json_str(&l.j, "kind", kind);
	json_str(&l.j, "object", object);
	json_str(&l.j, "action", action);
	json_str(&l.j, "cause", cause);
	json_uint(&l.j, "detected_mono_ns", detected_ns);
	json_uint(&l.j, "latency_us", lat / 1000);
	line_end(r, &l);
}

void records_overflow(struct records *r, uint64_t mono_ns, size_t n) {
	struct line l;

	r->overflows++;
	if (!line_begin(r, &l, "overflow", mono_ns, NULL))
		return;
	json_uint(&l.j, "namespaces", n);
	line_end(r, &l);
}

void records_reload(struct records *r, uint64_t mono_ns, const char *path, bool ok, const char *why) {
	struct line l;

	if (ok)
		r->reloads_ok++;
	else
		r->reloads_bad++;
	if (!line_begin(r, &l, "reload", mono_ns, NULL))
		return;
	json_str(&l.j, "path", path);
	json_str(&l.j, "result", ok ? "ok" : "invalid");
	if (why)
		json_str(&l.j, "why", why);
	line_end(r, &l);
}

void records_count_resync(struct records *r) {
	r->resyncs++;
	r->dirty = true;
}

uint64_t records_failovers(const struct records *r) { return r->n_failovers; }
uint64_t records_repairs(const struct records *r) { return r->n_repairs; }
bool records_metrics_dirty(const struct records *r) { return r->dirty; }

/* ---- metrics ---------------------------------------------------------------------- */

/* A label value, escaped as the text format wants (\\, \", \n). */
static void label(FILE *f, const char *key, const char *val, bool comma) {
	fprintf(f, "%s%s=\"", comma ? "," : "", key);
	for (const char *p = val ? val : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*p, f);
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type, const char *help) {
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_u64(FILE *f, struct records *r, const char *name, uint64_t v) {
	fprintf(f, "%s{", name);
	label(f, "profile", r->profile, false);
	fprintf(f, "} %llu\n", (unsigned long long)v);
}

static void link_counters(FILE *f, struct records *r, const char *name, const struct counters *c) {
	for (size_t i = 0; i < c->n; i++) {
		fprintf(f, "%s{", name);
		label(f, "profile", r->profile, false);
		label(f, "netns", c->v[i].netns, true);
		label(f, "link", c->v[i].name, true);
		fprintf(f, "} %llu\n", (unsigned long long)c->v[i].n);
	}
}

int records_metrics_write(struct records *r, const char *path, bool up) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int q;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	head(f, "hanet_watch_up", "gauge", "1 while hanet watch runs");
	sample_u64(f, r, "hanet_watch_up", up ? 1 : 0);
	head(f, "hanet_watch_start_time_seconds", "gauge", "when hanet watch started (Unix time)");
	fprintf(f, "hanet_watch_start_time_seconds{");
	label(f, "profile", r->profile, false);
	fprintf(f, "} %.3f\n", (double)r->start_realtime_us / 1e6);
	head(f, "hanet_watch_failovers_total", "counter", "active slave (bond) and active port (team) changes, by link");
	link_counters(f, r, "hanet_watch_failovers_total", &r->failovers);
	head(f, "hanet_watch_carrier_changes_total", "counter", "carrier changes of the profile's links, by link");
	link_counters(f, r, "hanet_watch_carrier_changes_total", &r->carrier);
	head(f, "hanet_watch_drift_repairs_total", "counter", "drift repaired, by kind of action");
	for (size_t i = 0; i < r->repairs.n; i++) {
		fprintf(f, "hanet_watch_drift_repairs_total{");
		label(f, "profile", r->profile, false);
		label(f, "kind", r->repairs.v[i].name, true);
		fprintf(f, "} %llu\n", (unsigned long long)r->repairs.v[i].n);
	}
	head(f, "hanet_watch_last_repair_latency_seconds", "gauge",
	     "from the first event of the last drift to its repair acked by the kernel");
	if (r->have_latency) {
		fprintf(f, "hanet_watch_last_repair_latency_seconds{");
		label(f, "profile", r->profile, false);
		fprintf(f, "} %.6f\n", r->last_latency_s);
	}
	head(f, "hanet_watch_resyncs_total", "counter", "observe and plan runs (after events, overflows, reloads)");
	sample_u64(f, r, "hanet_watch_resyncs_total", r->resyncs);
	head(f, "hanet_watch_overflows_total", "counter", "event socket overflows (ENOBUFS), each followed by a resync");
	sample_u64(f, r, "hanet_watch_overflows_total", r->overflows);
	head(f, "hanet_watch_reloads_total", "counter", "SIGHUP reloads, by result");
	fprintf(f, "hanet_watch_reloads_total{");
	label(f, "profile", r->profile, false);
	fprintf(f, ",result=\"ok\"} %llu\n", (unsigned long long)r->reloads_ok);
	fprintf(f, "hanet_watch_reloads_total{");
	label(f, "profile", r->profile, false);
	fprintf(f, ",result=\"invalid\"} %llu\n", (unsigned long long)r->reloads_bad);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* a reader (the node exporter's textfile collector) sees the old
	 * file or the new one, never a part.  No fsync: metrics need not
	 * survive a crash, and an fsync on a disk can take milliseconds, which
	 * the repairs waiting behind it would pay. */
	q = write_file_replace(path, buf, len, 0644);
	free(buf);
	if (q >= 0)
		r->dirty = false;
	return q;
}
