/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model: plain structs shared by the desired state (parsed from a
 * profile) and the actual state (observed from the kernel).
 *
 * Conventions
 * - A namespace is named by `const char *netns`; NULL means the namespace
 *   hanet runs in.  The strings are owned by the containing profile or
 *   state (see strpool in util.h) and compared with netns_eq().
 * - Every optional scalar has a bit in the object's `set` mask; a field
 *   whose bit is clear was not declared in the profile and is not
 *   compared by plan.  Observed objects have every bit they can read set.
 * - `line` is the line of the section header in the profile (0 when the
 *   object was observed, not parsed).
 */
#ifndef HANET_MODEL_H
#define HANET_MODEL_H

/* <net/if.h> must come before any <linux/if.h> (libc-compat.h) */
#include <net/if.h>

#include <linux/if_bonding.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HANET_NAME_MAX 64           /* [vip NAME], [route NAME], ... */
#define NETNS_NAME_MAX 255          /* a file name under /run/netns */
#define ETH_ALEN_ 6
#define BOND_MAX_ARP_TARGETS 16     /* kernel BOND_MAX_ARP_TARGETS */
#define ROUTE_MAX_NEXTHOPS 32

/* ---- addresses ---------------------------------------------------- */

/* An IPv4/IPv6 address with an optional prefix length.  family is
 * AF_INET or AF_INET6, or 0 for "unset".  For a plain address (a
 * gateway) plen is the full length (32/128). */
struct ipaddr {
	uint8_t family;
	uint8_t plen;
	uint8_t a[16];
};

/* A list of interface names (bond slaves, team ports, bridge ports). */
struct namelist {
	char (*v)[IFNAMSIZ];
	size_t n;
};

/* A profile key's value as a list of names, comma- or space-separated
 * (keydef.h): each a valid interface name, none twice. */
struct key_ctx;
int key_parse_namelist(struct key_ctx *c, void *field);

/* ---- namespaces --------------------------------------------------- */

enum {
	NETNS_SET_LOOPBACK = 1u << 0,
	NETNS_SET_FORWARDING = 1u << 1,
};

struct netns_conf {
	const char *name;
	unsigned set;
	bool loopback_up;           /* default true */
	bool forwarding;
	int line;
};

/* ---- links -------------------------------------------------------- */

enum link_kind {
	LINK_NIC,                   /* an existing device: managed, never created */
	LINK_BOND,
	LINK_TEAM,
	LINK_VLAN,
	LINK_VETH,
	LINK_MACVLAN,
	LINK_BRIDGE,
	LINK_OTHER,                 /* observed only: a kind hanet does not manage */
	/* kinds added later: the journal (journal-file.c) records kinds by
	 * number, so a new kind goes last */
	LINK_DUMMY,
	LINK_VXLAN,
	LINK_IPVLAN,
	LINK_VRF,
	_LINK_KIND_MAX,
};

/* Which of the keys shared by every link section are set. */
enum {
	LINK_SET_MTU = 1u << 0,
	LINK_SET_MAC = 1u << 1,
	LINK_SET_STATE = 1u << 2,
	LINK_SET_ALIAS = 1u << 3,
	LINK_SET_ADDRESSES = 1u << 4,
};

/* Bond options by the kernel's names.  The table describing each one
 * (type, range, netlink attribute, valid modes) is in bond.h. */
enum bond_opt {
	BOND_OPT_MODE,
	BOND_OPT_MIIMON,
	BOND_OPT_UPDELAY,
	BOND_OPT_DOWNDELAY,
	BOND_OPT_PEER_NOTIF_DELAY,
	BOND_OPT_USE_CARRIER,
	BOND_OPT_ARP_INTERVAL,
	BOND_OPT_ARP_IP_TARGET,     /* value in bond_conf.arp_ip_target */
	BOND_OPT_ARP_VALIDATE,
	BOND_OPT_ARP_ALL_TARGETS,
	BOND_OPT_ARP_MISSED_MAX,
	BOND_OPT_PRIMARY,           /* value in bond_conf.primary */
	BOND_OPT_PRIMARY_RESELECT,
	BOND_OPT_FAIL_OVER_MAC,
	BOND_OPT_XMIT_HASH_POLICY,
	BOND_OPT_RESEND_IGMP,
	BOND_OPT_NUM_GRAT_ARP,      /* alias num_unsol_na: IFLA_BOND_NUM_PEER_NOTIF */
	BOND_OPT_ALL_SLAVES_ACTIVE,
	BOND_OPT_MIN_LINKS,
	BOND_OPT_LP_INTERVAL,
	BOND_OPT_PACKETS_PER_SLAVE,
	BOND_OPT_LACP_RATE,
	BOND_OPT_AD_SELECT,
	BOND_OPT_AD_ACTOR_SYS_PRIO,
	BOND_OPT_AD_USER_PORT_KEY,
	BOND_OPT_AD_ACTOR_SYSTEM,   /* value in bond_conf.ad_actor_system */
	BOND_OPT_TLB_DYNAMIC_LB,
	BOND_OPT_LACP_ACTIVE,       /* IFLA_BOND_AD_LACP_ACTIVE (Linux 5.15) */
	_BOND_OPT_MAX,
};

