/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet show [--json] PROFILE: what hanet owns for the profile, each
 * object with its live state.
 */
#include <getopt.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <string.h>

#include "cmd-common.h"
#include "commands.h"
#include "json.h"
#include "log.h"
#include "owner.h"
#include "route.h"
#include "rule.h"
#include "session.h"
#include "observe.h"
#include "util.h"

static const char usage_text[] =
	"Usage: hanet show [--json] PROFILE\n"
	"\n"
	"List what hanet created (or changed) for the profile, each object with\n"
	"its live state.  PROFILE is the profile file, or its name.\n"
	"\n"
	"  -j, --json   as JSON\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 shown, 2 invalid profile, 3 the kernel could not be read.\n";

static const struct addr *find_addr(const struct state *st, const char *netns, const char *dev, const struct ipaddr *ip) {
	const struct ns_state *ns = state_ns(st, netns);

	for (size_t i = 0; ns && i < ns->n_addrs; i++)
		if (strcmp(ns->addrs[i].dev, dev) == 0 && ipaddr_eq(&ns->addrs[i].ip, ip))
			return &ns->addrs[i];
	return NULL;
}

struct route_count {
	const struct ns_state *ns;
	struct route_map *present;
	size_t owned, present_n;
};

static int count_route(const struct route_key *k, uint32_t val, void *data) {
	struct route_count *c = data;

	c->owned++;
	if (c->present && route_map_get(c->present, k, NULL))
		c->present_n++;
	return 0;
}

