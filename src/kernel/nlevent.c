/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink event sockets, one per namespace, behind one epoll fd.
 *
 * Each socket is opened inside its namespace (the calling thread enters
 * it and comes back) and keeps listening there.  RTM_NEWLINK carries the
 * whole state of a link, not what changed, so every namespace keeps the
 * last state seen per ifindex (admin, carrier, master, a bond's active
 * slave, a bond slave's state) and the events say what differs.  The
 * table is primed with a dump when the namespace is added and again after
 * an overflow; link messages are always received to keep it current (and
 * to name the device of address events), and reported only when asked.
 *
 * An overflow (ENOBUFS: the kernel dropped messages) is reported as
 * NLEV_OVERFLOW for that namespace; the caller must resync. */
#include <net/if.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
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
#define NLEV_MAX_READS 64           /* datagrams per namespace per dispatch */

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
	int fd;                         /* opened in the namespace: holds it (no fd of its own) */
	dev_t ns_dev;                   /* the namespace's identity, to find it again by name */
	ino_t ns_ino;
	unsigned groups;
	struct nlev_link *links;
	size_t n_links, cap_links;
	uint64_t drained_ns;            /* last found empty */
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

static uint64_t arrival_bound(const struct nlev_ns *n, uint64_t read_ns) {
	uint64_t t;

	if (arr_ep >= 0 && n->fd >= 0 && (size_t)n->fd < arr_cap) {
		t = atomic_load(&arr_ready[n->fd]);
		if (t && !(t & ARR_ARMED) && t <= read_ns)
			return t;
	}

	if (!wait_woke_ns)
		return read_ns;                 /* no loop said how it waits */
	if (wait_woke_ns - wait_entered_ns >= NLEV_SLEPT_NS)
		t = wait_woke_ns;
	else
		t = n->drained_ns > prev_woke_ns ? n->drained_ns : prev_woke_ns;
	return t && t < read_ns ? t : read_ns;
}

/* With one namespace the set is its socket; the epoll fd is made when a
 * second one is added (a thousand namespaces watched one set each would
 * otherwise take a thousand epoll fds). */
struct nlev_set {
	int epfd;
	struct nlev_ns **ns;
	size_t n_ns;
	int rcvbuf;
	bool fd_given;                  /* nlev_fd handed out the only socket */
};

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

/* In the namespace already: the event socket.  Its groups are given to
 * bind() as one mask (every rtnetlink group hanet reads is below 32): each
 * NETLINK_ADD_MEMBERSHIP walks every subscribed socket of the protocol in
 * the kernel, so a thousand namespaces subscribed group by group cost
 * seven such walks each. */
static int event_socket_here(unsigned groups, int rcvbuf) {
	static const struct { unsigned g; unsigned grp[2]; } map[] = {
		{ NLEV_G_LINK, { RTNLGRP_LINK, 0 } },
		{ NLEV_G_ADDR, { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } },
		{ NLEV_G_ROUTE, { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE } },
		{ NLEV_G_RULE, { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE } },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, r;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (!(groups & map[i].g) && map[i].g != NLEV_G_LINK)
			continue;       /* links always: they keep the table of names */
		for (size_t k = 0; k < 2 && map[i].grp[k]; k++) {
			_Static_assert(RTNLGRP_IPV6_RULE <= 32, "a group beyond the bind mask");
			sa.nl_groups |= 1u << (map[i].grp[k] - 1);
		}
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r = set_rcvbuf(fd, rcvbuf);
	if (r < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

/* Fill the link table from a dump, without events.  Runs in the
 * namespace (entered by the caller).  *ret_intr: the dump was
 * interrupted by a change (NLM_F_DUMP_INTR) and should be redone. */
static int dump_links_here(struct nlev_ns *n, uint8_t *buf, bool *ret_intr) {
	/* without the statistics: the kernel's cost per link is less */
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
		struct nlattr mask_hdr;
		uint32_t mask;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		         .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC },
		.mask_hdr = { .nla_len = NLA_HDRLEN + sizeof(uint32_t), .nla_type = IFLA_EXT_MASK },
		.mask = RTEXT_FILTER_SKIP_STATS,
	};
	bool done = false, intr = false;
	int fd, r = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		r = -errno;
		goto out;
	}
	n->n_links = 0;
	while (!done) {
		ssize_t len = recv(fd, buf, NLEV_BUF_SIZE, 0);
		const struct nlmsghdr *nlh;
		int left;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				r = e->error < 0 ? e->error : -EPROTO;
				goto out;
			}
			if (nlh->nlmsg_type == RTM_NEWLINK && mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct ifinfomsg)) {
				struct link_msg m;
				struct nlev_link *l;

				parse_link(nlh, &m);
				l = link_find(n, m.ifindex);
				if (!l)
					l = link_add(n, m.ifindex);
				if (!l) {
					r = -ENOMEM;
					goto out;
				}
				link_store(l, &m);
			}
		}
	}
	*ret_intr = intr;
