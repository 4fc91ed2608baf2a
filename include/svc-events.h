/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The events files of a lab's services (`events = PATH` of a [service]):
 * lines a service appends, in its own mount namespace, each
 *
 *     SECONDS KIND TEXT
 *
 * SECONDS the wall-clock time of the event (CLOCK_REALTIME, seconds
 * since the epoch with a fraction: 1796342400.123456), KIND membership
 * (a cluster's new membership), resource (a resource started or
 * stopped), step (a step of the cluster's reaction, from its daemons'
 * logs: TEXT may begin with the address of the VIP it is a step for,
 * "step 10.70.0.50 pacemaker-execd: start api") or anything else (a
 * note), TEXT what happened.  A thread reads
 * what each service appends, through /proc/PID/root of its main process
 * (a restarted service starts a new file), and adds each line to the
 * timeline, at its time on the timeline's clock (CLOCK_MONOTONIC). */
#ifndef HANET_SVC_EVENTS_H
#define HANET_SVC_EVENTS_H

#include <stdint.h>

#include "service.h"
#include "timeline.h"

struct svc_events;

/* Follow the events files of services s into tl (nothing when no service
 * has one: *ret NULL).  0 or -errno. */
int svc_events_start(struct services *s, struct timeline *tl, struct svc_events **ret);
/* Return once every file has been read from its end as it was at the
 * call (at most a second; NULL ok): the events written before are on the
 * timeline. */
void svc_events_catch_up(struct svc_events *e);
/* Read what is pending, end the thread.  NULL ok. */
void svc_events_stop(struct svc_events *e);
/* One line of an events file, parsed; mono_minus_real_ns converts its
 * time to CLOCK_MONOTONIC.  0, or -EINVAL for a line that is not one. */
int svc_events_parse(const char *line, int64_t mono_minus_real_ns, uint64_t *ret_t_ns, enum tl_kind *ret_kind,
                     const char **ret_text);

/* A step's TEXT: the VIP address it begins with into *ret_addr (else
 * left unset) and the rest into *ret_text. */
void svc_events_step_addr(const char *text, struct ipaddr *ret_addr, const char **ret_text);

#endif
