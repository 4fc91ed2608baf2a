/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan: profiles against hand-made observed states, no kernel needed. */
#include "test-helpers.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>

#include "owner.h"
#include "partial.h"
#include "plan.h"
#include "route.h"
#include "observe.h"
#include "util.h"

/* ---- a hand-made kernel state ------------------------------------------ */

static struct state *st_new(void) {
	struct state *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	st->pool = strpool_new();
	return st;
}

static struct ns_state *st_ns(struct state *st, const char *name) {
	struct ns_state *ns = state_ns(st, name);

	if (ns)
		return ns;
	st->ns = realloc(st->ns, (st->n_ns + 1) * sizeof(*st->ns));
	assert_non_null(st->ns);
	ns = &st->ns[st->n_ns++];
	memset(ns, 0, sizeof(*ns));
	ns->name = name ? strpool_intern(st->pool, name) : NULL;
	ns->exists = true;
	return ns;
}

static struct link *st_link(struct state *st, const char *netns, const char *name, enum link_kind kind, int ifindex) {
	struct ns_state *ns = st_ns(st, netns);
	struct link *l;

	ns->links = realloc(ns->links, (ns->n_links + 1) * sizeof(*ns->links));
	assert_non_null(ns->links);
	l = &ns->links[ns->n_links++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->netns = ns->name;
	l->kind = kind;
	l->ifindex = ifindex;
	l->mtu = 1500;
	l->link_netnsid = -1;
	l->set = LINK_SET_MTU | LINK_SET_STATE | LINK_SET_ALIAS;
	return l;
}

static struct link *st_veth(struct state *st, const char *netns, const char *name, int ifindex, const char *peer,
                            const char *peer_netns) {
	struct link *l = st_link(st, netns, name, LINK_VETH, ifindex);

	snprintf(l->u.veth.peer, sizeof(l->u.veth.peer), "%s", peer);
	l->u.veth.peer_netns = peer_netns ? strpool_intern(st->pool, peer_netns) : NULL;
	return l;
}

static void st_addr(struct state *st, const char *netns, const char *dev, const char *cidr) {
	struct ns_state *ns = st_ns(st, netns);
	struct addr *a;

	ns->addrs = realloc(ns->addrs, (ns->n_addrs + 1) * sizeof(*ns->addrs));
	assert_non_null(ns->addrs);
	a = &ns->addrs[ns->n_addrs++];
	memset(a, 0, sizeof(*a));
	assert_int_equal(parse_prefix(cidr, true, &a->ip), 0);
	snprintf(a->dev, sizeof(a->dev), "%s", dev);
	a->netns = ns->name;
	a->preferred_lft = a->valid_lft = UINT32_MAX;
}

static struct route *st_route(struct state *st, const char *netns, const char *dst, const char *via, const char *dev,
                              uint32_t table, uint8_t protocol) {
	struct ns_state *ns = st_ns(st, netns);
	struct route *r;

	ns->routes = realloc(ns->routes, (ns->n_routes + 1) * sizeof(*ns->routes));
	assert_non_null(ns->routes);
	r = &ns->routes[ns->n_routes++];
	memset(r, 0, sizeof(*r));
	assert_int_equal(parse_prefix(dst, true, &r->dst), 0);
	r->set = ROUTE_SET_TABLE | ROUTE_SET_METRIC | ROUTE_SET_TYPE | ROUTE_SET_SCOPE | ROUTE_SET_ONLINK;
	if (via) {
		assert_int_equal(parse_ipaddr(via, &r->via), 0);
		r->set |= ROUTE_SET_VIA;
	}
	if (dev) {
		snprintf(r->dev, sizeof(r->dev), "%s", dev);
		r->set |= ROUTE_SET_DEV;
	}
	r->table = table;
	r->type = RTN_UNICAST;
	r->scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	r->protocol = protocol;
	r->netns = ns->name;
	table_set_add(&ns->tables, table);
	return r;
}

/* ---- planning ----------------------------------------------------------- */

struct run {
	struct profile *p;
	struct owner *o;
	struct state *st;
	struct route_index ix;
	struct plan *plan;
	char err[1024];
	int r;
};

static void run_plan(struct run *x, unsigned flags) {
	const struct route **v = calloc(x->p ? x->p->n_routes + 1 : 1, sizeof(*v));
	size_t n = 0;
	struct plan_input in;

	assert_non_null(v);
	for (size_t i = 0; x->p && i < x->p->n_routes; i++)
		v[n++] = &x->p->routes[i];
	assert_int_equal(route_index_build(&x->ix, v, n, NULL, 0), 0);
	free(v);
	/* what observe's filter does: desired routes that are there as declared */
	for (size_t i = 0; i < x->st->n_ns; i++)
		for (size_t j = 0; j < x->st->ns[i].n_routes; j++)
			route_index_filter(&x->st->ns[i].routes[j], x->st->ns[i].name, &x->ix);
	in = (struct plan_input){ .profile = x->p, .routes = &x->ix, .owner = x->o, .st = x->st, .flags = flags };
	x->r = plan_build(&in, &x->plan, x->err, sizeof(x->err));
}

static void run_fini(struct run *x) {
	plan_free(x->plan);
	route_index_fini(&x->ix);
	state_free(x->st);
	owner_free(x->o);
	profile_free(x->p);
}

static void run_init(struct run *x, const char *profile) {
	memset(x, 0, sizeof(*x));
	x->p = profile ? load_ok(profile) : NULL;
	assert_int_equal(owner_new_empty("test", &x->o), 0);
	x->st = st_new();
	st_ns(x->st, NULL);
	st_link(x->st, NULL, "lo", LINK_NIC, 1)->up = true;
}

/* The plan as "LEVEL TEXT" lines. */
static char *plan_text(const struct plan *p) {
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%s %s\n", disruption_name(p->v[i].level), p->v[i].text);
	fclose(f);
	return buf;
}

static void assert_plan(const struct plan *p, const char *expected) {
	char *got = plan_text(p);

	if (strcmp(got, expected) != 0)
		fprintf(stderr, "plan:\n%s-- expected:\n%s--\n", got, expected);
	assert_string_equal(got, expected);
	free(got);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_create_order(void **state) {
	struct run x;

	(void)state;
	run_init(&x, "[netns a]\n"
	             "[bridge br0]\nports = v1\n"
	             "[veth v0]\npeer = v1\naddresses = 10.0.0.1/24\n"
	             "[macvlan m0]\nlink = br0\nnetns = a\nmtu = 1400\n"
	             "[route r]\nto = 10.1.0.0/16\nvia = 10.0.0.2\ndev = v0\ntable = 7\n"
	             "[rule x]\nfrom = 10.0.0.0/24\ntable = 7\npriority = 5\n");
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan,
	            "live netns a: create\n"
	            "live link v0: create veth (peer v1)\n"
	            "live link br0: create bridge\n"
	            "live link m0 (netns a): create macvlan (link br0)\n"
	            "live link v1: enslave to br0\n"
	            "live link m0 (netns a): set mtu 1400 (was 1500)\n"
	            "live link lo (netns a): up\n"
	            "live link v0: up\n"
	            "live link v1: up\n"
	            "live link br0: up\n"
	            "live link m0 (netns a): up\n"
	            "live addr 10.0.0.1/24 dev v0: add\n"
	            "live route r: add 10.1.0.0/16 via 10.0.0.2 dev v0 table 7\n"
	            "live rule x: add inet priority 5 from 10.0.0.0/24 table 7\n");
	/* the macvlan goes to its lower's namespace, created into a */
	assert_string_equal(x.plan->v[3].sock_netns, "");
	run_fini(&x);
}

static void test_nothing_to_do(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	run_init(&x, "[veth v0]\npeer = v1\nmtu = 1400\naddresses = 10.0.0.1/24\n"
	             "[route r]\nto = 10.1.0.0/16\nvia = 10.0.0.2\ndev = v0\n");
	l = st_link(x.st, NULL, "v0", LINK_VETH, 2);
	l->up = true;
	l->mtu = 1400;
	snprintf(l->u.veth.peer, IFNAMSIZ, "v1");
	l = st_link(x.st, NULL, "v1", LINK_VETH, 3);
	l->up = true;
	snprintf(l->u.veth.peer, IFNAMSIZ, "v0");
	st_addr(x.st, NULL, "v0", "10.0.0.1/24");
	st_route(x.st, NULL, "10.1.0.0/16", "10.0.0.2", "v0", RT_TABLE_MAIN, RTPROT_HANET);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "");
	/* the route matched while observing */
	assert_int_equal(x.ix.present[0], 1);
	run_fini(&x);
}

