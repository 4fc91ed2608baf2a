/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch-internal.h"

/* ---- applying ------------------------------------------------------------------------------------- */

struct plan_input watch_plan_in(struct watch *w, unsigned flags) {
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

/* The record of a repair: the action, what caused it, from when to when. */
static void record_repair(struct watch *w, const struct action *a, const char *cause, uint64_t t_ns, uint64_t done_ns) {
	records_repair(w->rec, repair_kind(a), a->netns, a->object ? a->object : a->name[0] ? a->name : NULL, a->text,
	               cause, t_ns, done_ns);
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
		record_repair(w, a, cause, first, done_ns);
	}
}

/* The lock every hanet run that changes the kernel takes (lock.h), on a
 * file kept open: taking it is the flock(2) of its guard and its own,
 * and one pwrite(2). */

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
	                          /* fail_at: the test build's HANET_FAIL_AT */
	                          .apply = { .verbose = log_get_level() >= LOG_LEVEL_DEBUG,
	                                     .fail_at = apply_fail_at_from_env() },
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

/* ---- planning a scope ----------------------------------------------------------------------------- */

/* A repair plans the namespaces it is about (marked `scoped`), not the
 * whole profile: with a thousand namespaces that is the difference
 * between a millisecond and a fifth of a second.  A plan that reaches
 * beyond them (links made, deleted, moved or reconfigured; namespaces) is
 * dropped for the plan of the whole profile. */

struct scope {
	struct profile_view *view;
	struct state *st;
};

static bool in_scope(const char *netns, void *data) {
	struct wns *n = wns_find(data, netns);

	return n && n->scoped;
}

/* A scope of a few namespaces (a repair, a burst of drift): its names,
 * whose objects the scope index lists (profile_scope_build_named). */
#define SCOPE_FEW 16

struct scope_few {
	const char *name[SCOPE_FEW];
	size_t n;
};

/* The scoped namespaces in *f; false when there are more than it holds. */
static bool scope_few_get(const struct watch *w, struct scope_few *f) {
	f->n = 0;
	for (size_t i = 0; i < w->n_ns; i++) {
		if (!w->ns[i]->scoped)
			continue;
		if (f->n == SCOPE_FEW)
			return false;
		f->name[f->n++] = w->ns[i]->name;
	}
	return true;
}

static void scope_free(struct scope *sc) {
	profile_view_free(sc->view);
	state_scope_free(sc->st);
	sc->view = NULL;
	sc->st = NULL;
}

static void scope_clear(struct watch *w) {
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->scoped = false;
}

static bool action_scoped(struct watch *w, const struct action *a) {
	switch (a->type) {
	case ACT_FORWARDING:
	case ACT_LINK_UP:
	case ACT_ADDR_ADD:
	case ACT_ADDR_DEL:
	case ACT_ADDR_REPLACE:
	case ACT_ROUTE_ADD:
	case ACT_ROUTE_DEL:
	case ACT_ROUTE_REPLACE:
	case ACT_RULE_ADD:
	case ACT_RULE_DEL: return in_scope(a->netns, w);
	default: return false;
	}
}

/* The plan of the scoped namespaces, their part of the profile kept in
 * *sc until the plan is freed.  -EXDEV: plan the whole profile instead
 * (it also says properly why a plan fails). */

