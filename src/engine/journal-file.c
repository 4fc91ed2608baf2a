/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal of a pending change on disk: see journal-file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jfield.h"
#include "journal-file.h"
#include "link-ops.h"
#include "plan.h"
#include "util.h"

/* A field of struct action, link, addr, route or rule that is not in the
 * file is not undone: every field added to them needs its tag here. */
#if __SIZEOF_POINTER__ == 8 && defined(__x86_64__)
_Static_assert(sizeof(struct action) == 448, "struct action changed: write and read the new field in journal-file.c");
_Static_assert(sizeof(struct link) == 400, "struct link changed: write and read the new field in journal-file.c");
_Static_assert(sizeof(struct route) == 152, "struct route changed: write and read the new field in journal-file.c");
_Static_assert(sizeof(struct addr) == 88, "struct addr changed: write and read the new field in journal-file.c");
_Static_assert(sizeof(struct rule) == 176, "struct rule changed: write and read the new field in journal-file.c");
#endif

static const char magic[8] = { 'H', 'A', 'N', 'E', 'T', 'J', 'N', 'L' };

#define JFILE_STR_MAX 4096              /* an alias, a text, a name */
#define JFILE_LIST_MAX (1u << 24)       /* routes in one action, ports, ... */

enum {
	REC_HEAD = 1,
	REC_RECORDS,
	REC_ACTION,
	REC_EVENT,
	REC_WAITER,
};

enum {
	H_PROFILE = 1, H_ID, H_PID, H_START, H_CREATED, H_N_ACTIONS,
};

enum {
	RC_OWNED = 1, RC_ROUTES_SAVED, RC_ROUTES, RC_SAVED_ROUTE,
};

enum {
	E_TYPE = 1, E_STEP, E_OK, E_OLD_MAC,
};

enum {
	W_PID = 1, W_START, W_DEADLINE,
};

enum {
	A_TYPE = 1, A_LEVEL, A_NETNS, A_NAME, A_TEXT, A_OBJECT, A_LINK, A_HAVE, A_SOCK_NETNS, A_RESTORE, A_OWNED, A_SET,
	A_MTU, A_OLD_MTU, A_MAC, A_OLD_MAC, A_MAC_OF, A_OLD_MAC_UNKNOWN, A_ALIAS, A_OLD_ALIAS, A_MASTER, A_OLD_MASTER,
	A_MASTER_MAC, A_MASTER_MAC_SET, A_TO_NETNS, A_NIC_KEYS, A_NIC_BEFORE, A_NIC_RESTORE, A_NIC_FORGET, A_FWD4, A_FWD6,
	A_OLD_FWD4, A_OLD_FWD6, A_LO_UP, A_FWD_RECORD, A_FWD_FORGET, A_ADDR, A_OLD_ADDR, A_ROUTE, A_OLD_ROUTE, A_RULE,
	A_PORT, A_LOST_ADDR, A_LOST_ROUTE, A_MTU_BACK, A_DISTURBED, A_STAY_DOWN,
};

enum {
	MB_NETNS = 1, MB_NAME, MB_MTU,
};

enum {
	LK_NAME = 1, LK_NETNS, LK_KIND, LK_SET, LK_MTU, LK_MAC, LK_UP, LK_ALIAS, LK_ADDR, LK_MASTER, LK_IMPLICIT, LK_LINE, LK_IFINDEX,
	LK_MASTER_IFINDEX, LK_LINK_IFINDEX, LK_LINK_NETNSID, LK_FLAGS, LK_CARRIER, LK_KIND_NAME, LK_SLAVE_KIND, LK_VRF,
	LK_BOND_SET = 40, LK_BOND_VAL, LK_BOND_PRIMARY, LK_BOND_ARP_TARGET, LK_BOND_AD_ACTOR_SYSTEM, LK_BOND_SLAVE,
	LK_BOND_ACTIVE_SLAVE, LK_BOND_PRIMARY_IFINDEX, LK_BOND_ACTIVE_SLAVE_IFINDEX,
	LK_TEAM_SET = 60, LK_TEAM_MODE, LK_TEAM_NP_COUNT, LK_TEAM_NP_INTERVAL, LK_TEAM_MR_COUNT, LK_TEAM_MR_INTERVAL,
	LK_TEAM_PORT, LK_TEAM_ACTIVE_PORT,
	/* vlan 80, veth 90, macvlan 100, vxlan 120, ipvlan 130: link_ops.jfields (jfield.h) */
	LK_BRIDGE_SET = 110, LK_BRIDGE_PORT, LK_BRIDGE_STP,
	LK_VRF_TABLE = 140, LK_VRF_PORT,
};

enum {
	TP_NAME = 1, TP_PRIORITY, TP_PRIORITY_SET,
};

enum {
	D_IP = 1, D_NETNS, D_DEV, D_IFINDEX, D_LABEL, D_FLAGS, D_PREFERRED, D_VALID, D_SCOPE, D_PROTOCOL,
};

enum {
	R_DST = 1, R_VIA, R_SRC, R_DEV, R_NETNS, R_TABLE, R_METRIC, R_MTU, R_SET, R_SCOPE, R_TYPE, R_PROTOCOL, R_ONLINK,
	R_NEXTHOP, R_LINE, R_VRF,
};

enum {
	NH_VIA = 1, NH_DEV, NH_WEIGHT, NH_ONLINK,
};

enum {
	U_NAME = 1, U_FAMILY, U_SET, U_FROM, U_TO, U_TABLE, U_PRIORITY, U_FWMARK, U_FWMASK, U_IIF, U_OIF, U_ACTION,
	U_PROTOCOL, U_NETNS, U_LINE,
};

/* ---- crc32 (IEEE) ----------------------------------------------------------------------- */

static uint32_t crc32_ieee(const uint8_t *p, size_t n) {
	static uint32_t table[256];
	static bool ready;
	uint32_t c = 0xffffffffu;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			table[i] = v;
		}
		ready = true;
	}
	while (n--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* ---- writing ---------------------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int err;
};

static void put(struct wbuf *b, const void *data, size_t n) {
	if (b->err)
		return;
	if (b->n + n > JFILE_MAX_SIZE) {
		b->err = -EFBIG;
		return;
	}
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *v;

		while (cap < b->n + n)
			cap *= 2;
		v = realloc(b->p, cap);
		if (!v) {
			b->err = -ENOMEM;
			return;
		}
		b->p = v;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, data, n);
	b->n += n;
}

static void put_le(struct wbuf *b, uint64_t v, size_t size) {
	uint8_t x[8];

	for (size_t i = 0; i < size; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	put(b, x, size);
}

static void set_le32(uint8_t *p, uint32_t v) {
	for (size_t i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A field: tag and length, then the value; open/close for nested ones. */
static size_t f_open(struct wbuf *b, uint16_t tag) {
	size_t at;

	put_le(b, tag, 2);
	at = b->n;
	put_le(b, 0, 4);
	return at;
}

static void f_close(struct wbuf *b, size_t at) {
	if (!b->err)
		set_le32(b->p + at, (uint32_t)(b->n - at - 4));
}

static void f_bytes(struct wbuf *b, uint16_t tag, const void *p, size_t n) {
	put_le(b, tag, 2);
	put_le(b, n, 4);
	put(b, p, n);
}

static void f_int(struct wbuf *b, uint16_t tag, uint64_t v, size_t size) {
	put_le(b, tag, 2);
	put_le(b, size, 4);
	put_le(b, v, size);
}

#define F_U8(b, t, v) f_int(b, t, (uint8_t)(v), 1)
#define F_U16(b, t, v) f_int(b, t, (uint16_t)(v), 2)
#define F_U32(b, t, v) f_int(b, t, (uint32_t)(v), 4)
#define F_U64(b, t, v) f_int(b, t, (uint64_t)(v), 8)

/* a string that may be NULL (absent) or "" (present, empty) */
static void f_optstr(struct wbuf *b, uint16_t tag, const char *s) {
	if (s)
		f_bytes(b, tag, s, strlen(s));
}

/* a fixed-size name: absent when empty */
static void f_name(struct wbuf *b, uint16_t tag, const char *s) {
	if (s[0])
		f_bytes(b, tag, s, strlen(s));
}

static void f_ip(struct wbuf *b, uint16_t tag, const struct ipaddr *ip) {
	uint8_t x[18];

	x[0] = ip->family;
	x[1] = ip->plen;
	memcpy(x + 2, ip->a, 16);
	f_bytes(b, tag, x, sizeof(x));
}

static uint64_t load_uint(const void *p, size_t size) {
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	default: memcpy(&u64, p, 8); return u64;
	}
}

static void put_fields(struct wbuf *b, const struct jfield *f, size_t n, const void *base) {
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)base + f[i].off;
		const char *s;

		switch ((enum jfield_kind)f[i].kind) {
		case JF_UINT: f_int(b, f[i].tag, load_uint(p, f[i].size), f[i].size); break;
		case JF_INT32: f_int(b, f[i].tag, load_uint(p, 4), 4); break;
		case JF_IP: f_ip(b, f[i].tag, (const struct ipaddr *)p); break;
		case JF_NAME: f_name(b, f[i].tag, (const char *)p); break;
		case JF_BOOL: f_int(b, f[i].tag, load_uint(p, 1) != 0, 1); break;
		case JF_MAC: f_bytes(b, f[i].tag, p, ETH_ALEN_); break;
		case JF_NETNS:
			memcpy(&s, p, sizeof(s));
			f_optstr(b, f[i].tag, s);
			break;
		}
	}
}

