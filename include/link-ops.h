/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One backend per link kind (src/link-KIND.c), each filling one ops table,
 * like iproute2's struct link_util.  The engine (observe, plan, apply)
 * handles what every link shares -- name, namespace, mtu, mac, alias,
 * state, master, addresses -- and calls the backend for the rest.
 *
 * Messages: a new link is one RTM_NEWLINK built with libmnl: the engine
 * puts ifinfomsg, IFLA_IFNAME and the shared attributes, calls
 * fill_create() for attributes outside IFLA_LINKINFO (IFLA_LINK, ...),
 * opens IFLA_LINKINFO, puts IFLA_INFO_KIND = info_kind, opens
 * IFLA_INFO_DATA and calls fill_info_data(have = NULL).  A live change of
 * kind options is an RTM_NEWLINK on the ifindex with only IFLA_LINKINFO
 * { KIND, DATA = fill_info_data(want, have) }.
 */
#ifndef HANET_LINK_OPS_H
#define HANET_LINK_OPS_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdio.h>

#include "jfield.h"
#include "keydef.h"
#include "model.h"

struct hnl;

/* How disruptive a change is (hanet(8), apply --dry-run). */
enum disruption {
	DISRUPT_NONE,       /* nothing to do */
	DISRUPT_LIVE,       /* no traffic impact */
	DISRUPT_FLAP,       /* brief loss: the link goes down, or releases its slaves */
	DISRUPT_RECREATE,   /* deleted and created again */
};

const char *disruption_name(enum disruption d);   /* "live", "flap", "recreate" */

/* What the backend needs from the engine while building messages. */
struct link_ctx {
	/* the namespace the request goes to: the link's own, except for a
	 * new vlan/macvlan whose lower device is elsewhere, which is created
	 * from the lower's namespace into its own (IFLA_NET_NS_FD) */
	struct hnl *nl;
	const char *netns;
	/* ifindex of a link by name in the link's namespace (or in netns for
	 * a veth peer), from the state as it is now; -ENODEV when absent. */
	int (*ifindex)(const struct link_ctx *ctx, const char *netns, const char *name);
	/* an fd of a namespace (for IFLA_NET_NS_FD), owned by the engine */
	int (*netns_fd)(const struct link_ctx *ctx, const char *netns);
	/* A link as the kernel has it now, by name in the link's namespace
	 * (the shared attributes and the kind's RTM_NEWLINK part, not
	 * observe_extra); -ENODEV when absent.  The backends read the kernel
	 * through this, never by calling observe themselves. */
	int (*get_link)(const struct link_ctx *ctx, const char *name, struct link *ret);
	void *data;
};

/* The result of comparing the kind-specific part of two links. */
struct link_diff {
	enum disruption level;          /* the most disruptive change needed */
	bool need_down;                 /* FLAP: set the link down around the change */
	bool need_no_slaves;            /* FLAP: release slaves/ports around the change */
	char what[512];                 /* "miimon 100 -> 10, mode balance-rr -> active-backup" */
};

struct link_ops {
	enum link_kind kind;
	const char *info_kind;          /* IFLA_INFO_KIND; NULL: never created (nic) */
	/* The profile's section [NAME DEV] and the kind's name everywhere
	 * (plan text, show, counts); the plural for counts ("bonds"). */
	const char *section;
	const char *plural;

	/* Defaults of a declared link before its keys are read (the kernel's
	 * own defaults where a key is left out).  May be NULL. */
	void (*init)(struct link *l);
	/* The device this one sits on (vlan/macvlan `link =`): the field
	 * holding its name, "" when not set.  NULL: the kind has none. */
	char *(*lower)(struct link *l);
	/* IFLA_LINK resolved to a link observed in lower_netns (maybe another
	 * namespace) for what the kind keeps of it (a veth's peer).  May be
	 * NULL: then the lower's name goes into lower(), if any. */
	void (*set_lower)(struct link *l, const struct link *lower, const char *lower_netns);
	/* The devices this one is master of (bond slaves, team/bridge ports)
	 * and the key that lists them ("slaves", "ports").  NULL: none. */
	struct namelist *(*ports)(struct link *l);
	const char *ports_key;
	/* The kernel's ways with the lower device: set down and up with it
	 * (a vlan follows its lower's state); created on a link of its own
	 * kind, put on that one's lower instead (a macvlan on a macvlan). */
	bool follows_lower_state;
	bool lower_flattens;
	/* A link of a kind that follows its lower's state that does not (a
	 * vlan with loose_binding).  May be NULL. */
	bool (*state_loose)(const struct link *l);
	/* Kind-specific words for plan text: " (link eth0 id 100)", or "".
	 * May be NULL. */
	void (*describe)(const struct link *l, char *buf, size_t size);
	/* Kind-specific words of a state dump line (" link eth0 id 100").
	 * May be NULL. */
	void (*print)(const struct link *l, FILE *f);
	/* Keep in l's kind-specific `set` mask only what by sets.  May be NULL. */
	void (*mask)(struct link *l, const struct link *by);
	/* Checks of the kind's keys together, once the profile is read: 0,
	 * or -EINVAL with the key to blame and the message in buf.  May be
	 * NULL. */
	int (*validate)(const struct link *l, const char **key, char *buf, size_t size);
	/* Deep copy and release of what the kind allocates (dst is a
	 * shallow copy of src already).  May be NULL: nothing allocated. */
	int (*copy)(struct link *dst, const struct link *src);
	void (*fini)(struct link *l);