/* Bond modes: BOND_MODE_* from <linux/if_bonding.h> (0 balance-rr .. 6 balance-alb). */

struct bond_conf {
	uint64_t set;                       /* 1ull << enum bond_opt */
	uint32_t val[_BOND_OPT_MAX];        /* numeric and enum options; durations in ms as the kernel takes them */
	char primary[IFNAMSIZ];
	struct ipaddr *arp_ip_target;       /* heap (bond_arp_target_add): most bonds have none, and
	                                     * 16 in place made every link of every kind 680 bytes */
	size_t n_arp_ip_target;
	uint8_t ad_actor_system[ETH_ALEN_];
	struct namelist slaves;             /* desired: from `slaves =`; observed: derived from masters */
	char active_slave[IFNAMSIZ];        /* observed only */
	/* observed only: IFLA_BOND_PRIMARY / IFLA_BOND_ACTIVE_SLAVE as the
	 * kernel reports them (0: none); observe names them into primary and
	 * active_slave (the backend's observe_extra, link-ops.h) */
	int primary_ifindex;
	int active_slave_ifindex;
};

enum team_mode {
	TEAM_MODE_ROUNDROBIN,
	TEAM_MODE_ACTIVEBACKUP,
	TEAM_MODE_LOADBALANCE,
	TEAM_MODE_BROADCAST,
	TEAM_MODE_RANDOM,
	_TEAM_MODE_MAX,
};

enum {
	TEAM_SET_MODE = 1u << 0,
	TEAM_SET_NOTIFY_PEERS_COUNT = 1u << 1,
	TEAM_SET_NOTIFY_PEERS_INTERVAL = 1u << 2,
	TEAM_SET_MCAST_REJOIN_COUNT = 1u << 3,
	TEAM_SET_MCAST_REJOIN_INTERVAL = 1u << 4,
};

struct team_conf {
	unsigned set;
	enum team_mode mode;
	uint32_t notify_peers_count;
	uint32_t notify_peers_interval;     /* ms */
	uint32_t mcast_rejoin_count;
	uint32_t mcast_rejoin_interval;     /* ms */
	struct namelist ports;
	int32_t *port_priority;             /* parallel to ports.v */
	bool *port_priority_set;            /* parallel to ports.v */
	char active_port[IFNAMSIZ];         /* observed only */
};

enum {
	VLAN_SET_PROTOCOL = 1u << 0,
	VLAN_SET_LOOSE_BINDING = 1u << 1,
};

struct vlan_conf {
	unsigned set;
	char link[IFNAMSIZ];
	uint16_t id;
	uint16_t protocol;                  /* ETH_P_8021Q (default) or ETH_P_8021AD, host order */
	bool loose_binding;                 /* VLAN_FLAG_LOOSE_BINDING: its state does not follow the lower's */
};

/* A pair is declared from one end ([veth A] peer = B), or from both
 * ([veth A] peer = B and [veth B] peer = A, each with its own keys):
 * then peer_declared is set on both, and peer_netns is the other end's
 * namespace, "" standing for the namespace hanet runs in (netns_eq()
 * treats "" like NULL).  Create such a pair once. */