static const struct jfield addr_fields[] = {
	JF(D_IP, JF_IP, struct addr, ip),
	JF(D_NETNS, JF_NETNS, struct addr, netns),
	JF(D_DEV, JF_NAME, struct addr, dev),
	JF(D_IFINDEX, JF_INT32, struct addr, ifindex),
	JF(D_LABEL, JF_NAME, struct addr, label),
	JF(D_FLAGS, JF_UINT, struct addr, flags),
	JF(D_PREFERRED, JF_UINT, struct addr, preferred_lft),
	JF(D_VALID, JF_UINT, struct addr, valid_lft),
	JF(D_SCOPE, JF_UINT, struct addr, scope),
	JF(D_PROTOCOL, JF_UINT, struct addr, protocol),
};

static const struct jfield rule_fields[] = {
	JF(U_NAME, JF_NAME, struct rule, name),
	JF(U_FAMILY, JF_UINT, struct rule, family),
	JF(U_SET, JF_UINT, struct rule, set),
	JF(U_FROM, JF_IP, struct rule, from),
	JF(U_TO, JF_IP, struct rule, to),
	JF(U_TABLE, JF_UINT, struct rule, table),
	JF(U_PRIORITY, JF_UINT, struct rule, priority),
	JF(U_FWMARK, JF_UINT, struct rule, fwmark),
	JF(U_FWMASK, JF_UINT, struct rule, fwmask),
	JF(U_IIF, JF_NAME, struct rule, iif),
	JF(U_OIF, JF_NAME, struct rule, oif),
	JF(U_ACTION, JF_UINT, struct rule, action),
	JF(U_PROTOCOL, JF_UINT, struct rule, protocol),
	JF(U_NETNS, JF_NETNS, struct rule, netns),
	JF(U_LINE, JF_INT32, struct rule, line),
};

static void put_link(struct wbuf *b, uint16_t tag, const struct link *l) {
	size_t at = f_open(b, tag);

	/* the kind first: the reader checks the kind's fields against it */
	F_U32(b, LK_KIND, l->kind);
	f_name(b, LK_NAME, l->name);
	f_optstr(b, LK_NETNS, l->netns);
	F_U32(b, LK_SET, l->set);
	F_U32(b, LK_MTU, l->mtu);
	f_bytes(b, LK_MAC, l->mac, ETH_ALEN_);
	F_U8(b, LK_UP, l->up);
	f_optstr(b, LK_ALIAS, l->alias);
	for (size_t i = 0; i < l->n_addrs; i++)
		f_ip(b, LK_ADDR, &l->addrs[i]);
	f_name(b, LK_MASTER, l->master);
	f_name(b, LK_VRF, l->vrf);
	F_U8(b, LK_IMPLICIT, l->implicit);
	F_U32(b, LK_LINE, l->line);
	F_U32(b, LK_IFINDEX, l->ifindex);
	F_U32(b, LK_MASTER_IFINDEX, l->master_ifindex);
	F_U32(b, LK_LINK_IFINDEX, l->link_ifindex);
	F_U32(b, LK_LINK_NETNSID, l->link_netnsid);
	F_U32(b, LK_FLAGS, l->flags);
	F_U8(b, LK_CARRIER, l->carrier);
	f_name(b, LK_KIND_NAME, l->kind_name);
	f_name(b, LK_SLAVE_KIND, l->slave_kind);
	switch (l->kind) {
	case LINK_BOND: {
		const struct bond_conf *c = &l->u.bond;
		uint8_t val[4 * _BOND_OPT_MAX];

		F_U64(b, LK_BOND_SET, c->set);
		for (size_t i = 0; i < _BOND_OPT_MAX; i++)
			for (size_t k = 0; k < 4; k++)
				val[4 * i + k] = (uint8_t)(c->val[i] >> (8 * k));
		f_bytes(b, LK_BOND_VAL, val, sizeof(val));
		f_name(b, LK_BOND_PRIMARY, c->primary);
		for (size_t i = 0; i < c->n_arp_ip_target && i < BOND_MAX_ARP_TARGETS; i++)
			f_ip(b, LK_BOND_ARP_TARGET, &c->arp_ip_target[i]);
		f_bytes(b, LK_BOND_AD_ACTOR_SYSTEM, c->ad_actor_system, ETH_ALEN_);
		for (size_t i = 0; i < c->slaves.n; i++)
			f_name(b, LK_BOND_SLAVE, c->slaves.v[i]);
		f_name(b, LK_BOND_ACTIVE_SLAVE, c->active_slave);
		F_U32(b, LK_BOND_PRIMARY_IFINDEX, c->primary_ifindex);
		F_U32(b, LK_BOND_ACTIVE_SLAVE_IFINDEX, c->active_slave_ifindex);
		break;
	}
	case LINK_TEAM: {
		const struct team_conf *c = &l->u.team;

		F_U32(b, LK_TEAM_SET, c->set);
		F_U32(b, LK_TEAM_MODE, c->mode);
		F_U32(b, LK_TEAM_NP_COUNT, c->notify_peers_count);
		F_U32(b, LK_TEAM_NP_INTERVAL, c->notify_peers_interval);
		F_U32(b, LK_TEAM_MR_COUNT, c->mcast_rejoin_count);
		F_U32(b, LK_TEAM_MR_INTERVAL, c->mcast_rejoin_interval);
		for (size_t i = 0; i < c->ports.n; i++) {
			size_t p = f_open(b, LK_TEAM_PORT);

			f_bytes(b, TP_NAME, c->ports.v[i], strlen(c->ports.v[i]));
			if (c->port_priority)
				F_U32(b, TP_PRIORITY, c->port_priority[i]);
			if (c->port_priority_set)
				F_U8(b, TP_PRIORITY_SET, c->port_priority_set[i]);
			f_close(b, p);
		}
		f_name(b, LK_TEAM_ACTIVE_PORT, c->active_port);
		break;
	}
	case LINK_BRIDGE:
		F_U32(b, LK_BRIDGE_SET, l->u.bridge.set);
		for (size_t i = 0; i < l->u.bridge.ports.n; i++)
			f_name(b, LK_BRIDGE_PORT, l->u.bridge.ports.v[i]);
		F_U8(b, LK_BRIDGE_STP, l->u.bridge.stp);
		break;
	case LINK_VRF:
		F_U32(b, LK_VRF_TABLE, l->u.vrf.table);
		for (size_t i = 0; i < l->u.vrf.ports.n; i++)
			f_name(b, LK_VRF_PORT, l->u.vrf.ports.v[i]);
		break;
	default: {
		/* the kind's own table (link_ops.jfields) */
		const struct link_ops *ops = link_ops_get(l->kind);

		if (ops && ops->jfields)
			put_fields(b, ops->jfields, ops->n_jfields, l);
		break;
	}
	}
	f_close(b, at);
}

static void put_addr(struct wbuf *b, uint16_t tag, const struct addr *a) {
	size_t at = f_open(b, tag);

	put_fields(b, addr_fields, ARRAY_SIZE(addr_fields), a);
	f_close(b, at);
}

static void put_route(struct wbuf *b, uint16_t tag, const struct route *r) {
	size_t at = f_open(b, tag);

	f_ip(b, R_DST, &r->dst);
	f_ip(b, R_VIA, &r->via);
	f_ip(b, R_SRC, &r->src);
	f_name(b, R_DEV, r->dev);
	f_optstr(b, R_NETNS, r->netns);
	F_U32(b, R_TABLE, r->table);
	F_U32(b, R_METRIC, r->metric);
	F_U32(b, R_MTU, r->mtu);
	F_U16(b, R_SET, r->set);
	F_U8(b, R_SCOPE, r->scope);
	F_U8(b, R_TYPE, r->type);
	F_U8(b, R_PROTOCOL, r->protocol);
	F_U8(b, R_ONLINK, r->onlink);
	for (size_t i = 0; i < r->n_nexthops; i++) {
		size_t n = f_open(b, R_NEXTHOP);

		f_ip(b, NH_VIA, &r->nexthops[i].via);
		f_name(b, NH_DEV, r->nexthops[i].dev);
		F_U16(b, NH_WEIGHT, r->nexthops[i].weight);
		F_U8(b, NH_ONLINK, r->nexthops[i].onlink);
		f_close(b, n);
	}
	F_U32(b, R_LINE, r->line);
	f_name(b, R_VRF, r->vrf);
	f_close(b, at);
}

static void put_rule(struct wbuf *b, uint16_t tag, const struct rule *u) {
	size_t at = f_open(b, tag);

	put_fields(b, rule_fields, ARRAY_SIZE(rule_fields), u);
	f_close(b, at);
}

