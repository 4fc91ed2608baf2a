/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The load -> observe -> plan pipeline shared by apply, check, down,
 * show, and verify. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "owner.h"
#include "plan.h"
#include "profile.h"
#include "routes-file.h"
#include "session.h"
#include "state.h"
#include "util.h"

static bool netns_file_exists(const char *name, void *data) {
	(void)data;
	return netns_exists(name);
}

static int load_bulk(struct session *s, struct diags *d) {
	const struct profile *p = s->profile;

	for (size_t i = 0; i < p->n_routes_files; i++) {
		struct route *v = NULL;
		size_t n = 0, *f;
		struct route *nv;
		int r = routes_file_load(&p->routes_files[i], &v, &n, d);

		if (r < 0)
			return r;
		if (s->n_bulk == 0) {
			s->bulk = v;
		} else {
			nv = realloc(s->bulk, (s->n_bulk + n) * sizeof(*nv));
			if (!nv) {
				for (size_t j = 0; j < n; j++)
					route_fini(&v[j]);
				free(v);
				return -ENOMEM;
			}
			s->bulk = nv;
			memcpy(s->bulk + s->n_bulk, v, n * sizeof(*v));
			free(v);
		}
		f = realloc(s->bulk_file, (s->n_bulk + n ? s->n_bulk + n : 1) * sizeof(*f));
		if (!f)
			return -ENOMEM;
		s->bulk_file = f;
		for (size_t j = 0; j < n; j++) {
			s->bulk_file[s->n_bulk + j] = i;
			/* the strings of bulk routes live in the profile */
			s->bulk[s->n_bulk + j].netns = p->routes_files[i].netns;
			s->bulk[s->n_bulk + j].name = NULL;
		}
		s->n_bulk += n;
	}
	return 0;
}

int session_profile_name(const char *arg, char *buf, size_t size) {
	struct stat sb;
	struct profile *p = NULL;
	struct diags d;
	int r;

	if (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (strchr(arg, '/') || !*arg)
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
	if ((flags & SESSION_NAME_OK) && (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode)) && !strchr(arg, '/')) {
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
		r = plan_observe_reqs(s->profile, s->bulk, s->n_bulk, s->owner, &s->reqs, &s->n_reqs);
		if (r < 0)
			return r;
	}
	r = state_observe(s->nls, s->reqs, s->n_reqs, &s->st);
	if (r < 0)
		snprintf(s->err, sizeof(s->err), "reading the kernel's state: %s", strerror(-r));
	return r;
}

static struct plan_input session_input(struct session *s, const struct state *st, unsigned flags) {
	return (struct plan_input){
		.profile = s->profile,
		.bulk = s->bulk,
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
	r = state_observe(s->nls, s->reqs, s->n_reqs, &s->st_verify);
	if (r < 0) {
		snprintf(s->err, sizeof(s->err), "verify: reading the kernel's state: %s", strerror(-r));
		return r;
	}
	in = session_input(s, s->st_verify, plan_flags);
	return plan_build(&in, ret_left, s->err, sizeof(s->err));
}

void session_fini(struct session *s) {
	plan_free(s->plan);
	state_free(s->st);
	state_free(s->st_verify);
	plan_observe_reqs_free(s->reqs, s->n_reqs);
	nls_free(s->nls);
	owner_free(s->owner);
	for (size_t i = 0; i < s->n_bulk; i++)
		route_fini(&s->bulk[i]);
	free(s->bulk);
	free(s->bulk_file);
	profile_free(s->profile);
	memset(s, 0, sizeof(*s));
}
