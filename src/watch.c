/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet watch: the event loop (see watch.h).
 *
 * State kept between events:
 * - the session (profile, its routes, ownership records, request
 *   sockets) and s.st, the kernel as last observed (refreshed per dirty
 *   namespace; the fast paths plan against it);
 * - per namespace the profile uses: its event socket, whether it is dirty;
 * - the names of the links the profile wants (from the last plan) and
 *   hanet owns: events on other links are not looked at.
 *
 * A resync observes the dirty namespaces (all of them after a namespace
 * was deleted or made, or a reload), plans, applies, observes again and
 * plans again to verify.  Failure is not fatal: the loop logs once and
 * tries again later (backoff), or when an event says something changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "apply.h"
#include "confirm.h"
#include "exitcode.h"
#include "lock.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "nlevent.h"
#include "owner.h"
#include "partial.h"
#include "plan.h"
#include "records.h"
#include "route.h"
#include "sdnotify.h"
#include "session.h"
#include "state.h"
#include "team-ab.h"
#include "util.h"
#include "vip.h"
#include "watch.h"

#define BACKOFF_MIN_US 50000ull
#define BACKOFF_MAX_US 10000000ull
#define WAIT_RETRY_US 10000000ull       /* a plan waiting for a device: try again anyway */
#define LOCK_RETRY_US 100000ull
#define METRICS_MIN_INTERVAL_NS 100000000ull
#define PENDING_CHECK_NS 1000000000ull     /* how often watch looks for a pending change to roll back */

enum src_type {
	SRC_NLEV,
	SRC_SIGNAL,
	SRC_RESYNC,
	SRC_HOUSE,
	SRC_END,
	SRC_INOTIFY,
	SRC_TEAM,
};

struct src {
	enum src_type type;
	void *ptr;
};

struct watch;

/* A namespace the profile uses. */
struct wns {
	struct watch *w;
	char *name;                     /* NULL: the namespace hanet runs in */
	struct nlev_set *ev;            /* NULL: not subscribed (absent) */
	struct src src;
	dev_t dev;                      /* of /run/netns/NAME when subscribed */
	ino_t ino;
	bool used;                      /* in the current profile's observe requests */
	bool dirty;
};

struct wteam {
	struct watch *w;
	struct team_ab *t;
	struct src src;
	bool used;
	bool closed;                    /* freed at the end of the epoll batch */
	struct wteam *next_closed;
};

struct want {
	const char *netns;
	char name[IFNAMSIZ];
	enum link_kind kind;
};

struct bond_seen {
	const char *netns;
	char name[IFNAMSIZ];
	char active[IFNAMSIZ];
};

enum phase {
	PHASE_START,
	PHASE_DRIFT,
	PHASE_RELOAD,
};

struct watch {
	const struct watch_opts *o;
	uint64_t engine_next;           /* the next look at the [vip]s' engine_pidfile */
	bool engines;                   /* some [vip] has one */
	const char *path;
	struct session s;               /* s.st: the kernel as last observed */
	bool loaded;
	struct profile_view *view;      /* while devices are missing: the part of the profile applied */
	struct route_index *sections;   /* the [route] sections alone: fast paths of big profiles */
	char waiting_for[512];          /* what the view leaves out, as last said */
	struct wns **ns;
	size_t n_ns;
	struct wteam **teams;
	size_t n_teams;
	struct wteam *teams_closed;     /* later events of the batch may name them */
	struct want *want;
	size_t n_want;
	struct bond_seen *bonds;
	size_t n_bonds;
	struct strpool *pool;           /* namespace names of want and bonds */

	int epfd, sigfd, tfd_resync, tfd_house, tfd_end, inofd;
	struct src s_sig, s_resync, s_house, s_end, s_ino;
	uint64_t resync_at;             /* CLOCK_MONOTONIC ns the resync timer is armed for; 0: not */
	bool resync_urgent;             /* armed for drift: confirmations do not push it later */
	uint64_t settle_first;          /* the first confirmation since the last resync */
	int lock_fd;                    /* /run/hanet/lock, open for the whole run */
	bool full;                      /* the next resync observes every namespace */
	enum phase phase;
	char cause[600];                /* the first drift seen since the kernel last matched */
	uint64_t cause_ns;
	char cause_link[IFNAMSIZ];      /* the link the cause is about, if any */
	char weak_cause[600];           /* a change that may be drift, said when nothing better is seen */
	uint64_t dirty_ns;              /* the first event (drift or not) since then */
	uint64_t backoff_us;
	char last_err[2048];            /* said once until it changes */

	struct records *rec;
	bool ready;
	bool end_reached;               /* --max-runtime, not a signal */
	bool quit, reload;
	bool echo;                      /* reading the echoes of our own changes: no drift cause */
	uint64_t wd_interval_ns, wd_next;
	uint64_t periodic_next;         /* the next full resync (--resync-interval) */
	uint64_t pending_next;          /* the next look for a change not confirmed whose process is gone */
	uint64_t metrics_last;
	uint64_t status_repairs, status_failovers;
	bool status_sent;
	struct announcers ann;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static const char *ns_label(const char *netns) {
	return netns ? netns : "-";
}

/* " in ns NAME", or "" for the namespace hanet runs in */
static const char *in_ns(const char *netns, char *buf, size_t size) {
	if (!netns)
		return "";
	snprintf(buf, size, " in ns %s", netns);
	return buf;
}

static void timer_at(int fd, uint64_t at_ns) {
	struct itimerspec its = { 0 };

	if (at_ns) {
		its.it_value.tv_sec = (time_t)(at_ns / 1000000000ull);
		its.it_value.tv_nsec = (long)(at_ns % 1000000000ull);
	}
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void timer_drain(int fd) {
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: a timer re-armed before we read it */
	}
}

static int epoll_add(struct watch *w, int fd, struct src *s) {
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = s };

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}

/* Arm the resync timer for now + delay, unless it fires earlier already. */
static void arm_resync(struct watch *w, uint64_t delay_us) {
	uint64_t at = now_ns() + delay_us * 1000;

	w->resync_urgent = true;
	if (w->resync_at && w->resync_at <= at)
		return;
	w->resync_at = at;
	timer_at(w->tfd_resync, at);
}

/* A confirming resync: settle_us after the last such event, but at most
 * fifty times that (1 s by default) after the first: a burst of repairs,
 * or of changes that need no repair, makes one resync, not one each, and
 * the resyncs (a few milliseconds of dumps) rarely stand in the way of
 * the next fast repair.  Never later than a resync armed for drift. */
static void arm_settle(struct watch *w) {
	uint64_t now = now_ns(), at = now + w->o->settle_us * 1000, cap;

	if (w->resync_urgent)
		return;
	if (!w->settle_first)
		w->settle_first = now;
	cap = w->settle_first + 50 * w->o->settle_us * 1000;
	if (at > cap)
		at = cap;
	w->resync_at = at;
	timer_at(w->tfd_resync, at);
}

/* Something relevant happened in namespace n (NULL: everywhere).  cause:
 * what drifted, or NULL for a change that only needs confirming. */
static void mark_dirty(struct watch *w, struct wns *n, const char *cause, uint64_t t_ns, uint64_t delay_us) {
	if (n)
		n->dirty = true;
	else
		w->full = true;
	if (!w->dirty_ns)
		w->dirty_ns = t_ns;
	if (w->echo)
		cause = NULL;
	if (cause && !w->cause[0]) {
		snprintf(w->cause, sizeof(w->cause), "%s", cause);
		w->cause_ns = t_ns;
	}
	arm_resync(w, delay_us);
}

/* A change that needs no repair as far as the event says (an echo of a
 * repair, a link coming up, a failover): confirmed by a resync later. */
static void mark_confirm(struct watch *w, struct wns *n, uint64_t t_ns) {
	n->dirty = true;
	if (!w->dirty_ns)
		w->dirty_ns = t_ns;
	arm_settle(w);
}

static void say_error(struct watch *w, const char *msg) {
	if (strcmp(w->last_err, msg) == 0) {
		log_debug("%s: %s", w->s.name, msg);
		return;
	}
	snprintf(w->last_err, sizeof(w->last_err), "%s", msg);
	log_error("%s: %s", w->s.name, msg);
}

static void notify_status(struct watch *w, const char *fmt, ...) _printf_(2, 3);
static void notify_status(struct watch *w, const char *fmt, ...) {
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sdn_notifyf("STATUS=%s", buf);
}

static void status_watching(struct watch *w) {
	size_t n = 0;

	for (size_t i = 0; i < w->n_ns; i++)
		n += w->ns[i]->used && w->ns[i]->ev;
	w->status_repairs = records_repairs(w->rec);
	w->status_failovers = records_failovers(w->rec);
	w->status_sent = true;
	notify_status(w, "%s: watching %zu namespace%s; %llu repairs, %llu failovers", w->s.name, n, n == 1 ? "" : "s",
	              (unsigned long long)w->status_repairs, (unsigned long long)w->status_failovers);
}

/* ---- what the profile wants and hanet owns -------------------------------------------------- */