struct veth_conf {
	char peer[IFNAMSIZ];
	const char *peer_netns;             /* NULL: the veth's own namespace */
	bool peer_declared;                 /* the peer has its own [veth] section */
	char peer_master[IFNAMSIZ];         /* derived: the bridge/bond/team listing the peer (one end declared) */
	/* observed only: the peer as it is, so that a deleted pair can be
	 * created again identical (rollback); 0 = not known */
	int peer_ifindex;
	uint8_t peer_mac[ETH_ALEN_];
	uint32_t peer_mtu;
};

enum {
	MACVLAN_SET_MODE = 1u << 0,
};

struct macvlan_conf {
	unsigned set;
	char link[IFNAMSIZ];
	uint32_t mode;                      /* MACVLAN_MODE_* from linux/if_link.h */
};

enum {
	BRIDGE_SET_STP = 1u << 0,
};

struct bridge_conf {
	unsigned set;
	struct namelist ports;
	bool stp;
};

enum {
	VXLAN_SET_LOCAL = 1u << 0,
	VXLAN_SET_REMOTE = 1u << 1,
	VXLAN_SET_GROUP = 1u << 2,
	VXLAN_SET_DSTPORT = 1u << 3,
	VXLAN_SET_LEARNING = 1u << 4,
};

#define VXLAN_ID_MAX 16777215u
#define VXLAN_DSTPORT_DEFAULT 4789     /* IANA's; the kernel's own default is 8472 */

struct vxlan_conf {
	unsigned set;
	uint32_t id;                        /* the VNI */
	struct ipaddr local;
	struct ipaddr remote;               /* remote = (unicast) or group = (multicast) */
	char dev[IFNAMSIZ];                 /* the lower device, "" none */
	uint16_t dstport;
	bool learning;
};

enum {
	IPVLAN_SET_MODE = 1u << 0,
};

struct ipvlan_conf {
	unsigned set;
	char link[IFNAMSIZ];
	uint16_t mode;                      /* IPVLAN_MODE_* from linux/if_link.h */
};

/* A VRF (l3mdev): the routing table its members' traffic uses.  Its
 * members say `vrf = NAME` in their own sections (struct link.vrf);
 * ports is derived from them (desired) or from their masters (observed). */
#define VRF_TABLE_MAX 4294967294u

struct vrf_conf {
	uint32_t table;
	struct namelist ports;
};

struct link {
	char name[IFNAMSIZ];
	const char *netns;
	enum link_kind kind;
	unsigned set;                       /* LINK_SET_* */
	uint32_t mtu;
	uint8_t mac[ETH_ALEN_];
	bool up;                            /* state = up|down, default up */
	char *alias;
	struct ipaddr *addrs;               /* addresses = (with plen) */
	size_t n_addrs;
	char master[IFNAMSIZ];              /* derived: the bond/team/bridge listing this link, or its vrf */
	char vrf[IFNAMSIZ];                 /* vrf = : the [vrf] it is enslaved to, "" none */
	bool implicit;                      /* no section: named as a slave/port/lower link (an implicit [nic]) */
	int line;

	/* observed only */
	int ifindex;
	int master_ifindex;
	int link_ifindex;                   /* IFLA_LINK (vlan/macvlan lower, veth peer) */
	int link_netnsid;                   /* IFLA_LINK_NETNSID or -1 */
	unsigned flags;                     /* IFF_* */
	bool carrier;
	bool promote_secondaries;           /* net.ipv4.conf.DEV.promote_secondaries (IFLA_INET_CONF) */
	char kind_name[32];                 /* IFLA_INFO_KIND as the kernel says it */
	char slave_kind[32];                /* IFLA_INFO_SLAVE_KIND */

	union {
		struct bond_conf bond;
		struct team_conf team;
		struct vlan_conf vlan;
		struct veth_conf veth;
		struct macvlan_conf macvlan;
		struct bridge_conf bridge;
		struct vxlan_conf vxlan;
		struct ipvlan_conf ipvlan;
		struct vrf_conf vrf;
	} u;
};

/* ---- addresses and VIPs ------------------------------------------- */

/* An address as observed on a link (RTM_NEWADDR). */
struct addr {
	struct ipaddr ip;                   /* with plen */
	const char *netns;
	char dev[IFNAMSIZ];
	int ifindex;
	char label[IFNAMSIZ];
	uint32_t flags;                     /* IFA_F_* */
	uint32_t preferred_lft;             /* seconds, UINT32_MAX = forever */
	uint32_t valid_lft;
	uint8_t scope;
	uint8_t protocol;                   /* IFA_PROTO, 0 when the kernel has none */
};

