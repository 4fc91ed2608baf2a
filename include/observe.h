/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The actual state: what observe read from the kernel, per namespace, in
 * the model's structs (model.h).  Observed objects have every `set` bit
 * they can read set; strings (namespace names) live in the state's pool.
 *
 * Also the pool of request sockets (one per namespace) that observe,
 * apply and verify share.
 */
#ifndef HANET_STATE_H
#define HANET_STATE_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "util.h"

struct hnl;

/* ---- sockets, one per namespace ------------------------------------- */

struct nls;
int nls_new(struct nls **ret);
void nls_free(struct nls *s);
/* The socket of a namespace (NULL: the current one), opened on first
 * use.  -ENOENT when the namespace does not exist. */
int nls_get(struct nls *s, const char *netns, struct hnl **ret);
/* Forget (close) the socket of a namespace that was deleted. */
void nls_drop(struct nls *s, const char *netns);
/* Write requests sent by every socket of the pool, closed ones included. */
uint64_t nls_write_count(const struct nls *s);
/* RTM_GETNSID requests sent (each pair of namespaces is asked once). */
uint64_t nls_nsid_requests(const struct nls *s);

/* ---- observed state ---------------------------------------------------- */

/* Tables whose routes observe reads: a small set per namespace. */
struct table_set {
	uint32_t *v;
	size_t n;
};
int table_set_add(struct table_set *t, uint32_t table);
bool table_set_contains(const struct table_set *t, uint32_t table);
void table_set_fini(struct table_set *t);

struct ns_state {
	const char *name;                   /* NULL: the current namespace */
	bool exists;
	bool lo_up;
	bool forwarding;                    /* IPv4 and IPv6 "all" forwarding both on */
	bool forwarding4, forwarding6;
	struct link *links;                 /* sorted by ifindex */
	size_t n_links;
	struct addr *addrs;                 /* kernel order per device */
	size_t n_addrs;
	struct route *routes;               /* routes of `tables` only */
	size_t n_routes;
	struct table_set tables;
	bool routes_read;
	size_t n_routes_filtered;           /* dumped, not kept (the request's route_filter) */
	struct rule *rules;
	size_t n_rules;
};

struct state {
	struct strpool *pool;
	struct ns_state *ns;
	size_t n_ns;
	struct namemap index;               /* netns -> its ns_state */
};

/* What to observe in one namespace. */
struct observe_ns_req {
	const char *netns;                  /* NULL: current */
	struct table_set tables;            /* route tables to dump (none: no route dump) */
	bool all_tables;                    /* dump every table instead */
	bool rules;                         /* dump rules */
	bool sysctls;                       /* read forwarding (else forwarding* stay false) */
	/* routes for which this returns false are not kept (see
	 * route_index_filter); NULL keeps every route */
	bool (*route_filter)(const struct route *r, const char *netns, void *data);
	void *route_filter_data;
};

/* Observe each namespace of reqs (a missing one is recorded with
 * exists = false and no objects). */
int state_observe(struct nls *nls, const struct observe_ns_req *reqs, size_t n, struct state **ret);
/* Observe one namespace again, replacing what the state holds for it. */
int state_observe_ns(struct nls *nls, struct state *st, const struct observe_ns_req *req);
void state_free(struct state *st);

struct ns_state *state_ns(const struct state *st, const char *netns);
struct link *state_link(const struct state *st, const char *netns, const char *name);
struct link *state_link_by_index(const struct state *st, const char *netns, int ifindex);
/* Where a device of this name lives among the observed namespaces
 * (first match, in the order observed). */
struct link *state_find_link_any(const struct state *st, const char *name);

/* Parse one RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE / FRA message into
 * the model (used by observe, by apply to read back a created link, and
 * by tests).  Names that need the namespace's link table (route dev,
 * master) are left to the caller when `ns` is NULL. */
int observe_parse_link(const struct nlmsghdr *nlh, struct link *ret);
int observe_parse_addr(const struct nlmsghdr *nlh, struct addr *ret);
int observe_parse_route(const struct nlmsghdr *nlh, const struct ns_state *ns, struct route *ret);
int observe_parse_rule(const struct nlmsghdr *nlh, struct rule *ret);

/* net.ipv4.conf.all.promote_secondaries of netns (NULL or "": the
 * current one).  Read only where an address with secondaries goes: it is a
 * file under /proc/sys, whose lookup grows with the host's namespaces. */
int observe_promote_all(const char *netns, bool *ret);
/* Read one link by name from the kernel (RTM_GETLINK). -ENODEV if absent. */
int observe_get_link(struct hnl *nl, const char *name, struct link *ret);
/* Derived fields of a namespace's links: master names, bond slaves,
 * bridge ports, vlan/macvlan lower names in the same namespace. */
void ns_state_link_names(struct ns_state *ns);

/* Print a namespace's state as text (tests, debugging). */
void state_print(const struct state *st, FILE *f);

#endif
