/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink events of many namespaces, read from one socket.
 *
 * The set's socket lives in a namespace of the set's own, new and empty
 * (the caller's when it may not make one), and listens to every
 * namespace that has an id there (NETLINK_LISTEN_ALL_NSID): each message
 * says by that id where it happened.  A namespace added is given an id
 * there (RTM_NEWNSID), and is held by an fd so that its id names it
 * while it is in the set; an id given up is not trusted again until the
 * kernel says it went with its namespace (RTM_DELNSID).  Only the set's
 * namespaces have ids in its own: nothing else is heard, and no other
 * namespace is given ids.  One socket instead of one per namespace: the
 * kernel walks every subscribed rtnetlink socket of the machine for
 * every message it broadcasts, and at every subscription, so a thousand
 * sockets made each change cost a thousand checks.  Hearing other
 * namespaces takes CAP_NET_BROADCAST.
 *
 * RTM_NEWLINK carries the whole state of a link, not what changed, so
 * every namespace keeps the last state seen per ifindex (admin, carrier,
 * master, a bond's active slave, a bond slave's state) and the events say
 * what differs.  The table is primed with a dump when the namespace is
 * added and again after an overflow; link messages are always received
 * to keep it current (and to name the device of address events), and
 * reported only when asked.
 *
 * An overflow (ENOBUFS: the kernel dropped messages) is reported as
 * NLEV_OVERFLOW for every namespace of the set; the caller must resync. */
#include <net/if.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sys/syscall.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"
#include "nlevent.h"
#include "util.h"

#define NLEV_BUF_SIZE IOBUF_SIZE
#define NLEV_MAX_READS 256          /* datagrams per dispatch */

struct nlev_link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned iff;
	int master;
	int active_slave;               /* bonds: ifindex, 0 when none */
	int slave_state;                /* bond slaves: BOND_STATE_*, -1 when not a bond slave */
};

struct nlev_ns {
	char *name;                     /* NULL: the namespace current at nlev_add_netns */
	int nsfd;                       /* holds the namespace: its id stays its own */
	int nsid;                       /* its id in the set's namespace; -1: that namespace itself */
	void *tag;                      /* the caller's, in its events */
	struct nlev_ns *next_same;      /* others of the same namespace (one name each) */
	dev_t dev;                      /* its identity */
	ino_t ino;
	unsigned groups;
	struct nlev_link *links;
	size_t n_links, cap_links;
};

/* the caller's loop: see nlev_note_wait */
static uint64_t wait_entered_ns, wait_woke_ns, prev_woke_ns;

/* a wait shorter than this returned at once: something was pending */
#define NLEV_SLEPT_NS 100000ull

void nlev_note_wait(uint64_t entered_ns, uint64_t woke_ns) {
	prev_woke_ns = wait_woke_ns;
	wait_entered_ns = entered_ns;
	wait_woke_ns = woke_ns;
}

/* Arrival stamps: a thread that does nothing but wait for the event
 * sockets to become readable notes when each did (EPOLLONESHOT: once,
 * until the socket is drained and armed again), however busy the
 * caller's loop is.  By descriptor number; each arming has a number of
 * its own, in the epoll data and in the slot until stamped, so that an
 * event the thread took before a descriptor was closed, reused or armed
 * again never stamps what came after. */
#define ARR_ARMED (1ull << 63)
static int arr_ep = -1, arr_stop = -1;
static _Atomic uint64_t *arr_ready;     /* ARR_ARMED | arming, or the stamp */
static size_t arr_cap;
static uint32_t arr_arming;
static pthread_t arr_thread;

static void *arrivals_thread(void *data) {
	(void)data;
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(arr_ep, evs, 64, -1);
		uint64_t t = now_ns();

		for (int i = 0; i < n; i++) {
			uint64_t armed = ARR_ARMED | evs[i].data.u64;
			uint32_t fd = (uint32_t)evs[i].data.u64;

			if (evs[i].data.u64 == UINT64_MAX)
				return NULL;
			if (fd < arr_cap)
				atomic_compare_exchange_strong(&arr_ready[fd], &armed, t);
		}
	}
	return NULL;
}

