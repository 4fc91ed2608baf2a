/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key table of the profile language: one row per key,
 * {sections, key, parser, offsetof(field), set bit, range, table}
 * (keydef.h), and the parsers of the values only the profile has.  A
 * link kind's own keys are in its link_ops (src/link/link-KIND.c),
 * after the rows every link section takes; the common parsers are in
 * src/base/keydef.c.  Bond options come from the bond option table
 * (bond-opts.h) instead: their names, types, ranges and units are there.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "bond-opts.h"
#include "keydef.h"
#include "link-ops.h"
#include "profile-internal.h"
#include "util.h"

#define IFALIAS_MAX 255                 /* IFALIASZ - 1 */

/* ---- helpers ---------------------------------------------------------- */

static void set_bit(struct key_ctx *c) {
	const struct key_def *k = c->def;
	char *set = (char *)c->obj + k->set_offset;

	switch (k->set_size) {
	case 2: *(uint16_t *)set |= (uint16_t)k->set_bit; break;
	case 4: *(uint32_t *)set |= (uint32_t)k->set_bit; break;
	case 8: *(uint64_t *)set |= k->set_bit; break;
	default: break;
	}
}

/* ---- value parsers ------------------------------------------------------ */

static int p_updown(struct key_ctx *c, void *field) {
	if (strcmp(c->value, "up") == 0)
		*(bool *)field = true;
	else if (strcmp(c->value, "down") == 0)
		*(bool *)field = false;
	else {
		key_bad(c, "expected up or down, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

static int p_string(struct key_ctx *c, void *field) {
	char **s = field, *v = strdup(c->value);

	if (!v) {
		key_oom(c);
		return -ENOMEM;
	}
	free(*s);
	*s = v;
	return 0;
}

static int p_alias(struct key_ctx *c, void *field) {
	if (strlen(c->value) > IFALIAS_MAX) {
		key_bad(c, "an alias has at most %d bytes, got %zu", IFALIAS_MAX, strlen(c->value));
		return -EINVAL;
	}
	return p_string(c, field);
}

static int p_mac(struct key_ctx *c, void *field) {
	uint8_t mac[6];
	static const uint8_t zero[6];

	if (parse_mac(c->value, mac) < 0) {
		key_bad(c, "expected a MAC address (e.g. 52:54:00:12:34:56), got \"%s\"", c->value);
		return -EINVAL;
	}
	if (mac[0] & 1) {
		key_bad(c, "%s is a multicast MAC address: a device has a unicast one (first byte even, e.g. 52:54:00:12:34:56)",
		    c->value);
		return -EINVAL;
	}
	if (memcmp(mac, zero, 6) == 0) {
		key_bad(c, "the all-zero MAC address is not a device's address");
		return -EINVAL;
	}
	memcpy(field, mac, 6);
	return 0;
}

static const char *const cidr_example = "(e.g. 192.0.2.10/24 or 2001:db8::10/64)";

static int parse_cidr_msg(struct key_ctx *c, const char *s, struct ipaddr *ret) {
	int r = parse_prefix(s, true, ret);

	if (r == -EDESTADDRREQ)
		key_bad(c, "expected an address with its prefix length %s, got \"%s\"", cidr_example, s);
	else if (r == -ERANGE)
		key_bad(c, "prefix length out of range in \"%s\" (at most 32 for IPv4, 128 for IPv6)", s);
	else if (r < 0)
		key_bad(c, "expected an address with its prefix length %s, got \"%s\"", cidr_example, s);
	return r;
}

struct addrs_ctx {
	struct key_ctx *c;
	struct link *l;
	int r;
};

static int addr_tok(const char *tok, void *data) {
	struct addrs_ctx *x = data;
	struct ipaddr a, *v;
	int r = parse_cidr_msg(x->c, tok, &a);

	if (r < 0)
		return x->r = r;
	for (size_t i = 0; i < x->l->n_addrs; i++)
		if (ipaddr_eq(&x->l->addrs[i], &a)) {
			key_bad(x->c, "%s is listed twice", tok);
			return x->r = -EINVAL;
		}
	v = realloc(x->l->addrs, (x->l->n_addrs + 1) * sizeof(*v));
	if (!v) {
		key_oom(x->c);
		return x->r = -ENOMEM;
	}
	x->l->addrs = v;
	v[x->l->n_addrs++] = a;
	return 0;
}

static int p_addresses(struct key_ctx *c, void *field) {
	struct addrs_ctx x = { .c = c, .l = c->obj };
	int r = split_list(c->value, addr_tok, &x);

	(void)field;
	if (r == -ENAMETOOLONG && !x.r) {
		key_bad(c, "an address in the list is too long");
		return r;
	}
	return r < 0 ? r : x.r;
}

static int p_cidr(struct key_ctx *c, void *field) {
	return parse_cidr_msg(c, c->value, field);
}

/* A prefix whose host bits are clear (the kernel refuses others). */
static int parse_net_msg(struct key_ctx *c, const char *s, struct ipaddr *ret) {
	struct ipaddr a, n;
	char buf[IPADDR_STRLEN];
	int r = parse_prefix(s, false, &a);

	if (r == -ERANGE) {
		key_bad(c, "prefix length out of range in \"%s\" (at most 32 for IPv4, 128 for IPv6)", s);
		return r;
	}
	if (r < 0) {
		key_bad(c, "expected an address or a prefix %s, got \"%s\"", cidr_example, s);
		return r;
	}
	ipaddr_network(&a, &n);
	if (!ipaddr_eq(&a, &n)) {
		key_bad(c, "%s has host bits set: the prefix is %s", s, format_ipaddr(&n, true, buf, sizeof(buf)));
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

static int p_route_to(struct key_ctx *c, void *field) {
	struct ipaddr *a = field;

	if (strcmp(c->value, "default") == 0) {
		memset(a, 0, sizeof(*a));       /* family from via/src/nexthops, else IPv4 */
		return 0;
	}
	return parse_net_msg(c, c->value, a);
}

static int p_net(struct key_ctx *c, void *field) {
	return parse_net_msg(c, c->value, field);
}

static int p_scope(struct key_ctx *c, void *field) {
	if (parse_route_scope(c->value, field) < 0) {
		key_bad(c, "expected global, site, link, host, nowhere or a number from 0 to 255, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

static int p_rtype(struct key_ctx *c, void *field) {
	if (parse_route_type(c->value, field) < 0) {
		key_bad(c, "expected unicast, blackhole, unreachable or prohibit, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

static int p_fwmark(struct key_ctx *c, void *field) {
	struct rule *r = c->obj;
	char buf[64];
	char *slash;
	uint32_t mark, mask = UINT32_MAX;

	(void)field;
	if (strlen(c->value) >= sizeof(buf))
		goto fail;
	strcpy(buf, c->value);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_u32(slash + 1, &mask) < 0)
			goto fail;
	}
	if (parse_u32(buf, &mark) < 0)
		goto fail;
	r->fwmark = mark;
	r->fwmask = mask;
	return 0;
fail:
	key_bad(c, "expected MARK or MARK/MASK (numbers, decimal or 0x hex), got \"%s\"", c->value);
	return -EINVAL;
}

/* nexthops = via A dev X weight 1, via B dev Y weight 2 */
static int p_nexthops(struct key_ctx *c, void *field) {
	struct route *rt = c->obj;
	struct nexthop nh[ROUTE_MAX_NEXTHOPS];
	size_t n = 0;
	char *copy = strdup(c->value), *save = NULL, *entry;
	int r = -EINVAL;

	(void)field;
	if (!copy) {
		key_oom(c);
		return -ENOMEM;
	}
	for (entry = strtok_r(copy, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
		char *tsave = NULL, *tok;
		struct nexthop *h;

		if (!*strstrip(entry))
			continue;
		if (n == ROUTE_MAX_NEXTHOPS) {
			key_bad(c, "at most %d nexthops", ROUTE_MAX_NEXTHOPS);
			goto out;
		}
		h = &nh[n];
		memset(h, 0, sizeof(*h));
		h->weight = 1;
		for (tok = strtok_r(entry, " \t", &tsave); tok; tok = strtok_r(NULL, " \t", &tsave)) {
			char *arg = NULL;
			uint32_t w;

			if (strcmp(tok, "onlink") == 0) {
				h->onlink = true;
				continue;
			}
			if (strcmp(tok, "via") && strcmp(tok, "dev") && strcmp(tok, "weight")) {
				key_bad(c, "nexthop %zu: unknown word \"%s\": a nexthop is [via ADDRESS] [dev DEV] [weight 1-256] [onlink]",
				    n + 1, tok);
				goto out;
			}
			arg = strtok_r(NULL, " \t", &tsave);
			if (!arg) {
				key_bad(c, "nexthop %zu: \"%s\" needs a value", n + 1, tok);
				goto out;
			}
			if (strcmp(tok, "via") == 0) {
				if (parse_ipaddr(arg, &h->via) < 0) {
					key_bad(c, "nexthop %zu: expected an IPv4 or IPv6 address after via, got \"%s\"", n + 1, arg);
					goto out;
				}
			} else if (strcmp(tok, "dev") == 0) {
				if (!ifname_valid(arg)) {
					key_bad_ifname(c, arg);
					goto out;
				}
				strcpy(h->dev, arg);
			} else {
				if (parse_u32(arg, &w) < 0 || w < 1 || w > 256) {
					key_bad(c, "nexthop %zu: expected a weight from 1 to 256, got \"%s\"", n + 1, arg);
					goto out;
				}
				h->weight = (uint16_t)w;
			}
		}
		if (!ipaddr_is_set(&h->via) && !h->dev[0]) {
			key_bad(c, "nexthop %zu has neither via nor dev", n + 1);
			goto out;
		}
		n++;
	}
	if (n == 0) {
		key_bad(c, "expected one or more nexthops: via A dev X weight 1, via B dev Y weight 2");
		goto out;
	}
	free(rt->nexthops);
	rt->nexthops = malloc(n * sizeof(*nh));
	if (!rt->nexthops) {
		key_oom(c);
		r = -ENOMEM;
		goto out;
	}
	memcpy(rt->nexthops, nh, n * sizeof(*nh));
	rt->n_nexthops = (uint8_t)n;
	r = 0;
out:
	free(copy);
	return r;
}

/* A path relative to the profile's directory. */
static int p_path(struct key_ctx *c, void *field) {
	char **s = field, *v;

	if (!c->value[0]) {
		key_bad(c, "expected a file name");
		return -EINVAL;
	}
	if (c->value[0] == '/' || strcmp(c->ld->dir, ".") == 0)
		v = strdup(c->value);
	else if (asprintf(&v, "%s/%s", c->ld->dir, c->value) < 0)
		v = NULL;
	if (!v) {
		key_oom(c);
		return -ENOMEM;
	}
	free(*s);
	*s = v;
	return 0;
}

/* An absolute file name, as a process of a lab service sees it. */
static int p_abspath(struct key_ctx *c, void *field) {
	if (c->value[0] != '/') {
		key_bad(c, "expected an absolute file name (as the service sees it, in its own mount namespace)");
		return -EINVAL;
	}
	return p_path(c, field);
}

static int p_percentile(struct key_ctx *c, void *field) {
	char *end;
	double v;

	errno = 0;
	v = strtod(c->value, &end);
	if (!c->value[0] || *end || errno || !isfinite(v) || v <= 0 || v > 100 ||
	    !isdigit((unsigned char)c->value[0])) {
		key_bad(c, "expected a percentage above 0, at most 100 (e.g. 100, 99.9), got \"%s\"", c->value);
		return -EINVAL;
	}
	*(double *)field = v;
	return 0;
}

static int p_preferred_lft(struct key_ctx *c, void *field) {
	if (strcmp(c->value, "forever") == 0)
		*(bool *)field = false;
	else if (strcmp(c->value, "0") == 0)
		*(bool *)field = true;
	else {
		key_bad(c, "expected forever or 0, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

static bool name_char(char ch) {
	return islower((unsigned char)ch) || isdigit((unsigned char)ch) || strchr("_.-", ch);
}

/* A reference to a [vip NAME] or [probe NAME]. */
static int p_name(struct key_ctx *c, void *field) {
	const char *s = c->value;

	if (!*s || strlen(s) >= HANET_NAME_MAX)
		goto fail;
	for (const char *p = s; *p; p++)
		if (!name_char(*p))
			goto fail;
	return strcpy_checked(field, HANET_NAME_MAX, s);
fail:
	key_bad(c, "expected a section name (at most %d bytes of a-z, 0-9, \"_\", \".\", \"-\"), got \"%s\"",
	    HANET_NAME_MAX - 1, s);
	return -EINVAL;
}

/* [probe] to: an address or a vip name, resolved by the checks. */
static int p_probe_to(struct key_ctx *c, void *field) {
	struct ipaddr a;

	if (parse_ipaddr(c->value, &a) == 0)
		return strcpy_checked(field, HANET_NAME_MAX, c->value);
	if (strchr(c->value, '/')) {
		key_bad(c, "expected an address (no prefix length) or a vip name, got \"%s\"", c->value);
		return -EINVAL;
	}
	return p_name(c, field);
}

/* [fault] to: DEV or NETNS/DEV */
static int p_fault_to(struct key_ctx *c, void *field) {
	const char *slash = strrchr(c->value, '/');
	char ns[NETNS_NAME_MAX + 1];

	if (strlen(c->value) > NETNS_NAME_MAX) {
		key_bad(c, "expected DEV or NETNS/DEV, got a value of %zu bytes", strlen(c->value));
		return -EINVAL;
	}
	if (slash) {
		memcpy(ns, c->value, (size_t)(slash - c->value));
		ns[slash - c->value] = '\0';
		if (!netns_name_valid(ns) || netns_name_reserved(ns) || !ifname_valid(slash + 1)) {
			key_bad(c, "expected DEV or NETNS/DEV (e.g. ctl2/api0), got \"%s\"", c->value);
			return -EINVAL;
		}
	} else if (!ifname_valid(c->value)) {
		key_bad(c, "expected DEV or NETNS/DEV (e.g. ctl2/api0), got \"%s\"", c->value);
		return -EINVAL;
	}
	return strcpy_checked(field, NETNS_NAME_MAX + 1, c->value);
}

static int p_restore(struct key_ctx *c, void *field) {
	if (strcmp(c->value, "auto") == 0)
		*(bool *)field = true;
	else if (strcmp(c->value, "none") == 0)
		*(bool *)field = false;
	else {
		key_bad(c, "expected auto (undo the fault after each trial) or none, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

/* ---- lab services and their faults ------------------------------------ */

/* [fault] signal: KILL or TERM (with or without SIG) */
static int p_signal(struct key_ctx *c, void *field) {
	const char *v = strncasecmp(c->value, "sig", 3) == 0 ? c->value + 3 : c->value;

	if (strcasecmp(v, "kill") == 0)
		*(int *)field = SIGKILL;
	else if (strcasecmp(v, "term") == 0)
		*(int *)field = SIGTERM;
	else {
		key_bad(c, "expected KILL or TERM, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

/* [service] hostname: a host name (RFC 1123 labels) */
static int p_hostname(struct key_ctx *c, void *field) {
	const char *s = c->value;
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '-' || s[0] == '.' || s[n - 1] == '.')
		goto fail;
	for (const char *q = s; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.')
			goto fail;
	return strcpy_checked(field, 65, s);
fail:
	key_bad(c, "expected a host name (at most 64 bytes of letters, digits, \"-\" and \".\"), got \"%s\"", s);
	return -EINVAL;
}

/* [service] tmpfs: absolute directories, comma-separated */
static int p_dirlist(struct key_ctx *c, void *field) {
	char *copy = strdup(c->value), *save = NULL;
	int r = 0;

	if (!copy) {
		key_oom(c);
		return -ENOMEM;
	}
	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
		if (t[0] != '/' || strstr(t, "/../") || strcmp(t, "/") == 0 || strlen(t) >= 256) {
			key_bad(c, "expected absolute directories (not /), comma-separated, got \"%s\"", t);
			r = -EINVAL;
			break;
		}
	free(copy);
	return r < 0 ? r : p_string(c, field);
}

/* [service] mount: private (its own mount namespace) or host */
static int p_mount(struct key_ctx *c, void *field) {
	if (strcmp(c->value, "private") == 0)
		*(bool *)field = true;
	else if (strcmp(c->value, "host") == 0)
		*(bool *)field = false;
	else {
		key_bad(c, "expected private (a mount namespace of its own) or host, got \"%s\"", c->value);
		return -EINVAL;
	}
	return 0;
}

/* [service] ready: started | file PATH | command CMD */
static int p_ready(struct key_ctx *c, void *field) {
	struct service_conf *sv = c->obj;
	const char *v = c->value, *arg = NULL;

	(void)field;
	if (strcmp(v, "started") == 0) {
		sv->ready = SERVICE_READY_STARTED;
	} else if (strncmp(v, "file ", 5) == 0) {
		sv->ready = SERVICE_READY_FILE;
		arg = v + 5;
		while (*arg == ' ')
			arg++;
		if (*arg != '/') {
			key_bad(c, "ready = file needs an absolute path, got \"%s\"", arg);
			return -EINVAL;
		}
	} else if (strncmp(v, "command ", 8) == 0) {
		sv->ready = SERVICE_READY_COMMAND;
		arg = v + 8;
		while (*arg == ' ')
			arg++;
		if (!*arg) {
			key_bad(c, "ready = command needs a command");
			return -EINVAL;
		}
	} else {
		key_bad(c, "expected started, file PATH or command CMD, got \"%s\"", v);
		return -EINVAL;
	}
	free(sv->ready_arg);
	sv->ready_arg = NULL;
	if (arg && !(sv->ready_arg = strdup(arg))) {
		key_oom(c);
		return -ENOMEM;
	}
	return 0;
}

/* An address label: the device name, or the name and ":SUFFIX". */
static int p_label(struct key_ctx *c, void *field) {
	const char *s = c->value;

	if (!*s || strlen(s) >= IFNAMSIZ)
		goto fail;
	for (const char *p = s; *p; p++)
		if (!name_char(*p) && *p != ':')
			goto fail;
	return strcpy_checked(field, IFNAMSIZ, s);
fail:
	key_bad(c, "expected a label of at most %d bytes of a-z, 0-9, \"_\", \".\", \":\", \"-\" (e.g. api0:vip), got \"%s\"",
	    IFNAMSIZ - 1, s);
	return -EINVAL;
}

/* ---- value tables -------------------------------------------------------- */

static const uint64_t unit_us = 1, unit_ms = 1000;

static const struct name_value announce_modes[] = {
	{ "request", ANNOUNCE_REQUEST }, { "reply", ANNOUNCE_REPLY }, { "both", ANNOUNCE_BOTH }, { NULL, 0 },
};

static const struct name_value vip_owners[] = {
	{ "local", VIP_OWNER_LOCAL }, { "external", VIP_OWNER_EXTERNAL }, { NULL, 0 },
};

static const struct name_value probe_kinds[] = {
	{ "icmp", PROBE_ICMP }, { "udp", PROBE_UDP }, { NULL, 0 },
};

static const struct name_value cluster_engines[] = {
	{ "keepalived", CLUSTER_KEEPALIVED }, { "pacemaker", CLUSTER_PACEMAKER }, { NULL, 0 },
};

static const struct name_value fault_actions[] = {
	{ "link-down", FAULT_LINK_DOWN }, { "carrier-off", FAULT_CARRIER_OFF },
	{ "link-delete", FAULT_LINK_DELETE }, { "vip-move", FAULT_VIP_MOVE }, { "kill", FAULT_KILL },
	{ "service-kill", FAULT_SERVICE_KILL }, { "node-kill", FAULT_NODE_KILL },
	{ "service-exec", FAULT_SERVICE_EXEC },
	{ NULL, 0 },
};

static const struct name_value fault_targets[] = {
	{ "group", FAULT_TARGET_GROUP }, { "main", FAULT_TARGET_MAIN }, { "child", FAULT_TARGET_CHILD }, { NULL, 0 },
};

/* ---- the table ------------------------------------------------------------ */

#define S(t) SEC_BIT(SEC_##t)
#define FIELD(T, m) .offset = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define SETBIT(T, m, b) .set_offset = offsetof(T, m), .set_size = sizeof(((T *)0)->m), .set_bit = (b)
#define RANGE(lo, hi) .min = (lo), .max = (hi)

static const struct key_def keys[] = {
	/* [profile] */
	{ S(PROFILE), "name", p_string, FIELD(struct profile, name) },
	{ S(PROFILE), "description", p_string, FIELD(struct profile, description) },

	/* [netns NAME] */
	{ S(NETNS), "loopback", p_updown, FIELD(struct netns_conf, loopback_up),
	  SETBIT(struct netns_conf, set, NETNS_SET_LOOPBACK) },
	{ S(NETNS), "forwarding", key_parse_bool, FIELD(struct netns_conf, forwarding),
	  SETBIT(struct netns_conf, set, NETNS_SET_FORWARDING) },

	/* every link section */
	{ SEC_LINKS, "mtu", key_parse_uint, FIELD(struct link, mtu), SETBIT(struct link, set, LINK_SET_MTU), RANGE(68, 65535) },
	{ SEC_LINKS, "mac", p_mac, FIELD(struct link, mac), SETBIT(struct link, set, LINK_SET_MAC) },
	{ SEC_LINKS, "state", p_updown, FIELD(struct link, up), SETBIT(struct link, set, LINK_SET_STATE) },
	{ SEC_LINKS, "netns", key_parse_netns, FIELD(struct link, netns) },
	{ SEC_LINKS, "addresses", p_addresses, FIELD(struct link, addrs), SETBIT(struct link, set, LINK_SET_ADDRESSES) },
	{ SEC_LINKS, "alias", p_alias, FIELD(struct link, alias), SETBIT(struct link, set, LINK_SET_ALIAS) },
	{ SEC_LINKS, "vrf", key_parse_ifname, FIELD(struct link, vrf) },

	/* [vip NAME] */
	{ S(VIP), "address", p_cidr, FIELD(struct vip, address) },
	{ S(VIP), "dev", key_parse_ifname, FIELD(struct vip, dev) },
	{ S(VIP), "netns", key_parse_netns, FIELD(struct vip, netns) },
	{ S(VIP), "label", p_label, FIELD(struct vip, label) },
	{ S(VIP), "preferred_lft", p_preferred_lft, FIELD(struct vip, preferred_zero) },
	{ S(VIP), "noprefixroute", key_parse_bool, FIELD(struct vip, noprefixroute) },
	{ S(VIP), "nodad", key_parse_bool, FIELD(struct vip, nodad) },
	{ S(VIP), "announce_count", key_parse_uint, FIELD(struct vip, announce_count), RANGE(0, 255) },
	{ S(VIP), "announce_interval", key_parse_duration, FIELD(struct vip, announce_interval_us), RANGE(0, 10000000),
	  .aux = &unit_us },
	{ S(VIP), "announce_mode", key_parse_enum, FIELD(struct vip, announce_mode), .aux = announce_modes },
	{ S(VIP), "owner", key_parse_enum, FIELD(struct vip, owner), .aux = vip_owners },

	/* [route NAME] */
	{ S(ROUTE), "to", p_route_to, FIELD(struct route, dst) },
	{ S(ROUTE), "via", key_parse_addr, FIELD(struct route, via), SETBIT(struct route, set, ROUTE_SET_VIA) },
	{ S(ROUTE), "dev", key_parse_ifname, FIELD(struct route, dev), SETBIT(struct route, set, ROUTE_SET_DEV) },
	{ S(ROUTE), "table", key_parse_table, FIELD(struct route, table), SETBIT(struct route, set, ROUTE_SET_TABLE) },
	{ S(ROUTE), "vrf", key_parse_ifname, FIELD(struct route, vrf) },
	{ S(ROUTE), "metric", key_parse_uint, FIELD(struct route, metric), SETBIT(struct route, set, ROUTE_SET_METRIC),
	  RANGE(0, UINT32_MAX) },
	{ S(ROUTE), "src", key_parse_addr, FIELD(struct route, src), SETBIT(struct route, set, ROUTE_SET_SRC) },
	{ S(ROUTE), "scope", p_scope, FIELD(struct route, scope), SETBIT(struct route, set, ROUTE_SET_SCOPE) },
	{ S(ROUTE), "onlink", key_parse_bool, FIELD(struct route, onlink), SETBIT(struct route, set, ROUTE_SET_ONLINK) },
	{ S(ROUTE), "type", p_rtype, FIELD(struct route, type), SETBIT(struct route, set, ROUTE_SET_TYPE) },
	{ S(ROUTE), "mtu", key_parse_uint, FIELD(struct route, mtu), SETBIT(struct route, set, ROUTE_SET_MTU), RANGE(68, 65535) },
	{ S(ROUTE), "netns", key_parse_netns, FIELD(struct route, netns) },
	{ S(ROUTE), "nexthops", p_nexthops, FIELD(struct route, nexthops), SETBIT(struct route, set, ROUTE_SET_NEXTHOPS) },

	/* [routes NAME] */
	{ S(ROUTES), "file", p_path, FIELD(struct routes_file, path) },
	{ S(ROUTES), "netns", key_parse_netns, FIELD(struct routes_file, netns) },
	{ S(ROUTES), "table", key_parse_table, FIELD(struct routes_file, table) },

	/* [rule NAME] */
	{ S(RULE), "from", p_net, FIELD(struct rule, from), SETBIT(struct rule, set, RULE_SET_FROM) },
	{ S(RULE), "to", p_net, FIELD(struct rule, to), SETBIT(struct rule, set, RULE_SET_TO) },
	{ S(RULE), "table", key_parse_table, FIELD(struct rule, table), SETBIT(struct rule, set, RULE_SET_TABLE) },
	{ S(RULE), "priority", key_parse_uint, FIELD(struct rule, priority), SETBIT(struct rule, set, RULE_SET_PRIORITY),
	  RANGE(0, UINT32_MAX) },
	{ S(RULE), "fwmark", p_fwmark, FIELD(struct rule, fwmark), SETBIT(struct rule, set, RULE_SET_FWMARK) },
	{ S(RULE), "iif", key_parse_ifname, FIELD(struct rule, iif), SETBIT(struct rule, set, RULE_SET_IIF) },
	{ S(RULE), "oif", key_parse_ifname, FIELD(struct rule, oif), SETBIT(struct rule, set, RULE_SET_OIF) },
	{ S(RULE), "netns", key_parse_netns, FIELD(struct rule, netns) },

	/* [sla] */
	{ S(SLA), "failover_max", key_parse_duration, FIELD(struct sla, failover_max_us), RANGE(1, 3600000000ll),
	  .aux = &unit_us },
	{ S(SLA), "percentile", p_percentile, FIELD(struct sla, percentile) },

	/* [probe NAME] */
	{ S(PROBE), "from", key_parse_netns, FIELD(struct probe_conf, from) },
	{ S(PROBE), "to", p_probe_to, FIELD(struct probe_conf, to) },
	{ S(PROBE), "interval", key_parse_duration, FIELD(struct probe_conf, interval_us), RANGE(100, 10000000),
	  .aux = &unit_us },
	{ S(PROBE), "kind", key_parse_enum, FIELD(struct probe_conf, kind), .aux = probe_kinds },
	{ S(PROBE), "port", key_parse_uint, FIELD(struct probe_conf, port), RANGE(1, 65535) },

	/* [fault NAME] */
	{ S(FAULT), "action", key_parse_enum, FIELD(struct fault_conf, action), .aux = fault_actions },
	{ S(FAULT), "dev", key_parse_ifname, FIELD(struct fault_conf, dev) },
	{ S(FAULT), "netns", key_parse_netns, FIELD(struct fault_conf, netns) },
	{ S(FAULT), "pidfile", p_path, FIELD(struct fault_conf, pidfile) },
	{ S(FAULT), "to", p_fault_to, FIELD(struct fault_conf, to) },
	{ S(FAULT), "vip", p_name, FIELD(struct fault_conf, vip) },
	{ S(FAULT), "restore", p_restore, FIELD(struct fault_conf, restore_auto) },
	{ S(FAULT), "trials", key_parse_uint, FIELD(struct fault_conf, trials), RANGE(1, 100000) },
	{ S(FAULT), "settle", key_parse_duration, FIELD(struct fault_conf, settle_us), RANGE(0, 3600000000ll), .aux = &unit_us },
	{ S(FAULT), "probe", p_name, FIELD(struct fault_conf, probe) },

	/* [cluster] */
	{ S(CLUSTER), "engine", key_parse_enum, FIELD(struct cluster_conf, engine), .aux = cluster_engines },
	{ S(CLUSTER), "advert_interval", key_parse_duration, FIELD(struct cluster_conf, advert_ms),
	  SETBIT(struct cluster_conf, set_keys, CLUSTER_SET_ADVERT), RANGE(10, 255000), .aux = &unit_ms },
	{ S(CLUSTER), "token", key_parse_duration, FIELD(struct cluster_conf, token_ms),
	  SETBIT(struct cluster_conf, set_keys, CLUSTER_SET_TOKEN), RANGE(10, 600000), .aux = &unit_ms },
	{ S(CLUSTER), "consensus", key_parse_duration, FIELD(struct cluster_conf, consensus_ms),
	  SETBIT(struct cluster_conf, set_keys, CLUSTER_SET_CONSENSUS), RANGE(10, 600000), .aux = &unit_ms },

	/* lab services and their faults: [service NAME], [fault] service-kill and node-kill; the engine
	 * of an external vip */
	{ S(VIP), "engine_pidfile", p_path, FIELD(struct vip, engine_pidfile) },
	{ S(FAULT), "service", p_name, FIELD(struct fault_conf, service) },
	{ S(FAULT), "node", p_name, FIELD(struct fault_conf, node) },
	{ S(FAULT), "command", p_string, FIELD(struct fault_conf, command) },
	{ S(FAULT), "restore_command", p_string, FIELD(struct fault_conf, restore_command) },
	{ S(FAULT), "signal", p_signal, FIELD(struct fault_conf, signal) },
	{ S(FAULT), "target", key_parse_enum, FIELD(struct fault_conf, target), .aux = fault_targets },
	{ S(FAULT), "jitter", key_parse_duration, FIELD(struct fault_conf, jitter_us), RANGE(0, 60000000), .aux = &unit_us },
	{ S(SERVICE), "netns", key_parse_netns, FIELD(struct service_conf, netns) },
	{ S(SERVICE), "node", p_name, FIELD(struct service_conf, node) },
	{ S(SERVICE), "command", p_string, FIELD(struct service_conf, command) },
	{ S(SERVICE), "mount", p_mount, FIELD(struct service_conf, private_mount) },
	{ S(SERVICE), "tmpfs", p_dirlist, FIELD(struct service_conf, tmpfs) },
	{ S(SERVICE), "hostname", p_hostname, FIELD(struct service_conf, hostname) },
	{ S(SERVICE), "ready", p_ready, FIELD(struct service_conf, ready) },
	{ S(SERVICE), "ready_timeout", key_parse_duration, FIELD(struct service_conf, ready_timeout_us), RANGE(1000, 600000000),
	  .aux = &unit_us },
	{ S(SERVICE), "stop_timeout", key_parse_duration, FIELD(struct service_conf, stop_timeout_us), RANGE(0, 60000000),
	  .aux = &unit_us },
	{ S(SERVICE), "log", p_path, FIELD(struct service_conf, log) },
	{ S(SERVICE), "events", p_abspath, FIELD(struct service_conf, events) },
};

/* Keys a section must have, and what goes there. */
static const struct {
	enum sec_type t;
	const char *key;
	const char *what;
} required[] = {
	{ SEC_VIP, "address", "the address with its prefix length" },
	{ SEC_VIP, "dev", "the device that carries it" },
	{ SEC_ROUTE, "to", "a prefix or default" },
	{ SEC_ROUTES, "file", "the file of routes" },
	{ SEC_RULE, "table", "the table the rule looks up" },
	{ SEC_SLA, "failover_max", "the longest outage allowed, e.g. 50ms" },
	{ SEC_PROBE, "from", "the namespace that sends the probes" },
	{ SEC_PROBE, "to", "an address or a vip name" },
	{ SEC_FAULT, "action", "link-down, carrier-off, link-delete, vip-move, kill, service-kill or node-kill" },
	{ SEC_CLUSTER, "engine", "keepalived or pacemaker" },
	{ SEC_SERVICE, "netns", "the namespace of the node it runs on" },
	{ SEC_SERVICE, "command", "the command line, run by /bin/sh -c" },
};

/* The rows of a link kind's own keys (link_ops.keys), none for others. */
static const struct key_def *kind_keys(enum sec_type t, size_t *ret_n) {
	const struct link_ops *ops = sec_type_is_link(t) ? link_ops_get(sec_type_link_kind(t)) : NULL;

	*ret_n = ops && ops->keys ? ops->n_keys : 0;
	return *ret_n ? ops->keys : NULL;
}

static const struct key_def *key_scan(enum sec_type t, const char *key) {
	const struct key_def *kk;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((keys[i].sections & SEC_BIT(t)) && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	kk = kind_keys(t, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(kk[i].key, key) == 0)
			return &kk[i];
	return NULL;
}

/* The keys of each section type by name, made from the tables the
 * first time a section of that type is read: a profile of ten thousand
 * sections asks for fifty thousand keys.  The tables are constant, so
 * the maps are kept for the life of the process. */
static struct namemap key_maps[_SEC_TYPE_MAX];
static bool key_mapped[_SEC_TYPE_MAX];

static void key_map_build(enum sec_type t) {
	const struct key_def *kk;
	size_t n;

	key_mapped[t] = true;
	/* the first of a name is the one the scan finds: put in reverse */
	kk = kind_keys(t, &n);
	for (size_t i = n; i-- > 0;)
		if (namemap_put(&key_maps[t], NULL, kk[i].key, (void *)&kk[i]) < 0)
			goto oom;
	for (size_t i = ARRAY_SIZE(keys); i-- > 0;)
		if ((keys[i].sections & SEC_BIT(t)) && namemap_put(&key_maps[t], NULL, keys[i].key, (void *)&keys[i]) < 0)
			goto oom;
	return;
oom:
	namemap_clear(&key_maps[t]);
	key_mapped[t] = false;
}

static const struct key_def *key_find(enum sec_type t, const char *key) {
	if ((unsigned)t >= _SEC_TYPE_MAX)
		return NULL;
	if (!key_mapped[t])
		key_map_build(t);
	if (!key_mapped[t])
		return key_scan(t, key);
	return namemap_get(&key_maps[t], NULL, key);
}

static bool team_priority_key(const char *key) {
	return strncmp(key, "priority.", 9) == 0 && key[9];
}

bool key_known(enum sec_type t, const char *key) {
	if (key_find(t, key))
		return true;
	if (t == SEC_BOND && bond_opt_by_name(key))
		return true;
	if (t == SEC_TEAM && team_priority_key(key))
		return true;
	return false;
}

const char *key_canonical(enum sec_type t, const char *key) {
	if (t == SEC_BOND) {
		const struct bond_opt_desc *d = bond_opt_by_name(key);
		if (d)
			return d->name;
	}
	if (t == SEC_TEAM && strcmp(key, "runner") == 0)
		return "mode";
	return key;
}

/* Edit distance, for "did you mean" (short strings only). */
static size_t edit_distance(const char *a, const char *b) {
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= ARRAY_SIZE(prev) || lb >= ARRAY_SIZE(prev))
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]), del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

static void suggest_one(const char *cand, const char *word, const char **best, size_t *best_d) {
	size_t d = edit_distance(cand, word);

	if (d < *best_d) {
		*best_d = d;
		*best = cand;
	}
}

const char *suggest_word(const char *const *words, size_t n, const char *word) {
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		suggest_one(words[i], word, &best, &best_d);
	return best && best_d <= 2 && best_d < strlen(word) ? best : NULL;
}

const char *key_suggest(enum sec_type t, const char *key) {
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	const struct key_def *kk;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].sections & SEC_BIT(t))
			suggest_one(keys[i].key, key, &best, &best_d);
	kk = kind_keys(t, &n);
	for (size_t i = 0; i < n; i++)
		suggest_one(kk[i].key, key, &best, &best_d);
	if (t == SEC_BOND)
		for (size_t i = 0; i < _BOND_OPT_MAX; i++) {
			suggest_one(bond_opt_table[i].name, key, &best, &best_d);
			if (bond_opt_table[i].alias)
				suggest_one(bond_opt_table[i].alias, key, &best, &best_d);
		}
	/* a key of another section type, or a common misspelling */
	return best && best_d <= 2 && best_d < strlen(key) ? best : NULL;
}

const char *section_keys_list(enum sec_type t, char *buf, size_t size) {
	const struct key_def *kk;
	size_t n = 0, nk;

#define ADD(s)                                                                                 \
	do {                                                                                   \
		if (n < size)                                                                  \
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", (s)); \
	} while (0)
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].sections & SEC_BIT(t))
			ADD(keys[i].key);
	kk = kind_keys(t, &nk);
	for (size_t i = 0; i < nk; i++)
		ADD(kk[i].key);
	if (t == SEC_BOND)
		for (size_t i = 0; i < _BOND_OPT_MAX; i++) {
			ADD(bond_opt_table[i].name);
			if (bond_opt_table[i].alias)
				ADD(bond_opt_table[i].alias);
		}
	if (t == SEC_TEAM)
		ADD("priority.PORT");
#undef ADD
	return buf;
}

/* ---- bond options -------------------------------------------------------- */

struct arp_ctx {
	struct key_ctx *c;
	struct bond_conf *b;
	int r;
};

static int arp_tok(const char *tok, void *data) {
	struct arp_ctx *x = data;
	struct ipaddr a;

	if (parse_ipaddr(tok, &a) < 0 || a.family != AF_INET) {
		key_bad(x->c, "expected IPv4 addresses (the ARP monitor is IPv4 only), got \"%s\"", tok);
		return x->r = -EINVAL;
	}
	for (size_t i = 0; i < x->b->n_arp_ip_target; i++)
		if (ipaddr_eq(&x->b->arp_ip_target[i], &a)) {
			key_bad(x->c, "%s is listed twice", tok);
			return x->r = -EINVAL;
		}
	if (x->b->n_arp_ip_target == BOND_MAX_ARP_TARGETS) {
		key_bad(x->c, "at most %d targets", BOND_MAX_ARP_TARGETS);
		return x->r = -EINVAL;
	}
	return x->r = bond_arp_target_add(x->b, &a);
}

static int parse_bond_opt(struct key_ctx *c, const struct bond_opt_desc *d) {
	struct link *l = c->obj;
	struct bond_conf *b = &l->u.bond;
	char list[256];
	uint32_t v = 0;
	uint64_t u;
	bool bv;

	switch (d->type) {
	case BOND_OT_U8:
	case BOND_OT_U16:
	case BOND_OT_U32:
		if (d->flags & BOND_OPT_F_DURATION) {
			if (parse_duration_us(c->value, &u) < 0) {
				key_bad(c, "expected a duration, got \"%s\" (e.g. 100ms, 2s; a bare number is milliseconds)",
				    c->value);
				return -EINVAL;
			}
			if (u % 1000) {
				key_bad(c, "expected whole milliseconds (the kernel counts %s in ms), got \"%s\"", d->name, c->value);
				return -EINVAL;
			}
			u /= 1000;
			if (u < d->min || u > d->max) {
				char lo[32], hi[32];
				format_duration((uint64_t)d->min * 1000, lo, sizeof(lo));
				format_duration((uint64_t)d->max * 1000, hi, sizeof(hi));
				key_bad(c, "expected a duration from %s to %s, got \"%s\"", lo, hi, c->value);
				return -EINVAL;
			}
		} else if (parse_u64(c->value, &u) < 0 || u < d->min || u > d->max) {
			key_bad(c, "expected a number from %u to %u, got \"%s\"", d->min, d->max, c->value);
			return -EINVAL;
		}
		v = (uint32_t)u;
		break;
	case BOND_OT_ENUM_U8:
	case BOND_OT_ENUM_U32:
		if (bond_opt_value_parse(d, c->value, &v) < 0) {
			key_bad(c, "expected one of %s, got \"%s\"", bond_opt_values_list(d, list, sizeof(list)), c->value);
			return -EINVAL;
		}
		break;
	case BOND_OT_BOOL_U8:
		if (parse_bool(c->value, &bv) < 0) {
			key_bad(c, "expected yes or no (or true/false, on/off, 1/0), got \"%s\"", c->value);
			return -EINVAL;
		}
		v = bv;
		break;
	case BOND_OT_IFNAME:
		if (!ifname_valid(c->value)) {
			key_bad_ifname(c, c->value);
			return -EINVAL;
		}
		strcpy(b->primary, c->value);
		break;
	case BOND_OT_IPLIST: {
		struct arp_ctx x = { .c = c, .b = b };
		int r;
		bond_arp_targets_fini(b);
		r = split_list(c->value, arp_tok, &x);
		if (r == -ENAMETOOLONG && !x.r) {
			key_bad(c, "an address in the list is too long");
			return r;
		}
		if (r < 0 || x.r < 0)
			return -EINVAL;
		if (b->n_arp_ip_target == 0) {
			key_bad(c, "expected one or more IPv4 addresses");
			return -EINVAL;
		}
		break;
	}
	case BOND_OT_MAC: {
		uint8_t mac[6];
		static const uint8_t zero[6];
		if (parse_mac(c->value, mac) < 0) {
			key_bad(c, "expected a MAC address (e.g. 52:54:00:12:34:56), got \"%s\"", c->value);
			return -EINVAL;
		}
		if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0) {
			key_bad(c, "%s is not a unicast MAC address (the kernel refuses a multicast or all-zero one)", c->value);
			return -EINVAL;
		}
		memcpy(b->ad_actor_system, mac, 6);
		break;
	}
	}
	b->val[d->opt] = v;
	b->set |= 1ull << d->opt;
	return 0;
}

/* ---- team port priorities ------------------------------------------------- */

static int team_priority(struct key_ctx *c) {
	struct team_conf *t = &((struct link *)c->obj)->u.team;
	const char *port = c->key + 9;
	char *end;
	long v;
	size_t i;

	for (i = 0; i < t->ports.n; i++)
		if (strcmp(t->ports.v[i], port) == 0)
			break;
	if (i == t->ports.n) {
		key_bad(c, "%s is not one of the ports of [team %s]: priority.PORT names a port", port, c->name);
		return -EINVAL;
	}
	errno = 0;
	v = strtol(c->value, &end, 10);
	if (!c->value[0] || *end || errno || v < INT32_MIN || v > INT32_MAX) {
		key_bad(c, "expected a number from %d to %d, got \"%s\"", INT32_MIN, INT32_MAX, c->value);
		return -EINVAL;
	}
	t->port_priority[i] = (int32_t)v;
	t->port_priority_set[i] = true;
	return 0;
}

static int team_alloc_priorities(struct link *l) {
	struct team_conf *t = &l->u.team;
	size_t n = t->ports.n ? t->ports.n : 1;

	t->port_priority = calloc(n, sizeof(*t->port_priority));
	t->port_priority_set = calloc(n, sizeof(*t->port_priority_set));
	return t->port_priority && t->port_priority_set ? 0 : -ENOMEM;
}

/* ---- a section -------------------------------------------------------------- */

static bool scan_has_key(const struct scan_section *s, const char *key) {
	for (size_t i = 0; i < s->n_keys; i++)
		if (strcmp(s->keys[i].key, key) == 0)
			return true;
	return false;
}

static void key_report(const struct key_ctx *c, const char *fmt, va_list ap) {
	load_errv(c->ld, c->line, c->section, c->key, fmt, ap);
}

static const char *key_intern(const struct key_ctx *c, const char *s) {
	return strpool_intern(c->ld->p->pool, s);
}

void section_parse_keys(struct load *ld, const struct scan_section *s, void *obj) {
	const struct key_def *kk;
	size_t nk;

	/* team priorities need the ports: two passes */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && s->stype == SEC_TEAM && team_alloc_priorities(obj) < 0) {
			load_err(ld, s->line, s->label, NULL, "out of memory");
			return;
		}
		for (size_t i = 0; i < s->n_keys; i++) {
			const struct scan_key *k = &s->keys[i];
			struct key_ctx c = {
				.ld = ld, .section = s->label, .name = s->name,
				.key = k->key, .value = k->value, .line = k->line, .obj = obj,
				.report = key_report, .intern = key_intern,
			};
			bool prio = s->stype == SEC_TEAM && team_priority_key(k->key);
			const struct bond_opt_desc *bd;

			if (prio != (pass == 1))
				continue;
			/* duplicates and unknown keys were reported by the scanner */
			if (i > 0) {
				bool dup = false;
				for (size_t j = 0; j < i; j++)
					if (strcmp(key_canonical(s->stype, s->keys[j].key), key_canonical(s->stype, k->key)) == 0)
						dup = true;
				if (dup)
					continue;
			}
			if (prio) {
				team_priority(&c);
				continue;
			}
			c.def = key_find(s->stype, k->key);
			if (c.def) {
				if (c.def->parse(&c, (char *)obj + c.def->offset) >= 0)
					set_bit(&c);
				continue;
			}
			bd = s->stype == SEC_BOND ? bond_opt_by_name(k->key) : NULL;
			if (bd)
				parse_bond_opt(&c, bd);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (required[i].t == s->stype && !scan_has_key(s, required[i].key))
			load_err(ld, s->line, s->label, required[i].key, "missing: a [%s] needs %s = %s",
			         sec_type_is_named(s->stype) ? s->type : s->label, required[i].key, required[i].what);
	kk = kind_keys(s->stype, &nk);
	for (size_t i = 0; i < nk; i++)
		if (kk[i].required && !scan_has_key(s, kk[i].key))
			load_err(ld, s->line, s->label, kk[i].key, "missing: a [%s] needs %s = %s", s->type, kk[i].key,
			         kk[i].required);
}
