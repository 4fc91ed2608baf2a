/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The measurement timeline: a thread turning netlink events of every lab
 * namespace into timestamped records, and the analysis of one trial. */
#include <net/if.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"
#include "nlevent.h"
#include "timeline.h"
#include "util.h"

#define TL_MAX_CAPTURES 8
#define CAPTURE_PORTS 64
#define CAPTURE_ROUTERS 32

/* A packet socket in one namespace (timeline_add_capture). */
struct capture {
	char netns[NETNS_NAME_MAX + 1];
	int fd;
	int skip_ifindex;
	struct {
		int ifindex;
		char name[IFNAMSIZ];
	} port[CAPTURE_PORTS];
	size_t n_port;
	/* the last sender and priority of each VRRP router id */
	struct {
		uint8_t vrid, family, prio;
		uint8_t src[16];
	} vr[CAPTURE_ROUTERS];
	size_t n_vr;
};

struct timeline {
	struct nlev_set *nlev;
	int efd;                    /* eventfd: stop */
	pthread_t thread;
	bool running;
	int rt_priority;
	int err;                    /* what ended the thread */

	pthread_mutex_t lock;
	struct tl_event *ev;
	size_t n_ev, cap_ev;
	size_t dropped;

	struct capture *cap[TL_MAX_CAPTURES];
	size_t n_cap;
};

const char *tl_kind_name(enum tl_kind k) {
	static const char *const names[] = {
		[TL_CARRIER_DOWN] = "carrier-down", [TL_CARRIER_UP] = "carrier-up",
		[TL_LINK_DOWN] = "link-down",       [TL_LINK_UP] = "link-up",
		[TL_LINK_NEW] = "link-new",         [TL_LINK_DEL] = "link-del",
		[TL_MASTER_CHANGE] = "master",      [TL_ACTIVE_SLAVE] = "active-slave",
		[TL_SLAVE_STATE] = "slave-state",   [TL_ADDR_ADD] = "addr-add",
		[TL_ADDR_DEL] = "addr-del",         [TL_ROUTE_ADD] = "route-add",
		[TL_ROUTE_DEL] = "route-del",       [TL_OVERFLOW] = "overflow",
		[TL_FAULT] = "fault",               [TL_RESTORE] = "restore",
		[TL_ANNOUNCE] = "announce",         [TL_ACTIVE_PORT] = "active-port",
		[TL_NOTE] = "note",                 [TL_GARP] = "garp",
		[TL_UNSOL_NA] = "unsolicited-na",   [TL_VRRP] = "vrrp",
		[TL_MEMBERSHIP] = "membership",     [TL_RESOURCE] = "resource",
		[TL_STEP] = "step",
	};
	return (unsigned)k < ARRAY_SIZE(names) && names[k] ? names[k] : "unknown";
}

int tl_event_format(const struct tl_event *ev, char *buf, size_t size) {
	char a[IPADDR_STRLEN] = "";
	const char *sep = ev->netns[0] && ev->dev[0] ? "/" : "";

	if (ipaddr_is_set(&ev->addr))
		format_ipaddr(&ev->addr, true, a, sizeof(a));
	return snprintf(buf, size, "%s%s%s%s%s%s%s%s%s", tl_kind_name(ev->kind), ev->netns[0] || ev->dev[0] ? " " : "",
	                ev->netns, sep, ev->dev, a[0] ? " " : "", a, ev->detail[0] ? ": " : "", ev->detail);
}

/* ---- recording ----------------------------------------------------------- */

int timeline_new(struct timeline **ret) {
	struct timeline *tl = calloc(1, sizeof(*tl));
	int r;

	if (!tl)
		return -ENOMEM;
	tl->efd = -1;
	pthread_mutex_init(&tl->lock, NULL);
	r = nlev_set_new(&tl->nlev);
	if (r < 0)
		goto fail;
	tl->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tl->efd < 0) {
		r = -errno;
		goto fail;
	}
	*ret = tl;
	return 0;
fail:
	timeline_free(tl);
	return r;
}

