/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of watch share; private to them. */
#ifndef HANET_WATCH_INTERNAL_H
#define HANET_WATCH_INTERNAL_H

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
#include "hnl.h"
#include "nlevent.h"
#include "owner.h"
#include "partial.h"
#include "plan.h"
#include "records.h"
#include "route.h"
#include "sdnotify.h"
#include "session.h"
#include "observe.h"
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
	struct nlev_ns *ev;             /* in w->events; NULL: not subscribed (absent) */
	dev_t dev;                      /* of /run/netns/NAME when subscribed */
	ino_t ino;
	bool used;                      /* in the current profile's observe requests */
	bool dirty;
	bool scoped;                    /* in the namespaces being planned (a repair's scope) */
	bool pending;                   /* planned by a resync that did not converge: in the next scope */
	bool said_eperm;                /* warned that its events cannot be heard */
};

struct wteam {
	struct watch *w;
	struct team_ab *t;
	struct src src;
	bool used;
	bool closed;                    /* freed at the end of the epoll batch */
	struct wteam *next_closed;
};

/* An address removed by someone else, its repair held until the end of
 * the epoll batch: the drift of several namespaces at once is planned
 * and applied together (watch_fast_flush). */
struct fast_pending {
	struct wns *n;
	char dev[IFNAMSIZ];
	struct ipaddr ip;
	uint64_t t_ns;
	char what[600];
};
#define FAST_PENDING_MAX 16

struct want {
	const char *netns, *name;       /* interned in the watch's pool */
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
	struct scope_index *scope_ix;   /* each namespace's objects: scoped plans of a few namespaces */
	struct fast_pending fast_q[FAST_PENDING_MAX];   /* at most one per namespace */
	size_t n_fast_q;
	char waiting_for[512];          /* what the view leaves out, as last said */
	struct wns **ns;
	size_t n_ns;
	struct namemap ns_index;        /* name -> its wns */
	size_t sweep;                   /* the next namespace the periodic check looks at */
	bool plan_all;                  /* a resync of the whole profile did not converge: the next plans it all */
	struct wteam **teams;
	size_t n_teams;
	struct wteam *teams_closed;     /* later events of the batch may name them */
	struct want *want;
	size_t n_want;
	struct namemap want_index;      /* (netns, name) -> its index + 1 */
	struct namemap want_names;      /* name alone (any namespace) -> 1 */
	struct bond_seen *bonds;
	size_t n_bonds;
	struct strpool *pool;           /* namespace names of want and bonds */

	int epfd, sigfd, tfd_resync, tfd_house, tfd_end, inofd;
	struct nlev_set *events;        /* the events of every namespace subscribed */
	struct src s_sig, s_resync, s_house, s_end, s_ino, s_nlev;
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

/* The repair a fast path looks for in the plan. */

struct fast_target {
	enum action_type type;
	const char *netns;
	const char *dev;                /* ADDR_ADD, LINK_UP */
	const struct ipaddr *ip;        /* ADDR_ADD */
	const struct route *route;      /* ROUTE_ADD */
};

#define SWEEP_SLICES 8                  /* the periodic check: a slice of the namespaces every interval/8 */

#define ENGINE_CHECK_NS 100000000ull    /* engine_pidfile: looked at every 100 ms */

const char *watch_ns_label(const char *netns);
const char *watch_in_ns(const char *netns, char *buf, size_t size);
void watch_timer_at(int fd, uint64_t at_ns);
int watch_epoll_add(struct watch *w, int fd, struct src *s);
void watch_arm_resync(struct watch *w, uint64_t delay_us);
void watch_mark_dirty(struct watch *w, struct wns *n, const char *cause, uint64_t t_ns, uint64_t delay_us);
void watch_mark_confirm(struct watch *w, struct wns *n, uint64_t t_ns);
void watch_say_error(struct watch *w, const char *msg);
void watch_notify_status(struct watch *w, const char *fmt, ...);
void watch_status_watching(struct watch *w);
int watch_want_from_plan(struct watch *w, const struct plan *p);
const struct want *watch_want_find(const struct watch *w, const char *netns, const char *name);
bool watch_link_relevant(const struct watch *w, const char *name);
bool watch_addr_desired(const struct watch *w, const char *netns, const char *dev, const struct ipaddr *ip,
                         const struct vip **ret_vip);
bool watch_rules_in(const struct watch *w, const char *netns);
ssize_t watch_route_desired(const struct watch *w, const char *netns, const struct nlev *ev);
void watch_announce_vips(struct watch *w, struct apply *ap);
struct wns *wns_find(struct watch *w, const char *netns);
void watch_team_close(struct watch *w, size_t i);
void watch_teams_reap(struct watch *w);
void watch_unsubscribe(struct watch *w, struct wns *n);
bool watch_ns_check(struct watch *w);
void watch_ns_mark_used(struct watch *w);
void watch_team_select(struct watch *w, struct wteam *t, uint64_t t_ns);
void watch_teams_sync(struct watch *w);
struct wteam *watch_team_of_port(struct watch *w, const char *netns, const struct nlev *ev);
void watch_on_team(struct watch *w, struct wteam *t);
struct bond_seen *watch_bond_seen(struct watch *w, const char *netns, const char *name, bool add);
void watch_bonds_from_state(struct watch *w);
struct plan_input watch_plan_in(struct watch *w, unsigned flags);
void watch_sections_free(struct watch *w);
/* Hold the repair of a removed address (true), or false when the fast
 * path does not apply; watch_fast_flush repairs what is held, before any
 * other event of the same namespace and at the end of the epoll batch. */
bool watch_fast_addr_hold(struct watch *w, struct wns *n, const struct nlev *ev, const char *what);
void watch_fast_flush(struct watch *w);
void watch_fast_flush_ns(struct watch *w, const struct wns *n);
bool watch_fast_route(struct watch *w, struct wns *n, ssize_t idx, const char *what, uint64_t t_ns);
bool watch_fast_link_down(struct watch *w, struct wns *n, const struct nlev *ev, const char *what);
void watch_on_nlev(const struct nlev *ev, void *data);
void watch_on_nlev_fd(struct watch *w);
void watch_events_lost(struct watch *w, int err);
void watch_on_inotify(struct watch *w);
int watch_ensure_reqs(struct watch *w);
int watch_observe(struct watch *w, bool full);
void watch_retry_later(struct watch *w);
void watch_resync(struct watch *w);
void watch_reload(struct watch *w);

#endif
