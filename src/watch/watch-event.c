/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch-internal.h"

/* ---- namespaces: subscriptions ------------------------------------------------------------------- */

struct wns *wns_find(struct watch *w, const char *netns) {
	return namemap_get(&w->ns_index, netns, NULL);
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
	if (namemap_put(&w->ns_index, n->name, NULL, n) < 0) {
		free(n->name);
		free(n);
		return NULL;
	}
	w->ns[w->n_ns++] = n;
	return n;
}

/* Closed at once, freed by teams_reap() once no event of the current
 * epoll batch can point at it. */

void watch_team_close(struct watch *w, size_t i) {
	struct wteam *t = w->teams[i];

	epoll_ctl(w->epfd, EPOLL_CTL_DEL, team_ab_fd(t->t), NULL);
	team_ab_free(t->t);
	t->t = NULL;
	t->closed = true;
	t->next_closed = w->teams_closed;
	w->teams_closed = t;
	w->teams[i] = w->teams[--w->n_teams];
}

void watch_teams_reap(struct watch *w) {
	while (w->teams_closed) {
		struct wteam *t = w->teams_closed;

		w->teams_closed = t->next_closed;
		free(t);
	}
}

void watch_unsubscribe(struct watch *w, struct wns *n) {
	if (n->ev) {
		nlev_remove_netns(w->events, n->ev);
		n->ev = NULL;
	}
	/* every reference hanet holds on the namespace goes, so that a
	 * deleted one really dies (and its veth peers with it) */
	nls_drop(w->s.nls, n->name);
	for (size_t i = w->n_teams; i-- > 0;)
		if (netns_eq(team_ab_netns(w->teams[i]->t), n->name))
			watch_team_close(w, i);
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
	int r;

	r = ns_identity(n->name, &n->dev, &n->ino);
	if (r < 0)
		return r;
	r = nlev_add_netns(w->events, n->name, NLEV_G_LINK | NLEV_G_ADDR | NLEV_G_ROUTE | NLEV_G_RULE, n, &n->ev);
	if (r < 0)
		return r;
	log_debug("netns %s: watching its events", watch_ns_label(n->name));
	return 0;
}

/* Bring the subscriptions in line with /run/netns: a namespace gone (or
 * replaced by another of the same name) loses its socket; one that exists
 * gets one.  Returns true when anything changed (observe everything). */

bool watch_ns_check(struct watch *w) {
	bool changed = false;

	for (size_t i = 0; i < w->n_ns; i++) {
		struct wns *n = w->ns[i];
		dev_t dev = 0;          /* set whenever exists and n->name */
		ino_t ino = 0;
		bool exists;

		if (!n->used) {
			if (n->ev) {
				watch_unsubscribe(w, n);
				changed = true;
			}
			continue;
		}
		exists = !n->name || (netns_exists(n->name) && ns_identity(n->name, &dev, &ino) >= 0);
		if (n->ev && (!exists || (n->name && (dev != n->dev || ino != n->ino)))) {
			log_info("netns %s: %s", n->name, exists ? "replaced" : "gone");
			watch_unsubscribe(w, n);
			changed = true;
		}
		if (exists && !n->ev) {
			int r = subscribe(w, n);

			if (r == -EPERM && !n->said_eperm) {
				/* not a namespace still coming: the process lacks
				 * a capability, and nothing of it would be heard */
				n->said_eperm = true;
				log_warning("netns %s: cannot hear its events without CAP_NET_BROADCAST; its drift is "
				            "repaired only by the periodic resync", watch_ns_label(n->name));
			} else if (r < 0)
				log_debug_errno(r, "netns %s: cannot watch it yet: %m", watch_ns_label(n->name));
			else
				changed = true;
		}
	}
	return changed;
}

/* The namespaces of the current profile's observe requests. */

void watch_ns_mark_used(struct watch *w) {
	for (size_t i = 0; i < w->n_ns; i++)
		w->ns[i]->used = false;
	for (size_t i = 0; i < w->s.n_reqs; i++) {
		struct wns *n = wns_get(w, w->s.reqs[i].netns);

		if (n)
			n->used = true;
	}
}

/* ---- events --------------------------------------------------------------------------------------- */