out:
	close(fd);
	return r;
}

static int prime_here(struct nlev_ns *n, uint8_t *buf) {
	for (int attempt = 0; attempt < 5; attempt++) {
		bool intr = false;
		int r = dump_links_here(n, buf, &intr);

		if (r < 0 || !intr)
			return r;
	}
	/* still changing: keep the last dump, the events that follow carry
	 * the current state of every link they name */
	return 0;
}

/* Switch the calling thread to the namespace of fd and back: the
 * namespace is held by its fd, so it is found even after its name is
 * gone from /run/netns. */
static int enter_fd(int fd, int *ret_saved) {
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), r;

	if (saved < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(saved);
		return r;
	}
	*ret_saved = saved;
	return 0;
}

/* The namespace is found again by its name (the socket keeps it alive,
 * so its identity is not given to another while it lives): -ESTALE when
 * the name names another namespace now, or none (-ENOENT). */
static int prime(struct nlev_ns *n) {
	int saved = -1, nsfd, r;
	struct stat sb;
	uint8_t *buf;

	nsfd = n->name ? netns_open(n->name) : open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return n->name ? nsfd : -errno;
	if (fstat(nsfd, &sb) < 0 || sb.st_dev != n->ns_dev || sb.st_ino != n->ns_ino) {
		close(nsfd);
		return -ESTALE;
	}
	r = enter_fd(nsfd, &saved);
	close(nsfd);
	if (r < 0)
		return r;
	buf = iobuf_take();
	r = buf ? prime_here(n, buf) : -ENOMEM;
	iobuf_give(buf);
	netns_leave(saved);
	return r;
}

/* ---- the set ----------------------------------------------------------- */

int nlev_set_new(struct nlev_set **ret) {
	struct nlev_set *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->rcvbuf = NLEV_RCVBUF_DEFAULT;
	s->epfd = -1;
	*ret = s;
	return 0;
}

