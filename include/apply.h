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

#endif
