/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of plan share; private to them. */
#ifndef HANET_PLAN_INTERNAL_H
#define HANET_PLAN_INTERNAL_H

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "bond-opts.h"
#include "json.h"
#include "link.h"
#include "owner.h"
#include "plan.h"
#include "route.h"
#include "rule.h"
#include "observe.h"
#include "util.h"

struct sim_link {
	struct link l;                      /* deep copy: observed, or what an action created */
	bool gone;
	bool created;                       /* by this plan */
	bool mtu_user;                      /* a bridge whose mtu was set (no longer follows its ports) */
	bool ports_changed;                 /* a master that lost or gained ports in this plan */
	bool mac_of_master;                 /* a team's port given the team's MAC, which the plan does not
	                                       know (a team it makes without `mac =`) */
};

struct sim_addr {
	struct addr a;
	bool gone;
};

struct sim_ns {
	const char *name;                   /* plan pool */
	bool exists;
	bool created;
	bool fwd4, fwd6;
	struct sim_link *links;
	size_t n_links;
	struct namemap link_idx;            /* name (plan pool) -> index in links + 1, the last added */
	struct sim_addr *addrs;
	size_t n_addrs;
	const struct ns_state *obs;         /* NULL for a namespace this plan creates */
	int8_t promote_all;                 /* net.ipv4.conf.all.promote_secondaries: -1 not read yet */
	bool doomed;                        /* deleted whole: what is in it goes with it */
	uint8_t *route_gone;                /* per obs->routes */
	struct route_map *route_idx;        /* key -> index in obs->routes */
	uint8_t *rule_gone;                 /* per obs->rules */
};

struct want_link {
	struct link l;                      /* copy, netns interned in the plan pool, master derived */
	bool implicit;                      /* a veth peer, created with its veth */
	bool foreign_port;                  /* only listed as a port/slave: only its master is declared */
	int provider;                       /* the veth (index in want) that creates this nic, or -1 */
	int depth;
};

struct planner {
	const struct plan_input *in;
	const struct profile *prof;
	struct plan *p;
	struct sim_ns *ns;
	size_t n_ns;
	struct namemap ns_idx;              /* namespace -> index in ns + 1 */
	/* the last two namespaces found, by the name's pointer (checked by
	 * text): a plan asks for the same one or two again and again */
	const char *ns_hit_key[2];
	size_t ns_hit[2];                   /* index in ns + 1 */
	unsigned ns_hit_next;
	/* and the last one not found while there were n_ns_miss (the
	 * owner's records of a thousand namespaces, in a plan of one) */
	char ns_miss[NETNS_NAME_MAX + 1];
	size_t n_ns_miss;                   /* n_ns + 1 then; 0: none */
	struct want_link *want;
	size_t n_want;
	struct namemap want_idx;            /* (netns, name) -> index in want + 1, of the first want_indexed */
	size_t want_indexed;
	/* the profile's VIPs by (netns, dev): the first + 1, then vip_next
	 * (index + 1, 0 ends); built when first asked */
	struct namemap vip_idx;
	size_t *vip_next;
	bool vips_indexed;
	const struct route *const *routes;  /* desired: [route] sections, then bulk */
	size_t n_routes;
	uint8_t *present;                   /* desired routes the kernel has as declared (updated by the simulation) */
	char *err;
	size_t errsize;
	bool owner_routes_tried;
};

/* What the kernel drops from a namespace's routes (every table) with an
 * action: the desired routes that matched and the observed ones for
 * which `match` says so.  Marked gone in the simulation (so that the
 * routes phase adds the desired ones again) and remembered in the action
 * (its inverse puts them back). */

typedef bool (*route_match_fn)(const struct route *r, const void *ctx);

struct addr_ctx {
	const char *dev;
	const struct ipaddr *ip;
	bool last;                          /* the device's last IPv4 address */
	uint32_t table;                     /* the device's table (main, or its vrf's) */
};

struct route_group {
	const struct route **add, **rep, **old;
	size_t n_add, n_rep;
};

struct reqs {
	struct observe_ns_req *v;
	size_t n;
	struct namemap index;               /* netns -> index in v + 1 */
};