static void ns_free(struct nlev_ns *n) {
	if (!n)
		return;
	if (n->fd >= 0) {
		if (arr_ep >= 0 && (size_t)n->fd < arr_cap) {
			epoll_ctl(arr_ep, EPOLL_CTL_DEL, n->fd, NULL);
			atomic_store(&arr_ready[n->fd], 0);
		}
		close(n->fd);
	}
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
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

int nlev_set_rcvbuf(struct nlev_set *s, int bytes) {
	if (bytes <= 0)
		return -EINVAL;
	s->rcvbuf = bytes;
	for (size_t i = 0; i < s->n_ns; i++) {
		int r = set_rcvbuf(s->ns[i]->fd, bytes);
		if (r < 0)
			return r;
	}
	return 0;
}

int nlev_add_netns(struct nlev_set *s, const char *netns, unsigned groups) {
	struct nlev_ns *n, **v;
	struct epoll_event ee = { .events = EPOLLIN };
	int saved = -1, nsfd = -1, r;
	uint8_t *buf = NULL;

	if (groups == 0)
		return -EINVAL;
	if (s->n_ns == 1 && s->fd_given)
		return -EBUSY;          /* the caller polls the first socket alone */
	if (s->n_ns == 1 && s->epfd < 0) {
		s->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (s->epfd < 0)
			return -errno;
		ee.data.ptr = s->ns[0];
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->ns[0]->fd, &ee) < 0) {
			r = -errno;
			close(s->epfd);
			s->epfd = -1;
			return r;
		}
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->fd = -1;
	n->drained_ns = now_ns();
	n->groups = groups;
	if (netns && !(n->name = strdup(netns))) {
		r = -ENOMEM;
		goto fail;
	}
	nsfd = netns ? netns_open(netns) : open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		r = netns ? nsfd : -errno;
		goto fail;
	}
	{
		struct stat sb;

		if (fstat(nsfd, &sb) < 0) {
			r = -errno;
			close(nsfd);
			goto fail;
		}
		n->ns_dev = sb.st_dev;
		n->ns_ino = sb.st_ino;
	}
	r = netns ? enter_fd(nsfd, &saved) : 0;
	close(nsfd);
	if (r < 0)
		goto fail;
	buf = iobuf_take();
	n->fd = event_socket_here(groups, s->rcvbuf);
	/* after subscribing: a change between the dump and the first read
	 * arrives as an event */
	r = n->fd < 0 ? n->fd : buf ? prime_here(n, buf) : -ENOMEM;
	iobuf_give(buf);
	if (saved >= 0)
		netns_leave(saved);
	if (r < 0)
		goto fail;

	v = realloc(s->ns, (s->n_ns + 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto fail;
	}
	s->ns = v;
	ee.data.ptr = n;
	if (s->epfd >= 0 && epoll_ctl(s->epfd, EPOLL_CTL_ADD, n->fd, &ee) < 0) {
		r = -errno;
		goto fail;
	}
	arrivals_arm(n->fd, EPOLL_CTL_ADD);
	s->ns[s->n_ns++] = n;
	return 0;
fail:
	ns_free(n);
	return r;
}

int nlev_fd(struct nlev_set *s) {
	if (s->epfd >= 0 || s->n_ns == 0)
		return s->epfd;
	s->fd_given = true;
	return s->ns[0]->fd;
}

static int read_ns(struct nlev_ns *n, uint8_t *buf, void (*cb)(const struct nlev *ev, void *data), void *data) {
	int count = 0;

	for (int i = 0; i < NLEV_MAX_READS; i++) {
		struct sockaddr_nl from = { 0 };
		socklen_t fromlen = sizeof(from);
		ssize_t len = recvfrom(n->fd, buf, NLEV_BUF_SIZE, 0, (struct sockaddr *)&from, &fromlen);
		uint64_t t = now_ns(), arrived;
		const struct nlmsghdr *nlh;
		int left;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				n->drained_ns = t;
				arrivals_arm(n->fd, EPOLL_CTL_MOD);
				break;
			}
			if (errno == ENOBUFS) {
				struct nlev ev = { .type = NLEV_OVERFLOW, .t_ns = t, .arrived_ns = t, .netns = n->name };
				int r;

				/* the link table missed changes: read it again so
				 * later events compare with the truth */
				r = prime(n);
				if (r < 0)
					return r;
				cb(&ev, data);
				count++;
				continue;
			}
			return -errno;
		}
		if (from.nl_pid != 0)
			continue;       /* only the kernel speaks on this socket */
		left = (int)len;
		arrived = arrival_bound(n, t);
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			struct nlev ev;

			if (decode(n, nlh, t, &ev)) {
				ev.arrived_ns = arrived;
				cb(&ev, data);
				count++;
			}
		}
	}
	return count;
}

int nlev_dispatch(struct nlev_set *s, void (*cb)(const struct nlev *ev, void *data), void *data) {
	struct epoll_event evs[16];
	int n, count = 0;
	uint8_t *buf;

	if (s->epfd < 0) {
		n = s->n_ns > 0;        /* one (or none): its socket is non-blocking */
		if (n)
			evs[0].data.ptr = s->ns[0];
	} else {
		n = epoll_wait(s->epfd, evs, ARRAY_SIZE(evs), 0);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
	}
	if (n == 0)
		return 0;
	buf = iobuf_take();
	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int r = read_ns(evs[i].data.ptr, buf, cb, data);
		if (r < 0) {
			count = r;
			break;
		}
		count += r;
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
