/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the profile loader: every section type and every key
 * parses into the right field, and rejects at least one bad value with
 * the right message; defaults, derived fields, implicit links, checks. */
#include "test-helpers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "bond-opts.h"
#include "util.h"

/* ---- lookups used by the checks -------------------------------------- */

static const struct profile *P;     /* the profile under test */

static struct link *L(const char *name) {
	struct link *l = profile_find_link_any(P, name);
	assert_non_null(l);
	return l;
}

static struct netns_conf *N(const char *name) {
	for (size_t i = 0; i < P->n_netns; i++)
		if (strcmp(P->netns[i].name, name) == 0)
			return &P->netns[i];
	fail_msg("no netns %s", name);
	return NULL;
}

static struct vip *V(const char *name) {
	struct vip *v = profile_find_vip(P, name);
	assert_non_null(v);
	return v;
}

#define FIND(fn, type, arr, n)                                       \
	static type *fn(const char *name) {                          \
		for (size_t i = 0; i < P->n; i++)                    \
			if (strcmp(P->arr[i].name, name) == 0)        \
				return &P->arr[i];                    \
		fail_msg("no %s %s", #fn, name);                     \
		return NULL;                                         \
	}
FIND(R, struct route, routes, n_routes)
FIND(RF, struct routes_file, routes_files, n_routes_files)
FIND(RU, struct rule, rules, n_rules)
FIND(PR, struct probe_conf, probes, n_probes)
FIND(F, struct fault_conf, faults, n_faults)

static bool streq(const char *a, const char *b) {
	return a && b && strcmp(a, b) == 0;
}

static bool addr_is(const struct ipaddr *a, const char *text) {
	char buf[IPADDR_STRLEN];
	return a->family && strcmp(format_ipaddr(a, true, buf, sizeof(buf)), text) == 0;
}

/* ---- one case per key ---------------------------------------------------- */

#define S10 "aaaaaaaaaa"
#define S100 S10 S10 S10 S10 S10 S10 S10 S10 S10 S10
#define LONG_ALIAS S100 S100 S10 S10 S10 S10 S10 S10

#define NIC "[nic eth0]\n"
#define VIP_BASE NIC "[vip v]\n"
#define ROUTE_BASE NIC "[route r]\n"
#define PROBE_BASE "[netns c]\n[probe p]\n"
#define FAULT_BASE "[netns c]\n" NIC "[probe p]\nfrom = c\nto = 192.0.2.1\n[fault f]\n"
#define MOVE_BASE "[netns c]\n" NIC "[nic eth1]\n[vip v]\naddress = 192.0.2.5/24\ndev = eth0\n" \
	"[probe p]\nfrom = c\nto = v\n[fault f]\naction = vip-move\n"

/* X(id, setup, valid line, check on P, invalid line, expected message part) */
#define KEY_CASES(X)                                                                                           \
	X(profile_name, "[profile]\n", "name = ctl-1\n", streq(P->name, "ctl-1"), "name =\n",                  \
	  "[profile] name: expected a name")                                                                  \
	X(profile_description, "[profile]\n", "description = API and DB\n", streq(P->description, "API and DB"), \
	  "description = \"open\n", "description: unterminated quote")                                         \
	X(netns_loopback, "[netns api]\n", "loopback = down\n",                                                \
	  !N("api")->loopback_up && (N("api")->set & NETNS_SET_LOOPBACK), "loopback = off\n",                  \
	  "[netns api] loopback: expected up or down, got \"off\"")                                            \
	X(netns_forwarding, "[netns api]\n", "forwarding = yes\n",                                             \
	  N("api")->forwarding && (N("api")->set & NETNS_SET_FORWARDING), "forwarding = sometimes\n",          \
	  "forwarding: expected yes or no")                                                                    \
	X(link_mtu, NIC, "mtu = 9000\n", L("eth0")->mtu == 9000 && (L("eth0")->set & LINK_SET_MTU),            \
	  "mtu = 65536\n", "[nic eth0] mtu: expected a number from 68 to 65535, got \"65536\"")                \
	X(link_mac, NIC, "mac = 52:54:00:00:00:01\n",                                                          \
	  L("eth0")->mac[0] == 0x52 && L("eth0")->mac[5] == 1 && (L("eth0")->set & LINK_SET_MAC),              \
	  "mac = 00:00:00:00:00:00\n", "mac: the all-zero MAC address")                                        \
	X(link_state, NIC, "state = down\n", !L("eth0")->up && (L("eth0")->set & LINK_SET_STATE),              \
	  "state = 1\n", "state: expected up or down")                                                         \
	X(link_netns, "[netns api]\n" NIC, "netns = api\n", streq(L("eth0")->netns, "api"), "netns = .\n",     \
	  "netns: \".\" is not a namespace name")                                                              \
	X(link_addresses, NIC, "addresses = 192.0.2.1/24 2001:db8::1/64\n",                                    \
	  L("eth0")->n_addrs == 2 && addr_is(&L("eth0")->addrs[0], "192.0.2.1/24") &&                          \
	          addr_is(&L("eth0")->addrs[1], "2001:db8::1/64") && (L("eth0")->set & LINK_SET_ADDRESSES),     \
	  "addresses = 192.0.2.1/24, 192.0.2.1/24\n", "addresses: 192.0.2.1/24 is listed twice")               \
	X(link_alias, NIC, "alias = uplink A\n", streq(L("eth0")->alias, "uplink A") &&                        \
	  (L("eth0")->set & LINK_SET_ALIAS), "alias = " LONG_ALIAS "\n", "alias: an alias has at most 255 bytes") \
	X(bond_slaves, "[bond b]\n", "slaves = eth1 eth2\n",                                                   \
	  L("b")->kind == LINK_BOND && L("b")->u.bond.slaves.n == 2 && streq(L("b")->u.bond.slaves.v[1], "eth2"), \
	  "slaves = eth1, eth1\n", "slaves: eth1 is listed twice")                                             \
	X(team_mode, "[team t]\nports = e1, e2\n", "mode = activebackup\n",                                    \
	  L("t")->u.team.mode == TEAM_MODE_ACTIVEBACKUP && (L("t")->u.team.set & TEAM_SET_MODE),               \
	  "mode = lacp\n", "mode: the LACP runner lives in teamd")                                             \
	X(team_runner, "[team t]\nports = e1, e2\n", "runner = random\n",                                      \
	  L("t")->u.team.mode == TEAM_MODE_RANDOM && (L("t")->u.team.set & TEAM_SET_MODE), "runner = best\n",  \
	  "runner: expected one of roundrobin, activebackup, loadbalance, broadcast, random")                  \
	X(team_ports, "[team t]\n", "ports = e1, e2, e3\n",                                                    \
	  L("t")->kind == LINK_TEAM && L("t")->u.team.ports.n == 3, "ports = E1\n",                            \
	  "ports: \"E1\" is not an interface name")                                                            \
	X(team_priority, "[team t]\nports = e1, e2\n", "priority.e2 = -5\n",                                   \
	  L("t")->u.team.port_priority[1] == -5 && L("t")->u.team.port_priority_set[1] &&                      \
	          !L("t")->u.team.port_priority_set[0],                                                        \
	  "priority.e1 = high\n", "priority.e1: expected a number from -2147483648 to 2147483647")              \
	X(team_notify_peers_count, "[team t]\n", "notify_peers_count = 3\n",                                   \
	  L("t")->u.team.notify_peers_count == 3 && (L("t")->u.team.set & TEAM_SET_NOTIFY_PEERS_COUNT),        \
	  "notify_peers_count = 256\n", "notify_peers_count: expected a number from 0 to 255")                 \
	X(team_notify_peers_interval, "[team t]\n", "notify_peers_interval = 2s\n",                            \
	  L("t")->u.team.notify_peers_interval == 2000 &&                                                      \
	          (L("t")->u.team.set & TEAM_SET_NOTIFY_PEERS_INTERVAL),                                       \
	  "notify_peers_interval = 1500us\n", "notify_peers_interval: expected whole milliseconds")            \
	X(team_mcast_rejoin_count, "[team t]\n", "mcast_rejoin_count = 0\n",                                   \
	  L("t")->u.team.mcast_rejoin_count == 0 && (L("t")->u.team.set & TEAM_SET_MCAST_REJOIN_COUNT),        \
	  "mcast_rejoin_count = many\n", "mcast_rejoin_count: expected a number")                              \
	X(team_mcast_rejoin_interval, "[team t]\n", "mcast_rejoin_interval = 250\n",                           \
	  L("t")->u.team.mcast_rejoin_interval == 250 &&                                                       \
	          (L("t")->u.team.set & TEAM_SET_MCAST_REJOIN_INTERVAL),                                       \
	  "mcast_rejoin_interval = soon\n", "mcast_rejoin_interval: expected a duration")                      \
	X(vlan_link, "[vlan v]\nid = 5\n", "link = eth0\n",                                                    \
	  L("v")->kind == LINK_VLAN && streq(L("v")->u.vlan.link, "eth0"), "link = eth0 eth1\n",               \
	  "link: \"eth0 eth1\" is not an interface name")                                                      \
	X(vlan_id, "[vlan v]\nlink = eth0\n", "id = 4094\n", L("v")->u.vlan.id == 4094, "id = 0\n",            \
	  "[vlan v] id: expected a number from 1 to 4094, got \"0\"")                                          \
	X(vlan_protocol, "[vlan v]\nlink = eth0\nid = 7\n", "protocol = 802.1ad\n",                            \
	  L("v")->u.vlan.protocol == ETH_P_8021AD && (L("v")->u.vlan.set & VLAN_SET_PROTOCOL),                 \
	  "protocol = qinq\n", "protocol: expected one of 802.1q, 802.1ad")                                    \
	X(veth_peer, "[veth v0]\n", "peer = v1\n", L("v0")->kind == LINK_VETH && streq(L("v0")->u.veth.peer, "v1"), \
	  "peer = v0\n", "peer: a veth's peer has another name")                                               \
	X(veth_peer_netns, "[netns a]\n[veth v0]\npeer = v1\n", "peer_netns = a\n",                            \
	  streq(L("v0")->u.veth.peer_netns, "a") && !L("v0")->u.veth.peer_declared, "peer_netns = a/b\n",      \
	  "peer_netns: \"a/b\" is not a namespace name")                                                       \
	X(macvlan_link, "[macvlan m]\n", "link = eth0\n",                                                      \
	  L("m")->kind == LINK_MACVLAN && streq(L("m")->u.macvlan.link, "eth0"), "link = m\n",                 \
	  "link: m is its own lower device")                                                                   \
	X(macvlan_mode, "[macvlan m]\nlink = eth0\n", "mode = passthru\n",                                     \
	  L("m")->u.macvlan.mode == MACVLAN_MODE_PASSTHRU && (L("m")->u.macvlan.set & MACVLAN_SET_MODE),       \
	  "mode = source\n", "mode: expected one of private, vepa, bridge, passthru")                          \
	X(bridge_ports, "[bridge br]\n", "ports = a, b\n",                                                     \
	  L("br")->kind == LINK_BRIDGE && L("br")->u.bridge.ports.n == 2, "ports = a,,a\n",                    \
	  "ports: a is listed twice")                                                                          \
	X(bridge_stp, "[bridge br]\n", "stp = on\n",                                                           \
	  L("br")->u.bridge.stp && (L("br")->u.bridge.set & BRIDGE_SET_STP), "stp = 2\n",                      \
	  "stp: expected yes or no")                                                                           \
	X(vip_address, VIP_BASE "dev = eth0\n", "address = 2001:db8::5/64\n",                                  \
	  addr_is(&V("v")->address, "2001:db8::5/64"), "address = 2001:db8::5\n",                              \
	  "address: expected an address with its prefix length")                                               \
	X(vip_dev, VIP_BASE "address = 192.0.2.5/24\n", "dev = eth0\n", streq(V("v")->dev, "eth0"),            \
	  "dev = eth9\n", "[vip v] dev: eth9 is not a link of the profile: declare it ([nic eth9]")            \
	X(vip_netns, "[netns api]\n" NIC "netns = api\n[vip v]\naddress = 192.0.2.5/24\ndev = eth0\n",         \
	  "netns = api\n", streq(V("v")->netns, "api"), "netns = other\n",                                     \
	  "dev: eth0 ([nic eth0]) is in namespace api, but [vip v] is in namespace other")                     \
	X(vip_label, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "label = eth0:api\n",                    \
	  streq(V("v")->label, "eth0:api"), "label = api\n", "label: a label is the device name")              \
	X(vip_preferred_lft, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "preferred_lft = 0\n",           \
	  V("v")->preferred_zero, "preferred_lft = 60\n", "preferred_lft: expected forever or 0")              \
	X(vip_noprefixroute, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "noprefixroute = yes\n",         \
	  V("v")->noprefixroute, "noprefixroute = sure\n", "noprefixroute: expected yes or no")                \
	X(vip_nodad, VIP_BASE "address = 2001:db8::5/64\ndev = eth0\n", "nodad = true\n", V("v")->nodad,       \
	  "nodad = x\n", "nodad: expected yes or no")                                                          \
	X(vip_announce_count, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "announce_count = 0\n",         \
	  V("v")->announce_count == 0, "announce_count = 1000\n", "announce_count: expected a number from 0 to 255") \
	X(vip_announce_interval, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "announce_interval = 500us\n", \
	  V("v")->announce_interval_us == 500, "announce_interval = 11s\n",                                    \
	  "announce_interval: expected a duration from 0ms to 10s")                                            \
	X(vip_announce_mode, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "announce_mode = reply\n",       \
	  V("v")->announce_mode == ANNOUNCE_REPLY, "announce_mode = gratuitous\n",                             \
	  "announce_mode: expected one of request, reply, both")                                               \
	X(vip_owner, VIP_BASE "address = 192.0.2.5/24\ndev = eth0\n", "owner = external\n",                    \
	  V("v")->owner == VIP_OWNER_EXTERNAL, "owner = keepalived\n", "owner: expected one of local, external") \
	X(route_to, ROUTE_BASE "dev = eth0\n", "to = 10.0.0.0/8\n", addr_is(&R("r")->dst, "10.0.0.0/8"),      \
	  "to = 10.0.0.1/8\n", "to: 10.0.0.1/8 has host bits set: the prefix is 10.0.0.0/8")                   \
	X(route_via, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "via = 192.0.2.1\n",                          \
	  addr_is(&R("r")->via, "192.0.2.1/32") && (R("r")->set & ROUTE_SET_VIA), "via = 192.0.2.1/24\n",      \
	  "via: expected an IPv4 or IPv6 address")                                                             \
	X(route_dev, ROUTE_BASE "to = 10.0.0.0/8\nvia = 192.0.2.1\n", "dev = eth0\n",                          \
	  streq(R("r")->dev, "eth0") && (R("r")->set & ROUTE_SET_DEV), "dev = ETH0\n",                         \
	  "dev: \"ETH0\" is not an interface name")                                                            \
	X(route_table, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "table = 100\n",                            \
	  R("r")->table == 100 && (R("r")->set & ROUTE_SET_TABLE), "table = 0\n",                              \
	  "table: expected main, local, default, a number")                                                    \
	X(route_metric, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "metric = 4294967295\n",                   \
	  R("r")->metric == UINT32_MAX && (R("r")->set & ROUTE_SET_METRIC), "metric = -1\n",                   \
	  "metric: expected a number from 0 to 4294967295")                                                    \
	X(route_src, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "src = 192.0.2.10\n",                         \
	  addr_is(&R("r")->src, "192.0.2.10/32") && (R("r")->set & ROUTE_SET_SRC), "src = 2001:db8::1\n",      \
	  "src: 2001:db8::1 is IPv6, and the route is IPv4")                                                   \
	X(route_scope, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "scope = link\n",                           \
	  R("r")->scope == RT_SCOPE_LINK && (R("r")->set & ROUTE_SET_SCOPE), "scope = world\n",                \
	  "scope: expected global, site, link, host, nowhere")                                                 \
	X(route_onlink, ROUTE_BASE "to = 10.0.0.0/8\nvia = 192.0.2.1\ndev = eth0\n", "onlink = yes\n",         \
	  R("r")->onlink && (R("r")->set & ROUTE_SET_ONLINK), "onlink = maybe\n", "onlink: expected yes or no") \
	X(route_type, "[route r]\nto = 10.0.0.0/8\n", "type = unreachable\n",                                  \
	  R("r")->type == RTN_UNREACHABLE && (R("r")->set & ROUTE_SET_TYPE), "type = local\n",                 \
	  "type: expected unicast, blackhole, unreachable or prohibit")                                        \
	X(route_mtu, ROUTE_BASE "to = 10.0.0.0/8\ndev = eth0\n", "mtu = 1400\n",                               \
	  R("r")->mtu == 1400 && (R("r")->set & ROUTE_SET_MTU), "mtu = 67\n", "mtu: expected a number from 68") \
	X(route_netns, "[netns a]\n" NIC "netns = a\n[route r]\nto = 10.0.0.0/8\ndev = eth0\n", "netns = a\n", \
	  streq(R("r")->netns, "a"), "netns =\n", "netns: \"\" is not a namespace name")                       \
	X(route_nexthops, NIC "[nic eth1]\n[route r]\nto = default\n",                                         \
	  "nexthops = via 10.0.0.1 dev eth0 weight 3, dev eth1 onlink\n",                                      \
	  R("r")->n_nexthops == 2 && R("r")->nexthops[0].weight == 3 &&                                        \
	          addr_is(&R("r")->nexthops[0].via, "10.0.0.1/32") && streq(R("r")->nexthops[1].dev, "eth1") &&  \
	          R("r")->nexthops[1].weight == 1 && R("r")->nexthops[1].onlink &&                             \
	          !R("r")->nexthops[1].via.family && (R("r")->set & ROUTE_SET_NEXTHOPS) &&                     \
	          R("r")->dst.family == AF_INET,                                                               \
	  "nexthops = via 10.0.0.1 gw eth0\n", "nexthops: nexthop 1: unknown word \"gw\"")                     \
	X(routes_file, "[routes r]\n", "file = /srv/r.routes\n", streq(RF("r")->path, "/srv/r.routes"),        \
	  "file =\n", "[routes r] file: expected a file name")                                                 \
	X(routes_netns, "[routes r]\nfile = x\n", "netns = api\n", streq(RF("r")->netns, "api"),               \
	  "netns = ..\n", "netns: \"..\" is not a namespace name")                                             \
	X(routes_table, "[routes r]\nfile = x\n", "table = 1000\n", RF("r")->table == 1000,                    \
	  "table = nosuchtablename\n", "table: expected main, local")                                          \
	X(rule_from, "[rule r]\ntable = 100\n", "from = 10.0.0.0/8\n",                                         \
	  addr_is(&RU("r")->from, "10.0.0.0/8") && RU("r")->family == AF_INET && (RU("r")->set & RULE_SET_FROM), \
	  "from = 10.0.0.0/40\n", "from: prefix length out of range in \"10.0.0.0/40\"")                       \
	X(rule_to, "[rule r]\ntable = 100\n", "to = 2001:db8::/32\n",                                          \
	  addr_is(&RU("r")->to, "2001:db8::/32") && RU("r")->family == AF_INET6, "to = x\n",                   \
	  "to: expected an address or a prefix")                                                               \
	X(rule_table, "[rule r]\n", "table = local\n", RU("r")->table == RT_TABLE_LOCAL, "table = -3\n",       \
	  "table: expected main, local, default")                                                              \
	X(rule_priority, "[rule r]\ntable = 100\n", "priority = 32765\n",                                      \
	  RU("r")->priority == 32765 && (RU("r")->set & RULE_SET_PRIORITY), "priority = 4294967296\n",         \
	  "priority: expected a number from 0 to 4294967295")                                                  \
	X(rule_fwmark, "[rule r]\ntable = 100\n", "fwmark = 0x10/0xff\n",                                      \
	  RU("r")->fwmark == 16 && RU("r")->fwmask == 255 && (RU("r")->set & RULE_SET_FWMARK),                 \
	  "fwmark = 1/2/3\n", "fwmark: expected MARK or MARK/MASK")                                            \
	X(rule_iif, NIC "[rule r]\ntable = 100\n", "iif = eth0\n", streq(RU("r")->iif, "eth0"), "iif = eth1\n", \
	  "iif: eth1 is not a link of the profile")                                                            \
	X(rule_oif, NIC "[rule r]\ntable = 100\n", "oif = eth0\n", streq(RU("r")->oif, "eth0"), "oif = -\n",   \
	  "oif: - is not a link of the profile")                                                               \
	X(rule_netns, "[rule r]\ntable = 100\n", "netns = api\n", streq(RU("r")->netns, "api"),                \
	  "netns = a/b\n", "netns: \"a/b\" is not a namespace name")                                           \
	X(sla_failover_max, "[sla]\n", "failover_max = 50ms\n", P->sla.set && P->sla.failover_max_us == 50000, \
	  "failover_max = 0\n", "[sla] failover_max: expected a duration from 1us to 3600s")                   \
	X(sla_percentile, "[sla]\nfailover_max = 1s\n", "percentile = 99.9\n", fabs(P->sla.percentile - 99.9) < 1e-9, \
	  "percentile = 0\n", "percentile: expected a percentage above 0, at most 100")                        \
	X(probe_from, PROBE_BASE "to = 192.0.2.1\n", "from = c\n", streq(PR("p")->from, "c"), "from = /x\n",   \
	  "from: \"/x\" is not a namespace name")                                                              \
	X(probe_to, PROBE_BASE "from = c\n", "to = 2001:db8::1\n",                                             \
	  streq(PR("p")->to, "2001:db8::1") && addr_is(&PR("p")->to_addr, "2001:db8::1/128"),                  \
	  "to = 192.0.2.1/24\n", "to: expected an address (no prefix length) or a vip name")                   \
	X(probe_interval, PROBE_BASE "from = c\nto = 192.0.2.1\n", "interval = 100us\n",                       \
	  PR("p")->interval_us == 100, "interval = 99us\n", "interval: expected a duration from 100us to 10s") \
	X(probe_kind, PROBE_BASE "from = c\nto = 192.0.2.1\n", "kind = udp\n", PR("p")->kind == PROBE_UDP,     \
	  "kind = tcp\n", "kind: expected one of icmp, udp")                                                   \
	X(probe_port, PROBE_BASE "from = c\nto = 192.0.2.1\nkind = udp\n", "port = 7\n", PR("p")->port == 7,   \
	  "port = 0\n", "port: expected a number from 1 to 65535")                                             \
	X(fault_action, FAULT_BASE "dev = eth0\n", "action = carrier-off\n",                                   \
	  F("f")->action == FAULT_CARRIER_OFF, "action = reboot\n",                                            \
	  "action: expected one of link-down, carrier-off, link-delete, vip-move, kill, "                      \
	  "service-kill, node-kill")                                                                           \
	X(fault_dev, FAULT_BASE "action = link-down\n", "dev = eth0\n", streq(F("f")->dev, "eth0"),            \
	  "dev = eth1\n", "[fault f] dev: eth1 is not a link of the profile")                                  \
	X(fault_netns, "[netns x]\n[netns c]\n" NIC "netns = x\n[probe p]\nfrom = c\nto = 192.0.2.1\n"         \
	  "[fault f]\naction = link-down\ndev = eth0\n", "netns = x\n", streq(F("f")->netns, "x"), "netns = y\n", \
	  "dev: eth0 ([nic eth0]) is in namespace x, but [fault f] is in namespace y")                         \
	X(fault_pidfile, FAULT_BASE "action = kill\n", "pidfile = /run/k.pid\n",                               \
	  streq(F("f")->pidfile, "/run/k.pid"), "pidfile =\n", "pidfile: expected a file name")                \
	X(fault_to, MOVE_BASE, "to = eth1\n",                                                                  \
	  streq(F("f")->to, "eth1") && streq(F("f")->to_dev, "eth1") && !F("f")->to_netns &&                   \
	          streq(F("f")->vip, "v"),                                                                     \
	  "to = eth0\n", "to: [vip v] is already on eth0")                                                     \
	X(fault_vip, MOVE_BASE "to = eth1\n", "vip = v\n", streq(F("f")->vip, "v"), "vip = w\n",               \
	  "vip: no [vip w] in the profile")                                                                    \
	X(fault_restore, FAULT_BASE "action = link-down\ndev = eth0\ntrials = 1\n", "restore = none\n",        \
	  !F("f")->restore_auto, "restore = never\n", "restore: expected auto")                                \
	X(fault_trials, FAULT_BASE "action = link-down\ndev = eth0\n", "trials = 3\n", F("f")->trials == 3,    \
	  "trials = 0\n", "trials: expected a number from 1 to 100000")                                        \
	X(fault_settle, FAULT_BASE "action = link-down\ndev = eth0\n", "settle = 2s\n",                        \
	  F("f")->settle_us == 2000000, "settle = soon\n", "settle: expected a duration")                      \
	X(fault_probe, FAULT_BASE "action = link-down\ndev = eth0\n", "probe = p\n", streq(F("f")->probe, "p"), \
	  "probe = q\n", "probe: no [probe q] in the profile")

#define X_CHECK(id, setup, valid, expr, invalid, msg) \
	static bool check_##id(void) { return (expr); }
KEY_CASES(X_CHECK)

static const struct key_case {
	const char *id;
	const char *setup;
	const char *valid;
	bool (*check)(void);
	const char *invalid;
	const char *msg;
} key_cases[] = {
#define X_ROW(id, setup, valid, expr, invalid, msg) { #id, setup, valid, check_##id, invalid, msg },
	KEY_CASES(X_ROW)
};

static char *concat(const char *a, const char *b) {
	char *s = malloc(strlen(a) + strlen(b) + 1);
	assert_non_null(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

static void test_every_key(void **state) {
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(key_cases); i++) {
		const struct key_case *c = &key_cases[i];
		char *text = concat(c->setup, c->valid);
		struct profile *p;

		p = load_ok(text);
		P = p;
		if (!c->check()) {
			fprintf(stderr, "case %s: the value did not land in the right field:\n%s\n", c->id, text);
			fail();
		}
		profile_free(p);
		free(text);

		text = concat(c->setup, c->invalid);
		load_bad(text, c->msg);
		free(text);
	}
}

/* Every key of the key table has a case above, and every bond option one
 * below: compare against the lists the messages show. */
static const struct bond_case {
	int opt;
	const char *extra;          /* other lines: mode, miimon, ... */
	const char *value;
	uint32_t val;               /* bond.val[opt] after parsing */
	const char *invalid;
	const char *msg;
} bond_cases[] = {
	{ BOND_OPT_MODE, "", "balance-tlb", BOND_MODE_TLB, "rr", "mode: expected one of balance-rr, active-backup" },
	{ BOND_OPT_MIIMON, "mode = active-backup\n", "1s", 1000, "1.5s", "miimon: expected a duration" },
	{ BOND_OPT_UPDELAY, "mode = active-backup\nmiimon = 100\n", "200", 200, "-1", "updelay: expected a duration" },
	{ BOND_OPT_DOWNDELAY, "mode = active-backup\nmiimon = 100\n", "100ms", 100, "2.5", "downdelay: expected a duration" },
	{ BOND_OPT_PEER_NOTIF_DELAY, "mode = active-backup\nmiimon = 100\n", "300s", 300000, "301s",
	  "peer_notif_delay: expected a duration from 0ms to 300s" },
	{ BOND_OPT_USE_CARRIER, "", "no", 0, "2", "use_carrier: expected yes or no" },
	{ BOND_OPT_ARP_INTERVAL, "mode = active-backup\narp_ip_target = 192.0.2.1\n", "500", 500, "x",
	  "arp_interval: expected a duration" },
	{ BOND_OPT_ARP_IP_TARGET, "mode = active-backup\narp_interval = 100\n", "192.0.2.1 192.0.2.2", 0,
	  "2001:db8::1", "arp_ip_target: expected IPv4 addresses" },
	{ BOND_OPT_ARP_VALIDATE, "mode = active-backup\n", "filter_backup", 6, "strict",
	  "arp_validate: expected one of none, active, backup, all, filter, filter_active, filter_backup" },
	{ BOND_OPT_ARP_ALL_TARGETS, "mode = active-backup\n", "all", 1, "some", "arp_all_targets: expected one of any, all" },
	{ BOND_OPT_ARP_MISSED_MAX, "mode = active-backup\n", "255", 255, "0", "arp_missed_max: expected a number from 1 to 255" },
	{ BOND_OPT_PRIMARY, "mode = active-backup\nmiimon = 100\n", "eth2", 0, "eth3", "primary: eth3 is not one of the slaves" },
	{ BOND_OPT_PRIMARY_RESELECT, "mode = active-backup\n", "failure", 2, "never",
	  "primary_reselect: expected one of always, better, failure" },
	{ BOND_OPT_FAIL_OVER_MAC, "mode = active-backup\n", "follow", 2, "yes", "fail_over_mac: expected one of none, active, follow" },
	{ BOND_OPT_XMIT_HASH_POLICY, "mode = balance-xor\n", "vlan+srcmac", 5, "layer4",
	  "xmit_hash_policy: expected one of layer2, layer3+4, layer2+3, encap2+3, encap3+4, vlan+srcmac" },
	{ BOND_OPT_RESEND_IGMP, "mode = active-backup\n", "0", 0, "256", "resend_igmp: expected a number from 0 to 255" },
	{ BOND_OPT_NUM_GRAT_ARP, "mode = active-backup\n", "255", 255, "256", "num_grat_arp: expected a number from 0 to 255" },
	{ BOND_OPT_ALL_SLAVES_ACTIVE, "", "1", 1, "yes please", "all_slaves_active: expected yes or no" },
	{ BOND_OPT_MIN_LINKS, "mode = 802.3ad\n", "2", 2, "-2", "min_links: expected a number from 0 to 2147483647" },
	{ BOND_OPT_LP_INTERVAL, "mode = balance-alb\n", "30", 30, "0", "lp_interval: expected a number from 1 to 2147483647" },
	{ BOND_OPT_PACKETS_PER_SLAVE, "", "65535", 65535, "65536", "packets_per_slave: expected a number from 0 to 65535" },
	{ BOND_OPT_LACP_RATE, "mode = 802.3ad\n", "fast", 1, "slowest", "lacp_rate: expected one of slow, fast" },
	{ BOND_OPT_AD_SELECT, "mode = 802.3ad\n", "bandwidth", 1, "best", "ad_select: expected one of stable, bandwidth, count" },
	{ BOND_OPT_AD_ACTOR_SYS_PRIO, "mode = 802.3ad\n", "1", 1, "0", "ad_actor_sys_prio: expected a number from 1 to 65535" },
	{ BOND_OPT_AD_USER_PORT_KEY, "mode = 802.3ad\n", "1023", 1023, "1024", "ad_user_port_key: expected a number from 0 to 1023" },
	{ BOND_OPT_AD_ACTOR_SYSTEM, "mode = 802.3ad\n", "02:11:22:33:44:55", 0, "01:00:00:00:00:01",
	  "ad_actor_system: 01:00:00:00:00:01 is not a unicast MAC address" },
	{ BOND_OPT_TLB_DYNAMIC_LB, "mode = balance-tlb\n", "off", 0, "maybe", "tlb_dynamic_lb: expected yes or no" },
	{ BOND_OPT_LACP_ACTIVE, "mode = 802.3ad\n", "off", 0, "passive", "lacp_active: expected yes or no" },
};

static void test_bond_options(void **state) {
	bool covered[_BOND_OPT_MAX] = { false };
	char text[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bond_cases); i++) {
		const struct bond_case *c = &bond_cases[i];
		const char *key = bond_opt_table[c->opt].name;
		const struct bond_conf *b;
		struct profile *p;

		covered[c->opt] = true;
		snprintf(text, sizeof(text), "[bond b]\nslaves = eth1, eth2\n%s%s = %s\n", c->extra, key, c->value);
		p = load_ok(text);
		b = &profile_find_link_any(p, "b")->u.bond;
		assert_true(b->set & (1ull << c->opt));
		switch (c->opt) {
		case BOND_OPT_ARP_IP_TARGET:
			assert_int_equal(b->n_arp_ip_target, 2);
			assert_true(addr_is(&b->arp_ip_target[1], "192.0.2.2/32"));
			break;
		case BOND_OPT_PRIMARY:
			assert_string_equal(b->primary, "eth2");
			break;
		case BOND_OPT_AD_ACTOR_SYSTEM:
			assert_int_equal(b->ad_actor_system[0], 0x02);
			assert_int_equal(b->ad_actor_system[5], 0x55);
			break;
		default:
			if (b->val[c->opt] != c->val)
				fail_msg("%s = %s: got %u, want %u", key, c->value, b->val[c->opt], c->val);
		}
		profile_free(p);

		snprintf(text, sizeof(text), "[bond b]\nslaves = eth1, eth2\n%s%s = %s\n", c->extra, key, c->invalid);
		load_bad(text, c->msg);

		/* in every mode where it does not apply, the option is an error */
		for (uint32_t m = 0; m <= BOND_MODE_ALB; m++) {
			char expected[64];
			if (c->opt == BOND_OPT_MODE || (bond_opt_table[c->opt].modes & BOND_MODE_BIT(m)))
				continue;
			snprintf(text, sizeof(text), "[bond b]\nslaves = eth1, eth2\nmode = %s\n%s = %s\n", bond_mode_name(m), key,
			         c->value);
			snprintf(expected, sizeof(expected), "%s: only for mode", key);
			load_bad(text, expected);
		}
	}
	for (int o = 0; o < _BOND_OPT_MAX; o++)
		if (!covered[o])
			fail_msg("bond option %s has no case", bond_opt_table[o].name);
}

static void test_bond_alias(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[bond b]\nmode = active-backup\nslaves = e1, e2\nnum_unsol_na = 4\n");
	assert_int_equal(profile_find_link_any(p, "b")->u.bond.val[BOND_OPT_NUM_GRAT_ARP], 4);
	profile_free(p);
	load_bad("[bond b]\nmode = balance-rr\nslaves = e1, e2\nnum_unsol_na = 4\n",
	         "num_unsol_na: only for mode active-backup; this bond is balance-rr");
	load_bad("[bond b]\nmode = active-backup\nnum_grat_arp = 1\nnum_unsol_na = 4\n",
	         "num_unsol_na: the same option as num_grat_arp, already set at line 3");
	/* numbers for enums, as the kernel takes them */
	p = load_ok("[bond b]\nmode = 1\nslaves = e1, e2\nmiimon = 100\n");
	assert_int_equal(profile_bond_mode(&profile_find_link_any(p, "b")->u.bond), BOND_MODE_ACTIVEBACKUP);
	profile_free(p);
	load_bad("[bond b]\nmode = 7\n", "mode: expected one of");
}

static void test_bond_effective(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[bond a]\nslaves = e1\n[bond b]\nmode = 802.3ad\nslaves = e2\n"
	            "[bond c]\nmode = active-backup\nslaves = e3\n[bond d]\nmode = balance-tlb\nmiimon = 0\nslaves = e4\n");
	assert_int_equal(profile_bond_mode(&profile_find_link_any(p, "a")->u.bond), BOND_MODE_ROUNDROBIN);
	assert_int_equal(profile_bond_miimon(&profile_find_link_any(p, "a")->u.bond), 0);
	assert_int_equal(profile_bond_miimon(&profile_find_link_any(p, "b")->u.bond), 100);
	assert_int_equal(profile_bond_miimon(&profile_find_link_any(p, "c")->u.bond), 0);
	assert_int_equal(profile_bond_miimon(&profile_find_link_any(p, "d")->u.bond), 0);
	profile_free(p);
}