	/* Attributes outside IFLA_LINKINFO for a new link (IFLA_LINK of a
	 * vlan/macvlan). May be NULL. */
	int (*fill_create)(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx);
	/* IFLA_INFO_DATA contents.  have == NULL: creation, put everything set
	 * in want.  Else: a live change, put only what differs.  May be NULL. */
	int (*fill_info_data)(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
	                      const struct link_ctx *ctx);
	/* IFLA_INFO_DATA (and the link's other attributes in tb, indexed by
	 * IFLA_*) into l->u. May be NULL. */
	int (*parse)(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l);
	/* Compare what want declares with have (observed).  May be NULL (no
	 * kind-specific keys). */
	void (*diff)(const struct link *want, const struct link *have, struct link_diff *ret);
	/* Steps that are not an RTM_NEWLINK (team options and port priorities
	 * through libteam), after creation or for a change; have may be NULL.
	 * May be NULL.  Per-port settings are lost when a port is released,
	 * so this is called once the link's slaves/ports are attached: after
	 * creating and enslaving, and again after a flap re-enslaved them.
	 * It does what the kernel's current state allows and is a no-op when
	 * nothing differs, so calling it more often is harmless. */
	int (*apply_extra)(const struct link *want, const struct link *have, const struct link_ctx *ctx);
	/* What the link's RTM_NEWLINK does not say (team mode, options and
	 * port priorities through libteam), and names for what it gives as
	 * ifindexes (bond primary, active slave), read with the socket of the
	 * link's namespace after the namespace's links are parsed and named
	 * (ns_state_link_names).  May be NULL. */
	int (*observe_extra)(struct link *l, struct hnl *nl);

	/* The kind's fields in the journal (offsets in struct link, tags in
	 * the kind's own range, jfield.h), so that a deleted link comes back
	 * from a rollback as it was.  NULL: none, or written by the journal
	 * itself (bond, team and bridge: lists and nested records). */
	const struct jfield *jfields;
	size_t n_jfields;

	/* The kind's own keys in its [KIND NAME] section (keydef.h: offsets
	 * in struct link, `sections` 0), after the keys every link takes.
	 * NULL: none. */
	const struct key_def *keys;
	size_t n_keys;
};

/* The table of backends, by kind (NULL for LINK_OTHER).  A new kind is a
 * src/link-KIND.c filling one struct link_ops, its conf in model.h's
 * union, and one line in link.c's table. */
const struct link_ops *link_ops_get(enum link_kind kind);
/* By IFLA_INFO_KIND as observed ("bond", "veth", ...); NULL if unknown. */
const struct link_ops *link_ops_by_info_kind(const char *info_kind);

/* The lower device of l (see link_ops.lower): NULL when its kind has none. */
const char *link_lower(const struct link *l);
char *link_lower_buf(struct link *l);
/* Whether the kernel sets l down and up with its lower device
 * (link_ops.follows_lower_state). */
bool link_follows_lower_state(const struct link *l);
/* Whether IFLA_LINK of l names a device that observe resolves. */
bool link_has_lower(const struct link *l);
/* Record the device IFLA_LINK of l resolved to (see link_ops.set_lower). */
void link_set_lower(struct link *l, const struct link *lower, const char *lower_netns);
/* The members of l (see link_ops.ports): NULL when its kind has none. */
struct namelist *link_ports(struct link *l);
const struct namelist *link_ports_const(const struct link *l);

extern const struct link_ops link_ops_nic, link_ops_bond, link_ops_team, link_ops_vlan,
	link_ops_veth, link_ops_macvlan, link_ops_bridge, link_ops_dummy,
	link_ops_vxlan, link_ops_ipvlan, link_ops_vrf;

#endif