enum announce_mode {
	ANNOUNCE_REQUEST,
	ANNOUNCE_REPLY,
	ANNOUNCE_BOTH,
};

enum vip_owner {
	VIP_OWNER_LOCAL,
	VIP_OWNER_EXTERNAL,
};

struct vip {
	char name[HANET_NAME_MAX];
	struct ipaddr address;              /* with plen */
	char dev[IFNAMSIZ];
	const char *netns;
	char label[IFNAMSIZ];               /* "" = none */
	bool preferred_zero;                /* preferred_lft = 0 (deprecated: never a source) */
	bool noprefixroute;
	bool nodad;
	uint32_t announce_count;            /* default 3 */
	uint32_t announce_interval_us;      /* default 20ms */
	enum announce_mode announce_mode;   /* default ANNOUNCE_REQUEST */
	enum vip_owner owner;
	char *engine_pidfile;               /* external: the cluster engine's pid file (hanet watch releases the
	                                     * VIP when the process it names is gone) */
	int line;
	/* owner = external, and this node holds it (a `hanet vip takeover`
	 * record, vip.h): watch keeps it.  Set by watch, never by the
	 * profile loader (apply leaves external VIPs alone). */
	bool held;
	/* held, and its takeover added it without DAD (--nodad, a
	 * migration's): that is the address wanted, not drift.  Set with held. */
	bool held_nodad;
};

/* ---- routes and rules --------------------------------------------- */

enum {
	ROUTE_SET_VIA = 1u << 0,
	ROUTE_SET_DEV = 1u << 1,
	ROUTE_SET_TABLE = 1u << 2,
	ROUTE_SET_METRIC = 1u << 3,
	ROUTE_SET_SRC = 1u << 4,
	ROUTE_SET_SCOPE = 1u << 5,
	ROUTE_SET_ONLINK = 1u << 6,
	ROUTE_SET_TYPE = 1u << 7,
	ROUTE_SET_MTU = 1u << 8,
	ROUTE_SET_NEXTHOPS = 1u << 9,
};

struct nexthop {
	struct ipaddr via;
	char dev[IFNAMSIZ];
	uint16_t weight;                    /* 1..256 as iproute2 takes it (rtnh_hops + 1) */
	bool onlink;
};

struct route {
	struct ipaddr dst;                  /* family set; plen 0 = default */
	struct ipaddr via;
	struct ipaddr src;
	char dev[IFNAMSIZ];
	const char *netns;
	uint32_t table;                     /* RT_TABLE_MAIN unless set */
	uint32_t metric;
	uint32_t mtu;
	uint16_t set;                       /* ROUTE_SET_* */
	uint8_t scope;                      /* RT_SCOPE_* */
	uint8_t type;                       /* RTN_* (unicast default) */
	uint8_t protocol;                   /* observed; hanet installs with RTPROT_HANET */
	bool onlink;
	struct nexthop *nexthops;           /* NULL unless ECMP */
	uint8_t n_nexthops;
	char vrf[IFNAMSIZ];                 /* vrf = : table = that [vrf]'s table, "" none */
	const char *name;                   /* [route NAME]; NULL for bulk routes */
	int line;                           /* section line, or line in the routes file */
};

/* [routes NAME]: a bulk route table read from a file (see routes-file.h). */
struct routes_file {
	char name[HANET_NAME_MAX];
	char *path;                         /* resolved against the profile's directory */
	const char *netns;
	uint32_t table;
	bool table_set;
	size_t n_routes;                    /* counted when the file was parsed (validate); 0 before */
	int line;
};

enum {
	RULE_SET_FROM = 1u << 0,
	RULE_SET_TO = 1u << 1,
	RULE_SET_TABLE = 1u << 2,
	RULE_SET_PRIORITY = 1u << 3,
	RULE_SET_FWMARK = 1u << 4,
	RULE_SET_IIF = 1u << 5,
	RULE_SET_OIF = 1u << 6,
};

struct rule {
	char name[HANET_NAME_MAX];          /* "" when observed */
	uint8_t family;
	unsigned set;                       /* RULE_SET_* */
	struct ipaddr from;
	struct ipaddr to;
	uint32_t table;
	uint32_t priority;
	uint32_t fwmark;
	uint32_t fwmask;                    /* 0xffffffff unless `fwmark = M/MASK` */
	char iif[IFNAMSIZ];
	char oif[IFNAMSIZ];
	uint8_t action;                     /* FR_ACT_*; observed */
	uint8_t protocol;                   /* observed */
	const char *netns;
	int line;
};

