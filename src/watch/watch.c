/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch-internal.h"

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

/* ---- small helpers ------------------------------------------------------------------------ */

const char *watch_ns_label(const char *netns) {
	return netns ? netns : "-";
}

/* " in ns NAME", or "" for the namespace hanet runs in */

const char *watch_in_ns(const char *netns, char *buf, size_t size) {
	if (!netns)
		return "";
	snprintf(buf, size, " in ns %s", netns);
	return buf;
}

void watch_timer_at(int fd, uint64_t at_ns) {
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

int watch_epoll_add(struct watch *w, int fd, struct src *s) {
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = s };

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}

/* Arm the resync timer for now + delay, unless it fires earlier already. */

void watch_arm_resync(struct watch *w, uint64_t delay_us) {
	uint64_t at = now_ns() + delay_us * 1000;

	w->resync_urgent = true;
	if (w->resync_at && w->resync_at <= at)
		return;
	w->resync_at = at;
	watch_timer_at(w->tfd_resync, at);
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
	watch_timer_at(w->tfd_resync, at);
}

/* Something relevant happened in namespace n (NULL: everywhere).  cause:
 * what drifted, or NULL for a change that only needs confirming. */

void watch_mark_dirty(struct watch *w, struct wns *n, const char *cause, uint64_t t_ns, uint64_t delay_us) {
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
	watch_arm_resync(w, delay_us);
}

/* A change that needs no repair as far as the event says (an echo of a
 * repair, a link coming up, a failover): confirmed by a resync later. */

void watch_mark_confirm(struct watch *w, struct wns *n, uint64_t t_ns) {
	n->dirty = true;
	if (!w->dirty_ns)
		w->dirty_ns = t_ns;
	arm_settle(w);
}

void watch_say_error(struct watch *w, const char *msg) {
	if (strcmp(w->last_err, msg) == 0) {
		log_debug("%s: %s", w->s.name, msg);
		return;
	}
	snprintf(w->last_err, sizeof(w->last_err), "%s", msg);
	log_error("%s: %s", w->s.name, msg);
}

void watch_notify_status(struct watch *w, const char *fmt, ...) {
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sdn_notifyf("STATUS=%s", buf);
}

void watch_status_watching(struct watch *w) {
	size_t n = 0;

	for (size_t i = 0; i < w->n_ns; i++)
		n += w->ns[i]->used && w->ns[i]->ev;
	w->status_repairs = records_repairs(w->rec);
	w->status_failovers = records_failovers(w->rec);
	w->status_sent = true;
	watch_notify_status(w, "%s: watching %zu namespace%s; %llu repairs, %llu failovers", w->s.name, n, n == 1 ? "" : "s",
	              (unsigned long long)w->status_repairs, (unsigned long long)w->status_failovers);
}

/* ---- what the profile wants and hanet owns -------------------------------------------------- */