/* Every field of an action but `vip` (what to announce: not undone). */
static void jfile_put_action(struct wbuf *b, const struct action *a) {
	F_U32(b, A_TYPE, a->type);
	F_U32(b, A_LEVEL, a->level);
	f_optstr(b, A_NETNS, a->netns);
	f_name(b, A_NAME, a->name);
	f_optstr(b, A_TEXT, a->text);
	f_optstr(b, A_OBJECT, a->object);
	if (a->link)
		put_link(b, A_LINK, a->link);
	if (a->have)
		put_link(b, A_HAVE, a->have);
	f_optstr(b, A_SOCK_NETNS, a->sock_netns);
	F_U8(b, A_RESTORE, a->restore);
	F_U8(b, A_OWNED, a->owned);
	F_U32(b, A_SET, a->set);
	F_U32(b, A_MTU, a->mtu);
	F_U32(b, A_OLD_MTU, a->old_mtu);
	f_bytes(b, A_MAC, a->mac, ETH_ALEN_);
	f_bytes(b, A_OLD_MAC, a->old_mac, ETH_ALEN_);
	f_name(b, A_MAC_OF, a->mac_of);
	F_U8(b, A_OLD_MAC_UNKNOWN, a->old_mac_unknown);
	f_optstr(b, A_ALIAS, a->alias);
	f_optstr(b, A_OLD_ALIAS, a->old_alias);
	f_name(b, A_MASTER, a->master);
	f_name(b, A_OLD_MASTER, a->old_master);
	f_bytes(b, A_MASTER_MAC, a->master_mac, ETH_ALEN_);
	F_U8(b, A_MASTER_MAC_SET, a->master_mac_set);
	f_optstr(b, A_TO_NETNS, a->to_netns);
	F_U32(b, A_NIC_KEYS, a->nic_keys);
	if (a->nic_before)
		put_link(b, A_NIC_BEFORE, a->nic_before);
	F_U8(b, A_NIC_RESTORE, a->nic_restore);
	F_U32(b, A_NIC_FORGET, a->nic_forget);
	F_U8(b, A_FWD4, a->fwd4);
	F_U8(b, A_FWD6, a->fwd6);
	F_U8(b, A_OLD_FWD4, a->old_fwd4);
	F_U8(b, A_OLD_FWD6, a->old_fwd6);
	F_U8(b, A_LO_UP, a->lo_up);
	F_U8(b, A_FWD_RECORD, a->fwd_record);
	F_U8(b, A_FWD_FORGET, a->fwd_forget);
	put_addr(b, A_ADDR, &a->addr);
	if (a->old_addr)
		put_addr(b, A_OLD_ADDR, a->old_addr);
	for (size_t i = 0; a->routes && i < a->n_routes; i++)
		put_route(b, A_ROUTE, a->routes[i]);
	for (size_t i = 0; a->old_routes && i < a->n_routes; i++)
		put_route(b, A_OLD_ROUTE, a->old_routes[i]);
	if (a->rule)
		put_rule(b, A_RULE, a->rule);
	for (size_t i = 0; i < a->n_ports; i++)
		f_bytes(b, A_PORT, a->ports[i], strlen(a->ports[i]));
	for (size_t i = 0; i < a->n_lost_addrs; i++)
		put_addr(b, A_LOST_ADDR, &a->lost_addrs[i]);
	for (size_t i = 0; i < a->n_lost_routes; i++)
		put_route(b, A_LOST_ROUTE, a->lost_routes[i]);
	for (size_t i = 0; a->mtu_back && i < a->n_mtu_back; i++) {
		size_t at = f_open(b, A_MTU_BACK);

		f_optstr(b, MB_NETNS, a->mtu_back[i].netns);
		f_name(b, MB_NAME, a->mtu_back[i].name);
		F_U32(b, MB_MTU, a->mtu_back[i].mtu);
		f_close(b, at);
	}
	for (size_t i = 0; a->disturbed && i < a->n_disturbed; i++) {
		size_t at = f_open(b, A_DISTURBED);

		f_optstr(b, MB_NETNS, a->disturbed[i].netns);
		f_name(b, MB_NAME, a->disturbed[i].name);
		f_close(b, at);
	}
	for (size_t i = 0; a->stay_down && i < a->n_stay_down; i++) {
		size_t at = f_open(b, A_STAY_DOWN);

		f_optstr(b, MB_NETNS, a->stay_down[i].netns);
		f_name(b, MB_NAME, a->stay_down[i].name);
		f_close(b, at);
	}
}

/* A record: tag, length, crc32 of the payload, payload (from `at`). */
static size_t rec_open(struct wbuf *b, uint16_t tag) {
	size_t at;

	put_le(b, tag, 2);
	at = b->n;
	put_le(b, 0, 4);
	put_le(b, 0, 4);
	return at;
}

static void rec_close(struct wbuf *b, size_t at) {
	if (b->err)
		return;
	set_le32(b->p + at, (uint32_t)(b->n - at - 8));
	set_le32(b->p + at + 4, crc32_ieee(b->p + at + 8, b->n - at - 8));
}