int plan_fail(struct planner *pl, int r, const char *fmt, ...);
const char *plan_intern(struct planner *pl, const char *s);
const char *plan_intern_peer(struct planner *pl, const char *s);
const char *plan_ns_suffix(const char *netns, char *buf, size_t size);
struct sim_ns *sim_ns(struct planner *pl, const char *netns);
struct sim_ns *sim_ns_add(struct planner *pl, const char *netns);
struct sim_link *sim_link(struct planner *pl, const char *netns, const char *name);
struct sim_link *sim_link_add(struct planner *pl, struct sim_ns *ns, const struct link *l);
struct sim_addr *sim_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip);
int sim_addr_add(struct sim_ns *ns, const struct addr *a);
int act_mtu_back_add(struct action *a, const char *netns, const char *name, uint32_t mtu);
int sim_mtu_changed(struct planner *pl, struct action *a, struct sim_link *sl, int guard);
void sim_ns_free(struct sim_ns *ns);
int sim_init(struct planner *pl);
struct action *act_new(struct planner *pl, enum action_type type, enum disruption level, const char *netns,
                              const char *name);
/* A copy of u for an action (freed with it); NULL on ENOMEM. */
struct rule *act_rule(const struct rule *u);
int act_text(struct action *a, const char *fmt, ...);
struct link *plan_link_dup(struct planner *pl, const struct link *src);
void plan_free(struct plan *p);
int plan_note(struct planner *pl, const char *fmt, ...);
int act_dev_add(struct act_dev **list, size_t *n, const char *netns, const char *dev);
int sim_link_loses(struct planner *pl, struct action *a, const char *netns, const char *dev, bool all_addrs);
int act_text_add(struct action *a, const char *fmt, ...);
int act_text_lost(struct action *a, const char *what, size_t n_addrs0, size_t n_routes0);
int sim_addr_loses(struct planner *pl, struct action *a, const struct addr *x);
int sim_addr_inverse_loses(struct planner *pl, struct action *a, const struct addr *x);
struct want_link *want_find(struct planner *pl, const char *netns, const char *name);
bool plan_kind_is_created(enum link_kind k);
const char *plan_lower_of(const struct link *l);
int plan_build_want(struct planner *pl);
struct want_link **want_sorted(struct planner *pl);
bool want_has_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip);
int plan_remove_rules(struct planner *pl);
int plan_load_owner_routes(struct planner *pl);
int plan_remove_routes(struct planner *pl);
int plan_remove_addrs(struct planner *pl);
int sim_vlans_stay_down(struct planner *pl, struct action *a, struct sim_link *lower, int guard);
int sim_link_state_follows(struct planner *pl, struct action *a, struct sim_link *lower, bool up);
int sim_port_released(struct planner *pl, struct action *a, struct sim_link *port, bool was_up);
int plan_link_delete(struct planner *pl, struct sim_link *sl, enum disruption level, const char *why);
int plan_remove_links(struct planner *pl);
int plan_restore_nics(struct planner *pl);
int plan_restore_sysctls(struct planner *pl);
void plan_doom_netns(struct planner *pl);
int plan_remove_netns(struct planner *pl);
int plan_create_netns(struct planner *pl);
bool plan_owned_link(struct planner *pl, const char *netns, const char *name, enum link_kind kind);
int plan_create_links(struct planner *pl, struct want_link **sorted);
int plan_place_nics(struct planner *pl, struct want_link **sorted);
int plan_link_master(struct planner *pl, struct sim_link *sl, const char *master, unsigned nic_keys,
                            enum disruption level);
int plan_link_state(struct planner *pl, struct sim_link *sl, bool up, unsigned nic_keys, enum disruption level);
int plan_enslave(struct planner *pl, struct want_link **sorted);
int plan_extras(struct planner *pl, struct want_link **sorted);
int plan_link_set(struct planner *pl, struct sim_link *sl, unsigned set, uint32_t mtu, const uint8_t *mac,
                         const char *alias, unsigned nic_keys, bool restoring);
int plan_attributes(struct planner *pl, struct want_link **sorted);
int plan_team_port_macs(struct planner *pl, struct want_link **sorted);
int plan_updown(struct planner *pl, struct want_link **sorted);
int plan_addresses(struct planner *pl);
int plan_vips(struct planner *pl);
int plan_build_want_routes(struct planner *pl);
int plan_routes(struct planner *pl);
int plan_rules(struct planner *pl);

#endif