static void show_text(const struct session *s) {
	const struct owner *o = s->owner;
	const struct state *st = s->st;
	char ip[IPADDR_STRLEN], mac[18], buf[256];

	printf("profile %s\n", s->name);
	if (owner_is_empty(o)) {
		printf("  hanet owns nothing for this profile\n");
		return;
	}
	for (size_t i = 0; i < o->n_netns; i++) {
		const struct ns_state *ns = state_ns(st, o->netns[i]);

		printf("  netns %s: %s\n", o->netns[i], ns && ns->exists ? "present" : "absent");
	}
	for (size_t i = 0; i < o->n_links; i++) {
		const struct owned_link *ol = &o->links[i];
		const struct link *l = state_link(st, ol->netns, ol->name);

		printf("  link %s%s%s (%s): ", ol->name, ol->netns ? " netns " : "", ol->netns ? ol->netns : "",
		       link_kind_name(ol->kind));
		if (!l) {
			printf("absent\n");
			continue;
		}
		format_mac(l->mac, mac);
		printf("%s, %s, mtu %u, mac %s", l->up ? "up" : "down", l->carrier ? "carrier" : "no carrier", l->mtu, mac);
		if (l->master[0])
			printf(", master %s", l->master);
		if (l->kind == LINK_VETH)
			printf(", peer %s%s%s", l->u.veth.peer, l->u.veth.peer_netns ? " netns " : "",
			       l->u.veth.peer_netns ? l->u.veth.peer_netns : "");
		printf("\n");
	}
	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];
		const struct link *l = state_link(st, n->netns, n->name);

		printf("  nic %s%s%s: %s; hanet changed:", n->name, n->netns ? " netns " : "", n->netns ? n->netns : "",
		       l ? "present" : "absent");
		if (n->set & LINK_SET_MTU)
			printf(" mtu (was %u%s)", n->mtu, l ? "" : "");
		if (n->set & LINK_SET_MAC) {
			format_mac(n->mac, mac);
			printf(" mac (was %s)", mac);
		}
		if (n->set & LINK_SET_STATE)
			printf(" state (was %s)", n->up ? "up" : "down");
		if (n->set & LINK_SET_ALIAS)
			printf(" alias (was \"%s\")", n->alias ? n->alias : "");
		if (n->set & NIC_ORIG_NETNS)
			printf(" netns (was %s)", netns_str(n->orig_netns));
		if (n->set & NIC_ORIG_MASTER)
			printf(" master (was %s)", n->orig_master[0] ? n->orig_master : "none");
		printf("\n");
	}
	for (size_t i = 0; i < o->n_addrs; i++) {
		const struct owned_addr *a = &o->addrs[i];
		const struct addr *x = find_addr(st, a->netns, a->dev, &a->ip);

		printf("  %s %s dev %s%s%s: ", a->vip ? "vip" : "addr", format_ipaddr(&a->ip, true, ip, sizeof(ip)), a->dev,
		       a->netns ? " netns " : "", a->netns ? a->netns : "");
		if (!x) {
			printf("absent\n");
			continue;
		}
		printf("present");
		if (x->label[0] && a->ip.family == AF_INET)
			printf(", label %s", x->label);
		if (x->preferred_lft == 0)
			printf(", deprecated (preferred_lft 0)");
		if (x->flags & IFA_F_NOPREFIXROUTE)
			printf(", noprefixroute");
		if (x->flags & IFA_F_NODAD)
			printf(", nodad");
		if (x->flags & IFA_F_TENTATIVE)
			printf(", tentative");
		printf("\n");
	}
	for (size_t i = 0; i < o->n_routes; i++) {
		const struct ns_state *ns = state_ns(st, o->routes[i].netns);
		struct route_count c = { .ns = ns };

		if (ns && ns->n_routes && route_map_new(ns->n_routes, &c.present) == 0)
			for (size_t j = 0; j < ns->n_routes; j++) {
				struct route_key k;

				if (ns->routes[j].protocol != RTPROT_HANET)
					continue;
				route_key_of(&ns->routes[j], &k);
				route_map_put(c.present, &k, 0);
			}
		route_map_foreach(o->routes[i].keys, count_route, &c);
		route_map_free(c.present);
		printf("  routes%s%s: %zu owned, %zu present\n", o->routes[i].netns ? " netns " : "",
		       o->routes[i].netns ? o->routes[i].netns : "", c.owned, c.present_n);
	}
	for (size_t i = 0; i < o->n_rules; i++) {
		const struct ns_state *ns = state_ns(st, o->rules[i].netns);
		bool present = false;

		for (size_t j = 0; ns && j < ns->n_rules; j++)
			if (rule_matches(&o->rules[i], &ns->rules[j]))
				present = true;
		printf("  rule %s%s%s: %s\n", rule_format(&o->rules[i], buf, sizeof(buf)), o->rules[i].netns ? " netns " : "",
		       o->rules[i].netns ? o->rules[i].netns : "", present ? "present" : "absent");
	}
	for (size_t i = 0; i < o->n_sysctls; i++) {
		const struct ns_state *ns = state_ns(st, o->sysctls[i].netns);

		printf("  forwarding netns %s: ipv4 %s ipv6 %s (were %s/%s)\n", netns_str(o->sysctls[i].netns),
		       ns && ns->forwarding4 ? "on" : "off", ns && ns->forwarding6 ? "on" : "off",
		       o->sysctls[i].forwarding4 ? "on" : "off", o->sysctls[i].forwarding6 ? "on" : "off");
	}
}

