/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The load -> observe -> plan pipeline shared by apply, check, down,
 * show, watch and the measure lab, and the transaction that runs a plan:
 * apply -> verify (-> rollback). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "hnl.h"
#include "nlevent.h"
#include "owner.h"
#include "plan.h"
#include "profile.h"
#include "routes-file.h"
#include "session.h"
#include "observe.h"
#include "util.h"

static bool netns_file_exists(const char *name, void *data) {
	(void)data;
	return netns_exists(name);
}

/* [routes] files go into one mapping, sized from the files (a route line
 * is at least 8 bytes) and backed by huge pages where the kernel has
 * them: a 100k-route table is loaded without reallocations and with few
 * page faults. */
struct bulk_load {
	struct session *s;
	size_t file;
	int error;
};

static int bulk_cb(const struct route *r, void *data) {
	struct bulk_load *bl = data;
	struct session *s = bl->s;
	struct route *x;

	if (s->n_bulk >= s->bulk_cap)
		return -E2BIG;
	x = &s->bulk[s->n_bulk];
	*x = *r;
	x->nexthops = NULL;
	if (r->n_nexthops) {
		x->nexthops = malloc(r->n_nexthops * sizeof(*x->nexthops));
		if (!x->nexthops)
			return -ENOMEM;
		memcpy(x->nexthops, r->nexthops, r->n_nexthops * sizeof(*x->nexthops));
	}
	x->netns = s->profile->routes_files[bl->file].netns;
	x->name = NULL;
	s->bulk_file[s->n_bulk] = bl->file;
	s->n_bulk++;
	return 0;
}

static int load_bulk(struct session *s, struct diags *d) {
	const struct profile *p = s->profile;
	size_t bytes = 0;
	int r;

	for (size_t i = 0; i < p->n_routes_files; i++) {
		struct stat sb;

		if (p->routes_files[i].path && stat(p->routes_files[i].path, &sb) == 0)
			bytes += (size_t)sb.st_size;
	}
	s->bulk_cap = bytes / 8 + 16;
	s->bulk = big_alloc(s->bulk_cap * sizeof(*s->bulk));
	s->bulk_file = big_alloc(s->bulk_cap * sizeof(*s->bulk_file));
	if (!s->bulk || !s->bulk_file)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_routes_files; i++) {
		struct bulk_load bl = { .s = s, .file = i };

		r = routes_file_parse(&p->routes_files[i], bulk_cb, &bl, d);
		if (r < 0)
			return r;
	}
	return 0;
}

static int build_index(struct session *s) {
	const struct profile *p = s->profile;
	size_t n = (p ? p->n_routes : 0) + s->n_bulk, k = 0;
	const struct route **v;
	int r;

	s->routes = calloc(1, sizeof(*s->routes));
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!s->routes || !v) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; p && i < p->n_routes; i++)
		v[k++] = &p->routes[i];
	for (size_t i = 0; i < s->n_bulk; i++)
		v[k++] = &s->bulk[i];
	r = route_index_build(s->routes, v, n, s->err, sizeof(s->err));
	free(v);
	return r;
}

int session_profile_name(const char *arg, char *buf, size_t size) {
	struct stat sb;
	struct profile *p = NULL;
	struct diags d;
	int r;

	if (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (strchr(arg, '/') || !profile_name_valid(arg) || strlen(arg) >= size)
			return -ENOENT;
		snprintf(buf, size, "%s", arg);
		return 0;
	}
	diags_init(&d);
	r = profile_load(arg, &p, &d);
	diags_fini(&d);
	if (r < 0)
		return r;
	snprintf(buf, size, "%s", p->name);
	profile_free(p);
	return 0;
}