void timeline_free(struct timeline *tl) {
	if (!tl)
		return;
	timeline_stop(tl);
	nlev_set_free(tl->nlev);
	for (size_t i = 0; i < tl->n_cap; i++) {
		close(tl->cap[i]->fd);
		free(tl->cap[i]);
	}
	if (tl->efd >= 0)
		close(tl->efd);
	pthread_mutex_destroy(&tl->lock);
	free(tl->ev);
	free(tl);
}

int timeline_add_netns(struct timeline *tl, const char *netns, unsigned groups) {
	if (tl->running)
		return -EBUSY;
	return nlev_add_netns(tl->nlev, netns, groups ? groups : NLEV_G_LINK | NLEV_G_ADDR, NULL, NULL);
}

/* Under the lock.  NULL when full (TIMELINE_MAX_EVENTS: counted in
 * dropped) or out of memory. */
static struct tl_event *append(struct timeline *tl) {
	struct tl_event *e;

	if (tl->n_ev >= TIMELINE_MAX_EVENTS) {
		tl->dropped++;
		return NULL;
	}
	if (tl->n_ev == tl->cap_ev) {
		size_t cap = tl->cap_ev ? tl->cap_ev * 2 : 256;
		struct tl_event *v = realloc(tl->ev, cap * sizeof(*v));
		if (!v)
			return NULL;
		tl->ev = v;
		tl->cap_ev = cap;
	}
	e = &tl->ev[tl->n_ev];
	memset(e, 0, sizeof(*e));
	e->seq = tl->n_ev++;
	return e;
}

static void put(struct timeline *tl, enum tl_kind kind, const struct nlev *ev, const char *detail) {
	struct tl_event *e = append(tl);

	if (!e)
		return;
	e->t_ns = ev->t_ns;
	e->kind = kind;
	snprintf(e->netns, sizeof(e->netns), "%s", ev->netns ? ev->netns : "");
	snprintf(e->dev, sizeof(e->dev), "%s", ev->ifname);
	if (detail)
		snprintf(e->detail, sizeof(e->detail), "%s", detail);
	if (ev->type == NLEV_ADDR_NEW || ev->type == NLEV_ADDR_DEL || ev->type == NLEV_ROUTE_NEW ||
	    ev->type == NLEV_ROUTE_DEL)
		e->addr = ev->addr;
}

static bool link_local6(const struct ipaddr *a) {
	return a->family == AF_INET6 && a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
}

static void on_event(const struct nlev *ev, void *data) {
	struct timeline *tl = data;
	char d[64];

	pthread_mutex_lock(&tl->lock);
	switch (ev->type) {
	case NLEV_LINK_NEW:
		put(tl, TL_LINK_NEW, ev, NULL);
		break;
	case NLEV_LINK_DEL:
		put(tl, TL_LINK_DEL, ev, NULL);
		break;
	case NLEV_LINK_CHANGE:
		if (ev->flags & NLEV_F_ADMIN_CHANGED)
			put(tl, ev->flags & NLEV_F_ADMIN_UP ? TL_LINK_UP : TL_LINK_DOWN, ev, NULL);
		if (ev->flags & NLEV_F_CARRIER_CHANGED)
			put(tl, ev->flags & NLEV_F_CARRIER ? TL_CARRIER_UP : TL_CARRIER_DOWN, ev, NULL);
		if (ev->flags & NLEV_F_MASTER_CHANGED) {
			snprintf(d, sizeof(d), ev->master_ifindex ? "master ifindex %d" : "released", ev->master_ifindex);
			put(tl, TL_MASTER_CHANGE, ev, d);
		}
		if (ev->flags & NLEV_F_ACTIVE_SLAVE_CHANGED) {
			snprintf(d, sizeof(d), "active slave %s", ev->active_slave[0] ? ev->active_slave : "none");
			put(tl, TL_ACTIVE_SLAVE, ev, d);
		}
		if (ev->flags & NLEV_F_SLAVE_STATE_CHANGED)
			put(tl, TL_SLAVE_STATE, ev, ev->slave_active ? "active" : "backup");
		break;
	case NLEV_ADDR_NEW:
	case NLEV_ADDR_DEL:
		if (!link_local6(&ev->addr))
			put(tl, ev->type == NLEV_ADDR_NEW ? TL_ADDR_ADD : TL_ADDR_DEL, ev, NULL);
		break;
	case NLEV_ROUTE_NEW:
	case NLEV_ROUTE_DEL:
		put(tl, ev->type == NLEV_ROUTE_NEW ? TL_ROUTE_ADD : TL_ROUTE_DEL, ev, NULL);
		break;
	case NLEV_OVERFLOW:
		put(tl, TL_OVERFLOW, ev, "events lost");
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&tl->lock);
}

