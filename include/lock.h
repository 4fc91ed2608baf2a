/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One hanet run that changes the kernel at a time: an flock(2) on
 * /run/hanet/lock.  The holder's pid is written into the file for the
 * message of the one that waits or gives up.  Only root can take the
 * locks: /run/hanet is 0700 (private_dir, util.h) and lock files 0600;
 * a lock file held by another user (through a descriptor opened while
 * it was open to all) is replaced by a new one, under the guard of
 * PATH.guard (lock.c) so that no run takes the old file meanwhile. */
#ifndef HANET_LOCK_H
#define HANET_LOCK_H

#include <stdint.h>

#include "paths.h"

/* Take the lock, waiting up to timeout_us (0: do not wait).  -EBUSY when
 * another run holds it; *ret_holder (may be NULL) gets its pid. */
int lock_take(uint64_t timeout_us, int *ret_fd, int *ret_holder);
void lock_release(int fd);
/* The same on another lock file (its directory exists), polling every
 * poll_us while it waits; lock_release() releases it. */
int lock_take_file(const char *path, uint64_t timeout_us, uint64_t poll_us, int *ret_fd, int *ret_holder);
/* Open (create) a lock file without taking it: a regular file of the
 * effective user, mode 0600, never through a symbolic link; -EPERM
 * (logged) otherwise.  Group and other access is taken away (logged). */
int lock_open(const char *path, int *ret_fd);
/* Take the lock of *fd (opened by lock_open on path) without waiting:
 * 0, or -EBUSY when a process of the effective user holds it.  When
 * another user holds it, path is replaced by a new lock file (logged),
 * *fd becomes the new file's, and that one is taken. */
int lock_try(const char *path, int *fd);

#endif
