/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The prober: sends numbered probes from a namespace to a target at a
 * fixed interval (1 ms down to 100 us) and timestamps every send and
 * every reply, for `hanet measure`.
 *
 * Probes are ICMP echo requests (the target's kernel answers; a ping
 * socket when net.ipv4.ping_group_range allows it, else a raw socket) or
 * UDP datagrams answered by a responder that hanet runs in the target
 * namespace(s) (prober_responder_*).  Sends follow absolute deadlines on
 * CLOCK_MONOTONIC (clock_nanosleep TIMER_ABSTIME, 1 ns timer slack, an
 * optional spin before each deadline); a deadline missed by more than an
 * interval is skipped, not made up in a burst.
 *
 * With spin_ns, the sleep is a hybrid: the thread sleeps until spin
 * before the deadline, then spins to it.  How late the sleeps end is
 * tracked (the highest of the last 64 wake-ups, decaying), and the
 * spin grows to cover it, up to a quarter of the interval and 100 us:
 * on a loaded machine the wake-up latency, not the timer, is what makes
 * a send late.  With rt_priority the thread runs SCHED_FIFO (when the
 * process may) and, with pin_cpu, is pinned to the last CPU it may run
 * on.  Pinning is not the default: on a small machine that others load,
 * a SCHED_FIFO thread free to wake on whichever CPU runs something
 * preemptible kept its pace better (tools/bench/bench-prober.sh,
 * HN_BENCH_PIN=1, compares).  Spinning and pinning need two CPUs: with
 * one, a SCHED_FIFO thread that spins holds off the kernel's packet
 * processing, and the thread only sleeps.  Priority and affinity are
 * the probing thread's own and end with it.  Receive times are the
 * kernel's (SO_TIMESTAMPNS) moved to CLOCK_MONOTONIC.
 *
 * The probing runs in its own thread, which enters the client namespace
 * (setns is per thread), so the caller injects faults meanwhile.  It
 * always ends: after max_probes, or max_duration, or prober_stop(), then
 * waits `linger` for the last replies.
 *
 * A trial, as `hanet measure` runs it:
 *     prober_new(&conf, &p); prober_start(p);
 *     sleep(settle);
 *     t = prober_mark(p, "fault"); inject the fault;
 *     prober_wait_reply(p, t, cap);     -- replies resumed (or the cap)
 *     sleep(tail); prober_stop(p);
 *     prober_records(p, &n) ... (timeline_analyze)
 *     prober_free(p);
 */
#ifndef HANET_PROBER_H
#define HANET_PROBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define PROBER_UDP_PORT 7                       /* echo */
#define PROBER_INTERVAL_MIN_NS 50000ull         /* 50 us */
#define PROBER_INTERVAL_MAX_NS 10000000000ull   /* 10 s */
#define PROBER_MAX_PROBES 10000000u
#define PROBER_MAX_DURATION_NS (3600ull * 1000000000ull)
#define PROBER_LINGER_DEFAULT_NS 20000000ull    /* 20 ms */
#define PROBER_PAYLOAD_MAX 1400u
#define PROBER_LABEL_MAX 48

struct prober_conf {
	const char *netns;          /* the client namespace; NULL: the caller's */
	struct ipaddr target;       /* IPv4 or IPv6 (plen ignored) */
	enum probe_kind kind;
	uint16_t port;              /* UDP: the responder's port; 0 = PROBER_UDP_PORT */
	uint64_t interval_ns;       /* PROBER_INTERVAL_MIN_NS .. PROBER_INTERVAL_MAX_NS */
	uint32_t max_probes;        /* > 0, at most PROBER_MAX_PROBES */
	uint64_t max_duration_ns;   /* > 0, at most PROBER_MAX_DURATION_NS: no probe sent after */
	uint64_t linger_ns;         /* after the last probe, wait for replies; 0 = default */
	uint32_t payload;           /* extra bytes in each probe, at most PROBER_PAYLOAD_MAX */
	uint64_t spin_ns;           /* busy-wait at least this long before each deadline (0: sleep only);
	                             * more when the thread wakes up later than that (see below) */
	int rt_priority;            /* > 0: SCHED_FIFO priority of the probing thread, if allowed */
	bool pin_cpu;               /* with SCHED_FIFO: pin the thread to one CPU */
	char dev[IFNAMSIZ];         /* "": any; else SO_BINDTODEVICE */
};

