/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply: run a plan through the backends, as a transaction.  Every
 * action that succeeds goes into a journal with what undoing it needs
 * (the action's own snapshot of what it changes, and what the kernel
 * takes away with it); a failure at step k undoes k-1..1 in reverse.
 *
 * Ownership records follow the transaction: before the first step the
 * records claim everything the plan creates (so a crash never leaves an
 * object hanet made but does not know about), removals are forgotten as
 * they succeed, and a rollback puts the previous records back.
 */
#ifndef HANET_APPLY_H
#define HANET_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct nls;
struct owner;
struct plan;
struct state;
struct action;

struct apply_opts {
	size_t fail_at;         /* test build only (HANET_TEST_HOOKS): fail at step k before running it; 0: never */
	bool verbose;           /* a line per action on stderr */
	bool progress;          /* progress lines on stderr for long work (route batches) */
};

struct apply;

int apply_new(struct nls *nls, struct owner *owner, struct apply **ret);
/* Know the ifindex of every link of an observed state (which must
 * outlive the apply) without asking the kernel again. */
void apply_seed(struct apply *ap, const struct state *st);
void apply_free(struct apply *ap);

/* Run the plan.  On failure everything done is undone, the records are
 * put back, and err says which step failed and what the kernel said. */
int apply_run(struct apply *ap, const struct plan *p, const struct apply_opts *opts, char *err, size_t errsize);
/* Undo a successful apply_run (verify found a mismatch, or --confirm
 * timed out).  Best effort: goes on after a failed undo and returns the
 * first error, described in err. */
int apply_rollback(struct apply *ap, char *err, size_t errsize);
/* Did a rollback leave something it could not undo (said in err)? */
bool apply_undo_failed(const struct apply *ap);
/* Number of steps done (journal length). */
size_t apply_done(const struct apply *ap);

/* The VIPs the run added or changed, to announce. */
size_t apply_vips(const struct apply *ap, const struct vip *const **ret);

/* The test build (HANET_TEST_HOOKS): HANET_FAIL_AT from the environment
 * (0 when unset or invalid).  Without the hooks: always 0. */
size_t apply_fail_at_from_env(void);

/* ---- a copy of the journal outside the process (apply --confirm) ---- */

/* The records as they were before the run, to put back on rollback
 * (NULL: there was no such file). */
struct apply_records {
	const char *owned;
	size_t owned_len;
	bool routes_saved;              /* PROFILE.routes is part of the snapshot */
	const char *routes;
	size_t routes_len;
	/* the routes (every table) through the devices the plan disturbs,
	 * as they were: a rollback adds back those the kernel dropped */
	const struct route *const *saved_routes;
	size_t n_saved_routes;
};

enum apply_event {
	APPLY_STEP_BEGIN,               /* step about to run: it may have changed the kernel from now on */
	APPLY_STEP_DONE,                /* went through (ok, old_mac: what its undo needs) */
	APPLY_UNDO_BEGIN,               /* its undo is about to run */
	APPLY_UNDO_DONE,                /* its undo ran (whatever the result) */
};

struct apply_hook {
	/* Before the first change (records or kernel): the plan and the
	 * records as they are.  A failure stops the run, nothing changed. */
	int (*begin)(void *data, const struct plan *p, const struct apply_records *rec);
	/* Step `step` (index in the plan) reached a point; a failure of a
	 * STEP_* event fails the run (rolled back), one of an UNDO_* event
	 * is ignored.  ok: the route actions' per-route result (n_routes
	 * bytes) or NULL; old_mac: the MAC read before a LINK_SET or NULL. */
	int (*event)(void *data, enum apply_event ev, size_t step, const struct action *a, const uint8_t *ok,
	             const uint8_t *old_mac);
	void *data;
};

/* Tell the hook what the run does (before apply_run; h must outlive ap). */
void apply_set_hook(struct apply *ap, const struct apply_hook *h);

/* Rebuild a journal read back from its copy (a pending change whose
 * process is gone), for apply_rollback(): the records to put back, and
 * each step that ran, in order.  An uncertain step (begun, or its undo
 * begun, and not known to have finished) is undone too, and a failure of
 * that undo is not one (it may never have run).  The actions and the
 * saved routes of rec must outlive ap. */
int apply_adopt_records(struct apply *ap, const struct apply_records *rec);
int apply_adopt_step(struct apply *ap, size_t step, const struct action *a, const uint8_t *ok, const uint8_t *old_mac,
                     bool uncertain);

#endif