static int plan_scope(struct watch *w, struct scope *sc, struct plan **ret) {
	struct scope_few few;
	struct plan_input in;
	struct plan *p = NULL;
	char err[256];
	int r;

	if (w->view || !w->s.st)
		return -EXDEV;
	in = watch_plan_in(w, 0);               /* marks the VIPs held */
	if (scope_few_get(w, &few)) {
		/* from the few namespaces' own objects: the index of them is
		 * made at the first repair after a (re)load */
		if (!scope_index_valid(w->scope_ix, w->s.profile)) {
			scope_index_free(w->scope_ix);
			w->scope_ix = NULL;
			if (scope_index_build(w->s.profile, &w->scope_ix) < 0)
				return -EXDEV;
		}
		r = profile_scope_build_named(w->s.profile, w->scope_ix, w->s.routes, w->s.n_bulk, w->s.bulk_file,
		                              w->s.st, few.name, few.n, &sc->view, &sc->st);
	} else
		r = profile_scope_build(w->s.profile, w->s.routes, w->s.n_bulk, w->s.bulk_file, w->s.st, in_scope, w,
		                        &sc->view, &sc->st);
	if (r < 0)
		return -EXDEV;
	in.profile = &sc->view->profile;
	in.routes = &sc->view->routes;
	in.n_bulk = sc->view->n_bulk;
	in.bulk_file = sc->view->bulk_file;
	in.st = sc->st;
	r = plan_build(&in, &p, err, sizeof(err));
	if (r < 0) {
		log_debug("scoped plan: %s; planning the whole profile", err);
		scope_free(sc);
		return -EXDEV;
	}
	for (size_t i = 0; i < p->n; i++)
		if (!action_scoped(w, &p->v[i])) {
			log_debug("scoped plan: %s: beyond the namespaces planned; planning the whole profile", p->v[i].text);
			plan_free(p);
			scope_free(sc);
			return -EXDEV;
		}
	*ret = p;
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

void watch_sections_free(struct watch *w) {
	scope_index_free(w->scope_ix);
	w->scope_ix = NULL;
	if (!w->sections)
		return;
	route_index_fini(w->sections);
	free(w->sections);
	w->sections = NULL;
}

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
	struct plan_input in = watch_plan_in(w, 0);
	struct plan *p = NULL, one;
	struct apply *ap = NULL;
	struct scope sc = { 0 };
	struct wns *n = wns_find(w, t->netns);
	char err[1024];
	uint64_t done;
	size_t k;
	int r;

	if (n) {
		n->scoped = true;
		r = plan_scope(w, &sc, &p);
		n->scoped = false;
		if (r >= 0)
			goto planned;
	}
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
planned:
	for (k = 0; k < p->n && !fast_match(&p->v[k], t); k++)
		;
	if (k == p->n) {
		log_debug("fast path: %s: no %s in the plan (%zu actions)", what, action_type_name(t->type), p->n);
		plan_free(p);
		scope_free(&sc);
		return false;
	}
	one = *p;
	one.v = &p->v[k];
	one.n = 1;
	r = run_plan(w, &one, &ap, err, sizeof(err));
	if (r < 0) {
		log_debug("fast path: %s: %s", what, err);
		plan_free(p);
		scope_free(&sc);
		return false;
	}
	done = now_ns();
	log_notice("drift: %s; %s in %.1f ms", what, done_verb, (double)(done - t_ns) / 1e6);
	record_repair(w, one.v, what, t_ns, done);
	watch_announce_vips(w, ap);
	apply_free(ap);
	plan_free(p);
	scope_free(&sc);
	return true;
}

static bool fast_ok(const struct watch *w) {
	return !w->o->no_fast_path && w->s.st && w->phase == PHASE_DRIFT && !w->echo;
}

/* The address out of the state as last observed (it went, the event
 * says): *ret_saved and *ret_j to put it back; false when it was not
 * there (it went before). */
static bool addr_unobserve(struct ns_state *ns, const char *dev, const struct ipaddr *ip, struct addr *ret_saved,
                           size_t *ret_j) {
	size_t j;

	for (j = 0; j < ns->n_addrs; j++)
		if (strcmp(ns->addrs[j].dev, dev) == 0 && ipaddr_eq(&ns->addrs[j].ip, ip))
			break;
	if (j == ns->n_addrs)
		return false;
	*ret_saved = ns->addrs[j];
	*ret_j = j;
	memmove(&ns->addrs[j], &ns->addrs[j + 1], (ns->n_addrs - j - 1) * sizeof(*ns->addrs));
	ns->n_addrs--;
	return true;
}

static void addr_reobserve(struct ns_state *ns, const struct addr *saved, size_t j) {
	memmove(&ns->addrs[j + 1], &ns->addrs[j], (ns->n_addrs - j) * sizeof(*ns->addrs));
	ns->addrs[j] = *saved;
	ns->n_addrs++;
}

