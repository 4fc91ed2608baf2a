/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply --confirm: a pending change.  Before its first change, apply
 * writes the change's undo journal to disk (journal-file.h); after a
 * successful apply, a waiting process stays behind with the lock and
 * rolls everything back when the time runs out, unless `hanet confirm`
 * tells it to keep the change.  When that process is gone (killed), the
 * next hanet run finds the journal with the lock free and rolls the
 * change back from the file.
 *
 *   /run/hanet/confirm/PROFILE.journal  the pending change: its undo
 *                                       journal and its waiting process
 *                                       (pid and start time)
 *   /run/hanet/confirm/PROFILE.log      the outcome of the last change:
 *                                       a line for humans, then
 *                                       "change ID confirmed|rolled-back|rollback-failed"
 */
#ifndef HANET_CONFIRM_H
#define HANET_CONFIRM_H

#include <stdint.h>

#include "paths.h"

struct apply;
struct apply_hook;
struct confirm;

/* A pending change of a profile about to be applied (nothing on disk
 * yet: the hook writes the journal before the first change). */
int confirm_new(const char *profile, struct confirm **ret);
const struct apply_hook *confirm_hook(struct confirm *c);
/* The change did not go through (failed, or rolled back in this
 * process): the journal goes. */
void confirm_abandon(struct confirm *c);
/* Closes the journal; the file stays for the waiting process. */
void confirm_free(struct confirm *c);

/* Fork the waiting process; returns in the parent once the process is
 * ready to be confirmed (its pid and start time are in the journal). */
int confirm_wait_background(struct confirm *c, uint64_t timeout_us, struct apply *ap);

/* Keep the pending change of a profile: 0 when it is kept (confirmed
 * before its deadline); -ETIME when it was rolled back instead (*what
 * says how); -ENOENT when nothing waits; -EBUSY when it is still being
 * applied. */
int confirm_send(const char *profile, char *what, size_t size);

/* Profiles with a pending change (names, NULL-terminated; strv_free). */
int confirm_pending(char ***ret);

/* Roll back every pending change whose process is gone, saying so on
 * stderr ("hanet CMD: ...").  lock_fd: the run lock when the caller
 * holds it, or -1: taken here without waiting (a run that holds it is
 * alive; nothing to do then).  Returns how many were rolled back, or a
 * negative errno when one could not be (said on stderr). */
int confirm_recover(int lock_fd, const char *cmd);

#endif
