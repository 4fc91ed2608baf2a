/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply: the plan's actions through the backends, with a journal that
 * undoes them.  See apply.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "apply.h"
#include "link.h"
#include "netns.h"
#include "hnl.h"
#include "owner.h"
#include "plan.h"
#include "route.h"
#include "rule.h"
#include "observe.h"
#include "util.h"

struct done {
	const struct action *a;
	uint8_t *ok;                    /* route actions: which routes went through */
	/* LINK_SET whose plan did not know the link's MAC: read before the
	 * change, for the undo */
	uint8_t old_mac[ETH_ALEN_];
	bool old_mac_read;
	size_t step;                    /* index in the plan (the hook's name for it) */
	bool uncertain;                 /* adopted: may not have run, its undo may fail */
};

struct apply {
	struct nls *nls;
	struct owner *owner;
	/* ifindexes known: netns -> a map of its names -> ifindex (the
	 * names in pool), so that a namespace deleted goes at once */
	struct namemap cache;
	struct strpool *pool;
	struct done *journal;
	size_t n_journal;
	const struct vip **vips;
	size_t n_vips;
	bool undo_failed;                   /* a rollback did not undo everything */
	/* the records as they were, to put back on rollback */
	char *orig_owned, *orig_routes;
	size_t orig_owned_len, orig_routes_len;
	bool orig_saved;
	bool orig_routes_saved;         /* PROFILE.routes too (route actions) */
	bool intent_written;
	const struct apply_opts *opts;
	const struct apply_hook *hook;  /* a copy of the journal elsewhere (apply_set_hook) */
	size_t n_undone;                /* undo steps run (HANET_KILL_AT=undo:K) */
	size_t n_route_acks;            /* answers to route messages (HANET_KILL_AT=route:K) */
	/* the routes (every table) through the devices the plan disturbs,
	 * as they were before the first step: the rollback adds back those
	 * gone; owned by saved_st, or by the caller (apply_adopt_records) */
	struct state *saved_st;
	const struct route **saved;
	size_t n_saved;
	char *err;
	size_t errsize;
};

int apply_new(struct nls *nls, struct owner *owner, struct apply **ret) {
	struct apply *ap = calloc(1, sizeof(*ap));

	if (!ap)
		return -ENOMEM;
	ap->pool = strpool_new();
	if (!ap->pool) {
		free(ap);
		return -ENOMEM;
	}
	ap->nls = nls;
	ap->owner = owner;
	*ret = ap;
	return 0;
}

static void ifindex_cache_clear(struct apply *ap);

void apply_free(struct apply *ap) {
	if (!ap)
		return;
	ifindex_cache_clear(ap);
	strpool_free(ap->pool);
	for (size_t i = 0; i < ap->n_journal; i++)
		free(ap->journal[i].ok);
	free(ap->journal);
	free(ap->vips);
	free(ap->orig_owned);
	free(ap->orig_routes);
	free(ap->saved);
	state_free(ap->saved_st);
	free(ap);
}

size_t apply_done(const struct apply *ap) { return ap->n_journal; }
bool apply_undo_failed(const struct apply *ap) { return ap->undo_failed; }

size_t apply_vips(const struct apply *ap, const struct vip *const **ret) {
	*ret = ap->vips;
	return ap->n_vips;
}

void apply_set_hook(struct apply *ap, const struct apply_hook *h) { ap->hook = h; }

/* HANET_KILL_AT=K (step K), undo:K (the K-th undo) or route:K (when
 * the kernel's answer to the K-th route message of the run comes in:
 * in the middle of a batch, the messages after it sent or not), a
 * testing aid: the process kills itself (SIGKILL) there, once the hook
 * knows the step has begun, as if killed in the middle of it. */
static void kill_point_at(const char *prefix, size_t k) {
#ifdef HANET_TEST_HOOKS
	const char *s = getenv("HANET_KILL_AT");
	size_t n = strlen(prefix);
	uint64_t v;

	if (!s || strncmp(s, prefix, n) != 0 || (!n && strchr(s, ':')))
		return;
	if (parse_u64(s + n, &v) == 0 && v == k)
		raise(SIGKILL);
#else
	(void)prefix;
	(void)k;
#endif
}

static void kill_point(bool undo, size_t k) {
	kill_point_at(undo ? "undo:" : "", k);
}

static int hook_event(struct apply *ap, enum apply_event ev, const struct done *d) {
	if (!ap->hook || !ap->hook->event)
		return 0;
	return ap->hook->event(ap->hook->data, ev, d->step, d->a, d->ok, d->old_mac_read ? d->old_mac : NULL);
}

/* Only the test build (HANET_TEST_HOOKS: build/tests/hanet-test) reads
 * HANET_FAIL_AT and HANET_KILL_AT; hanet itself has neither. */
size_t apply_fail_at_from_env(void) {
#ifdef HANET_TEST_HOOKS
	const char *s = getenv("HANET_FAIL_AT");
	uint64_t v;

	if (!s || parse_u64(s, &v) < 0)
		return 0;
	return (size_t)v;
#else
	return 0;
#endif
}

static int set_err(struct apply *ap, int r, const char *fmt, ...) _printf_(3, 4);
static int set_err(struct apply *ap, int r, const char *fmt, ...) {
	va_list ap_;

	if (ap->err && ap->errsize && !ap->err[0]) {
		va_start(ap_, fmt);
		vsnprintf(ap->err, ap->errsize, fmt, ap_);
		va_end(ap_);
	}
	return r;
}

/* ---- names to indexes ------------------------------------------------------------ */

static void ifindex_cache_clear(struct apply *ap) {
	for (size_t i = 0; i < ap->cache.cap; i++)
		if (ap->cache.slots[i].hash) {
			namemap_clear(ap->cache.slots[i].val);
			free(ap->cache.slots[i].val);
		}
	namemap_clear(&ap->cache);
}

static void ifindex_forget(struct apply *ap, const char *netns, const char *name) {
	struct namemap *m = namemap_get(&ap->cache, netns, NULL);

	if (!m)
		return;
	if (name) {
		namemap_del(m, NULL, name);
		return;
	}
	namemap_del(&ap->cache, netns, NULL);
	namemap_clear(m);
	free(m);
}

static void ifindex_put(struct apply *ap, const char *netns, const char *name, int ifindex) {
	struct namemap *m = namemap_get(&ap->cache, netns, NULL);
	const char *key = strpool_intern(ap->pool, name);

	if (!key || ifindex <= 0)
		return;     /* only a cache */
	if (!m) {
		const char *ns = netns && *netns ? strpool_intern(ap->pool, netns) : NULL;

		if ((netns && *netns && !ns) || !(m = calloc(1, sizeof(*m))))
			return;
		if (namemap_put(&ap->cache, ns, NULL, m) < 0) {
			free(m);
			return;
		}
	}
	(void)namemap_put(m, NULL, key, (void *)(uintptr_t)ifindex);
}

void apply_seed(struct apply *ap, const struct state *st) {
	for (size_t i = 0; i < st->n_ns; i++)
		for (size_t j = 0; st->ns[i].exists && j < st->ns[i].n_links; j++)
			ifindex_put(ap, st->ns[i].name, st->ns[i].links[j].name, st->ns[i].links[j].ifindex);
}

static int get_nl(struct apply *ap, const char *netns, struct hnl **ret) {
	return nls_get(ap->nls, netns && *netns ? netns : NULL, ret);
}