static int write_all(int fd, const uint8_t *p, size_t n) {
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int fsync_dir_of(const char *path) {
	char buf[PATH_MAX];
	int fd, r = 0;

	if (STRCPY(buf, path) < 0)
		return -ENAMETOOLONG;
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int jfile_create(const char *path, const struct jfile_head *h, const struct plan *p, const struct apply_records *rec,
                 int *ret_fd) {
	struct wbuf b = { 0 };
	char tmp[PATH_MAX];
	size_t at;
	int fd = -1, r;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	put(&b, magic, sizeof(magic));
	put_le(&b, JFILE_VERSION, 2);
	put_le(&b, 0, 2);

	at = rec_open(&b, REC_HEAD);
	f_bytes(&b, H_PROFILE, h->profile, strlen(h->profile));
	f_bytes(&b, H_ID, h->id, JFILE_ID_SIZE);
	F_U32(&b, H_PID, h->pid);
	F_U64(&b, H_START, h->start);
	F_U64(&b, H_CREATED, h->created_ns);
	F_U32(&b, H_N_ACTIONS, p->n);
	rec_close(&b, at);

	at = rec_open(&b, REC_RECORDS);
	if (rec->owned)
		f_bytes(&b, RC_OWNED, rec->owned, rec->owned_len);
	F_U8(&b, RC_ROUTES_SAVED, rec->routes_saved);
	if (rec->routes_saved && rec->routes)
		f_bytes(&b, RC_ROUTES, rec->routes, rec->routes_len);
	for (size_t i = 0; i < rec->n_saved_routes; i++)
		put_route(&b, RC_SAVED_ROUTE, rec->saved_routes[i]);
	rec_close(&b, at);

	for (size_t i = 0; i < p->n; i++) {
		at = rec_open(&b, REC_ACTION);
		jfile_put_action(&b, &p->v[i]);
		rec_close(&b, at);
	}
	if (b.err) {
		free(b.p);
		return b.err;
	}
	/* a leftover of a run that died writing it */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		free(b.p);
		return r;
	}
	r = write_all(fd, b.p, b.n);
	free(b.p);
	if (r >= 0 && fchmod(fd, 0600) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	/* never over another pending change's journal */
	if (r >= 0 && link(tmp, path) < 0)
		r = -errno;
	unlink(tmp);
	if (r >= 0)
		r = fsync_dir_of(path);
	if (r < 0) {
		close(fd);
		return r;
	}
	r = fcntl(fd, F_GETFL);
	if (r < 0 || fcntl(fd, F_SETFL, r | O_APPEND) < 0) {
		r = -errno;
		close(fd);
		unlink(path);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static int append_rec(int fd, struct wbuf *b) {
	struct stat sb;
	int r;

	if (b->err) {
		free(b->p);
		return b->err;
	}
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		free(b->p);
		return r;
	}
	r = write_all(fd, b->p, b->n);
	free(b->p);
	/* a record written in part goes again: the next one follows the last good one */
	if (r < 0 && ftruncate(fd, sb.st_size) < 0) {
		/* the next reader leaves it out */
	}
	if (r >= 0 && fdatasync(fd) < 0)
		r = -errno;
	return r;
}

int jfile_append_event(int fd, enum apply_event ev, size_t step, const uint8_t *ok, size_t n_ok,
                       const uint8_t *old_mac) {
	struct wbuf b = { 0 };
	size_t at = rec_open(&b, REC_EVENT);

	F_U32(&b, E_TYPE, ev);
	F_U32(&b, E_STEP, step);
	if (ok)
		f_bytes(&b, E_OK, ok, n_ok);
	if (old_mac)
		f_bytes(&b, E_OLD_MAC, old_mac, ETH_ALEN_);
	rec_close(&b, at);
	return append_rec(fd, &b);
}

int jfile_append_waiter(int fd, int32_t pid, uint64_t start, uint64_t deadline_ns) {
	struct wbuf b = { 0 };
	size_t at = rec_open(&b, REC_WAITER);

	F_U32(&b, W_PID, pid);
	F_U64(&b, W_START, start);
	F_U64(&b, W_DEADLINE, deadline_ns);
	rec_close(&b, at);
	return append_rec(fd, &b);
}

/* ---- reading ---------------------------------------------------------------------------- */

struct jarena {
	void **v;
	size_t n, cap;
};

static void *arena_alloc(struct jarena *a, size_t size) {
	void *p;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	p = calloc(1, size ? size : 1);
	if (p)
		a->v[a->n++] = p;
	return p;
}

struct rd {
	const uint8_t *p;
	size_t n;
};

struct ctx {
	struct jarena *arena;
	char *err;
	size_t errsize;
	size_t record;                      /* for messages: the record being read (1-based) */
	const char *what;                   /* "action", "link", ... */
};

static int bad(struct ctx *c, const char *fmt, ...) _printf_(2, 3);
static int bad(struct ctx *c, const char *fmt, ...) {
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errsize && !c->err[0])
		snprintf(c->err, c->errsize, "record %zu (%s): %s", c->record, c->what ? c->what : "?", msg);
	return -EBADMSG;
}

static uint64_t get_le(const uint8_t *p, size_t size) {
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The next field: 1 and tag/value, 0 at the end, <0 when cut short. */
static int rd_next(struct ctx *c, struct rd *r, uint16_t *tag, struct rd *val) {
	uint32_t len;

	*tag = 0;
	*val = (struct rd){ .p = r->p, .n = 0 };
	if (r->n == 0)
		return 0;
	if (r->n < 6)
		return bad(c, "a field is cut short");
	*tag = (uint16_t)get_le(r->p, 2);
	len = (uint32_t)get_le(r->p + 2, 4);
	if (len > r->n - 6)
		return bad(c, "field %u is longer than what holds it", *tag);
	val->p = r->p + 6;
	val->n = len;
	r->p += 6 + len;
	r->n -= 6 + len;
	return 1;
}

/* One field of a list, to the reader of that list: 0, or <0 to stop. */
typedef int (*rd_field_fn)(struct ctx *c, uint16_t tag, const struct rd *v, void *data);

/* Every field of r, in order, to fn: 0 at the end of r, the first error
 * of fn, or <0 when r is cut short. */
static int rd_each(struct ctx *c, struct rd r, rd_field_fn fn, void *data) {
	struct rd v;
	uint16_t tag;
	int q, r2;

	while ((q = rd_next(c, &r, &tag, &v)) > 0)
		if ((r2 = fn(c, tag, &v, data)) < 0)
			return r2;
	return q;
}

static int v_int(struct ctx *c, uint16_t tag, const struct rd *v, size_t size, uint64_t max, uint64_t *ret) {
	uint64_t x;

	if (v->n != size)
		return bad(c, "field %u: %zu bytes, expected %zu", tag, v->n, size);
	x = get_le(v->p, size);
	if (x > max)
		return bad(c, "field %u: %llu is out of range", tag, (unsigned long long)x);
	*ret = x;
	return 0;
}

#define GET(c, tag, v, field, max)                                                                                     \
	({                                                                                                             \
		uint64_t _x = 0;                                                                                       \
		int _r = v_int(c, tag, v, sizeof(field), (max), &_x);                                                  \
		if (_r == 0)                                                                                           \
			(field) = (__typeof__(field))_x;                                                               \
		_r;                                                                                                    \
	})
#define GET_U(c, tag, v, field) GET(c, tag, v, field, (uint64_t)(__typeof__(field))~(__typeof__(field))0)
#define GET_I32(c, tag, v, field) GET(c, tag, v, field, UINT32_MAX)
#define GET_BOOL(c, tag, v, field) GET(c, tag, v, field, 1)
#define GET_ENUM(c, tag, v, field, n)                                                                                  \
	({                                                                                                             \
		uint64_t _x = 0;                                                                                       \
		int _r = v_int(c, tag, v, 4, (uint64_t)(n) - 1, &_x);                                                   \
		if (_r == 0)                                                                                           \
			(field) = _x;                                                                                  \
		_r;                                                                                                    \
	})

static int v_name(struct ctx *c, uint16_t tag, const struct rd *v, char *buf, size_t size) {
	if (v->n >= size || memchr(v->p, '\0', v->n))
		return bad(c, "field %u: not a name of at most %zu bytes", tag, size - 1);
	memcpy(buf, v->p, v->n);
	buf[v->n] = '\0';
	return 0;
}

static int v_str(struct ctx *c, uint16_t tag, const struct rd *v, size_t max, char **ret) {
	char *s;

	if (v->n > max || memchr(v->p, '\0', v->n))
		return bad(c, "field %u: not a string of at most %zu bytes", tag, max);
	s = arena_alloc(c->arena, v->n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, v->p, v->n);
	*ret = s;
	return 0;
}

static int v_netns(struct ctx *c, uint16_t tag, const struct rd *v, const char **ret) {
	char *s = NULL;
	int r = v_str(c, tag, v, NETNS_NAME_MAX, &s);

	if (r == 0)
		*ret = s;
	return r;
}

static int v_mac(struct ctx *c, uint16_t tag, const struct rd *v, uint8_t *mac) {
	if (v->n != ETH_ALEN_)
		return bad(c, "field %u: not a MAC address", tag);
	memcpy(mac, v->p, ETH_ALEN_);
	return 0;
}

static int v_ip(struct ctx *c, uint16_t tag, const struct rd *v, struct ipaddr *ip) {
	if (v->n != 18)
		return bad(c, "field %u: not an address", tag);
	ip->family = v->p[0];
	ip->plen = v->p[1];
	memcpy(ip->a, v->p + 2, 16);
	if ((ip->family != 0 && ip->family != AF_INET && ip->family != AF_INET6) ||
	    ip->plen > (ip->family == AF_INET ? 32 : 128))
		return bad(c, "field %u: not an address", tag);
	return 0;
}

static int unknown(struct ctx *c, uint16_t tag) {
	return bad(c, "unknown field %u (written by another version of hanet?)", tag);
}

struct tag_count {
	uint16_t want;
	size_t n;
};

static int count_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct tag_count *t = data;

	t->n += tag == t->want;
	return 0;
}

/* How many fields of a tag a list holds (to size an array). */
static int count_tag(struct ctx *c, struct rd r, uint16_t want, size_t *ret) {
	struct tag_count t = { .want = want };
	int k = rd_each(c, r, count_field, &t);

	if (k < 0)
		return k;
	if (t.n > JFILE_LIST_MAX) {
		/* bad() is -EBADMSG, said here for the analyzer, which does
		 * not follow a function with variable arguments */
		bad(c, "field %u: %zu of them, more than %u", want, t.n, JFILE_LIST_MAX);
		return -EBADMSG;
	}
	*ret = t.n;
	return 0;
}

static const struct jfield *jfield_find(const struct jfield *f, size_t n, uint16_t tag) {
	for (size_t i = 0; i < n; i++)
		if (f[i].tag == tag)
			return &f[i];
	return NULL;
}

/* One field of a flat struct, as put_fields() wrote it. */
static int read_field(struct ctx *c, const struct jfield *x, uint16_t tag, const struct rd *v, void *base) {
	uint8_t *p = (uint8_t *)base + x->off;
	uint64_t val = 0;
	int r2 = 0;

	switch ((enum jfield_kind)x->kind) {
	case JF_UINT:
		r2 = v_int(c, tag, v, x->size, x->size >= 8 ? UINT64_MAX : (1ull << (8 * x->size)) - 1, &val);
		if (r2 == 0) {
			uint8_t u8 = (uint8_t)val;
			uint16_t u16 = (uint16_t)val;
			uint32_t u32 = (uint32_t)val;

			memcpy(p, x->size == 1 ? (void *)&u8 : x->size == 2 ? (void *)&u16 : x->size == 4 ? (void *)&u32
			                                                                              : (void *)&val,
			       x->size);
		}
		break;
	case JF_INT32:
		r2 = v_int(c, tag, v, 4, UINT32_MAX, &val);
		if (r2 == 0) {
			int32_t i32 = (int32_t)(uint32_t)val;

			memcpy(p, &i32, 4);
		}
		break;
	case JF_BOOL:
		r2 = v_int(c, tag, v, 1, 1, &val);
		if (r2 == 0)
			*(bool *)p = val != 0;
		break;
	case JF_IP: r2 = v_ip(c, tag, v, (struct ipaddr *)p); break;
	case JF_NAME: r2 = v_name(c, tag, v, (char *)p, x->size); break;
	case JF_MAC: r2 = v_mac(c, tag, v, p); break;
	case JF_NETNS: {
		const char *s = NULL;

		r2 = v_netns(c, tag, v, &s);
		if (r2 == 0)
			memcpy(p, &s, sizeof(s));
		break;
	}
	}
	return r2;
}

struct flat {
	const struct jfield *f;
	size_t n;
	void *base;
};

static int flat_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	const struct flat *s = data;
	const struct jfield *x = jfield_find(s->f, s->n, tag);

	return x ? read_field(c, x, tag, v, s->base) : unknown(c, tag);
}

/* The fields of a flat struct, as put_fields() wrote them. */
static int read_fields(struct ctx *c, struct rd r, const struct jfield *f, size_t n, void *base) {
	return rd_each(c, r, flat_field, &(struct flat){ .f = f, .n = n, .base = base });
}

static int read_link(struct ctx *c, struct rd r, struct link **ret) {
	const char *outer = c->what;
	struct link *l = arena_alloc(c->arena, sizeof(*l));
	size_t n_addrs, n_names = 0, k_names = 0, n_prio = 0;
	bool kind_seen = false;
	struct rd v;
	uint16_t tag;
	int q, r2 = 0;

	if (!l)
		return -ENOMEM;
	c->what = "link";
	if ((r2 = count_tag(c, r, LK_ADDR, &n_addrs)) < 0)
		goto out;
	l->link_netnsid = -1;
	if (n_addrs && !(l->addrs = arena_alloc(c->arena, n_addrs * sizeof(*l->addrs)))) {
		r2 = -ENOMEM;
		goto out;
	}
	while ((q = rd_next(c, &r, &tag, &v)) > 0) {
		bool kind_field = tag >= LK_BOND_SET;

		if (kind_field && !kind_seen) {
			r2 = bad(c, "field %u before the kind", tag);
			goto out;
		}
		switch (tag) {
		case LK_KIND:
			if (kind_seen) {
				r2 = bad(c, "a link with two kinds");
				goto out;
			}
			r2 = GET_ENUM(c, tag, &v, l->kind, _LINK_KIND_MAX);
			if (r2 == 0) {
				uint16_t list = l->kind == LINK_BOND ? LK_BOND_SLAVE : l->kind == LINK_TEAM ? LK_TEAM_PORT
				              : l->kind == LINK_BRIDGE ? LK_BRIDGE_PORT : l->kind == LINK_VRF ? LK_VRF_PORT : 0;

				kind_seen = true;
				if (list && (r2 = count_tag(c, r, list, &n_names)) == 0 && n_names) {
					struct namelist *nl = l->kind == LINK_BOND ? &l->u.bond.slaves
					                    : l->kind == LINK_TEAM ? &l->u.team.ports
					                    : l->kind == LINK_VRF ? &l->u.vrf.ports : &l->u.bridge.ports;

					nl->v = arena_alloc(c->arena, n_names * sizeof(*nl->v));
					if (!nl->v)
						r2 = -ENOMEM;
					if (l->kind == LINK_TEAM && r2 == 0) {
						l->u.team.port_priority = arena_alloc(c->arena, n_names * sizeof(int32_t));
						l->u.team.port_priority_set = arena_alloc(c->arena, n_names * sizeof(bool));
						if (!l->u.team.port_priority || !l->u.team.port_priority_set)
							r2 = -ENOMEM;
					}
				}
			}
			break;
		case LK_NAME: r2 = v_name(c, tag, &v, l->name, sizeof(l->name)); break;
		case LK_NETNS: r2 = v_netns(c, tag, &v, &l->netns); break;
		case LK_SET: r2 = GET_U(c, tag, &v, l->set); break;
		case LK_MTU: r2 = GET_U(c, tag, &v, l->mtu); break;
		case LK_MAC: r2 = v_mac(c, tag, &v, l->mac); break;
		case LK_UP: r2 = GET_BOOL(c, tag, &v, l->up); break;
		case LK_ALIAS: r2 = v_str(c, tag, &v, JFILE_STR_MAX, &l->alias); break;
		case LK_ADDR: r2 = v_ip(c, tag, &v, &l->addrs[l->n_addrs++]); break;
		case LK_MASTER: r2 = v_name(c, tag, &v, l->master, sizeof(l->master)); break;
		case LK_VRF: r2 = v_name(c, tag, &v, l->vrf, sizeof(l->vrf)); break;
		case LK_IMPLICIT: r2 = GET_BOOL(c, tag, &v, l->implicit); break;
		case LK_LINE: r2 = GET_I32(c, tag, &v, l->line); break;
		case LK_IFINDEX: r2 = GET_I32(c, tag, &v, l->ifindex); break;
		case LK_MASTER_IFINDEX: r2 = GET_I32(c, tag, &v, l->master_ifindex); break;
		case LK_LINK_IFINDEX: r2 = GET_I32(c, tag, &v, l->link_ifindex); break;
		case LK_LINK_NETNSID: r2 = GET_I32(c, tag, &v, l->link_netnsid); break;
		case LK_FLAGS: r2 = GET_U(c, tag, &v, l->flags); break;
		case LK_CARRIER: r2 = GET_BOOL(c, tag, &v, l->carrier); break;
		case LK_KIND_NAME: r2 = v_name(c, tag, &v, l->kind_name, sizeof(l->kind_name)); break;
		case LK_SLAVE_KIND: r2 = v_name(c, tag, &v, l->slave_kind, sizeof(l->slave_kind)); break;
		default:
			if (l->kind == LINK_BOND) {
				struct bond_conf *b = &l->u.bond;

				switch (tag) {
				case LK_BOND_SET: r2 = GET_U(c, tag, &v, b->set); goto next;
				case LK_BOND_VAL:
					if (v.n != sizeof(b->val)) {
						r2 = bad(c, "field %u: %zu bond options, expected %d", tag, v.n / 4, _BOND_OPT_MAX);
						goto out;
					}
					for (size_t i = 0; i < _BOND_OPT_MAX; i++)
						b->val[i] = (uint32_t)get_le(v.p + 4 * i, 4);
					goto next;
				case LK_BOND_PRIMARY: r2 = v_name(c, tag, &v, b->primary, sizeof(b->primary)); goto next;
				case LK_BOND_ARP_TARGET:
					if (b->n_arp_ip_target >= BOND_MAX_ARP_TARGETS) {
						r2 = bad(c, "more than %d ARP targets", BOND_MAX_ARP_TARGETS);
						goto out;
					}
					/* in the arena, as the link's other arrays */
					if (!b->arp_ip_target &&
					    !(b->arp_ip_target = arena_alloc(c->arena, BOND_MAX_ARP_TARGETS * sizeof(*b->arp_ip_target)))) {
						r2 = -ENOMEM;
						goto out;
					}
					r2 = v_ip(c, tag, &v, &b->arp_ip_target[b->n_arp_ip_target++]);
					goto next;
				case LK_BOND_AD_ACTOR_SYSTEM: r2 = v_mac(c, tag, &v, b->ad_actor_system); goto next;
				case LK_BOND_SLAVE:
					r2 = v_name(c, tag, &v, b->slaves.v[b->slaves.n++], IFNAMSIZ);
					k_names++;
					goto next;
				case LK_BOND_ACTIVE_SLAVE: r2 = v_name(c, tag, &v, b->active_slave, IFNAMSIZ); goto next;
				case LK_BOND_PRIMARY_IFINDEX: r2 = GET_I32(c, tag, &v, b->primary_ifindex); goto next;
				case LK_BOND_ACTIVE_SLAVE_IFINDEX: r2 = GET_I32(c, tag, &v, b->active_slave_ifindex); goto next;
				}
			} else if (l->kind == LINK_TEAM) {
				struct team_conf *t = &l->u.team;

				switch (tag) {
				case LK_TEAM_SET: r2 = GET_U(c, tag, &v, t->set); goto next;
				case LK_TEAM_MODE: r2 = GET_ENUM(c, tag, &v, t->mode, _TEAM_MODE_MAX); goto next;
				case LK_TEAM_NP_COUNT: r2 = GET_U(c, tag, &v, t->notify_peers_count); goto next;
				case LK_TEAM_NP_INTERVAL: r2 = GET_U(c, tag, &v, t->notify_peers_interval); goto next;
				case LK_TEAM_MR_COUNT: r2 = GET_U(c, tag, &v, t->mcast_rejoin_count); goto next;
				case LK_TEAM_MR_INTERVAL: r2 = GET_U(c, tag, &v, t->mcast_rejoin_interval); goto next;
				case LK_TEAM_PORT: {
					struct rd pr = v, pv;
					uint16_t ptag;
					size_t i = t->ports.n++;
					bool named = false;

					k_names++;
					while ((q = rd_next(c, &pr, &ptag, &pv)) > 0) {
						switch (ptag) {
						case TP_NAME: r2 = v_name(c, ptag, &pv, t->ports.v[i], IFNAMSIZ); named = true; break;
						case TP_PRIORITY: r2 = GET_I32(c, ptag, &pv, t->port_priority[i]); n_prio++; break;
						case TP_PRIORITY_SET: r2 = GET_BOOL(c, ptag, &pv, t->port_priority_set[i]); break;
						default: r2 = unknown(c, ptag); break;
						}
						if (r2 < 0)
							goto out;
					}
					if (q < 0 || !named) {
						r2 = q < 0 ? q : bad(c, "a team port without a name");
						goto out;
					}
					goto next;
				}
				case LK_TEAM_ACTIVE_PORT: r2 = v_name(c, tag, &v, t->active_port, IFNAMSIZ); goto next;
				}
			} else if (l->kind == LINK_BRIDGE) {
				switch (tag) {
				case LK_BRIDGE_SET: r2 = GET_U(c, tag, &v, l->u.bridge.set); goto next;
				case LK_BRIDGE_PORT:
					r2 = v_name(c, tag, &v, l->u.bridge.ports.v[l->u.bridge.ports.n++], IFNAMSIZ);
					k_names++;
					goto next;
				case LK_BRIDGE_STP: r2 = GET_BOOL(c, tag, &v, l->u.bridge.stp); goto next;
				}
			} else if (l->kind == LINK_VRF) {
				switch (tag) {
				case LK_VRF_TABLE: r2 = GET_U(c, tag, &v, l->u.vrf.table); goto next;
				case LK_VRF_PORT:
					r2 = v_name(c, tag, &v, l->u.vrf.ports.v[l->u.vrf.ports.n++], IFNAMSIZ);
					k_names++;
					goto next;
				}
			} else {
				/* the kind's own table (link_ops.jfields) */
				const struct link_ops *ops = link_ops_get(l->kind);
				const struct jfield *x = ops && ops->jfields ? jfield_find(ops->jfields, ops->n_jfields, tag)
				                                             : NULL;

				if (x) {
					r2 = read_field(c, x, tag, &v, l);
					goto next;
				}
			}
			r2 = unknown(c, tag);
			break;
		}
	next:
		if (r2 < 0)
			goto out;
	}
	if (q < 0) {
		r2 = q;
		goto out;
	}
	if (!kind_seen || !l->name[0]) {
		r2 = bad(c, "a link without a kind or a name");
		goto out;
	}
	if (k_names != n_names) {
		r2 = bad(c, "the ports of %s are not where they belong", l->name);
		goto out;
	}
	/* a team's port priorities are all there or none is */
	if (l->kind == LINK_TEAM && n_prio == 0 && l->u.team.ports.n == 0) {
		l->u.team.port_priority = NULL;
		l->u.team.port_priority_set = NULL;
	}
	*ret = l;
out:
	c->what = outer;
	return r2;
}

static int read_addr(struct ctx *c, struct rd r, struct addr *a) {
	return read_fields(c, r, addr_fields, ARRAY_SIZE(addr_fields), a);
}

static int nexthop_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct nexthop *nh = data;

	switch (tag) {
	case NH_VIA: return v_ip(c, tag, v, &nh->via);
	case NH_DEV: return v_name(c, tag, v, nh->dev, sizeof(nh->dev));
	case NH_WEIGHT: return GET_U(c, tag, v, nh->weight);
	case NH_ONLINK: return GET_BOOL(c, tag, v, nh->onlink);
	default: return unknown(c, tag);
	}
}

