/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static const char *log_prefix = "hanet: ";

void log_set_level(enum log_level level) { max_level = level; }
enum log_level log_get_level(void) { return max_level; }
void log_set_prefix(const char *prefix) { log_prefix = prefix ? prefix : ""; }

int log_full_errno(enum log_level level, int error, const char *fmt, ...) {
	static const char *const tags[] = {
		[LOG_LEVEL_ERROR] = "error: ",
		[LOG_LEVEL_WARNING] = "warning: ",
		[LOG_LEVEL_NOTICE] = "",
		[LOG_LEVEL_INFO] = "",
		[LOG_LEVEL_DEBUG] = "debug: ",
	};
	int saved = errno;
	va_list ap;

	if (level > max_level) {
		errno = saved;
		return error < 0 ? error : -error;
	}
	/* %m prints the error passed in, not whatever errno is now */
	errno = error < 0 ? -error : error;
	fprintf(stderr, "%s%s", log_prefix, tags[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
	return error < 0 ? error : -error;
}
