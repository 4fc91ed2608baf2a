/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The value parsers of the key tables (keydef.h), shared by the profile
 * loader's own rows and the link kinds'. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <net/if.h>

#include "keydef.h"
#include "util.h"

const uint64_t key_unit_us = 1, key_unit_ms = 1000;

void key_bad(struct key_ctx *c, const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	c->report(c, fmt, ap);
	va_end(ap);
}

void key_oom(struct key_ctx *c) {
	key_bad(c, "out of memory");
}

static void write_uint(void *field, size_t size, uint64_t v) {
	switch (size) {
	case 1: *(uint8_t *)field = (uint8_t)v; break;
	case 2: *(uint16_t *)field = (uint16_t)v; break;
	case 4: *(uint32_t *)field = (uint32_t)v; break;
	default: *(uint64_t *)field = v; break;
	}
}


static const char *names_list(const struct name_value *v, char *buf, size_t size) {
	size_t n = 0;

	buf[0] = '\0';
	for (; v->name && n < size; v++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", v->name);
	return buf;
}

static int lookup_name(const struct name_value *v, const char *s, uint32_t *ret) {
	for (; v->name; v++)
		if (strcmp(v->name, s) == 0) {
			*ret = v->value;
			return 0;
		}
	return -EINVAL;
}

int key_parse_uint(struct key_ctx *c, void *field) {
	uint64_t v;
	int r = parse_u64(c->value, &v);

	if (r < 0 || v < (uint64_t)c->def->min || v > (uint64_t)c->def->max) {
		key_bad(c, "expected a number from %lld to %lld, got \"%s\"", (long long)c->def->min,
		    (long long)c->def->max, c->value);
		return -EINVAL;
	}
	write_uint(field, c->def->size, v);
	return 0;
}

/* aux: the unit of the field in microseconds (1 or 1000) */
int key_parse_duration(struct key_ctx *c, void *field) {
	uint64_t unit = *(const uint64_t *)c->def->aux, us;
	int r = parse_duration_us(c->value, &us);

	if (r < 0) {
		key_bad(c, "expected a duration, got \"%s\" (e.g. 100ms, 2s; a bare number is milliseconds)", c->value);
		return -EINVAL;
	}
	if (us % unit) {
		key_bad(c, "expected whole milliseconds, got \"%s\"", c->value);
		return -EINVAL;
	}
	if (us / unit < (uint64_t)c->def->min || us / unit > (uint64_t)c->def->max) {
		char lo[32], hi[32];
		format_duration((uint64_t)c->def->min * unit, lo, sizeof(lo));
		format_duration((uint64_t)c->def->max * unit, hi, sizeof(hi));
		key_bad(c, "expected a duration from %s to %s, got \"%s\"", lo, hi, c->value);
		return -EINVAL;
	}
	write_uint(field, c->def->size, us / unit);
	return 0;
}

int key_parse_bool(struct key_ctx *c, void *field) {
	if (parse_bool(c->value, field) < 0) {
		key_bad(c, "expected yes or no (or true/false, on/off, 1/0), got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

/* aux: a name_value table */
int key_parse_enum(struct key_ctx *c, void *field) {
	uint32_t v;
	char list[256];

	if (lookup_name(c->def->aux, c->value, &v) < 0) {
		key_bad(c, "expected one of %s, got \"%s\"", names_list(c->def->aux, list, sizeof(list)), c->value);
		return -EINVAL;
	}
	write_uint(field, c->def->size, v);
	return 0;
}

void key_bad_ifname(struct key_ctx *c, const char *s) {
	key_bad(c, "\"%s\" is not an interface name: at most %d bytes of a-z, 0-9, \"_\", \".\", \"-\"", s, IFNAMSIZ - 1);
}

int key_parse_ifname(struct key_ctx *c, void *field) {
	if (!ifname_valid(c->value)) {
		key_bad_ifname(c, c->value);
		return -EINVAL;
	}
	return strcpy_checked(field, IFNAMSIZ, c->value);
}

int key_parse_netns(struct key_ctx *c, void *field) {
	const char **s = field;

	if (!netns_name_valid(c->value)) {
		key_bad(c, "\"%s\" is not a namespace name: a file name under /run/netns (no \"/\", white space or control character, not \".\" or \"..\")",
		    c->value);
		return -EINVAL;
	}
	if (netns_name_reserved(c->value)) {
		key_bad(c, "\"%s\" is not a namespace name hanet can use: %s", c->value, netns_name_reserved(c->value));
		return -EINVAL;
	}
	*s = c->intern(c, c->value);
	if (!*s) {
		key_oom(c);
		return -ENOMEM;
	}
	return 0;
}

int key_parse_addr(struct key_ctx *c, void *field) {
	if (parse_ipaddr(c->value, field) < 0) {
		key_bad(c, "expected an IPv4 or IPv6 address, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

int key_parse_table(struct key_ctx *c, void *field) {
	int r = parse_route_table(c->value, field);

	if (r < 0) {
		key_bad(c, "expected main, local, default, a number from 1 to 4294967295, or a name from "
		       "/etc/iproute2/rt_tables, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}