static void test_foreign_left_alone(void **state) {
	struct run x;

	(void)state;
	run_init(&x, "[veth v0]\npeer = v1\n");
	/* not owned: not in the records, so not removed */
	st_link(x.st, NULL, "x0", LINK_BRIDGE, 5)->up = true;
	st_route(x.st, NULL, "10.9.0.0/16", NULL, "x0", RT_TABLE_MAIN, RTPROT_STATIC);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link v0: create veth (peer v1)\nlive link v0: up\nlive link v1: up\n");
	run_fini(&x);

	/* a link of the profile's name, of another kind, hanet did not create */
	run_init(&x, "[veth v0]\npeer = v1\n");
	st_link(x.st, NULL, "v0", LINK_BRIDGE, 5);
	run_plan(&x, 0);
	assert_int_equal(x.r, -EEXIST);
	assert_non_null(strstr(x.err, "exists as a bridge that hanet did not create"));
	run_fini(&x);

	/* a route of the profile's key that hanet did not add, different */
	run_init(&x, "[veth v0]\npeer = v1\n[route r]\nto = 10.1.0.0/16\nvia = 10.0.0.2\ndev = v0\n");
	st_route(x.st, NULL, "10.1.0.0/16", "10.0.0.9", "v0", RT_TABLE_MAIN, RTPROT_STATIC);
	run_plan(&x, 0);
	assert_int_equal(x.r, -EEXIST);
	assert_non_null(strstr(x.err, "a route hanet did not create is in the way (via 10.0.0.9 -> 10.0.0.2)"));
	run_fini(&x);
}

/* A vrf is made before its members join it; down deletes it (which
 * frees them); a new table makes it again before they join it. */