int nlev_track_arrivals(void) {
	struct rlimit rl;
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	if (arr_ep >= 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	arr_cap = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : (size_t)rl.rlim_cur;
	arr_ready = calloc(arr_cap, sizeof(*arr_ready));
	if (!arr_ready)
		return -ENOMEM;
	arr_ep = epoll_create1(EPOLL_CLOEXEC);
	arr_stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (arr_ep < 0 || arr_stop < 0) {
		r = -errno;
		goto fail;
	}
	{
		struct epoll_event ee = { .events = EPOLLIN, .data.u64 = UINT64_MAX };

		if (epoll_ctl(arr_ep, EPOLL_CTL_ADD, arr_stop, &ee) < 0) {
			r = -errno;
			goto fail;
		}
	}
	/* the thread takes no signal */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	r = -pthread_create(&arr_thread, &attr, arrivals_thread, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		goto fail;
	return 0;
fail:
	if (arr_ep >= 0)
		close(arr_ep);
	if (arr_stop >= 0)
		close(arr_stop);
	arr_ep = arr_stop = -1;
	free(arr_ready);
	arr_ready = NULL;
	arr_cap = 0;
	return r;
}

void nlev_track_stop(void) {
	uint64_t one = 1;
	ssize_t k;

	if (arr_ep < 0)
		return;
	do
		k = write(arr_stop, &one, sizeof(one));
	while (k < 0 && errno == EINTR);
	/* the thread goes before what it uses: cancelled in its
	 * epoll_wait() when it cannot be told */
	if (k != (ssize_t)sizeof(one))
		pthread_cancel(arr_thread);
	pthread_join(arr_thread, NULL);
	close(arr_ep);
	close(arr_stop);
	arr_ep = arr_stop = -1;
	free(arr_ready);
	arr_ready = NULL;
	arr_cap = 0;
}

static void arrivals_arm(int fd, int op) {
	struct epoll_event ee = { .events = EPOLLIN | EPOLLONESHOT };

	if (arr_ep < 0 || fd < 0 || (size_t)fd >= arr_cap)
		return;
	/* 31 bits: never UINT64_MAX (the stop), never a stamp */
	arr_arming = (arr_arming + 1) & 0x7fffffffu;
	ee.data.u64 = (uint64_t)arr_arming << 32 | (uint32_t)fd;
	atomic_store(&arr_ready[fd], ARR_ARMED | ee.data.u64);
	epoll_ctl(arr_ep, op, fd, &ee);
}

/* An id in the set's namespace: the entries of the namespace that has it. */
struct nsid_slot {
	int nsid;                       /* -1: a free slot */
	struct nlev_ns *head;
	bool retired;                   /* its namespace left the set: its messages are dropped until
	                                   the id is gone (RTM_DELNSID) or it comes back */
	dev_t dev;                      /* the namespace it was given to */
	ino_t ino;
};

/* The set: one socket for all its namespaces. */
struct nlev_set {
	int fd;                         /* the event socket, in the set's namespace */
	int reqfd;                      /* requests (ids, dumps), in the set's namespace */
	int nsfd;                       /* the set's namespace */
	bool private_ns;                /* made for the set (else the caller's) */
	dev_t ns_dev;
	ino_t ns_ino;
	int self_nsid;                  /* the caller's namespace's id for itself, -1 when none */
	unsigned bound;                 /* NLEV_G_* the socket listens to */
	bool armed;                     /* in the arrivals thread's epoll */
	struct nlev_ns **ns;
	size_t n_ns;
	struct nlev_ns *here;           /* the entries of the set's own namespace */
	struct nsid_slot *ids;          /* by id, open addressing */
	size_t cap_ids, n_ids;
	uint64_t drained_ns;            /* last found empty */
	uint32_t seq;
};

static uint64_t arrival_bound(const struct nlev_set *s, uint64_t read_ns) {
	uint64_t t;

	if (arr_ep >= 0 && s->fd >= 0 && (size_t)s->fd < arr_cap) {
		t = atomic_load(&arr_ready[s->fd]);
		if (t && !(t & ARR_ARMED) && t <= read_ns)
			return t;
	}

	if (!wait_woke_ns)
		return read_ns;                 /* no loop said how it waits */
	if (wait_woke_ns - wait_entered_ns >= NLEV_SLEPT_NS)
		t = wait_woke_ns;
	else
		t = s->drained_ns > prev_woke_ns ? s->drained_ns : prev_woke_ns;
	return t && t < read_ns ? t : read_ns;
}

const char *nlev_type_name(enum nlev_type t) {
	static const char *const names[] = {
		[NLEV_LINK_NEW] = "link-new",   [NLEV_LINK_DEL] = "link-del",
		[NLEV_LINK_CHANGE] = "link-change", [NLEV_ADDR_NEW] = "addr-new",
		[NLEV_ADDR_DEL] = "addr-del",   [NLEV_ROUTE_NEW] = "route-new",
		[NLEV_ROUTE_DEL] = "route-del", [NLEV_RULE_NEW] = "rule-new",
		[NLEV_RULE_DEL] = "rule-del",   [NLEV_OVERFLOW] = "overflow",
	};
	return (unsigned)t < ARRAY_SIZE(names) && names[t] ? names[t] : "unknown";
}

/* ---- the per-ifindex table ---------------------------------------------- */

static struct nlev_link *link_find(struct nlev_ns *n, int ifindex) {
	for (size_t i = 0; i < n->n_links; i++)
		if (n->links[i].ifindex == ifindex)
			return &n->links[i];
	return NULL;
}

static struct nlev_link *link_add(struct nlev_ns *n, int ifindex) {
	struct nlev_link *l;

	if (n->n_links == n->cap_links) {
		size_t cap = n->cap_links ? n->cap_links * 2 : 16;
		struct nlev_link *v = realloc(n->links, cap * sizeof(*v));
		if (!v)
			return NULL;
		n->links = v;
		n->cap_links = cap;
	}
	l = &n->links[n->n_links++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	l->slave_state = -1;
	return l;
}

static void link_remove(struct nlev_ns *n, int ifindex) {
	struct nlev_link *l = link_find(n, ifindex);

	if (l)
		*l = n->links[--n->n_links];
}

static const char *link_name(struct nlev_ns *n, int ifindex) {
	struct nlev_link *l = ifindex > 0 ? link_find(n, ifindex) : NULL;
	return l ? l->name : "";
}

/* ---- decoding ---------------------------------------------------------- */

struct link_msg {
	int ifindex;
	unsigned iff;
	const char *name;
	int master;
	bool is_bond;
	int active_slave;
	int slave_state;
};

static int attr_cb(const struct nlattr *a, void *data) {
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* the tables passed here are sized for the largest type we read */
	if (type < 64)
		tb[type] = a;
	return MNL_CB_OK;
}

static void parse_link(const struct nlmsghdr *nlh, struct link_msg *m) {
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = { 0 }, *li[64] = { 0 };

	memset(m, 0, sizeof(*m));
	m->ifindex = ifi->ifi_index;
	m->iff = ifi->ifi_flags;
	m->slave_state = -1;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (tb[IFLA_IFNAME])
		m->name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	if (tb[IFLA_MASTER])
		m->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (!tb[IFLA_LINKINFO])
		return;
	mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_cb, li);
	if (li[IFLA_INFO_KIND] && strcmp(mnl_attr_get_str(li[IFLA_INFO_KIND]), "bond") == 0) {
		m->is_bond = true;
		if (li[IFLA_INFO_DATA]) {
			const struct nlattr *bd[64] = { 0 };
			mnl_attr_parse_nested(li[IFLA_INFO_DATA], attr_cb, bd);
			if (bd[IFLA_BOND_ACTIVE_SLAVE])
				m->active_slave = (int)mnl_attr_get_u32(bd[IFLA_BOND_ACTIVE_SLAVE]);
		}
	}
	if (li[IFLA_INFO_SLAVE_KIND] && strcmp(mnl_attr_get_str(li[IFLA_INFO_SLAVE_KIND]), "bond") == 0 &&
	    li[IFLA_INFO_SLAVE_DATA]) {
		const struct nlattr *sd[64] = { 0 };
		mnl_attr_parse_nested(li[IFLA_INFO_SLAVE_DATA], attr_cb, sd);
		if (sd[IFLA_BOND_SLAVE_STATE])
			m->slave_state = mnl_attr_get_u8(sd[IFLA_BOND_SLAVE_STATE]);
	}
}

static void link_store(struct nlev_link *l, const struct link_msg *m) {
	if (m->name)
		snprintf(l->name, sizeof(l->name), "%s", m->name);
	l->iff = m->iff;
	l->master = m->master;
	l->active_slave = m->active_slave;
	l->slave_state = m->slave_state;
}

/* A link message: update the table and fill ev; false when nothing
 * worth an event happened (an unknown ifindex deleted twice...). */
static bool decode_link(struct nlev_ns *n, const struct nlmsghdr *nlh, struct nlev *ev) {
	struct link_msg m;
	struct nlev_link *l;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return false;
	parse_link(nlh, &m);
	ev->ifindex = m.ifindex;
	ev->iff = m.iff;
	ev->master_ifindex = m.master;
	ev->flags = (m.iff & IFF_UP ? NLEV_F_ADMIN_UP : 0) | (m.iff & IFF_LOWER_UP ? NLEV_F_CARRIER : 0);
	ev->slave_active = m.slave_state == BOND_STATE_ACTIVE;
	l = link_find(n, m.ifindex);

	if (nlh->nlmsg_type == RTM_DELLINK) {
		ev->type = NLEV_LINK_DEL;
		snprintf(ev->ifname, sizeof(ev->ifname), "%s", m.name ? m.name : l ? l->name : "");
		link_remove(n, m.ifindex);
		return true;
	}

	if (!l) {
		ev->type = NLEV_LINK_NEW;
		l = link_add(n, m.ifindex);
		if (!l)
			return true;   /* still report it; the table catches up on the next message */
	} else {
		ev->type = NLEV_LINK_CHANGE;
		if ((l->iff ^ m.iff) & IFF_UP)
			ev->flags |= NLEV_F_ADMIN_CHANGED;
		if ((l->iff ^ m.iff) & IFF_LOWER_UP)
			ev->flags |= NLEV_F_CARRIER_CHANGED;
		if (l->master != m.master)
			ev->flags |= NLEV_F_MASTER_CHANGED;
		if (m.is_bond && l->active_slave != m.active_slave)
			ev->flags |= NLEV_F_ACTIVE_SLAVE_CHANGED;
		if (l->slave_state != m.slave_state && m.slave_state >= 0)
			ev->flags |= NLEV_F_SLAVE_STATE_CHANGED;
	}
	link_store(l, &m);
	snprintf(ev->ifname, sizeof(ev->ifname), "%s", l->name);
	if (m.is_bond)
		snprintf(ev->active_slave, sizeof(ev->active_slave), "%s", link_name(n, m.active_slave));
	return true;
}

static void put_addr(struct ipaddr *ip, uint8_t family, uint8_t plen, const struct nlattr *a) {
	size_t len = ipaddr_len(family);

	ip->family = family;
	ip->plen = plen;
	if (a && mnl_attr_get_payload_len(a) >= len)
		memcpy(ip->a, mnl_attr_get_payload(a), len);
}

static bool decode_addr(struct nlev_ns *n, const struct nlmsghdr *nlh, struct nlev *ev) {
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = { 0 }, *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return false;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb);
	ev->type = nlh->nlmsg_type == RTM_NEWADDR ? NLEV_ADDR_NEW : NLEV_ADDR_DEL;
	ev->ifindex = (int)ifa->ifa_index;
	snprintf(ev->ifname, sizeof(ev->ifname), "%s", link_name(n, ev->ifindex));
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer of a
	 * point-to-point link (and the address when there is no IFA_LOCAL) */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	put_addr(&ev->addr, ifa->ifa_family, ifa->ifa_prefixlen, a);
	return true;
}

static bool decode_route(const struct nlmsghdr *nlh, struct nlev *ev) {
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) || (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return false;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	ev->type = nlh->nlmsg_type == RTM_NEWROUTE ? NLEV_ROUTE_NEW : NLEV_ROUTE_DEL;
	put_addr(&ev->addr, rtm->rtm_family, rtm->rtm_dst_len, tb[RTA_DST]);
	ev->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	ev->protocol = rtm->rtm_protocol;
	if (tb[RTA_PRIORITY])
		ev->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF])
		ev->ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	return true;
}

