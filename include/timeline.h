/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The timeline of a measurement: netlink events from every namespace of
 * a lab (carrier and admin changes, bond active-slave changes, addresses
 * such as a VIP added or removed), recorded with CLOCK_MONOTONIC times by
 * a thread while trials run, plus the events the caller adds (fault
 * injected, restored, announcement sent).
 *
 * trial_analyze() turns one trial's probe records and events into the
 * numbers of the report:
 *   outage       the longest interruption of replies from the last reply
 *                before the fault on: the gap between two consecutive
 *                replies (by receive time) minus one probe interval when
 *                probes were lost inside it, else minus the time between
 *                the two probes' sends (a late prober is not an outage);
 *                so a fault that changes nothing measures ~0; silence
 *                until the end of the records (not recovered) wins when
 *                it lasts longer than any gap that ended;
 *   lost         probes sent inside that gap that got no reply;
 *   detection    fault -> the first reaction event (a bond's active slave
 *                changed, the VIP added, an announcement, ...);
 *   convergence  that reaction -> the first reply after the outage. */
#ifndef HANET_TIMELINE_H
#define HANET_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "announce.h"
#include "model.h"
#include "prober.h"

enum tl_kind {
	TL_CARRIER_DOWN,
	TL_CARRIER_UP,
	TL_LINK_DOWN,               /* admin state */
	TL_LINK_UP,
	TL_LINK_NEW,
	TL_LINK_DEL,
	TL_MASTER_CHANGE,           /* enslaved or released (detail: the master's ifindex) */
	TL_ACTIVE_SLAVE,            /* a bond's active slave changed (detail: the new one) */
	TL_SLAVE_STATE,             /* a bond slave went active or backup */
	TL_ADDR_ADD,                /* an address (a VIP) added */
	TL_ADDR_DEL,
	TL_ROUTE_ADD,
	TL_ROUTE_DEL,
	TL_OVERFLOW,                /* events were lost in that namespace */
	/* added by the caller */
	TL_FAULT,
	TL_RESTORE,
	TL_ANNOUNCE,                /* the first frame of an announcement */
	TL_ACTIVE_PORT,             /* a team's active port set (watch mode, libteam) */
	TL_NOTE,
	/* seen on the wire of a captured namespace (timeline_add_capture) */
	TL_GARP,                    /* a gratuitous ARP (sender = target address), whoever sent it */
	TL_UNSOL_NA,                /* an unsolicited neighbour advertisement */
	TL_VRRP,                    /* VRRP adverts of a router id: a new sender or priority (a master elected, resigning) */
	TL_MEMBERSHIP,              /* a cluster's new membership (a service's events file: corosync) */
	TL_RESOURCE,                /* a cluster resource started or stopped (a service's events file: Pacemaker) */
	TL_STEP,                    /* a step of a cluster's reaction, from its daemons' logs (a service's events
	                             * file: the node loss seen, a DC elected, a transition, a start executed); addr
	                             * set: a step for that VIP only */
	_TL_KIND_MAX,
};

#define TL_MASK(k) (1u << (k))
/* Reactions that end detection when trial_opts.reaction_mask is 0. */
#define TL_REACTIONS_DEFAULT \
	(TL_MASK(TL_ACTIVE_SLAVE) | TL_MASK(TL_ACTIVE_PORT) | TL_MASK(TL_ADDR_ADD) | TL_MASK(TL_ANNOUNCE))

struct tl_event {
	uint64_t t_ns;              /* CLOCK_MONOTONIC */
	enum tl_kind kind;
	char netns[NETNS_NAME_MAX + 1];  /* "" for the namespace hanet runs in */
	char dev[IFNAMSIZ];
	struct ipaddr addr;         /* address and route events */
	char detail[64];            /* "active slave eth2", "3 frames", the caller's text */
	uint64_t seq;               /* the order recorded: of two at the same time, the first */
};

const char *tl_kind_name(enum tl_kind k);      /* "carrier-down", "active-slave", ... */
/* "carrier-down ctrl1/eth1", "addr-add ctrl2/api0 192.0.2.100/24",
 * "fault: carrier-off sw-eth1" */
int tl_event_format(const struct tl_event *ev, char *buf, size_t size);

struct timeline;

int timeline_new(struct timeline **ret);
void timeline_free(struct timeline *tl);        /* stops it first; NULL ok */
/* Follow one more namespace (NULL: the caller's); groups are NLEV_G_*,
 * 0 = links and addresses.  Before timeline_start. */
int timeline_add_netns(struct timeline *tl, const char *netns, unsigned groups);
/* Also capture, on every link of netns but skip_dev (the bridge whose
 * ports they are: it sees their frames again), gratuitous ARPs,
 * unsolicited neighbour advertisements and VRRP adverts (versions 2 and
 * 3, over IPv4 or IPv6), as TL_GARP, TL_UNSOL_NA and TL_VRRP events
 * whose dev is the port the frame came in on.  VRRP adverts are
 * recorded when a router id's sender or priority changes: the first
 * advert of a new master, a master resigning (priority 0).  Before
 * timeline_start. */