static int want_add(struct watch *w, const char *netns, const char *name, enum link_kind kind) {
	struct want *v;

	for (size_t i = 0; i < w->n_want; i++)
		if (netns_eq(w->want[i].netns, netns) && strcmp(w->want[i].name, name) == 0)
			return 0;
	v = realloc(w->want, (w->n_want + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->want = v;
	v[w->n_want].netns = netns ? strpool_intern(w->pool, netns) : NULL;
	if (netns && !v[w->n_want].netns)
		return -ENOMEM;
	snprintf(v[w->n_want].name, IFNAMSIZ, "%s", name);
	v[w->n_want].kind = kind;
	w->n_want++;
	return 0;
}

/* From the profile alone (before a plan says more). */
static int want_from_profile(struct watch *w) {
	const struct profile *p = w->s.profile;
	int r = 0;

	w->n_want = 0;
	for (size_t i = 0; p && r >= 0 && i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		r = want_add(w, l->netns, l->name, l->kind);
		if (r >= 0 && l->kind == LINK_VETH)
			r = want_add(w, l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns, l->u.veth.peer, LINK_VETH);
	}
	return r;
}

/* From a plan: the profile's links, implicit veth peers, ports (added to
 * what the profile says: a plan of a partial view lacks the missing
 * devices, which are the ones to look out for). */
static int want_from_plan(struct watch *w, const struct plan *p) {
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->n_want_links; i++)
		r = want_add(w, p->want_links[i].netns, p->want_links[i].name, p->want_links[i].kind);
	return r;
}

static const struct want *want_find(const struct watch *w, const char *netns, const char *name) {
	for (size_t i = 0; i < w->n_want; i++)
		if (netns_eq(w->want[i].netns, netns) && strcmp(w->want[i].name, name) == 0)
			return &w->want[i];
	return NULL;
}

/* A link event worth looking at: the name is one the profile wants or
 * hanet owns (in any namespace: a device that appears where it must be
 * moved from counts). */
static bool link_relevant(const struct watch *w, const char *name) {
	const struct owner *o = w->s.owner;

	if (!name[0])
		return false;
	for (size_t i = 0; i < w->n_want; i++)
		if (strcmp(w->want[i].name, name) == 0)
			return true;
	for (size_t i = 0; o && i < o->n_links; i++)
		if (strcmp(o->links[i].name, name) == 0)
			return true;
	for (size_t i = 0; o && i < o->n_nics; i++)
		if (strcmp(o->nics[i].name, name) == 0)
			return true;
	return false;
}

/* Is (netns, dev, ip) an address the profile declares?  *ret_vip: the
 * [vip] when it is one (owner = local, or external and held by this node:
 * `hanet vip takeover` added it and no release came yet; other external
 * VIPs are keepalived's or Pacemaker's to add and remove). */
static bool addr_desired(const struct watch *w, const char *netns, const char *dev, const struct ipaddr *ip,
                         const struct vip **ret_vip) {
	const struct profile *p = w->s.profile;

	*ret_vip = NULL;
	for (size_t i = 0; p && i < p->n_vips; i++) {
		const struct vip *v = &p->vips[i];

		if (netns_eq(v->netns, netns) && strcmp(v->dev, dev) == 0 && ipaddr_eq(&v->address, ip) &&
		    (v->owner == VIP_OWNER_LOCAL || vip_is_held(w->s.name, v))) {
			*ret_vip = v;
			return true;
		}
	}
	for (size_t i = 0; p && i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (!netns_eq(l->netns, netns) || strcmp(l->name, dev) != 0)
			continue;
		for (size_t j = 0; j < l->n_addrs; j++)
			if (ipaddr_eq(&l->addrs[j], ip))
				return true;
	}
	return false;
}

static bool rules_in(const struct watch *w, const char *netns) {
	const struct profile *p = w->s.profile;
	const struct owner *o = w->s.owner;

	for (size_t i = 0; p && i < p->n_rules; i++)
		if (netns_eq(p->rules[i].netns, netns))
			return true;
	for (size_t i = 0; o && i < o->n_rules; i++)
		if (netns_eq(o->rules[i].netns, netns))
			return true;
	return false;
}

static ssize_t route_desired(const struct watch *w, const char *netns, const struct nlev *ev) {
	struct route r = { 0 };
	struct route_key k;

	if (!w->s.routes)
		return -1;
	r.dst = ev->addr;
	r.table = ev->table;
	r.metric = ev->priority;
	r.set = ROUTE_SET_TABLE | ROUTE_SET_METRIC;
	route_key_of(&r, &k);
	return route_index_find(w->s.routes, netns, &k);
}

/* ---- announcements (announce.h: their own threads) ---------------------------------------------- */

static void announce_vips(struct watch *w, struct apply *ap) {
	const struct vip *const *vips;
	size_t n = apply_vips(ap, &vips);

	announcers_start(&w->ann, vips, n);
}

/* ---- namespaces: subscriptions ------------------------------------------------------------------- */

static struct wns *wns_find(struct watch *w, const char *netns) {
	for (size_t i = 0; i < w->n_ns; i++)
		if (netns_eq(w->ns[i]->name, netns))
			return w->ns[i];
	return NULL;
}

static struct wns *wns_get(struct watch *w, const char *netns) {
	struct wns *n = wns_find(w, netns), **v;

	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	v = realloc(w->ns, (w->n_ns + 1) * sizeof(*v));
	if (!n || !v) {
		free(n);
		if (v)
			w->ns = v;
		return NULL;
	}
	w->ns = v;
	if (netns && !(n->name = strdup(netns))) {
		free(n);
		return NULL;
	}
	n->w = w;
	n->src.type = SRC_NLEV;
	n->src.ptr = n;
	w->ns[w->n_ns++] = n;
	return n;
}

/* Closed at once, freed by teams_reap() once no event of the current
 * epoll batch can point at it. */
static void team_close(struct watch *w, size_t i) {
	struct wteam *t = w->teams[i];

	epoll_ctl(w->epfd, EPOLL_CTL_DEL, team_ab_fd(t->t), NULL);
	team_ab_free(t->t);
	t->t = NULL;
	t->closed = true;
	t->next_closed = w->teams_closed;
	w->teams_closed = t;
	w->teams[i] = w->teams[--w->n_teams];
}

static void teams_reap(struct watch *w) {
	while (w->teams_closed) {
		struct wteam *t = w->teams_closed;

		w->teams_closed = t->next_closed;
		free(t);
	}
}

static void unsubscribe(struct watch *w, struct wns *n) {
	if (n->ev) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, nlev_fd(n->ev), NULL);
		nlev_set_free(n->ev);
		n->ev = NULL;
	}
	/* every reference hanet holds on the namespace goes, so that a
	 * deleted one really dies (and its veth peers with it) */
	nls_drop(w->s.nls, n->name);
	for (size_t i = w->n_teams; i-- > 0;)
		if (netns_eq(team_ab_netns(w->teams[i]->t), n->name))
			team_close(w, i);
}

