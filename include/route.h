/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes: their identity in the kernel (table, family, destination,
 * metric), a hash map over that identity for 100k-route tables, the
 * effective values of what a profile leaves unset (the way iproute2
 * fills them), comparison, and RTM_NEWROUTE/RTM_DELROUTE messages.
 */
#ifndef HANET_ROUTE_H
#define HANET_ROUTE_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

/* The protocol number hanet installs its routes and rules with (see
 * rt_protos(5); 72 is unassigned in the kernel's and iproute2's lists).
 * hanet(8) documents it. */
#define RTPROT_HANET 72

/* What makes a route unique in its namespace (tos is always 0 here). */
struct route_key {
	uint32_t table;
	uint32_t metric;
	uint8_t family;
	uint8_t plen;
	uint8_t pad[2];
	uint8_t dst[16];
};

void route_key_of(const struct route *r, struct route_key *ret);
bool route_key_eq(const struct route_key *a, const struct route_key *b);
const char *route_key_format(const struct route_key *k, char *buf, size_t size);  /* "10.0.0.0/24 table 100 metric 5" */

/* Effective values of a desired route. */
uint32_t route_eff_table(const struct route *r);
uint32_t route_eff_metric(const struct route *r);       /* IPv6: 1024 when unset, as the kernel does */
uint8_t route_eff_type(const struct route *r);
uint8_t route_eff_scope(const struct route *r);         /* link for a unicast route without gateway */

/* Does the observed route `have` carry everything `want` declares?  When
 * not, `why` says what differs ("via 10.0.0.1 -> 10.0.0.2"). */
bool route_matches(const struct route *want, const struct route *have, char *why, size_t size);

/* Human text of a route: "10.1.0.0/16 via 10.0.0.2 dev v0 table 100 metric 5" */
const char *route_format(const struct route *r, char *buf, size_t size);

/* ---- a map from route_key to a 32-bit value --------------------------- */
struct route_map;
int route_map_new(size_t hint, struct route_map **ret);
void route_map_free(struct route_map *m);
int route_map_put(struct route_map *m, const struct route_key *k, uint32_t val);    /* replaces */
bool route_map_get(const struct route_map *m, const struct route_key *k, uint32_t *ret);
bool route_map_del(struct route_map *m, const struct route_key *k);
size_t route_map_size(const struct route_map *m);
/* Calls cb for each entry; stops on a negative return. */
int route_map_foreach(const struct route_map *m, int (*cb)(const struct route_key *k, uint32_t val, void *data),
                      void *data);

/* ---- the desired routes, by namespace and key -------------------------- */

/* Built once per run; `present` is filled while observing (see
 * route_index_filter): a desired route the kernel already has, exactly
 * as declared and with hanet's protocol, is marked there and not kept in
 * the observed state, so a 100k-route table that matches costs one dump
 * and one lookup per route. */
struct route_index_ns {
	const char *netns;
	uint64_t *slots;                /* hash tag << 32 | (index in v + 1); 0: empty */
	size_t cap;                     /* a power of two */
	size_t used;
};

struct route_index {
	const struct route **v;
	size_t n;
	struct route_index_ns *ns;
	size_t n_ns;
	uint32_t *ns_tab;               /* by the namespace's name: index in ns + 1; 0: empty */
	size_t ns_tab_cap;              /* a power of two */
	uint8_t *present;               /* n entries */
};

/* -EEXIST when two routes have the same key (err says which). */
int route_index_build(struct route_index *ix, const struct route *const *v, size_t n, char *err, size_t errsize);
void route_index_fini(struct route_index *ix);
/* The positions in v of netns's routes, appended to *v (n entries of
 * cap, grown as needed), in no order. */
int route_index_ns_positions(const struct route_index *ix, const char *netns, size_t **v, size_t *n, size_t *cap);
/* The index of the desired route with this key in netns, or -1. */
ssize_t route_index_find(const struct route_index *ix, const char *netns, const struct route_key *k);
void route_index_reset(struct route_index *ix);
/* An observe filter (struct observe_ns_req.route_filter): false (do not
 * keep) for a route that is desired, hanet's, and as declared. */
bool route_index_filter(const struct route *r, const char *netns, void *data);

/* ---- messages ---------------------------------------------------------- */
/* ifindex of a device by name in the route's namespace, or negative errno */
typedef int (*route_ifindex_fn)(const char *name, void *data);

/* The body of an RTM_NEWROUTE (the caller's flags say create or
 * replace) with `protocol` (0: RTPROT_HANET), or of an RTM_DELROUTE
 * matching r with `protocol` (0: r->protocol, as observed). */
int route_build_new(struct nlmsghdr *nlh, const struct route *r, uint8_t protocol, route_ifindex_fn ifindex,
                    void *data);
int route_build_del(struct nlmsghdr *nlh, const struct route *r, uint8_t protocol);

#endif
