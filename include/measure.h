/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hanet measure`: a lab built from a profile, its faults injected trial
 * after trial while a prober measures the outage, and the report.
 *
 *     measure_new(path, &m, err)        load and check the lab profile
 *     measure_lab_up(m, err)            apply it (the engine's pipeline)
 *     measure_run(m, &opts, err)        steady state, then every fault
 *     measure_report(m)                 the results (owned by m)
 *     measure_lab_down(m, err)          remove everything the lab made
 *     measure_free(m)
 *
 * A lab lives entirely in network namespaces: a profile with an object
 * in the namespace hanet runs in is refused.  Up sets, in every
 * namespace the lab created, arp_evict_nocarrier = 0,
 * ndisc_evict_nocarrier = 0 and keep_addr_on_down = 1 (see doc/lab.md).
 *
 * Each trial: a prober from the probe's namespace; the fault's settle
 * time; a reply must have come (the lab works) before the fault is
 * injected; replies must resume within opts.timeout_ns (else the trial
 * did not recover); a short tail; the prober stops, the trial is
 * analysed (trial_analyze) against the events of every lab namespace,
 * and with restore = auto the fault is undone and the lab waited for
 * until it is as before. */
#ifndef HANET_MEASURE_H
#define HANET_MEASURE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"

#define MEASURE_TIMEOUT_DEFAULT_NS 5000000000ull     /* replies must resume within 5 s */
#define MEASURE_RESTORE_TIMEOUT_NS 10000000000ull    /* the lab must be back within 10 s */
#define MEASURE_RT_PRIORITY_DEFAULT 10

struct measure_opts {
	uint32_t trials;                    /* 0: each fault's own `trials` */
	const char *fault;                  /* only this [fault NAME]; NULL: every fault */
	uint64_t timeout_ns;                /* 0: MEASURE_TIMEOUT_DEFAULT_NS */
	uint64_t steady_ns;                 /* > 0: first probe every [probe] that long without a fault */
	int rt_priority;                    /* SCHED_FIFO for the prober, the timeline and the faults; 0: none */
	volatile sig_atomic_t *stop;        /* set (by a signal handler): end as soon as possible */
	/* a line of progress ("fault carrier: trial 3/10: outage 14.2ms ..."); may be NULL */
	void (*progress)(void *data, const char *line);
	void *progress_data;
};

struct measure;

/* Load the profile and check it is a lab.  An invalid profile prints its
 * diagnostics and returns -EINVAL with err empty; a valid profile that
 * is no lab returns -EINVAL with err saying why. */
int measure_new(const char *path, struct measure **ret, char *err, size_t errsize);
void measure_free(struct measure *m);
const char *measure_name(const struct measure *m);
/* Whether the profile has [fault NAME]. */
bool measure_has_fault(const struct measure *m, const char *name);

/* A flag set by a signal handler: starting the lab's services stops
 * waiting for them when it is set. */
void measure_set_stop(struct measure *m, volatile sig_atomic_t *stop);

/* Apply the lab profile as `hanet apply` does (one transaction: rolled
 * back on failure), set the lab's sysctls, prepare the recording of the
 * netlink events of its namespaces and the capture on its switches,
 * start its [service]s (each ready before the next; service.h).  They
 * are killed, whole process trees, by measure_lab_down and
 * measure_free, and die with hanet. */
int measure_lab_up(struct measure *m, char *err, size_t errsize);
/* Remove what the lab made, as `hanet down` does (hanet watch stopped
 * first). */
int measure_lab_down(struct measure *m, char *err, size_t errsize);
/* The lock (/run/hanet/lock) is held while the lab is applied, applied
 * again (link-delete's restore) and removed: the first time waiting up to
 * us for another run (0: -EBUSY at once), later at least 10 s. */
void measure_set_lock_wait(struct measure *m, uint64_t us);

/* Run `hanet watch --down-on-exit PROFILE` on the lab, a profile of its
 * own (say a controller's team, over the lab's links: watch repairs drift
 * on what its profile declares, so the lab's faults stay out of it),
 * until measure_watch_stop or the lab goes down; returns once the kernel
 * matches that profile.  The team failovers it records become the
 * trials' active-port events. */
int measure_watch_start(struct measure *m, const char *path, char *err, size_t errsize);
int measure_watch_stop(struct measure *m, char *err, size_t errsize);

/* Run; results go to the report.  -EINTR when opts->stop was set (the
 * report holds the trials done). */
int measure_run(struct measure *m, const struct measure_opts *opts, char *err, size_t errsize);
const struct report *measure_report(const struct measure *m);

#endif