static void test_vrf(void **state) {
	const char *profile = "[vrf mgmt]\ntable = 100\n[nic e1]\nvrf = mgmt\n[dummy d0]\nvrf = mgmt\n"
	                      "[route r]\nto = 10.1.0.0/16\ndev = e1\nvrf = mgmt\n";
	struct run x;
	struct link *l;

	(void)state;
	run_init(&x, profile);
	st_link(x.st, NULL, "e1", LINK_NIC, 2);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link d0: create dummy\n"
	                    "live link mgmt: create vrf (table 100)\n"
	                    "live link e1: enslave to mgmt\n"
	                    "live link d0: enslave to mgmt\n"
	                    "live link d0: up\n"
	                    "live link mgmt: up\n"
	                    "live route r: add 10.1.0.0/16 dev e1 table 100\n");
	run_fini(&x);

	/* as applied: a new table, then down */
	run_init(&x, profile);
	l = st_link(x.st, NULL, "mgmt", LINK_VRF, 3);
	l->up = true;
	l->u.vrf.table = 101;
	l = st_link(x.st, NULL, "e1", LINK_NIC, 2);
	snprintf(l->master, IFNAMSIZ, "mgmt");
	l->master_ifindex = 3;
	assert_int_equal(namelist_add(&x.st->ns[0].links[1].u.vrf.ports, "e1"), 0);
	assert_int_equal(owner_add_link(x.o, NULL, "mgmt", LINK_VRF), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	{
		char *got = plan_text(x.plan);

		assert_non_null(strstr(got, "link mgmt: delete vrf"));
		assert_non_null(strstr(got, "link mgmt: create vrf (table 100)"));
		assert_true(strstr(got, "link mgmt: create vrf") < strstr(got, "link e1: enslave to mgmt"));
		free(got);
	}
	plan_free(x.plan);
	route_index_fini(&x.ix);
	run_plan(&x, PLAN_DOWN);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link mgmt: delete vrf\n");      /* the kernel frees its members */
	run_fini(&x);
}

static void test_dropped_removed(void **state) {
	struct run x;
	struct link *l;
	struct ipaddr ip;

	(void)state;
	run_init(&x, "[veth v0]\npeer = v1\n");
	l = st_link(x.st, NULL, "v0", LINK_VETH, 2);
	l->up = true;
	snprintf(l->u.veth.peer, IFNAMSIZ, "v1");
	st_link(x.st, NULL, "v1", LINK_VETH, 3)->up = true;
	st_link(x.st, NULL, "br9", LINK_BRIDGE, 4)->up = true;
	st_addr(x.st, NULL, "v0", "10.0.0.1/24");
	st_route(x.st, NULL, "10.5.0.0/16", NULL, "br9", 100, RTPROT_HANET);
	assert_int_equal(owner_add_link(x.o, NULL, "v0", LINK_VETH), 0);
	assert_int_equal(owner_add_link(x.o, NULL, "br9", LINK_BRIDGE), 0);
	assert_int_equal(parse_prefix("10.0.0.1/24", true, &ip), 0);
	assert_int_equal(owner_add_addr(x.o, NULL, "v0", &ip, false), 0);
	{
		struct route_key k;

		route_key_of(&x.st->ns[0].routes[0], &k);
		assert_int_equal(owner_add_route(x.o, NULL, &k), 0);
	}
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live route 10.5.0.0/16 dev br9 table 100: remove\n"
	                    "live addr 10.0.0.1/24 dev v0: remove\n"
	                    "live link br9: delete bridge\n");
	plan_free(x.plan);
	route_index_fini(&x.ix);

	/* down: everything owned goes, upper devices first */
	run_plan(&x, PLAN_DOWN);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live route 10.5.0.0/16 dev br9 table 100: remove\n"
	                    "live addr 10.0.0.1/24 dev v0: remove\n"
	                    "live link br9: delete bridge\n"
	                    "live link v0: delete veth\n");
	run_fini(&x);
}