static bool decode_rule(const struct nlmsghdr *nlh, struct nlev *ev) {
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = { 0 };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh) || (frh->family != AF_INET && frh->family != AF_INET6))
		return false;
	mnl_attr_parse(nlh, sizeof(*frh), attr_cb, tb);
	ev->type = nlh->nlmsg_type == RTM_NEWRULE ? NLEV_RULE_NEW : NLEV_RULE_DEL;
	put_addr(&ev->addr, frh->family, frh->src_len, tb[FRA_SRC]);
	ev->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	if (tb[FRA_PROTOCOL])
		ev->protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_PRIORITY])
		ev->priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	return true;
}

static bool decode(struct nlev_ns *n, const struct nlmsghdr *nlh, uint64_t t, struct nlev *ev) {
	memset(ev, 0, sizeof(*ev));
	ev->t_ns = t;
	ev->netns = n->name;
	ev->tag = n->tag;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		/* always decoded: the table names the links of address events */
		return decode_link(n, nlh, ev) && (n->groups & NLEV_G_LINK);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return (n->groups & NLEV_G_ADDR) && decode_addr(n, nlh, ev);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return (n->groups & NLEV_G_ROUTE) && decode_route(nlh, ev);
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return (n->groups & NLEV_G_RULE) && decode_rule(nlh, ev);
	default:
		return false;
	}
}