static int ns_identity(const char *name, dev_t *ret_dev, ino_t *ret_ino) {
	char path[PATH_MAX];
	struct stat sb;

	if (!name) {
		*ret_dev = 0;
		*ret_ino = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	if (stat(path, &sb) < 0)
		return -errno;
	*ret_dev = sb.st_dev;
	*ret_ino = sb.st_ino;
	return 0;
}

static int subscribe(struct watch *w, struct wns *n) {
	struct nlev_set *ev = NULL;
	int r;

	r = ns_identity(n->name, &n->dev, &n->ino);
	if (r < 0)
		return r;
	r = nlev_set_new(&ev);
	if (r < 0)
		return r;
	if (w->o->rcvbuf > 0 && (r = nlev_set_rcvbuf(ev, w->o->rcvbuf)) < 0)
		goto fail;
	r = nlev_add_netns(ev, n->name, NLEV_G_LINK | NLEV_G_ADDR | NLEV_G_ROUTE | NLEV_G_RULE);
	if (r < 0)
		goto fail;
	n->ev = ev;
	r = epoll_add(w, nlev_fd(ev), &n->src);
	if (r < 0) {
		n->ev = NULL;
		goto fail;
	}
	log_debug("netns %s: watching its events", ns_label(n->name));
	return 0;
fail:
	nlev_set_free(ev);
	return r;
}

/* Bring the subscriptions in line with /run/netns: a namespace gone (or
 * replaced by another of the same name) loses its socket; one that exists
 * gets one.  Returns true when anything changed (observe everything). */
static bool ns_check(struct watch *w) {
	bool changed = false;

	for (size_t i = 0; i < w->n_ns; i++) {
		struct wns *n = w->ns[i];
		dev_t dev;
		ino_t ino;
		bool exists;

		if (!n->used) {
			if (n->ev) {
				unsubscribe(w, n);
				changed = true;
			}
			continue;
		}
		exists = !n->name || (netns_exists(n->name) && ns_identity(n->name, &dev, &ino) >= 0);
		if (n->ev && (!exists || (n->name && (dev != n->dev || ino != n->ino)))) {
			log_info("netns %s: %s", n->name, exists ? "replaced" : "gone");
			unsubscribe(w, n);
			changed = true;
		}
		if (exists && !n->ev) {
			int r = subscribe(w, n);

			if (r < 0)
				log_debug_errno(r, "netns %s: cannot watch it yet: %m", ns_label(n->name));
			else
				changed = true;
		}
	}
	return changed;
}

/* The namespaces of the current profile's observe requests. */
static void ns_mark_used(struct watch *w) {
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->used = false;
	for (size_t i = 0; i < w->s.n_reqs; i++) {
		struct wns *n = wns_get(w, w->s.reqs[i].netns);

		if (n)
			n->used = true;
	}
}

/* ---- teams ----------------------------------------------------------------------------------------- */

static void team_selected(struct watch *w, struct wteam *t, const struct team_ab_change *c, uint64_t t_ns) {
	if (!c->changed)
		return;
	records_team_active(w->rec, t_ns, team_ab_netns(t->t), team_ab_name(t->t), c->from, c->to,
	                    c->by_us ? "hanet" : "kernel", c->by_us ? c->why : NULL);
	if (c->by_us)
		log_notice("team %s%s: active port %s -> %s (%s)", team_ab_name(t->t),
		           team_ab_netns(t->t) ? " (netns)" : "", c->from[0] ? c->from : "none", c->to, c->why);
	else
		log_info("team %s: active port %s -> %s", team_ab_name(t->t), c->from[0] ? c->from : "none",
		         c->to[0] ? c->to : "none");
}

static void team_select(struct watch *w, struct wteam *t, uint64_t t_ns) {
	struct team_ab_change c;
	int r = team_ab_select(t->t, &c);

	if (r < 0) {
		log_warning_errno(r, "team %s: choosing the active port: %m", team_ab_name(t->t));
		return;
	}
	team_selected(w, t, &c, t_ns);
}

/* Open a handle for every activebackup team of the profile that exists,
 * close the others, and choose the active ports. */
static void teams_sync(struct watch *w) {
	const struct profile *p = w->s.profile;

	for (size_t i = 0; i < w->n_teams; i++)
		w->teams[i]->used = false;
	for (size_t i = 0; p && i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const struct link *have;
		struct wteam *t = NULL, **v;
		struct wns *n;
		int r;

		if (l->kind != LINK_TEAM || !(l->u.team.set & TEAM_SET_MODE) || l->u.team.mode != TEAM_MODE_ACTIVEBACKUP)
			continue;
		have = w->s.st ? state_link(w->s.st, l->netns, l->name) : NULL;
		n = wns_find(w, l->netns);
		if (!have || !n || !n->ev)
			continue;
		for (size_t j = 0; j < w->n_teams; j++)
			if (netns_eq(team_ab_netns(w->teams[j]->t), l->netns) && strcmp(team_ab_name(w->teams[j]->t), l->name) == 0)
				t = w->teams[j];
		if (t && team_ab_ifindex(t->t) != have->ifindex) {
			for (size_t j = 0; j < w->n_teams; j++)
				if (w->teams[j] == t)
					team_close(w, j);
			t = NULL;
		}
		if (!t) {
			t = calloc(1, sizeof(*t));
			v = realloc(w->teams, (w->n_teams + 1) * sizeof(*v));
			if (v)
				w->teams = v;
			if (!t || !v) {
				free(t);
				continue;
			}
			r = team_ab_open(l->netns, l->name, &t->t);
			if (r < 0) {
				log_warning_errno(r, "team %s: cannot follow its ports: %m%s", l->name,
				                  r == -ENOSYS ? " (libteam could not be loaded)" : "");
				free(t);
				continue;
			}
			t->w = w;
			t->src.type = SRC_TEAM;
			t->src.ptr = t;
			r = epoll_add(w, team_ab_fd(t->t), &t->src);
			if (r < 0) {
				log_warning_errno(r, "team %s: cannot follow its events: %m", l->name);
				team_ab_free(t->t);
				free(t);
				continue;
			}
			w->teams[w->n_teams++] = t;
			log_debug("team %s: following its ports (activebackup)", l->name);
		}
		t->used = true;
		team_select(w, t, now_ns());
	}
	for (size_t i = w->n_teams; i-- > 0;)
		if (!w->teams[i]->used)
			team_close(w, i);
}

static struct wteam *team_of_port(struct watch *w, const char *netns, const struct nlev *ev) {
	for (size_t i = 0; i < w->n_teams; i++) {
		struct team_ab *t = w->teams[i]->t;

		if (!netns_eq(team_ab_netns(t), netns))
			continue;
		if ((ev->master_ifindex && ev->master_ifindex == team_ab_ifindex(t)) || team_ab_has_port(t, ev->ifindex))
			return w->teams[i];
	}
	return NULL;
}

static void on_team(struct watch *w, struct wteam *t) {
	uint64_t t_ns = now_ns();
	int r = team_ab_handle_events(t->t);

	if (r < 0) {
		log_warning_errno(r, "team %s: reading its events: %m", team_ab_name(t->t));
		/* the team may be gone: the next resync sees */
		mark_dirty(w, wns_find(w, team_ab_netns(t->t)), NULL, t_ns, w->o->debounce_us);
		return;
	}
	team_select(w, t, t_ns);
}

/* ---- bonds: the active slave as last seen ---------------------------------------------------------- */

static struct bond_seen *bond_seen(struct watch *w, const char *netns, const char *name, bool add) {
	struct bond_seen *v;

	for (size_t i = 0; i < w->n_bonds; i++)
		if (netns_eq(w->bonds[i].netns, netns) && strcmp(w->bonds[i].name, name) == 0)
			return &w->bonds[i];
	if (!add)
		return NULL;
	v = realloc(w->bonds, (w->n_bonds + 1) * sizeof(*v));
	if (!v)
		return NULL;
	w->bonds = v;
	memset(&v[w->n_bonds], 0, sizeof(v[0]));
	v[w->n_bonds].netns = netns ? strpool_intern(w->pool, netns) : NULL;
	snprintf(v[w->n_bonds].name, IFNAMSIZ, "%s", name);
	return &w->bonds[w->n_bonds++];
}

/* After observing: a change of active slave that no event reported
 * (lost in an overflow, or while the namespace was not watched). */
static void bonds_from_state(struct watch *w) {
	const struct state *st = w->s.st;

	for (size_t i = 0; st && i < w->n_want; i++) {
		const struct link *l;
		struct bond_seen *b;

		if (w->want[i].kind != LINK_BOND)
			continue;
		l = state_link(st, w->want[i].netns, w->want[i].name);
		if (!l || l->kind != LINK_BOND)
			continue;
		b = bond_seen(w, w->want[i].netns, w->want[i].name, false);
		if (!b) {
			b = bond_seen(w, w->want[i].netns, w->want[i].name, true);
			if (b)
				snprintf(b->active, sizeof(b->active), "%s", l->u.bond.active_slave);
			continue;
		}
		if (strcmp(b->active, l->u.bond.active_slave) != 0) {
			records_bond_active(w->rec, now_ns(), b->netns, b->name, b->active, l->u.bond.active_slave);
			log_info("bond %s: active slave %s -> %s", b->name, b->active[0] ? b->active : "none",
			         l->u.bond.active_slave[0] ? l->u.bond.active_slave : "none");
			snprintf(b->active, sizeof(b->active), "%s", l->u.bond.active_slave);
		}
	}
}

/* ---- applying ------------------------------------------------------------------------------------- */

static struct plan_input plan_in(struct watch *w, unsigned flags) {
	/* external VIPs this node holds are planned as local ones */
	vip_held_mark(w->s.profile, w->s.name);
	if (w->view)
		vip_held_mark(&w->view->profile, w->s.name);
	if (w->view && !(flags & PLAN_DOWN))
		return (struct plan_input){
			.profile = &w->view->profile,
			.routes = &w->view->routes,
			.n_bulk = w->view->n_bulk,
			.bulk_file = w->view->bulk_file,
			.owner = w->s.owner,
			.st = w->s.st,
			.flags = flags,
		};
	return (struct plan_input){
		.profile = w->s.profile,
		.routes = w->s.routes,
		.n_bulk = w->s.n_bulk,
		.bulk_file = w->s.bulk_file,
		.owner = w->s.owner,
		.st = w->s.st,
		.flags = flags,
	};
}

static const char *repair_kind(const struct action *a) {
	switch (a->type) {
	case ACT_ADDR_ADD:
	case ACT_ADDR_REPLACE: return a->vip ? "vip" : "address";
	case ACT_ROUTE_ADD:
	case ACT_ROUTE_REPLACE: return "route";
	case ACT_RULE_ADD: return "rule";
	case ACT_LINK_UP: return "link-up";
	case ACT_LINK_DOWN: return "link-down";
	case ACT_LINK_MASTER: return "slave";
	case ACT_LINK_CREATE: return "link";
	case ACT_NETNS_ADD: return "netns";
	case ACT_LINK_SET: return a->nic_keys ? "nic" : "link-attrs";
	case ACT_LINK_KIND: return "kind";
	case ACT_FORWARDING: return "forwarding";
	case ACT_LINK_MOVE: return "move";
	default: return "remove";
	}
}

static const char *phase_name(enum phase ph) {
	return ph == PHASE_START ? "apply" : ph == PHASE_RELOAD ? "reload" : "drift";
}

/* Log and record what a plan did. */
static void report_applied(struct watch *w, const struct plan *p, uint64_t done_ns) {
	uint64_t first = w->cause_ns ? w->cause_ns : w->dirty_ns ? w->dirty_ns : done_ns;
	const char *cause = w->cause[0] ? w->cause : w->weak_cause[0] ? w->weak_cause : "changes seen";
	double ms = done_ns > first ? (double)(done_ns - first) / 1e6 : 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];

		if (w->phase != PHASE_DRIFT) {
			log_info("%s: %s", phase_name(w->phase), a->text);
			continue;
		}
		log_notice("drift: %s; %s (repaired in %.1f ms)", cause, a->text, ms);
		records_repair(w->rec, repair_kind(a), a->netns, a->object ? a->object : a->name[0] ? a->name : NULL,
		               a->text, cause, first, done_ns);
	}
}