/* ---- the capture ------------------------------------------------------------ */

/* Accept ARP, IPv4 protocol 112 (VRRP), IPv6 next header 112 and ICMPv6
 * type 136 (neighbour advertisement, without extension headers). */
static struct sock_filter capture_code[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 9, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 2),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 112, 6, 7),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 112, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int timeline_add_capture(struct timeline *tl, const char *netns, const char *skip_dev) {
	struct sock_fprog prog = { .len = ARRAY_SIZE(capture_code), .filter = capture_code };
	struct if_nameindex *names;
	struct capture *c;
	int saved, r, rcvbuf = 1 << 20;

	if (tl->running)
		return -EBUSY;
	if (tl->n_cap == TL_MAX_CAPTURES)
		return -ENOSPC;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->netns, sizeof(c->netns), "%s", netns ? netns : "");
	r = netns_enter(netns, &saved);
	if (r < 0) {
		free(c);
		return r;
	}
	c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (c->fd < 0)
		r = -errno;
	else if (setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		r = -errno;
	else {
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		c->skip_ifindex = skip_dev ? (int)if_nametoindex(skip_dev) : 0;
		names = if_nameindex();
		for (size_t i = 0; names && names[i].if_index && c->n_port < CAPTURE_PORTS; i++) {
			c->port[c->n_port].ifindex = (int)names[i].if_index;
			snprintf(c->port[c->n_port++].name, IFNAMSIZ, "%s", names[i].if_name);
		}
		if (names)
			if_freenameindex(names);
	}
	netns_leave(saved);
	if (r < 0) {
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return r;
	}
	tl->cap[tl->n_cap++] = c;
	return 0;
}

static void cap_put(struct timeline *tl, struct capture *c, int ifindex, enum tl_kind kind, int family,
                    const uint8_t *addr, const char *detail) {
	struct tl_event *e;

	pthread_mutex_lock(&tl->lock);
	e = append(tl);
	if (e) {
		e->t_ns = now_ns();
		e->kind = kind;
		snprintf(e->netns, sizeof(e->netns), "%s", c->netns);
		for (size_t i = 0; i < c->n_port; i++)
			if (c->port[i].ifindex == ifindex)
				snprintf(e->dev, sizeof(e->dev), "%s", c->port[i].name);
		if (!e->dev[0])
			snprintf(e->dev, sizeof(e->dev), "if%d", ifindex);
		e->addr.family = (uint8_t)family;
		memcpy(e->addr.a, addr, family == AF_INET ? 4 : 16);
		e->addr.plen = family == AF_INET ? 32 : 128;
		snprintf(e->detail, sizeof(e->detail), "%s", detail);
	}
	pthread_mutex_unlock(&tl->lock);
}

/* A VRRP advert from src (family) at v: recorded when its router id
 * has a new sender or priority. */