/* ---- sockets ----------------------------------------------------------- */

static int set_rcvbuf(int fd, int bytes) {
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		return -errno;
	return 0;
}

/* The rtnetlink groups of NLEV_G_* (links always: they keep the table of
 * names; namespace ids always: see id_gone), as a bind() mask: every
 * group hanet reads is below 32. */
static uint32_t group_mask(unsigned groups) {
	static const struct { unsigned g; unsigned grp[2]; } map[] = {
		{ NLEV_G_LINK, { RTNLGRP_LINK, RTNLGRP_NSID } },
		{ NLEV_G_ADDR, { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } },
		{ NLEV_G_ROUTE, { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE } },
		{ NLEV_G_RULE, { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE } },
	};
	uint32_t mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (!(groups & map[i].g) && map[i].g != NLEV_G_LINK)
			continue;
		for (size_t k = 0; k < 2 && map[i].grp[k]; k++) {
			_Static_assert(RTNLGRP_IPV6_RULE <= 32 && RTNLGRP_NSID <= 32, "a group beyond the bind mask");
			mask |= 1u << (map[i].grp[k] - 1);
		}
	}
	return mask;
}

/* Listen to more groups: the ones not yet bound, one membership each (a
 * set's groups are nearly always all given with its first namespace). */
static int listen_groups(struct nlev_set *s, unsigned groups) {
	uint32_t have = group_mask(s->bound), want = group_mask(groups) & ~have;

	for (unsigned g = 1; g <= 32; g++) {
		if (!(want & (1u << (g - 1))))
			continue;
		if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -errno;
	}
	s->bound |= groups;
	return 0;
}

/* A request on fd (a blocking socket); its replies, in order, to cb (NULL:
 * none expected but the ack).  *ret_intr (when given): a dump interrupted
 * by a change (NLM_F_DUMP_INTR).  Returns 0 or the kernel's error, a
 * dump's included (in its NLMSG_DONE). */
static int request(int fd, uint32_t seq, void *req, size_t len, uint8_t *buf, size_t size,
                   int (*cb)(const struct nlmsghdr *nlh, void *data), void *data, bool *ret_intr) {
	struct nlmsghdr *rq = req;
	bool dump = rq->nlmsg_flags & NLM_F_DUMP;
	int r = 0;

	rq->nlmsg_seq = seq;
	if (send(fd, req, len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, size, 0);
		const struct nlmsghdr *nlh;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq)
				continue;       /* a reply to an earlier request given up on */
			if (ret_intr && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
				*ret_intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
					memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
				return err < 0 ? err : r;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error < 0 ? e->error : r;
			}
			if (cb && r == 0)
				r = cb(nlh, data);
			if (!dump)
				return r;
		}
	}
}

