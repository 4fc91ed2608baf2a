/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the journal file of a pending change (journal-file.c):
 * what is written is read back field by field; a damaged, cut, foreign
 * or untrusted file is refused with a message, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal-file.h"
#include "plan.h"
#include "util.h"

static char dir[] = "/tmp/hanet-jfile.XXXXXX";

static void ip4(struct ipaddr *ip, const char *s, int plen) {
	ip->family = AF_INET;
	ip->plen = (uint8_t)plen;
	inet_pton(AF_INET, s, ip->a);
}

/* A plan with an action of most kinds and every nested type. */
struct fixture {
	struct plan p;
	struct action v[6];
	struct link bond, team, veth;
	char slaves[2][IFNAMSIZ], ports[2][IFNAMSIZ];
	struct ipaddr arp[1];
	int32_t prio[2];
	bool prio_set[2];
	struct route r1, r2, old1, old2, lost;
	struct nexthop nh[2];
	const struct route *routes[2], *old_routes[2], *lost_routes[1];
	struct addr lost_addr;
	struct rule rule;
	char del_ports[1][IFNAMSIZ];
	struct act_dev disturbed[2];
};

static void fixture_init(struct fixture *f) {
	memset(f, 0, sizeof(*f));
	/* a bond with two slaves */
	snprintf(f->bond.name, IFNAMSIZ, "bond0");
	f->bond.kind = LINK_BOND;
	f->bond.netns = "ns1";
	f->bond.set = LINK_SET_MTU;
	f->bond.mtu = 9000;
	f->bond.up = true;
	f->bond.alias = (char *)"uplink";
	f->bond.link_netnsid = -1;
	f->bond.u.bond.set = 1ull << BOND_OPT_MODE | 1ull << BOND_OPT_MIIMON;
	f->bond.u.bond.val[BOND_OPT_MODE] = 1;
	f->bond.u.bond.val[BOND_OPT_MIIMON] = 100;
	ip4(&f->arp[0], "10.0.0.9", 32);
	f->bond.u.bond.arp_ip_target = f->arp;
	f->bond.u.bond.n_arp_ip_target = 1;
	snprintf(f->slaves[0], IFNAMSIZ, "eth0");
	snprintf(f->slaves[1], IFNAMSIZ, "eth1");
	f->bond.u.bond.slaves.v = f->slaves;
	f->bond.u.bond.slaves.n = 2;
	/* a team with port priorities */
	snprintf(f->team.name, IFNAMSIZ, "team0");
	f->team.kind = LINK_TEAM;
	f->team.u.team.mode = TEAM_MODE_ACTIVEBACKUP;
	snprintf(f->ports[0], IFNAMSIZ, "p0");
	snprintf(f->ports[1], IFNAMSIZ, "p1");
	f->team.u.team.ports.v = f->ports;
	f->team.u.team.ports.n = 2;
	f->prio[0] = -5;
	f->prio[1] = 7;
	f->prio_set[1] = true;
	f->team.u.team.port_priority = f->prio;
	f->team.u.team.port_priority_set = f->prio_set;
	/* a veth whose peer is in the current namespace ("") */
	snprintf(f->veth.name, IFNAMSIZ, "v0");
	f->veth.kind = LINK_VETH;
	snprintf(f->veth.u.veth.peer, IFNAMSIZ, "v1");
	f->veth.u.veth.peer_netns = "";
	f->veth.u.veth.peer_ifindex = 12;
	/* routes, one with two next hops */
	ip4(&f->r1.dst, "10.1.0.0", 16);
	ip4(&f->r1.via, "10.0.0.2", 32);
	snprintf(f->r1.dev, IFNAMSIZ, "v0");
	f->r1.table = 100;
	f->r1.protocol = 99;
	f->r2 = f->r1;
	ip4(&f->r2.dst, "10.2.0.0", 16);
	ip4(&f->nh[0].via, "10.0.0.3", 32);
	ip4(&f->nh[1].via, "10.0.0.4", 32);
	f->nh[1].weight = 3;
	f->r2.nexthops = f->nh;
	f->r2.n_nexthops = 2;
	f->old1 = f->r1;
	f->old1.metric = 5;
	f->old2 = f->r2;
	f->old2.nexthops = NULL;
	f->old2.n_nexthops = 0;
	f->lost = f->r1;
	f->lost.netns = "ns1";
	f->routes[0] = &f->r1;
	f->routes[1] = &f->r2;
	f->old_routes[0] = &f->old1;
	f->old_routes[1] = &f->old2;
	f->lost_routes[0] = &f->lost;
	ip4(&f->lost_addr.ip, "10.0.0.1", 24);
	snprintf(f->lost_addr.dev, IFNAMSIZ, "v0");
	f->lost_addr.preferred_lft = UINT32_MAX;
	snprintf(f->del_ports[0], IFNAMSIZ, "eth0");
	f->disturbed[0].netns = "ns1";
	snprintf(f->disturbed[0].name, IFNAMSIZ, "v0");
	snprintf(f->disturbed[1].name, IFNAMSIZ, "v0.100");

	f->v[0] = (struct action){ .type = ACT_NETNS_ADD, .netns = "ns1", .text = (char *)"netns ns1: create" };
	f->v[1] = (struct action){ .type = ACT_LINK_CREATE, .link = &f->bond, .sock_netns = "", .text = (char *)"create" };
	f->v[2] = (struct action){ .type = ACT_LINK_KIND, .link = &f->team, .have = &f->team, .text = (char *)"kind" };
	f->v[3] = (struct action){ .type = ACT_ROUTE_REPLACE, .routes = f->routes, .old_routes = f->old_routes,
	                           .n_routes = 2, .text = (char *)"routes" };
	f->v[4] = (struct action){ .type = ACT_LINK_DELETE, .level = DISRUPT_RECREATE, .link = &f->veth, .name = "v0",
	                           .ports = f->del_ports, .n_ports = 1, .lost_addrs = &f->lost_addr, .n_lost_addrs = 1,
	                           .lost_routes = f->lost_routes, .n_lost_routes = 1, .disturbed = f->disturbed,
	                           .n_disturbed = 2, .stay_down = f->disturbed + 1,
	                           .n_stay_down = 1, .text = (char *)"delete" };
	f->v[5] = (struct action){ .type = ACT_LINK_SET, .name = "v0", .set = LINK_SET_MAC | LINK_SET_ALIAS,
	                           .old_alias = (char *)"", .old_mac_unknown = true, .text = (char *)"set" };
	ip4(&f->rule.from, "10.0.0.0", 24);
	f->rule.fwmask = 0xffffffff;
	f->v[5].rule = &f->rule;
	f->p.v = f->v;
	f->p.n = 6;
}