/* The lock every hanet run that changes the kernel takes (lock.h), on a
 * file kept open: taking it is one flock(2) and one pwrite(2). */
static int lock_now(struct watch *w) {
	char buf[32];
	int r;

	if (w->lock_fd < 0) {
		r = private_dir(HANET_RUN_DIR, HANET_RUN_DIR, NULL);
		if (r < 0)
			return r;
		r = lock_open(HANET_LOCK_PATH, &w->lock_fd);
		if (r < 0)
			return r;
	}
	r = lock_try(HANET_LOCK_PATH, &w->lock_fd);
	if (r < 0)
		return r;
	/* the pid is for the message of a run that finds the lock taken */
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (pwrite(w->lock_fd, buf, strlen(buf), 0) < 0) {
		/* only that message suffers */
	}
	return 0;
}

static void unlock_now(struct watch *w) {
	flock(w->lock_fd, LOCK_UN);
}

/* A plan that puts back external VIPs held by this node runs under their
 * VIP locks (vip.h), each still held: a release that removed the record
 * meanwhile is not undone.  -EBUSY (try again) when a lock is taken or a
 * VIP was released since the plan. */
static int lock_held_vips(struct watch *w, const struct plan *p, int *fds, size_t max, size_t *ret_n,
                          char *err, size_t errsize) {
	size_t n = 0;
	int r;

	*ret_n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];

		if ((a->type != ACT_ADDR_ADD && a->type != ACT_ADDR_REPLACE) || !a->vip ||
		    a->vip->owner != VIP_OWNER_EXTERNAL)
			continue;
		r = n < max ? vip_lock(w->s.name, a->vip->name, 0, &fds[n]) : -E2BIG;
		if (r >= 0) {
			n++;
			if (vip_is_held(w->s.name, a->vip))
				continue;
			snprintf(err, errsize, "vip %s: released since the plan", a->vip->name);
			r = -EBUSY;
		} else if (r == -EBUSY) {
			snprintf(err, errsize, "vip %s: a takeover or release is under way", a->vip->name);
		} else {
			snprintf(err, errsize, "vip %s: taking its lock: %s", a->vip->name, strerror(-r));
		}
		while (n)
			vip_unlock(fds[--n]);
		return r;
	}
	*ret_n = n;
	return 0;
}

/* Run a plan as one transaction.  -EBUSY: another hanet run holds the lock. */
static int run_plan(struct watch *w, const struct plan *p, struct apply **ret_ap, char *err, size_t errsize) {
	struct session_result res;
	int vip_fds[64];
	size_t n_vip_fds;
	int r;

	r = lock_held_vips(w, p, vip_fds, ARRAY_SIZE(vip_fds), &n_vip_fds, err, errsize);
	if (r < 0)
		return r;
	r = lock_now(w);
	if (r < 0) {
		snprintf(err, errsize, "taking %s: %s", HANET_LOCK_PATH, strerror(-r));
		while (n_vip_fds)
			vip_unlock(vip_fds[--n_vip_fds]);
		return r;
	}
	r = session_apply(&w->s,
	                  &(struct session_apply_opts){
	                          .plan = p,
	                          .apply = { .verbose = log_get_level() >= LOG_LEVEL_DEBUG },
	                  },
	                  &res);
	unlock_now(w);
	while (n_vip_fds)
		vip_unlock(vip_fds[--n_vip_fds]);
	if (r < 0) {
		snprintf(err, errsize, "%s", res.status == SESSION_APPLY_FAILED ? w->s.err : strerror(-r));
		session_result_fini(&res);
		return r;
	}
	*ret_ap = res.ap;
	return 0;
}

/* ---- the fast path ----------------------------------------------------------------------------------- */

/* The desired routes of the [route] sections alone (the first entries of
 * the session's index), with `present` as last observed. */
static int sections_index(struct watch *w) {
	const struct route_index *ix = w->s.routes;
	size_t n = ix->n - w->s.n_bulk;

	if (!w->sections) {
		char err[256];
		int r;

		w->sections = calloc(1, sizeof(*w->sections));
		if (!w->sections)
			return -ENOMEM;
		r = route_index_build(w->sections, ix->v, n, err, sizeof(err));
		if (r < 0) {
			route_index_fini(w->sections);
			free(w->sections);
			w->sections = NULL;
			return r;
		}
	}
	memcpy(w->sections->present, ix->present, n);
	return 0;
}

static void sections_free(struct watch *w) {
	if (!w->sections)
		return;
	route_index_fini(w->sections);
	free(w->sections);
	w->sections = NULL;
}

/* The repair a fast path looks for in the plan. */
struct fast_target {
	enum action_type type;
	const char *netns;
	const char *dev;                /* ADDR_ADD, LINK_UP */
	const struct ipaddr *ip;        /* ADDR_ADD */
	const struct route *route;      /* ROUTE_ADD */
};

static bool fast_match(const struct action *a, const struct fast_target *t) {
	if (a->type != t->type || !netns_eq(a->netns, t->netns))
		return false;
	switch (t->type) {
	case ACT_ADDR_ADD: return strcmp(a->addr.dev, t->dev) == 0 && ipaddr_eq(&a->addr.ip, t->ip);
	case ACT_LINK_UP: return strcmp(a->name, t->dev) == 0;
	case ACT_ROUTE_ADD:
		for (size_t i = 0; i < a->n_routes; i++)
			if (a->routes[i] == t->route)
				return true;
		return false;
	default: return false;
	}
}

/* The last observed state, with the drift the event reports patched in,
 * is planned, and the one action that repairs it is applied at once, on
 * its own (a transaction of one step: journal, records, rollback).  What
 * else the plan holds (the state may be a little old) is left to the
 * resync that follows. */
static bool fast_apply(struct watch *w, const struct fast_target *t, const char *what, const char *done_verb,
                       uint64_t t_ns) {
	struct plan_input in = plan_in(w, 0);
	struct plan *p = NULL, one;
	struct apply *ap = NULL;
	char err[1024];
	uint64_t done;
	size_t k;
	int r;

	if (t->type != ACT_ROUTE_ADD && !w->view && w->s.n_bulk && sections_index(w) >= 0) {
		/* an address or a link: the [routes] tables (100k routes) need
		 * not be planned, only the [route] sections */
		in.routes = w->sections;
		in.n_bulk = 0;
		in.bulk_file = NULL;
	}
	r = plan_build(&in, &p, err, sizeof(err));
	if (r < 0) {
		log_debug("fast path: %s: %s", what, err);
		return false;
	}
	for (k = 0; k < p->n && !fast_match(&p->v[k], t); k++)
		;
	if (k == p->n) {
		log_debug("fast path: %s: no %s in the plan (%zu actions)", what, action_type_name(t->type), p->n);
		plan_free(p);
		return false;
	}
	one = *p;
	one.v = &p->v[k];
	one.n = 1;
	r = run_plan(w, &one, &ap, err, sizeof(err));
	if (r < 0) {
		log_debug("fast path: %s: %s", what, err);
		plan_free(p);
		return false;
	}
	done = now_ns();
	log_notice("drift: %s; %s in %.1f ms", what, done_verb, (double)(done - t_ns) / 1e6);
	records_repair(w->rec, repair_kind(one.v), one.v->netns,
	               one.v->object ? one.v->object : one.v->name[0] ? one.v->name : NULL, one.v->text, what, t_ns, done);
	announce_vips(w, ap);
	apply_free(ap);
	plan_free(p);
	return true;
}

static bool fast_ok(const struct watch *w) {
	return !w->o->no_fast_path && w->s.st && w->phase == PHASE_DRIFT && !w->echo;
}

static bool fast_addr(struct watch *w, struct wns *n, const struct nlev *ev, const char *what) {
	struct ns_state *ns = fast_ok(w) ? state_ns(w->s.st, n->name) : NULL;
	struct fast_target t = { .type = ACT_ADDR_ADD, .netns = n->name, .dev = ev->ifname, .ip = &ev->addr };
	struct addr saved;
	size_t j;
	bool ok;

	if (!ns || !ns->exists)
		return false;
	for (j = 0; j < ns->n_addrs; j++)
		if (strcmp(ns->addrs[j].dev, ev->ifname) == 0 && ipaddr_eq(&ns->addrs[j].ip, &ev->addr))
			break;
	if (j == ns->n_addrs)
		/* not in the state as last observed (it went before): as is */
		return fast_apply(w, &t, what, "re-added", ev->arrived_ns);
	saved = ns->addrs[j];
	memmove(&ns->addrs[j], &ns->addrs[j + 1], (ns->n_addrs - j - 1) * sizeof(*ns->addrs));
	ns->n_addrs--;
	ok = fast_apply(w, &t, what, "re-added", ev->arrived_ns);
	memmove(&ns->addrs[j + 1], &ns->addrs[j], (ns->n_addrs - j) * sizeof(*ns->addrs));
	ns->addrs[j] = saved;
	ns->n_addrs++;
	return ok;
}