static int ifindex_of(struct apply *ap, const char *netns, const char *name) {
	const struct namemap *m;
	struct link l;
	struct hnl *nl;
	int r;

	if (netns && !*netns)
		netns = NULL;
	m = namemap_get(&ap->cache, netns, NULL);
	r = m ? (int)(uintptr_t)namemap_get(m, NULL, name) : 0;
	if (r > 0)
		return r;
	r = get_nl(ap, netns, &nl);
	if (r < 0)
		return r;
	r = observe_get_link(nl, name, &l);
	if (r < 0)
		return r;
	ifindex_put(ap, netns, l.name, l.ifindex);
	r = l.ifindex;
	link_fini(&l);
	return r;
}

static int ctx_ifindex(const struct link_ctx *ctx, const char *netns, const char *name) {
	return ifindex_of(ctx->data, netns, name);
}

static int ctx_netns_fd(const struct link_ctx *ctx, const char *netns) {
	struct hnl *nl;
	int r = get_nl(ctx->data, netns, &nl);

	return r < 0 ? r : hnl_netns_fd(nl);
}

static int ctx_get_link(const struct link_ctx *ctx, const char *name, struct link *ret) {
	return observe_get_link(ctx->nl, name, ret);
}

static int link_ctx_init(struct apply *ap, const char *netns, struct link_ctx *ctx) {
	struct hnl *nl;
	int r = get_nl(ap, netns, &nl);

	if (r < 0)
		return r;
	*ctx = (struct link_ctx){
		.nl = nl, .netns = netns, .ifindex = ctx_ifindex, .netns_fd = ctx_netns_fd,
		.get_link = ctx_get_link, .data = ap,
	};
	return 0;
}

/* ---- the kernel's answer --------------------------------------------------------- */

/* Record what failed: "TEXT: MESSAGE (kernel: EXTACK)". */
static int kerr(struct apply *ap, struct hnl *nl, int r, const char *what) {
	const char *ext = nl ? hnl_errmsg(nl) : "";

	if (ext && *ext)
		return set_err(ap, r, "%s: %s (kernel: %s)", what, strerror(-r), ext);
	return set_err(ap, r, "%s: %s", what, strerror(-r));
}

/* ---- links -------------------------------------------------------------------------- */

static int do_link_change(struct apply *ap, const char *netns, const char *name, const struct link_change *c,
                          const char *what) {
	struct hnl *nl;
	int idx, r;

	r = get_nl(ap, netns, &nl);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	idx = ifindex_of(ap, netns, name);
	if (idx < 0)
		return kerr(ap, nl, idx, what);
	r = link_change(nl, idx, c);
	if (r < 0)
		return kerr(ap, nl, r, what);
	return 0;
}

static int link_set_up(struct apply *ap, const char *netns, const char *name, bool up) {
	struct link_change c;
	char what[128];

	link_change_init(&c);
	c.up = up ? 1 : 0;
	snprintf(what, sizeof(what), "link %s: %s", name, up ? "up" : "down");
	return do_link_change(ap, netns, name, &c, what);
}

static int link_set_master(struct apply *ap, const char *netns, const char *name, const char *master) {
	struct link_change c;
	char what[128];
	int idx = 0;

	link_change_init(&c);
	snprintf(what, sizeof(what), "link %s: %s %s", name, master[0] ? "enslave to" : "release", master);
	if (master[0]) {
		idx = ifindex_of(ap, netns, master);
		if (idx < 0)
			return kerr(ap, NULL, idx, what);
	}
	c.master = idx;
	return do_link_change(ap, netns, name, &c, what);
}

static int link_set_attrs(struct apply *ap, const char *netns, const char *name, unsigned set, uint32_t mtu,
                          const uint8_t *mac, const char *alias) {
	struct link_change c;
	char what[128];

	link_change_init(&c);
	c.set = set;
	c.mtu = mtu;
	memcpy(c.mac, mac, ETH_ALEN_);
	c.alias = alias;
	snprintf(what, sizeof(what), "link %s: set attributes", name);
	return do_link_change(ap, netns, name, &c, what);
}

/* The MAC address a link has now. */
static int link_mac_get(struct apply *ap, const char *netns, const char *name, uint8_t *ret) {
	char what[128];
	struct link l;
	struct hnl *nl;
	int r;

	snprintf(what, sizeof(what), "link %s: reading its MAC address", name);
	r = get_nl(ap, netns, &nl);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	r = observe_get_link(nl, name, &l);
	if (r < 0)
		return kerr(ap, nl, r, what);
	if (!(l.set & LINK_SET_MAC))
		r = set_err(ap, -EADDRNOTAVAIL, "%s: it has none", what);
	else
		memcpy(ret, l.mac, ETH_ALEN_);
	link_fini(&l);
	return r < 0 ? r : 0;
}

/* LINK_SET: a team's port takes the team's MAC as it is now (mac_of);
 * a link whose MAC the plan did not know has it read first, for the undo. */
static int link_set_action(struct apply *ap, const struct action *a, struct done *d) {
	uint8_t mac[ETH_ALEN_];
	int r;

	memcpy(mac, a->mac, ETH_ALEN_);
	if ((a->set & LINK_SET_MAC) && a->mac_of[0]) {
		r = link_mac_get(ap, a->netns, a->mac_of, mac);
		if (r < 0)
			return r;
	}
	if ((a->set & LINK_SET_MAC) && a->old_mac_unknown) {
		r = link_mac_get(ap, a->netns, a->name, d->old_mac);
		if (r < 0)
			return r;
		d->old_mac_read = true;
	}
	return link_set_attrs(ap, a->netns, a->name, a->set, a->mtu, mac, a->alias);
}

static int link_move(struct apply *ap, const char *from, const char *to, const char *name) {
	struct link_change c;
	struct hnl *tonl;
	char what[128];
	int r;

	snprintf(what, sizeof(what), "link %s: move to netns %s", name, netns_str(to));
	r = get_nl(ap, to, &tonl);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	link_change_init(&c);
	c.netns_fd = hnl_netns_fd(tonl);
	r = do_link_change(ap, from, name, &c, what);
	ifindex_forget(ap, from, name);
	ifindex_forget(ap, to, name);
	return r;
}

struct created {
	struct apply *ap;
	const char *netns;
};

/* The kernel's echo of a new link (NLM_F_ECHO): its index, without asking. */
static int created_cb(const struct nlmsghdr *nlh, void *data) {
	struct created *c = data;
	struct link l;

	if (nlh->nlmsg_type == RTM_NEWLINK && observe_parse_link(nlh, &l) == 0) {
		ifindex_put(c->ap, c->netns, l.name, l.ifindex);
		link_fini(&l);
	}
	return MNL_CB_OK;
}

