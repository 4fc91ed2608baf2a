/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply --confirm: after a successful apply, a process stays behind
 * with the journal and the lock, and rolls everything back when the
 * time runs out, unless `hanet confirm` tells it to keep the change.
 *
 *   /run/hanet/confirm/PROFILE.pid   the waiting process (SIGUSR1: keep)
 *   /run/hanet/confirm/PROFILE.log   what it did: "confirmed" or "rolled back ..."
 */
#ifndef HANET_CONFIRM_H
#define HANET_CONFIRM_H

#include <stdint.h>

#define HANET_CONFIRM_DIR "/run/hanet/confirm"

struct apply;

/* Fork the waiting process; returns in the parent once the process is
 * ready to be confirmed (its pid file is there). */
int confirm_wait_background(const char *profile, uint64_t timeout_us, struct apply *ap);

/* Tell the waiting process of a profile to keep the change and wait
 * (bounded) until it is gone.  -ENOENT when nothing waits. */
int confirm_send(const char *profile);

/* Profiles with a waiting process (names, NULL-terminated; strv_free). */
int confirm_pending(char ***ret);

#endif