static int want_add(struct watch *w, const char *netns, const char *name, enum link_kind kind) {
	struct want *v, e = { .kind = kind };
	int r;

	if (namemap_get(&w->want_index, netns, name))
		return 0;
	e.netns = netns ? strpool_intern(w->pool, netns) : NULL;
	e.name = strpool_intern(w->pool, name);
	if ((netns && !e.netns) || !e.name)
		return -ENOMEM;
	v = realloc(w->want, (w->n_want + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w->want = v;
	r = namemap_put(&w->want_index, e.netns, e.name, (void *)(uintptr_t)(w->n_want + 1));
	if (r >= 0)
		r = namemap_put(&w->want_names, NULL, e.name, (void *)1);
	if (r < 0) {
		namemap_del(&w->want_index, e.netns, e.name);
		return r;
	}
	v[w->n_want++] = e;
	return 0;
}

static void want_clear(struct watch *w) {
	w->n_want = 0;
	namemap_clear(&w->want_index);
	namemap_clear(&w->want_names);
}

/* From the profile alone (before a plan says more). */

static int want_from_profile(struct watch *w) {
	const struct profile *p = w->s.profile;
	int r = 0;

	want_clear(w);
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

int watch_want_from_plan(struct watch *w, const struct plan *p) {
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->n_want_links; i++)
		r = want_add(w, p->want_links[i].netns, p->want_links[i].name, p->want_links[i].kind);
	return r;
}

const struct want *watch_want_find(const struct watch *w, const char *netns, const char *name) {
	uintptr_t i = (uintptr_t)namemap_get(&w->want_index, netns, name);

	return i ? &w->want[i - 1] : NULL;
}

/* A link event worth looking at: the name is one the profile wants or
 * hanet owns (in any namespace: a device that appears where it must be
 * moved from counts). */

bool watch_link_relevant(const struct watch *w, const char *name) {
	const struct owner *o = w->s.owner;

	if (!name[0])
		return false;
	if (namemap_get(&w->want_names, NULL, name))
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

bool watch_addr_desired(const struct watch *w, const char *netns, const char *dev, const struct ipaddr *ip,
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

bool watch_rules_in(const struct watch *w, const char *netns) {
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

ssize_t watch_route_desired(const struct watch *w, const char *netns, const struct nlev *ev) {
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

void watch_announce_vips(struct watch *w, struct apply *ap) {
	const struct vip *const *vips;
	size_t n = apply_vips(ap, &vips);

	announcers_start(&w->ann, vips, n);
}

/* ---- reload and exit ------------------------------------------------------------------------------- */

void watch_reload(struct watch *w) {
	struct session ns;
	int r;

	w->reload = false;
	log_info("%s: SIGHUP: reloading %s", w->s.name, w->path);
	watch_notify_status(w, "%s: reloading %s", w->s.name, w->path);
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
			watch_status_watching(w);
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
			watch_unsubscribe(w, w->ns[i]);
	profile_view_free(w->view);
	w->view = NULL;
	w->waiting_for[0] = '\0';
	watch_sections_free(w);
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
	r = watch_ensure_reqs(w);
	if (r < 0) {
		log_error_errno(r, "%s: reload: %m", w->s.name);
		watch_retry_later(w);
		return;
	}
	w->phase = PHASE_RELOAD;
	w->full = true;
	watch_resync(w);
}

/* After down: records of what went with something else (a route with
 * its link) are forgotten once nothing is left to remove. */

static void forget_gone(struct watch *w) {
	struct owner *o = w->s.owner;
	struct plan *left = NULL;
	char err[1024];
	int r;

	r = watch_observe(w, true);
	if (r >= 0) {
		struct plan_input in = watch_plan_in(w, PLAN_DOWN);

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
		w->s.down = true;               /* what a down needs observed */
		r = watch_ensure_reqs(w);
	}
	if (r >= 0)
		r = watch_observe(w, true);
	if (r < 0) {
		log_error_errno(r, "%s: down: reading the kernel's state: %m", w->s.name);
		return;
	}
	{
		struct plan_input in = watch_plan_in(w, PLAN_DOWN);

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
		struct hnl *nl = NULL;
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
			r = hnl_open(v->netns, &nl);
		if (r >= 0)
			r = idx = vip_ifindex(nl, v->dev);
		if (r >= 0) {
			vip_addr_on(v, v->dev, &a);
			r = addr_del(nl, &a, idx);
			if (r == -EADDRNOTAVAIL)
				r = 0;
		}
		hnl_free(nl);
		vip_unlock(fd);
		if (r < 0)
			log_error_errno(r, "%s: vip %s: its engine (%s) is gone: releasing it: %m", w->s.name, v->name,
			                v->engine_pidfile);
		else
			log_info("%s: vip %s released: its engine is gone (%s names no process)", w->s.name, v->name,
			         v->engine_pidfile);
		w->full = true;
		watch_arm_resync(w, 0);
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
			/* what the kernel changes without an event (a link's
			 * alias), and what an event lost told: every namespace
			 * is observed and planned again once per interval, a
			 * slice at a time (a thousand namespaces at once would
			 * hold up a repair for a second) */
			size_t n = (w->n_ns + SWEEP_SLICES - 1) / SWEEP_SLICES;

			for (size_t i = 0; i < n && w->n_ns; i++) {
				w->ns[w->sweep % w->n_ns]->dirty = true;
				w->sweep = (w->sweep + 1) % w->n_ns;
			}
			if (!w->n_ns)
				w->full = true;
			watch_arm_resync(w, 0);
			w->periodic_next = now + w->o->resync_interval_us * 1000 / SWEEP_SLICES;
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
		watch_status_watching(w);
	watch_timer_at(w->tfd_house, next);
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
	r = nlev_set_new(&w->events);
	if (r < 0)
		return r;
	if (w->o->rcvbuf > 0 && (r = nlev_set_rcvbuf(w->events, w->o->rcvbuf)) < 0)
		return r;
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
	w->s_nlev = (struct src){ SRC_NLEV, NULL };
	if (watch_epoll_add(w, nlev_fd(w->events), &w->s_nlev) < 0 || watch_epoll_add(w, w->sigfd, &w->s_sig) < 0 || watch_epoll_add(w, w->tfd_resync, &w->s_resync) < 0 ||
	    watch_epoll_add(w, w->tfd_house, &w->s_house) < 0 || watch_epoll_add(w, w->tfd_end, &w->s_end) < 0)
		return -errno;

	/* namespaces deleted or made: /run/netns changes */
	w->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inofd < 0)
		return -errno;
	mkdir_p(NETNS_RUN_DIR, 0755);
	if (inotify_add_watch(w->inofd, NETNS_RUN_DIR, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) < 0)
		log_warning_errno(-errno, "watching %s: %m; a deleted namespace is noticed only by its events",
		                  NETNS_RUN_DIR);
	else if (watch_epoll_add(w, w->inofd, &w->s_ino) < 0)
		return -errno;

	if (w->o->max_runtime_us)
		watch_timer_at(w->tfd_end, now_ns() + w->o->max_runtime_us * 1000);
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
		watch_team_close(w, w->n_teams - 1);
	watch_teams_reap(w);
	free(w->teams);
	for (size_t i = 0; i < w->n_ns; i++) {
		free(w->ns[i]->name);
		free(w->ns[i]);
	}
	nlev_set_free(w->events);
	nlev_track_stop();
	namemap_clear(&w->ns_index);
	free(w->ns);
	want_clear(w);
	free(w->want);
	free(w->bonds);
	profile_view_free(w->view);
	watch_sections_free(w);
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
		r = watch_ensure_reqs(&w);
	if (r < 0) {
		log_error_errno(r, "%s: %m", w.s.name);
		goto out;
	}
	watch_notify_status(&w, "%s: applying", w.s.name);
	w.phase = PHASE_START;
	w.full = true;
	watch_resync(&w);
	housekeeping(&w);

	while (!w.quit) {
		struct epoll_event evs[32];
		uint64_t entered = now_ns();
		bool resync_due = false;
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

			/* repairs held from the events before go first */
			if (s->type != SRC_NLEV)
				watch_fast_flush(&w);
			switch (s->type) {
			case SRC_NLEV:
				watch_on_nlev_fd(&w);
				break;
			case SRC_TEAM:
				/* closed by an earlier event of this batch */
				if (!((struct wteam *)s->ptr)->closed)
					watch_on_team(&w, s->ptr);
				break;
			case SRC_SIGNAL:
				on_signal(&w);
				break;
			case SRC_INOTIFY:
				watch_on_inotify(&w);
				break;
			case SRC_RESYNC:
				/* after the repairs of this batch: a resync
				 * does not keep queued drift waiting */
				timer_drain(w.tfd_resync);
				resync_due = true;
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
		watch_fast_flush(&w);
		if (resync_due && !w.quit && w.resync_at && now_ns() >= w.resync_at)
			watch_resync(&w);
		watch_teams_reap(&w);
		if (w.reload && !w.quit)
			watch_reload(&w);
		housekeeping(&w);
	}
	sdn_notify("STOPPING=1");
	/* event sockets and team handles first: namespaces removed below
	 * must not be kept alive by them */
	announcers_reap(&w.ann, true);
	while (w.n_teams)
		watch_team_close(&w, w.n_teams - 1);
	watch_teams_reap(&w);
	for (size_t i = 0; i < w.n_ns; i++)
		if (w.ns[i]->ev) {
			nlev_remove_netns(w.events, w.ns[i]->ev);
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