int session_load(struct session *s, const char *arg, unsigned flags) {
	struct diags d;
	struct stat sb;
	int r;

	memset(s, 0, sizeof(*s));
	s->arg = arg;
	s->no_route_filter = flags & SESSION_NO_ROUTES;
	s->down = flags & SESSION_DOWN;
	if ((flags & SESSION_NAME_OK) && (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode)) && !strchr(arg, '/')) {
		/* never cut: a name cut short could be another profile's */
		if (!profile_name_valid(arg)) {
			fprintf(stderr, "%s: not a profile file, nor a profile name (1 to %d bytes of A-Z, a-z, 0-9, "
			        "\"_\", \".\", \"-\", not starting with \".\" or \"-\")\n", arg, HANET_NAME_MAX);
			return -EINVAL;
		}
		snprintf(s->name, sizeof(s->name), "%s", arg);
	} else {
		diags_init(&d);
		r = profile_load(arg, &s->profile, &d);
		if (r >= 0 && !(flags & SESSION_NO_ROUTES))
			profile_check_netns(s->profile, netns_file_exists, NULL, &d);
		if (r >= 0 && !(flags & SESSION_NO_ROUTES) && d.n_errors == 0)
			r = load_bulk(s, &d);
		if (r == -ENOMEM)
			diag_add(&d, DIAG_ERROR, arg, 0, NULL, NULL, NULL, "out of memory");
		else if (r < 0 && d.n_errors == 0)
			diag_add(&d, DIAG_ERROR, arg, 0, NULL, NULL, NULL, "cannot load: %s", strerror(-r));
		diags_print(&d, stderr);
		if (r < 0 || d.n_errors) {
			diags_fini(&d);
			return -EINVAL;
		}
		diags_fini(&d);
		snprintf(s->name, sizeof(s->name), "%s", s->profile->name);
	}
	r = build_index(s);
	if (r < 0) {
		if (r == -EEXIST) {
			fprintf(stderr, "%s: %s\n", arg, s->err);
			return -EINVAL;
		}
		return r;
	}
	r = owner_load(s->name, &s->owner);
	if (r < 0) {
		snprintf(s->err, sizeof(s->err), "reading the records of %s under %s: %s", s->name, HANET_OWNED_DIR,
		         strerror(-r));
		return r;
	}
	r = nls_new(&s->nls);
	if (r < 0)
		return r;
	return 0;
}

int session_observe(struct session *s) {
	int r;

	if (!s->reqs) {
		r = plan_observe_reqs(s->profile, s->routes, s->owner, s->down ? PLAN_DOWN : 0, &s->reqs, &s->n_reqs);
		if (r < 0)
			return r;
		for (size_t i = 0; !s->no_route_filter && s->routes && s->routes->n && i < s->n_reqs; i++) {
			s->reqs[i].route_filter = route_index_filter;
			s->reqs[i].route_filter_data = s->routes;
		}
	}
	if (s->routes)
		route_index_reset(s->routes);
	r = state_observe(s->nls, s->reqs, s->n_reqs, &s->st);
	if (r < 0)
		snprintf(s->err, sizeof(s->err), "reading the kernel's state: %s", strerror(-r));
	return r;
}

static struct plan_input session_input(struct session *s, const struct state *st, unsigned flags) {
	return (struct plan_input){
		.profile = s->profile,
		.routes = s->routes,
		.n_bulk = s->n_bulk,
		.bulk_file = s->bulk_file,
		.owner = s->owner,
		.st = st,
		.flags = flags,
	};
}

int session_plan(struct session *s, unsigned plan_flags) {
	struct plan_input in = session_input(s, s->st, plan_flags);

	return plan_build(&in, &s->plan, s->err, sizeof(s->err));
}

int session_verify(struct session *s, unsigned plan_flags, struct plan **ret_left) {
	struct plan_input in;
	int r;

	state_free(s->st_verify);
	s->st_verify = NULL;
	if (s->routes)
		route_index_reset(s->routes);
	r = state_observe(s->nls, s->reqs, s->n_reqs, &s->st_verify);
	if (r < 0) {
		snprintf(s->err, sizeof(s->err), "verify: reading the kernel's state: %s", strerror(-r));
		return r;
	}
	in = session_input(s, s->st_verify, plan_flags | PLAN_ACTIONS_ONLY);
	return plan_build(&in, ret_left, s->err, sizeof(s->err));
}

/* ---- apply --wait: devices that do not exist yet ------------------------- */

static bool veth_makes(const struct profile *p, const char *netns, const char *name) {
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const char *pns;

		if (l->kind != LINK_VETH || strcmp(l->u.veth.peer, name) != 0)
			continue;
		pns = l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns;
		if (netns_eq(pns, netns))
			return true;
	}
	return false;
}

static bool dev_exists(struct nls *nls, const char *netns, const char *name) {
	struct hnl *nl;
	struct link l;

	if (netns && !netns_exists(netns))
		return false;
	if (nls_get(nls, netns, &nl) < 0 || observe_get_link(nl, name, &l) < 0)
		return false;
	link_fini(&l);
	return true;
}

/* The first [nic] of the profile that is neither in its namespace nor in
 * the current one (from where apply would move it), or NULL. */
static const struct link *first_missing(struct session *s) {
	const struct profile *p = s->profile;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (l->kind != LINK_NIC || veth_makes(p, l->netns, l->name))
			continue;
		if (dev_exists(s->nls, l->netns, l->name))
			continue;
		if (l->netns && dev_exists(s->nls, NULL, l->name))
			continue;
		return l;
	}
	return NULL;
}

