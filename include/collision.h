/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Duplicate-address probes before a takeover: is a VIP's address answered
 * by another host on its link?  IPv4: ARP probes (RFC 5227 section 2.1.1:
 * sender address 0.0.0.0, target the VIP); a reply, or an ARP frame whose
 * sender address is the VIP, from another MAC is a collision.  IPv6:
 * neighbour solicitations from :: to the VIP's solicited-node group
 * (RFC 4862 section 5.4.2); a neighbour advertisement for the VIP from
 * another MAC is a collision.  Frames go out and come in on packet
 * sockets opened inside the address's namespace. */
#ifndef HANET_COLLISION_H
#define HANET_COLLISION_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct collision_probe {
	const char *netns;          /* NULL: the current namespace */
	const char *dev;
	struct ipaddr ip;
	/* out */
	bool answered;
	uint8_t mac[6];             /* who answered */
	uint64_t after_us;          /* how long after the first probe */
};

/* Probe every address at once: 3 probes each, wait_us / 3 apart, and
 * wait until wait_us after the first.  Returns how many addresses were
 * answered (>= 0), or -errno when a device cannot be probed (no such
 * device, not Ethernet). */
int collision_check(struct collision_probe *probes, size_t n, uint64_t wait_us);

#endif