static void test_disruption(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	/* a macvlan mode changes live; into passthru only by recreating */
	run_init(&x, "[nic eth0]\n[macvlan m0]\nlink = eth0\nmode = private\n");
	st_link(x.st, NULL, "eth0", LINK_NIC, 2)->up = true;
	l = st_link(x.st, NULL, "m0", LINK_MACVLAN, 3);
	l->up = true;
	snprintf(l->u.macvlan.link, IFNAMSIZ, "eth0");
	l->u.macvlan.mode = MACVLAN_MODE_BRIDGE;
	l->u.macvlan.set = MACVLAN_SET_MODE;
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link m0: change macvlan mode bridge -> private\n");
	plan_free(x.plan);
	route_index_fini(&x.ix);
	profile_free(x.p);
	x.p = load_ok("[nic eth0]\n[macvlan m0]\nlink = eth0\nmode = passthru\n");
	/* hanet did not create m0: it may not delete it */
	run_plan(&x, 0);
	assert_int_equal(x.r, -EBUSY);
	route_index_fini(&x.ix);
	assert_int_equal(owner_add_link(x.o, NULL, "m0", LINK_MACVLAN), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "recreate link m0: delete macvlan (recreate: mode bridge -> passthru)\n"
	                    "recreate link m0: create macvlan (link eth0 mode passthru)\n"
	                    "live link m0: up\n");
	run_fini(&x);

	/* a veth whose peer moves: recreate, and its address comes back */
	run_init(&x, "[netns b]\n[veth v0]\npeer = v1\npeer_netns = b\naddresses = 10.0.0.1/24\n");
	st_ns(x.st, "b");
	st_link(x.st, "b", "lo", LINK_NIC, 1)->up = true;
	l = st_link(x.st, NULL, "v0", LINK_VETH, 2);
	l->up = true;
	snprintf(l->u.veth.peer, IFNAMSIZ, "v1");
	st_link(x.st, NULL, "v1", LINK_VETH, 3)->up = true;
	st_addr(x.st, NULL, "v0", "10.0.0.1/24");
	assert_int_equal(owner_add_link(x.o, NULL, "v0", LINK_VETH), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "recreate link v0: delete veth (recreate: peer netns (current) -> b)\n"
	                    "recreate link v0: create veth (peer v1 in netns b)\n"
	                    "live link v0: up\n"
	                    "live link v1 (netns b): up\n"
	                    "live addr 10.0.0.1/24 dev v0: add\n");
	/* the delete knows what the kernel takes with it, for its undo */
	assert_int_equal(x.plan->v[0].n_lost_addrs, 1);
	assert_non_null(x.plan->v[0].have);
	assert_string_equal(x.plan->v[0].have->name, "v1");
	run_fini(&x);
}

static void test_upper_of_recreated(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	/* v0 is made again (its peer moves): the macvlan on it goes first and
	 * comes back after it */
	run_init(&x, "[netns b]\n[veth v0]\npeer = v1\npeer_netns = b\n[macvlan m0]\nlink = v0\nmode = bridge\n");
	st_ns(x.st, "b");
	st_link(x.st, "b", "lo", LINK_NIC, 1)->up = true;
	l = st_link(x.st, NULL, "v0", LINK_VETH, 2);
	l->up = true;
	snprintf(l->u.veth.peer, IFNAMSIZ, "v1");
	st_link(x.st, NULL, "v1", LINK_VETH, 3)->up = true;
	l = st_link(x.st, NULL, "m0", LINK_MACVLAN, 4);
	l->up = true;
	snprintf(l->u.macvlan.link, IFNAMSIZ, "v0");
	l->u.macvlan.mode = MACVLAN_MODE_BRIDGE;
	l->u.macvlan.set = MACVLAN_SET_MODE;
	assert_int_equal(owner_add_link(x.o, NULL, "v0", LINK_VETH), 0);
	assert_int_equal(owner_add_link(x.o, NULL, "m0", LINK_MACVLAN), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "recreate link m0: delete macvlan (its lower device v0 goes)\n"
	                    "recreate link v0: delete veth (recreate: peer netns (current) -> b)\n"
	                    "recreate link v0: create veth (peer v1 in netns b)\n"
	                    "live link m0: create macvlan (link v0 mode bridge)\n"
	                    "live link v0: up\n"
	                    "live link v1 (netns b): up\n"
	                    "live link m0: up\n");
	run_fini(&x);

	/* a device hanet did not create on it: no recreate */
	run_init(&x, "[netns b]\n[veth v0]\npeer = v1\npeer_netns = b\n");
	st_ns(x.st, "b");
	l = st_link(x.st, NULL, "v0", LINK_VETH, 2);
	snprintf(l->u.veth.peer, IFNAMSIZ, "v1");
	st_link(x.st, NULL, "v1", LINK_VETH, 3);
	l = st_link(x.st, NULL, "theirs", LINK_MACVLAN, 4);
	snprintf(l->u.macvlan.link, IFNAMSIZ, "v0");
	assert_int_equal(owner_add_link(x.o, NULL, "v0", LINK_VETH), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, -EBUSY);
	assert_non_null(strstr(x.err, "would delete theirs, which hanet did not create"));
	run_fini(&x);
}

static void test_nic_keys(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	/* only the declared keys; the state of an undeclared nic is left */
	run_init(&x, "[nic eth0]\nmtu = 9000\n");
	l = st_link(x.st, NULL, "eth0", LINK_NIC, 2);
	l->up = false;
	l->alias = strdup("theirs");
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link eth0: set mtu 9000 (was 1500)\n");
	assert_int_equal(x.plan->v[0].nic_keys, LINK_SET_MTU);
	assert_non_null(x.plan->v[0].nic_before);
	run_fini(&x);

	/* a missing nic is an error that names it */
	run_init(&x, "[nic eth7]\nmtu = 9000\n");
	run_plan(&x, 0);
	assert_int_equal(x.r, -ENODEV);
	assert_non_null(strstr(x.err, "eth7: no such device"));
	run_fini(&x);
}

static void test_mtu_follows_kernel(void **state) {
	struct run x;

	(void)state;
	/* ports before the bridge; a bridge follows its ports' mtu (no
	 * request of its own); the macvlan's after the bridge's (it may not
	 * exceed it, and does not grow with it) */
	run_init(&x, "[nic eth1]\nmtu = 9000\n[bridge br0]\nports = eth1\nmtu = 9000\n"
	             "[macvlan m0]\nlink = br0\nmtu = 9000\n");
	st_link(x.st, NULL, "eth1", LINK_NIC, 2);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link br0: create bridge\n"
	                    "live link m0: create macvlan (link br0)\n"
	                    "live link eth1: enslave to br0\n"
	                    "live link eth1: set mtu 9000 (was 1500)\n"
	                    "live link m0: set mtu 9000 (was 1500)\n"
	                    "live link br0: up\n"
	                    "live link m0: up\n");
	run_fini(&x);
}

