/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics about a profile: errors and lint warnings, each naming the
 * file, line, section and key.  Text form:
 *   controller.ini:12: [bond bond0] miimon: expected a duration, got "fast"
 * A warning reads "FILE:LINE: warning: [TYPE NAME] KEY: ..." and carries a
 * short code (e.g. "ab-no-monitor") for --json and for suppression. */
#ifndef HANET_DIAG_H
#define HANET_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_level level;
	char *file;
	int line;           /* 0 when not known */
	char *section;      /* "bond bond0", without brackets; NULL for file-level */
	char *key;          /* NULL for section-level */
	char *code;         /* lint code; NULL for errors */
	char *msg;          /* the explanation alone */
};

struct diags {
	struct diag *v;
	size_t n;
	size_t n_errors;
	size_t n_warnings;
};

void diags_init(struct diags *d);
void diags_fini(struct diags *d);
int diag_add(struct diags *d, enum diag_level level, const char *file, int line,
             const char *section, const char *key, const char *code, const char *fmt, ...) _printf_(8, 9);
/* The same with a va_list, for functions that add context and a format. */
int diag_addv(struct diags *d, enum diag_level level, const char *file, int line, const char *section,
              const char *key, const char *code, const char *fmt, va_list ap) _printf_(8, 0);
/* The one-line text form (no trailing newline) into buf. */
const char *diag_format(const struct diag *g, char *buf, size_t size);
void diags_print(const struct diags *d, FILE *f);
struct json;
void diags_json(const struct diags *d, struct json *j, const char *key);

#endif
