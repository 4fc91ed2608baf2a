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