static int read_route(struct ctx *c, struct rd r, const struct route **ret) {
	struct route *x = arena_alloc(c->arena, sizeof(*x));
	size_t n_nh;
	struct rd v;
	uint16_t tag;
	int q, r2 = 0;

	if (!x)
		return -ENOMEM;
	r2 = count_tag(c, r, R_NEXTHOP, &n_nh);
	if (r2 < 0)
		return r2;
	if (n_nh > ROUTE_MAX_NEXTHOPS)
		return bad(c, "a route with %zu next hops, more than %d", n_nh, ROUTE_MAX_NEXTHOPS);
	if (n_nh && !(x->nexthops = arena_alloc(c->arena, n_nh * sizeof(*x->nexthops))))
		return -ENOMEM;
	while ((q = rd_next(c, &r, &tag, &v)) > 0) {
		switch (tag) {
		case R_DST: r2 = v_ip(c, tag, &v, &x->dst); break;
		case R_VIA: r2 = v_ip(c, tag, &v, &x->via); break;
		case R_SRC: r2 = v_ip(c, tag, &v, &x->src); break;
		case R_DEV: r2 = v_name(c, tag, &v, x->dev, sizeof(x->dev)); break;
		case R_NETNS: r2 = v_netns(c, tag, &v, &x->netns); break;
		case R_TABLE: r2 = GET_U(c, tag, &v, x->table); break;
		case R_METRIC: r2 = GET_U(c, tag, &v, x->metric); break;
		case R_MTU: r2 = GET_U(c, tag, &v, x->mtu); break;
		case R_SET: r2 = GET_U(c, tag, &v, x->set); break;
		case R_SCOPE: r2 = GET_U(c, tag, &v, x->scope); break;
		case R_TYPE: r2 = GET_U(c, tag, &v, x->type); break;
		case R_PROTOCOL: r2 = GET_U(c, tag, &v, x->protocol); break;
		case R_ONLINK: r2 = GET_BOOL(c, tag, &v, x->onlink); break;
		case R_LINE: r2 = GET_I32(c, tag, &v, x->line); break;
		case R_VRF: r2 = v_name(c, tag, &v, x->vrf, sizeof(x->vrf)); break;
		case R_NEXTHOP: r2 = rd_each(c, v, nexthop_field, &x->nexthops[x->n_nexthops++]); break;
		default: r2 = unknown(c, tag); break;
		}
		if (r2 < 0)
			return r2;
	}
	if (q < 0)
		return q;
	if (!x->dst.family)
		return bad(c, "a route without a destination");
	*ret = x;
	return 0;
}