static void on_link(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], nsb[270];
	const struct want *wl;
	struct wteam *t;

	if (ev->type == NLEV_LINK_CHANGE && (ev->flags & NLEV_F_CARRIER_CHANGED) && (t = watch_team_of_port(w, n->name, ev))) {
		/* the team driver says it too (libteam), maybe later */
		if (team_ab_refresh(t->t) >= 0)
			watch_team_select(w, t, ev->t_ns);
	}
	if (!watch_link_relevant(w, ev->ifname))
		return;
	wl = watch_want_find(w, n->name, ev->ifname);

	if (ev->type == NLEV_LINK_CHANGE) {
		if (ev->flags & NLEV_F_CARRIER_CHANGED)
			records_carrier(w->rec, ev->t_ns, n->name, ev->ifname, ev->flags & NLEV_F_CARRIER);
		if ((ev->flags & NLEV_F_ACTIVE_SLAVE_CHANGED) && wl && wl->kind == LINK_BOND) {
			struct bond_seen *b = watch_bond_seen(w, n->name, ev->ifname, true);

			records_bond_active(w->rec, ev->t_ns, n->name, ev->ifname, b ? b->active : "", ev->active_slave);
			log_info("bond %s%s: active slave %s -> %s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)),
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
		snprintf(what, sizeof(what), "link %s deleted%s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
		/* a deleted link is set down first: say what really happened */
		if (w->cause[0] && strcmp(w->cause_link, ev->ifname) == 0)
			snprintf(w->cause, sizeof(w->cause), "%s", what);
		watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		break;
	case NLEV_LINK_NEW:
		snprintf(what, sizeof(what), "link %s appeared%s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
		watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		break;
	default:
		if ((ev->flags & NLEV_F_ADMIN_CHANGED) && !(ev->flags & NLEV_F_ADMIN_UP)) {
			snprintf(what, sizeof(what), "link %s set down%s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
			if (!w->cause[0])
				snprintf(w->cause_link, sizeof(w->cause_link), "%s", ev->ifname);
			/* routes through the link went with it (IPv4 says nothing):
			 * the resync that follows puts them back */
			if (wl)
				watch_fast_link_down(w, n, ev, what);
			watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		} else if (ev->flags & NLEV_F_MASTER_CHANGED) {
			snprintf(what, sizeof(what), "link %s: master changed%s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
			watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
		} else if (ev->flags & (NLEV_F_ADMIN_CHANGED | NLEV_F_CARRIER_CHANGED | NLEV_F_ACTIVE_SLAVE_CHANGED |
		                        NLEV_F_SLAVE_STATE_CHANGED)) {
			/* up, carrier, failover: nothing to repair, but confirm */
			watch_mark_confirm(w, n, ev->arrived_ns);
		} else {
			/* mtu, mac, name, alias, kind options...: the message does
			 * not say which, and the kernel sends such messages for its
			 * own reasons too (IPv6 configuration, operstate): a resync
			 * soon, the cause only if nothing better is seen */
			snprintf(what, sizeof(what), "link %s changed%s", ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
			if (!w->echo && !w->weak_cause[0])
				snprintf(w->weak_cause, sizeof(w->weak_cause), "%s", what);
			watch_mark_dirty(w, n, NULL, ev->arrived_ns, w->o->debounce_us);
		}
		break;
	}
}

static void on_addr(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], ip[IPADDR_STRLEN], nsb[270];
	const struct vip *v;
	bool desired = ev->ifname[0] && watch_addr_desired(w, n->name, ev->ifname, &ev->addr, &v);

	if (!desired && !(ev->ifname[0] && owner_has_addr(w->s.owner, n->name, ev->ifname, &ev->addr)))
		return;
	if (ev->type == NLEV_ADDR_NEW) {
		watch_mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	format_ipaddr(&ev->addr, true, ip, sizeof(ip));
	if (v)
		snprintf(what, sizeof(what), "vip %s %s removed from %s%s", v->name, ip, ev->ifname,
		         watch_in_ns(n->name, nsb, sizeof(nsb)));
	else
		snprintf(what, sizeof(what), "address %s removed from %s%s", ip, ev->ifname, watch_in_ns(n->name, nsb, sizeof(nsb)));
	if (desired && watch_fast_addr_hold(w, n, ev, what))
		return;
	watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
}

static void on_route(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], ip[IPADDR_STRLEN], nsb[270];
	ssize_t idx = watch_route_desired(w, n->name, ev);

	if (idx < 0 && ev->protocol != RTPROT_HANET)
		return;
	if (ev->type == NLEV_ROUTE_NEW || idx < 0) {
		watch_mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	format_ipaddr(&ev->addr, true, ip, sizeof(ip));
	{
		const struct route *r = w->s.routes->v[idx];

		snprintf(what, sizeof(what), "route %s%s%s removed%s", r->name ? r->name : "", r->name ? " " : "",
		         ev->addr.plen ? ip : "default", watch_in_ns(n->name, nsb, sizeof(nsb)));
	}
	/* after a held address repair there: the route may need it */
	watch_fast_flush_ns(w, n);
	if (watch_fast_route(w, n, idx, what, ev->arrived_ns)) {
		watch_mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	watch_mark_dirty(w, n, what, ev->arrived_ns, w->o->debounce_us);
}

static void on_rule(struct watch *w, struct wns *n, const struct nlev *ev) {
	char what[600], nsb[270];

	if (ev->protocol != RTPROT_HANET && !watch_rules_in(w, n->name))
		return;
	if (ev->type == NLEV_RULE_NEW) {
		watch_mark_confirm(w, n, ev->arrived_ns);
		return;
	}
	snprintf(what, sizeof(what), "rule priority %u table %u removed%s", ev->priority, ev->table,
	         watch_in_ns(n->name, nsb, sizeof(nsb)));
	watch_mark_dirty(w, n, what, ev->t_ns, w->o->debounce_us);
}

void watch_on_nlev(const struct nlev *ev, void *data) {
	struct wns *n = ev->tag;
	struct watch *w = data;

	/* a held repair of this namespace first: its address and link
	 * events in order (the routes an address removal takes with it are
	 * no reason to let the other namespaces' repairs wait) */
	if (ev->type != NLEV_ROUTE_NEW && ev->type != NLEV_ROUTE_DEL && ev->type != NLEV_RULE_NEW &&
	    ev->type != NLEV_RULE_DEL)
		watch_fast_flush_ns(w, n);

	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		char line[512];

		nlev_format(ev, line, sizeof(line));
		log_debug("event%s: %s", w->echo ? " (echo)" : "", line);
	}

	switch (ev->type) {
	case NLEV_OVERFLOW:
		/* one socket for every namespace: said and recorded once, each
		 * namespace observed again */
		if (ev->overflow_i == 0) {
			records_overflow(w->rec, ev->t_ns, ev->overflow_n);
			log_warning("events were lost (socket overflow): observing the %zu namespace%s again",
			            ev->overflow_n, ev->overflow_n == 1 ? "" : "s");
		}
		watch_mark_dirty(w, n, "events lost (socket overflow)", ev->t_ns, 0);
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

/* Reading the events failed: treated like an overflow, since what was
 * missed is not known.  Every namespace is subscribed again (its link
 * table read again) at the resync. */
void watch_events_lost(struct watch *w, int err) {
	log_warning_errno(err, "reading events: %m; observing every namespace again");
	watch_fast_flush(w);
	for (size_t i = 0; i < w->n_ns; i++)
		watch_unsubscribe(w, w->ns[i]);
	watch_mark_dirty(w, NULL, "events lost (socket error)", now_ns(), w->o->debounce_us);
}

void watch_on_nlev_fd(struct watch *w) {
	int r = nlev_dispatch(w->events, watch_on_nlev, w);

	if (r < 0)
		watch_events_lost(w, r);
}

void watch_on_inotify(struct watch *w) {
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
				watch_unsubscribe(w, n);
				watch_mark_dirty(w, NULL, what, now_ns(), w->o->debounce_us);
			} else if (!w->echo) {
				watch_mark_dirty(w, NULL, NULL, now_ns(), w->o->debounce_us);
			}
			/* a namespace that came while a plan was applied (made by
			 * it, most likely) is subscribed and observed by that
			 * resync's verify: no resync of everything after it */
		}
	}
}
