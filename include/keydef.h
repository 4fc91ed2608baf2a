/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A key table of the profile language: one row per key, {sections, key,
 * parser, offsetof(field), set bit, range, table}, and the value parsers
 * every table may use.  The profile loader (src/profile) keeps the rows
 * of the sections it owns; each link kind keeps its own rows in its
 * link_ops (link-ops.h: keys, n_keys).  A parser reports a bad value
 * through the context (key_bad), which the loader turns into a finding
 * with its file:line [section] key.
 */
#ifndef HANET_KEYDEF_H
#define HANET_KEYDEF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct load;
struct key_def;

/* A key of a section while it is parsed. */
struct key_ctx {
	struct load *ld;        /* the loader's own */
	const struct key_def *def;
	const char *section;    /* label for messages: "bond bond0" */
	const char *name;       /* the object's name */
	const char *key;
	const char *value;
	int line;
	void *obj;              /* struct link *, struct vip *, ... */
	/* the loader's: report a bad value; keep a namespace name for as
	 * long as the model lives (NULL on ENOMEM) */
	void (*report)(const struct key_ctx *c, const char *fmt, va_list ap) _printf_(2, 0);
	const char *(*intern)(const struct key_ctx *c, const char *s);
};

typedef int (*key_parse_fn)(struct key_ctx *c, void *field);

/* One row per key: which sections take it (a mask of the loader's
 * section types; 0 in a link kind's own table), how it parses, where it
 * goes, which `set` bit records it, its range, the parser's table, and,
 * for a key the section must have, what goes there. */
struct key_def {
	unsigned sections;
	const char *key;
	key_parse_fn parse;
	size_t offset;          /* of the field in the section's object */
	size_t size;            /* of the field */
	size_t set_offset;      /* of the object's `set` mask, if set_size */
	uint8_t set_size;       /* 0 (no mask), 2, 4 or 8 bytes */
	uint64_t set_bit;
	int64_t min, max;       /* numbers; durations in the field's unit */
	const void *aux;        /* value table, duration unit, ... */
	const char *required;   /* NULL, or "the lower device": the key must be there */
};

#define KEY_FIELD(T, m) .offset = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define KEY_SETBIT(T, m, b) .set_offset = offsetof(T, m), .set_size = sizeof(((T *)0)->m), .set_bit = (b)
#define KEY_RANGE(lo, hi) .min = (lo), .max = (hi)

/* A value table of key_parse_enum (aux), ended by { NULL, 0 }. */
struct name_value {
	const char *name;
	uint32_t value;
};

/* Durations' units (aux of key_parse_duration): the field counts
 * microseconds or milliseconds. */
extern const uint64_t key_unit_us, key_unit_ms;

void key_bad(struct key_ctx *c, const char *fmt, ...) _printf_(2, 3);
void key_bad_ifname(struct key_ctx *c, const char *s);
void key_oom(struct key_ctx *c);

/* The value parsers (and key_parse_namelist, model.h): 0, or a negative errno after key_bad(). */
int key_parse_uint(struct key_ctx *c, void *field);       /* min..max, field of `size` bytes */
int key_parse_duration(struct key_ctx *c, void *field);   /* aux: the unit */
int key_parse_bool(struct key_ctx *c, void *field);
int key_parse_enum(struct key_ctx *c, void *field);       /* aux: a name_value table */
int key_parse_ifname(struct key_ctx *c, void *field);     /* char[IFNAMSIZ] */
int key_parse_addr(struct key_ctx *c, void *field);       /* struct ipaddr, no prefix length */
int key_parse_netns(struct key_ctx *c, void *field);      /* const char *, interned */
int key_parse_table(struct key_ctx *c, void *field);      /* uint32_t: a number or a name of rt_tables */

#endif
