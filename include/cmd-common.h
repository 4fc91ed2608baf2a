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

#include <stdbool.h>
#include <stdint.h>

#include "apply.h"
#include "util.h"

struct apply;
struct apply_hook;
struct profile;
struct session;
struct session_result;

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

/* A profile alone (no session: hanet vip): 0 and *ret; else -EINVAL
 * with its errors printed (its warnings are not: validate's business). */
int cmd_load_profile(const char *path, struct profile **ret);

/* Take the run lock (lock.h), waiting up to wait_us: 0 and *ret_fd;
 * else the exit code after saying why (EXIT_LOCKED: another run holds
 * it). */
int cmd_lock(const char *name, uint64_t wait_us, int *ret_fd);

/* Roll back the changes not confirmed whose process is gone (confirm.h;
 * lock_fd: the run lock if held, else -1), before anything else; the
 * session's records are read again when one was.  <0 only when the
 * records cannot be read again (logged). */
int cmd_recover(struct session *s, int lock_fd, const char *cmd);

/* The arguments of a command that takes only -j/--json, -h/--help and
 * one PROFILE (check, show): -1 with *as_json and *ret_profile set, to go
 * on; else the exit code (EXIT_OK after --help, EXIT_USAGE). */
int cmd_json_profile_args(int argc, char **argv, const char *cmd, const char *usage, bool *as_json,
                          const char **ret_profile);

/* What a command that plans against everything the profile owns does
 * first: cmd_recover(), then the owned routes read (their tables too),
 * then cmd_observe().  <0 after saying why. */
int cmd_recover_observe(struct session *s, int lock_fd, const char *cmd);

/* session_observe(), logging a failure. */
int cmd_observe(struct session *s);

/* The session's plan as JSON on stdout. */
void cmd_plan_json(const struct session *s);

/* The apply options of a command: a line per action under --debug,
 * progress for long work, HANET_FAIL_AT in the test build. */
struct apply_opts cmd_apply_opts(void);

/* Say why session_apply() failed, once, with the profile's name: the
 * step that failed and whether its undo went through, or why verify
 * could not read the kernel, and a rollback that failed.  A mismatch
 * (res->left) is for the command to list, before this. */
void cmd_apply_failed(const struct session *s, const struct session_result *res);

#endif