static const struct jfile_head head = { .profile = "c", .id = { 1, 2, 3 }, .pid = 42, .start = 4242, .created_ns = 7 };
/* a route in a table the plan does not use, saved before the first step */
static const struct route saved_route = { .dst = { .family = AF_INET6, .plen = 64, .a = { 0x20, 0x01, 0x0d, 0xb8, 5 } },
                                          .dev = "v0.100", .netns = "ns1", .table = 501, .metric = 7,
                                          .set = ROUTE_SET_DEV, .protocol = 4 };
static const struct route *const saved_routes[] = { &saved_route };
static const struct apply_records rec = { .owned = "netns ns1\n", .owned_len = 10, .routes_saved = true,
                                          .saved_routes = saved_routes, .n_saved_routes = 1 };

static void write_journal(const char *path, size_t *ret_size) {
	static const uint8_t ok[2] = { 1, 0 }, mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct fixture f;
	struct stat sb;
	int fd;

	fixture_init(&f);
	unlink(path);
	assert_int_equal(jfile_create(path, &head, &f.p, &rec, &fd), 0);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(jfile_append_event(fd, APPLY_STEP_BEGIN, i, NULL, 0, NULL), 0);
	assert_int_equal(jfile_append_event(fd, APPLY_STEP_DONE, 3, ok, 2, NULL), 0);
	assert_int_equal(jfile_append_event(fd, APPLY_STEP_DONE, 5, NULL, 0, mac), 0);
	assert_int_equal(jfile_append_waiter(fd, 77, 7777, 123456789), 0);
	assert_int_equal(jfile_append_event(fd, APPLY_UNDO_BEGIN, 5, NULL, 0, NULL), 0);
	assert_int_equal(jfile_append_event(fd, APPLY_UNDO_DONE, 5, NULL, 0, NULL), 0);
	close(fd);
	/* never over another change's journal */
	fixture_init(&f);
	assert_int_equal(jfile_create(path, &head, &f.p, &rec, &fd), -EEXIST);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	*ret_size = (size_t)sb.st_size;
}

