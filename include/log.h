/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for the command layer.  Library-like modules (profile, plan,
 * nl, ...) log at debug level at most and return negative errno; the
 * command layer logs once, with context. */
#ifndef HANET_LOG_H
#define HANET_LOG_H

#include <errno.h>
#include "util.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* When set, each line starts with "hanet: " (default on; off for --json
 * consumers is not needed: logs go to stderr). */
void log_set_prefix(const char *prefix);

/* Logs; %m is the string of errno = -error.  Returns error (<= 0), so
 * `return log_error_errno(r, "...: %m");` works. */
int log_full_errno(enum log_level level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_full_errno(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_LEVEL_DEBUG, (e), __VA_ARGS__)

#endif
