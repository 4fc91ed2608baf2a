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

#endif
