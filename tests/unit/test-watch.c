/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of watch's pure parts: the team active-backup choice
 * (team-ab.c) and the partial view of a profile (partial.c). */
#include "test-helpers.h"

#include <errno.h>
#include <stdlib.h>

#include "partial.h"
#include "route.h"
#include "observe.h"
#include "team-ab.h"

/* ---- team_ab_choose ----------------------------------------------------- */

static void test_choose(void **unused) {
	struct team_ab_port v[3] = {
		{ .ifindex = 4, .link_up = true, .priority = 10 },
		{ .ifindex = 5, .link_up = true, .priority = 5 },
		{ .ifindex = 6, .link_up = false, .priority = 20 },
	};

	(void)unused;
	/* a link first, then the priority: 6 has none, 4 wins */
	assert_int_equal(team_ab_choose(v, 3, 0), 0);
	assert_int_equal(team_ab_choose(v, 3, 5), 0);
	/* the active one loses its link */
	v[0].link_up = false;
	assert_int_equal(team_ab_choose(v, 3, 4), 1);
	/* it comes back: the higher priority takes over again */
	v[0].link_up = true;
	assert_int_equal(team_ab_choose(v, 3, 5), 0);
	/* equal priorities: the current one stays (no flapping) */
	v[1].priority = 10;
	assert_int_equal(team_ab_choose(v, 3, 5), 1);
	assert_int_equal(team_ab_choose(v, 3, 4), 0);
	/* nobody has a link: leave it as it is */
	v[0].link_up = v[1].link_up = false;
	assert_int_equal(team_ab_choose(v, 3, 4), -1);
	assert_int_equal(team_ab_choose(v, 0, 0), -1);
}

/* ---- profile_view_build ----------------------------------------------------- */

static const char partial_ini[] = "[profile]\n"
                                  "name = p\n"
                                  "[netns edge]\n"
                                  "[veth e0]\n"
                                  "peer = e0p\n"
                                  "peer_netns = edge\n"
                                  "addresses = 10.3.0.1/24\n"
                                  "[nic late0]\n"
                                  "addresses = 10.4.0.1/24\n"
                                  "[macvlan m0]\n"
                                  "link = late0\n"
                                  "[bridge br0]\n"
                                  "ports = late1, eth9\n"
                                  "[vip a]\n"
                                  "address = 10.4.0.50/24\n"
                                  "dev = m0\n"
                                  "[vip b]\n"
                                  "address = 10.3.0.50/24\n"
                                  "dev = e0\n"
                                  "[route via-late]\n"
                                  "to = 10.40.0.0/16\n"
                                  "via = 10.4.0.2\n"
                                  "dev = late0\n"
                                  "[route via-e0]\n"
                                  "to = 10.30.0.0/16\n"
                                  "via = 10.3.0.2\n"
                                  "dev = e0\n"
                                  "[rule r]\n"
                                  "from = 10.4.0.0/24\n"
                                  "table = 100\n"
                                  "priority = 100\n";

struct fixture {
	struct profile *p;
	struct route_index ix;
	struct state st;
	struct ns_state ns[2];
	struct link links[3];
};

/* The kernel as observed: eth9 exists (a port the profile names), late1
 * (another) does not, nor late0 unless asked; namespace edge does not
 * exist yet (the profile declares it). */
static void fixture_init(struct fixture *f, bool late0_there) {
	const struct route *rv[2];
	char err[256];

	memset(f, 0, sizeof(*f));
	f->p = load_ok(partial_ini);
	rv[0] = &f->p->routes[0];
	rv[1] = &f->p->routes[1];
	assert_int_equal(route_index_build(&f->ix, rv, 2, err, sizeof(err)), 0);
	f->ix.present[1] = 1;
	snprintf(f->links[0].name, IFNAMSIZ, "eth9");
	f->links[0].ifindex = 9;
	snprintf(f->links[1].name, IFNAMSIZ, "late0");
	f->links[1].ifindex = 10;
	snprintf(f->links[2].name, IFNAMSIZ, "late1");
	f->links[2].ifindex = 11;
	f->ns[0].exists = true;
	f->ns[0].links = f->links;
	f->ns[0].n_links = late0_there ? 3 : 1;
	f->ns[1].name = "edge";
	f->st.ns = f->ns;
	f->st.n_ns = 2;
}

static void fixture_fini(struct fixture *f) {
	route_index_fini(&f->ix);
	profile_free(f->p);
}

static bool view_has_link(const struct profile_view *v, const char *name) {
	for (size_t i = 0; i < v->profile.n_links; i++)
		if (strcmp(v->profile.links[i].name, name) == 0)
			return true;
	return false;
}

static const struct link *view_link(const struct profile_view *v, const char *name) {
	for (size_t i = 0; i < v->profile.n_links; i++)
		if (strcmp(v->profile.links[i].name, name) == 0)
			return &v->profile.links[i];
	return NULL;
}

static void test_view(void **unused) {
	struct profile_view *v = NULL;
	struct fixture f;
	const struct link *br;

	(void)unused;
	fixture_init(&f, false);
	assert_int_equal(profile_view_build(f.p, &f.ix, 0, NULL, &f.st, &v), 0);
	assert_string_equal(v->missing, "link late0, link late1");
	/* late0, late1 and what stands on them go; the rest stays */
	assert_false(view_has_link(v, "late0"));
	assert_false(view_has_link(v, "late1"));
	assert_false(view_has_link(v, "m0"));
	assert_true(view_has_link(v, "e0"));
	assert_true(view_has_link(v, "eth9"));
	/* the bridge keeps its other port */
	br = view_link(v, "br0");
	assert_non_null(br);
	assert_int_equal(br->u.bridge.ports.n, 1);
	assert_string_equal(br->u.bridge.ports.v[0], "eth9");
	/* the VIP on m0 goes, the one on e0 stays */
	assert_int_equal(v->profile.n_vips, 1);
	assert_string_equal(v->profile.vips[0].name, "b");
	/* the route through late0 goes; the other keeps its `present` */
	assert_int_equal(v->profile.n_routes, 1);
	assert_string_equal(v->profile.routes[0].name, "via-e0");
	assert_int_equal(v->routes.n, 1);
	assert_int_equal(v->routes.present[0], 1);
	/* rules do not need the device */
	assert_int_equal(v->profile.n_rules, 1);
	/* the profile itself is untouched */
	assert_int_equal(f.p->n_vips, 2);
	assert_int_equal(profile_find_link(f.p, NULL, "br0")->u.bridge.ports.n, 2);
	profile_view_free(v);
	fixture_fini(&f);

	/* nothing missing: no view */
	fixture_init(&f, true);
	v = NULL;
	assert_int_equal(profile_view_build(f.p, &f.ix, 0, NULL, &f.st, &v), -ENODATA);
	assert_null(v);
	fixture_fini(&f);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