/* A link with a MAC address, as observe reads it. */
static struct link *st_link_mac(struct state *st, const char *netns, const char *name, enum link_kind kind, int ifindex,
                                const char *mac) {
	struct link *l = st_link(st, netns, name, kind, ifindex);

	assert_int_equal(parse_mac(mac, l->mac), 0);
	l->set |= LINK_SET_MAC;
	l->up = true;
	return l;
}

/* team0 (activebackup, ports t1 and t2, MAC T) as an apply leaves it */
static void st_team(struct state *st, const char *mac) {
	struct link *l = st_link_mac(st, NULL, "team0", LINK_TEAM, 4, mac);

	l->u.team.set = TEAM_SET_MODE;
	l->u.team.mode = TEAM_MODE_ACTIVEBACKUP;
	assert_int_equal(namelist_add(&l->u.team.ports, "t1"), 0);
	assert_int_equal(namelist_add(&l->u.team.ports, "t2"), 0);
	snprintf(l->u.team.active_port, IFNAMSIZ, "t1");
}

static void owner_port(struct owner *o, const char *name, const char *mac) {
	struct link have = { .up = true };

	snprintf(have.name, IFNAMSIZ, "%s", name);
	assert_int_equal(parse_mac(mac, have.mac), 0);
	assert_int_equal(owner_note_nic(o, NULL, &have, LINK_SET_MAC | LINK_SET_STATE | NIC_ORIG_MASTER, NULL), 0);
}

#define T_AB "[team team0]\nmode = activebackup\nports = t1, t2\n"
#define MAC_T "02:50:00:00:00:11"

static void test_team_port_mac(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	/* a new team without `mac =`: its ports take the address the kernel
	 * gives it, read when the step runs; recorded, they are not hanet's */
	run_init(&x, T_AB);
	st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, "02:00:00:00:00:01");
	st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, "02:00:00:00:00:02");
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link team0: create team\n"
	                    "live link t1: down\n"
	                    "live link t1: set mac of team0 (was 02:00:00:00:00:01)\n"
	                    "live link t1: enslave to team0\n"
	                    "live link t2: down\n"
	                    "live link t2: set mac of team0 (was 02:00:00:00:00:02)\n"
	                    "live link t2: enslave to team0\n"
	                    "live link team0: team settings with its ports attached\n"
	                    "live link team0: up\n");
	assert_string_equal(x.plan->v[2].mac_of, "team0");
	assert_int_equal(x.plan->v[2].nic_keys, LINK_SET_MAC);
	assert_non_null(x.plan->v[2].nic_before);
	assert_false(x.plan->v[2].old_mac_unknown);
	run_fini(&x);

	/* with `mac =`: that address, known when planning */
	run_init(&x, T_AB "mac = " MAC_T "\n");
	st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, "02:00:00:00:00:01");
	st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, MAC_T);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link team0: create team\n"
	                    "live link t1: down\n"
	                    "live link t1: set mac " MAC_T " (was 02:00:00:00:00:01)\n"
	                    "live link t1: enslave to team0\n"
	                    "live link t2: down\n"
	                    "live link t2: enslave to team0\n"
	                    "live link team0: team settings with its ports attached\n"
	                    "live link team0: up\n");
	assert_string_equal(x.plan->v[2].mac_of, "");
	run_fini(&x);

	/* applied: a port with the team's address is no drift; one with
	 * another is set again, live */
	run_init(&x, T_AB);
	st_team(x.st, MAC_T);
	st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, MAC_T);
	l = st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, MAC_T);
	snprintf(x.st->ns[0].links[2].master, IFNAMSIZ, "team0");
	snprintf(l->master, IFNAMSIZ, "team0");
	assert_int_equal(owner_add_link(x.o, NULL, "team0", LINK_TEAM), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "");
	plan_free(x.plan);
	route_index_fini(&x.ix);
	l->mac[5] = 0x99;
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link t2: set mac " MAC_T " (was 02:50:00:00:00:99)\n");
	run_fini(&x);

	/* the team's own address changes: its ports follow */
	run_init(&x, T_AB "mac = 02:50:00:00:00:22\n");
	st_team(x.st, MAC_T);
	l = st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	l = st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	assert_int_equal(owner_add_link(x.o, NULL, "team0", LINK_TEAM), 0);
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link team0: set mac 02:50:00:00:00:22 (was " MAC_T ")\n"
	                    "live link t1: set mac 02:50:00:00:00:22\n"
	                    "live link t2: set mac 02:50:00:00:00:22\n");
	/* what the kernel did to them (it passes the address on in other
	 * modes) is read when the step runs, for the undo */
	assert_true(x.plan->v[1].old_mac_unknown);
	run_fini(&x);
}

