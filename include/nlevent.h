/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink events of a set of namespaces, decoded into typed events.
 * Used by watch mode (drift, failovers), by apply --wait, and by the
 * measurement timeline.  One socket, with a large receive buffer, in a
 * namespace of the set's own, hears every namespace of the set by the id
 * the set gives it there (RTM_NEWNSID); an overflow (ENOBUFS) is reported
 * as NLEV_OVERFLOW for every namespace so the caller resyncs (dump
 * again): never ignored. */
#ifndef HANET_NLEVENT_H
#define HANET_NLEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum nlev_type {
	NLEV_LINK_NEW,          /* a link appeared */
	NLEV_LINK_DEL,
	NLEV_LINK_CHANGE,       /* attributes changed; see the flags below */
	NLEV_ADDR_NEW,
	NLEV_ADDR_DEL,
	NLEV_ROUTE_NEW,
	NLEV_ROUTE_DEL,
	NLEV_RULE_NEW,
	NLEV_RULE_DEL,
	NLEV_OVERFLOW,          /* events were lost: resync everything in that namespace */
};

/* What changed on a link (NLEV_LINK_NEW/CHANGE), as far as the message says. */
enum {
	NLEV_F_ADMIN_UP = 1u << 0,      /* IFF_UP now set */
	NLEV_F_CARRIER = 1u << 1,       /* carrier (IFF_LOWER_UP) now set */
	NLEV_F_ADMIN_CHANGED = 1u << 2, /* IFF_UP differs from the last event seen for this ifindex */
	NLEV_F_CARRIER_CHANGED = 1u << 3,
	NLEV_F_MASTER_CHANGED = 1u << 4,
	NLEV_F_ACTIVE_SLAVE_CHANGED = 1u << 5,  /* a bond's active slave differs from the last seen */
	NLEV_F_SLAVE_STATE_CHANGED = 1u << 6,   /* a bond slave went active/backup */
};

struct nlev {
	enum nlev_type type;
	uint64_t t_ns;                  /* CLOCK_MONOTONIC when read from the socket */
	uint64_t arrived_ns;            /* the earliest it can have arrived, time in the socket's
	                                   queue included (see nlev_note_wait) */
	const char *netns;              /* as given to nlev_add_netns */
	void *tag;                      /* as given to nlev_add_netns */
	int ifindex;
	char ifname[IFNAMSIZ];
	unsigned flags;                 /* NLEV_F_* for link events */
	int master_ifindex;
	char active_slave[IFNAMSIZ];    /* bonds: IFLA_BOND_ACTIVE_SLAVE by name, "" when none */
	bool slave_active;              /* bond slaves: IFLA_BOND_SLAVE_STATE == active */
	struct ipaddr addr;             /* address events: the address with plen; route events: dst;
	                                 * rule events: from (family set, plen 0 when the rule has none) */
	uint32_t table;                 /* route/rule events */
	uint8_t protocol;               /* route/rule events */
	uint32_t priority;              /* route events: metric; rule events: priority */
	unsigned iff;                   /* link events: IFF_* as the message says */
	size_t overflow_i, overflow_n;  /* overflow events: one to each of the set's overflow_n
	                                   namespaces, this the overflow_i-th (0: the first) */
};

/* Groups to subscribe to. */
enum {
	NLEV_G_LINK = 1u << 0,
	NLEV_G_ADDR = 1u << 1,          /* IPv4 and IPv6 */
	NLEV_G_ROUTE = 1u << 2,         /* IPv4 and IPv6 */
	NLEV_G_RULE = 1u << 3,          /* IPv4 and IPv6 */
};

struct nlev_set;
struct nlev_ns;

/* A set (the calling thread makes the set's namespace, and comes back). */
int nlev_set_new(struct nlev_set **ret);
void nlev_set_free(struct nlev_set *s);
/* Hear one more namespace (NULL: the current one); its events carry tag.
 * The set holds the namespace (an fd) until it is removed; *ret (when
 * not NULL) is what to remove.  -EPERM: the process lacks
 * CAP_NET_BROADCAST, without which the kernel gives it no event of
 * another namespace.  Not from inside nlev_dispatch's callback. */
int nlev_add_netns(struct nlev_set *s, const char *netns, unsigned groups, void *tag, struct nlev_ns **ret);
/* Stop hearing it and let it go.  Not from inside nlev_dispatch's
 * callback. */
void nlev_remove_netns(struct nlev_set *s, struct nlev_ns *n);
/* The set's fd for poll/epoll: readable when any namespace has events. */
int nlev_fd(struct nlev_set *s);
/* Something is queued (nlev_dispatch reads a bounded number of messages,
 * and may return 0 having read only others'). */
bool nlev_pending(struct nlev_set *s);
/* Read what is pending without blocking; cb per event.  Returns the
 * number of events, or negative errno. */
int nlev_dispatch(struct nlev_set *s, void (*cb)(const struct nlev *ev, void *data), void *data);
/* The caller's main loop slept waiting for events from entered_ns to
 * woke_ns (CLOCK_MONOTONIC).  An event read after a real sleep arrived
 * as it woke; one read after a wait that returned at once was queued
 * while the loop was busy, since it last woke or since its socket was
 * last found empty, whichever is later: its arrived_ns says so, and
 * latencies counted from it include the queueing. */
void nlev_note_wait(uint64_t entered_ns, uint64_t woke_ns);
/* Stamp arrivals exactly: a thread of its own notes when each event
 * set made from now on becomes readable, and arrived_ns is that
 * time (nlev_note_wait's bound stays for sets it does not follow). */
int nlev_track_arrivals(void);
void nlev_track_stop(void);                 /* after the last nlev_set_free */

/* The receive buffer of the set's socket, in bytes; default
 * NLEV_RCVBUF_DEFAULT.  Set with
 * SO_RCVBUFFORCE when privileged, else SO_RCVBUF (capped by rmem_max). */
#define NLEV_RCVBUF_DEFAULT (32 << 20)
int nlev_set_rcvbuf(struct nlev_set *s, int bytes);

/* "link-new", "addr-del", "overflow", ... */
const char *nlev_type_name(enum nlev_type t);
/* One line describing an event ("link-change ns=a va up carrier(changed)"),
 * for logs and tests. */
int nlev_format(const struct nlev *ev, char *buf, size_t size);

#endif