static bool fast_route(struct watch *w, struct wns *n, ssize_t idx, const char *what, uint64_t t_ns) {
	struct route_index *ix = w->s.routes;
	struct fast_target t = { .type = ACT_ROUTE_ADD, .netns = n->name };
	uint8_t saved;
	bool ok;

	if (!fast_ok(w) || idx < 0 || w->view)
		return false;
	t.route = ix->v[idx];
	saved = ix->present[idx];
	ix->present[idx] = 0;
	ok = fast_apply(w, &t, what, "re-added", t_ns);
	ix->present[idx] = ok ? 1 : saved;
	return ok;
}

static bool fast_link_down(struct watch *w, struct wns *n, const struct nlev *ev, const char *what) {
	struct link *l = fast_ok(w) ? state_link(w->s.st, n->name, ev->ifname) : NULL;
	struct fast_target t = { .type = ACT_LINK_UP, .netns = n->name, .dev = ev->ifname };
	bool ok, was_up;
	unsigned flags;

	if (!l)
		return false;
	was_up = l->up;
	flags = l->flags;
	l->up = false;
	l->flags &= ~(unsigned)IFF_UP;
	ok = fast_apply(w, &t, what, "set up", ev->arrived_ns);
	l->up = ok || was_up;
	l->flags = ok ? flags | IFF_UP : flags;
	return ok;
}

/* ---- events --------------------------------------------------------------------------------------- */