int timeline_add_capture(struct timeline *tl, const char *netns, const char *skip_dev);

/* Events are timestamped when the recording thread reads them: give it
 * SCHED_FIFO priority rt_priority (1..99, if allowed; 0: none) so a busy
 * machine does not delay them.  Before timeline_start. */
int timeline_set_rt_priority(struct timeline *tl, int rt_priority);
/* The recording thread; returns once it listens. */
int timeline_start(struct timeline *tl);
/* Read what is pending, end the thread.  0 or the negative errno that
 * stopped the recording early. */
int timeline_stop(struct timeline *tl);

/* Add an event (thread-safe; t_ns 0 = now).  Returns its time. */
uint64_t timeline_add(struct timeline *tl, enum tl_kind kind, uint64_t t_ns, const char *netns, const char *dev,
                      const char *detail);
/* Add a copy of ev (thread-safe; t_ns 0 = now; seq the order it is added
 * in, whatever ev's).  Returns its time. */
uint64_t timeline_add_event(struct timeline *tl, const struct tl_event *ev);
/* An announcement, at the time of its first frame. */
void timeline_add_announce(struct timeline *tl, const char *netns, const char *dev, const struct ipaddr *ip,
                           const struct announce_result *res);
/* A copy of the events with from_ns <= t_ns < to_ns (to_ns 0: no end),
 * sorted by time; free() it.  Thread-safe, also while recording. */
int timeline_events(struct timeline *tl, uint64_t from_ns, uint64_t to_ns, struct tl_event **ret, size_t *ret_n);
size_t timeline_count(struct timeline *tl);
/* The recording is bounded: events past this many are dropped and
 * counted (a measurement with that many is flooded anyway). */
#define TIMELINE_MAX_EVENTS 1000000
size_t timeline_dropped(struct timeline *tl);
/* The first event of kind in netns/dev (NULL: any) with from_ns <= t_ns <
 * to_ns (0: no end): 0 and *ret, or -ENOENT.  A fault done through
 * netlink is best timed by its own event (the request may return much
 * later than it took effect: a slow kernel synchronises before it
 * answers), so `hanet measure` takes the earlier of the two. */
int timeline_find(struct timeline *tl, enum tl_kind kind, const char *netns, const char *dev, uint64_t from_ns,
                  uint64_t to_ns, struct tl_event *ret);

/* ---- one trial --------------------------------------------------------- */

struct trial_opts {
	uint64_t interval_ns;       /* the probes' interval */
	uint64_t horizon_ns;        /* look this far after the fault; 0: to the end of the records */
	unsigned reaction_mask;     /* TL_MASK()s; 0: TL_REACTIONS_DEFAULT */
	const struct ipaddr *vip;   /* address events react only for this address (plen ignored); NULL: any */
};

struct trial_result {
	uint64_t fault_ns;
	bool baseline;              /* a reply came before the fault */
	bool recovered;             /* replies came back within the records (and horizon) */
	uint64_t gap_start_ns;      /* receive time of the last reply before the outage */
	uint64_t gap_end_ns;        /* ... of the first reply after it; when not recovered: the last send */
	uint64_t gap_ns;
	uint64_t outage_ns;         /* see above: gap minus the expected spacing, never negative */
	uint32_t lost;              /* probes sent within the gap without a reply */
	uint32_t lost_total;        /* probes sent after the fault without a reply */
	uint32_t sent, received;    /* all the records */
	int64_t detection_ns;       /* -1: no reaction event */
	int64_t convergence_ns;     /* reaction -> first reply after; -1 without reaction or recovery */
	bool has_reaction;
	struct tl_event reaction;
};

/* Pure: the records of one trial (in sequence order), its events (any
 * order), the fault time. */
int trial_analyze(const struct probe_rec *rec, size_t n_rec, uint64_t fault_ns, const struct tl_event *ev,
                  size_t n_ev, const struct trial_opts *opts, struct trial_result *ret);

/* Where the time of a trial went, from the fault to the first reply
 * after the outage: the trial's events that are steps of the way, in
 * time order, each the end of the stretch since the one before (the
 * fault for the first), and the first reply last (ev NULL).  The steps:
 * the first new membership, each cluster step (TL_STEP; one with an
 * address only for vip) the first time its text is seen, the first time
 * vip was added, announced (hanet's announcement) and seen announced on
 * the wire.  The stretches add up to first reply - fault. */
struct tl_step {
	const struct tl_event *ev;  /* NULL: the first reply */
	uint64_t t_ns;
};

/* The steps of a recovered trial into out (at most max, the first reply
 * always last); returns how many, 0 when res did not recover (or memory
 * ran out). */
size_t trial_breakdown(const struct tl_event *ev, size_t n_ev, const struct trial_result *res,
                       const struct ipaddr *vip, struct tl_step *out, size_t max);

#endif