/* ---- defaults and derived fields ------------------------------------------- */

static void test_defaults(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok_as("dir/controller-1.ini",
	               "[netns c]\n[nic eth0]\n[vlan eth0.5]\nlink = eth0\nid = 5\n[macvlan m]\nlink = eth0\n"
	               "[vip v]\naddress = 192.0.2.5/24\ndev = eth0\n[route r]\nto = 10.0.0.0/8\ndev = eth0\n"
	               "[rule ru]\ntable = 7\n[sla]\nfailover_max = 50\n[probe pr]\nfrom = c\nto = v\n"
	               "[fault f]\naction = link-down\ndev = eth0\n");
	P = p;
	assert_string_equal(p->name, "controller-1");
	assert_string_equal(p->path, "dir/controller-1.ini");
	assert_null(p->description);
	assert_true(L("eth0")->up);
	assert_int_equal(L("eth0")->set, 0);
	assert_null(L("eth0")->netns);
	assert_false(L("eth0")->implicit);
	assert_int_equal(L("eth0.5")->u.vlan.protocol, ETH_P_8021Q);
	assert_int_equal(L("eth0.5")->u.vlan.set, 0);
	assert_int_equal(L("m")->u.macvlan.mode, MACVLAN_MODE_VEPA);
	assert_int_equal(V("v")->announce_count, 3);
	assert_int_equal(V("v")->announce_interval_us, 20000);
	assert_int_equal(V("v")->announce_mode, ANNOUNCE_REQUEST);
	assert_int_equal(V("v")->owner, VIP_OWNER_LOCAL);
	assert_false(V("v")->preferred_zero);
	assert_int_equal(R("r")->table, RT_TABLE_MAIN);
	assert_int_equal(R("r")->type, RTN_UNICAST);
	assert_int_equal(R("r")->set, ROUTE_SET_DEV);
	assert_string_equal(R("r")->name, "r");
	assert_int_equal(RU("ru")->fwmask, UINT32_MAX);
	assert_int_equal(RU("ru")->family, AF_INET);
	assert_int_equal(P->sla.failover_max_us, 50000);  /* a bare number is ms */
	assert_true(P->sla.percentile == 100);
	assert_int_equal(PR("pr")->interval_us, 1000);
	assert_int_equal(PR("pr")->kind, PROBE_ICMP);
	assert_true(addr_is(&PR("pr")->to_addr, "192.0.2.5/32"));   /* the vip's address */
	assert_true(F("f")->restore_auto);
	assert_int_equal(F("f")->trials, 10);
	assert_int_equal(F("f")->settle_us, 0);
	assert_string_equal(F("f")->probe, "pr");                   /* the only probe */
	assert_int_equal(N("c")->loopback_up, true);
	assert_int_equal(N("c")->set, 0);
	profile_free(p);
}