static int read_rule(struct ctx *c, struct rd r, struct rule *u) {
	return read_fields(c, r, rule_fields, ARRAY_SIZE(rule_fields), u);
}

/* Which actions need what (the undo reads it): checked once read. */
static int check_action(struct ctx *c, const struct action *a) {
	switch (a->type) {
	case ACT_NETNS_ADD:
	case ACT_NETNS_DEL:
	case ACT_FORWARDING:
		if (!a->netns || !a->netns[0])
			return a->type == ACT_FORWARDING ? 0 : bad(c, "a namespace action without a namespace");
		return 0;
	case ACT_LINK_CREATE:
	case ACT_LINK_DELETE:
	case ACT_LINK_EXTRA:
		return a->link ? 0 : bad(c, "a link action without its link");
	case ACT_LINK_KIND:
		return a->link && a->have ? 0 : bad(c, "a change of link options without the link as it was");
	case ACT_LINK_MOVE:
		return a->name[0] ? 0 : bad(c, "a move without a link");
	case ACT_ROUTE_ADD:
	case ACT_ROUTE_DEL:
		return a->routes ? 0 : bad(c, "a route action without routes");
	case ACT_ROUTE_REPLACE:
		return a->routes && a->old_routes ? 0 : bad(c, "a route replacement without the routes it replaces");
	case ACT_RULE_ADD:
	case ACT_RULE_DEL:
		return a->rule ? 0 : bad(c, "a rule action without its rule");
	default:
		break;
	}
	return 0;
}

static int mtu_back_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct mtu_back *m = data;

	switch (tag) {
	case MB_NETNS: return v_netns(c, tag, v, &m->netns);
	case MB_NAME: return v_name(c, tag, v, m->name, sizeof(m->name));
	case MB_MTU: return GET_U(c, tag, v, m->mtu);
	default: return unknown(c, tag);
	}
}

static int read_mtu_back(struct ctx *c, struct rd r, struct mtu_back *m) {
	return rd_each(c, r, mtu_back_field, m);
}

static int act_dev_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct act_dev *d = data;

	switch (tag) {
	case MB_NETNS: return v_netns(c, tag, v, &d->netns);
	case MB_NAME: return v_name(c, tag, v, d->name, sizeof(d->name));
	default: return unknown(c, tag);
	}
}

static int read_act_dev(struct ctx *c, struct rd r, struct act_dev *d) {
	return rd_each(c, r, act_dev_field, d);
}