static bool fast_addr(struct watch *w, const struct fast_pending *q) {
	struct ns_state *ns = fast_ok(w) ? state_ns(w->s.st, q->n->name) : NULL;
	struct fast_target t = { .type = ACT_ADDR_ADD, .netns = q->n->name, .dev = q->dev, .ip = &q->ip };
	struct addr saved;
	size_t j;
	bool ok, had;

	if (!ns || !ns->exists)
		return false;
	had = addr_unobserve(ns, q->dev, &q->ip, &saved, &j);
	ok = fast_apply(w, &t, q->what, "re-added", q->t_ns);
	if (had)
		addr_reobserve(ns, &saved, j);
	return ok;
}

static void fast_one(struct watch *w, const struct fast_pending *q) {
	if (fast_addr(w, q))
		watch_mark_confirm(w, q->n, q->t_ns);
	else
		watch_mark_dirty(w, q->n, q->what, q->t_ns, w->o->debounce_us);
}

/* Several namespaces' addresses at once: one scoped plan of them all,
 * their re-adds one transaction; false (nothing done) when that does not
 * work out, and each is then repaired on its own. */
static bool fast_many(struct watch *w, const struct fast_pending *q, size_t nq) {
	struct ns_state *nss[FAST_PENDING_MAX];
	struct addr saved[FAST_PENDING_MAX];
	size_t js[FAST_PENDING_MAX], ks[FAST_PENDING_MAX], n_acts = 0;
	size_t at[FAST_PENDING_MAX];        /* each repair's place in acts */
	bool had[FAST_PENDING_MAX] = { false }, matched[FAST_PENDING_MAX] = { false };
	struct action *acts = NULL;
	struct plan *p = NULL, many;
	struct apply *ap = NULL;
	struct scope sc = { 0 };
	char err[1024];
	bool ok = false;
	uint64_t done;
	int r;

	if (!fast_ok(w))
		return false;
	if (nq > FAST_PENDING_MAX)
		return false;
	for (size_t i = 0; i < nq; i++) {
		nss[i] = state_ns(w->s.st, q[i].n->name);
		if (!nss[i] || !nss[i]->exists)
			return false;
	}
	for (size_t i = 0; i < nq; i++) {
		had[i] = addr_unobserve(nss[i], q[i].dev, &q[i].ip, &saved[i], &js[i]);
		q[i].n->scoped = true;
	}
	r = plan_scope(w, &sc, &p);
	for (size_t i = 0; i < nq; i++)
		q[i].n->scoped = false;
	if (r < 0)
		goto out;
	/* each one's re-add, once, in the plan's order */
	for (size_t k = 0; k < p->n && n_acts < nq; k++)
		for (size_t i = 0; i < nq; i++) {
			struct fast_target t = { .type = ACT_ADDR_ADD, .netns = q[i].n->name, .dev = q[i].dev, .ip = &q[i].ip };

			if (!matched[i] && fast_match(&p->v[k], &t)) {
				matched[i] = true;
				at[i] = n_acts;
				ks[n_acts++] = k;
				break;
			}
		}
	if (n_acts != nq) {
		log_debug("fast path: %zu addresses at once: %zu re-adds in the plan", nq, n_acts);
		goto out;
	}
	acts = malloc(nq * sizeof(*acts));
	if (!acts)
		goto out;
	for (size_t i = 0; i < nq; i++)
		acts[i] = p->v[ks[i]];
	many = *p;
	many.v = acts;
	many.n = nq;
	r = run_plan(w, &many, &ap, err, sizeof(err));
	if (r < 0) {
		log_debug("fast path: %zu addresses at once: %s", nq, err);
		goto out;
	}
	done = now_ns();
	for (size_t i = 0; i < nq; i++) {
		const struct action *a = &acts[at[i]];

		log_notice("drift: %s; re-added in %.1f ms (with %zu other namespace%s)", q[i].what,
		           (double)(done - q[i].t_ns) / 1e6, nq - 1, nq == 2 ? "" : "s");
		record_repair(w, a, q[i].what, q[i].t_ns, done);
		watch_mark_confirm(w, q[i].n, q[i].t_ns);
	}
	watch_announce_vips(w, ap);
	apply_free(ap);
	ok = true;
out:
	free(acts);
	plan_free(p);
	scope_free(&sc);
	for (size_t i = nq; i-- > 0;)
		if (had[i])
			addr_reobserve(nss[i], &saved[i], js[i]);
	return ok;
}