/* One probe, indexed by its sequence number. */
struct probe_rec {
	uint64_t send_ns;           /* CLOCK_MONOTONIC just before the send */
	uint64_t recv_ns;           /* CLOCK_MONOTONIC of the first reply; 0: none */
	int32_t send_err;           /* negative errno when the send failed, else 0 */
	uint16_t dups;              /* replies after the first */
};

struct prober_stats {
	uint32_t sent;              /* sequence numbers used (a failed send counts) */
	uint32_t received;          /* probes with a reply */
	uint32_t send_errors;
	uint32_t recv_errors;       /* errors reported on the socket (ICMP unreachable...) */
	uint32_t duplicates;
	uint32_t skipped;           /* deadlines missed by more than an interval */
	uint32_t foreign;           /* packets on the socket that were not our replies */
	uint64_t start_ns, end_ns;  /* first send, end of the linger */
	bool kernel_timestamps;     /* every receive time came from the kernel */
	bool raw_socket;            /* ICMP through a raw socket */
	bool realtime;              /* the thread ran SCHED_FIFO */
	int cpu;                    /* the CPU the thread was pinned to; -1: not pinned */
	uint64_t spin_max_ns;       /* the longest spin before a deadline (the adaptive part) */
	uint64_t late_max_ns;       /* the latest a send left its deadline */
};

struct prober_mark {
	uint64_t t_ns;              /* CLOCK_MONOTONIC */
	char label[PROBER_LABEL_MAX];
};

struct prober;

/* Check conf and allocate the records (max_probes of them).  -EINVAL for
 * a value out of range. */
int prober_new(const struct prober_conf *conf, struct prober **ret);
void prober_free(struct prober *p);     /* stops it first if running */

/* Start the thread; returns once its socket is open in the namespace
 * (or with the error that prevented it: -ENOENT namespace, -EPERM, ...).
 * Once per prober. */
int prober_start(struct prober *p);

/* Record "now" with a label (a fault injected, a restore): returns the
 * CLOCK_MONOTONIC time recorded.  Thread-safe. */
uint64_t prober_mark(struct prober *p, const char *label);

/* Wait until a reply arrives for a probe sent after t_ns, at most
 * timeout_ns.  0 when it did, -ETIMEDOUT, or -ESRCH when the prober
 * ended first.  Thread-safe. */
int prober_wait_reply(struct prober *p, uint64_t t_ns, uint64_t timeout_ns);

/* Stop sending, wait for the last replies (linger), join the thread.
 * prober_wait() joins without asking it to stop (it ends by its limits).
 * Both return 0, or the negative errno that ended the probing early. */
int prober_stop(struct prober *p);
int prober_wait(struct prober *p);

/* After stop/wait: the records (n = sequence numbers used), the marks,
 * the counters. */
const struct probe_rec *prober_records(const struct prober *p, size_t *ret_n);
const struct prober_mark *prober_marks(const struct prober *p, size_t *ret_n);
void prober_get_stats(const struct prober *p, struct prober_stats *ret);
const struct prober_conf *prober_get_conf(const struct prober *p);

/* The UDP echo responder: a thread in netns (NULL: the caller's) that
 * answers hanet's probes on port (0 = PROBER_UDP_PORT), IPv4 and IPv6,
 * from the address each probe was sent to.  Anything else is ignored.
 * rt_priority > 0: SCHED_FIFO, if allowed (as the prober's). */
struct prober_responder;
int prober_responder_start(const char *netns, uint16_t port, int rt_priority, struct prober_responder **ret);
uint64_t prober_responder_answered(const struct prober_responder *r);
void prober_responder_stop(struct prober_responder *r);     /* joins and frees; NULL ok */

#endif