static void test_round_trip(void **state) {
	char path[256], err[256];
	struct jfile *j = NULL;
	const struct action *a;
	size_t size;

	(void)state;
	snprintf(path, sizeof(path), "%s/c.journal", dir);
	write_journal(path, &size);
	assert_int_equal(jfile_read(path, &j, err, sizeof(err)), 0);
	assert_string_equal(j->head.profile, "c");
	assert_int_equal(j->head.id[2], 3);
	assert_int_equal(j->head.pid, 42);
	assert_int_equal(j->head.start, 4242);
	assert_true(j->waiting);
	assert_int_equal(j->waiter_pid, 77);
	assert_int_equal(j->waiter_start, 7777);
	assert_int_equal(j->deadline_ns, 123456789);
	assert_int_equal(j->rec.owned_len, 10);
	assert_memory_equal(j->rec.owned, "netns ns1\n", 10);
	assert_true(j->rec.routes_saved);
	assert_null(j->rec.routes);
	assert_int_equal(j->rec.n_saved_routes, 1);
	assert_string_equal(j->rec.saved_routes[0]->netns, "ns1");
	assert_string_equal(j->rec.saved_routes[0]->dev, "v0.100");
	assert_int_equal(j->rec.saved_routes[0]->table, 501);
	assert_int_equal(j->rec.saved_routes[0]->metric, 7);
	assert_int_equal(j->rec.saved_routes[0]->protocol, 4);
	assert_int_equal(j->rec.saved_routes[0]->dst.family, AF_INET6);
	assert_int_equal(j->rec.saved_routes[0]->dst.a[4], 5);
	assert_int_equal(j->n_actions, 6);
	assert_int_equal(j->steps[0].state, JSTEP_BEGUN);
	assert_int_equal(j->steps[3].state, JSTEP_DONE);
	assert_int_equal(j->steps[3].ok[0], 1);
	assert_int_equal(j->steps[3].ok[1], 0);
	assert_int_equal(j->steps[5].state, JSTEP_UNDONE);
	assert_true(j->steps[5].old_mac_read);
	assert_int_equal(j->steps[5].old_mac[5], 9);

	a = &j->actions[0];
	assert_int_equal(a->type, ACT_NETNS_ADD);
	assert_string_equal(a->netns, "ns1");
	a = &j->actions[1];
	assert_int_equal(a->type, ACT_LINK_CREATE);
	assert_string_equal(a->sock_netns, "");
	assert_string_equal(a->link->name, "bond0");
	assert_string_equal(a->link->netns, "ns1");
	assert_int_equal(a->link->mtu, 9000);
	assert_string_equal(a->link->alias, "uplink");
	assert_int_equal(a->link->link_netnsid, -1);
	assert_int_equal(a->link->u.bond.val[BOND_OPT_MIIMON], 100);
	assert_int_equal(a->link->u.bond.n_arp_ip_target, 1);
	assert_int_equal(a->link->u.bond.slaves.n, 2);
	assert_string_equal(a->link->u.bond.slaves.v[1], "eth1");
	a = &j->actions[2];
	assert_int_equal(a->link->u.team.ports.n, 2);
	assert_string_equal(a->link->u.team.ports.v[0], "p0");
	assert_int_equal(a->link->u.team.port_priority[0], -5);
	assert_false(a->link->u.team.port_priority_set[0]);
	assert_true(a->have->u.team.port_priority_set[1]);
	a = &j->actions[3];
	assert_int_equal(a->n_routes, 2);
	assert_int_equal(a->routes[1]->n_nexthops, 2);
	assert_int_equal(a->routes[1]->nexthops[1].weight, 3);
	assert_int_equal(a->old_routes[0]->metric, 5);
	assert_int_equal(a->routes[0]->table, 100);
	assert_int_equal(a->routes[0]->protocol, 99);
	assert_null(a->routes[0]->netns);
	a = &j->actions[4];
	assert_int_equal(a->level, DISRUPT_RECREATE);
	assert_string_equal(a->link->u.veth.peer_netns, "");
	assert_int_equal(a->link->u.veth.peer_ifindex, 12);
	assert_int_equal(a->n_ports, 1);
	assert_string_equal(a->ports[0], "eth0");
	assert_int_equal(a->n_lost_addrs, 1);
	assert_int_equal(a->lost_addrs[0].preferred_lft, UINT32_MAX);
	assert_int_equal(a->n_lost_routes, 1);
	assert_string_equal(a->lost_routes[0]->netns, "ns1");
	assert_int_equal(a->n_disturbed, 2);
	assert_string_equal(a->disturbed[0].netns, "ns1");
	assert_string_equal(a->disturbed[0].name, "v0");
	assert_null(a->disturbed[1].netns);
	assert_string_equal(a->disturbed[1].name, "v0.100");
	assert_int_equal(a->n_stay_down, 1);
	assert_string_equal(a->stay_down[0].name, "v0.100");
	a = &j->actions[5];
	assert_string_equal(a->old_alias, "");
	assert_null(a->alias);
	assert_true(a->old_mac_unknown);
	assert_non_null(a->rule);
	assert_int_equal(a->rule->fwmask, 0xffffffff);
	assert_null(j->actions[4].rule);
	assert_string_equal(a->text, "set");
	jfile_free(j);
	unlink(path);
}