bool watch_fast_addr_hold(struct watch *w, struct wns *n, const struct nlev *ev, const char *what) {
	struct fast_pending *q;

	if (!fast_ok(w))
		return false;
	watch_fast_flush_ns(w, n);
	if (w->n_fast_q == FAST_PENDING_MAX)
		watch_fast_flush(w);
	q = &w->fast_q[w->n_fast_q++];
	q->n = n;
	snprintf(q->dev, sizeof(q->dev), "%s", ev->ifname);
	q->ip = ev->addr;
	q->t_ns = ev->arrived_ns;
	snprintf(q->what, sizeof(q->what), "%s", what);
	return true;
}

void watch_fast_flush(struct watch *w) {
	struct fast_pending q[FAST_PENDING_MAX];
	size_t nq = w->n_fast_q;

	if (!nq)
		return;
	/* taken off the queue first: nothing that runs below holds again */
	memcpy(q, w->fast_q, nq * sizeof(*q));
	w->n_fast_q = 0;
	if (nq > 1 && fast_many(w, q, nq))
		return;
	for (size_t i = 0; i < nq; i++)
		fast_one(w, &q[i]);
}

void watch_fast_flush_ns(struct watch *w, const struct wns *n) {
	for (size_t i = 0; i < w->n_fast_q; i++)
		if (w->fast_q[i].n == n) {
			watch_fast_flush(w);
			return;
		}
}