/* ---- measurement -------------------------------------------------- */

struct sla {
	bool set;
	uint64_t failover_max_us;
	double percentile;                  /* default 100 */
	int line;
};

/* [cluster]: the timers of the engine that moves VIPs between nodes, for
 * the lint that compares them with the bonds' and the SLA. */
enum cluster_engine {
	CLUSTER_KEEPALIVED,
	CLUSTER_PACEMAKER,
};

enum {
	CLUSTER_SET_ADVERT = 1u << 0,
	CLUSTER_SET_TOKEN = 1u << 1,
	CLUSTER_SET_CONSENSUS = 1u << 2,
};

struct cluster_conf {
	bool set;
	uint32_t engine;                    /* enum cluster_engine */
	uint32_t advert_ms;                 /* VRRP advert interval; default 1s */
	uint32_t token_ms;                  /* corosync token timeout; default 3s */
	uint32_t consensus_ms;              /* corosync consensus; default 1.2 x token */
	unsigned set_keys;                  /* CLUSTER_SET_* */
	int line;
};

enum probe_kind {
	PROBE_ICMP,
	PROBE_UDP,
};

struct probe_conf {
	char name[HANET_NAME_MAX];
	const char *from;                   /* namespace */
	char to[HANET_NAME_MAX];            /* an address, or a vip name */
	struct ipaddr to_addr;              /* resolved (the vip's address when `to` names a vip) */
	uint64_t interval_us;               /* default 1000 */
	enum probe_kind kind;
	uint16_t port;                      /* udp: destination port; 0 = the prober's default */
	int line;
};

enum fault_action {
	FAULT_LINK_DOWN,
	FAULT_CARRIER_OFF,
	FAULT_LINK_DELETE,
	FAULT_VIP_MOVE,
	FAULT_KILL,
	FAULT_SERVICE_KILL,
	FAULT_NODE_KILL,
	FAULT_SERVICE_EXEC,
};

/* service-kill: which processes of the service get the signal */
enum fault_target {
	FAULT_TARGET_GROUP,                 /* its whole process group (default) */
	FAULT_TARGET_MAIN,                  /* only the process hanet started */
	FAULT_TARGET_CHILD,                 /* only the children of that process */
};

struct fault_conf {
	char name[HANET_NAME_MAX];
	enum fault_action action;
	char dev[IFNAMSIZ];
	const char *netns;
	char *pidfile;
	char to[NETNS_NAME_MAX + 1];        /* vip-move: the target as written: DEV or NETNS/DEV (hanet.ini.5) */
	char to_dev[IFNAMSIZ];              /* vip-move: the destination link, resolved from `to` */
	const char *to_netns;               /* vip-move: its namespace */
	char vip[HANET_NAME_MAX];           /* vip-move: the vip moved (`vip =`, default the probe's `to`) */
	bool restore_auto;                  /* restore = auto (default) */
	uint32_t trials;                    /* default 10 */
	uint64_t settle_us;
	char probe[HANET_NAME_MAX];         /* "" = the only probe */
	char service[HANET_NAME_MAX];       /* service-kill: the [service NAME] */
	char node[HANET_NAME_MAX];          /* node-kill: the node (a service's `node`) */
	int signal;                         /* service-kill: SIGKILL (default) or SIGTERM */
	char *command;                      /* service-exec: run in the service's namespaces */
	char *restore_command;              /* service-exec: the restore (NULL: the service restarted) */
	enum fault_target target;           /* service-kill */
	uint64_t jitter_us;                 /* a random delay in [0, jitter) before each injection */
	int line;
};

/* [service NAME]: a process of a lab node (keepalived, corosync,
 * pacemakerd), started when the lab is built, killed with its whole
 * process tree when it is removed (service.h). */
enum service_ready {
	SERVICE_READY_STARTED,              /* ready = started (default): running */
	SERVICE_READY_FILE,                 /* ready = file PATH: PATH exists, as the service sees it */
	SERVICE_READY_COMMAND,              /* ready = command CMD: CMD exits 0 in the service's namespaces */
};