static void test_team_port_leaves(void **state) {
	struct run x;
	struct link *l;

	(void)state;
	/* the team goes; t1 stays in the profile, t2 is dropped: both get
	 * back the address and state they had, and their records go */
	run_init(&x, "[nic t1]\n");
	st_team(x.st, MAC_T);
	l = st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	l = st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	assert_int_equal(owner_add_link(x.o, NULL, "team0", LINK_TEAM), 0);
	owner_port(x.o, "t1", "02:00:00:00:00:01");
	owner_port(x.o, "t2", "02:00:00:00:00:02");
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link team0: delete team\n"
	                    "live link t2: restore mac 02:00:00:00:00:02 (was " MAC_T ")\n"
	                    "flap link t2: up\n"
	                    "live link t1: restore mac 02:00:00:00:00:01 (was " MAC_T ")\n"
	                    "live link t1: up\n");
	assert_true(x.plan->v[2].nic_restore);
	assert_int_equal(x.plan->v[3].nic_forget, LINK_SET_MAC);
	assert_int_equal(x.plan->v[4].nic_forget, LINK_SET_STATE);
	run_fini(&x);

	/* t2 leaves the team for a bond: its own address first (a bond keeps
	 * the address a slave joins with) */
	run_init(&x, "[team team0]\nmode = activebackup\nports = t1\n[bond bond0]\nmode = active-backup\nslaves = t2\n");
	st_team(x.st, MAC_T);
	l = st_link_mac(x.st, NULL, "t1", LINK_NIC, 2, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	l = st_link_mac(x.st, NULL, "t2", LINK_NIC, 3, MAC_T);
	snprintf(l->master, IFNAMSIZ, "team0");
	assert_int_equal(owner_add_link(x.o, NULL, "team0", LINK_TEAM), 0);
	owner_port(x.o, "t1", "02:00:00:00:00:01");
	owner_port(x.o, "t2", "02:00:00:00:00:02");
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	assert_plan(x.plan, "live link bond0: create bond (mode active-backup)\n"
	                    "live link t2: release from team0\n"
	                    "live link t2: restore mac 02:00:00:00:00:02 (was " MAC_T ")\n"
	                    "live link t2: enslave to bond0\n"
	                    "live link team0: team settings with its ports attached\n"
	                    "live link bond0: bond settings with its slaves attached\n"
	                    "live link bond0: up\n");
	run_fini(&x);
}

/* The records name the tables of the owned routes, kept as routes come
 * and go (no walk over every route). */
static void test_owner_route_tables(void **state) {
	static const char *const cidrs[] = { "10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24" };
	static const uint32_t tables[] = { 100, 200, 100 };
	struct route_key k[3];
	struct owner *o;
	uint32_t *t;
	size_t n;

	(void)state;
	assert_int_equal(owner_new_empty("tables", &o), 0);
	for (size_t i = 0; i < 3; i++) {
		struct route r = { .set = ROUTE_SET_TABLE | ROUTE_SET_METRIC, .table = tables[i] };

		assert_int_equal(parse_prefix(cidrs[i], true, &r.dst), 0);
		route_key_of(&r, &k[i]);
		assert_int_equal(owner_add_route(o, i == 2 ? "ns1" : NULL, &k[i]), 0);
	}
	/* a route recorded twice counts once */
	assert_int_equal(owner_add_route(o, NULL, &k[0]), 0);
	assert_int_equal(owner_route_count(o), 3);
	assert_int_equal(owner_route_tables(o, NULL, &t, &n), 0);
	assert_int_equal(n, 2);
	assert_true((t[0] == 100 && t[1] == 200) || (t[0] == 200 && t[1] == 100));
	free(t);
	assert_int_equal(owner_route_tables(o, "ns1", &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0], 100);
	free(t);
	/* the last route of a table goes: so does the table; a route of
	 * another namespace is not this one's */
	owner_del_route(o, NULL, &k[1]);
	owner_del_route(o, NULL, &k[2]);
	assert_int_equal(owner_route_tables(o, NULL, &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0], 100);
	free(t);
	owner_del_route(o, NULL, &k[0]);
	assert_int_equal(owner_route_tables(o, NULL, &t, &n), 0);
	assert_int_equal(n, 0);
	assert_null(t);
	assert_int_equal(owner_route_count(o), 1);
	owner_clear(o, NULL);
	assert_int_equal(owner_route_tables(o, "ns1", &t, &n), 0);
	assert_int_equal(n, 0);
	owner_free(o);
}

static void test_stable(void **state) {
	static const char text[] = "[netns a]\n[netns b]\n[veth v0]\nnetns = a\npeer = v1\npeer_netns = b\n"
	                           "[vip x]\naddress = 10.0.0.5/24\ndev = v0\nnetns = a\n";
	struct run x, y;
	char *a, *b;

	(void)state;
	run_init(&x, text);
	run_init(&y, text);
	run_plan(&x, 0);
	run_plan(&y, 0);
	assert_int_equal(x.r, 0);
	assert_int_equal(y.r, 0);
	a = plan_text(x.plan);
	b = plan_text(y.plan);
	assert_string_equal(a, b);
	free(a);
	free(b);
	run_fini(&x);
	run_fini(&y);
}

/* Ports a bridge lists that the profile does not declare as links are
 * added to the desired links one by one while the bridge's port list is
 * read (the array that holds the list grows meanwhile): every one of
 * them is enslaved. */
