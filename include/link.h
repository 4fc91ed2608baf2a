/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared link code (src/link.c): the RTM_NEWLINK messages the engine
 * builds around a backend, and helpers for backends' diff(). */
#ifndef HANET_LINK_H
#define HANET_LINK_H

#include <stdarg.h>
#include <stdio.h>

#include "link-ops.h"
#include "util.h"

/* Append "what" text to a diff (comma separated) and raise its level. */
void link_diff_add(struct link_diff *d, enum disruption level, const char *fmt, ...) _printf_(3, 4);

/* A new link: ifinfomsg, name, mtu/mac when set, IFLA_NET_NS_FD when
 * target_netns_fd >= 0 (the link is created in that namespace while the
 * request goes to the namespace of its lower device), the backend's
 * attributes and IFLA_LINKINFO.  restore: ask for want->ifindex (a
 * rollback recreates a deleted link with the index it had). */
int link_build_create(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx,
                      int target_netns_fd, bool restore);
/* A live change of kind options: RTM_NEWLINK on have->ifindex with
 * IFLA_LINKINFO { KIND, DATA = fill_info_data(want, have) }. */
int link_build_change(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                      const struct link_ctx *ctx);

/* Keep only the kind options `by` declares in l's `set` masks: the
 * inverse of a change restores what the change touched, not every option
 * an observed link reports (some are refused in other modes). */
void link_mask_kind(struct link *l, const struct link *by);

/* A change of the attributes every link shares, on one link. */
struct link_change {
	unsigned set;                   /* LINK_SET_MTU, LINK_SET_MAC, LINK_SET_ALIAS */
	uint32_t mtu;
	uint8_t mac[ETH_ALEN_];
	const char *alias;              /* NULL or "": remove the alias */
	int up;                         /* -1: unchanged, 0: down, 1: up */
	int master;                     /* -1: unchanged, 0: release, else the master's ifindex */
	int netns_fd;                   /* -1: unchanged, else move the link there */
};
void link_change_init(struct link_change *c);
/* Built with libnl-route (rtnl_link_build_change_request) and sent
 * through nl; removing an alias is a zero-length IFLA_IFALIAS (libnl
 * always sends a terminating NUL), built with libmnl. */
int link_change(struct hnl *nl, int ifindex, const struct link_change *c);
/* RTM_DELLINK by index. */
int link_delete(struct hnl *nl, int ifindex);

#endif