static void show_json(const struct session *s) {
	const struct owner *o = s->owner;
	const struct state *st = s->st;
	char ip[IPADDR_STRLEN], mac[18], buf[256];
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "profile", s->name);
	json_arr_begin(&j, "netns");
	for (size_t i = 0; i < o->n_netns; i++) {
		const struct ns_state *ns = state_ns(st, o->netns[i]);

		json_obj_begin(&j, NULL);
		json_str(&j, "name", o->netns[i]);
		json_bool(&j, "present", ns && ns->exists);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "links");
	for (size_t i = 0; i < o->n_links; i++) {
		const struct owned_link *ol = &o->links[i];
		const struct link *l = state_link(st, ol->netns, ol->name);

		json_obj_begin(&j, NULL);
		json_str(&j, "name", ol->name);
		json_str(&j, "netns", ol->netns);
		json_str(&j, "kind", link_kind_name(ol->kind));
		json_bool(&j, "present", l != NULL);
		if (l) {
			format_mac(l->mac, mac);
			json_int(&j, "ifindex", l->ifindex);
			json_bool(&j, "up", l->up);
			json_bool(&j, "carrier", l->carrier);
			json_uint(&j, "mtu", l->mtu);
			json_str(&j, "mac", mac);
			json_str(&j, "master", l->master[0] ? l->master : NULL);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "nics");
	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "name", n->name);
		json_str(&j, "netns", n->netns);
		json_bool(&j, "present", state_link(st, n->netns, n->name) != NULL);
		json_obj_begin(&j, "before");
		if (n->set & LINK_SET_MTU)
			json_uint(&j, "mtu", n->mtu);
		if (n->set & LINK_SET_MAC) {
			format_mac(n->mac, mac);
			json_str(&j, "mac", mac);
		}
		if (n->set & LINK_SET_STATE)
			json_bool(&j, "up", n->up);
		if (n->set & LINK_SET_ALIAS)
			json_str(&j, "alias", n->alias);
		if (n->set & NIC_ORIG_NETNS)
			json_str(&j, "netns", n->orig_netns);
		if (n->set & NIC_ORIG_MASTER)
			json_str(&j, "master", n->orig_master[0] ? n->orig_master : NULL);
		json_obj_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "addresses");
	for (size_t i = 0; i < o->n_addrs; i++) {
		const struct owned_addr *a = &o->addrs[i];
		const struct addr *x = find_addr(st, a->netns, a->dev, &a->ip);

		json_obj_begin(&j, NULL);
		json_str(&j, "address", format_ipaddr(&a->ip, true, ip, sizeof(ip)));
		json_str(&j, "dev", a->dev);
		json_str(&j, "netns", a->netns);
		json_bool(&j, "vip", a->vip);
		json_bool(&j, "present", x != NULL);
		if (x) {
			json_uint(&j, "flags", x->flags);
			if (x->preferred_lft != UINT32_MAX)
				json_uint(&j, "preferred_lft", x->preferred_lft);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "routes");
	for (size_t i = 0; i < o->n_routes; i++) {
		const struct ns_state *ns = state_ns(st, o->routes[i].netns);
		struct route_count c = { .ns = ns };

		if (ns && ns->n_routes && route_map_new(ns->n_routes, &c.present) == 0)
			for (size_t k = 0; k < ns->n_routes; k++) {
				struct route_key key;

				if (ns->routes[k].protocol != RTPROT_HANET)
					continue;
				route_key_of(&ns->routes[k], &key);
				route_map_put(c.present, &key, 0);
			}
		route_map_foreach(o->routes[i].keys, count_route, &c);
		route_map_free(c.present);
		json_obj_begin(&j, NULL);
		json_str(&j, "netns", o->routes[i].netns);
		json_uint(&j, "owned", c.owned);
		json_uint(&j, "present", c.present_n);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "rules");
	for (size_t i = 0; i < o->n_rules; i++) {
		const struct ns_state *ns = state_ns(st, o->rules[i].netns);
		bool present = false;

		for (size_t k = 0; ns && k < ns->n_rules; k++)
			if (rule_matches(&o->rules[i], &ns->rules[k]))
				present = true;
		json_obj_begin(&j, NULL);
		json_str(&j, "rule", rule_format(&o->rules[i], buf, sizeof(buf)));
		json_str(&j, "netns", o->rules[i].netns);
		json_bool(&j, "present", present);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_show(int argc, char **argv) {
	struct session s;
	const char *profile;
	bool as_json;
	int r, ret = EXIT_RUNTIME;

	r = cmd_json_profile_args(argc, argv, "show", usage_text, &as_json, &profile);
	if (r >= 0)
		return r;
	r = cmd_load(&s, profile, SESSION_NAME_OK | SESSION_NO_ROUTES);
	if (r != 0)
		return r;
	/* a change not confirmed whose process is gone comes first; every
	 * owned route is shown: read them (their tables too) */
	r = cmd_recover_observe(&s, -1, "show");
	if (r < 0)
		goto out;
	if (as_json)
		show_json(&s);
	else
		show_text(&s);
	ret = EXIT_OK;
out:
	session_fini(&s);
	return ret;
}