static void test_lines(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("; comment\n\n[bond bond0]\nmode = active-backup\n\nslaves = eth1, eth2\nmiimon = 100\n"
	            "[vlan bond0.7]\nlink = bond0\nid = 7\n[sla]\nfailover_max = 1s\n");
	P = p;
	assert_int_equal(L("bond0")->line, 3);
	assert_int_equal(L("bond0.7")->line, 8);
	assert_int_equal(profile_key_line(p, "bond", "bond0", "slaves"), 6);
	assert_int_equal(profile_key_line(p, "bond", "bond0", "miimon"), 7);
	assert_int_equal(profile_key_line(p, "bond", "bond0", NULL), 3);
	assert_int_equal(profile_key_line(p, "bond", "bond0", "updelay"), 3);   /* not there: the section */
	assert_int_equal(profile_key_line(p, "sla", NULL, "failover_max"), 12);
	assert_int_equal(profile_key_line(p, "bond", "bond9", "mode"), 0);
	/* implicit nics: the line of the key that named them */
	assert_true(L("eth1")->implicit);
	assert_int_equal(L("eth1")->line, 6);
	assert_int_equal(profile_key_line(p, "nic", "eth2", NULL), 6);
	profile_free(p);
}

static void test_implicit_nics(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[netns ctl]\n"
	            "[bond bond0]\nnetns = ctl\nmode = active-backup\nslaves = eth1, eth2\nmiimon = 100\n"
	            "[vlan eth3.10]\nlink = eth3\nid = 10\n"
	            "[bridge br0]\nports = eth3.10, eth4\n"
	            "[team t0]\nports = eth5\n[macvlan m0]\nlink = eth5\n");
	P = p;
	assert_int_equal(L("eth1")->kind, LINK_NIC);
	assert_true(L("eth1")->implicit);
	assert_int_equal(L("eth1")->set, 0);
	assert_string_equal(L("eth1")->netns, "ctl");        /* the master's namespace */
	assert_string_equal(L("eth1")->master, "bond0");
	assert_string_equal(L("eth2")->master, "bond0");
	assert_true(L("eth3")->implicit);                    /* a vlan's lower */
	assert_null(L("eth3")->netns);
	assert_string_equal(L("eth3")->master, "");
	assert_string_equal(L("eth3.10")->master, "br0");
	assert_false(L("eth3.10")->implicit);
	assert_string_equal(L("eth4")->master, "br0");
	assert_string_equal(L("eth5")->master, "t0");        /* named twice: one link */
	assert_string_equal(L("bond0")->master, "");
	{
		size_t n = 0;
		for (size_t i = 0; i < p->n_links; i++)
			n += strcmp(p->links[i].name, "eth5") == 0;
		assert_int_equal(n, 1);
	}
	profile_free(p);
}