static void test_many_foreign_ports(void **state) {
	char text[4096], line[64], *expected;
	size_t len = 0;
	FILE *f;
	struct run x;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "[bridge br0]\nports = ");
	for (int i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%sp%d", i ? ", " : "", i);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	run_init(&x, text);
	/* the loader declares listed ports as implicit [nic]s; a profile
	 * view (partial plans) need not: drop them */
	for (size_t i = 0, k = 0, n_links = x.p->n_links; i < n_links; i++) {
		if (x.p->links[i].implicit) {
			link_fini(&x.p->links[i]);
			x.p->n_links--;
		} else {
			x.p->links[k++] = x.p->links[i];
		}
	}
	assert_int_equal(x.p->n_links, 1);
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "p%d", i);
		st_link(x.st, NULL, line, LINK_NIC, 10 + i);
	}
	run_plan(&x, 0);
	assert_int_equal(x.r, 0);
	f = open_memstream(&expected, &len);
	fprintf(f, "live link br0: create bridge\n");
	for (int i = 0; i < 40; i++)
		fprintf(f, "live link p%d: enslave to br0\n", i);
	fprintf(f, "live link br0: up\n");
	fclose(f);
	assert_plan(x.plan, expected);
	free(expected);
	run_fini(&x);
}

/* ---- scopes ----------------------------------------------------------------- */

struct names {
	const char *const *v;
	size_t n;
};

static bool names_has(const char *netns, void *data) {
	const struct names *x = data;

	for (size_t i = 0; i < x->n; i++)
		if (netns_eq(x->v[i], netns))
			return true;
	return false;
}

static void assert_same_scope(const struct profile_view *a, const struct state *sa, const struct profile_view *b,
                              const struct state *sb, const struct run *x) {
	struct plan_input in = { .owner = x->o };
	struct plan *pa = NULL, *pb = NULL;
	char err[512], *ta, *tb;

	assert_int_equal(a->profile.n_links, b->profile.n_links);
	for (size_t i = 0; i < a->profile.n_links; i++) {
		assert_string_equal(a->profile.links[i].name, b->profile.links[i].name);
		assert_true(netns_eq(a->profile.links[i].netns, b->profile.links[i].netns));
	}
	assert_int_equal(a->profile.n_vips, b->profile.n_vips);
	for (size_t i = 0; i < a->profile.n_vips; i++)
		assert_string_equal(a->profile.vips[i].name, b->profile.vips[i].name);
	assert_int_equal(a->profile.n_rules, b->profile.n_rules);
	for (size_t i = 0; i < a->profile.n_rules; i++)
		assert_string_equal(a->profile.rules[i].name, b->profile.rules[i].name);
	assert_int_equal(a->profile.n_netns, b->profile.n_netns);
	for (size_t i = 0; i < a->profile.n_netns; i++)
		assert_string_equal(a->profile.netns[i].name, b->profile.netns[i].name);
	assert_int_equal(a->routes.n, b->routes.n);
	for (size_t i = 0; i < a->routes.n; i++) {
		assert_ptr_equal(a->routes.v[i], b->routes.v[i]);
		assert_int_equal(a->routes.present[i], b->routes.present[i]);
	}
	assert_int_equal(sa->n_ns, sb->n_ns);
	for (size_t i = 0; i < sa->n_ns; i++) {
		assert_true(netns_eq(sa->ns[i].name, sb->ns[i].name));
		assert_int_equal(sa->ns[i].n_links, sb->ns[i].n_links);
		for (size_t j = 0; j < sa->ns[i].n_links; j++)
			assert_string_equal(sa->ns[i].links[j].name, sb->ns[i].links[j].name);
	}
	in.profile = &a->profile;
	in.routes = &a->routes;
	in.st = sa;
	assert_int_equal(plan_build(&in, &pa, err, sizeof(err)), 0);
	in.profile = &b->profile;
	in.routes = &b->routes;
	in.st = sb;
	assert_int_equal(plan_build(&in, &pb, err, sizeof(err)), 0);
	ta = plan_text(pa);
	tb = plan_text(pb);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	plan_free(pa);
	plan_free(pb);
}

/* A scope of a few namespaces built from the scope index (the watch's
 * repairs) is the one a pass over the whole profile builds: the same
 * objects in the same order, the same observed namespaces, shadows of
 * the peers' namespaces and plan. */