static int link_create(struct apply *ap, const struct link *l, const char *sock_netns, bool restore,
                       const struct link *peer) {
	char buf[NL_MSG_SIZE], what[160];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct link_ctx ctx;
	int fd = -1, r;

	snprintf(what, sizeof(what), "link %s: create %s", l->name, link_kind_name(l->kind));
	r = link_ctx_init(ap, sock_netns, &ctx);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	if (!netns_eq(l->netns, sock_netns)) {
		fd = ctx_netns_fd(&ctx, l->netns);
		if (fd < 0)
			return kerr(ap, NULL, fd, what);
	}
	r = link_build_create(nlh, l, &ctx, fd, restore);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	ifindex_forget(ap, l->netns, l->name);
	if (l->kind == LINK_VETH)
		ifindex_forget(ap, l->u.veth.peer_netns && *l->u.veth.peer_netns ? l->u.veth.peer_netns : NULL,
		               l->u.veth.peer);
	if (fd < 0) {
		/* created where the request goes: the echo names its index there */
		struct created c = { .ap = ap, .netns = l->netns };

		nlh->nlmsg_flags |= NLM_F_ECHO;
		r = hnl_request(ctx.nl, nlh, created_cb, &c);
	} else {
		r = hnl_request(ctx.nl, nlh, NULL, NULL);
		/* put back into another namespace than the one the request
		 * goes to: the kernel (before Linux 6.5) makes the link in the
		 * request's namespace first, where another device may have its
		 * index (EEXIST, EBUSY); it comes back with another one */
		if ((r == -EEXIST || r == -EBUSY) && restore && l->ifindex > 0) {
			nlh = hnl_msg_new(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			r = link_build_create(nlh, l, &ctx, fd, false);
			if (r < 0)
				return kerr(ap, NULL, r, what);
			r = hnl_request(ctx.nl, nlh, NULL, NULL);
		}
	}
	if (r < 0)
		return kerr(ap, ctx.nl, r, what);
	if (!restore)
		return 0;
	/* put back what the link had beyond what creation sets */
	for (int end = 0; end < 2; end++) {
		const struct link *x = end == 0 ? l : peer;

		if (!x)
			continue;
		if (x->alias && (r = link_set_attrs(ap, x->netns, x->name, LINK_SET_ALIAS, 0, x->mac, x->alias)) < 0)
			return r;
		if (x->master[0] && (r = link_set_master(ap, x->netns, x->name, x->master)) < 0)
			return r;
		/* a VLAN cannot come up while its lower device is down; the
		 * kernel brings it up with the lower one (whose own undo comes
		 * later in the rollback) */
		if (x->up && (r = link_set_up(ap, x->netns, x->name, true)) < 0 && r != -ENETDOWN)
			return r;
	}
	return 0;
}

static int link_remove(struct apply *ap, const char *netns, const struct link *l) {
	char what[128];
	struct hnl *nl;
	int idx, r;

	snprintf(what, sizeof(what), "link %s: delete", l->name);
	r = get_nl(ap, netns, &nl);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	idx = ifindex_of(ap, netns, l->name);
	if (idx < 0)
		return kerr(ap, nl, idx, what);
	r = link_delete(nl, idx);
	ifindex_forget(ap, netns, l->name);
	if (l->kind == LINK_VETH)
		ifindex_forget(ap, l->u.veth.peer_netns && *l->u.veth.peer_netns ? l->u.veth.peer_netns : NULL,
		               l->u.veth.peer);
	if (r < 0)
		return kerr(ap, nl, r, what);
	return 0;
}

static int link_kind_change(struct apply *ap, const char *netns, const struct link *want, const struct link *have) {
	char buf[NL_MSG_SIZE], what[128];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	struct link_ctx ctx;
	struct link h;
	int r, idx;

	snprintf(what, sizeof(what), "link %s: change %s options", want->name, link_kind_name(want->kind));
	r = link_ctx_init(ap, netns, &ctx);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	idx = ifindex_of(ap, netns, want->name);
	if (idx < 0)
		return kerr(ap, ctx.nl, idx, what);
	h = *have;
	h.ifindex = idx;
	{
		const struct link_ops *ops = link_ops_get(want->kind);

		/* a team has no IFLA_INFO_DATA: its backend does it all in apply_extra */
		if (ops && ops->fill_info_data) {
			r = link_build_change(nlh, want, &h, &ctx);
			if (r < 0)
				return kerr(ap, NULL, r, what);
			r = hnl_request(ctx.nl, nlh, NULL, NULL);
			if (r < 0)
				return kerr(ap, ctx.nl, r, what);
		}
		if (ops && ops->apply_extra && (r = ops->apply_extra(want, &h, &ctx)) < 0)
			return kerr(ap, ctx.nl, r, what);
	}
	return 0;
}

/* What a backend sets once the link's ports are attached (team options
 * and port priorities, a bond's primary). */
static int link_extra(struct apply *ap, const char *netns, const struct link *want, const struct link *have) {
	const struct link_ops *ops = link_ops_get(want->kind);
	struct link_ctx ctx;
	char what[128];
	int r;

	if (!ops || !ops->apply_extra)
		return 0;
	snprintf(what, sizeof(what), "link %s: %s settings", want->name, link_kind_name(want->kind));
	r = link_ctx_init(ap, netns, &ctx);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	r = ops->apply_extra(want, have, &ctx);
	return r < 0 ? kerr(ap, ctx.nl, r, what) : 0;
}

/* ---- addresses ---------------------------------------------------------------------- */

static int addr_do(struct apply *ap, const struct addr *a, bool add, bool replace) {
	char what[160], ip[IPADDR_STRLEN];
	struct hnl *nl;
	int idx, r;

	snprintf(what, sizeof(what), "addr %s dev %s: %s", format_ipaddr(&a->ip, true, ip, sizeof(ip)), a->dev,
	         add ? (replace ? "change" : "add") : "remove");
	r = get_nl(ap, a->netns, &nl);
	if (r < 0)
		return kerr(ap, NULL, r, what);
	idx = ifindex_of(ap, a->netns, a->dev);
	if (idx < 0)
		return kerr(ap, nl, idx, what);
	r = add ? addr_add(nl, a, idx, replace) : addr_del(nl, a, idx);
	if (r < 0)
		return kerr(ap, nl, r, what);
	return 0;
}

/* ---- routes --------------------------------------------------------------------------- */

struct route_run {
	struct apply *ap;
	const char *netns;
	const struct route *const *routes;
	uint8_t *ok;                    /* per message sent */
	size_t n;
	int first_error;
	size_t first_failed;
	char errmsg[256];
	uint64_t t0, last_progress;
	const char *label;
	/* the last device looked up */
	char last_dev[IFNAMSIZ];
	int last_idx;
};

static int route_dev_ifindex(const char *name, void *data) {
	struct route_run *rr = data;
	int idx;

	if (rr->last_dev[0] && strcmp(rr->last_dev, name) == 0)
		return rr->last_idx;
	idx = ifindex_of(rr->ap, rr->netns, name);
	if (idx >= 0) {
		snprintf(rr->last_dev, sizeof(rr->last_dev), "%s", name);
		rr->last_idx = idx;
	}
	return idx;
}

static void route_ack(size_t index, int error, void *data) {
	struct route_run *rr = data;

	if (index >= rr->n)
		return;
	kill_point_at("route:", ++rr->ap->n_route_acks);
	if (rr->ok)
		rr->ok[index] = error == 0;
	if (error < 0 && rr->first_error == 0) {
		struct hnl *nl;

		rr->first_error = error;
		rr->first_failed = index;
		if (get_nl(rr->ap, rr->netns, &nl) == 0)
			snprintf(rr->errmsg, sizeof(rr->errmsg), "%s", hnl_errmsg(nl));
	}
	if (rr->ap->opts && rr->ap->opts->progress && (index & 4095) == 0 && rr->n > 20000) {
		uint64_t now = now_us();

		if (now - rr->t0 > 1000000 && now - rr->last_progress > 1000000) {
			fprintf(stderr, "hanet: %s: %zu/%zu routes\n", rr->label, index, rr->n);
			rr->last_progress = now;
		}
	}
}

enum route_op {
	ROUTE_OP_ADD,           /* create, fail if there */
	ROUTE_OP_REPLACE,       /* create or replace */
	ROUTE_OP_DEL,
};

/* One batch of route messages: `only` (may be NULL) selects which
 * routes to send; `ok` (may be NULL) gets which went through. */
static int routes_do(struct apply *ap, const char *netns, const struct route *const *routes, size_t n,
                     const uint8_t *only, uint8_t *ok, enum route_op op, uint8_t protocol, const char *label) {
	struct route_run rr = { .ap = ap, .netns = netns, .routes = routes, .label = label };
	struct hnl_batch *b = NULL;
	struct hnl *nl;
	size_t *index_of = NULL, sent = 0;
	uint8_t *sent_ok = NULL;
	char buf[256];
	int r;

	rr.t0 = now_us();
	r = get_nl(ap, netns, &nl);
	if (r < 0)
		return kerr(ap, NULL, r, label);
	/* messages are numbered as sent: map them back to routes */
	index_of = malloc((n ? n : 1) * sizeof(*index_of));
	sent_ok = calloc(n ? n : 1, 1);
	if (!index_of || !sent_ok) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!only || only[i])
			index_of[sent++] = i;
	if (ok)
		memset(ok, 0, n);
	rr.ok = sent_ok;
	rr.n = sent;
	r = hnl_batch_new(nl, route_ack, &rr, &b);
	if (r < 0)
		goto out;
	for (size_t k = 0; k < sent; k++) {
		const struct route *rt = routes[index_of[k]];
		struct nlmsghdr *nlh;

		nlh = hnl_batch_msg(b, op == ROUTE_OP_DEL ? RTM_DELROUTE : RTM_NEWROUTE,
		                   op == ROUTE_OP_ADD ? NLM_F_CREATE | NLM_F_EXCL
		                   : op == ROUTE_OP_REPLACE ? NLM_F_CREATE | NLM_F_REPLACE : 0);
		if (!nlh)
			break;      /* the batch broke: commit says why */
		r = op == ROUTE_OP_DEL ? route_build_del(nlh, rt, protocol)
		                       : route_build_new(nlh, rt, protocol, route_dev_ifindex, &rr);
		if (r < 0) {
			set_err(ap, r, "%s: %s: %s", label, route_format(rt, buf, sizeof(buf)), strerror(-r));
			break;
		}
		r = hnl_batch_next(b);
		if (r < 0)
			break;
	}
	{
		int q = hnl_batch_commit(b);

		if (r >= 0)
			r = q;
	}
	if (ok)
		for (size_t k = 0; k < sent; k++)
			ok[index_of[k]] = sent_ok[k];
	if (rr.first_error < 0) {
		const struct route *rt = routes[index_of[rr.first_failed]];
		size_t failed = hnl_batch_failed(b);
		char more[64] = "";

		if (failed > 1)
			snprintf(more, sizeof(more), " (and %zu more)", failed - 1);
		if (rr.errmsg[0])
			set_err(ap, rr.first_error, "%s: %s: %s (kernel: %s)%s", label, route_format(rt, buf, sizeof(buf)),
			        strerror(-rr.first_error), rr.errmsg, more);
		else
			set_err(ap, rr.first_error, "%s: %s: %s%s", label, route_format(rt, buf, sizeof(buf)),
			        strerror(-rr.first_error), more);
		r = rr.first_error;
	} else if (r < 0) {
		set_err(ap, r, "%s: %s", label, strerror(-r));
	}
out:
	hnl_batch_free(b);
	free(index_of);
	free(sent_ok);
	return r;
}