/* A team gives its ports its MAC address: a port may declare only that one. */
static void test_team_port_mac(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[nic e1]\nmac = 02:00:00:00:00:01\n[veth v0]\npeer = v1\nmac = 02:00:00:00:00:01\n"
	            "[team t]\nports = e1, v0\nmac = 02:00:00:00:00:01\n");
	profile_free(p);
	/* a veth's peer has no keys of its own */
	p = load_ok("[veth v0]\npeer = v1\n[team t]\nports = v1\n");
	profile_free(p);
	load_bad("[nic e1]\nmac = 02:00:00:00:00:02\n[team t]\nports = e1\nmac = 02:00:00:00:00:01\n",
	         "test.ini:2: [nic e1] mac: e1 is a port of team t, whose ports carry its MAC address (02:00:00:00:00:01)");
	load_bad("[veth v0]\npeer = v1\nmac = 02:00:00:00:00:02\n[team t]\nports = v0\n",
	         "[veth v0] mac: v0 is a port of team t, whose ports carry its MAC address: declare mac on [team t]");
	/* a bond's or bridge's ports are not concerned */
	p = load_ok("[nic e1]\nmac = 02:00:00:00:00:02\n[bond b]\nslaves = e1\nmac = 02:00:00:00:00:01\n");
	profile_free(p);
}

