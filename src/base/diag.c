/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"

void diags_init(struct diags *d) {
	memset(d, 0, sizeof(*d));
}

void diags_fini(struct diags *d) {
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].section);
		free(d->v[i].key);
		free(d->v[i].code);
		free(d->v[i].msg);
	}
	free(d->v);
	diags_init(d);
}

static char *strdup_or_null(const char *s) {
	return s ? strdup(s) : NULL;
}

int diag_addv(struct diags *d, enum diag_level level, const char *file, int line, const char *section,
              const char *key, const char *code, const char *fmt, va_list ap) {
	struct diag *v, *g;
	int r;

	v = realloc(d->v, (d->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->v = v;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->level = level;
	g->line = line;
	g->file = strdup_or_null(file);
	g->section = strdup_or_null(section);
	g->key = strdup_or_null(key);
	g->code = strdup_or_null(code);
	r = vasprintf(&g->msg, fmt, ap);
	if (r < 0)
		g->msg = NULL;
	d->n++;
	if (level == DIAG_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;
	return 0;
}

int diag_add(struct diags *d, enum diag_level level, const char *file, int line, const char *section,
             const char *key, const char *code, const char *fmt, ...) {
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_addv(d, level, file, line, section, key, code, fmt, ap);
	va_end(ap);
	return r;
}

const char *diag_format(const struct diag *g, char *buf, size_t size) {
	size_t n = 0;

#define APPEND(...)                                                        \
	do {                                                               \
		if (n < size)                                              \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	if (g->file)
		APPEND("%s:", g->file);
	if (g->line > 0)
		APPEND("%d:", g->line);
	if (n)
		APPEND(" ");
	if (g->level == DIAG_WARNING)
		APPEND("warning: ");
	if (g->section)
		APPEND("[%s] ", g->section);
	if (g->key)
		APPEND("%s: ", g->key);
	APPEND("%s", g->msg ? g->msg : "(out of memory)");
	if (g->code && g->level == DIAG_WARNING)
		APPEND(" [%s]", g->code);
#undef APPEND
	return buf;
}

void diags_print(const struct diags *d, FILE *f) {
	char buf[2048];

	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", diag_format(&d->v[i], buf, sizeof(buf)));
}

void diags_json(const struct diags *d, struct json *j, const char *key) {
	json_arr_begin(j, key);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		char buf[2048];

		json_obj_begin(j, NULL);
		json_str(j, "level", g->level == DIAG_ERROR ? "error" : "warning");
		json_str(j, "file", g->file);
		json_int(j, "line", g->line);
		json_str(j, "section", g->section);
		json_str(j, "key", g->key);
		json_str(j, "code", g->code);
		json_str(j, "message", g->msg);
		json_str(j, "text", diag_format(g, buf, sizeof(buf)));
		json_obj_end(j);
	}
	json_arr_end(j);
}
