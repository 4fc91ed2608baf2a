/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ownership: what hanet created (or changed) for one profile, so that a
 * later apply removes what the profile dropped, `down` removes all of
 * it, and nothing else is ever deleted.
 *
 * Kept in /run/hanet/owned/PROFILE.owned (one record a line, see
 * hanet(8) FILES) and, for routes, PROFILE.routes (one route key a
 * line: a 100k-route table is read only when routes may have to go, and
 * written only when the set changed).  Files are replaced atomically.
 * Routes and rules hanet adds also carry protocol RTPROT_HANET.
 */
#ifndef HANET_OWNER_H
#define HANET_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "paths.h"
#include "route.h"
#include "util.h"


struct owned_link {
	const char *netns;
	char name[IFNAMSIZ];
	enum link_kind kind;
};

/* A device hanet did not create but changed: the values it had before,
 * for the keys hanet changed (restored when the profile drops them). */
enum {
	NIC_ORIG_NETNS = 1u << 8,       /* with LINK_SET_* bits */
	NIC_ORIG_MASTER = 1u << 9,
};
struct owned_nic {
	const char *netns;              /* where it is now (as hanet left it) */
	char name[IFNAMSIZ];
	unsigned set;
	uint32_t mtu;
	uint8_t mac[ETH_ALEN_];
	bool up;
	char *alias;                    /* NULL: none */
	const char *orig_netns;         /* NIC_ORIG_NETNS */
	char orig_master[IFNAMSIZ];     /* NIC_ORIG_MASTER: "" = none */
};

struct owned_addr {
	const char *netns;
	char dev[IFNAMSIZ];
	struct ipaddr ip;
	bool vip;
};

struct owned_sysctl {
	const char *netns;
	bool forwarding4, forwarding6;  /* the values before */
};

/* How many owned routes of a namespace are in one table. */
struct owned_table_count {
	uint32_t table;
	size_t n;
};

struct owned_routes {
	const char *netns;
	struct route_map *keys;
	/* the tables of `keys`, kept as routes come and go: the records
	 * name them without walking every route */
	struct owned_table_count *tables;
	size_t n_tables;
};

struct owned_route_tables {
	const char *netns;
	uint32_t *v;
	size_t n;
};

struct owner {
	char *profile;
	struct strpool *pool;
	const char **netns;
	size_t n_netns;
	struct namemap netns_idx;       /* the names of netns, while netns_indexed is n_netns */
	size_t netns_indexed;
	struct owned_link *links;
	size_t n_links;
	/* (netns, name) -> index in links + 1, names in the pool; used while
	 * links_indexed is n_links (a removal moves records: the next
	 * owner_add_link indexes them again) */
	struct namemap link_idx;
	size_t links_indexed;
	struct owned_nic *nics;
	size_t n_nics;
	struct owned_addr *addrs;
	size_t n_addrs;
	/* (netns, "dev address") -> index in addrs + 1; for the first
	 * addr_indexed records, used while that is n_addrs (a removal
	 * moves records: owner_add_addr indexes them again) */
	struct namemap addr_idx;
	size_t addr_indexed;
	struct rule *rules;
	size_t n_rules;
	struct owned_sysctl *sysctls;
	size_t n_sysctls;
	struct owned_routes *routes;
	size_t n_routes;
	struct namemap routes_idx;      /* netns -> index in routes + 1 */
	bool routes_loaded;             /* PROFILE.routes read (or there is none) */
	bool routes_dirty;              /* must be written */
	size_t routes_on_disk;          /* count in PROFILE.owned's "routes" line */
	struct owned_route_tables *disk_tables;  /* "route-tables" lines, while routes are not loaded */
	size_t n_disk_tables;
	struct namemap disk_idx;        /* netns -> index in disk_tables + 1, the last with tables */
	/* changes counts the updates; saved is its value when the records
	 * on disk were last the same (read or written): owner_save writes
	 * only when they differ.  owner_unsaved() after writing the file
	 * some other way. */
	uint64_t changes, saved;
};

/* An owner with no records (not read from disk; tests). */
int owner_new_empty(const char *profile, struct owner **ret);
/* Read the records of a profile; a profile without records gets an
 * empty owner.  Routes are read by owner_load_routes() when needed. */
int owner_load(const char *profile, struct owner **ret);
int owner_load_routes(struct owner *o);
/* Owned route count, without loading the routes when they are not. */
size_t owner_route_count(const struct owner *o);
void owner_free(struct owner *o);
/* Write the records (and the routes when they changed); an empty owner
 * removes the files. */
int owner_save(struct owner *o);
void owner_unsaved(struct owner *o);
bool owner_is_empty(const struct owner *o);

/* Forget every record but the namespaces for which keep(name) is true. */
void owner_clear(struct owner *o, bool (*keep_netns)(const char *name));

/* Queries and updates. */
bool owner_has_netns(const struct owner *o, const char *netns);
int owner_add_netns(struct owner *o, const char *netns);
void owner_del_netns(struct owner *o, const char *netns);

struct owned_link *owner_link(const struct owner *o, const char *netns, const char *name);
int owner_add_link(struct owner *o, const char *netns, const char *name, enum link_kind kind);
void owner_del_link(struct owner *o, const char *netns, const char *name);

struct owned_nic *owner_nic(const struct owner *o, const char *netns, const char *name);
/* Record the original value of the keys in `set` that are not recorded yet. */
int owner_note_nic(struct owner *o, const char *netns, const struct link *have, unsigned set, const char *orig_netns);
void owner_del_nic(struct owner *o, const char *netns, const char *name);
/* Forget the original value of the keys in `set` (given back); the
 * record goes when nothing is left in it. */
void owner_forget_nic_keys(struct owner *o, const char *netns, const char *name, unsigned set);
/* A nic that moved namespace keeps its record. */
int owner_move_nic(struct owner *o, const char *from, const char *to, const char *name);

bool owner_has_addr(const struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip);
int owner_add_addr(struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip, bool vip);
void owner_del_addr(struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip);

bool owner_has_rule(const struct owner *o, const char *netns, const struct rule *u);
int owner_add_rule(struct owner *o, const struct rule *u);
void owner_del_rule(struct owner *o, const char *netns, const struct rule *u);

struct owned_sysctl *owner_sysctl(const struct owner *o, const char *netns);
int owner_note_sysctl(struct owner *o, const char *netns, bool forwarding4, bool forwarding6);
void owner_del_sysctl(struct owner *o, const char *netns);

/* Routes (owner_load_routes() first). */
bool owner_has_route(const struct owner *o, const char *netns, const struct route_key *k);
int owner_add_route(struct owner *o, const char *netns, const struct route_key *k);
void owner_del_route(struct owner *o, const char *netns, const struct route_key *k);
/* Tables that hold owned routes in a namespace. */
int owner_route_tables(const struct owner *o, const char *netns, uint32_t **ret, size_t *ret_n);

#endif