static void test_veth_pairs(void **state) {
	struct profile *p;

	(void)state;
	/* one end declared: the peer is a port, its master recorded on the veth */
	p = load_ok("[netns sw]\n[netns c1]\n[veth c1a]\nnetns = c1\npeer = c1a-sw\npeer_netns = sw\n"
	            "[bridge br0]\nnetns = sw\nports = c1a-sw\n");
	P = p;
	assert_string_equal(L("c1a")->u.veth.peer_master, "br0");
	assert_false(L("c1a")->u.veth.peer_declared);
	assert_null(profile_find_link_any(p, "c1a-sw"));
	profile_free(p);

	/* both ends declared: each has keys; peer_netns "" is the current namespace */
	p = load_ok("[netns r1]\n[veth qg]\nnetns = r1\npeer = qgp\naddresses = 192.0.2.10/24\n"
	            "[veth qgp]\npeer = qg\n[bridge br]\nports = qgp\n");
	P = p;
	assert_true(L("qg")->u.veth.peer_declared);
	assert_true(L("qgp")->u.veth.peer_declared);
	assert_string_equal(L("qg")->u.veth.peer_netns, "");
	assert_true(netns_eq(L("qg")->u.veth.peer_netns, NULL));
	assert_string_equal(L("qgp")->u.veth.peer_netns, "r1");
	assert_string_equal(L("qgp")->master, "br");
	profile_free(p);

	load_bad("[netns r1]\n[veth a]\npeer = b\npeer_netns = r1\n[veth b]\npeer = a\n",
	         "[veth a] peer_netns: r1, but [veth b] (line 5) is in the namespace");
	load_bad("[veth a]\npeer = b\n[veth c]\npeer = b\n", "[veth c] peer: b is already the peer of [veth a] (line 1)");
	load_bad("[veth a]\npeer = b\n[nic b]\n", "[veth a] peer: b is also declared by [nic b] (line 3)");
}

