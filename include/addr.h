/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses and VIPs: RTM_NEWADDR/RTM_DELADDR built with libnl-route
 * (rtnl_addr) and sent through the namespace's request socket. */
#ifndef HANET_ADDR_H
#define HANET_ADDR_H

#include <stdbool.h>

#include "model.h"

struct hnl;

/* Add a->ip on ifindex with a->label (IPv4), a->flags (IFA_F_NODAD,
 * IFA_F_NOPREFIXROUTE) and a->preferred_lft (0 or UINT32_MAX = forever).
 * replace: change the flags/lifetimes of an address that is there. */
int addr_add(struct hnl *nl, const struct addr *a, int ifindex, bool replace);
int addr_del(struct hnl *nl, const struct addr *a, int ifindex);

/* The address a VIP puts on its device. */
void addr_from_vip(const struct vip *v, struct addr *ret);
/* Does the observed address carry what the VIP asks for?  `why` gets
 * the differences. */
bool addr_vip_matches(const struct addr *want, const struct addr *have, char *why, size_t size);
/* Can the kernel change have into want in place (RTM_NEWADDR with
 * NLM_F_REPLACE)?  IPv4 keeps its label and flags on a replace (only
 * lifetimes change); IPv6 changes noprefixroute and lifetimes, not nodad. */
bool addr_change_is_live(const struct addr *want, const struct addr *have);
/* Link-local and other addresses the kernel makes by itself. */
bool addr_is_kernel(const struct addr *a);

#endif
