/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pipeline every engine command shares: load a profile (and its
 * [routes] files) and its ownership records, observe the namespaces it
 * touches, plan; then one transaction (session_apply): apply, verify
 * (observe again, plan again: the kernel matches when nothing is left to
 * do) and, on a mismatch, roll back.
 */
#ifndef HANET_SESSION_H
#define HANET_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply.h"
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
	bool down;                          /* SESSION_DOWN */
	struct owner *owner;
	struct nls *nls;
	struct observe_ns_req *reqs;
	size_t n_reqs;
	struct state *st;                   /* observed before the plan */
	struct state *st_verify;            /* observed by verify */
	struct plan *plan;
	struct apply_opts apply_opts;       /* of session_apply(): the apply keeps a pointer */
	char err[2048];
};

enum {
	SESSION_NAME_OK = 1u << 0,          /* PROFILE may be a name with records but no file (down, show) */
	SESSION_NO_ROUTES = 1u << 1,        /* do not read [routes] files (down, show) */
	SESSION_DOWN = 1u << 2,             /* its plans are downs (PLAN_DOWN): observe for them */
};

/* Load; on an invalid profile prints the diagnostics and returns
 * -EINVAL (exit EXIT_INVALID). */
int session_load(struct session *s, const char *arg, unsigned flags);
int session_observe(struct session *s);
int session_plan(struct session *s, unsigned plan_flags);
/* Observe again and plan again; *ret_left is what still differs. */
int session_verify(struct session *s, unsigned plan_flags, struct plan **ret_left);
void session_fini(struct session *s);

/* Wait, driven by link events, up to timeout_us for every [nic] of the
 * profile to exist (in its namespace, or in the current one from where
 * apply moves it).  -ETIMEDOUT: s->err names the one still missing. */
int session_wait_devices(struct session *s, uint64_t timeout_us);

/* ---- one transaction: apply -> verify (-> rollback) ---- */

struct session_apply_opts {
	const struct plan *plan;            /* NULL: the session's plan */
	struct apply_opts apply;            /* copied into the session */
	const struct apply_hook *hook;      /* a copy of the journal elsewhere (apply.h), or NULL */
	bool seed;                          /* the plan was made from s->st: the apply knows its ifindexes */
	bool verify;                        /* observe and plan again (with verify_flags) */
	unsigned verify_flags;
	bool rollback;                      /* verify failed or found a difference: undo everything */
};

enum session_status {
	SESSION_APPLIED,                    /* done, and verified when asked */
	SESSION_NOT_STARTED,                /* nothing done (out of memory) */
	SESSION_APPLY_FAILED,               /* a step failed: undone; s->err says which and why */
	SESSION_VERIFY_FAILED,              /* verify could not read the kernel: s->err */
	SESSION_MISMATCH,                   /* verify: the kernel differs from the plan's goal: left */
};

struct session_result {
	enum session_status status;
	int error;                          /* negative errno unless APPLIED (-EPROTO: MISMATCH) */
	struct apply *ap;                   /* APPLIED: to announce, confirm or roll back later */
	struct plan *left;                  /* MISMATCH: what still differs */
	bool undo_failed;                   /* APPLY_FAILED: the undo could not undo everything */
	bool rolled_back;                   /* VERIFY_FAILED, MISMATCH: rolled back (opts.rollback) */
	int rollback_error;                 /* <0: the rollback failed, rollback_err says why */
	char rollback_err[1024];
	uint64_t apply_us, verify_us;       /* how long each took */
};

/* Run a plan as one transaction.  0 when applied (and verified); else
 * the negative errno of res->status.  Prints nothing: the caller says
 * what went wrong from res and s->err.  session_result_fini() always. */
int session_apply(struct session *s, const struct session_apply_opts *opts, struct session_result *res);
void session_result_fini(struct session_result *res);

/* The name a PROFILE argument stands for: [profile] name of the file, or
 * the argument itself when it is no file. */
int session_profile_name(const char *arg, char *buf, size_t size);

#endif