static void cap_vrrp(struct timeline *tl, struct capture *c, int ifindex, int family, const uint8_t *src,
                     const uint8_t *v, size_t len, const uint8_t *mac) {
	uint8_t ver, vrid, prio;
	size_t k;
	char d[64], m[18];

	if (len < 8)
		return;
	ver = v[0] >> 4;
	vrid = v[1];
	prio = v[2];
	if ((v[0] & 0x0f) != 1 || (ver != 2 && ver != 3))
		return;
	for (k = 0; k < c->n_vr; k++)
		if (c->vr[k].vrid == vrid && c->vr[k].family == family)
			break;
	if (k < c->n_vr && c->vr[k].prio == prio && memcmp(c->vr[k].src, src, family == AF_INET ? 4 : 16) == 0)
		return;
	if (k == c->n_vr) {
		if (k == CAPTURE_ROUTERS)
			return;
		c->n_vr++;
	}
	c->vr[k].vrid = vrid;
	c->vr[k].family = (uint8_t)family;
	c->vr[k].prio = prio;
	memcpy(c->vr[k].src, src, family == AF_INET ? 4 : 16);
	format_mac(mac, m);
	if (prio == 0)
		snprintf(d, sizeof(d), "vrid %u v%u prio 0: resigns (%s)", vrid, ver, m);
	else
		snprintf(d, sizeof(d), "vrid %u v%u prio %u: master %s", vrid, ver, prio, m);
	cap_put(tl, c, ifindex, TL_VRRP, family, src, d);
}

static void cap_frame(struct timeline *tl, struct capture *c, int ifindex, const uint8_t *f, size_t len) {
	uint16_t type;
	char d[64], m[18];

	if (len < 14)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == ETH_P_ARP && len >= 42 && f[14] == 0 && f[15] == 1 && f[16] == 0x08 && f[17] == 0 && f[18] == 6 &&
	    f[19] == 4) {
		/* gratuitous: sender address = target address */
		if (memcmp(f + 28, f + 38, 4) != 0)
			return;
		format_mac(f + 22, m);
		snprintf(d, sizeof(d), "ARP %s from %s", f[21] == 2 ? "reply" : "request", m);
		cap_put(tl, c, ifindex, TL_GARP, AF_INET, f + 28, d);
	} else if (type == ETH_P_IP && len >= 34 && (f[14] >> 4) == 4) {
		size_t ihl = (size_t)(f[14] & 0x0f) * 4;

		if (f[23] == 112 && len >= 14 + ihl + 8)
			cap_vrrp(tl, c, ifindex, AF_INET, f + 26, f + 14 + ihl, len - 14 - ihl, f + 6);
	} else if (type == ETH_P_IPV6 && len >= 54) {
		if (f[20] == 112)
			cap_vrrp(tl, c, ifindex, AF_INET6, f + 22, f + 54, len - 54, f + 6);
		else if (f[20] == 58 && len >= 78 && f[54] == 136 && !(f[58] & 0x40)) {
			format_mac(f + 6, m);
			snprintf(d, sizeof(d), "NA from %s", m);
			cap_put(tl, c, ifindex, TL_UNSOL_NA, AF_INET6, f + 62, d);
		}
	}
}

/* What the capture socket has (bounded: the netlink events wait less). */
static void cap_read(struct timeline *tl, struct capture *c) {
	for (int i = 0; i < 256; i++) {
		uint8_t buf[2048];
		struct sockaddr_ll sll = { 0 };
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(c->fd, buf, sizeof(buf), 0, (struct sockaddr *)&sll, &sl);

		if (n < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING || sll.sll_ifindex == c->skip_ifindex)
			continue;
		cap_frame(tl, c, sll.sll_ifindex, buf, (size_t)n);
	}
}