static int read_action(struct ctx *c, struct rd r, struct action *a) {
	size_t n_routes, n_old, n_ports, n_lost_addrs, n_lost_routes, n_mtu_back, n_disturbed, n_stay_down, k_routes = 0, k_old = 0;
	bool type_seen = false;
	struct rd v;
	uint16_t tag;
	int q, r2;

	c->what = "action";
	if ((r2 = count_tag(c, r, A_ROUTE, &n_routes)) < 0 || (r2 = count_tag(c, r, A_OLD_ROUTE, &n_old)) < 0 ||
	    (r2 = count_tag(c, r, A_PORT, &n_ports)) < 0 || (r2 = count_tag(c, r, A_LOST_ADDR, &n_lost_addrs)) < 0 ||
	    (r2 = count_tag(c, r, A_LOST_ROUTE, &n_lost_routes)) < 0 ||
	    (r2 = count_tag(c, r, A_MTU_BACK, &n_mtu_back)) < 0 ||
	    (r2 = count_tag(c, r, A_DISTURBED, &n_disturbed)) < 0 ||
	    (r2 = count_tag(c, r, A_STAY_DOWN, &n_stay_down)) < 0)
		return r2;
	if (n_old && n_old != n_routes)
		return bad(c, "%zu routes replace %zu", n_routes, n_old);
	a->n_routes = n_routes;
	if ((n_routes && !(a->routes = arena_alloc(c->arena, n_routes * sizeof(*a->routes)))) ||
	    (n_old && !(a->old_routes = arena_alloc(c->arena, n_old * sizeof(*a->old_routes)))) ||
	    (n_ports && !(a->ports = arena_alloc(c->arena, n_ports * sizeof(*a->ports)))) ||
	    (n_lost_addrs && !(a->lost_addrs = arena_alloc(c->arena, n_lost_addrs * sizeof(*a->lost_addrs)))) ||
	    (n_lost_routes && !(a->lost_routes = arena_alloc(c->arena, n_lost_routes * sizeof(*a->lost_routes)))) ||
	    (n_mtu_back && !(a->mtu_back = arena_alloc(c->arena, n_mtu_back * sizeof(*a->mtu_back)))) ||
	    (n_disturbed && !(a->disturbed = arena_alloc(c->arena, n_disturbed * sizeof(*a->disturbed)))) ||
	    (n_stay_down && !(a->stay_down = arena_alloc(c->arena, n_stay_down * sizeof(*a->stay_down)))))
		return -ENOMEM;
	while ((q = rd_next(c, &r, &tag, &v)) > 0) {
		switch (tag) {
		case A_TYPE: r2 = GET_ENUM(c, tag, &v, a->type, _ACT_MAX); type_seen = r2 == 0; break;
		case A_LEVEL: r2 = GET_ENUM(c, tag, &v, a->level, DISRUPT_RECREATE + 1); break;
		case A_NETNS: r2 = v_netns(c, tag, &v, &a->netns); break;
		case A_NAME: r2 = v_name(c, tag, &v, a->name, sizeof(a->name)); break;
		case A_TEXT: r2 = v_str(c, tag, &v, JFILE_STR_MAX, &a->text); break;
		case A_OBJECT: {
			char *s = NULL;

			r2 = v_str(c, tag, &v, JFILE_STR_MAX, &s);
			a->object = s;
			break;
		}
		case A_LINK: r2 = read_link(c, v, &a->link); break;
		case A_HAVE: r2 = read_link(c, v, &a->have); break;
		case A_SOCK_NETNS: r2 = v_netns(c, tag, &v, &a->sock_netns); break;
		case A_RESTORE: r2 = GET_BOOL(c, tag, &v, a->restore); break;
		case A_OWNED: r2 = GET_BOOL(c, tag, &v, a->owned); break;
		case A_SET: r2 = GET_U(c, tag, &v, a->set); break;
		case A_MTU: r2 = GET_U(c, tag, &v, a->mtu); break;
		case A_OLD_MTU: r2 = GET_U(c, tag, &v, a->old_mtu); break;
		case A_MAC: r2 = v_mac(c, tag, &v, a->mac); break;
		case A_OLD_MAC: r2 = v_mac(c, tag, &v, a->old_mac); break;
		case A_MAC_OF: r2 = v_name(c, tag, &v, a->mac_of, sizeof(a->mac_of)); break;
		case A_OLD_MAC_UNKNOWN: r2 = GET_BOOL(c, tag, &v, a->old_mac_unknown); break;
		case A_ALIAS: r2 = v_str(c, tag, &v, JFILE_STR_MAX, &a->alias); break;
		case A_OLD_ALIAS: r2 = v_str(c, tag, &v, JFILE_STR_MAX, &a->old_alias); break;
		case A_MASTER: r2 = v_name(c, tag, &v, a->master, sizeof(a->master)); break;
		case A_OLD_MASTER: r2 = v_name(c, tag, &v, a->old_master, sizeof(a->old_master)); break;
		case A_MASTER_MAC: r2 = v_mac(c, tag, &v, a->master_mac); break;
		case A_MASTER_MAC_SET: r2 = GET_BOOL(c, tag, &v, a->master_mac_set); break;
		case A_TO_NETNS: r2 = v_netns(c, tag, &v, &a->to_netns); break;
		case A_NIC_KEYS: r2 = GET_U(c, tag, &v, a->nic_keys); break;
		case A_NIC_BEFORE: r2 = read_link(c, v, &a->nic_before); break;
		case A_NIC_RESTORE: r2 = GET_BOOL(c, tag, &v, a->nic_restore); break;
		case A_NIC_FORGET: r2 = GET_U(c, tag, &v, a->nic_forget); break;
		case A_FWD4: r2 = GET_BOOL(c, tag, &v, a->fwd4); break;
		case A_FWD6: r2 = GET_BOOL(c, tag, &v, a->fwd6); break;
		case A_OLD_FWD4: r2 = GET_BOOL(c, tag, &v, a->old_fwd4); break;
		case A_OLD_FWD6: r2 = GET_BOOL(c, tag, &v, a->old_fwd6); break;
		case A_LO_UP: r2 = GET_BOOL(c, tag, &v, a->lo_up); break;
		case A_FWD_RECORD: r2 = GET_BOOL(c, tag, &v, a->fwd_record); break;
		case A_FWD_FORGET: r2 = GET_BOOL(c, tag, &v, a->fwd_forget); break;
		case A_ADDR: r2 = read_addr(c, v, &a->addr); break;
		case A_OLD_ADDR:
			a->old_addr = arena_alloc(c->arena, sizeof(*a->old_addr));
			r2 = a->old_addr ? read_addr(c, v, a->old_addr) : -ENOMEM;
			break;
		case A_ROUTE: r2 = read_route(c, v, &a->routes[k_routes++]); break;
		case A_OLD_ROUTE: r2 = read_route(c, v, &a->old_routes[k_old++]); break;
		case A_RULE:
			a->rule = arena_alloc(c->arena, sizeof(*a->rule));
			r2 = a->rule ? read_rule(c, v, a->rule) : -ENOMEM;
			break;
		case A_PORT: r2 = v_name(c, tag, &v, a->ports[a->n_ports++], IFNAMSIZ); break;
		case A_LOST_ADDR: r2 = read_addr(c, v, &a->lost_addrs[a->n_lost_addrs++]); break;
		case A_LOST_ROUTE: r2 = read_route(c, v, &a->lost_routes[a->n_lost_routes++]); break;
		case A_MTU_BACK: r2 = read_mtu_back(c, v, &a->mtu_back[a->n_mtu_back++]); break;
		case A_DISTURBED: r2 = read_act_dev(c, v, &a->disturbed[a->n_disturbed++]); break;
		case A_STAY_DOWN: r2 = read_act_dev(c, v, &a->stay_down[a->n_stay_down++]); break;
		default: r2 = unknown(c, tag); break;
		}
		c->what = "action";
		if (r2 < 0)
			return r2;
	}
	if (q < 0)
		return q;
	if (!type_seen)
		return bad(c, "an action without a type");
	if (!a->text && !(a->text = arena_alloc(c->arena, 1)))
		return -ENOMEM;
	return check_action(c, a);
}

struct head_read {
	struct jfile *j;
	size_t n_actions;
	bool profile, id;
};

static int head_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct head_read *h = data;
	struct jfile *j = h->j;
	uint32_t n = 0;
	int r;

	switch (tag) {
	case H_PROFILE:
		h->profile = true;
		return v_name(c, tag, v, j->head.profile, sizeof(j->head.profile));
	case H_ID:
		if (v->n != JFILE_ID_SIZE)
			return bad(c, "not a change id");
		memcpy(j->head.id, v->p, JFILE_ID_SIZE);
		h->id = true;
		return 0;
	case H_PID: return GET(c, tag, v, j->head.pid, INT32_MAX);
	case H_START: return GET_U(c, tag, v, j->head.start);
	case H_CREATED: return GET_U(c, tag, v, j->head.created_ns);
	case H_N_ACTIONS:
		r = GET_U(c, tag, v, n);
		h->n_actions = n;
		return r;
	default: return unknown(c, tag);
	}
}

static int read_fields_head(struct ctx *c, struct rd r, struct jfile *j, size_t *n_actions) {
	struct head_read h = { .j = j };
	int q;

	c->what = "head";
	q = rd_each(c, r, head_field, &h);
	if (q < 0)
		return q;
	if (!h.profile || !h.id || !j->head.profile[0])
		return bad(c, "no profile or no change id");
	*n_actions = h.n_actions;
	return 0;
}

struct records_read {
	struct jfile *j;
	const struct route **saved;     /* j's, writable here */
};

static int records_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct records_read *rr = data;
	struct jfile *j = rr->j;
	char *s;
	int r;

	switch (tag) {
	case RC_OWNED:
	case RC_ROUTES:
		s = arena_alloc(c->arena, v->n + 1);
		if (!s)
			return -ENOMEM;
		memcpy(s, v->p, v->n);
		if (tag == RC_OWNED) {
			j->rec.owned = s;
			j->rec.owned_len = v->n;
		} else {
			j->rec.routes = s;
			j->rec.routes_len = v->n;
		}
		return 0;
	case RC_ROUTES_SAVED: return GET_BOOL(c, tag, v, j->rec.routes_saved);
	case RC_SAVED_ROUTE:
		r = read_route(c, *v, &rr->saved[j->rec.n_saved_routes++]);
		c->what = "records";
		return r;
	default: return unknown(c, tag);
	}
}

static int read_records(struct ctx *c, struct rd r, struct jfile *j) {
	const struct route **saved = NULL;
	size_t n_saved;
	int q;

	c->what = "records";
	q = count_tag(c, r, RC_SAVED_ROUTE, &n_saved);
	if (q < 0)
		return q;
	if (n_saved && !(saved = arena_alloc(c->arena, n_saved * sizeof(*saved))))
		return -ENOMEM;
	j->rec.saved_routes = saved;
	q = rd_each(c, r, records_field, &(struct records_read){ .j = j, .saved = saved });
	if (q < 0)
		return q;
	if (j->rec.routes && !j->rec.routes_saved)
		return bad(c, "route records that are not part of the snapshot");
	return 0;
}

struct event_read {
	uint32_t type, step;
	const uint8_t *ok, *mac;
	size_t n_ok;
};

static int event_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct event_read *e = data;

	switch (tag) {
	case E_TYPE: return GET(c, tag, v, e->type, APPLY_UNDO_DONE);
	case E_STEP: return GET_U(c, tag, v, e->step);
	case E_OK:
		e->ok = v->p;
		e->n_ok = v->n;
		return 0;
	case E_OLD_MAC:
		if (v->n != ETH_ALEN_)
			return bad(c, "not a MAC address");
		e->mac = v->p;
		return 0;
	default: return unknown(c, tag);
	}
}

static int read_event(struct ctx *c, struct rd r, struct jfile *j) {
	struct event_read e = { .type = UINT32_MAX, .step = UINT32_MAX };
	uint32_t type, step;
	const uint8_t *ok, *mac;
	size_t n_ok;
	struct jfile_step *s;
	int q;

	c->what = "event";
	q = rd_each(c, r, event_field, &e);
	if (q < 0)
		return q;
	type = e.type;
	step = e.step;
	ok = e.ok;
	mac = e.mac;
	n_ok = e.n_ok;
	if (type == UINT32_MAX || step >= j->n_actions)
		return bad(c, "an event without a type, or of a step that is not in the plan");
	s = &j->steps[step];
	switch ((enum apply_event)type) {
	case APPLY_STEP_BEGIN:
		if (s->state != JSTEP_NONE)
			return bad(c, "step %u begins twice", step + 1);
		s->state = JSTEP_BEGUN;
		break;
	case APPLY_STEP_DONE:
		if (s->state != JSTEP_BEGUN)
			return bad(c, "step %u is done without having begun", step + 1);
		if (ok && n_ok != j->actions[step].n_routes)
			return bad(c, "step %u: %zu route results for %zu routes", step + 1, n_ok, j->actions[step].n_routes);
		if (ok) {
			if (!(s->ok = arena_alloc(c->arena, n_ok)))
				return -ENOMEM;
			memcpy(s->ok, ok, n_ok);
		}
		if (mac) {
			memcpy(s->old_mac, mac, ETH_ALEN_);
			s->old_mac_read = true;
		}
		s->state = JSTEP_DONE;
		break;
	case APPLY_UNDO_BEGIN:
		if (s->state != JSTEP_DONE && s->state != JSTEP_BEGUN)
			return bad(c, "step %u is undone without having begun", step + 1);
		s->state = JSTEP_UNDO_BEGUN;
		break;
	case APPLY_UNDO_DONE:
		if (s->state != JSTEP_UNDO_BEGUN)
			return bad(c, "the undo of step %u ends without having begun", step + 1);
		s->state = JSTEP_UNDONE;
		break;
	}
	return 0;
}