static void on_link(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], nsb[270];
	const struct want *wl;
	struct wteam *t;

	if (ev->type == NLEV_LINK_CHANGE && (ev->flags & NLEV_F_CARRIER_CHANGED) && (t = team_of_port(w, n->name, ev))) {
		/* the team driver says it too (libteam), maybe later */
		if (team_ab_refresh(t->t) >= 0)
			team_select(w, t, ev->t_ns);
	}
	if (!link_relevant(w, ev->ifname))
		return;
	wl = want_find(w, n->name, ev->ifname);

	if (ev->type == NLEV_LINK_CHANGE) {
		if (ev->flags & NLEV_F_CARRIER_CHANGED)
			records_carrier(w->rec, ev->t_ns, n->name, ev->ifname, ev->flags & NLEV_F_CARRIER);
		if ((ev->flags & NLEV_F_ACTIVE_SLAVE_CHANGED) && wl && wl->kind == LINK_BOND) {
			struct bond_seen *b = bond_seen(w, n->name, ev->ifname, true);

			records_bond_active(w->rec, ev->t_ns, n->name, ev->ifname, b ? b->active : "", ev->active_slave);
			log_info("bond %s%s: active slave %s -> %s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)),
			         b && b->active[0] ? b->active : "none", ev->active_slave[0] ? ev->active_slave : "none");
			if (b)
				snprintf(b->active, sizeof(b->active), "%s", ev->active_slave);
		}
		if (ev->flags & NLEV_F_SLAVE_STATE_CHANGED) {
			const struct link *m = w->s.st ? state_link_by_index(w->s.st, n->name, ev->master_ifindex) : NULL;

			records_bond_slave_state(w->rec, ev->t_ns, n->name, m ? m->name : "", ev->ifname, ev->slave_active);
		}
	}

	switch (ev->type) {
	case NLEV_LINK_DEL:
		snprintf(what, sizeof(what), "link %s deleted%s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
		/* a deleted link is set down first: say what really happened */
		if (w->cause[0] && strcmp(w->cause_link, ev->ifname) == 0)
			snprintf(w->cause, sizeof(w->cause), "%s", what);
		mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		break;
	case NLEV_LINK_NEW:
		snprintf(what, sizeof(what), "link %s appeared%s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
		mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		break;
	default:
		if ((ev->flags & NLEV_F_ADMIN_CHANGED) && !(ev->flags & NLEV_F_ADMIN_UP)) {
			snprintf(what, sizeof(what), "link %s set down%s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
			if (!w->cause[0])
				snprintf(w->cause_link, sizeof(w->cause_link), "%s", ev->ifname);
			/* routes through the link went with it (IPv4 says nothing):
			 * the resync that follows puts them back */
			if (wl)
				fast_link_down(w, n, ev, what);
			mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		} else if (ev->flags & NLEV_F_MASTER_CHANGED) {
			snprintf(what, sizeof(what), "link %s: master changed%s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
			mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		} else if (ev->flags & (NLEV_F_ADMIN_CHANGED | NLEV_F_CARRIER_CHANGED | NLEV_F_ACTIVE_SLAVE_CHANGED |
		                        NLEV_F_SLAVE_STATE_CHANGED)) {
			/* up, carrier, failover: nothing to repair, but confirm */
			mark_confirm(w, n, ev->arrived_ns);
		} else {
			/* mtu, mac, name, alias, kind options...: the message does
			 * not say which, and the kernel sends such messages for its
			 * own reasons too (IPv6 configuration, operstate): a resync
			 * soon, the cause only if nothing better is seen */
			snprintf(what, sizeof(what), "link %s changed%s", ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
			if (!w->echo && !w->weak_cause[0])
				snprintf(w->weak_cause, sizeof(w->weak_cause), "%s", what);
			mark_dirty(w, n, NULL, ev->arrived_ns, w->o->debounce_us);
		}
		break;
	}
}

static void on_addr(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], ip[IPADDR_STRLEN], nsb[270];
	const struct vip *v;
	bool desired = ev->ifname[0] && addr_desired(w, n->name, ev->ifname, &ev->addr, &v);

	if (!desired && !(ev->ifname[0] && owner_has_addr(w->s.owner, n->name, ev->ifname, &ev->addr)))
		return;
	if (ev->type == NLEV_ADDR_NEW) {
		mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	format_ipaddr(&ev->addr, true, ip, sizeof(ip));
	if (v)
		snprintf(what, sizeof(what), "vip %s %s removed from %s%s", v->name, ip, ev->ifname,
		         in_ns(n->name, nsb, sizeof(nsb)));
	else
		snprintf(what, sizeof(what), "address %s removed from %s%s", ip, ev->ifname, in_ns(n->name, nsb, sizeof(nsb)));
	if (desired && fast_addr(w, n, ev, what)) {
		mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
}

static void on_route(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], ip[IPADDR_STRLEN], nsb[270];
	ssize_t idx = route_desired(w, n->name, ev);

	if (idx < 0 && ev->protocol != RTPROT_HANET)
		return;
	if (ev->type == NLEV_ROUTE_NEW || idx < 0) {
		mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	format_ipaddr(&ev->addr, true, ip, sizeof(ip));
	{
		const struct route *r = w->s.routes->v[idx];

		snprintf(what, sizeof(what), "route %s%s%s removed%s", r->name ? r->name : "", r->name ? " " : "",
		         ev->addr.plen ? ip : "default", in_ns(n->name, nsb, sizeof(nsb)));
	}
	if (fast_route(w, n, idx, what, ev->arrived_ns)) {
		mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
}

static void on_rule(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], nsb[270];

	if (ev->protocol != RTPROT_HANET && !rules_in(w, n->name))
		return;
	if (ev->type == NLEV_RULE_NEW) {
		mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	snprintf(what, sizeof(what), "rule priority %u table %u removed%s", ev->priority, ev->table,
	         in_ns(n->name, nsb, sizeof(nsb)));
	mark_dirty(w, n, what, ev->t_ns, w->o->debounce_us);
}

static void on_nlev(const struct nlev *ev, void *data) {
	struct wns *n = data;
	struct watch *w = n->w;

	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		char line[512];

		nlev_format(ev, line, sizeof(line));
		log_debug("event%s: %s", w->echo ? " (echo)" : "", line);
	}

	switch (ev->type) {
	case NLEV_OVERFLOW:
		records_overflow(w->rec, ev->t_ns, n->name);
		log_warning("netns %s: events were lost (socket overflow): observing it again", ns_label(n->name));
		mark_dirty(w, n, "events lost (socket overflow)", ev->t_ns, 0);
		break;
	case NLEV_LINK_NEW:
	case NLEV_LINK_DEL:
	case NLEV_LINK_CHANGE:
		on_link(w, n, ev);
		break;
	case NLEV_ADDR_NEW:
	case NLEV_ADDR_DEL:
		on_addr(w, n, ev);
		break;
	case NLEV_ROUTE_NEW:
	case NLEV_ROUTE_DEL:
		on_route(w, n, ev);
		break;
	case NLEV_RULE_NEW:
	case NLEV_RULE_DEL:
		on_rule(w, n, ev);
		break;
	}
}

static void on_nlev_fd(struct watch *w, struct wns *n) {
	int r;

	if (!n->ev)
		return;
	r = nlev_dispatch(n->ev, on_nlev, n);
	if (r < 0) {
		/* treat it like an overflow: we do not know what we missed */
		log_warning_errno(r, "netns %s: reading events: %m; observing it again", ns_label(n->name));
		unsubscribe(w, n);
		mark_dirty(w, NULL, "events lost (socket error)", now_ns(), w->o->debounce_us);
	}
}

static void on_inotify(struct watch *w) {
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	while ((len = read(w->inofd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ie = (const struct inotify_event *)p;
			struct wns *n = ie->len ? wns_find(w, ie->name) : NULL;

			p += sizeof(*ie) + ie->len;
			if (!n || !n->used)
				continue;
			if (ie->mask & (IN_DELETE | IN_MOVED_FROM)) {
				char what[600];

				snprintf(what, sizeof(what), "netns %s deleted", n->name);
				/* let it die now: no socket of ours keeps it */
				unsubscribe(w, n);
				mark_dirty(w, NULL, what, now_ns(), w->o->debounce_us);
			} else {
				mark_dirty(w, NULL, NULL, now_ns(), w->o->debounce_us);
			}
		}
	}
}

/* ---- resync ------------------------------------------------------------------------------------- */

static void route_present_reset_ns(struct route_index *ix, const char *netns) {
	for (size_t i = 0; ix && i < ix->n; i++)
		if (netns_eq(ix->v[i]->netns, netns))
			ix->present[i] = 0;
}

static int ensure_reqs(struct watch *w) {
	int r;

	if (w->s.reqs)
		return 0;
	r = plan_observe_reqs(w->s.profile, w->s.routes, w->s.owner, &w->s.reqs, &w->s.n_reqs);
	if (r < 0)
		return r;
	for (size_t i = 0; w->s.routes && w->s.routes->n && i < w->s.n_reqs; i++) {
		w->s.reqs[i].route_filter = route_index_filter;
		w->s.reqs[i].route_filter_data = w->s.routes;
	}
	ns_mark_used(w);
	return 0;
}

static int observe(struct watch *w, bool full) {
	uint64_t t0 = now_ns();
	int r;

	if (full || !w->s.st) {
		state_free(w->s.st);
		w->s.st = NULL;
		if (w->s.routes)
			route_index_reset(w->s.routes);
		r = state_observe(w->s.nls, w->s.reqs, w->s.n_reqs, &w->s.st);
		log_debug("observed every namespace in %.1f ms", (double)(now_ns() - t0) / 1e6);
		return r;
	}
	for (size_t i = 0; i < w->s.n_reqs; i++) {
		struct wns *n = wns_find(w, w->s.reqs[i].netns);

		if (n && !n->dirty)
			continue;
		route_present_reset_ns(w->s.routes, w->s.reqs[i].netns);
		r = state_observe_ns(w->s.nls, w->s.st, &w->s.reqs[i]);
		if (r < 0)
			return r;
		log_debug("observed netns %s in %.1f ms", ns_label(w->s.reqs[i].netns), (double)(now_ns() - t0) / 1e6);
	}
	return 0;
}

/* The kernel told every event socket about our changes while it made
 * them: read that now, so that they do not pass for drift. */
static void drain_echoes(struct watch *w) {
	uint64_t until = now_ns() + 2000000000ull;

	w->echo = true;
	for (size_t i = 0; i < w->n_ns; i++) {
		/* all of it: a big route table echoes one event per route */
		while (w->ns[i]->ev && now_ns() < until) {
			int r = nlev_dispatch(w->ns[i]->ev, on_nlev, w->ns[i]);

			if (r <= 0) {
				if (r < 0)
					on_nlev_fd(w, w->ns[i]);   /* says it, and resubscribes */
				break;
			}
		}
	}
	w->echo = false;
}

static void retry_later(struct watch *w) {
	w->backoff_us = w->backoff_us ? w->backoff_us * 2 : BACKOFF_MIN_US;
	if (w->backoff_us > BACKOFF_MAX_US)
		w->backoff_us = BACKOFF_MAX_US;
	arm_resync(w, w->backoff_us);
}

static void converged(struct watch *w) {
	bool was_waiting = w->waiting_for[0];

	w->backoff_us = 0;
	w->last_err[0] = '\0';
	w->cause[0] = '\0';
	w->cause_ns = 0;
	w->cause_link[0] = '\0';
	w->weak_cause[0] = '\0';
	w->dirty_ns = 0;
	bonds_from_state(w);
	teams_sync(w);
	if (w->view) {
		/* READY too: the service is up, waiting for a device is its job */
		if (!w->ready) {
			w->ready = true;
			sdn_notify("READY=1");
		}
		log_info("%s: the kernel matches the profile but for %s; watching", w->s.name, w->view->missing);
		notify_status(w, "%s: waiting for %s; the rest is applied", w->s.name, w->view->missing);
		w->phase = PHASE_DRIFT;
		return;
	}
	if (was_waiting) {
		log_info("%s: %s: there now", w->s.name, w->waiting_for);
		w->waiting_for[0] = '\0';
	}
	if (!w->ready) {
		w->ready = true;
		sdn_notify("READY=1");
	}
	if (w->phase != PHASE_DRIFT || was_waiting) {
		log_info("%s: the kernel matches the profile; watching", w->s.name);
		status_watching(w);
	}
	w->phase = PHASE_DRIFT;
}

/* Mark dirty the namespaces a plan acts in; true when it makes or
 * removes namespaces or links (observe everything: a veth's other end, a
 * link moved, a namespace gone). */
static bool mark_plan_dirty(struct watch *w, const struct plan *p) {
	bool full = false;

	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		struct wns *n = wns_find(w, a->netns);

		if (n)
			n->dirty = true;
		else
			full = true;
		switch (a->type) {
		case ACT_NETNS_ADD:
		case ACT_NETNS_DEL:
		case ACT_LINK_CREATE:
		case ACT_LINK_DELETE:
		case ACT_LINK_MOVE:
			full = true;
			break;
		default:
			break;
		}
	}
	return full;
}

/* Observe what is dirty, plan, apply, verify. */
static void resync(struct watch *w) {
	struct plan *p = NULL, *left = NULL;
	struct apply *ap = NULL;
	char err[2048], msg[2300];
	bool full, new_events;
	int r;

	w->resync_at = 0;
	w->resync_urgent = false;
	w->settle_first = 0;
	timer_at(w->tfd_resync, 0);
	records_count_resync(w->rec);
	full = ns_check(w) || w->full;
	w->full = false;
	r = observe(w, full);
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->dirty = false;
	if (r < 0) {
		snprintf(msg, sizeof(msg), "reading the kernel's state: %s", strerror(-r));
		say_error(w, msg);
		w->full = true;
		retry_later(w);
		return;
	}
	profile_view_free(w->view);
	w->view = NULL;
	{
		struct plan_input in = plan_in(w, 0);

		r = plan_build(&in, &p, err, sizeof(err));
	}
	if (r == -ENODEV || r == -ENOENT) {
		/* apply what does not depend on what is missing */
		int q = profile_view_build(w->s.profile, w->s.routes, w->s.n_bulk, w->s.bulk_file, w->s.st, &w->view);

		if (q >= 0) {
			struct plan_input in = plan_in(w, 0);
			char err2[2048];

			if (strcmp(w->waiting_for, w->view->missing) != 0) {
				snprintf(w->waiting_for, sizeof(w->waiting_for), "%s", w->view->missing);
				log_notice("%s: waiting for %s (%s); applying the rest of the profile", w->s.name, w->view->missing,
				           err);
			}
			r = plan_build(&in, &p, err2, sizeof(err2));
			if (r < 0)
				snprintf(err, sizeof(err), "%s", err2);
		} else if (q != -ENODATA) {
			r = q;
			snprintf(err, sizeof(err), "%s", strerror(-q));
		}
	}
	if (r < 0) {
		if (r == -ENODEV || r == -ENOENT) {
			/* a device or namespace that is not there (yet): its
			 * event (link-new, inotify) brings us back */
			snprintf(msg, sizeof(msg), "waiting: %s", err);
			say_error(w, msg);
			notify_status(w, "%s: %s", w->s.name, msg);
			arm_resync(w, WAIT_RETRY_US);
		} else {
			snprintf(msg, sizeof(msg), "cannot plan: %s", err[0] ? err : strerror(-r));
			say_error(w, msg);
			retry_later(w);
		}
		return;
	}
	want_from_plan(w, p);
	if (p->n == 0) {
		plan_free(p);
		converged(w);
		return;
	}
	r = run_plan(w, p, &ap, err, sizeof(err));
	if (r == -EBUSY || r == -EWOULDBLOCK) {
		log_debug("%s: another hanet run holds the lock; trying again", w->s.name);
		plan_free(p);
		arm_resync(w, LOCK_RETRY_US);
		return;
	}
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: %s; every change was rolled back", phase_name(w->phase), err);
		say_error(w, msg);
		w->full |= mark_plan_dirty(w, p);
		plan_free(p);
		retry_later(w);
		return;
	}
	report_applied(w, p, now_ns());
	announce_vips(w, ap);
	apply_free(ap);
	drain_echoes(w);

	/* verify: what the plan touched is observed again (everything when
	 * namespaces or links came or went); namespaces made by the plan are
	 * watched from now on */
	new_events = false;
	for (size_t i = 0; i < w->n_ns; i++)
		new_events |= w->ns[i]->dirty;
	full = mark_plan_dirty(w, p) || w->full;
	full |= ns_check(w);
	w->full = false;
	r = observe(w, full);
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->dirty = false;
	if (r >= 0) {
		struct plan_input in = plan_in(w, 0);

		r = plan_build(&in, &left, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "reading the kernel's state: %s", strerror(-r));
	}
	if (r >= 0 && left->n && new_events) {
		/* drift again while this one was repaired: repair that too */
		w->full |= mark_plan_dirty(w, left);
		arm_resync(w, w->o->debounce_us);
	} else if (r < 0 || left->n) {
		if (r < 0)
			snprintf(msg, sizeof(msg), "verify: %s", err);
		else
			snprintf(msg, sizeof(msg), "verify: %zu difference%s left after applying, first: %s", left->n,
			         left->n == 1 ? "" : "s", left->v[0].text);
		say_error(w, msg);
		if (r < 0)
			w->full = true;
		else
			w->full |= mark_plan_dirty(w, left);
		retry_later(w);
	} else {
		converged(w);
	}
	plan_free(left);
	plan_free(p);
}

/* ---- reload and exit ------------------------------------------------------------------------------- */

static void reload(struct watch *w) {
	struct session ns;
	int r;

	w->reload = false;
	log_info("%s: SIGHUP: reloading %s", w->s.name, w->path);
	notify_status(w, "%s: reloading %s", w->s.name, w->path);
	r = session_load(&ns, w->path, 0);
	if (r < 0) {
		char why[2100];

		/* session_load printed the file:line diagnostics */
		if (r == -EINVAL)
			snprintf(why, sizeof(why), "the profile is invalid (see the messages above)");
		else
			snprintf(why, sizeof(why), "%s", ns.err[0] ? ns.err : strerror(-r));
		log_error("%s: reload: %s; still running the profile loaded before", w->s.name, why);
		records_reload(w->rec, now_ns(), w->path, false, why);
		session_fini(&ns);
		if (w->ready)
			status_watching(w);
		return;
	}
	if (strcmp(ns.name, w->s.name) != 0)
		log_warning("%s: reload: the profile is now named %s; what %s owns stays (hanet down %s removes it)",
		            w->s.name, ns.name, w->s.name, w->s.name);
	records_reload(w->rec, now_ns(), w->path, true, NULL);
	records_set_profile(w->rec, ns.name);
	/* sockets of the old session go; the new one opens its own */
	for (size_t i = 0; i < w->n_ns; i++)
		if (w->ns[i]->ev)
			unsubscribe(w, w->ns[i]);
	profile_view_free(w->view);
	w->view = NULL;
	w->waiting_for[0] = '\0';
	sections_free(w);
	session_fini(&w->s);
	w->s = ns;
	w->s.arg = w->path;
	w->cause[0] = '\0';
	w->cause_ns = 0;
	w->cause_link[0] = '\0';
	w->weak_cause[0] = '\0';
	w->dirty_ns = 0;
	w->last_err[0] = '\0';
	w->backoff_us = 0;
	want_from_profile(w);
	r = ensure_reqs(w);
	if (r < 0) {
		log_error_errno(r, "%s: reload: %m", w->s.name);
		retry_later(w);
		return;
	}
	w->phase = PHASE_RELOAD;
	w->full = true;
	resync(w);
}

/* After down: records of what went with something else (a route with
 * its link) are forgotten once nothing is left to remove. */
static void forget_gone(struct watch *w) {
	struct owner *o = w->s.owner;
	struct plan *left = NULL;
	char err[1024];
	int r;

	r = observe(w, true);
	if (r >= 0) {
		struct plan_input in = plan_in(w, PLAN_DOWN);

		r = plan_build(&in, &left, err, sizeof(err));
	}
	if (r < 0 || left->n) {
		if (r >= 0)
			log_warning("%s: down: still there: %s", w->s.name, left->v[0].text);
		plan_free(left);
		return;
	}
	plan_free(left);
	if (owner_is_empty(o))
		return;
	owner_clear(o, NULL);
	r = owner_save(o);
	if (r < 0)
		log_warning_errno(r, "%s: down: forgetting the records: %m", w->s.name);
}

static void down_on_exit(struct watch *w) {
	struct plan *p = NULL;
	struct session_result res;
	char err[2048];
	int lock_fd = -1, r;

	log_info("%s: removing what it owns (--down-on-exit)", w->s.name);
	r = owner_load_routes(w->s.owner);
	if (r >= 0) {
		plan_observe_reqs_free(w->s.reqs, w->s.n_reqs);
		w->s.reqs = NULL;
		w->s.n_reqs = 0;
		r = ensure_reqs(w);
	}
	if (r >= 0)
		r = observe(w, true);
	if (r < 0) {
		log_error_errno(r, "%s: down: reading the kernel's state: %m", w->s.name);
		return;
	}
	{
		struct plan_input in = plan_in(w, PLAN_DOWN);

		r = plan_build(&in, &p, err, sizeof(err));
	}
	if (r < 0) {
		log_error("%s: down: %s", w->s.name, err);
		return;
	}
	if (p->n == 0) {
		log_info("%s: down: nothing to remove", w->s.name);
		plan_free(p);
		forget_gone(w);
		return;
	}
	r = lock_take(5000000, &lock_fd, NULL);
	if (r < 0) {
		log_error_errno(r, "%s: down: taking %s: %m", w->s.name, HANET_LOCK_PATH);
		plan_free(p);
		return;
	}
	r = session_apply(&w->s, &(struct session_apply_opts){ .plan = p }, &res);
	lock_release(lock_fd);
	if (r < 0)
		log_error("%s: down: %s; every change was rolled back", w->s.name,
		          res.status == SESSION_APPLY_FAILED ? w->s.err : strerror(-r));
	else
		for (size_t i = 0; i < p->n; i++)
			log_info("down: %s", p->v[i].text);
	session_result_fini(&res);
	plan_free(p);
	if (r >= 0)
		forget_gone(w);
}

/* ---- housekeeping: watchdog, metrics, status, finished announcers ----------------------------------- */

#define ENGINE_CHECK_NS 100000000ull    /* engine_pidfile: looked at every 100 ms */

/* Whether the process named in pidfile runs: a missing file, or a pid
 * that is gone, is an engine gone. */
static bool engine_alive(const char *pidfile) {
	FILE *f = fopen(pidfile, "re");
	long pid = 0;
	int n;

	if (!f)
		return errno != ENOENT;         /* unreadable: do not guess */
	n = fscanf(f, "%ld", &pid);
	fclose(f);
	if (n != 1 || pid <= 1 || pid > INT32_MAX)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* A VIP this node holds (a takeover's record) whose cluster engine is
 * gone (killed: it ran no notify) would stay here while another node
 * takes it over: release it as `hanet vip release` does, under its
 * lock, the record first.  Returns whether any [vip] has an engine. */
static bool engines_check(struct watch *w) {
	const struct profile *p = w->s.profile;
	bool any = false;

	for (size_t i = 0; p && i < p->n_vips; i++) {
		const struct vip *v = &p->vips[i];
		struct nl *nl = NULL;
		struct addr a;
		int fd = -1, idx, r;

		if (v->owner != VIP_OWNER_EXTERNAL || !v->engine_pidfile)
			continue;
		any = true;
		if (!vip_is_held(w->s.name, v) || engine_alive(v->engine_pidfile))
			continue;
		if (vip_lock(w->s.name, v->name, 100000, &fd) < 0)
			continue;                       /* a takeover or release under way: next time */
		if (!vip_is_held(w->s.name, v) || engine_alive(v->engine_pidfile)) {
			vip_unlock(fd);
			continue;
		}
		r = vip_held_remove(w->s.name, v->name);
		if (r >= 0)
			r = nl_open(v->netns, &nl);
		if (r >= 0)
			r = idx = vip_ifindex(nl, v->dev);
		if (r >= 0) {
			vip_addr_on(v, v->dev, &a);
			r = addr_del(nl, &a, idx);
			if (r == -EADDRNOTAVAIL)
				r = 0;
		}
		nl_free(nl);
		vip_unlock(fd);
		if (r < 0)
			log_error_errno(r, "%s: vip %s: its engine (%s) is gone: releasing it: %m", w->s.name, v->name,
			                v->engine_pidfile);
		else
			log_info("%s: vip %s released: its engine is gone (%s names no process)", w->s.name, v->name,
			         v->engine_pidfile);
		w->full = true;
		arm_resync(w, 0);
	}
	return any;
}

static void housekeeping(struct watch *w) {
	uint64_t now = now_ns(), next = 0;

	announcers_reap(&w->ann, false);
	/* a change not confirmed whose process is gone: rolled back, then
	 * everything read again */
	if (now >= w->pending_next) {
		if (confirm_recover(-1, "watch") > 0)
			w->reload = true;
		w->pending_next = now + PENDING_CHECK_NS;
	}
	next = w->pending_next;
	if (now >= w->engine_next) {
		w->engines = engines_check(w);
		w->engine_next = now + ENGINE_CHECK_NS;
	}
	if (w->engines && (!next || w->engine_next < next))
		next = w->engine_next;
	if (w->wd_interval_ns) {
		if (now >= w->wd_next) {
			sdn_notify("WATCHDOG=1");
			w->wd_next = now + w->wd_interval_ns;
		}
		if (w->wd_next < next)
			next = w->wd_next;
	}
	if (w->o->resync_interval_us && w->ready) {
		if (!w->periodic_next)
			w->periodic_next = now + w->o->resync_interval_us * 1000;
		if (now >= w->periodic_next) {
			/* what the kernel changes without an event (a link's alias) */
			w->full = true;
			arm_resync(w, 0);
			w->periodic_next = now + w->o->resync_interval_us * 1000;
		}
		if (!next || w->periodic_next < next)
			next = w->periodic_next;
	}
	if (w->o->metrics_path && records_metrics_dirty(w->rec)) {
		uint64_t due = w->metrics_last + METRICS_MIN_INTERVAL_NS;

		if (now >= due) {
			int r = records_metrics_write(w->rec, w->o->metrics_path, true);

			if (r < 0)
				log_warning_errno(r, "writing %s: %m", w->o->metrics_path);
			w->metrics_last = now;
		} else if (!next || due < next) {
			next = due;
		}
	}
	if (w->ready && (records_repairs(w->rec) != w->status_repairs || records_failovers(w->rec) != w->status_failovers))
		status_watching(w);
	timer_at(w->tfd_house, next);
}

/* ---- setup ------------------------------------------------------------------------------------------ */

static int setup_fds(struct watch *w) {
	sigset_t mask;
	uint64_t wd = 0;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* before any thread: announcers inherit the mask */
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		return -EINVAL;
	w->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	/* repair latencies count from the events' arrival */
	r = nlev_track_arrivals();
	if (r < 0)
		log_warning_errno(r, "watch: stamping event arrivals: %m; latencies are bounds");
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->tfd_resync = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->tfd_house = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->tfd_end = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->sigfd < 0 || w->epfd < 0 || w->tfd_resync < 0 || w->tfd_house < 0 || w->tfd_end < 0)
		return -errno;
	w->s_sig = (struct src){ SRC_SIGNAL, NULL };
	w->s_resync = (struct src){ SRC_RESYNC, NULL };
	w->s_house = (struct src){ SRC_HOUSE, NULL };
	w->s_end = (struct src){ SRC_END, NULL };
	w->s_ino = (struct src){ SRC_INOTIFY, NULL };
	if (epoll_add(w, w->sigfd, &w->s_sig) < 0 || epoll_add(w, w->tfd_resync, &w->s_resync) < 0 ||
	    epoll_add(w, w->tfd_house, &w->s_house) < 0 || epoll_add(w, w->tfd_end, &w->s_end) < 0)
		return -errno;

	/* namespaces deleted or made: /run/netns changes */
	w->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inofd < 0)
		return -errno;
	mkdir_p(NETNS_RUN_DIR, 0755);
	if (inotify_add_watch(w->inofd, NETNS_RUN_DIR, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) < 0)
		log_warning_errno(-errno, "watching %s: %m; a deleted namespace is noticed only by its events",
		                  NETNS_RUN_DIR);
	else if (epoll_add(w, w->inofd, &w->s_ino) < 0)
		return -errno;

	if (w->o->max_runtime_us)
		timer_at(w->tfd_end, now_ns() + w->o->max_runtime_us * 1000);
	r = sdn_watchdog_enabled(&wd);
	if (r == -ENOSYS)
		log_warning("cannot notify the service manager ($NOTIFY_SOCKET): %s", sdn_load_error());
	if (r > 0 && wd > 0) {
		w->wd_interval_ns = wd * 1000 / 2;
		w->wd_next = now_ns();
	}
	return 0;
}

static void watch_fini(struct watch *w) {
	announcers_reap(&w->ann, true);
	while (w->n_teams)
		team_close(w, w->n_teams - 1);
	teams_reap(w);
	free(w->teams);
	for (size_t i = 0; i < w->n_ns; i++) {
		if (w->ns[i]->ev)
			nlev_set_free(w->ns[i]->ev);
		free(w->ns[i]->name);
		free(w->ns[i]);
	}
	nlev_track_stop();
	free(w->ns);
	free(w->want);
	free(w->bonds);
	profile_view_free(w->view);
	sections_free(w);
	if (w->loaded)
		session_fini(&w->s);
	strpool_free(w->pool);
	records_free(w->rec);
	{
		int fds[] = { w->epfd, w->sigfd, w->tfd_resync, w->tfd_house, w->tfd_end, w->inofd, w->lock_fd };

		for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
}

static void on_signal(struct watch *w) {
	struct signalfd_siginfo si;

	while (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			w->reload = true;
		} else {
			log_info("%s: %s: exiting", w->s.name, strsignal((int)si.ssi_signo));
			w->quit = true;
		}
	}
}

int watch_run(const char *path, const struct watch_opts *o) {
	struct watch w = { .o = o, .path = path, .epfd = -1, .sigfd = -1, .tfd_resync = -1, .tfd_house = -1,
	                   .tfd_end = -1, .inofd = -1, .lock_fd = -1 };
	int r, ret = EXIT_RUNTIME;

	w.pool = strpool_new();
	if (!w.pool)
		return EXIT_RUNTIME;
	r = setup_fds(&w);
	if (r < 0) {
		log_error_errno(r, "watch: setting up: %m");
		goto out;
	}
	/* a change not confirmed whose process is gone comes first */
	confirm_recover(-1, "watch");
	w.pending_next = now_ns() + PENDING_CHECK_NS;
	r = session_load(&w.s, path, 0);
	w.loaded = true;
	if (r == -EINVAL) {
		ret = EXIT_INVALID;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "%s: %s", path, w.s.err[0] ? w.s.err : strerror(-r));
		goto out;
	}
	w.s.arg = path;
	if (!o->no_records) {
		r = records_new(o->records_path, w.s.name, &w.rec);
		if (r < 0) {
			log_error("%s: opening %s: %s", w.s.name, o->records_path, open_output_strerror(r));
			goto out;
		}
	} else {
		r = records_new("/dev/null", w.s.name, &w.rec);
		if (r < 0)
			goto out;
	}
	r = want_from_profile(&w);
	if (r >= 0)
		r = ensure_reqs(&w);
	if (r < 0) {
		log_error_errno(r, "%s: %m", w.s.name);
		goto out;
	}
	notify_status(&w, "%s: applying", w.s.name);
	w.phase = PHASE_START;
	w.full = true;
	resync(&w);
	housekeeping(&w);

	while (!w.quit) {
		struct epoll_event evs[32];
		uint64_t entered = now_ns();
		int n = epoll_wait(w.epfd, evs, ARRAY_SIZE(evs), -1);

		/* latencies count from an event's arrival, however long it
		 * waited behind other work */
		nlev_note_wait(entered, now_ns());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(-errno, "watch: epoll: %m");
			goto out;
		}
		for (int i = 0; i < n && !w.quit; i++) {
			struct src *s = evs[i].data.ptr;

			switch (s->type) {
			case SRC_NLEV:
				on_nlev_fd(&w, s->ptr);
				break;
			case SRC_TEAM:
				/* closed by an earlier event of this batch */
				if (!((struct wteam *)s->ptr)->closed)
					on_team(&w, s->ptr);
				break;
			case SRC_SIGNAL:
				on_signal(&w);
				break;
			case SRC_INOTIFY:
				on_inotify(&w);
				break;
			case SRC_RESYNC:
				timer_drain(w.tfd_resync);
				if (w.resync_at && now_ns() >= w.resync_at)
					resync(&w);
				break;
			case SRC_HOUSE:
				timer_drain(w.tfd_house);
				break;
			case SRC_END:
				timer_drain(w.tfd_end);
				log_info("%s: --max-runtime reached: exiting", w.s.name);
				w.end_reached = true;
				w.quit = true;
				break;
			}
		}
		teams_reap(&w);
		if (w.reload && !w.quit)
			reload(&w);
		housekeeping(&w);
	}
	sdn_notify("STOPPING=1");
	/* event sockets and team handles first: namespaces removed below
	 * must not be kept alive by them */
	announcers_reap(&w.ann, true);
	while (w.n_teams)
		team_close(&w, w.n_teams - 1);
	teams_reap(&w);
	for (size_t i = 0; i < w.n_ns; i++)
		if (w.ns[i]->ev) {
			epoll_ctl(w.epfd, EPOLL_CTL_DEL, nlev_fd(w.ns[i]->ev), NULL);
			nlev_set_free(w.ns[i]->ev);
			w.ns[i]->ev = NULL;
		}
	if (o->down_on_exit)
		down_on_exit(&w);
	ret = EXIT_OK;
	if (w.end_reached && !w.ready) {
		/* a watch that never got the kernel to match the profile did
		 * not do its job, whatever stopped it */
		log_error("%s: --max-runtime reached before the kernel ever matched the profile%s%s", w.s.name,
		          w.last_err[0] ? ": " : "", w.last_err);
		ret = EXIT_RUNTIME;
	}
out:
	if (w.rec && o->metrics_path) {
		r = records_metrics_write(w.rec, o->metrics_path, false);
		if (r < 0)
			log_warning_errno(r, "writing %s: %m", o->metrics_path);
	}
	watch_fini(&w);
	return ret;
}