static void test_namespaces(void **state) {
	struct profile *p;

	(void)state;
	/* an upper may live in another namespace than its lower (PROFILE.md's example) */
	p = load_ok("[netns api]\n[vlan bond0.100]\nlink = bond0\nid = 100\n[bond bond0]\nslaves = e1, e2\n"
	            "[macvlan api0]\nlink = bond0.100\nnetns = api\n[vip api]\naddress = 192.0.2.1/24\ndev = api0\nnetns = api\n");
	profile_free(p);
	load_bad("[netns a]\n[nic e1]\nnetns = a\n[bond b]\nslaves = e1\n",
	         "[bond b] slaves: e1 ([nic e1]) is in namespace a, but b is in the namespace hanet runs in");
	load_bad("[netns a]\n[bridge br]\nnetns = a\nports = p0\n[veth v]\npeer = p0\n",
	         "ports: p0 (the peer of [veth v]) is in the namespace hanet runs in, but br is in namespace a");
	load_bad("[netns a]\n[nic e1]\nnetns = a\n[route r]\nto = 10.0.0.0/8\ndev = e1\n",
	         "[route r] dev: e1 ([nic e1]) is in namespace a, but [route r] is in the namespace hanet runs in: set netns = a");
}

static bool exists_none(const char *name, void *data) {
	(void)name;
	(void)data;
	return false;
}