static void ignore_event(const struct nlev *ev, void *data) {
	bool *changed = data;

	if (ev->type == NLEV_LINK_NEW || ev->type == NLEV_LINK_CHANGE || ev->type == NLEV_OVERFLOW)
		*changed = true;
}

int session_wait_devices(struct session *s, uint64_t timeout_us) {
	uint64_t deadline = now_us() + timeout_us;
	const struct link *missing = first_missing(s);
	struct nlev_set *ev = NULL;
	int r;

	if (!missing)
		return 0;
	r = nlev_set_new(&ev);
	if (r < 0)
		return r;
	r = nlev_add_netns(ev, NULL, NLEV_G_LINK, NULL, NULL);
	for (size_t i = 0; r >= 0 && i < s->profile->n_netns; i++)
		if (netns_exists(s->profile->netns[i].name))
			r = nlev_add_netns(ev, s->profile->netns[i].name, NLEV_G_LINK, NULL, NULL);
	if (r < 0)
		goto out;
	log_info("waiting up to %.1fs for %s%s%s", (double)timeout_us / 1e6, missing->name,
	         missing->netns ? " in netns " : "", missing->netns ? missing->netns : "");
	/* it may have come while subscribing */
	while ((missing = first_missing(s))) {
		struct pollfd pfd = { .fd = nlev_fd(ev), .events = POLLIN };
		uint64_t now = now_us();
		bool changed = false;
		int ms;

		if (now >= deadline) {
			r = -ETIMEDOUT;
			snprintf(s->err, sizeof(s->err), "link %s%s%s: no such device after waiting %.1fs", missing->name,
			         missing->netns ? " in netns " : "", missing->netns ? missing->netns : "",
			         (double)timeout_us / 1e6);
			goto out;
		}
		ms = (int)((deadline - now + 999) / 1000);
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		if (r > 0 && nlev_dispatch(ev, ignore_event, &changed) < 0)
			changed = true;
	}
	r = 0;
out:
	nlev_set_free(ev);
	return r;
}

int session_apply(struct session *s, const struct session_apply_opts *o, struct session_result *res) {
	const struct plan *p = o->plan ? o->plan : s->plan;
	uint64_t t0;
	int r;

	memset(res, 0, sizeof(*res));
	s->err[0] = '\0';
	/* the apply keeps a pointer to its options, for a later rollback */
	s->apply_opts = o->apply;
	r = apply_new(s->nls, s->owner, &res->ap);
	if (r < 0) {
		res->status = SESSION_NOT_STARTED;
		return res->error = r;
	}
	if (o->seed)
		apply_seed(res->ap, s->st);
	if (o->hook)
		apply_set_hook(res->ap, o->hook);
	t0 = now_us();
	r = apply_run(res->ap, p, &s->apply_opts, s->err, sizeof(s->err));
	res->apply_us = now_us() - t0;
	if (r < 0) {
		res->status = SESSION_APPLY_FAILED;
		res->undo_failed = apply_undo_failed(res->ap);
		goto fail;
	}
	if (!o->verify)
		return 0;
	t0 = now_us();
	r = session_verify(s, o->verify_flags, &res->left);
	res->verify_us = now_us() - t0;
	if (r >= 0 && res->left->n == 0) {
		plan_free(res->left);
		res->left = NULL;
		return 0;
	}
	res->status = r < 0 ? SESSION_VERIFY_FAILED : SESSION_MISMATCH;
	r = r < 0 ? r : -EPROTO;
	if (o->rollback) {
		res->rollback_error = apply_rollback(res->ap, res->rollback_err, sizeof(res->rollback_err));
		if (res->rollback_error > 0)
			res->rollback_error = 0;
		res->rolled_back = true;
	}
fail:
	apply_free(res->ap);
	res->ap = NULL;
	return res->error = r;
}

void session_result_fini(struct session_result *res) {
	apply_free(res->ap);
	plan_free(res->left);
	res->ap = NULL;
	res->left = NULL;
}

void session_fini(struct session *s) {
	plan_free(s->plan);
	state_free(s->st);
	state_free(s->st_verify);
	plan_observe_reqs_free(s->reqs, s->n_reqs);
	nls_free(s->nls);
	owner_free(s->owner);
	if (s->routes) {
		route_index_fini(s->routes);
		free(s->routes);
	}
	for (size_t i = 0; i < s->n_bulk; i++)
		route_fini(&s->bulk[i]);
	big_free(s->bulk, s->bulk_cap * sizeof(*s->bulk));
	big_free(s->bulk_file, s->bulk_cap * sizeof(*s->bulk_file));
	profile_free(s->profile);
	memset(s, 0, sizeof(*s));
}