/* ---- namespaces ------------------------------------------------------------------------ */

struct fwd {
	bool v4, v6;
};

static int write_str(const char *path, const char *s) {
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int fwd_write(void *data) {
	const struct fwd *f = data;
	int r = write_str("/proc/sys/net/ipv4/conf/all/forwarding", f->v4 ? "1" : "0");

	if (r < 0)
		return r;
	return write_str("/proc/sys/net/ipv6/conf/all/forwarding", f->v6 ? "1" : "0");
}

static int forwarding_set(struct apply *ap, const char *netns, bool v4, bool v6) {
	struct fwd f = { v4, v6 };
	int r = netns && *netns ? netns_run(netns, fwd_write, &f) : fwd_write(&f);

	if (r < 0)
		return set_err(ap, r, "netns %s: forwarding: %s", netns_str(netns), strerror(-r));
	return 0;
}

static int ns_add(struct apply *ap, const char *name) {
	int r = netns_add(name);

	if (r < 0)
		return set_err(ap, r, "netns %s: create: %s", name, strerror(-r));
	return 0;
}

static int ns_del(struct apply *ap, const char *name) {
	int r;

	nls_drop(ap->nls, name);
	ifindex_forget(ap, name, NULL);
	r = netns_delete(name);
	if (r < 0)
		return set_err(ap, r, "netns %s: delete: %s", name, strerror(-r));
	return 0;
}

/* ---- what the kernel took away ------------------------------------------------------------ */

static int restore_lost(struct apply *ap, const struct action *a) {
	int r, first = 0;

	for (size_t i = 0; i < a->n_lost_addrs; i++) {
		r = addr_do(ap, &a->lost_addrs[i], true, false);
		if (r < 0 && r != -EEXIST && !first)
			first = r;
	}
	/* group the routes by namespace (they all are in one, in practice) */
	for (size_t i = 0; i < a->n_lost_routes;) {
		size_t j = i;

		while (j < a->n_lost_routes && netns_eq(a->lost_routes[j]->netns, a->lost_routes[i]->netns))
			j++;
		/* each with the protocol it had: a desired route (no protocol
		 * in the model) that the kernel had as declared is hanet's */
		for (size_t k = i; k < j; k++) {
			r = routes_do(ap, a->lost_routes[k]->netns, &a->lost_routes[k], 1, NULL, NULL, ROUTE_OP_REPLACE,
			              a->lost_routes[k]->protocol ? a->lost_routes[k]->protocol : RTPROT_HANET, "restore route");
			if (r < 0 && !first)
				first = r;
		}
		i = j;
	}
	return first;
}

/* Before a removed primary IPv4 address comes back: remove the addresses
 * of its subnet the kernel kept (one it promoted, and its secondaries);
 * restore_lost adds them again after it.  Those the kernel dropped with
 * the primary are not there (EADDRNOTAVAIL). */
static int unpromote(struct apply *ap, const struct action *a) {
	for (size_t i = 0; i < a->n_lost_addrs; i++) {
		const struct addr *x = &a->lost_addrs[i];
		struct hnl *nl = NULL;
		int r;

		if (x->ip.family != AF_INET || !(x->flags & IFA_F_SECONDARY))
			continue;
		r = get_nl(ap, x->netns, &nl);
		if (r >= 0)
			r = ifindex_of(ap, x->netns, x->dev);
		if (r >= 0)
			r = addr_del(nl, x, r);
		if (r < 0 && r != -EADDRNOTAVAIL) {
			char what[160], ip[IPADDR_STRLEN];

			snprintf(what, sizeof(what), "addr %s dev %s: remove to restore the primary",
			         format_ipaddr(&x->ip, true, ip, sizeof(ip)), x->dev);
			return kerr(ap, nl, r, what);
		}
	}
	return 0;
}

/* The vlans and macvlans above a link whose mtu the kernel lowered with
 * the link's: back to what they had, lower devices first. */
static int restore_mtus(struct apply *ap, const struct action *a) {
	int r, first = 0;

	static const uint8_t no_mac[ETH_ALEN_];

	for (size_t i = 0; i < a->n_mtu_back; i++) {
		r = link_set_attrs(ap, a->mtu_back[i].netns, a->mtu_back[i].name, LINK_SET_MTU, a->mtu_back[i].mtu, no_mac,
		                   NULL);
		if (r < 0 && !first)
			first = r;
	}
	return first;
}

/* ---- the routes of the disturbed devices, in every table ---------------------------------------- */

/* The kernel drops the routes through a device that goes down or loses
 * its last IPv4 address in every table, also in those the plan never
 * looked at.  Before the first step, the routes through every device
 * the plan disturbs are read from all tables (both families); a
 * rollback adds back those gone once every step is undone. */

struct dev_set {
	const char *netns;
	const char *const *names;
	size_t n;
};

/* Which devices of a namespace: from the plan, or from the saved routes. */
struct saved_filter {
	const struct plan *p;
	const struct route *const *routes;
	size_t n_routes;
};

static bool saved_route_uses(const struct route *r, const char *dev) {
	if ((r->set & ROUTE_SET_DEV) && strcmp(r->dev, dev) == 0)
		return true;
	for (size_t i = 0; i < r->n_nexthops; i++)
		if (strcmp(r->nexthops[i].dev, dev) == 0)
			return true;
	return false;
}

static bool saved_route_keep(const struct route *r, const char *netns, void *data) {
	const struct saved_filter *f = data;

	/* the kernel puts back its own routes with the addresses */
	if (r->protocol == RTPROT_KERNEL)
		return false;
	for (size_t i = 0; f->p && i < f->p->n; i++) {
		const struct action *a = &f->p->v[i];

		for (size_t k = 0; k < a->n_disturbed; k++)
			if (netns_eq(a->disturbed[k].netns, netns) && saved_route_uses(r, a->disturbed[k].name))
				return true;
	}
	for (size_t i = 0; i < f->n_routes; i++) {
		const struct route *s = f->routes[i];

		if (!netns_eq(s->netns, netns))
			continue;
		if ((s->set & ROUTE_SET_DEV) && saved_route_uses(r, s->dev))
			return true;
		for (size_t k = 0; k < s->n_nexthops; k++)
			if (saved_route_uses(r, s->nexthops[k].dev))
				return true;
	}
	return false;
}

/* One request per namespace named in the plan's disturbed devices or
 * the saved routes, every table. */
static int saved_reqs(const struct saved_filter *f, struct observe_ns_req **ret, size_t *ret_n) {
	struct observe_ns_req *v = NULL;
	size_t n = 0;

	for (size_t i = 0; f->p && i < f->p->n; i++)
		for (size_t k = 0; k < f->p->v[i].n_disturbed; k++) {
			const char *ns = f->p->v[i].disturbed[k].netns;
			bool seen = false;

			for (size_t j = 0; j < n && !seen; j++)
				seen = netns_eq(v[j].netns, ns);
			if (seen)
				continue;
			struct observe_ns_req *w = realloc(v, (n + 1) * sizeof(*v));

			if (!w) {
				free(v);
				return -ENOMEM;
			}
			v = w;
			v[n++] = (struct observe_ns_req){ .netns = ns && *ns ? ns : NULL, .all_tables = true };
		}
	for (size_t i = 0; i < f->n_routes; i++) {
		const char *ns = f->routes[i]->netns;
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = netns_eq(v[j].netns, ns);
		if (seen)
			continue;
		struct observe_ns_req *w = realloc(v, (n + 1) * sizeof(*v));

		if (!w) {
			free(v);
			return -ENOMEM;
		}
		v = w;
		v[n++] = (struct observe_ns_req){ .netns = ns && *ns ? ns : NULL, .all_tables = true };
	}
	for (size_t j = 0; j < n; j++) {
		v[j].route_filter = saved_route_keep;
		v[j].route_filter_data = (void *)f;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Read the routes of the devices the plan disturbs (nothing when it
 * disturbs none). */
static int routes_save(struct apply *ap, const struct plan *p) {
	struct saved_filter f = { .p = p };
	struct observe_ns_req *reqs = NULL;
	size_t n_reqs = 0, n = 0;
	int r;

	free(ap->saved);
	ap->saved = NULL;
	ap->n_saved = 0;
	state_free(ap->saved_st);
	ap->saved_st = NULL;
	r = saved_reqs(&f, &reqs, &n_reqs);
	if (r < 0 || n_reqs == 0)
		return r;
	r = state_observe(ap->nls, reqs, n_reqs, &ap->saved_st);
	free(reqs);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ap->saved_st->n_ns; i++)
		n += ap->saved_st->ns[i].n_routes;
	if (n && !(ap->saved = calloc(n, sizeof(*ap->saved))))
		return -ENOMEM;
	for (size_t i = 0; i < ap->saved_st->n_ns; i++)
		for (size_t k = 0; k < ap->saved_st->ns[i].n_routes; k++)
			ap->saved[ap->n_saved++] = &ap->saved_st->ns[i].routes[k];
	return 0;
}

/* After every step is undone: add back the saved routes the kernel no
 * longer has (a route with the same key that is there is left alone). */
static int routes_put_back(struct apply *ap) {
	struct saved_filter f = { .routes = ap->saved, .n_routes = ap->n_saved };
	struct observe_ns_req *reqs = NULL;
	struct state *st = NULL;
	size_t n_reqs = 0;
	int r, first = 0;

	if (!ap->n_saved)
		return 0;
	r = saved_reqs(&f, &reqs, &n_reqs);
	if (r >= 0)
		r = state_observe(ap->nls, reqs, n_reqs, &st);
	free(reqs);
	if (r < 0)
		return set_err(ap, r, "reading the routes to put back: %s", strerror(-r));
	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *ns = &st->ns[i];
		struct route_map *have = NULL;
		struct route_key k;

		r = route_map_new(ns->n_routes, &have);
		for (size_t j = 0; r >= 0 && j < ns->n_routes; j++) {
			route_key_of(&ns->routes[j], &k);
			r = route_map_put(have, &k, 0);
		}
		for (size_t j = 0; r >= 0 && j < ap->n_saved; j++) {
			const struct route *s = ap->saved[j];

			if (!netns_eq(s->netns, ns->name))
				continue;
			route_key_of(s, &k);
			if (route_map_get(have, &k, NULL))
				continue;
			r = routes_do(ap, ns->name, &ap->saved[j], 1, NULL, NULL, ROUTE_OP_ADD,
			              s->protocol ? s->protocol : RTPROT_HANET, "put back route");
			if (r == -EEXIST)
				r = 0;
		}
		route_map_free(have);
		if (r < 0 && !first)
			first = r;
	}
	state_free(st);
	return first;
}

/* ---- one action, and its undo ------------------------------------------------------------- */

/* "" stands for the current namespace; NULL: the link's own */
static const char *lower_sock_ns(const struct action *a) {
	if (!a->sock_netns)
		return a->link->netns;
	return *a->sock_netns ? a->sock_netns : NULL;
}

static int run_action(struct apply *ap, const struct action *a, struct done *d) {
	uint8_t *ok = d->ok;
	int r;

	switch (a->type) {
	case ACT_NETNS_ADD:
		return ns_add(ap, a->netns);
	case ACT_NETNS_DEL:
		return ns_del(ap, a->netns);
	case ACT_FORWARDING:
		return forwarding_set(ap, a->netns, a->fwd4, a->fwd6);
	case ACT_LINK_CREATE:
		return link_create(ap, a->link, lower_sock_ns(a), a->restore, NULL);
	case ACT_LINK_DELETE:
		return link_remove(ap, a->netns, a->link);
	case ACT_LINK_MOVE:
		return link_move(ap, a->netns, a->to_netns, a->name);
	case ACT_LINK_SET:
		return link_set_action(ap, a, d);
	case ACT_LINK_KIND:
		return link_kind_change(ap, a->netns, a->link, a->have);
	case ACT_LINK_MASTER:
		return link_set_master(ap, a->netns, a->name, a->master);
	case ACT_LINK_EXTRA:
		return link_extra(ap, a->netns, a->link, a->have);
	case ACT_LINK_UP:
	case ACT_LINK_DOWN:
		return link_set_up(ap, a->netns, a->name, a->type == ACT_LINK_UP);
	case ACT_ADDR_ADD:
		return addr_do(ap, &a->addr, true, false);
	case ACT_ADDR_DEL:
		return addr_do(ap, &a->addr, false, false);
	case ACT_ADDR_REPLACE:
		return addr_do(ap, &a->addr, true, true);
	case ACT_ROUTE_ADD:
		return routes_do(ap, a->netns, a->routes, a->n_routes, NULL, ok, ROUTE_OP_ADD, 0, a->text);
	case ACT_ROUTE_REPLACE:
		return routes_do(ap, a->netns, a->routes, a->n_routes, NULL, ok, ROUTE_OP_REPLACE, 0, a->text);
	case ACT_ROUTE_DEL:
		return routes_do(ap, a->netns, a->routes, a->n_routes, NULL, ok, ROUTE_OP_DEL, 0, a->text);
	case ACT_RULE_ADD:
	case ACT_RULE_DEL: {
		struct hnl *nl;

		r = get_nl(ap, a->netns, &nl);
		if (r < 0)
			return kerr(ap, NULL, r, a->text);
		r = a->type == ACT_RULE_ADD ? rule_add(nl, a->rule, 0) : rule_del(nl, a->rule);
		return r < 0 ? kerr(ap, nl, r, a->text) : 0;
	}
	case _ACT_MAX:
		break;
	}
	return -EINVAL;
}

static int undo_action(struct apply *ap, const struct done *d) {
	const struct action *a = d->a;
	int r = 0, q;

	switch (a->type) {
	case ACT_NETNS_ADD:
		return ns_del(ap, a->netns);
	case ACT_NETNS_DEL:
		r = ns_add(ap, a->netns);
		if (r >= 0 && a->lo_up)
			r = link_set_up(ap, a->netns, "lo", true);
		if (r >= 0 && (a->old_fwd4 || a->old_fwd6))
			r = forwarding_set(ap, a->netns, a->old_fwd4, a->old_fwd6);
		return r;
	case ACT_FORWARDING:
		return forwarding_set(ap, a->netns, a->old_fwd4, a->old_fwd6);
	case ACT_LINK_CREATE:
		return link_remove(ap, a->link->netns, a->link);
	case ACT_LINK_DELETE:
		r = link_create(ap, a->link, lower_sock_ns(a), true, a->have);
		for (size_t i = 0; r >= 0 && i < a->n_ports; i++)
			r = link_set_master(ap, a->netns, a->ports[i], a->name);
		q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_LINK_MOVE:
		r = link_move(ap, a->to_netns, a->netns, a->name);
		if (r >= 0 && a->nic_before && a->nic_before->master[0])
			r = link_set_master(ap, a->netns, a->name, a->nic_before->master);
		if (r >= 0 && a->nic_before && a->nic_before->up)
			r = link_set_up(ap, a->netns, a->name, true);
		q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_LINK_SET: {
		unsigned set = a->set;

		/* a step read back that did not get as far as reading the MAC */
		if (a->old_mac_unknown && !d->old_mac_read)
			set &= ~(unsigned)LINK_SET_MAC;
		r = link_set_attrs(ap, a->netns, a->name, set, a->old_mtu, d->old_mac_read ? d->old_mac : a->old_mac,
		                   a->old_alias);
		q = restore_mtus(ap, a);
		return r < 0 ? r : q;
	}
	case ACT_LINK_KIND: {
		struct link back;

		if (link_copy(&back, a->have) < 0)
			return -ENOMEM;
		link_mask_kind(&back, a->link);
		r = link_kind_change(ap, a->netns, &back, a->link);
		link_fini(&back);
		return r;
	}
	case ACT_LINK_MASTER:
		r = link_set_master(ap, a->netns, a->name, a->old_master);
		/* a bond that lost its last slave got another MAC: give it back */
		if (r >= 0 && a->master_mac_set)
			r = link_set_attrs(ap, a->netns, a->old_master, LINK_SET_MAC, 0, a->master_mac, NULL);
		if (r >= 0 && a->have)
			r = link_extra(ap, a->netns, a->have, NULL);
		q = restore_mtus(ap, a);
		/* a released port: what the vlans on it lost going down */
		if (q >= 0)
			q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_LINK_EXTRA:
		/* a link made by this run goes away with its creation's undo */
		return a->have ? link_extra(ap, a->netns, a->have, a->link) : 0;
	case ACT_LINK_UP:
		return link_set_up(ap, a->netns, a->name, false);
	case ACT_LINK_DOWN:
		/* the kernel brings up the vlans on it that were down too: they
		 * go down again once every step is undone (stay_down_again) */
		r = link_set_up(ap, a->netns, a->name, true);
		q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_ADDR_ADD:
		/* the device's only IPv4 address: the routes through it go
		 * with it, and come back */
		r = addr_do(ap, &a->addr, false, false);
		q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_ADDR_DEL:
		/* a primary: the secondaries of its subnet the kernel kept
		 * (promoted) go first, so that it is the primary again */
		r = unpromote(ap, a);
		if (r >= 0)
			r = addr_do(ap, &a->addr, true, false);
		q = restore_lost(ap, a);
		return r < 0 ? r : q;
	case ACT_ADDR_REPLACE:
		return a->old_addr ? addr_do(ap, a->old_addr, true, true) : -EINVAL;
	case ACT_ROUTE_ADD:
		return routes_do(ap, a->netns, a->routes, a->n_routes, d->ok, NULL, ROUTE_OP_DEL, RTPROT_HANET, "undo routes");
	case ACT_ROUTE_REPLACE:
		return routes_do(ap, a->netns, a->old_routes, a->n_routes, d->ok, NULL, ROUTE_OP_REPLACE,
		                 a->n_routes ? a->old_routes[0]->protocol : 0, "undo routes");
	case ACT_ROUTE_DEL:
		/* each route goes back with the protocol it had */
		for (size_t i = 0; i < a->n_routes; i++) {
			if (d->ok && !d->ok[i])
				continue;
			q = routes_do(ap, a->netns, &a->routes[i], 1, NULL, NULL, ROUTE_OP_ADD, a->routes[i]->protocol,
			              "undo routes");
			if (q < 0 && r == 0)
				r = q;
		}
		return r;
	case ACT_RULE_ADD:
	case ACT_RULE_DEL: {
		struct hnl *nl;

		r = get_nl(ap, a->netns, &nl);
		if (r < 0)
			return r;
		r = a->type == ACT_RULE_ADD ? rule_del(nl, a->rule) : rule_add(nl, a->rule, a->rule->protocol);
		return r < 0 ? kerr(ap, nl, r, "undo rule") : 0;
	}
	case _ACT_MAX:
		break;
	}
	return -EINVAL;
}

/* ---- ownership -------------------------------------------------------------------------------- */

static int read_whole(const char *path, char **ret, size_t *ret_len) {
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	*ret = NULL;
	*ret_len = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 65536 * 4);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap += 65536 * 4;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*ret = buf;
	*ret_len = len;
	return 1;
}