static void *timeline_thread(void *arg) {
	struct timeline *tl = arg;
	int r = 0;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (tl->rt_priority > 0) {
		struct sched_param sp = { .sched_priority = tl->rt_priority };
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	}
	for (;;) {
		struct pollfd p[2 + TL_MAX_CAPTURES] = { { .fd = nlev_fd(tl->nlev), .events = POLLIN },
		                                         { .fd = tl->efd, .events = POLLIN } };

		for (size_t i = 0; i < tl->n_cap; i++) {
			p[2 + i].fd = tl->cap[i]->fd;
			p[2 + i].events = POLLIN;
		}
		if (poll(p, 2 + tl->n_cap, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (p[0].revents) {
			r = nlev_dispatch(tl->nlev, on_event, tl);
			if (r < 0)
				break;
		}
		for (size_t i = 0; i < tl->n_cap; i++)
			if (p[2 + i].revents)
				cap_read(tl, tl->cap[i]);
		if (p[1].revents) {
			/* what is already queued belongs to the trial (bounded:
			 * a flood must not keep the thread from ending) */
			for (int i = 0; i < 64 && (r = nlev_dispatch(tl->nlev, on_event, tl)) >= 0; i++)
				if (r == 0 && !nlev_pending(tl->nlev))
					break;
			break;
		}
	}
	tl->err = r < 0 ? r : 0;
	return NULL;
}

int timeline_set_rt_priority(struct timeline *tl, int rt_priority) {
	if (rt_priority < 0 || rt_priority > 99)
		return -EINVAL;
	if (tl->running)
		return -EBUSY;
	tl->rt_priority = rt_priority;
	return 0;
}

int timeline_start(struct timeline *tl) {
	int r;

	if (tl->running)
		return -EALREADY;
	r = -pthread_create(&tl->thread, NULL, timeline_thread, tl);
	if (r < 0)
		return r;
	tl->running = true;
	return 0;
}

int timeline_stop(struct timeline *tl) {
	uint64_t one = 1;

	if (!tl->running)
		return tl->err;
	if (write(tl->efd, &one, sizeof(one)) < 0)
		return -errno;
	pthread_join(tl->thread, NULL);
	tl->running = false;
	return tl->err;
}

uint64_t timeline_add(struct timeline *tl, enum tl_kind kind, uint64_t t_ns, const char *netns, const char *dev,
                      const char *detail) {
	struct tl_event *e;

	if (t_ns == 0)
		t_ns = now_ns();
	pthread_mutex_lock(&tl->lock);
	e = append(tl);
	if (e) {
		e->t_ns = t_ns;
		e->kind = kind;
		snprintf(e->netns, sizeof(e->netns), "%s", netns ? netns : "");
		snprintf(e->dev, sizeof(e->dev), "%s", dev ? dev : "");
		snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
	}
	pthread_mutex_unlock(&tl->lock);
	return t_ns;
}

uint64_t timeline_add_event(struct timeline *tl, const struct tl_event *ev) {
	struct tl_event *e;
	uint64_t t_ns = ev->t_ns ? ev->t_ns : now_ns();

	pthread_mutex_lock(&tl->lock);
	e = append(tl);
	if (e) {
		uint64_t seq = e->seq;

		*e = *ev;
		e->t_ns = t_ns;
		e->seq = seq;
	}
	pthread_mutex_unlock(&tl->lock);
	return t_ns;
}

void timeline_add_announce(struct timeline *tl, const char *netns, const char *dev, const struct ipaddr *ip,
                           const struct announce_result *res) {
	char d[64];
	struct tl_event *e;

	if (!res || res->sent == 0)
		return;
	snprintf(d, sizeof(d), "%" PRIu32 " frame%s", res->sent, res->sent == 1 ? "" : "s");
	pthread_mutex_lock(&tl->lock);
	e = append(tl);
	if (e) {
		e->t_ns = res->first_ns;
		e->kind = TL_ANNOUNCE;
		snprintf(e->netns, sizeof(e->netns), "%s", netns ? netns : "");
		snprintf(e->dev, sizeof(e->dev), "%s", dev ? dev : "");
		snprintf(e->detail, sizeof(e->detail), "%s", d);
		if (ip)
			e->addr = *ip;
	}
	pthread_mutex_unlock(&tl->lock);
}

/* By time, then in the order recorded: a service's log gives its lines
 * at the same millisecond in the order they happened. */
static int cmp_event(const void *a, const void *b) {
	const struct tl_event *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int timeline_events(struct timeline *tl, uint64_t from_ns, uint64_t to_ns, struct tl_event **ret, size_t *ret_n) {
	struct tl_event *v;
	size_t n = 0;

	pthread_mutex_lock(&tl->lock);
	v = malloc((tl->n_ev ? tl->n_ev : 1) * sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&tl->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < tl->n_ev; i++)
		if (tl->ev[i].t_ns >= from_ns && (to_ns == 0 || tl->ev[i].t_ns < to_ns))
			v[n++] = tl->ev[i];
	pthread_mutex_unlock(&tl->lock);
	/* stable enough: events of one source are appended in time order */
	qsort(v, n, sizeof(*v), cmp_event);
	*ret = v;
	*ret_n = n;
	return 0;
}

int timeline_find(struct timeline *tl, enum tl_kind kind, const char *netns, const char *dev, uint64_t from_ns,
                  uint64_t to_ns, struct tl_event *ret) {
	const struct tl_event *best = NULL;
	int r = -ENOENT;

	pthread_mutex_lock(&tl->lock);
	for (size_t i = 0; i < tl->n_ev; i++) {
		const struct tl_event *e = &tl->ev[i];

		if (e->kind != kind || e->t_ns < from_ns || (to_ns && e->t_ns >= to_ns))
			continue;
		if ((netns && strcmp(e->netns, netns) != 0) || (dev && strcmp(e->dev, dev) != 0))
			continue;
		if (!best || e->t_ns < best->t_ns)
			best = e;
	}
	if (best) {
		*ret = *best;
		r = 0;
	}
	pthread_mutex_unlock(&tl->lock);
	return r;
}

size_t timeline_count(struct timeline *tl) {
	size_t n;

	pthread_mutex_lock(&tl->lock);
	n = tl->n_ev;
	pthread_mutex_unlock(&tl->lock);
	return n;
}

size_t timeline_dropped(struct timeline *tl) {
	size_t n;

	pthread_mutex_lock(&tl->lock);
	n = tl->dropped;
	pthread_mutex_unlock(&tl->lock);
	return n;
}

/* ---- analysis -------------------------------------------------------------- */

struct reply {
	uint64_t recv_ns;
	uint32_t seq;
};

static int cmp_reply(const void *a, const void *b) {
	const struct reply *x = a, *y = b;

	if (x->recv_ns != y->recv_ns)
		return x->recv_ns < y->recv_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool is_reaction(const struct tl_event *e, unsigned mask, const struct ipaddr *vip) {
	if ((unsigned)e->kind >= 32 || !(mask & TL_MASK(e->kind)))
		return false;
	if (vip && (e->kind == TL_ADDR_ADD || e->kind == TL_ADDR_DEL || e->kind == TL_ANNOUNCE || e->kind == TL_GARP ||
	            e->kind == TL_UNSOL_NA) &&
	    ipaddr_is_set(&e->addr)) {
		if (e->addr.family != vip->family || memcmp(e->addr.a, vip->a, ipaddr_len(vip->family)) != 0)
			return false;
	}
	return true;
}

/* A stretch without replies: from the reply (or the fault) at its start
 * to the reply at its end, or to the last probe sent when none came. */
struct gap {
	uint64_t start_ns, end_ns;
	uint64_t lost_from_ns;      /* unanswered probes sent after this one count */
	bool recovered;
	uint64_t outage_ns;
};

/* The outage a gap stands for: its length minus the spacing replies have
 * anyway -- one interval when probes were lost inside it, else the time
 * between the two probes' sends (the prober itself was late: nothing
 * says the network was). */
static uint64_t gap_outage(uint64_t raw, uint64_t spacing) {
	return raw > spacing ? raw - spacing : 0;
}

int trial_analyze(const struct probe_rec *rec, size_t n_rec, uint64_t fault_ns, const struct tl_event *ev,
                  size_t n_ev, const struct trial_opts *opts, struct trial_result *ret) {
	struct trial_result res = { .fault_ns = fault_ns, .detection_ns = -1, .convergence_ns = -1 };
	unsigned mask = opts && opts->reaction_mask ? opts->reaction_mask : TL_REACTIONS_DEFAULT;
	uint64_t interval = opts ? opts->interval_ns : 0;
	uint64_t horizon = opts && opts->horizon_ns ? fault_ns + opts->horizon_ns : UINT64_MAX;
	uint64_t last_send = 0;
	struct gap best = { 0 }, g;
	bool have_best = false, lost_after_last = false;
	struct reply *r = NULL;
	uint32_t *lost_before;
	size_t n_r = 0, i0 = SIZE_MAX;

	if (!ret || (n_rec && !rec) || (n_ev && !ev))
		return -EINVAL;
	res.sent = (uint32_t)n_rec;
	if (n_rec) {
		r = malloc(n_rec * sizeof(*r));
		if (!r)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n_rec; i++) {
		if (rec[i].send_ns <= horizon && rec[i].send_ns > last_send)
			last_send = rec[i].send_ns;
		if (!rec[i].recv_ns)
			continue;
		res.received++;
		if (rec[i].recv_ns <= horizon)
			r[n_r++] = (struct reply){ rec[i].recv_ns, (uint32_t)i };
	}
	if (n_r > 1)
		qsort(r, n_r, sizeof(*r), cmp_reply);
	for (size_t i = 0; i < n_r && r[i].recv_ns <= fault_ns; i++)
		i0 = i;
	res.baseline = i0 != SIZE_MAX;

	/* unanswered probes before each sequence number */
	lost_before = calloc(n_rec + 1, sizeof(*lost_before));
	if (!lost_before) {
		free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_rec; i++)
		lost_before[i + 1] = lost_before[i] + (rec[i].recv_ns ? 0 : 1);

	/* the candidates: every gap between consecutive replies from the
	 * last one before the fault on (or from the fault to the first
	 * reply), and the silence after the last reply; the one with the
	 * longest outage wins */
#define CONSIDER(gp) do { \
		if (!have_best || (gp).outage_ns > best.outage_ns) { \
			best = (gp); \
			have_best = true; \
		} \
	} while (0)
	if (!res.baseline && n_r > 0) {
		g = (struct gap){ fault_ns, r[0].recv_ns, (fault_ns ? fault_ns - 1 : 0), true, 0 };
		g.outage_ns = gap_outage(g.end_ns - g.start_ns, interval);
		CONSIDER(g);
	}
	for (size_t i = res.baseline ? i0 : 0; i + 1 < n_r; i++) {
		uint32_t a = r[i].seq, b = r[i + 1].seq;
		bool lost = b > a + 1 && lost_before[b] - lost_before[a + 1] > 0;
		uint64_t spacing = lost ? interval : rec[b].send_ns > rec[a].send_ns ? rec[b].send_ns - rec[a].send_ns : 0;

		g = (struct gap){ r[i].recv_ns, r[i + 1].recv_ns, rec[a].send_ns, true, 0 };
		g.outage_ns = gap_outage(g.end_ns - g.start_ns, spacing);
		CONSIDER(g);
	}
	{
		uint64_t from = n_r ? rec[r[n_r - 1].seq].send_ns : (fault_ns ? fault_ns - 1 : 0);
		uint64_t start = n_r ? r[n_r - 1].recv_ns : fault_ns;

		for (size_t i = 0; i < n_rec; i++)
			if (!rec[i].recv_ns && rec[i].send_ns <= horizon && rec[i].send_ns > from)
				lost_after_last = true;
		if (lost_after_last && last_send >= start) {
			/* a lower bound: the outage goes on past the records; it
			 * wins when it is longer than any gap that ended */
			g = (struct gap){ start, last_send, from, false, 0 };
			g.outage_ns = gap_outage(last_send - start, interval);
			if (!have_best || (last_send - start > interval && last_send - start > best.end_ns - best.start_ns)) {
				best = g;
				have_best = true;
			}
		}
	}
#undef CONSIDER

	if (have_best) {
		res.recovered = best.recovered;
		res.gap_start_ns = best.start_ns;
		res.gap_end_ns = best.end_ns;
		res.gap_ns = best.end_ns - best.start_ns;
		res.outage_ns = best.outage_ns;
	} else {
		/* nothing sent after the fault: nothing can be said */
		res.recovered = false;
		res.gap_start_ns = res.gap_end_ns = fault_ns;
	}
	for (size_t i = 0; i < n_rec; i++) {
		if (rec[i].recv_ns || rec[i].send_ns > horizon)
			continue;
		if (have_best && rec[i].send_ns > best.lost_from_ns && (!best.recovered || rec[i].send_ns < best.end_ns))
			res.lost++;
		if (rec[i].send_ns >= fault_ns)
			res.lost_total++;
	}

	/* detection and convergence */
	for (size_t i = 0; i < n_ev; i++) {
		if (ev[i].t_ns < fault_ns || ev[i].t_ns > horizon || !is_reaction(&ev[i], mask, opts ? opts->vip : NULL))
			continue;
		if (!res.has_reaction || ev[i].t_ns < res.reaction.t_ns) {
			res.reaction = ev[i];
			res.has_reaction = true;
		}
	}
	if (res.has_reaction) {
		res.detection_ns = (int64_t)(res.reaction.t_ns - fault_ns);
		if (res.recovered)
			res.convergence_ns = (int64_t)res.gap_end_ns - (int64_t)res.reaction.t_ns;
	}
	free(r);
	free(lost_before);
	*ret = res;
	return 0;
}

/* ---- where the time went ------------------------------------------------- */

static bool same_addr(const struct tl_event *e, const struct ipaddr *vip) {
	return vip && e->addr.family == vip->family && memcmp(e->addr.a, vip->a, ipaddr_len(vip->family)) == 0;
}

/* Whether e is a step of the way to the first reply (not yet counted
 * for its kind, or its text for a cluster step, among taken[0..n)). */
static bool is_step(const struct tl_event *e, const struct ipaddr *vip, const struct tl_step *taken, size_t n) {
	switch (e->kind) {
	case TL_STEP:
		if (ipaddr_is_set(&e->addr) && !same_addr(e, vip))
			return false;
		for (size_t i = 0; i < n; i++)
			if (taken[i].ev->kind == TL_STEP && strcmp(taken[i].ev->detail, e->detail) == 0)
				return false;
		return true;
	case TL_ADDR_ADD:
	case TL_ANNOUNCE:
	case TL_GARP:
	case TL_UNSOL_NA:
		if (!same_addr(e, vip))
			return false;
		/* fall through */
	case TL_MEMBERSHIP:
		for (size_t i = 0; i < n; i++)
			if (taken[i].ev->kind == e->kind)
				return false;
		return true;
	default:
		return false;
	}
}

/* By time; of two at the same time a membership first (the cluster's
 * steps are its consequences, logged in the same millisecond by another
 * node's daemon), then in the order recorded. */
static int cmp_step(const void *a, const void *b) {
	const struct tl_step *x = a, *y = b;
	bool mx = x->ev->kind == TL_MEMBERSHIP, my = y->ev->kind == TL_MEMBERSHIP;

	if (x->t_ns == y->t_ns && mx != my)
		return mx ? -1 : 1;
	return cmp_event(x->ev, y->ev);
}

size_t trial_breakdown(const struct tl_event *ev, size_t n_ev, const struct trial_result *res,
                       const struct ipaddr *vip, struct tl_step *out, size_t max) {
	struct tl_step *cand;
	size_t n = 0, n_cand = 0;

	if (!res->recovered || max == 0)
		return 0;
	/* the candidates in time order: the first of each kind or text is
	 * the one taken */
	cand = calloc(n_ev ? n_ev : 1, sizeof(*cand));
	if (!cand)
		return 0;
	for (size_t k = 0; k < n_ev; k++)
		if (ev[k].t_ns > res->fault_ns && ev[k].t_ns <= res->gap_end_ns)
			cand[n_cand++] = (struct tl_step){ &ev[k], ev[k].t_ns };
	qsort(cand, n_cand, sizeof(*cand), cmp_step);
	for (size_t k = 0; k < n_cand && n + 1 < max; k++)
		if (is_step(cand[k].ev, vip, out, n))
			out[n++] = cand[k];
	free(cand);
	out[n++] = (struct tl_step){ NULL, res->gap_end_ns };
	return n;
}
