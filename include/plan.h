/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan: compare the desired state (a profile, its bulk routes, what the
 * profile owns) with the actual state (observe) and list the actions
 * that make the kernel match, in order:
 *
 *   removals (what the profile dropped and hanet owns), in reverse:
 *     rules, routes, VIPs and addresses, links (upper first), devices
 *     given back (nic keys restored), forwarding, namespaces;
 *   then creation: namespaces, links (lower before upper), moves into
 *     namespaces, releasing and enslaving (a bond slave goes down first;
 *     a port leaving a team gets its MAC address back, one joining takes
 *     the team's),
 *     attributes (mtu, mac, alias) and forwarding, a team's MAC address
 *     on its ports, up/down, addresses, VIPs, routes, rules.
 *
 * Every action carries its disruption (live, flap, recreate).  A change
 * the kernel cannot make live is planned as flap or recreate; one that
 * would need to delete an object hanet does not own is an error.
 *
 * The planner works on a simulation of the kernel (what the previous
 * actions leave behind, including what the kernel removes by itself when
 * a link goes down or is deleted), so later phases re-add what earlier
 * ones take away, and each action knows what its inverse must restore.
 */
#ifndef HANET_PLAN_H
#define HANET_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "link-ops.h"
#include "model.h"

struct state;
struct owner;
struct json;

enum action_type {
	ACT_NETNS_ADD,
	ACT_NETNS_DEL,
	ACT_FORWARDING,
	ACT_LINK_CREATE,
	ACT_LINK_DELETE,
	ACT_LINK_MOVE,
	ACT_LINK_SET,               /* mtu, mac, alias */
	ACT_LINK_KIND,              /* kind options (IFLA_INFO_DATA) */
	ACT_LINK_MASTER,            /* enslave (master set) or release (master "") */
	ACT_LINK_EXTRA,             /* the backend's settings that need the ports attached (apply_extra) */
	ACT_LINK_UP,
	ACT_LINK_DOWN,
	ACT_ADDR_ADD,
	ACT_ADDR_DEL,
	ACT_ADDR_REPLACE,
	ACT_ROUTE_ADD,
	ACT_ROUTE_DEL,
	ACT_ROUTE_REPLACE,
	ACT_RULE_ADD,
	ACT_RULE_DEL,
	_ACT_MAX,
};

const char *action_type_name(enum action_type t);     /* "link-create", ... */

/* A device in a namespace. */
struct act_dev {
	const char *netns;
	char name[IFNAMSIZ];
};

struct action {
	enum action_type type;
	enum disruption level;
	const char *netns;                  /* where it happens; NETNS_*: the namespace itself */
	char name[IFNAMSIZ];                /* link actions: the link; ADDR_*: the device */
	char *text;                         /* one line for humans */
	const char *object;                 /* [route NAME], [vip NAME], [routes NAME], ... or NULL */

	/* LINK_CREATE: what to create (netns = target); LINK_DELETE: the link
	 * as it is (for the inverse); LINK_KIND: the wanted link */
	struct link *link;
	struct link *have;                  /* LINK_KIND, LINK_EXTRA: the link as it is (NULL: made by this plan);
	                                       LINK_DELETE: a veth's peer; LINK_MASTER (release): the master
	                                       as it was, when its backend has settings to put back */
	const char *sock_netns;             /* LINK_CREATE: where the request goes (a lower device's namespace) */
	bool restore;                       /* LINK_CREATE: same ifindex, mac, state (a rollback) */
	bool owned;                         /* LINK_CREATE/NETNS_ADD/ADDR_ADD/...: becomes owned */

	/* LINK_SET */
	unsigned set;                       /* LINK_SET_MTU | LINK_SET_MAC | LINK_SET_ALIAS */
	uint32_t mtu, old_mtu;
	uint8_t mac[ETH_ALEN_], old_mac[ETH_ALEN_];
	/* LINK_SET of a team's port: the MAC is the team's (this link, in
	 * the same namespace), read when the action runs: a team made by this
	 * plan without `mac =` has the address the kernel gave it */
	char mac_of[IFNAMSIZ];
	/* the link's MAC was not known when planning (made by this plan):
	 * apply reads it before changing it, for the undo */
	bool old_mac_unknown;
	char *alias, *old_alias;            /* NULL: none */
	/* LINK_MASTER */
	char master[IFNAMSIZ], old_master[IFNAMSIZ];
	/* released from a bond: the bond's MAC (it gets another when its last
	 * slave leaves; the inverse puts it back once the slave is in again) */
	uint8_t master_mac[ETH_ALEN_];
	bool master_mac_set;
	/* LINK_MOVE */
	const char *to_netns;
	/* a device hanet did not create: the keys this changes and their
	 * values before (recorded once, restored when dropped) */
	unsigned nic_keys;
	struct link *nic_before;
	bool nic_restore;                   /* this gives a device back: forget its record after */
	unsigned nic_forget;                /* keys given back: forget them from the device's record after */

	/* FORWARDING; NETNS_DEL: what the namespace had (for the inverse) */
	bool fwd4, fwd6, old_fwd4, old_fwd6;
	bool lo_up;                         /* NETNS_DEL: loopback was up */
	bool fwd_record;                    /* record the old values (a namespace hanet did not create) */
	bool fwd_forget;                    /* restoring: forget the record after */

	/* ADDR_* */
	struct addr addr;
	struct addr *old_addr;              /* ADDR_REPLACE: the address as it was (most actions have none) */
	const struct vip *vip;

	/* ROUTE_*: pointers into the desired routes, or the observed ones
	 * (DEL, and old_routes of REPLACE) */
	const struct route **routes;
	const struct route **old_routes;
	size_t n_routes;

	/* RULE_* (a copy of its own: most actions have none) */
	struct rule *rule;

	/* LINK_DELETE of a master: the ports it had (the inverse enslaves
	 * them again) */
	char (*ports)[IFNAMSIZ];
	size_t n_ports;

	/* what the kernel takes away with this action (a link down, deleted
	 * or moved): the inverse puts it back */
	struct addr *lost_addrs;
	size_t n_lost_addrs;
	const struct route **lost_routes;
	size_t n_lost_routes;
	/* the vlans and macvlans above whose mtu the kernel lowers with this
	 * action's (it never raises them again): the inverse puts them back,
	 * in this order (lower first) */
	struct mtu_back {
		const char *netns;
		char name[IFNAMSIZ];
		uint32_t mtu;
	} *mtu_back;
	size_t n_mtu_back;
	/* the devices whose routes the kernel may drop with this action (a
	 * link down, deleted or moved, and the links above that follow it;
	 * an address removed): apply saves their routes of every table
	 * before the first such action, and a rollback puts back those gone */
	struct act_dev *disturbed;
	size_t n_disturbed;
	/* LINK_DOWN: the vlans above (through vlans, in any namespace) that
	 * were down already: the kernel brings every vlan up with its lower
	 * device, so the inverse, once the link is up, puts them down again */
	struct act_dev *stay_down;
	size_t n_stay_down;
};

/* A desired link as a plan hands it back: which device, not its settings. */
struct plan_want {
	const char *netns;                  /* in the plan's pool */
	char name[IFNAMSIZ];
	enum link_kind kind;
};

struct plan {
	struct action *v;
	size_t n;
	size_t cap;
	struct strpool *pool;
	char **notes;                       /* things left alone on purpose, said once */
	size_t n_notes;
	/* the desired links (profile links, implicit veth peers and foreign
	 * ports), for the command layer: what watch looks out for */
	struct plan_want *want_links;
	size_t n_want_links;
	size_t n_routes_total;              /* desired routes */
};

enum {
	PLAN_DOWN = 1u << 0,                /* desire nothing: remove all the profile owns */
	PLAN_CHECK = 1u << 1,               /* only compare (no ownership needed for foreign objects) */
	PLAN_ACTIONS_ONLY = 1u << 2,        /* the caller reads the actions only: no want_links (a verify) */
};

struct route_index;

struct plan_input {
	const struct profile *profile;      /* may be NULL with PLAN_DOWN */
	/* every desired route: the profile's [route] sections, then the
	 * routes of its [routes] files in file order; `present` says which
	 * the kernel has as declared (filled while observing) */
	const struct route_index *routes;
	size_t n_bulk;                      /* the last n_bulk of routes->v come from [routes] files */
	const size_t *bulk_file;            /* n_bulk: index of each one's [routes] section */
	struct owner *owner;                /* this profile's records (routes loaded on demand) */
	const struct state *st;
	unsigned flags;
};

/* Build the plan.  On a conflict (an object in the way that hanet does
 * not own, a device that does not exist) returns a negative errno and
 * writes the reason to err. */
int plan_build(const struct plan_input *in, struct plan **ret, char *err, size_t errsize);
void plan_free(struct plan *p);

/* Counts per disruption level. */
void plan_counts(const struct plan *p, size_t counts[DISRUPT_RECREATE + 1]);
/* Human form: one line per action "  3  live      link v0: up".  Stable. */
void plan_print(const struct plan *p, FILE *f);
void plan_json(const struct plan *p, const char *profile, struct json *j);

/* Namespaces a profile touches (declared, referenced, owned): observe
 * requests for all of them, with the route tables in use.  plan_flags:
 * of the plans built on what they observe (PLAN_DOWN: a down may delete
 * every namespace hanet made, those the profile declares too).  *ret is
 * an array of n observe_ns_req to free with plan_observe_reqs_free(). */
struct observe_ns_req;
int plan_observe_reqs(const struct profile *p, const struct route_index *routes, const struct owner *o,
                      unsigned plan_flags, struct observe_ns_req **ret, size_t *ret_n);
void plan_observe_reqs_free(struct observe_ns_req *reqs, size_t n);

#endif
