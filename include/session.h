/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pipeline every engine command shares: load a profile (and its
 * [routes] files) and its ownership records, observe the namespaces it
 * touches, plan; and after apply, verify (observe again, plan again: the
 * kernel matches when nothing is left to do).
 */
#ifndef HANET_SESSION_H
#define HANET_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"
#include "route.h"

struct nls;
struct owner;
struct state;
struct plan;
struct observe_ns_req;

struct session {
	const char *arg;                    /* PROFILE as given */
	struct profile *profile;            /* NULL: only a name was given (down, show) */
	char name[HANET_NAME_MAX + 1];      /* the profile's name: its records' file name */
	struct route *bulk;                 /* every [routes] file, in order */
	size_t n_bulk;
	size_t bulk_cap;                    /* routes the mapping of bulk holds */
	size_t *bulk_file;                  /* per bulk route: its [routes] section */
	struct route_index *routes;         /* [route] sections, then bulk */
	bool no_route_filter;               /* keep every observed route (down, show) */
	struct owner *owner;
	struct nls *nls;
	struct observe_ns_req *reqs;
	size_t n_reqs;
	struct state *st;                   /* observed before the plan */
	struct state *st_verify;            /* observed by verify */
	struct plan *plan;
	char err[2048];
};

enum {
	SESSION_NAME_OK = 1u << 0,          /* PROFILE may be a name with records but no file (down, show) */
	SESSION_NO_ROUTES = 1u << 1,        /* do not read [routes] files (down, show) */
};

/* Load; on an invalid profile prints the diagnostics and returns
 * -EINVAL (exit EXIT_INVALID). */
int session_load(struct session *s, const char *arg, unsigned flags);
int session_observe(struct session *s);
int session_plan(struct session *s, unsigned plan_flags);
/* Observe again and plan again; *ret_left is what still differs. */
int session_verify(struct session *s, unsigned plan_flags, struct plan **ret_left);
void session_fini(struct session *s);

/* The name a PROFILE argument stands for: [profile] name of the file, or
 * the argument itself when it is no file. */
int session_profile_name(const char *arg, char *buf, size_t size);

#endif