struct nsid_req {
	struct nlmsghdr nlh;
	struct rtgenmsg g;
	uint8_t pad[3];
	struct nlattr fd_hdr;
	uint32_t fd;
	struct nlattr id_hdr;
	int32_t id;
};

static int nsid_cb(const struct nlmsghdr *nlh, void *data) {
	const struct nlattr *tb[64] = { 0 };

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return 0;
	mnl_attr_parse(nlh, NLMSG_ALIGN(sizeof(struct rtgenmsg)), attr_cb, tb);
	if (tb[NETNSA_NSID])
		*(int *)data = (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return 0;
}

/* The id of the namespace of nsfd in the set's namespace, given one when
 * it has none (make); -1 when it has none. */
static int nsid_get(struct nlev_set *s, int nsfd, bool make) {
	struct nsid_req req = {
		.nlh = { .nlmsg_len = offsetof(struct nsid_req, id_hdr), .nlmsg_type = RTM_GETNSID,
		         .nlmsg_flags = NLM_F_REQUEST },
		.g = { .rtgen_family = AF_UNSPEC },
		.fd_hdr = { .nla_len = NLA_HDRLEN + sizeof(uint32_t), .nla_type = NETNSA_FD },
		.fd = (uint32_t)nsfd,
		.id_hdr = { .nla_len = NLA_HDRLEN + sizeof(int32_t), .nla_type = NETNSA_NSID },
		.id = -1,
	};
	uint8_t buf[1024];
	int id = -1, r;

	_Static_assert(offsetof(struct nsid_req, fd_hdr) == NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtgenmsg)),
	               "the attributes follow the aligned header");
	r = request(s->reqfd, ++s->seq, &req, req.nlh.nlmsg_len, buf, sizeof(buf), nsid_cb, &id, NULL);
	if (r < 0 || id >= 0 || !make)
		return r < 0 ? r : id;
	/* none yet: the kernel picks one (-1); a race with another taker
	 * is EEXIST, and the id is there all the same */
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = RTM_NEWNSID;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r = request(s->reqfd, ++s->seq, &req, sizeof(req), buf, sizeof(buf), NULL, NULL, NULL);
	if (r < 0 && r != -EEXIST)
		return r;
	req.nlh.nlmsg_len = offsetof(struct nsid_req, id_hdr);
	req.nlh.nlmsg_type = RTM_GETNSID;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	r = request(s->reqfd, ++s->seq, &req, req.nlh.nlmsg_len, buf, sizeof(buf), nsid_cb, &id, NULL);
	return r < 0 ? r : id < 0 ? -ENOENT : id;
}

static int dump_link_cb(const struct nlmsghdr *nlh, void *data) {
	struct nlev_ns *n = data;
	struct link_msg m;
	struct nlev_link *l;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return 0;
	parse_link(nlh, &m);
	l = link_find(n, m.ifindex);
	if (!l)
		l = link_add(n, m.ifindex);
	if (!l)
		return -ENOMEM;
	link_store(l, &m);
	return 0;
}

/* Fill the link table from a dump of the namespace, without events; again
 * when a change interrupted it, at most five times (the events that
 * follow carry the current state of every link they name).  From the
 * set's private namespace the dump names the namespace by its id
 * (IFLA_TARGET_NETNSID); otherwise it is made inside the namespace: a
 * dump from the caller's namespace could give that namespace an id for
 * itself (a link whose peer is there), and other programs' events
 * would carry it. */
static int prime(struct nlev_set *s, struct nlev_ns *n, uint8_t *buf) {
	/* without the statistics: the kernel's cost per link is less */
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
		struct nlattr mask_hdr;
		uint32_t mask;
		struct nlattr id_hdr;
		int32_t id;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
		.mask_hdr = { .nla_len = NLA_HDRLEN + sizeof(uint32_t), .nla_type = IFLA_EXT_MASK },
		.mask = RTEXT_FILTER_SKIP_STATS,
		.id_hdr = { .nla_len = NLA_HDRLEN + sizeof(int32_t), .nla_type = IFLA_TARGET_NETNSID },
		.id = n->nsid,
	};
	int fd = s->reqfd, saved = -1, r = 0;

	/* in a private namespace every entry has an id */
	if (!s->private_ns) {
		req.nlh.nlmsg_len = offsetof(__typeof__(req), id_hdr);
		r = netns_enter_fd(n->nsfd, &saved);
		if (r < 0)
			return r;
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		r = fd < 0 ? -errno : 0;
		netns_leave(saved);
		if (r < 0)
			return r;
	}
	for (int attempt = 0; attempt < 5; attempt++) {
		bool intr = false;

		n->n_links = 0;
		r = request(fd, ++s->seq, &req, req.nlh.nlmsg_len, buf, NLEV_BUF_SIZE, dump_link_cb, n, &intr);
		if (r < 0 || !intr)
			break;
	}
	if (fd != s->reqfd)
		close(fd);
	return r;
}

