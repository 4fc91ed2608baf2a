/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps the engine commands (apply, check, down, show, ...) share:
 * usage errors, loading a profile into a session, the run lock,
 * observing, printing a plan as JSON, running a plan.  Each step that can
 * fail says why once, with the profile's name, and hands back the exit
 * code or the negative errno the command goes on with.
 */
#ifndef HANET_CMD_COMMON_H
#define HANET_CMD_COMMON_H

#include <stdint.h>

#include "util.h"

struct apply;
struct apply_hook;
struct session;

/* "hanet CMD: MESSAGE", a blank line and the usage text on stderr;
 * returns EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...) _printf_(3, 4);

/* A duration option's value, at least min_us and at most max_us (0: no
 * bound): 0 and *ret_us; else "hanet CMD: --OPT: expected a duration
 * ..." on stderr and EXIT_USAGE. */
int cmd_duration_opt(const char *cmd, const char *opt, const char *arg, uint64_t min_us, uint64_t max_us,
                     uint64_t *ret_us);

/* session_load() for a command: 0 when loaded; else the exit code
 * (EXIT_INVALID: the diagnostics are printed; EXIT_RUNTIME: logged), with
 * the session finished. */
int cmd_load(struct session *s, const char *arg, unsigned flags);

/* Take the run lock (lock.h), waiting up to wait_us: 0 and *ret_fd;
 * else the exit code after saying why (EXIT_LOCKED: another run holds
 * it). */
int cmd_lock(const char *name, uint64_t wait_us, int *ret_fd);

/* Roll back the changes not confirmed whose process is gone (confirm.h;
 * lock_fd: the run lock if held, else -1), before anything else; the
 * session's records are read again when one was.  <0 only when the
 * records cannot be read again (logged). */
int cmd_recover(struct session *s, int lock_fd, const char *cmd);

/* session_observe(), logging a failure. */
int cmd_observe(struct session *s);

/* The session's plan as JSON on stdout. */
void cmd_plan_json(const struct session *s);

/* Run the session's plan (a journal; a failure rolls back and is
 * logged): *ret_ap, for verify and rollback, when it went through.
 * hook (may be NULL): a copy of the journal elsewhere (apply.h).  Once
 * per process: the apply keeps pointers to the options and the error
 * buffer, which live in this module. */
int cmd_apply_plan(struct session *s, const struct apply_hook *hook, struct apply **ret_ap);

#endif