static uint8_t *slurp(const char *path, size_t *ret) {
	struct stat sb;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*ret = (size_t)sb.st_size;
	return buf;
}

static void test_damaged(void **state) {
	char path[256], err[256];
	struct jfile *j = NULL;
	uint8_t *buf, *copy;
	size_t size, n_ok = 0;
	uint32_t seed = 1;

	(void)state;
	snprintf(path, sizeof(path), "%s/d.journal", dir);
	write_journal(path, &size);
	buf = slurp(path, &size);
	copy = malloc(size);
	assert_non_null(copy);

	/* not a journal, another version */
	assert_int_equal(jfile_parse((const uint8_t *)"hello", 5, &j, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "not a hanet journal");
	memcpy(copy, buf, size);
	copy[8] = 2;
	assert_int_equal(jfile_parse(copy, size, &j, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "journal version 2, this hanet reads version 1");
	/* a byte changed in the head: its checksum */
	memcpy(copy, buf, size);
	copy[30] ^= 0x40;
	assert_int_equal(jfile_parse(copy, size, &j, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "record 1"));
	assert_non_null(strstr(err, "bad checksum"));

	/* cut anywhere: before the last action, an error; among the events,
	 * the record cut is left out (its writer died writing it) */
	for (size_t cut = 0; cut < size; cut++) {
		int r = jfile_parse(buf, cut, &j, err, sizeof(err));

		if (r == 0) {
			n_ok++;
			assert_int_equal(j->n_actions, 6);
			jfile_free(j);
		} else {
			assert_int_equal(r, -EBADMSG);
			assert_true(err[0] != '\0');
		}
	}
	assert_true(n_ok > 0 && n_ok < size);

	/* random damage, many times over: a clean answer every time */
	for (int round = 0; round < 20000; round++) {
		int flips = 1 + round % 4;

		memcpy(copy, buf, size);
		while (flips--) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % size] ^= (uint8_t)(1u << ((seed >> 4) % 8));
		}
		if (jfile_parse(copy, size, &j, err, sizeof(err)) == 0)
			jfile_free(j);
	}
	free(copy);
	free(buf);

	/* a file others could have written is not trusted */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(jfile_read(path, &j, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not trusted"));
	unlink(path);
	/* a FIFO is refused without blocking */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(jfile_read(path, &j, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "not a regular file");
	unlink(path);
}

/* A record cut short by a writer that died, then more records appended
 * after it (the rollback of a change whose waiting process died writing
 * an event): every good record is read, the torn one left out. */
static void test_torn_then_appended(void **state) {
	char path[256], err[256];
	struct jfile *j = NULL;
	uint8_t *buf;
	size_t size, size2;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/t.journal", dir);
	write_journal(path, &size);
	buf = slurp(path, &size);
	/* the head of a record and half its payload: the last record again */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf + size - 20, 14), 14);
	close(fd);
	/* appended as a rollback does: after whatever is there */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(jfile_append_event(fd, APPLY_UNDO_BEGIN, 3, NULL, 0, NULL), 0);
	assert_int_equal(jfile_append_event(fd, APPLY_UNDO_DONE, 3, NULL, 0, NULL), 0);
	close(fd);
	assert_int_equal(jfile_read(path, &j, err, sizeof(err)), 0);
	assert_int_equal(j->steps[3].state, JSTEP_UNDONE);
	assert_int_equal(j->steps[5].state, JSTEP_UNDONE);
	assert_true(j->waiting);
	jfile_free(j);

	/* torn again; opened for appending, the torn tail goes first */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf + size - 20, 9), 9);
	close(fd);
	free(buf);
	buf = slurp(path, &size);
	assert_int_equal(jfile_open_append(path, &fd), 0);
	buf = (free(buf), slurp(path, &size2));
	assert_int_equal(size2, size - 9);
	assert_int_equal(jfile_append_event(fd, APPLY_UNDO_BEGIN, 0, NULL, 0, NULL), 0);
	close(fd);
	assert_int_equal(jfile_read(path, &j, err, sizeof(err)), 0);
	assert_int_equal(j->steps[0].state, JSTEP_UNDO_BEGUN);
	jfile_free(j);

	/* a write cut short (the file size limit) leaves nothing behind */
	{
		struct rlimit old, lim;

		signal(SIGXFSZ, SIG_IGN);
		assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
		lim = old;
		lim.rlim_cur = (rlim_t)size2 + 30 + 5;
		assert_int_equal(jfile_open_append(path, &fd), 0);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		assert_true(jfile_append_event(fd, APPLY_UNDO_DONE, 0, NULL, 0, NULL) < 0);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		signal(SIGXFSZ, SIG_DFL);
		close(fd);
		free(buf);
		buf = slurp(path, &size);
		assert_int_equal(jfile_read(path, &j, err, sizeof(err)), 0);
		assert_int_equal(j->steps[0].state, JSTEP_UNDO_BEGUN);
		jfile_free(j);
		assert_int_equal(jfile_open_append(path, &fd), 0);
		close(fd);
		free(buf);
		buf = slurp(path, &size2);
		assert_int_equal(size2, size);
	}
	free(buf);
	unlink(path);
}