static void test_scope_named(void **state) {
	static const char *const s1[] = { "qr-1" }, *const s2[] = { "qr-3", "qr-0" }, *const s3[] = { NULL },
	                         *const s4[] = { "brns" }, *const s5[] = { "qr-2", "brns" };
	static const char *const s6[] = { "qr-1", "qr-9" };     /* qr-9: declared, not observed */
	static const struct names scopes[] = { { s1, 1 }, { s2, 2 }, { s3, 1 }, { s4, 1 }, { s5, 2 }, { s6, 2 } };
	/* bulk routes ([routes] files): after the sections in the index */
	static const char *const bulk_ns[] = { "qr-1", "brns", "qr-3", "qr-1" };
	struct route bulk[4];
	const struct route *all[32];
	size_t bulk_file[4] = { 0, 1, 0, 1 }, n_all = 0;
	struct route_index bix = { 0 };
	struct scope_index *ix = NULL;
	char text[8192], name[IFNAMSIZ], peer[IFNAMSIZ], rg[IFNAMSIZ];
	struct run x;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "[netns brns]\n[netns qr-9]\n[bridge br0]\nnetns = brns\nports = rp-0, rp-1, rp-2, rp-3\n"
	                                 "[veth h0]\npeer = h1\npeer_netns = qr-2\naddresses = 192.0.2.1/24\n");
	for (int i = 0; i < 4; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		              "[netns qr-%d]\n[veth rg-%d]\nnetns = qr-%d\npeer = rp-%d\naddresses = 10.%d.0.1/24\n"
		              "[veth rp-%d]\nnetns = brns\npeer = rg-%d\n"
		              "[vip vip-%d]\naddress = 10.%d.0.100/24\ndev = rg-%d\nnetns = qr-%d\n"
		              "[route r-%d]\nto = 172.16.%d.0/24\nvia = 10.%d.0.254\ndev = rg-%d\nnetns = qr-%d\n"
		              "[rule rule-%d]\nfrom = 10.%d.0.0/24\ntable = 100\npriority = 1000\nnetns = qr-%d\n",
		              i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i);
	assert_true((size_t)n < sizeof(text));
	run_init(&x, text);
	st_veth(x.st, NULL, "h0", 2, "h1", "qr-2");
	st_link(x.st, "brns", "lo", LINK_NIC, 1);
	st_link(x.st, "brns", "br0", LINK_BRIDGE, 2);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "qr-%d", i);
		snprintf(peer, sizeof(peer), "rp-%d", i);
		snprintf(rg, sizeof(rg), "rg-%d", i);
		snprintf(st_veth(x.st, "brns", peer, 3 + i, rg, name)->master, IFNAMSIZ, "br0");
		st_link(x.st, name, "lo", LINK_NIC, 1);
		st_veth(x.st, name, rg, 2, peer, "brns");
		if (i == 2)
			st_veth(x.st, name, "h1", 3, "h0", NULL);
	}
	run_plan(&x, 0);
	if (x.r != 0)
		fprintf(stderr, "plan: %s\n", x.err);
	assert_int_equal(x.r, 0);
	assert_int_equal(scope_index_build(x.p, &ix), 0);
	assert_true(scope_index_valid(ix, x.p));
	for (size_t i = 0; i < x.p->n_routes; i++)
		all[n_all++] = &x.p->routes[i];
	for (size_t i = 0; i < ARRAY_SIZE(bulk); i++) {
		char cidr[32];

		memset(&bulk[i], 0, sizeof(bulk[i]));
		snprintf(cidr, sizeof(cidr), "172.30.%zu.0/24", i);
		assert_int_equal(parse_prefix(cidr, true, &bulk[i].dst), 0);
		bulk[i].set = ROUTE_SET_TABLE;
		bulk[i].table = 200;
		bulk[i].netns = bulk_ns[i];
		all[n_all++] = &bulk[i];
	}
	assert_int_equal(route_index_build(&bix, all, n_all, NULL, 0), 0);
	for (int with_bulk = 0; with_bulk < 2; with_bulk++)
		for (size_t k = 0; k < ARRAY_SIZE(scopes); k++) {
			const struct route_index *rix = with_bulk ? &bix : &x.ix;
			size_t nb = with_bulk ? ARRAY_SIZE(bulk) : 0;
			const size_t *bf = with_bulk ? bulk_file : NULL;
			struct profile_view *va = NULL, *vb = NULL;
			struct state *sa = NULL, *sb = NULL;

			assert_int_equal(profile_scope_build(x.p, rix, nb, bf, x.st, names_has, (void *)&scopes[k], &va, &sa), 0);
			assert_int_equal(
			        profile_scope_build_named(x.p, ix, rix, nb, bf, x.st, scopes[k].v, scopes[k].n, &vb, &sb), 0);
			assert_true(va->profile.n_links > 0 || k == 5);
			assert_same_scope(va, sa, vb, sb, &x);
			assert_int_equal(va->n_bulk, vb->n_bulk);
			for (size_t i = 0; i < va->n_bulk; i++)
				assert_int_equal(va->bulk_file[i], vb->bulk_file[i]);
			if (with_bulk && k == 0)
				assert_int_equal(vb->n_bulk, 2);        /* qr-1's two */
			profile_view_free(va);
			profile_view_free(vb);
			state_scope_free(sa);
			state_scope_free(sb);
		}
	route_index_fini(&bix);
	scope_index_free(ix);
	run_fini(&x);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_order),    cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_foreign_left_alone), cmocka_unit_test(test_dropped_removed),
		cmocka_unit_test(test_disruption),      cmocka_unit_test(test_upper_of_recreated),
		cmocka_unit_test(test_nic_keys),        cmocka_unit_test(test_vrf),
		cmocka_unit_test(test_mtu_follows_kernel), cmocka_unit_test(test_team_port_mac),
		cmocka_unit_test(test_team_port_leaves), cmocka_unit_test(test_owner_route_tables),
		cmocka_unit_test(test_stable), cmocka_unit_test(test_many_foreign_ports),
		cmocka_unit_test(test_scope_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