static int waiter_field(struct ctx *c, uint16_t tag, const struct rd *v, void *data) {
	struct jfile *j = data;

	switch (tag) {
	case W_PID: return GET(c, tag, v, j->waiter_pid, INT32_MAX);
	case W_START: return GET_U(c, tag, v, j->waiter_start);
	case W_DEADLINE: return GET_U(c, tag, v, j->deadline_ns);
	default: return unknown(c, tag);
	}
}

static int read_waiter(struct ctx *c, struct rd r, struct jfile *j) {
	int q;

	c->what = "waiter";
	q = rd_each(c, r, waiter_field, j);
	if (q < 0)
		return q;
	if (j->waiter_pid <= 0)
		return bad(c, "no pid");
	j->waiting = true;
	return 0;
}

void jfile_free(struct jfile *j) {
	if (!j)
		return;
	if (j->arena) {
		for (size_t i = 0; i < j->arena->n; i++)
			free(j->arena->v[i]);
		free(j->arena->v);
		free(j->arena);
	}
	free(j);
}

/* The record at off: 1 and its tag, payload and end when it is whole with
 * its checksum right, 0 when it is cut short or damaged. */
static int rec_at(const uint8_t *data, size_t size, size_t off, uint16_t *tag, struct rd *payload, size_t *end) {
	uint32_t len;

	if (off > size || size - off < 10 || (len = (uint32_t)get_le(data + off + 2, 4)) > size - off - 10)
		return 0;
	if (crc32_ieee(data + off + 10, len) != (uint32_t)get_le(data + off + 6, 4))
		return 0;
	*tag = (uint16_t)get_le(data + off, 2);
	payload->p = data + off + 10;
	payload->n = len;
	*end = off + 10 + (size_t)len;
	return 1;
}

/* After a record cut short among the events (its writer died writing it,
 * and others appended after it): where the next whole event or waiter
 * record starts, or size when none does. */
static size_t rec_resync(const uint8_t *data, size_t size, size_t off) {
	for (size_t at = off + 1; at + 10 <= size; at++) {
		uint16_t tag = (uint16_t)get_le(data + at, 2), t;
		struct rd pl;
		size_t end;

		if ((tag == REC_EVENT || tag == REC_WAITER) && rec_at(data, size, at, &t, &pl, &end))
			return at;
	}
	return size;
}

/* The end of the last whole record after the head, the records and
 * n_actions actions: where an append goes. */
static size_t records_end(const uint8_t *data, size_t size) {
	size_t off = 12, last = 12, end;
	struct rd pl;
	uint16_t tag;

	if (size < 12)
		return size;
	while (off < size) {
		if (rec_at(data, size, off, &tag, &pl, &end)) {
			off = last = end;
			continue;
		}
		off = rec_resync(data, size, off);
	}
	return last;
}

int jfile_parse(const uint8_t *data, size_t size, struct jfile **ret, char *err, size_t errsize) {
	struct jfile *j = calloc(1, sizeof(*j));
	struct ctx c = { .err = err, .errsize = errsize, .what = "file" };
	size_t off, n_actions = 0, k_actions = 0;
	int r = 0;

	if (err && errsize)
		err[0] = '\0';
	if (!j || !(j->arena = calloc(1, sizeof(*j->arena)))) {
		free(j);
		return -ENOMEM;
	}
	c.arena = j->arena;
	if (size < 12 || memcmp(data, magic, sizeof(magic)) != 0) {
		if (err && errsize)
			snprintf(err, errsize, "not a hanet journal");
		r = -EBADMSG;
		goto fail;
	}
	if (get_le(data + 8, 2) != JFILE_VERSION) {
		if (err && errsize)
			snprintf(err, errsize, "journal version %u, this hanet reads version %d",
			         (unsigned)get_le(data + 8, 2), JFILE_VERSION);
		r = -EBADMSG;
		goto fail;
	}
	if (size > JFILE_MAX_SIZE) {
		if (err && errsize)
			snprintf(err, errsize, "%zu bytes, more than a journal may have (%u)", size, JFILE_MAX_SIZE);
		r = -EBADMSG;
		goto fail;
	}
	off = 12;
	while (off < size) {
		uint16_t tag;
		struct rd payload;

		size_t end;

		c.record++;
		c.what = "file";
		if (!rec_at(data, size, off, &tag, &payload, &end)) {
			/* among the events, a record cut short by a writer that
			 * died writing it, maybe with more appended after it:
			 * left out, the good ones after it kept */
			if (c.record > 2 + n_actions) {
				c.record--;
				off = rec_resync(data, size, off);
				continue;
			}
			r = bad(&c, size - off < 10 || get_le(data + off + 2, 4) > size - off - 10 ? "cut short"
			                                                                         : "bad checksum");
			goto fail;
		}
		off = end;
		/* head, records, the actions, then events in any order */
		if (c.record == 1 ? tag != REC_HEAD : c.record == 2 ? tag != REC_RECORDS
		    : c.record <= 2 + n_actions ? tag != REC_ACTION : tag != REC_EVENT && tag != REC_WAITER) {
			r = bad(&c, "record of type %u where it does not belong", tag);
			goto fail;
		}
		switch (tag) {
		case REC_HEAD:
			r = read_fields_head(&c, payload, j, &n_actions);
			if (r >= 0 && n_actions > (size - off) / 10 + 1)
				r = bad(&c, "%zu actions do not fit in the file", n_actions);
			if (r >= 0) {
				j->actions = arena_alloc(j->arena, (n_actions ? n_actions : 1) * sizeof(*j->actions));
				j->steps = arena_alloc(j->arena, (n_actions ? n_actions : 1) * sizeof(*j->steps));
				if (!j->actions || !j->steps)
					r = -ENOMEM;
				j->n_actions = n_actions;
			}
			break;
		case REC_RECORDS: r = read_records(&c, payload, j); break;
		case REC_ACTION: r = read_action(&c, payload, &j->actions[k_actions++]); break;
		case REC_EVENT: r = read_event(&c, payload, j); break;
		case REC_WAITER: r = read_waiter(&c, payload, j); break;
		}
		if (r < 0)
			goto fail;
	}
	if (c.record < 2 + n_actions || k_actions != n_actions) {
		c.what = "file";
		r = bad(&c, "cut short: %zu of %zu actions", k_actions, n_actions);
		goto fail;
	}
	*ret = j;
	return 0;
fail:
	if (r == -EBADMSG && err && errsize && !err[0])
		snprintf(err, errsize, "damaged");
	jfile_free(j);
	return r;
}

/* The size bytes of fd from its start (fewer when it shrank meanwhile). */
static int read_whole(int fd, size_t size, uint8_t **ret, size_t *ret_n) {
	uint8_t *buf = malloc(size + 1);
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	while (n < size) {
		ssize_t k = pread(fd, buf + n, size - n, (off_t)n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*ret = buf;
	*ret_n = n;
	return 0;
}

int jfile_read(const char *path, struct jfile **ret, char *err, size_t errsize) {
	struct stat sb;
	uint8_t *buf = NULL;
	size_t n = 0;
	int fd, r;

	if (err && errsize)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (err && errsize)
			snprintf(err, errsize, "%s", strerror(-r));
		return r;
	}
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > JFILE_MAX_SIZE) {
		r = -EBADMSG;
		if (err && errsize)
			snprintf(err, errsize, !S_ISREG(sb.st_mode) ? "not a regular file" : "larger than a journal may be (%u bytes)",
			         JFILE_MAX_SIZE);
		goto out;
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & 077)) {
		r = -EPERM;
		if (err && errsize)
			snprintf(err, errsize, "not owned by this user with mode 0600: not trusted");
		goto out;
	}
	r = read_whole(fd, (size_t)sb.st_size, &buf, &n);
	if (r < 0)
		goto out;
	r = jfile_parse(buf, n, ret, err, errsize);
out:
	if (r < 0 && r != -EBADMSG && r != -EPERM && err && errsize && !err[0])
		snprintf(err, errsize, "%s", strerror(-r));
	free(buf);
	close(fd);
	return r;
}

int jfile_open_append(const char *path, int *ret_fd) {
	struct stat sb;
	uint8_t *buf = NULL;
	size_t n = 0, end;
	int fd, r = 0;

	fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > JFILE_MAX_SIZE || sb.st_uid != geteuid() || (sb.st_mode & 077)) {
		r = -EBADMSG;
		goto out;
	}
	r = read_whole(fd, (size_t)sb.st_size, &buf, &n);
	if (r < 0)
		goto out;
	/* a record cut short at the end goes: the next follows the last good one */
	end = records_end(buf, n);
	if (end < (size_t)sb.st_size && (ftruncate(fd, (off_t)end) < 0 || fdatasync(fd) < 0))
		r = -errno;
out:
	free(buf);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}