/* The event socket (bind_groups: non-blocking, listening to every
 * namespace with an id here) or the request socket (0), in the calling
 * thread's namespace. */
static int set_socket(int *ret_fd, unsigned bind_groups, int rcvbuf) {
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = bind_groups };
	int fd, one = 1, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (bind_groups ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (rcvbuf > 0 && (r = set_rcvbuf(fd, rcvbuf)) < 0)
		goto fail;
	if (bind_groups && setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)) < 0) {
		r = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto fail;
	}
	*ret_fd = fd;
	return 0;
fail:
	close(fd);
	return r;
}

/* The set's sockets and namespace: a new, empty namespace of the set's
 * own when the thread may make one (then only the set's namespaces have
 * ids there, nothing else is heard, and the caller's namespace gets no
 * ids), else the current one. */
static int set_open(struct nlev_set *s) {
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), r;
	struct stat sb;

	if (saved < 0)
		return -errno;
	s->private_ns = unshare(CLONE_NEWNET) == 0;
	s->nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	r = s->nsfd < 0 || fstat(s->nsfd, &sb) < 0 ? -errno : 0;
	if (r == 0) {
		s->ns_dev = sb.st_dev;
		s->ns_ino = sb.st_ino;
		r = set_socket(&s->fd, group_mask(NLEV_G_LINK), NLEV_RCVBUF_DEFAULT);
	}
	if (r == 0)
		r = set_socket(&s->reqfd, 0, 0);
	if (s->private_ns && setns(saved, CLONE_NEWNET) < 0)
		abort();        /* the thread would go on in the wrong namespace */
	close(saved);
	return r;
}

/* Whether the process may hear other namespaces' events
 * (NETLINK_LISTEN_ALL_NSID needs CAP_NET_BROADCAST, or they are dropped
 * without a word). */
static bool may_broadcast(void) {
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return true;    /* cannot tell: the events will say */
	return d[CAP_NET_BROADCAST / 32].effective & (1u << (CAP_NET_BROADCAST % 32));
}

/* ---- the set ----------------------------------------------------------- */

int nlev_set_new(struct nlev_set **ret) {
	struct nlev_set *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->fd = s->reqfd = s->nsfd = -1;
	s->self_nsid = -1;
	s->drained_ns = now_ns();
	r = set_open(s);
	if (r < 0)
		goto fail;
	s->bound = NLEV_G_LINK;
	*ret = s;
	return 0;
fail:
	nlev_set_free(s);
	return r;
}

static void ns_free(struct nlev_ns *n) {
	if (!n)
		return;
	if (n->nsfd >= 0)
		close(n->nsfd);
	free(n->links);
	free(n->name);
	free(n);
}

void nlev_set_free(struct nlev_set *s) {
	if (!s)
		return;
	for (size_t i = 0; i < s->n_ns; i++)
		ns_free(s->ns[i]);
	free(s->ns);
	free(s->ids);
	if (s->fd >= 0) {
		if (arr_ep >= 0 && (size_t)s->fd < arr_cap) {
			epoll_ctl(arr_ep, EPOLL_CTL_DEL, s->fd, NULL);
			atomic_store(&arr_ready[s->fd], 0);
		}
		close(s->fd);
	}
	if (s->reqfd >= 0)
		close(s->reqfd);
	if (s->nsfd >= 0)
		close(s->nsfd);
	free(s);
}

int nlev_set_rcvbuf(struct nlev_set *s, int bytes) {
	if (bytes <= 0)
		return -EINVAL;
	return set_rcvbuf(s->fd, bytes);
}

/* ---- ids: a small open-addressing table --------------------------------- */

static struct nsid_slot *id_find(const struct nlev_set *s, int nsid) {
	if (!s->cap_ids || nsid < 0)
		return NULL;
	for (size_t i = (size_t)nsid * 2654435761u & (s->cap_ids - 1);; i = (i + 1) & (s->cap_ids - 1)) {
		if (s->ids[i].nsid == nsid)
			return &s->ids[i];
		if (s->ids[i].nsid < 0)
			return NULL;
	}
}

static struct nsid_slot *id_put(struct nlev_set *s, int nsid) {
	struct nsid_slot *e = id_find(s, nsid);

	if (e)
		return e;
	if ((s->n_ids + 1) * 2 > s->cap_ids) {
		size_t cap = s->cap_ids ? s->cap_ids * 2 : 64;
		struct nsid_slot *v = malloc(cap * sizeof(*v)), *old = s->ids;
		size_t n_old = s->cap_ids;

		if (!v)
			return NULL;
		for (size_t i = 0; i < cap; i++)
			v[i] = (struct nsid_slot){ .nsid = -1 };
		s->ids = v;
		s->cap_ids = cap;
		s->n_ids = 0;
		for (size_t i = 0; i < n_old; i++)
			if (old[i].nsid >= 0)
				*id_put(s, old[i].nsid) = old[i];
		free(old);
	}
	for (size_t i = (size_t)nsid * 2654435761u & (s->cap_ids - 1);; i = (i + 1) & (s->cap_ids - 1))
		if (s->ids[i].nsid < 0) {
			s->ids[i] = (struct nsid_slot){ .nsid = nsid };
			s->n_ids++;
			return &s->ids[i];
		}
}