struct service_conf {
	char name[HANET_NAME_MAX];
	const char *netns;                  /* required */
	char node[HANET_NAME_MAX];          /* default: netns */
	char *command;                      /* run by /bin/sh -c */
	bool private_mount;                 /* mount = private (implied by tmpfs) */
	char *tmpfs;                        /* comma-separated absolute directories */
	char hostname[65];                  /* its own UTS namespace when set */
	enum service_ready ready;
	char *ready_arg;                    /* the PATH or CMD after `file` / `command` */
	uint64_t ready_timeout_us;          /* default 30s */
	uint64_t stop_timeout_us;           /* SIGTERM, then SIGKILL after this (default 2s) */
	char *log;                          /* its stdout and stderr; NULL: a file hanet removes */
	char *events;                       /* a file of timed events it writes, in its mount namespace */
	int line;
};

/* ---- the profile -------------------------------------------------- */

struct strpool;
struct profile_index;

/* Where a section or key was written, for messages after parsing
 * (profile_key_line()).  key is NULL for the section header line. */
struct profile_key_pos {
	const char *section;                /* "bond bond0", in the profile's pool */
	const char *key;                    /* in the profile's pool; NULL: the section's line */
	int line;
};

struct profile {
	char *path;
	char *name;                         /* [profile] name, default the file's base name */
	char *description;
	struct strpool *pool;               /* owns every netns string of the objects below */

	struct netns_conf *netns;
	size_t n_netns;
	struct link *links;
	size_t n_links;
	struct vip *vips;
	size_t n_vips;
	struct route *routes;               /* [route NAME] sections */
	size_t n_routes;
	struct routes_file *routes_files;
	size_t n_routes_files;
	struct rule *rules;
	size_t n_rules;
	struct sla sla;
	struct cluster_conf cluster;
	struct probe_conf *probes;
	size_t n_probes;
	struct fault_conf *faults;
	size_t n_faults;
	struct service_conf *services;
	size_t n_services;
	struct profile_key_pos *key_pos;    /* every section and key with its line */
	size_t n_key_pos;
	/* hashed lookups of links, veth peers and namespaces by name, built
	 * once the sections are read (profile_index_build); used only while
	 * the arrays are the ones it was built for, so a shallow copy with
	 * arrays of its own (a view) scans them instead */
	struct profile_index *index;
};

/* ---- helpers (model.c) -------------------------------------------- */

bool netns_eq(const char *a, const char *b);
const char *netns_str(const char *netns);           /* "" -> "(current)" for messages */
/* Whether hanet manages links of this kind (every kind but LINK_OTHER). */
static inline bool link_kind_managed(int kind) {
	return kind >= 0 && kind < _LINK_KIND_MAX && kind != LINK_OTHER;
}
const char *link_kind_name(enum link_kind kind);    /* "nic", "bond", ... as in section headers */
int link_kind_from_name(const char *s, enum link_kind *ret);

struct link *profile_find_link(const struct profile *p, const char *netns, const char *name);
struct link *profile_find_link_any(const struct profile *p, const char *name);
/* The first veth whose peer is name, or NULL. */
struct link *profile_find_peer(const struct profile *p, const char *name);
struct netns_conf *profile_find_netns(const struct profile *p, const char *name);
int profile_index_build(struct profile *p);          /* replaces p->index */
void profile_index_free(struct profile_index *x);
struct vip *profile_find_vip(const struct profile *p, const char *name);

void link_fini(struct link *l);
int link_copy(struct link *dst, const struct link *src);    /* deep copy */
void route_fini(struct route *r);
int route_copy(struct route *dst, const struct route *src);

void namelist_fini(struct namelist *l);
int namelist_copy(struct namelist *dst, const struct namelist *src);  /* dst is overwritten */
int namelist_add(struct namelist *l, const char *name);
/* A bond's ARP targets: -ENOSPC past BOND_MAX_ARP_TARGETS. */
int bond_arp_target_add(struct bond_conf *b, const struct ipaddr *a);
int bond_arp_targets_copy(struct bond_conf *dst, const struct bond_conf *src);  /* dst is overwritten */
void bond_arp_targets_fini(struct bond_conf *b);
bool namelist_contains(const struct namelist *l, const char *name);

void profile_free(struct profile *p);

#endif