static int owner_paths(const struct owner *o, char *owned, char *routes, size_t size) {
	if ((size_t)snprintf(owned, size, "%s/%s.owned", HANET_OWNED_DIR, o->profile) >= size ||
	    (size_t)snprintf(routes, size, "%s/%s.routes", HANET_OWNED_DIR, o->profile) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Whether owner_save() may write PROFILE.routes. */
static bool owner_routes_may_change(const struct owner *o) {
	return o->routes_loaded && (o->routes_dirty || owner_route_count(o) == 0);
}

/* The records as they are on disk, put back if the transaction fails.
 * PROFILE.routes (100k lines for a big table) only when it may change:
 * the plan has route actions, or the records of routes are not saved. */
static int owner_snapshot(struct apply *ap, bool routes_too) {
	char owned[PATH_MAX], routes[PATH_MAX];
	int r = owner_paths(ap->owner, owned, routes, sizeof(owned));

	if (r < 0)
		return r;
	r = read_whole(owned, &ap->orig_owned, &ap->orig_owned_len);
	if (r < 0)
		return r;
	if (routes_too || owner_routes_may_change(ap->owner)) {
		r = read_whole(routes, &ap->orig_routes, &ap->orig_routes_len);
		if (r < 0)
			return r;
		ap->orig_routes_saved = true;
	}
	ap->orig_saved = true;
	return 0;
}

static int owner_put_back(struct apply *ap) {
	char owned[PATH_MAX], routes[PATH_MAX];
	int r;

	if (!ap->orig_saved || !ap->intent_written)
		return 0;
	owner_unsaved(ap->owner);           /* the file is no longer what it holds */
	r = owner_paths(ap->owner, owned, routes, sizeof(owned));
	if (r < 0)
		return r;
	if (ap->orig_owned)
		r = write_file_atomic(owned, ap->orig_owned, ap->orig_owned_len, 0600);
	else if (unlink(owned) < 0 && errno != ENOENT)
		r = -errno;
	if (r < 0 || !ap->orig_routes_saved)
		return r;
	if (ap->orig_routes)
		r = write_file_atomic(routes, ap->orig_routes, ap->orig_routes_len, 0600);
	else if (unlink(routes) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/* What an action makes hanet own: claimed before it runs. */
static int own_claim(struct owner *o, const struct action *a) {
	int r = 0;

	if (a->nic_keys && a->nic_before) {
		if (a->type == ACT_LINK_MOVE) {
			r = owner_move_nic(o, a->netns, a->to_netns, a->name);
			if (r >= 0)
				r = owner_note_nic(o, a->to_netns, a->nic_before, a->nic_keys, a->netns);
		} else {
			r = owner_note_nic(o, a->netns, a->nic_before, a->nic_keys, NULL);
		}
		if (r < 0)
			return r;
	}
	switch (a->type) {
	case ACT_NETNS_ADD:
		return owner_add_netns(o, a->netns);
	case ACT_FORWARDING:
		return a->fwd_record ? owner_note_sysctl(o, a->netns, a->old_fwd4, a->old_fwd6) : 0;
	case ACT_LINK_CREATE:
		return a->restore ? 0 : owner_add_link(o, a->link->netns, a->link->name, a->link->kind);
	case ACT_ADDR_ADD:
		return a->owned ? owner_add_addr(o, a->netns, a->addr.dev, &a->addr.ip, a->vip != NULL) : 0;
	case ACT_ROUTE_ADD:
	case ACT_ROUTE_REPLACE:
		for (size_t i = 0; i < a->n_routes; i++) {
			struct route_key k;

			route_key_of(a->routes[i], &k);
			r = owner_add_route(o, a->netns, &k);
			if (r < 0)
				return r;
		}
		return 0;
	case ACT_RULE_ADD:
		return owner_add_rule(o, a->rule);
	default:
		return 0;
	}
}

/* What an action takes away from hanet's records: forgotten after it ran. */
static void own_release(struct owner *o, const struct action *a) {
	switch (a->type) {
	case ACT_NETNS_DEL:
		owner_del_netns(o, a->netns);
		owner_del_sysctl(o, a->netns);
		break;
	case ACT_LINK_DELETE:
		owner_del_link(o, a->netns, a->name);
		for (size_t i = o->n_addrs; i-- > 0;)
			if (netns_eq(o->addrs[i].netns, a->netns) && strcmp(o->addrs[i].dev, a->name) == 0)
				owner_del_addr(o, a->netns, a->name, &o->addrs[i].ip);
		if (a->link->kind == LINK_VETH && a->link->u.veth.peer[0]) {
			const char *pns = a->link->u.veth.peer_netns && *a->link->u.veth.peer_netns ? a->link->u.veth.peer_netns
			                                                                           : NULL;

			owner_del_link(o, pns, a->link->u.veth.peer);
			for (size_t i = o->n_addrs; i-- > 0;)
				if (netns_eq(o->addrs[i].netns, pns) && strcmp(o->addrs[i].dev, a->link->u.veth.peer) == 0)
					owner_del_addr(o, pns, a->link->u.veth.peer, &o->addrs[i].ip);
		}
		break;
	case ACT_ADDR_DEL:
		owner_del_addr(o, a->netns, a->addr.dev, &a->addr.ip);
		break;
	case ACT_ROUTE_DEL:
		for (size_t i = 0; i < a->n_routes; i++) {
			struct route_key k;

			route_key_of(a->routes[i], &k);
			owner_del_route(o, a->netns, &k);
		}
		break;
	case ACT_RULE_DEL:
		owner_del_rule(o, a->netns, a->rule);
		break;
	case ACT_FORWARDING:
		if (a->fwd_forget)
			owner_del_sysctl(o, a->netns);
		break;
	default:
		break;
	}
	if (a->nic_restore)
		owner_del_nic(o, a->type == ACT_LINK_MOVE ? a->netns : a->netns, a->name);
	else if (a->nic_forget)
		owner_forget_nic_keys(o, a->netns, a->name, a->nic_forget);
}

/* ---- the transaction ------------------------------------------------------------------------------ */

static int journal_push(struct apply *ap, const struct done *d) {
	struct done *v = realloc(ap->journal, (ap->n_journal + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ap->journal = v;
	v[ap->n_journal++] = *d;
	return 0;
}

/* The vlans that were down before a step took their lower device down,
 * brought up by the kernel with it in the undo: down again.  Only once
 * every step is undone: up, a vlan follows its lower device's MAC as the
 * undo gives it back (one taken down at once would keep the address the
 * device had for a moment). */
static int stay_down_again(struct apply *ap, size_t n) {
	int first = 0;

	for (size_t i = n; i-- > 0;) {
		const struct action *a = ap->journal[i].a;

		/* a link down, a port released */
		for (size_t k = 0; k < a->n_stay_down; k++) {
			int r = link_set_up(ap, a->stay_down[k].netns, a->stay_down[k].name, false);

			if (r < 0 && !first)
				first = r;
		}
	}
	return first;
}

static int undo_all(struct apply *ap) {
	char *outer = ap->err, msg[512];
	size_t outer_size = ap->errsize, n0 = ap->n_journal;
	int first = 0;

	while (ap->n_journal > 0) {
		struct done *d = &ap->journal[--ap->n_journal];
		int r;

		/* the undo's own message, with the kernel's text */
		msg[0] = '\0';
		ap->err = msg;
		ap->errsize = sizeof(msg);
		hook_event(ap, APPLY_UNDO_BEGIN, d);
		kill_point(true, ++ap->n_undone);
		r = undo_action(ap, d);
		hook_event(ap, APPLY_UNDO_DONE, d);
		ap->err = outer;
		ap->errsize = outer_size;
		/* a step that may never have run: its undo may find nothing to undo */
		if (r < 0 && d->uncertain)
			r = 0;
		if (r < 0) {
			ap->undo_failed = true;
			if (first == 0)
				first = r;
			if (outer && outer_size) {
				size_t len = strlen(outer);

				snprintf(outer + len, outer_size - len, "; undoing \"%s\" failed too: %s", d->a->text,
				         msg[0] ? msg : strerror(-r));
			}
		}
		free(d->ok);
		d->ok = NULL;
	}
	/* what the kernel dropped with the steps, in tables the plan did not see */
	{
		int r;

		msg[0] = '\0';
		ap->err = msg;
		ap->errsize = sizeof(msg);
		r = stay_down_again(ap, n0);
		if (r >= 0)
			r = routes_put_back(ap);
		ap->err = outer;
		ap->errsize = outer_size;
		if (r < 0) {
			ap->undo_failed = true;
			if (first == 0)
				first = r;
			if (outer && outer_size) {
				size_t len = strlen(outer);

				snprintf(outer + len, outer_size - len,
				         "; putting back the vlans that were down and the routes of the devices it disturbed "
				         "failed too: %s", msg[0] ? msg : strerror(-r));
			}
		}
	}
	return first;
}

int apply_run(struct apply *ap, const struct plan *p, const struct apply_opts *opts, char *err, size_t errsize) {
	bool routes = false;
	uint64_t t0;
	int r;

	ap->opts = opts;
	ap->err = err;
	ap->errsize = errsize;
	if (err && errsize)
		err[0] = '\0';
	if (p->n == 0)
		return 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].n_routes)
			routes = true;
	if (routes) {
		r = owner_load_routes(ap->owner);
		if (r < 0)
			return set_err(ap, r, "reading the routes %s owns: %s", ap->owner->profile, strerror(-r));
	}
	r = owner_snapshot(ap, routes);
	if (r < 0)
		return set_err(ap, r, "reading the records of %s: %s", ap->owner->profile, strerror(-r));
	r = routes_save(ap, p);
	if (r < 0)
		return set_err(ap, r, "reading the routes of the devices the plan disturbs: %s", strerror(-r));
	if (ap->hook && ap->hook->begin) {
		struct apply_records rec = {
			.owned = ap->orig_owned, .owned_len = ap->orig_owned_len, .routes_saved = ap->orig_routes_saved,
			.routes = ap->orig_routes, .routes_len = ap->orig_routes_len,
			.saved_routes = ap->saved, .n_saved_routes = ap->n_saved,
		};

		r = ap->hook->begin(ap->hook->data, p, &rec);
		if (r < 0)
			return set_err(ap, r, "writing the journal of %s: %s", ap->owner->profile, strerror(-r));
	}
	for (size_t i = 0; i < p->n; i++) {
		r = own_claim(ap->owner, &p->v[i]);
		if (r < 0)
			return set_err(ap, r, "ownership records: %s", strerror(-r));
	}
	t0 = now_us();
	r = owner_save(ap->owner);
	if (opts && opts->verbose)
		fprintf(stderr, "hanet: records written in %.2fms\n", (double)(now_us() - t0) / 1000);
	if (r < 0)
		return set_err(ap, r, "writing the records of %s: %s", ap->owner->profile, strerror(-r));
	ap->intent_written = true;

	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		struct done d = { .a = a, .step = i };

		if (opts && opts->verbose)
			fprintf(stderr, "hanet: %4zu  %-8s  %s\n", i + 1, disruption_name(a->level), a->text);
#ifdef HANET_TEST_HOOKS
		if (opts && opts->fail_at == i + 1) {
			set_err(ap, -EIO, "step %zu (%s): failure injected by HANET_FAIL_AT=%zu", i + 1, a->text, i + 1);
			r = -EIO;
			goto fail;
		}
#endif
		if (a->n_routes && !(d.ok = calloc(a->n_routes, 1))) {
			r = -ENOMEM;
			goto fail;
		}
		r = hook_event(ap, APPLY_STEP_BEGIN, &d);
		if (r < 0) {
			free(d.ok);
			set_err(ap, r, "step %zu (%s): writing the journal: %s", i + 1, a->text, strerror(-r));
			goto fail;
		}
		kill_point(false, i + 1);
		t0 = now_us();
		r = run_action(ap, a, &d);
		if (opts && opts->verbose)
			fprintf(stderr, "hanet: %4zu  done in %.2fms\n", i + 1, (double)(now_us() - t0) / 1000);
		if (r < 0) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", err && err[0] ? err : strerror(-r));
			if (err && errsize)
				snprintf(err, errsize, "step %zu (%s): %s", i + 1, a->text, msg);
			/* a batch may have partly gone through: undo that part too */
			if (d.ok && journal_push(ap, &d) < 0)
				free(d.ok);
			goto fail;
		}
		r = journal_push(ap, &d);
		if (r < 0) {
			free(d.ok);
			goto fail;
		}
		r = hook_event(ap, APPLY_STEP_DONE, &d);
		if (r < 0) {
			set_err(ap, r, "step %zu (%s): writing the journal: %s", i + 1, a->text, strerror(-r));
			goto fail;
		}
		/* a recreated link is deleted (forgotten) then created (claimed) */
		own_release(ap->owner, a);
		r = own_claim(ap->owner, a);
		if (r < 0) {
			set_err(ap, r, "ownership records: %s", strerror(-r));
			goto fail;
		}
		if (a->vip && (a->type == ACT_ADDR_ADD || a->type == ACT_ADDR_REPLACE)) {
			const struct vip **v = realloc(ap->vips, (ap->n_vips + 1) * sizeof(*v));

			if (v) {
				ap->vips = v;
				v[ap->n_vips++] = a->vip;
			}
		}
	}
	r = owner_save(ap->owner);
	if (r < 0) {
		set_err(ap, r, "writing the records of %s: %s", ap->owner->profile, strerror(-r));
		goto fail;
	}
	/* done: the verify that follows needs the room more than a rollback
	 * needs the cache (it asks the kernel again) */
	ifindex_cache_clear(ap);
	return 0;
fail:
	if (undo_all(ap) >= 0)
		owner_put_back(ap);
	ap->n_vips = 0;
	return r;
}

int apply_rollback(struct apply *ap, char *err, size_t errsize) {
	int r;

	ap->err = err;
	ap->errsize = errsize;
	if (err && errsize)
		err[0] = '\0';
	r = undo_all(ap);
	if (r >= 0)
		r = owner_put_back(ap);
	return r;
}

/* ---- a journal read back ----------------------------------------------------------------------- */

static int dup_or_null(const char *src, size_t len, char **ret) {
	*ret = NULL;
	if (!src)
		return 0;
	*ret = malloc(len ? len : 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, src, len);
	return 0;
}

int apply_adopt_records(struct apply *ap, const struct apply_records *rec) {
	char *owned, *routes = NULL;

	if (dup_or_null(rec->owned, rec->owned_len, &owned) < 0)
		return -ENOMEM;
	if (rec->routes_saved && dup_or_null(rec->routes, rec->routes_len, &routes) < 0) {
		free(owned);
		return -ENOMEM;
	}
	free(ap->orig_owned);
	free(ap->orig_routes);
	ap->orig_owned = owned;
	ap->orig_owned_len = rec->owned_len;
	ap->orig_routes = rec->routes_saved ? routes : NULL;
	ap->orig_routes_len = rec->routes_saved ? rec->routes_len : 0;
	ap->orig_routes_saved = rec->routes_saved;
	ap->orig_saved = true;
	/* the saved routes stay the caller's */
	free(ap->saved);
	ap->saved = NULL;
	ap->n_saved = 0;
	if (rec->n_saved_routes) {
		ap->saved = malloc(rec->n_saved_routes * sizeof(*ap->saved));
		if (!ap->saved)
			return -ENOMEM;
		memcpy(ap->saved, rec->saved_routes, rec->n_saved_routes * sizeof(*ap->saved));
		ap->n_saved = rec->n_saved_routes;
	}
	/* the records may have been written: put the old ones back */
	ap->intent_written = true;
	return 0;
}

int apply_adopt_step(struct apply *ap, size_t step, const struct action *a, const uint8_t *ok, const uint8_t *old_mac,
                     bool uncertain) {
	struct done d = { .a = a, .step = step, .uncertain = uncertain };
	int r;

	if (a->n_routes) {
		d.ok = malloc(a->n_routes);
		if (!d.ok)
			return -ENOMEM;
		/* not known: every route may have gone through */
		if (ok)
			memcpy(d.ok, ok, a->n_routes);
		else
			memset(d.ok, 1, a->n_routes);
	}
	if (old_mac) {
		memcpy(d.old_mac, old_mac, ETH_ALEN_);
		d.old_mac_read = true;
	}
	r = journal_push(ap, &d);
	if (r < 0)
		free(d.ok);
	return r;
}
