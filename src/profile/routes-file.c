/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [routes] files: one route a line, iproute2 order,
 *   PREFIX [via GW] [dev DEV] [metric N] [table T] [src ADDR] [onlink]
 * with `#` comments.  A streaming parser: the file is read in blocks and
 * each route is handed to the caller, so memory does not grow with the
 * file.  Errors name FILE:LINE; parsing goes on after one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "routes-file.h"
#include "util.h"

#define RF_BLOCK (1 << 16)          /* read size, and the longest line */
#define RF_MAX_ERRORS 100           /* then one line saying how many more */

struct rf_state {
	const struct routes_file *rf;
	struct diags *d;
	char section[HANET_NAME_MAX + 8];
	size_t n_errors;
	/* the last table name looked up (files repeat the same one) */
	char table_name[64];
	uint32_t table_id;
};

static void rf_err(struct rf_state *st, int line, const char *key, const char *fmt, ...) _printf_(4, 5);
static void rf_err(struct rf_state *st, int line, const char *key, const char *fmt, ...) {
	char msg[512];
	va_list ap;

	st->n_errors++;
	if (st->n_errors > RF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(st->d, DIAG_ERROR, st->rf->path, line, st->section, key, NULL, "%s", msg);
}

/* Split s (modified) into whitespace-separated words. */
static size_t words(char *s, char **w, size_t max) {
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' && *s != '\f')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static const char *const rf_syntax = "PREFIX [via GW] [dev DEV] [metric N] [table T] [src ADDR] [onlink]";

static int rf_table(struct rf_state *st, const char *s, uint32_t *ret) {
	int r;

	if (st->table_name[0] && strcmp(st->table_name, s) == 0) {
		*ret = st->table_id;
		return 0;
	}
	r = parse_route_table(s, ret);
	if (r == 0 && strlen(s) < sizeof(st->table_name)) {
		strcpy(st->table_name, s);
		st->table_id = *ret;
	}
	return r;
}

/* Parse one line (comment already cut) into r; 0 = a route, 1 = blank,
 * negative = error (reported). */
static int rf_line(struct rf_state *st, char *s, int line, struct route *r) {
	char *w[16], buf[IPADDR_STRLEN];
	size_t n = words(s, w, ARRAY_SIZE(w));
	struct ipaddr net;
	unsigned seen = 0;
	int fam;

	if (n == 0)
		return 1;
	if (n > ARRAY_SIZE(w)) {
		rf_err(st, line, NULL, "too many words: a route line is %s", rf_syntax);
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	r->netns = st->rf->netns;
	r->table = st->rf->table;
	r->type = RTN_UNICAST;
	r->line = line;
	if (st->rf->table_set)
		r->set |= ROUTE_SET_TABLE;

	if (strcmp(w[0], "default") != 0) {
		int e = parse_prefix(w[0], false, &r->dst);
		if (e < 0) {
			rf_err(st, line, NULL, "expected a prefix (e.g. 10.1.0.0/16) or default first, got \"%s\"", w[0]);
			return -EINVAL;
		}
		ipaddr_network(&r->dst, &net);
		if (!ipaddr_eq(&net, &r->dst)) {
			rf_err(st, line, NULL, "%s has host bits set: the prefix is %s", w[0],
			       format_ipaddr(&net, true, buf, sizeof(buf)));
			return -EINVAL;
		}
	}
	for (size_t i = 1; i < n; i++) {
		const char *k = w[i], *v;
		unsigned bit;

		if (strcmp(k, "onlink") == 0) {
			if (seen & ROUTE_SET_ONLINK) {
				rf_err(st, line, k, "given twice");
				return -EINVAL;
			}
			r->onlink = true;
			r->set |= ROUTE_SET_ONLINK;
			seen |= ROUTE_SET_ONLINK;
			continue;
		}
		bit = strcmp(k, "via") == 0      ? ROUTE_SET_VIA
		      : strcmp(k, "dev") == 0    ? ROUTE_SET_DEV
		      : strcmp(k, "metric") == 0 ? ROUTE_SET_METRIC
		      : strcmp(k, "table") == 0  ? ROUTE_SET_TABLE
		      : strcmp(k, "src") == 0    ? ROUTE_SET_SRC
		                                 : 0;
		if (!bit) {
			rf_err(st, line, NULL, "unknown word \"%s\": a route line is %s", k, rf_syntax);
			return -EINVAL;
		}
		if (i + 1 >= n) {
			rf_err(st, line, k, "missing value");
			return -EINVAL;
		}
		v = w[++i];
		if (seen & bit) {
			rf_err(st, line, k, "given twice");
			return -EINVAL;
		}
		seen |= bit;
		switch (bit) {
		case ROUTE_SET_VIA:
			if (parse_ipaddr(v, &r->via) < 0) {
				rf_err(st, line, k, "expected an address, got \"%s\"", v);
				return -EINVAL;
			}
			break;
		case ROUTE_SET_SRC:
			if (parse_ipaddr(v, &r->src) < 0) {
				rf_err(st, line, k, "expected an address, got \"%s\"", v);
				return -EINVAL;
			}
			break;
		case ROUTE_SET_DEV:
			if (!ifname_valid(v)) {
				rf_err(st, line, k, "\"%s\" is not an interface name: at most %d bytes of a-z, 0-9, \"_\", \".\", \"-\"",
				       v, IFNAMSIZ - 1);
				return -EINVAL;
			}
			strcpy(r->dev, v);
			break;
		case ROUTE_SET_METRIC:
			if (parse_u32(v, &r->metric) < 0) {
				rf_err(st, line, k, "expected a number from 0 to 4294967295, got \"%s\"", v);
				return -EINVAL;
			}
			break;
		case ROUTE_SET_TABLE:
			if (rf_table(st, v, &r->table) < 0) {
				rf_err(st, line, k, "expected main, local, default, a number or a name from "
				                    "/etc/iproute2/rt_tables, got \"%s\"", v);
				return -EINVAL;
			}
			break;
		}
		r->set |= bit;
	}

	fam = r->dst.family;
	if (!fam) {
		fam = r->via.family ? r->via.family : r->src.family ? r->src.family : AF_INET;
		r->dst.family = (uint8_t)fam;
	}
	if ((r->set & ROUTE_SET_VIA) && r->via.family != fam) {
		rf_err(st, line, "via", "%s is %s, and the route is %s", format_ipaddr(&r->via, false, buf, sizeof(buf)),
		       r->via.family == AF_INET6 ? "IPv6" : "IPv4", fam == AF_INET6 ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	if ((r->set & ROUTE_SET_SRC) && r->src.family != fam) {
		rf_err(st, line, "src", "%s is %s, and the route is %s", format_ipaddr(&r->src, false, buf, sizeof(buf)),
		       r->src.family == AF_INET6 ? "IPv6" : "IPv4", fam == AF_INET6 ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	if (!(r->set & (ROUTE_SET_VIA | ROUTE_SET_DEV))) {
		rf_err(st, line, NULL, "a route needs via or dev: %s", rf_syntax);
		return -EINVAL;
	}
	if ((r->set & ROUTE_SET_ONLINK) && !((r->set & ROUTE_SET_VIA) && (r->set & ROUTE_SET_DEV))) {
		rf_err(st, line, "onlink", "onlink is for a gateway (via) on dev: give both");
		return -EINVAL;
	}
	return 0;
}

int routes_file_parse(const struct routes_file *rf, int (*cb)(const struct route *r, void *data), void *data,
                      struct diags *d) {
	struct rf_state st = { .rf = rf, .d = d };
	char *buf;
	size_t have = 0;
	uint64_t size = 0, total = 0;
	mode_t mode = 0;
	int fd, line = 0, r = 0;
	bool eof = false, skipping = false;

	snprintf(st.section, sizeof(st.section), "routes %s", rf->name);
	if (!rf->path) {
		diag_add(d, DIAG_ERROR, NULL, rf->line, st.section, "file", NULL, "missing");
		return -EINVAL;
	}
	/* never blocks: a FIFO, a device (/dev/zero) or a directory is
	 * refused, and so is a file bigger than ROUTES_FILE_SIZE_MAX */
	r = open_input(rf->path, ROUTES_FILE_SIZE_MAX, &fd, &size, &mode);
	if (r == -EINVAL) {
		diag_add(d, DIAG_ERROR, rf->path, 0, st.section, NULL, NULL, "cannot read: not a regular file (%s)",
		         file_type_name(mode));
		return r;
	}
	if (r == -EFBIG) {
		diag_add(d, DIAG_ERROR, rf->path, 0, st.section, NULL, NULL,
		         "cannot read: %llu bytes, more than a routes file may have (%d MiB)", (unsigned long long)size,
		         ROUTES_FILE_SIZE_MAX >> 20);
		return r;
	}
	if (r < 0) {
		diag_add(d, DIAG_ERROR, rf->path, 0, st.section, NULL, NULL, "cannot read: %s", strerror(-r));
		return r;
	}
	buf = malloc(RF_BLOCK + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (!eof || have) {
		char *p, *nl, *end;

		if (!eof && have < RF_BLOCK) {
			/* no more than the size it had: a file that grows while it
			 * is read does not keep hanet reading */
			size_t want = RF_BLOCK - have < size - total ? RF_BLOCK - have : (size_t)(size - total);
			ssize_t n = want ? read(fd, buf + have, want) : 0;
			if (n < 0) {
				if (errno == EINTR)
					continue;
				r = -errno;
				diag_add(d, DIAG_ERROR, rf->path, line, st.section, NULL, NULL, "read error: %s", strerror(-r));
				break;
			}
			if (n == 0)
				eof = true;
			have += (size_t)n;
			total += (uint64_t)n;
		}
		p = buf;
		end = buf + have;
		for (;;) {
			struct route rt;
			char *hash;
			int e;

			/* (nothing left has no newline: memchr is not asked
			 * about 0 bytes) */
			nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
			if (!nl) {
				if (!eof && p != buf)
					break;
				if (!eof && p == buf) {
					/* a whole block without a newline */
					if (!skipping)
						rf_err(&st, line + 1, NULL, "a line longer than %d bytes", RF_BLOCK);
					skipping = true;
					p = end;
					break;
				}
				if (p == end)
					break;
				nl = end;       /* the last line has no newline */
			}
			*nl = '\0';
			if (skipping) {
				skipping = false;
				line++;
				p = nl + (nl < end);
				continue;
			}
			line++;
			if (memchr(p, '\0', (size_t)(nl - p))) {
				rf_err(&st, line, NULL, "a NUL byte: a routes file is text");
				p = nl + (nl < end);
				continue;
			}
			hash = strchr(p, '#');
			if (hash)
				*hash = '\0';
			e = rf_line(&st, p, line, &rt);
			if (e == 0 && cb) {
				r = cb(&rt, data);
				if (r < 0)
					goto out;
			}
			p = nl + (nl < end);
		}
		have = (size_t)(end - p);
		memmove(buf, p, have);
		if (eof && have == 0)
			break;
	}
out:
	if (st.n_errors > RF_MAX_ERRORS)
		diag_add(d, DIAG_ERROR, rf->path, 0, st.section, NULL, NULL, "%zu more errors not shown",
		         st.n_errors - RF_MAX_ERRORS);
	free(buf);
	close(fd);
	if (r < 0)
		return r;
	return st.n_errors ? -EINVAL : 0;
}

struct load_ctx {
	struct route *v;
	size_t n, cap;
};

static int load_cb(const struct route *r, void *data) {
	struct load_ctx *x = data;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 1024;
		struct route *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	return route_copy(&x->v[x->n++], r);
}

int routes_file_load(const struct routes_file *rf, struct route **ret, size_t *ret_n, struct diags *d) {
	struct load_ctx x = { 0 };
	int r = routes_file_parse(rf, load_cb, &x, d);

	if (r < 0) {
		for (size_t i = 0; i < x.n; i++)
			route_fini(&x.v[i]);
		free(x.v);
		return r;
	}
	*ret = x.v;
	*ret_n = x.n;
	return 0;
}
