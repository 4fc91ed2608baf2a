/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Announcing an address after it moved: gratuitous ARP (request, reply or
 * both forms) for IPv4, unsolicited neighbour advertisement (override
 * flag, target link-layer address option, to ff02::1) for IPv6.  Frames
 * are built whole and sent on a packet socket opened inside the address's
 * namespace, so a tentative or deprecated IPv6 address can still be
 * announced. */
#ifndef HANET_ANNOUNCE_H
#define HANET_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
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

/* Announcing the VIPs a change added, each announce_count times
 * announce_interval apart, while the caller goes on.  Two ways, one for a
 * command that exits and one for a process that stays: */

/* From a process of its own (`hanet __announce`, started without a copy
 * of the caller's memory): the caller waits neither for the last frame
 * nor for the process (init reaps it).  Failures to start are logged. */
void announce_background(const struct vip *const *vips, size_t n);
/* The body of that process: the VIPs as announce_background() passes
 * them.  Returns when the last round went out. */
int announce_background_main(int n_specs, char **specs);

/* From threads of the calling process (hanet watch), one per VIP: a VIP
 * added again while it is still being announced starts over (its first
 * frame at once) on its running thread.  Zero-initialised: none. */
struct announcer;
struct announcers {
	struct announcer *list;
};

void announcers_start(struct announcers *set, const struct vip *const *vips, size_t n);
/* Join the announcers that are done (all: stop them first, and join
 * all), logging a failure to send. */
void announcers_reap(struct announcers *set, bool all);

#endif
