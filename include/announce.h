/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Announcing an address after it moved: gratuitous ARP (request, reply or
 * both forms) for IPv4, unsolicited neighbour advertisement (override
 * flag, target link-layer address option, to ff02::1) for IPv6.  Frames
 * are built whole and sent on a packet socket opened inside the address's
 * namespace, so a tentative or deprecated IPv6 address can still be
 * announced. */
#ifndef HANET_ANNOUNCE_H
#define HANET_ANNOUNCE_H

#include <stdint.h>

#include "model.h"

struct announce_result {
	uint32_t sent;              /* frames sent (a "both" round counts 2) */
	uint64_t first_ns;          /* CLOCK_MONOTONIC of the first and last frame */
	uint64_t last_ns;
};

/* Send `count` announcements of `ip` from `dev` in `netns` (NULL: the
 * current namespace), `interval_us` apart.  The source MAC is the
 * device's.  Blocks for (count - 1) * interval_us.  count 0 sends
 * nothing and returns 0.  Works from any thread (it enters the namespace
 * on the calling thread and comes back). */
int announce_send(const char *netns, const char *dev, const struct ipaddr *ip, uint32_t count,
                  uint64_t interval_us, enum announce_mode mode, struct announce_result *ret);

#endif
