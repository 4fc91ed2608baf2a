/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VIP mechanics for cross-controller failover (`hanet vip`): adding one
 * VIP's address on its device with NLM_F_REPLACE (a repeated takeover
 * changes nothing), removing it, and the records that say this node
 * holds a VIP.
 *
 * Held records: /run/hanet/vip/PROFILE/NAME.held, written by a takeover
 * and removed by a release, say that this node holds the VIP (keepalived
 * made it MASTER, Pacemaker started it) and where its address went.
 * `hanet watch` keeps a held VIP with owner = external on its device (it
 * repairs it as it repairs a local one) and leaves it alone once it is
 * released.  They are not part of PROFILE.owned: apply, down and watch
 * keep that file in memory and rewrite it whole, and a takeover does not
 * wait for them.
 *
 * VIP locks: /run/hanet/vip/PROFILE/NAME.lock (flock), held for the few
 * milliseconds of a takeover or a release, and by watch while it puts a
 * held VIP back: a takeover and a release of the same VIP happen one
 * after the other, and watch never re-adds a VIP a release is removing.
 * They are not /run/hanet/lock: a takeover never waits behind an apply.
 */
#ifndef HANET_VIP_H
#define HANET_VIP_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "paths.h"


struct hnl;

/* A held record. */
struct vip_held {
	char netns[NETNS_NAME_MAX + 1];     /* "" = the namespace hanet runs in */
	char dev[IFNAMSIZ];
	struct ipaddr ip;                   /* with plen */
	uint64_t since_us;                  /* CLOCK_REALTIME of the takeover */
	int pid;                            /* of the takeover */
	uint64_t token;                     /* unique per takeover */
	bool nodad;                         /* an IPv6 address taken over without DAD (--nodad) */
};

/* Take the lock of a VIP, waiting up to timeout_us (0: do not wait).
 * -EBUSY when it is held elsewhere. */
int vip_lock(const char *profile, const char *vip, uint64_t timeout_us, int *ret_fd);
void vip_unlock(int fd);

/* Read a held record: -ENOENT when the VIP is not held. */
int vip_held_read(const char *profile, const char *vip, struct vip_held *ret);
/* Write (atomically) a held record for v, as it went on dev in netns. */
int vip_held_write(const char *profile, const struct vip *v, const char *netns, const char *dev, bool nodad,
                   struct vip_held *ret);
/* Remove it; absent is success. */
int vip_held_remove(const char *profile, const char *vip);
/* Does a held record say v is held where the profile puts it (same
 * namespace, device and address)?  A record of another place is stale
 * (the profile changed since): not held. */
bool vip_is_held(const char *profile, const struct vip *v);
/* Set `held` on every external VIP of p from its record. */
void vip_held_mark(struct profile *p, const char *profile);

/* The address of v as it goes on dev: v's own address and flags; an
 * IPv4 label naming v's device is renamed after dev (the kernel wants a
 * label to start with its device's name). */
void vip_addr_on(const struct vip *v, const char *dev, struct addr *ret);

/* The index of device `name` in nl's namespace: -ENODEV when absent. */
int vip_ifindex(struct hnl *nl, const char *name);
/* The address ip on ifindex as the kernel has it: -ENOENT when absent. */
int vip_get(struct hnl *nl, int ifindex, const struct ipaddr *ip, struct addr *ret);

/* ---- status: where a VIP's address is (hanet vip status) ---- */

struct ns_state;
struct state;

struct vip_place {
	const struct ns_state *ns;
	const struct addr *a;
};

struct vip_status {
	const struct addr *on_dev;          /* the address on the VIP's device, or NULL */
	char why[256];                      /* how on_dev differs from the profile ("": it matches) */
	bool held;                          /* this node holds it: h is the takeover's record */
	struct vip_held h;
	struct vip_place where[16];         /* every place its address is (the first 16), on_dev among them */
	size_t n_where;
};

/* Observe every namespace the profile names, and the one hanet runs in:
 * *ret for vip_status() (state_free() it). */
int vip_status_observe(const struct profile *p, struct state **ret);
/* Where v's address is in st (pointers into st), and its held record. */
void vip_status(const struct profile *p, const struct vip *v, const struct state *st, struct vip_status *ret);

#endif