bool watch_fast_route(struct watch *w, struct wns *n, ssize_t idx, const char *what, uint64_t t_ns) {
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

bool watch_fast_link_down(struct watch *w, struct wns *n, const struct nlev *ev, const char *what) {
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

/* ---- resync ------------------------------------------------------------------------------------- */

static void route_present_reset_ns(struct route_index *ix, const char *netns) {
	for (size_t i = 0; ix && i < ix->n; i++)
		if (netns_eq(ix->v[i]->netns, netns))
			ix->present[i] = 0;
}

int watch_ensure_reqs(struct watch *w) {
	int r;

	if (w->s.reqs)
		return 0;
	r = plan_observe_reqs(w->s.profile, w->s.routes, w->s.owner, w->s.down ? PLAN_DOWN : 0, &w->s.reqs,
	                      &w->s.n_reqs);
	if (r < 0)
		return r;
	for (size_t i = 0; w->s.routes && w->s.routes->n && i < w->s.n_reqs; i++) {
		w->s.reqs[i].route_filter = route_index_filter;
		w->s.reqs[i].route_filter_data = w->s.routes;
	}
	watch_ns_mark_used(w);
	return 0;
}

int watch_observe(struct watch *w, bool full) {
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
		log_debug("observed netns %s in %.1f ms", watch_ns_label(w->s.reqs[i].netns), (double)(now_ns() - t0) / 1e6);
	}
	return 0;
}

/* The kernel told every event socket about our changes while it made
 * them: read that now, so that they do not pass for drift. */

static void drain_echoes(struct watch *w) {
	uint64_t until = now_ns() + 2000000000ull;

	w->echo = true;
	/* all of it: a big route table echoes one event per route */
	while (now_ns() < until) {
		int r = nlev_dispatch(w->events, watch_on_nlev, w);

		if (r < 0) {
			watch_events_lost(w, r);
			break;
		}
		if (r == 0 && !nlev_pending(w->events))
			break;
	}
	/* namespaces the plan made or removed */
	watch_on_inotify(w);
	w->echo = false;
}

void watch_retry_later(struct watch *w) {
	w->backoff_us = w->backoff_us ? w->backoff_us * 2 : BACKOFF_MIN_US;
	if (w->backoff_us > BACKOFF_MAX_US)
		w->backoff_us = BACKOFF_MAX_US;
	watch_arm_resync(w, w->backoff_us);
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
	watch_bonds_from_state(w);
	watch_teams_sync(w);
	if (w->view) {
		/* READY too: the service is up, waiting for a device is its job */
		if (!w->ready) {
			w->ready = true;
			sdn_notify("READY=1");
		}
		log_info("%s: the kernel matches the profile but for %s; watching", w->s.name, w->view->missing);
		watch_notify_status(w, "%s: waiting for %s; the rest is applied", w->s.name, w->view->missing);
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
		watch_status_watching(w);
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

/* The plan of what was observed: of the scoped namespaces when that
 * stays within them, else of the whole profile (or the part of it that
 * can be applied while devices are missing).  *scoped says which. */

static int plan_now(struct watch *w, struct scope *sc, bool *scoped, struct plan **ret, char *err, size_t errsize) {
	struct plan_input in;
	int r;

	if (*scoped && plan_scope(w, sc, ret) >= 0)
		return 0;
	*scoped = false;
	profile_view_free(w->view);
	w->view = NULL;
	in = watch_plan_in(w, 0);
	r = plan_build(&in, ret, err, errsize);
	if (r == -ENODEV || r == -ENOENT) {
		/* apply what does not depend on what is missing */
		int q = profile_view_build(w->s.profile, w->s.routes, w->s.n_bulk, w->s.bulk_file, w->s.st, &w->view);

		if (q >= 0) {
			char err2[2048];

			if (strcmp(w->waiting_for, w->view->missing) != 0) {
				snprintf(w->waiting_for, sizeof(w->waiting_for), "%s", w->view->missing);
				log_notice("%s: waiting for %s (%s); applying the rest of the profile", w->s.name, w->view->missing,
				           err);
			}
			/* the plan of the view just built */
			in = watch_plan_in(w, 0);
			r = plan_build(&in, ret, err2, sizeof(err2));
			if (r < 0)
				snprintf(err, errsize, "%s", err2);
		} else if (q != -ENODATA) {
			r = q;
			snprintf(err, errsize, "%s", strerror(-q));
		}
	}
	return r;
}

/* Observe what is dirty, plan, apply, verify.  A resync that observes
 * some namespaces only plans those (plan_now). */

void watch_resync(struct watch *w) {
	struct plan *p = NULL, *left = NULL;
	struct apply *ap = NULL;
	struct scope sc = { 0 }, sc_left = { 0 };
	char err[2048], msg[2300];
	bool full, new_events, scoped, scoped_left, outside = false, done = false;
	size_t n_scoped = 0;
	int r;

	w->resync_at = 0;
	w->resync_urgent = false;
	w->settle_first = 0;
	watch_timer_at(w->tfd_resync, 0);
	records_count_resync(w->rec);
	full = watch_ns_check(w) || w->full;
	w->full = false;
	/* what a resync that did not converge planned is planned again */
	scoped = !full && !w->plan_all && !w->view && !w->waiting_for[0] && w->s.st && w->phase == PHASE_DRIFT;
	for (size_t i = 0; i < w->n_ns; i++) {
		w->ns[i]->scoped = scoped && (w->ns[i]->dirty || w->ns[i]->pending);
		n_scoped += w->ns[i]->scoped;
	}
	scoped &= n_scoped > 0;
	r = watch_observe(w, full);
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->dirty = false;
	if (r < 0) {
		snprintf(msg, sizeof(msg), "reading the kernel's state: %s", strerror(-r));
		watch_say_error(w, msg);
		w->full = true;
		watch_retry_later(w);
		goto out;
	}
	r = plan_now(w, &sc, &scoped, &p, err, sizeof(err));
	if (r < 0) {
		if (r == -ENODEV || r == -ENOENT) {
			/* a device or namespace that is not there (yet): its
			 * event (link-new, inotify) brings us back */
			snprintf(msg, sizeof(msg), "waiting: %s", err);
			watch_say_error(w, msg);
			watch_notify_status(w, "%s: %s", w->s.name, msg);
			watch_arm_resync(w, WAIT_RETRY_US);
		} else {
			snprintf(msg, sizeof(msg), "cannot plan: %s", err[0] ? err : strerror(-r));
			watch_say_error(w, msg);
			watch_retry_later(w);
		}
		goto out;
	}
	if (scoped)
		log_debug("planned %zu namespace%s of %zu", n_scoped, n_scoped == 1 ? "" : "s", w->n_ns);
	else
		watch_want_from_plan(w, p);     /* a scoped plan knows only its own links */
	if (p->n == 0) {
		done = true;
		converged(w);
		goto out;
	}
	r = run_plan(w, p, &ap, err, sizeof(err));
	if (r == -EBUSY || r == -EWOULDBLOCK) {
		log_debug("%s: another hanet run holds the lock; trying again", w->s.name);
		watch_arm_resync(w, LOCK_RETRY_US);
		goto out;
	}
	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: %s; every change was rolled back", phase_name(w->phase), err);
		watch_say_error(w, msg);
		w->full |= mark_plan_dirty(w, p);
		watch_retry_later(w);
		goto out;
	}
	report_applied(w, p, now_ns());
	watch_announce_vips(w, ap);
	apply_free(ap);
	drain_echoes(w);

	/* verify: what the plan touched is observed again (everything when
	 * namespaces or links came or went); namespaces made by the plan are
	 * watched from now on */
	new_events = false;
	for (size_t i = 0; i < w->n_ns; i++)
		new_events |= w->ns[i]->dirty;
	full = mark_plan_dirty(w, p) || w->full;
	full |= watch_ns_check(w);
	w->full = false;
	r = watch_observe(w, full);
	/* a namespace outside the scope that changed while this was applied
	 * is not in the verify below: it is planned by the next resync */
	outside = false;
	for (size_t i = 0; i < w->n_ns; i++) {
		if (scoped && w->ns[i]->dirty && !w->ns[i]->scoped) {
			w->ns[i]->pending = true;
			outside = true;
		}
		w->ns[i]->dirty = false;
	}
	scoped_left = scoped && !full;
	if (r >= 0 && scoped_left && plan_scope(w, &sc_left, &left) >= 0) {
		/* planned */
	} else if (r >= 0) {
		struct plan_input in = watch_plan_in(w, 0);

		r = plan_build(&in, &left, err, sizeof(err));
	} else
		snprintf(err, sizeof(err), "reading the kernel's state: %s", strerror(-r));
	if (r >= 0 && left->n && new_events) {
		/* drift again while this one was repaired: repair that too */
		w->full |= mark_plan_dirty(w, left);
		watch_arm_resync(w, w->o->debounce_us);
	} else if (r < 0 || left->n) {
		if (r < 0)
			snprintf(msg, sizeof(msg), "verify: %s", err);
		else
			snprintf(msg, sizeof(msg), "verify: %zu difference%s left after applying, first: %s", left->n,
			         left->n == 1 ? "" : "s", left->v[0].text);
		watch_say_error(w, msg);
		if (r < 0)
			w->full = true;
		else
			w->full |= mark_plan_dirty(w, left);
		watch_retry_later(w);
	} else {
		done = true;
		converged(w);
	}
	if (outside)
		watch_arm_resync(w, w->o->debounce_us);
out:
	/* the namespaces planned (all of them: the profile) are settled,
	 * or planned again next time */
	if (!scoped) {
		w->plan_all = !done;
		for (size_t i = 0; done && i < w->n_ns; i++)
			w->ns[i]->pending = false;
	}
	for (size_t i = 0; scoped && i < w->n_ns; i++)
		if (w->ns[i]->scoped)
			w->ns[i]->pending = !done;
	plan_free(left);
	plan_free(p);
	scope_free(&sc_left);
	scope_free(&sc);
	scope_clear(w);
}