static bool exists_all(const char *name, void *data) {
	(void)data;
	return strcmp(name, "") != 0;
}

static void test_netns_existence(void **state) {
	struct profile *p;
	struct diags d;
	char buf[512];

	(void)state;
	p = load_ok("[netns declared]\n[nic e0]\nnetns = declared\n[nic e1]\nnetns = outside\n"
	            "[veth v]\npeer = vp\npeer_netns = elsewhere\n[probe pr]\nfrom = client\nto = 192.0.2.1\n");
	diags_init(&d);
	assert_int_equal(profile_check_netns(p, exists_all, NULL, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(profile_check_netns(p, exists_none, NULL, &d), -ENOENT);
	assert_int_equal(d.n_errors, 3);
	assert_string_equal(diag_format(&d.v[0], buf, sizeof(buf)),
	                    "test.ini:5: [nic e1] netns: namespace outside is not declared ([netns outside]) and does not "
	                    "exist (/run/netns/outside)");
	assert_non_null(strstr(diag_format(&d.v[1], buf, sizeof(buf)), "[veth v] peer_netns: namespace elsewhere"));
	assert_non_null(strstr(diag_format(&d.v[2], buf, sizeof(buf)), "[probe pr] from: namespace client"));
	diags_fini(&d);
	profile_free(p);
}

static void test_references(void **state) {
	(void)state;
	load_bad("[bond b]\nslaves = e1, b\n", "[bond b] slaves: b lists itself");
	load_bad("[bond b]\nslaves = e1\n[team t]\nports = e1\n",
	         "[team t] ports: e1 already has a master, [bond b] (line 2)");
	load_bad("[vlan a]\nlink = b\nid = 1\n[macvlan b]\nlink = c\n[vlan c]\nlink = a\nid = 3\n",
	         "[vlan a] link: a dependency cycle: a -> b -> c -> a");
	load_bad("[bridge br0]\nports = br1\n[bridge br1]\nports = br0\n",
	         "[bridge br0] ports: a dependency cycle: br0 -> br1 -> br0");
	load_bad("[nic e1]\naddresses = 192.0.2.1/24\n[team t]\nports = e1\n",
	         "[nic e1] addresses: e1 is a slave/port of t");
	load_bad("[nic e1]\naddresses = 192.0.2.1/24\n[nic e2]\naddresses = 192.0.2.1/25\n",
	         "[nic e2] addresses: 192.0.2.1 is also an address of e1");
	load_bad("[nic e0]\nmtu = 1500\n[macvlan m]\nlink = e0\nmtu = 1501\n",
	         "[macvlan m] mtu: 1501 is larger than the mtu of its lower device e0 (1500)");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[probe q]\nfrom = c\nto = 192.0.2.2\n"
	         "[nic e0]\n[fault f]\naction = link-down\ndev = e0\n",
	         "[fault f] probe: missing: the profile has 2 probes");
	load_bad("[nic e0]\n[fault f]\naction = link-down\ndev = e0\n",
	         "[fault f] a fault is measured by a probe: add a [probe NAME] section");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[nic e0]\n[fault f]\naction = kill\npidfile = /x\ndev = e0\n",
	         "[fault f] dev: not for action = kill");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[nic e0]\n[fault f]\naction = link-down\ndev = e0\n"
	         "pidfile = /x\n",
	         "[fault f] pidfile: only for action = kill");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[nic e0]\n[fault f]\naction = link-down\ndev = e0\n"
	         "to = e0\n",
	         "[fault f] to: only for action = vip-move");
	load_bad("[netns c]\n[nic e0]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[fault f]\naction = vip-move\nto = e0\n",
	         "[fault f] vip: missing: name the vip to move");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\n[fault f]\naction = link-down\n",
	         "[fault f] dev: missing: action = link-down needs dev");
	load_bad("[netns c]\n[probe p]\nfrom = c\nto = 192.0.2.1\nport = 9\n", "[probe p] port: only for kind = udp");
	load_bad("[route r]\nto = 10.0.0.0/8\ntype = blackhole\nvia = 192.0.2.1\n",
	         "[route r] via: a blackhole route has no gateway");
	load_bad("[nic e0]\n[route r]\nto = 10.0.0.0/8\nvia = 192.0.2.1\ndev = e0\nnexthops = via 192.0.2.2\n",
	         "[route r] nexthops: either via/dev or nexthops, not both");
	load_bad("[nic e0]\n[route r]\nto = 10.0.0.0/8\ndev = e0\nonlink = yes\n",
	         "[route r] onlink: onlink is for a gateway (via) on dev");
}