static int setup(void **state) {
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
	(void)state;
	return rmdir(dir);
}

/* A deleted vrf keeps its table and members, a member its vrf = and a
 * route its vrf =: what rollback needs to make them again. */
static void test_vrf(void **state) {
	char path[256], err[256], members[2][IFNAMSIZ] = { "e1", "d0" };
	struct link vrf = { .name = "mgmt", .kind = LINK_VRF, .link_netnsid = -1 }, nic = { .name = "e1", .kind = LINK_NIC };
	struct route r = { .dev = "e1", .table = 100, .vrf = "mgmt" };
	const struct route *routes[1] = { &r }, *old_routes[1] = { &r };
	struct action v[3];
	struct plan p = { .v = v, .n = 3 };
	struct jfile *j = NULL;
	int fd;

	(void)state;
	vrf.u.vrf.table = 100;
	vrf.u.vrf.ports.v = members;
	vrf.u.vrf.ports.n = 2;
	snprintf(nic.vrf, IFNAMSIZ, "mgmt");
	snprintf(nic.master, IFNAMSIZ, "mgmt");
	ip4(&r.dst, "10.1.0.0", 16);
	memset(v, 0, sizeof(v));
	v[0] = (struct action){ .type = ACT_LINK_DELETE, .level = DISRUPT_RECREATE, .link = &vrf, .name = "mgmt",
	                        .text = (char *)"delete" };
	v[1] = (struct action){ .type = ACT_LINK_CREATE, .link = &nic, .text = (char *)"create" };
	v[2] = (struct action){ .type = ACT_ROUTE_REPLACE, .routes = routes, .old_routes = old_routes, .n_routes = 1,
	                        .text = (char *)"route" };
	snprintf(path, sizeof(path), "%s/vrf.journal", dir);
	unlink(path);
	assert_int_equal(jfile_create(path, &head, &p, &rec, &fd), 0);
	close(fd);
	if (jfile_read(path, &j, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(j->n_actions, 3);
	assert_int_equal(j->actions[0].link->kind, LINK_VRF);
	assert_int_equal(j->actions[0].link->u.vrf.table, 100);
	assert_int_equal(j->actions[0].link->u.vrf.ports.n, 2);
	assert_string_equal(j->actions[0].link->u.vrf.ports.v[1], "d0");
	assert_string_equal(j->actions[1].link->vrf, "mgmt");
	assert_string_equal(j->actions[1].link->master, "mgmt");
	assert_string_equal(j->actions[2].routes[0]->vrf, "mgmt");
	jfile_free(j);
	unlink(path);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_vrf),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_torn_then_appended),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