/* The head of the entries of id nsid (-1: the set's own namespace), by
 * reference; NULL when none. */
static struct nlev_ns **chain_of(struct nlev_set *s, int nsid) {
	struct nsid_slot *e;

	if (nsid < 0 || nsid == s->self_nsid)
		return &s->here;
	e = id_find(s, nsid);
	return e ? &e->head : NULL;
}

int nlev_add_netns(struct nlev_set *s, const char *netns, unsigned groups, void *tag, struct nlev_ns **ret) {
	struct nlev_ns *n, **v, **head;
	struct nsid_slot *e = NULL;
	uint8_t *buf = NULL;
	struct stat sb;
	int r;

	if (groups == 0)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->nsfd = -1;
	n->groups = groups;
	n->tag = tag;
	n->nsid = -1;
	if (netns && !(n->name = strdup(netns))) {
		r = -ENOMEM;
		goto fail;
	}
	n->nsfd = netns ? netns_open(netns) : open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->nsfd < 0) {
		r = netns ? n->nsfd : -errno;
		goto fail;
	}
	if (fstat(n->nsfd, &sb) < 0) {
		r = -errno;
		goto fail;
	}
	n->dev = sb.st_dev;
	n->ino = sb.st_ino;
	buf = iobuf_take();
	if (!buf) {
		r = -ENOMEM;
		goto fail;
	}
	r = listen_groups(s, groups);
	if (r < 0)
		goto fail;
	if (n->dev != s->ns_dev || n->ino != s->ns_ino) {
		if (!may_broadcast()) {
			r = -EPERM;     /* its events would never come */
			goto fail;
		}
		/* its events come from now on: a change between the dump
		 * below and the first read arrives as an event */
		r = nsid_get(s, n->nsfd, true);
		if (r < 0)
			goto fail;
		n->nsid = r;
		e = id_put(s, n->nsid);
		if (!e) {
			r = -ENOMEM;
			goto fail;
		}
		/* the namespace that had this id before is gone, unless it is
		 * this one again: what is still queued of the other is not
		 * this one's (id_gone) */
		if (e->retired && e->dev == n->dev && e->ino == n->ino)
			e->retired = false;
		e->dev = n->dev;
		e->ino = n->ino;
	} else if (!s->here && !s->private_ns) {
		/* the caller's own messages carry no id, unless it has one for
		 * itself */
		r = nsid_get(s, s->nsfd, false);
		s->self_nsid = r >= 0 ? r : -1;
	}
	r = prime(s, n, buf);
	if (r < 0)
		goto fail;
	v = realloc(s->ns, (s->n_ns + 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto fail;
	}
	s->ns = v;
	head = e ? &e->head : &s->here;
	n->next_same = *head;
	*head = n;
	s->ns[s->n_ns++] = n;
	if (!s->armed) {
		arrivals_arm(s->fd, EPOLL_CTL_ADD);
		s->armed = true;
	}
	iobuf_give(buf);
	if (ret)
		*ret = n;
	return 0;
fail:
	iobuf_give(buf);
	ns_free(n);
	return r;
}

void nlev_remove_netns(struct nlev_set *s, struct nlev_ns *n) {
	struct nsid_slot *e = n->nsid >= 0 ? id_find(s, n->nsid) : NULL;
	struct nlev_ns **p = e ? &e->head : &s->here;

	for (; *p; p = &(*p)->next_same)
		if (*p == n) {
			*p = n->next_same;
			break;
		}
	/* its id may go to another namespace once this one is gone: until
	 * the kernel says so (RTM_DELNSID), what comes with it is this
	 * one's, and nobody's */
	if (e && !e->head)
		e->retired = true;
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i] == n) {
			s->ns[i] = s->ns[--s->n_ns];
			break;
		}
	ns_free(n);
}

int nlev_fd(struct nlev_set *s) {
	return s->fd;
}

bool nlev_pending(struct nlev_set *s) {
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* The id in the message's control data: -1 when none (the set's own
 * namespace). */
static int msg_nsid(struct msghdr *mh) {
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int id;

			memcpy(&id, CMSG_DATA(c), sizeof(id));
			return id;
		}
	return -1;
}

/* An id of the set's namespace went with its namespace (RTM_DELNSID, in
 * order with that namespace's last messages): a retired id may now be
 * given to another namespace, whose messages are its own. */
static void id_gone(struct nlev_set *s, const struct nlmsghdr *nlh) {
	const struct nlattr *tb[64] = { 0 };
	struct nsid_slot *e;

	if (nlh->nlmsg_type != RTM_DELNSID || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtgenmsg))
		return;
	mnl_attr_parse(nlh, NLMSG_ALIGN(sizeof(struct rtgenmsg)), attr_cb, tb);
	if (!tb[NETNSA_NSID])
		return;
	e = id_find(s, (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]));
	if (e)
		e->retired = false;
	if (s->self_nsid >= 0 && (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]) == s->self_nsid)
		s->self_nsid = -1;
}

/* Events were lost: every table is read again, so that later events
 * compare with the truth, and every namespace is told. */