static void test_fault_vip_move(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[netns c]\n[netns ctl1]\n[netns ctl2]\n[nic e1]\nnetns = ctl1\n[nic e2]\nnetns = ctl2\n"
	            "[vip api]\naddress = 192.0.2.5/24\ndev = e1\nnetns = ctl1\n"
	            "[probe p]\nfrom = c\nto = 192.0.2.5\n"
	            "[fault move]\naction = vip-move\nvip = api\nto = ctl2/e2\n");
	P = p;
	assert_string_equal(F("move")->to_dev, "e2");
	assert_string_equal(F("move")->to_netns, "ctl2");
	assert_string_equal(F("move")->vip, "api");
	profile_free(p);
	load_bad("[netns c]\n[netns ctl1]\n[netns ctl2]\n[nic e1]\nnetns = ctl1\n[nic e2]\nnetns = ctl2\n"
	         "[vip api]\naddress = 192.0.2.5/24\ndev = e1\nnetns = ctl1\n[probe p]\nfrom = c\nto = api\n"
	         "[fault move]\naction = vip-move\nto = ctl1/e2\n",
	         "[fault move] to: e2 is in namespace ctl2, not ctl1");
	load_bad("[fault move]\naction = vip-move\nto = a/b/c\n", "to: expected DEV or NETNS/DEV");
}

/* ---- syntax ------------------------------------------------------------------ */

static void test_syntax_forms(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok("[profile]\r\n"
	            "description = \"semi; colon # hash\"   ; comment\r\n"
	            "name = 'quoted'\r\n"
	            "  [bond   b]  \n"
	            "\tslaves\t=\te1,e2 \\\n"
	            "    e3\n"
	            "mode=active-backup#comment\n"
	            "miimon =\t100 ; the monitor\n"
	            "; comment ending in a backslash \\\n"
	            "# followed by a comment\n");
	P = p;
	assert_string_equal(p->description, "semi; colon # hash");
	assert_string_equal(p->name, "quoted");
	assert_int_equal(L("b")->u.bond.slaves.n, 3);
	assert_string_equal(L("b")->u.bond.slaves.v[2], "e3");
	assert_int_equal(profile_bond_mode(&L("b")->u.bond), BOND_MODE_ACTIVEBACKUP);
	assert_int_equal(L("b")->u.bond.val[BOND_OPT_MIIMON], 100);
	assert_int_equal(profile_key_line(p, "bond", "b", "mode"), 7);
	profile_free(p);

	/* an empty file and a file of comments are valid, and declare nothing */
	p = load_ok("");
	profile_free(p);
	p = load_ok("; nothing\n\n# here\n");
	profile_free(p);
	/* a one-byte last line without a newline: iniparser skips it too */
	load_bad("[nic e0]\nx", "expected [TYPE NAME], KEY = VALUE");
}

static void test_every_error_reported(void **state) {
	struct profile *p = NULL;
	struct diags d;
	char buf[1024];
	static const char text[] = "[vlan v]\nlink = eth0\nid = 9999\nprotocol = x\n[nic e]\nmtu = 1\nstate = sideways\n";

	(void)state;
	diags_init(&d);
	assert_true(profile_load_buffer("t.ini", text, strlen(text), &p, &d) < 0);
	assert_null(p);
	assert_int_equal(d.n_errors, 4);
	/* in line order */
	assert_int_equal(d.v[0].line, 3);
	assert_int_equal(d.v[1].line, 4);
	assert_int_equal(d.v[2].line, 6);
	assert_int_equal(d.v[3].line, 7);
	assert_string_equal(d.v[0].section, "vlan v");
	assert_string_equal(d.v[0].key, "id");
	assert_null(d.v[0].code);
	assert_string_equal(diag_format(&d.v[3], buf, sizeof(buf)),
	                    "t.ini:7: [nic e] state: expected up or down, got \"sideways\"");
	diags_fini(&d);

	/* the syntax errors and the value errors together */
	assert_int_equal(load_bad("[Nic e]\nmtu = 1\nMTU = 2\n[bond]\n[x y]\n[nic f]\nfoo = 1\nmtu = 99999\n",
	                          "section headers are lowercase"),
	                 8);
}

static void test_load_file(void **state) {
	struct profile *p = NULL;
	struct diags d;
	char buf[512];

	(void)state;
	diags_init(&d);
	assert_int_equal(profile_load("/nonexistent/hanet.ini", &p, &d), -ENOENT);
	assert_string_equal(diag_format(&d.v[0], buf, sizeof(buf)),
	                    "/nonexistent/hanet.ini: cannot read: No such file or directory");
	diags_fini(&d);
	diags_init(&d);
	assert_true(profile_load("/", &p, &d) < 0);
	diags_fini(&d);
}

static void test_routes_path(void **state) {
	struct profile *p;

	(void)state;
	p = load_ok_as("etc/hanet/ctl.ini", "[routes a]\nfile = a.routes\n[routes b]\nfile = /abs/b.routes\n");
	P = p;
	assert_string_equal(RF("a")->path, "etc/hanet/a.routes");
	assert_string_equal(RF("b")->path, "/abs/b.routes");
	assert_int_equal(RF("a")->table, RT_TABLE_MAIN);
	profile_free(p);
	p = load_ok_as("ctl.ini", "[routes a]\nfile = a.routes\n");
	assert_string_equal(p->routes_files[0].path, "a.routes");
	profile_free(p);
}

static void test_summary(void **state) {
	static const char example[] =
		"[profile]\ndescription = controller-1\n[netns api]\n"
		"[bond bond0]\nmode = active-backup\nslaves = eth1, eth2\nprimary = eth1\nmiimon = 10\nnum_grat_arp = 3\nmtu = 9000\n"
		"[vlan bond0.100]\nlink = bond0\nid = 100\naddresses = 192.0.2.11/24\n"
		"[macvlan api0]\nlink = bond0.100\nmode = bridge\nnetns = api\n"
		"[vip api]\naddress = 192.0.2.100/24\ndev = api0\nnetns = api\n"
		"[route default]\nto = default\nvia = 192.0.2.1\ndev = bond0.100\nmetric = 100\n"
		"[sla]\nfailover_max = 50ms\n";
	struct profile *p;
	char buf[512];

	(void)state;
	p = load_ok(example);
	profile_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "1 netns, 1 bond (2 slaves), 1 vlan, 1 macvlan, 1 vip, 1 route; sla failover_max 50ms");
	profile_summary(p, buf, 10);
	assert_int_equal(strlen(buf), 9);
	profile_free(p);

	p = load_ok("");
	profile_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "nothing declared");
	profile_free(p);

	p = load_ok("[nic a]\n[nic b]\n[team t]\nports = a\n[routes r]\nfile = x\n[sla]\nfailover_max = 1s\npercentile = 99.9\n");
	p->routes_files[0].n_routes = 12;
	profile_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "2 nics, 1 team (1 port), 1 routes file (12 routes); sla failover_max 1s at p99.9");
	profile_free(p);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),       cmocka_unit_test(test_bond_options),
		cmocka_unit_test(test_bond_alias),      cmocka_unit_test(test_bond_effective),
		cmocka_unit_test(test_defaults),        cmocka_unit_test(test_lines),
		cmocka_unit_test(test_implicit_nics),   cmocka_unit_test(test_veth_pairs),
		cmocka_unit_test(test_namespaces),      cmocka_unit_test(test_netns_existence),
		cmocka_unit_test(test_references),      cmocka_unit_test(test_fault_vip_move),
		cmocka_unit_test(test_syntax_forms),    cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_load_file),       cmocka_unit_test(test_routes_path),
		cmocka_unit_test(test_summary),         cmocka_unit_test(test_team_port_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
