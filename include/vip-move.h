/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moving a set of VIPs of one profile together (`hanet vip takeover|
 * release|announce PROFILE VIP[,VIP...]`, `hanet vip follow`): one lock
 * set, one pass of netlink requests per namespace, one announcement
 * schedule.
 *
 * Locks: the set takes the lock of each of its VIPs (vip.h), in the order
 * of their names, within one wait: two sets that share VIPs never wait on
 * each other in a circle, and a takeover or release of one VIP of the set
 * waits for the whole move.
 *
 * Announcements: the first round goes out for every VIP of the set right
 * after its address is added; the others follow from one schedule (one
 * background process, or the caller with `foreground`): VIP i's round k at
 * first_i + k * interval_i.  The background process stops announcing a
 * VIP whose held record no longer carries the takeover's token (released,
 * or taken over again: that takeover announces).
 *
 * The functions log what failed (the command layer adds nothing) and
 * return an exit status of commands.h.
 */
#ifndef HANET_VIP_MOVE_H
#define HANET_VIP_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct vip_move {
	const struct vip *v;
	uint32_t count;                 /* announcements: the VIP's own, or overridden */
	uint32_t interval_us;
	bool nodad;                     /* takeover: an IPv6 address without duplicate address detection,
	                                 * whatever the profile says (a migration: the source holds it) */
	/* out: takeover */
	uint64_t t_begin;               /* CLOCK_MONOTONIC ns: the set's first request */
	uint64_t t_added, t_announced, t_done;
	uint32_t sent;                  /* announcements sent before returning */
	bool readded;
	uint64_t token;                 /* of the held record written */
	char why[256];
	/* out: release */
	bool removed, was_held;
	/* out: announce */
	bool present;
	/* out: a collision check */
	bool collided;
	uint8_t collided_mac[6];
};

struct vip_move_opts {
	uint64_t lock_wait_us;
	uint64_t collision_wait_us;     /* takeover: probe for this long first (0: no probe) */
	bool foreground;                /* send every announcement before returning */
};

/* The VIPs of a comma-separated list, in p: *ret (n entries, count and
 * interval the VIP's own).  Logs and returns EXIT_INVALID for an unknown
 * or repeated name, or an empty list. */
int vip_moves_parse(const struct profile *p, const char *path, const char *list, struct vip_move **ret, size_t *ret_n);

/* Take over every VIP of the set (see the top of the file); EXIT_FAIL
 * when the collision check found one answered elsewhere (nothing was
 * changed). */
int vip_moves_takeover(const char *profile, struct vip_move *m, size_t n, const struct vip_move_opts *o);
/* Release every VIP of the set: records first, then the addresses. */
int vip_moves_release(const char *profile, struct vip_move *m, size_t n, const struct vip_move_opts *o);
/* Announce the VIPs of the set that are on their device (no lock, no
 * record): EXIT_OK when all were, EXIT_FAIL when some were not. */
int vip_moves_announce(struct vip_move *m, size_t n, const struct vip_move_opts *o);

#endif
