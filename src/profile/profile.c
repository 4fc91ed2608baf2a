/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profile loading: text -> model.  Never touches the kernel.
 *
 * The reader is a line scanner that follows iniparser 4.1's line rules
 * (continuation lines, comments, quoting, case folding), which profiles
 * were first written for, and keeps what iniparser dropped: line
 * numbers, the case as written, duplicate keys and sections.  Unlike
 * iniparser it is linear in the size of the file (sections are found
 * through a hash table), and a line continued with "\" may be longer
 * than one physical line (INI_LOGICAL_MAX).
 *
 * Then every section is parsed through the key table (profile-keys.c)
 * and the whole model is checked (profile-check.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link-ops.h"
#include "profile-internal.h"
#include "util.h"

#define SECTION_TEXT_MAX 300    /* a section header's inner text */
#define KEY_TEXT_MAX 200

/* ---- section types -------------------------------------------------- */

static const char *const sec_type_names[_SEC_TYPE_MAX] = {
	[SEC_PROFILE] = "profile", [SEC_NETNS] = "netns",
	[SEC_VIP] = "vip",         [SEC_ROUTE] = "route",   [SEC_ROUTES] = "routes",
	[SEC_RULE] = "rule",       [SEC_SLA] = "sla",       [SEC_PROBE] = "probe",
	[SEC_FAULT] = "fault",     [SEC_CLUSTER] = "cluster", [SEC_SERVICE] = "service",
};

const char *sec_type_name(enum sec_type t) {
	if (sec_type_is_link(t))
		return link_kind_name(sec_type_link_kind(t));
	return (unsigned)t < _SEC_TYPE_MAX && sec_type_names[t] ? sec_type_names[t] : "?";
}

/* Not a section type: LINK_OTHER's place among the link kinds. */
static bool sec_type_hole(int t) {
	return t >= SEC_LINK0 && t < SEC_VIP && !sec_type_is_link((enum sec_type)t);
}

int sec_type_from_name(const char *s, enum sec_type *ret) {
	for (int t = 0; t < _SEC_TYPE_MAX; t++)
		if (!sec_type_hole(t) && strcmp(s, sec_type_name((enum sec_type)t)) == 0) {
			*ret = (enum sec_type)t;
			return 0;
		}
	return -EINVAL;
}

bool sec_type_is_link(enum sec_type t) {
	return (unsigned)t < _SEC_TYPE_MAX && (SEC_BIT(t) & SEC_LINKS) != 0;
}

bool sec_type_is_named(enum sec_type t) {
	return t != SEC_PROFILE && t != SEC_SLA && t != SEC_CLUSTER;
}

enum link_kind sec_type_link_kind(enum sec_type t) {
	return sec_type_is_link(t) ? (enum link_kind)(t - SEC_LINK0) : LINK_NIC;
}

const char *sec_types_list(void) {
	static char buf[512];
	size_t n = 0;

	if (buf[0])
		return buf;
	for (int t = 0; t < _SEC_TYPE_MAX && n < sizeof(buf); t++)
		if (!sec_type_hole(t))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", t ? ", " : "", sec_type_name((enum sec_type)t));
	return buf;
}

/* ---- diagnostics ---------------------------------------------------- */

void load_errv(struct load *ld, int line, const char *section, const char *key, const char *fmt, va_list ap) {
	diag_addv(ld->d, DIAG_ERROR, ld->file, line, section, key, NULL, fmt, ap);
}

void load_err(struct load *ld, int line, const char *section, const char *key, const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	load_errv(ld, line, section, key, fmt, ap);
	va_end(ap);
}

static void scan_err(struct load *ld, int line, const char *section, const char *key, const char *code,
                     const char *fmt, ...) _printf_(6, 7);
static void scan_err(struct load *ld, int line, const char *section, const char *key, const char *code,
                     const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	diag_addv(ld->d, DIAG_ERROR, ld->file, line, section, key, code, fmt, ap);
	va_end(ap);
}

/* ---- the line scanner ------------------------------------------------ */

/* The C locale's isspace, as iniparser uses it. */
static bool ini_space(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static char *ini_strip(char *s) {
	char *e;

	while (*s && ini_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && ini_space(e[-1]))
		*--e = '\0';
	return s;
}

static void ini_lower(char *s) {
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool has_upper(const char *s) {
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

/* The scanner's strings live in chunks freed together by scan_fini():
 * one malloc per 64 KiB of text instead of several per line. */
struct scan_chunk {
	struct scan_chunk *next;
	char mem[];
};

#define SCAN_CHUNK_SIZE (64 * 1024)

static char *scan_strndup(struct scan *sc, const char *s, size_t n) {
	char *v;

	if (n + 1 > sc->chunk_left) {
		size_t size = n + 1 > SCAN_CHUNK_SIZE ? n + 1 : SCAN_CHUNK_SIZE;
		struct scan_chunk *c = malloc(sizeof(*c) + size);

		if (!c)
			return NULL;
		c->next = sc->chunks;
		sc->chunks = c;
		sc->chunk_at = c->mem;
		sc->chunk_left = size;
	}
	v = sc->chunk_at;
	memcpy(v, s, n);
	v[n] = '\0';
	sc->chunk_at += n + 1;
	sc->chunk_left -= n + 1;
	return v;
}

static char *scan_strdup(struct scan *sc, const char *s) {
	return scan_strndup(sc, s, strlen(s));
}

static void scan_section_fini(struct scan_section *s) {
	free(s->keys);
}

static void scan_fini(struct scan *sc) {
	for (size_t i = 0; i < sc->n; i++)
		scan_section_fini(&sc->v[i]);
	free(sc->v);
	free(sc->index);
	for (struct scan_chunk *c = sc->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(sc, 0, sizeof(*sc));
}

static struct scan_section *scan_add_section(struct scan *sc) {
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct scan_section *v = realloc(sc->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		sc->v = v;
		sc->cap = cap;
	}
	memset(&sc->v[sc->n], 0, sizeof(sc->v[sc->n]));
	return &sc->v[sc->n++];
}

/* FNV-1a */
static uint32_t hash_str(const char *s) {
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The loaded section labelled `label` ("TYPE NAME"), or NULL. */
static const struct scan_section *scan_find_section(const struct scan *sc, const char *label) {
	if (!sc->index_cap)
		return NULL;
	for (size_t i = hash_str(label) & (sc->index_cap - 1);; i = (i + 1) & (sc->index_cap - 1)) {
		uint32_t at = sc->index[i];
		if (!at)
			return NULL;
		if (strcmp(sc->v[at - 1].label, label) == 0)
			return &sc->v[at - 1];
	}
}

static void index_put(uint32_t *index, size_t cap, const char *label, uint32_t at) {
	size_t i = hash_str(label) & (cap - 1);

	while (index[i])
		i = (i + 1) & (cap - 1);
	index[i] = at;
}

/* Enter section sc->v[at] into the index (its label is not there yet). */
static int scan_index_add(struct scan *sc, size_t at) {
	if (at >= UINT32_MAX)
		return -E2BIG;
	if (2 * (sc->index_n + 1) > sc->index_cap) {
		size_t cap = sc->index_cap ? sc->index_cap * 2 : 64;
		uint32_t *index = calloc(cap, sizeof(*index));

		if (!index)
			return -ENOMEM;
		for (size_t i = 0; i < sc->index_cap; i++)
			if (sc->index[i])
				index_put(index, cap, sc->v[sc->index[i] - 1].label, sc->index[i]);
		free(sc->index);
		sc->index = index;
		sc->index_cap = cap;
	}
	index_put(sc->index, sc->index_cap, sc->v[at].label, (uint32_t)(at + 1));
	sc->index_n++;
	return 0;
}

/* A section the loader skips: what follows a broken header belongs to
 * it, so its keys raise no errors of their own. */
static int scan_skip_section(struct scan *sc, int line, struct scan_section **cur) {
	struct scan_section *sec = scan_add_section(sc);

	if (!sec)
		return -ENOMEM;
	sec->line = line;
	sec->skip = true;
	sec->secname = scan_strdup(sc, "");
	sec->label = scan_strdup(sc, "");
	if (!sec->secname || !sec->label)
		return -ENOMEM;
	*cur = sec;
	return 0;
}

/* A section header line: s is the stripped line, starting with '[' and
 * ending with ']'. */
static int scan_header(struct load *ld, const char *s, int line) {
	struct scan *sc = &ld->scan;
	struct scan_section *sec;
	const char *close = strchr(s + 1, ']');
	char *inner, *type, *name, *sp;
	const struct scan_section *prev;
	size_t n = (size_t)(close - (s + 1));

	sec = scan_add_section(sc);
	if (!sec)
		return -ENOMEM;
	sec->line = line;
	sec->skip = true;
	inner = scan_strndup(sc, s + 1, n);
	if (!inner)
		return -ENOMEM;
	sec->secname = ini_strip(inner);
	if (!sec->secname)
		return -ENOMEM;
	if (close[1] != '\0') {
		/* iniparser takes "[a]b]" as [a] */
		sec->label = scan_strdup(sc, sec->secname);
		ini_lower(sec->secname);
		scan_err(ld, line, NULL, NULL, NULL, "a section header is [TYPE NAME] with nothing after the first \"]\", got %s", s);
		sc->syntax_error = true;
		return 0;
	}
	if (strlen(sec->secname) > SECTION_TEXT_MAX) {
		sec->label = scan_strdup(sc, "?");
		ini_lower(sec->secname);
		scan_err(ld, line, NULL, NULL, NULL, "section header longer than %d bytes", SECTION_TEXT_MAX);
		sc->syntax_error = true;
		return 0;
	}
	if (!*sec->secname) {
		sec->label = scan_strdup(sc, "");
		scan_err(ld, line, NULL, NULL, NULL, "empty section header: a section header is [TYPE NAME] or [TYPE]");
		sc->syntax_error = true;
		return 0;
	}
	if (strchr(sec->secname, ':')) {
		/* iniparser files keys as "SECTION:KEY": a colon in a section
		 * name makes [netns a:b] and key b of [netns a] the same entry */
		sec->label = scan_strdup(sc, sec->secname);
		ini_lower(sec->secname);
		scan_err(ld, line, NULL, NULL, NULL,
		         "a section header has no \":\" (the INI reader's separator of section and key), got [%s]",
		         sec->label ? sec->label : "");
		sc->syntax_error = true;
		return 0;
	}

	/* TYPE and NAME, lowercased as iniparser stores them */
	{
		char *lower = scan_strdup(sc, sec->secname);
		size_t tl;
		if (!lower)
			return -ENOMEM;
		ini_lower(lower);
		sp = lower + strcspn(lower, " \t\v\f\r");
		tl = (size_t)(sp - lower);
		type = scan_strndup(sc, lower, tl);
		name = scan_strdup(sc, ini_strip(sp));
		if (!type || !name)
			return -ENOMEM;
		sec->type = type;
		sec->name = name;
		/* "TYPE NAME", or "TYPE" */
		sec->label = scan_strndup(sc, type, tl + (*name ? 1 + strlen(name) : 0));
		if (!sec->label)
			return -ENOMEM;
		if (*name) {
			sec->label[tl] = ' ';
			strcpy(sec->label + tl + 1, name);
		}
		if (has_upper(sec->secname)) {
			scan_err(ld, line, sec->label, NULL, NULL,
			         "section headers are lowercase: write [%s], not [%s]", sec->label, sec->secname);
			sc->syntax_error = true;
		}
		sec->secname = lower;
	}

	if (sec_type_from_name(type, &sec->stype) < 0) {
		const char *names[_SEC_TYPE_MAX];
		const char *near;
		size_t n_names = 0;

		for (int t = 0; t < _SEC_TYPE_MAX; t++)
			if (!sec_type_hole(t))
				names[n_names++] = sec_type_name((enum sec_type)t);
		near = suggest_word(names, n_names, type);
		if (near)
			scan_err(ld, line, sec->label, NULL, NULL, "unknown section type \"%s\": did you mean [%s%s%s]?", type,
			         near, *name ? " " : "", name);
		else
			scan_err(ld, line, sec->label, NULL, NULL, "unknown section type \"%s\": expected one of %s", type,
			         sec_types_list());
		return 0;
	}
	sec->known = true;
	if (strpbrk(name, " \t\v\f\r")) {
		scan_err(ld, line, sec->label, NULL, NULL,
		         "a section header is [%s NAME], and NAME has no spaces", type);
		sec->known = false;
		return 0;
	}
	if (sec_type_is_named(sec->stype) && !*name) {
		scan_err(ld, line, sec->label, NULL, NULL, "a [%s] section needs a name: [%s NAME]", type, type);
		sec->known = false;
		return 0;
	}
	if (!sec_type_is_named(sec->stype) && *name) {
		scan_err(ld, line, sec->label, NULL, NULL, "a [%s] section takes no name: write [%s]", type, type);
		sec->known = false;
		return 0;
	}
	prev = scan_find_section(sc, sec->label);
	if (prev) {
		scan_err(ld, line, sec->label, NULL, NULL, "duplicate section: [%s] is already at line %d", sec->label,
		         prev->line);
		return 0;
	}
	sec->skip = false;
	return scan_index_add(sc, sc->n - 1);
}

/* The value iniparser 4.1 stores for the text after '=' (rest). Sets
 * *bad to a message when the text is one iniparser reads but a profile
 * must not have. */
static char *scan_value(struct scan *sc, const char *rest, const char **bad) {
	char quote = rest[0];

	*bad = NULL;
	if ((quote == '"' || quote == '\'') && rest[1] && rest[1] != quote) {
		const char *end = strchr(rest + 1, quote);
		const char *after;

		if (!end) {
			*bad = "unterminated quote";
			return scan_strdup(sc, rest + 1);
		}
		after = end + 1;
		while (*after && ini_space(*after))
			after++;
		if (*after && *after != ';' && *after != '#')
			*bad = "text after the closing quote";
		return scan_strndup(sc, rest + 1, (size_t)(end - (rest + 1)));
	}
	if (rest[0] && rest[0] != ';' && rest[0] != '#') {
		char *v = scan_strndup(sc, rest, strcspn(rest, ";#")), *s;

		if (!v)
			return NULL;
		s = ini_strip(v);
		if (strcmp(s, "\"\"") == 0 || strcmp(s, "''") == 0)
			s[0] = '\0';
		memmove(v, s, strlen(s) + 1);
		return v;
	}
	return scan_strdup(sc, "");
}

static int scan_key_line(struct load *ld, char *s, int line, struct scan_section **cur) {
	struct scan *sc = &ld->scan;
	struct scan_section *sec = *cur;
	struct scan_key *k, *keys;
	char *eq = strchr(s, '='), *key, *rest, *value;
	const char *bad;

	if (!eq && s[0] == '[') {
		scan_err(ld, line, NULL, NULL, NULL,
		         "a section header is [TYPE NAME] alone on its line (comments go on lines of their own), got \"%s\"",
		         s);
		sc->syntax_error = true;
		return scan_skip_section(sc, line, cur);
	}
	if (!eq || eq == s) {
		scan_err(ld, line, sec && !sec->skip ? sec->label : NULL, NULL, NULL,
		         "expected [TYPE NAME], KEY = VALUE, or a comment (; or #), got \"%s\"", s);
		sc->syntax_error = true;
		return 0;
	}
	*eq = '\0';
	key = ini_strip(s);
	rest = eq + 1;
	while (*rest && ini_space(*rest))
		rest++;
	value = scan_value(sc, rest, &bad);
	if (!value)
		return -ENOMEM;

	if (!sec) {
		/* iniparser files it under ":key" */
		int r = scan_skip_section(sc, line, cur);
		if (r < 0)
			return r;
		sec = *cur;
		scan_err(ld, line, NULL, key, NULL, "a key outside of any section: keys go under a [TYPE NAME] header");
	}

	if (sec->n_keys == 0 || (sec->n_keys & (sec->n_keys - 1)) == 0) {
		/* the capacity is the next power of two */
		keys = realloc(sec->keys, (sec->n_keys ? 2 * sec->n_keys : 4) * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		sec->keys = keys;
	}
	k = &sec->keys[sec->n_keys];
	memset(k, 0, sizeof(*k));
	k->key = scan_strdup(sc, key);
	if (!k->key)
		return -ENOMEM;
	k->has_upper = has_upper(key);
	ini_lower(k->key);
	k->value = value;
	k->line = line;
	sec->n_keys++;

	if (sec->skip)
		return 0;
	if (strlen(k->key) > KEY_TEXT_MAX) {
		scan_err(ld, line, sec->label, NULL, NULL, "a key longer than %d bytes", KEY_TEXT_MAX);
		sc->syntax_error = true;
		return 0;
	}
	if (bad) {
		scan_err(ld, line, sec->label, k->key, NULL, "%s: write KEY = VALUE or KEY = \"VALUE\"", bad);
		sc->syntax_error = true;
	}
	if (k->has_upper) {
		scan_err(ld, line, sec->label, k->key, NULL, "keys are lowercase: write \"%s\", not \"%s\"", k->key, key);
		sc->syntax_error = true;
	}
	for (size_t i = 0; i + 1 < sec->n_keys; i++)
		if (strcmp(sec->keys[i].key, k->key) == 0) {
			scan_err(ld, line, sec->label, k->key, NULL, "duplicate key: already set at line %d",
			         sec->keys[i].line);
			return 0;
		}
	if (sec->known && !key_known(sec->stype, k->key)) {
		char list[1024];
		const char *near = key_suggest(sec->stype, k->key);
		if (near)
			scan_err(ld, line, sec->label, k->key, NULL, "unknown key for [%s]: did you mean %s?",
			         sec->type, near);
		else
			scan_err(ld, line, sec->label, k->key, NULL, "unknown key for [%s]: expected one of %s",
			         sec->type, section_keys_list(sec->stype, list, sizeof(list)));
	} else if (sec->known) {
		/* the same option under two names */
		const char *canon = key_canonical(sec->stype, k->key);
		for (size_t i = 0; i + 1 < sec->n_keys; i++)
			if (strcmp(key_canonical(sec->stype, sec->keys[i].key), canon) == 0) {
				scan_err(ld, line, sec->label, k->key, NULL,
				         "the same option as %s, already set at line %d", sec->keys[i].key,
				         sec->keys[i].line);
				break;
			}
	}
	return 0;
}

/* One logical line (continuations joined), as iniparser_line() sees it. */
static int scan_logical_line(struct load *ld, char *line, int lineno, struct scan_section **cur) {
	char *s = ini_strip(line);
	size_t n = strlen(s);
	int r;

	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	if (s[0] == '[' && s[n - 1] == ']') {
		if (s[1] == ']') {
			/* iniparser keeps the previous section for "[]" */
			scan_err(ld, lineno, NULL, NULL, NULL,
			         "empty section header: a section header is [TYPE NAME] or [TYPE]");
			ld->scan.syntax_error = true;
			return scan_skip_section(&ld->scan, lineno, cur);
		}
		r = scan_header(ld, s, lineno);
		if (r < 0)
			return r;
		*cur = &ld->scan.v[ld->scan.n - 1];
		return 0;
	}
	return scan_key_line(ld, s, lineno, cur);
}

/* Walk the buffer line by line, as iniparser_load() walks a file: a
 * physical line holds at most INI_LINE_BUF - 2 bytes before its newline,
 * trailing space is stripped, and a final '\' joins the next physical
 * line in place of the backslash (up to INI_LOGICAL_MAX bytes). */
static int scan_buffer(struct load *ld, const char *buf, size_t len) {
	_cleanup_free_ char *line = NULL;
	size_t line_cap = 0;
	struct scan_section *cur = NULL;
	size_t pos = 0, last = 0;
	int lineno = 0, start = 0, r;
	bool in_comment = false, swallowed = false;
	const char *nul = memchr(buf, '\0', len);

	if (nul) {
		int at = 1;
		for (const char *p = buf; p < nul; p++)
			at += *p == '\n';
		scan_err(ld, at, NULL, NULL, NULL, "a NUL byte: a profile is a text file");
		ld->scan.syntax_error = true;
		return 0;
	}

	while (pos < len) {
		if (ld->d->n_errors - ld->errors_before >= PROFILE_ERRORS_MAX) {
			scan_err(ld, lineno, NULL, NULL, NULL, "%d errors: the rest of the file is not read",
			         PROFILE_ERRORS_MAX);
			ld->scan.syntax_error = true;
			return 0;
		}
		/* as fgets() into a buffer of INI_LINE_BUF bytes */
		const size_t cap = INI_LINE_BUF - 1;
		const char *nl = memchr(buf + pos, '\n', len - pos < cap ? len - pos : cap);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : (len - pos < cap ? len - pos : cap);
		bool newline = nl != NULL, eof;
		int l;

		if (last + n + 1 > line_cap) {
			size_t want = line_cap ? line_cap : INI_LINE_BUF + 1;
			char *v;
			while (want < last + n + 1)
				want *= 2;
			v = realloc(line, want);
			if (!v)
				return -ENOMEM;
			line = v;
			line_cap = want;
		}
		memcpy(line + last, buf + pos, n);
		pos += n;
		line[last + n] = '\0';
		/* fgets() sets EOF only when it stopped at the end of the data */
		eof = !newline && n < cap;
		lineno++;
		if (last == 0) {
			start = lineno;
			in_comment = swallowed = false;
		} else if (in_comment && !swallowed) {
			/* a comment ending with "\" swallows this line: harmless
			 * for blank lines and comments, an error for anything else */
			const char *t = line + last;
			while (*t && ini_space(*t))
				t++;
			if (*t && *t != '#' && *t != ';') {
				scan_err(ld, lineno, NULL, NULL, NULL,
				         "this line is part of the comment on line %d, which ends with \"\\\"; "
				         "remove the backslash", start);
				ld->scan.syntax_error = true;
				swallowed = true;
			}
		}
		l = (int)(last + n) - 1;
		if (l <= 0) {
			/* iniparser skips a line of one byte (without its newline,
			 * the last one); a profile must not hold one */
			if (l == 0 && !ini_space(line[0]) && line[0] != '#' && line[0] != ';') {
				scan_err(ld, lineno, cur && !cur->skip ? cur->label : NULL, NULL, NULL,
				         "expected [TYPE NAME], KEY = VALUE, or a comment (; or #), got \"%c\"", line[0]);
				ld->scan.syntax_error = true;
			}
			continue;
		}
		if (line[l] != '\n' && !eof) {
			scan_err(ld, last ? lineno : start, cur && !cur->skip ? cur->label : NULL, NULL, NULL,
			         "a line longer than %d bytes (the limit of the INI reader)", INI_LINE_BUF - 2);
			ld->scan.syntax_error = true;
			return 0;
		}
		if (last + n > INI_LOGICAL_MAX) {
			scan_err(ld, start, cur && !cur->skip ? cur->label : NULL, NULL, NULL,
			         "a line longer than %d bytes, its continuation lines included", INI_LOGICAL_MAX);
			ld->scan.syntax_error = true;
			return 0;
		}
		while (l >= 0 && ini_space(line[l]))
			line[l--] = '\0';
		if (l < 0)
			l = 0;
		if (line[l] == '\\') {
			const char *s = line;
			while (*s && ini_space(*s))
				s++;
			in_comment = *s == '#' || *s == ';';
			last = (size_t)l;
			continue;
		}
		last = 0;
		r = scan_logical_line(ld, line, start, &cur);
		if (r < 0)
			return r;
	}
	if (last > 0 && !in_comment) {
		scan_err(ld, start, NULL, NULL, NULL, "the last line ends with \"\\\" but no line follows");
		ld->scan.syntax_error = true;
	}
	return 0;
}

/* ---- objects ---------------------------------------------------------- */

void *load_array_push(void *arrp, size_t *n, size_t size) {
	void **arr = arrp;
	char *v = *arr;

	/* the capacity is the next power of two: grown when n reaches one */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		v = realloc(*arr, (*n ? *n * 2 : 1) * size);
		if (!v)
			return NULL;
		*arr = v;
	}
	memset(v + *n * size, 0, size);
	return v + (*n)++ * size;
}

static bool object_name_valid(const char *s) {
	size_t n = strlen(s);

	if (n == 0 || n >= HANET_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("_.-", *p)))
			return false;
	return true;
}

static int key_pos_add(struct profile *p, const char *label, const char *key, int line) {
	struct profile_key_pos *kp;
	const char *section = strpool_intern(p->pool, label), *k = key ? strpool_intern(p->pool, key) : NULL;

	if (!section || (key && !k))
		return -ENOMEM;
	kp = load_array_push(&p->key_pos, &p->n_key_pos, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	kp->section = section;
	kp->key = k;
	kp->line = line;
	return 0;
}

int profile_label_line(const struct profile *p, const char *label, const char *key) {
	int section_line = 0;

	for (size_t i = 0; i < p->n_key_pos; i++) {
		const struct profile_key_pos *kp = &p->key_pos[i];
		if (strcmp(kp->section, label) != 0)
			continue;
		if (!kp->key) {
			if (!section_line)
				section_line = kp->line;
			if (!key)
				return kp->line;
		} else if (key && strcmp(kp->key, key) == 0)
			return kp->line;
	}
	return section_line;
}

int profile_key_line(const struct profile *p, const char *type, const char *name, const char *key) {
	char label[HANET_NAME_MAX + NETNS_NAME_MAX + 16];

	if (!p || !type)
		return 0;
	snprintf(label, sizeof(label), name && *name ? "%s %s" : "%s", type, name ? name : "");
	return profile_label_line(p, label, key);
}

/* A link section: the name is the interface name, unique over every
 * link kind. */
static void *new_link(struct load *ld, const struct scan_section *s) {
	struct profile *p = ld->p;
	const struct link_ops *ops;
	struct link *l;
	const char *key;
	uintptr_t k;

	if (!ifname_valid(s->name)) {
		load_err(ld, s->line, s->label, NULL,
		         "\"%s\" is not an interface name: at most %d bytes of a-z, 0-9, \"_\", \".\", \"-\"", s->name,
		         IFNAMSIZ - 1);
		return NULL;
	}
	k = (uintptr_t)namemap_get(&ld->link_names, NULL, s->name);
	if (k) {
		l = &p->links[k - 1];
		load_err(ld, s->line, s->label, NULL, "%s is already declared by [%s %s] at line %d: one section per device",
		         s->name, link_kind_name(l->kind), l->name, l->line);
		return NULL;
	}
	key = strpool_intern(p->pool, s->name);
	l = key ? load_array_push(&p->links, &p->n_links, sizeof(*l)) : NULL;
	if (!l || namemap_put(&ld->link_names, NULL, key, (void *)(uintptr_t)p->n_links) < 0)
		return NULL;
	STRCPY(l->name, s->name);
	l->kind = sec_type_link_kind(s->stype);
	l->up = true;
	l->line = s->line;
	l->link_netnsid = -1;
	ops = link_ops_get(l->kind);
	if (ops && ops->init)
		ops->init(l);
	return l;
}

static void *new_object(struct load *ld, const struct scan_section *s) {
	struct profile *p = ld->p;

	if (sec_type_is_named(s->stype) && !sec_type_is_link(s->stype) && s->stype != SEC_NETNS &&
	    !object_name_valid(s->name)) {
		load_err(ld, s->line, s->label, NULL, "\"%s\" is not a valid name: at most %d bytes of a-z, 0-9, \"_\", \".\", \"-\"",
		         s->name, HANET_NAME_MAX - 1);
		return NULL;
	}
	switch (s->stype) {
	case SEC_PROFILE:
		return p;
	case SEC_NETNS: {
		struct netns_conf *n;
		if (!netns_name_valid(s->name)) {
			load_err(ld, s->line, s->label, NULL,
			         "\"%s\" is not a namespace name: a file name under /run/netns (no \"/\", white space or control character, not \".\" or \"..\")",
			         s->name);
			return NULL;
		}
		if (netns_name_reserved(s->name)) {
			load_err(ld, s->line, s->label, NULL, "\"%s\" is not a namespace name hanet can use: %s", s->name,
			         netns_name_reserved(s->name));
			return NULL;
		}
		n = load_array_push(&p->netns, &p->n_netns, sizeof(*n));
		if (!n)
			return NULL;
		n->name = strpool_intern(p->pool, s->name);
		n->loopback_up = true;
		n->line = s->line;
		return n;
	}
	case SEC_VIP: {
		struct vip *v = load_array_push(&p->vips, &p->n_vips, sizeof(*v));
		if (!v)
			return NULL;
		STRCPY(v->name, s->name);
		v->announce_count = 3;
		v->announce_interval_us = 20000;
		v->announce_mode = ANNOUNCE_REQUEST;
		v->owner = VIP_OWNER_LOCAL;
		v->line = s->line;
		return v;
	}
	case SEC_ROUTE: {
		struct route *r = load_array_push(&p->routes, &p->n_routes, sizeof(*r));
		if (!r)
			return NULL;
		r->name = strpool_intern(p->pool, s->name);
		r->table = RT_TABLE_MAIN;
		r->type = RTN_UNICAST;
		r->line = s->line;
		return r;
	}
	case SEC_ROUTES: {
		struct routes_file *rf = load_array_push(&p->routes_files, &p->n_routes_files, sizeof(*rf));
		if (!rf)
			return NULL;
		STRCPY(rf->name, s->name);
		rf->table = RT_TABLE_MAIN;
		rf->line = s->line;
		return rf;
	}
	case SEC_RULE: {
		struct rule *r = load_array_push(&p->rules, &p->n_rules, sizeof(*r));
		if (!r)
			return NULL;
		STRCPY(r->name, s->name);
		r->fwmask = UINT32_MAX;
		r->line = s->line;
		return r;
	}
	case SEC_SLA:
		p->sla.set = true;
		p->sla.percentile = 100;
		p->sla.line = s->line;
		return &p->sla;
	case SEC_CLUSTER:
		p->cluster.set = true;
		p->cluster.advert_ms = 1000;
		p->cluster.token_ms = 3000;
		p->cluster.line = s->line;
		return &p->cluster;
	case SEC_PROBE: {
		struct probe_conf *pr = load_array_push(&p->probes, &p->n_probes, sizeof(*pr));
		if (!pr)
			return NULL;
		STRCPY(pr->name, s->name);
		pr->interval_us = 1000;
		pr->kind = PROBE_ICMP;
		pr->line = s->line;
		return pr;
	}
	case SEC_FAULT: {
		struct fault_conf *f = load_array_push(&p->faults, &p->n_faults, sizeof(*f));
		if (!f)
			return NULL;
		STRCPY(f->name, s->name);
		f->restore_auto = true;
		f->trials = 10;
		f->signal = SIGKILL;
		f->line = s->line;
		return f;
	}
	case SEC_SERVICE: {
		struct service_conf *sv = load_array_push(&p->services, &p->n_services, sizeof(*sv));
		if (!sv)
			return NULL;
		STRCPY(sv->name, s->name);
		sv->ready_timeout_us = 30000000;
		sv->stop_timeout_us = 2000000;
		sv->line = s->line;
		return sv;
	}
	default:
		/* [KIND NAME] of a link kind */
		return sec_type_is_link(s->stype) ? new_link(ld, s) : NULL;
	}
}

static char *default_name(const char *file) {
	const char *b = strrchr(file, '/');
	size_t n;

	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".ini") == 0)
		n -= 4;
	return strndup(b, n);
}

static char *dir_of(const char *file) {
	const char *slash = strrchr(file, '/');

	if (!slash)
		return strdup(".");
	if (slash == file)
		return strdup("/");
	return strndup(file, (size_t)(slash - file));
}

/* Give the values of every key to the section parsers. */
static int load_sections(struct load *ld) {
	struct scan *sc = &ld->scan;

	for (size_t i = 0; i < sc->n; i++) {
		struct scan_section *s = &sc->v[i];
		size_t errors;
		void *obj;

		if (s->skip || !s->known)
			continue;
		if (key_pos_add(ld->p, s->label, NULL, s->line) < 0)
			return -ENOMEM;
		for (size_t j = 0; j < s->n_keys; j++)
			if (key_pos_add(ld->p, s->label, s->keys[j].key, s->keys[j].line) < 0)
				return -ENOMEM;
		errors = ld->d->n_errors;
		obj = new_object(ld, s);
		if (!obj) {
			if (ld->d->n_errors == errors)
				return -ENOMEM;
			s->skip = true;
			continue;
		}
		section_parse_keys(ld, s, obj);
	}
	return 0;
}

/* The name of the profile names its records: no two profiles may share
 * one, so it is never cut, and it is a file name. */
static void check_profile_name(struct load *ld) {
	struct profile *p = ld->p;
	int line = profile_label_line(p, "profile", "name");

	if (!*p->name || profile_name_valid(p->name))
		return;         /* an empty one: profile_check() says so */
	if (profile_has_key(p, "profile", "name"))
		load_err(ld, line, "profile", "name",
		         "\"%s\" is not a profile name: 1 to %d bytes of A-Z, a-z, 0-9, \"_\", \".\", \"-\", not "
		         "starting with \".\" or \"-\" (it names the files of hanet's records)",
		         p->name, HANET_NAME_MAX);
	else
		load_err(ld, 0, NULL, NULL,
		         "the profile's name is its file name, \"%s\", which is not a profile name (1 to %d bytes of "
		         "A-Z, a-z, 0-9, \"_\", \".\", \"-\", not starting with \".\" or \"-\"): set [profile] name",
		         p->name, HANET_NAME_MAX);
}

/* Diagnostics in line order (file-level ones first); stable. */
static void diags_sort(struct diags *d, size_t from) {
	for (size_t i = from + 1; i < d->n; i++) {
		struct diag g = d->v[i];
		size_t j = i;
		while (j > from && d->v[j - 1].line > g.line) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = g;
	}
}

static int load_common(const char *file, const char *buf, size_t len, struct profile **ret, struct diags *d) {
	struct load ld = { .d = d, .file = file, .errors_before = d->n_errors };
	size_t errors_before = d->n_errors, first = d->n;
	struct profile *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ld.p = p;
	p->pool = strpool_new();
	p->path = strdup(file);
	p->name = default_name(file);
	ld.dir = dir_of(file);
	if (!p->pool || !p->path || !p->name || !ld.dir) {
		r = -ENOMEM;
		goto out;
	}

	r = scan_buffer(&ld, buf, len);
	if (r < 0)
		goto out;
	r = load_sections(&ld);
	if (r < 0)
		goto out;
	r = profile_index_build(p);
	if (r < 0)
		goto out;
	check_profile_name(&ld);
	if (d->n_errors == errors_before)
		profile_check(&ld);
	r = d->n_errors == errors_before ? 0 : -EINVAL;
	diags_sort(d, first);
out:
	scan_fini(&ld.scan);
	namemap_clear(&ld.link_names);
	free(ld.dir);
	if (r < 0) {
		profile_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int profile_load_buffer(const char *name, const char *buf, size_t len, struct profile **ret, struct diags *d) {
	return load_common(name, buf, len, ret, d);
}

int profile_load(const char *path, struct profile **ret, struct diags *d) {
	_cleanup_close_ int fd = -1;
	uint64_t size = 0;
	mode_t mode = 0;
	char *buf;
	size_t off = 0;
	int r;

	/* never blocks: a FIFO, a device or a directory is refused, and so is
	 * a file too big to be a profile, before anything is read */
	r = open_input(path, PROFILE_SIZE_MAX, &fd, &size, &mode);
	if (r == -EINVAL) {
		diag_add(d, DIAG_ERROR, path, 0, NULL, NULL, NULL, "cannot read: not a regular file (%s)",
		         file_type_name(mode));
		return r;
	}
	if (r == -EFBIG) {
		diag_add(d, DIAG_ERROR, path, 0, NULL, NULL, NULL,
		         "cannot read: %llu bytes, more than a profile may have (%d MiB)", (unsigned long long)size,
		         PROFILE_SIZE_MAX >> 20);
		return r;
	}
	if (r < 0) {
		diag_add(d, DIAG_ERROR, path, 0, NULL, NULL, NULL, "cannot read: %s", strerror(-r));
		return r;
	}
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -ENOMEM;
	while (off < (size_t)size) {
		ssize_t n = read(fd, buf + off, (size_t)size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	r = load_common(path, buf, off, ret, d);
	free(buf);
	return r;
}