static int overflow(struct nlev_set *s, uint8_t *buf, uint64_t t, void (*cb)(const struct nlev *ev, void *data),
                    void *data) {
	for (size_t i = 0; i < s->n_ns; i++)
		prime(s, s->ns[i], buf);        /* a failed dump keeps what it read: the caller resyncs */
	for (size_t i = 0; i < s->n_ns; i++) {
		struct nlev ev = { .type = NLEV_OVERFLOW, .t_ns = t, .arrived_ns = t, .netns = s->ns[i]->name,
		                   .tag = s->ns[i]->tag, .overflow_i = i, .overflow_n = s->n_ns };

		cb(&ev, data);
	}
	return (int)s->n_ns;
}

int nlev_dispatch(struct nlev_set *s, void (*cb)(const struct nlev *ev, void *data), void *data) {
	int count = 0;
	uint8_t *buf = iobuf_take();

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < NLEV_MAX_READS; i++) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { .iov_base = buf, .iov_len = NLEV_BUF_SIZE };
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		ssize_t len = recvmsg(s->fd, &mh, 0);
		uint64_t t = now_ns(), arrived;
		const struct nlmsghdr *nlh;
		struct nsid_slot *e;
		struct nlev_ns **head;
		int left, nsid;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				s->drained_ns = t;
				arrivals_arm(s->fd, EPOLL_CTL_MOD);
				break;
			}
			if (errno == ENOBUFS) {
				count += overflow(s, buf, t, cb, data);
				continue;
			}
			count = -errno;
			break;
		}
		if (from.nl_pid != 0)
			continue;       /* only the kernel speaks on this socket */
		nsid = msg_nsid(&mh);
		if (nsid < 0 && len >= (ssize_t)NLMSG_HDRLEN)
			id_gone(s, (const struct nlmsghdr *)buf);
		e = nsid >= 0 ? id_find(s, nsid) : NULL;
		if (e && e->retired)
			continue;       /* of a namespace no longer in the set */
		head = chain_of(s, nsid);
		if (!head || !*head)
			continue;       /* a namespace not in the set */
		left = (int)len;
		arrived = arrival_bound(s, t);
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			/* callbacks neither add nor remove namespaces (nlevent.h):
			 * the chain stays as it is while a datagram is read */
			for (struct nlev_ns *n = *head; n; n = n->next_same) {
				struct nlev ev;

				if (decode(n, nlh, t, &ev)) {
					ev.arrived_ns = arrived;
					cb(&ev, data);
					count++;
				}
			}
		}
	}
	iobuf_give(buf);
	return count;
}

int nlev_format(const struct nlev *ev, char *buf, size_t size) {
	char a[IPADDR_STRLEN] = "";
	int n;

	n = snprintf(buf, size, "%s ns=%s", nlev_type_name(ev->type), ev->netns ? ev->netns : "-");
	switch (ev->type) {
	case NLEV_LINK_NEW:
	case NLEV_LINK_DEL:
	case NLEV_LINK_CHANGE:
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0,
		              " ifindex=%d ifname=%s admin=%s%s carrier=%s%s master=%d%s",
		              ev->ifindex, ev->ifname, ev->flags & NLEV_F_ADMIN_UP ? "up" : "down",
		              ev->flags & NLEV_F_ADMIN_CHANGED ? "(changed)" : "",
		              ev->flags & NLEV_F_CARRIER ? "on" : "off",
		              ev->flags & NLEV_F_CARRIER_CHANGED ? "(changed)" : "", ev->master_ifindex,
		              ev->flags & NLEV_F_MASTER_CHANGED ? "(changed)" : "");
		if (ev->active_slave[0] || ev->flags & NLEV_F_ACTIVE_SLAVE_CHANGED)
			n += snprintf(buf + n, size > (size_t)n ? size - n : 0, " active_slave=%s%s",
			              ev->active_slave[0] ? ev->active_slave : "-",
			              ev->flags & NLEV_F_ACTIVE_SLAVE_CHANGED ? "(changed)" : "");
		if (ev->flags & NLEV_F_SLAVE_STATE_CHANGED)
			n += snprintf(buf + n, size > (size_t)n ? size - n : 0, " slave_state=%s(changed)",
			              ev->slave_active ? "active" : "backup");
		break;
	case NLEV_ADDR_NEW:
	case NLEV_ADDR_DEL:
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0, " ifindex=%d ifname=%s addr=%s", ev->ifindex,
		              ev->ifname, format_ipaddr(&ev->addr, true, a, sizeof(a)));
		break;
	case NLEV_ROUTE_NEW:
	case NLEV_ROUTE_DEL:
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0, " dst=%s table=%u protocol=%u metric=%u oif=%d",
		              format_ipaddr(&ev->addr, true, a, sizeof(a)), ev->table, ev->protocol, ev->priority,
		              ev->ifindex);
		break;
	case NLEV_RULE_NEW:
	case NLEV_RULE_DEL:
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0, " from=%s table=%u protocol=%u priority=%u",
		              ev->addr.plen ? format_ipaddr(&ev->addr, true, a, sizeof(a)) : "all", ev->table,
		              ev->protocol, ev->priority);
		break;
	case NLEV_OVERFLOW:
		break;
	}
	return n;
}
