/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `hanet watch` saw and did, for people and for monitoring:
 *
 * - records: one JSON object per line (to stdout, or appended to a
 *   file), each written with one write(2) so that lines never mix, with
 *   the time twice: CLOCK_MONOTONIC in nanoseconds ("mono_ns", comparable
 *   with the kernel's and the timeline's) and the wall clock ("time",
 *   RFC 3339 UTC with microseconds).  Events: bond-active-slave,
 *   bond-slave-state, team-active-port, carrier, repair, overflow,
 *   reload.  hanet(8) lists the fields.
 * - metrics: counters kept in memory and written as a Prometheus text
 *   file (temp file + rename), when asked.
 */
#ifndef HANET_RECORDS_H
#define HANET_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct records;

/* path NULL or "-": stdout.  A file is opened for appending. */
int records_new(const char *path, const char *profile, struct records **ret);
void records_free(struct records *r);
/* The profile's name changed (reload). */
int records_set_profile(struct records *r, const char *profile);

/* A failover or a carrier change, seen at mono_ns (the event's time).
 * netns NULL: the namespace hanet runs in.  from/to "" when none. */
void records_bond_active(struct records *r, uint64_t mono_ns, const char *netns, const char *bond, const char *from,
                         const char *to);
void records_bond_slave_state(struct records *r, uint64_t mono_ns, const char *netns, const char *bond,
                              const char *slave, bool active);
/* by: "hanet" when watch chose the port, "kernel" when it was seen changing */
void records_team_active(struct records *r, uint64_t mono_ns, const char *netns, const char *team, const char *from,
                         const char *to, const char *by, const char *why);
void records_carrier(struct records *r, uint64_t mono_ns, const char *netns, const char *link, bool up);

/* A drift repair: one action of the engine's plan that ran because the
 * kernel drifted.  kind: vip, address, route, rule, link-up, link-down,
 * slave, link, netns, nic, kind, forwarding, move, remove; cause: what was
 * seen ("vip api 10.0.0.50/24 removed from api0"); detected_ns: when the
 * first event of the drift was read; done_ns: when the repair was acked. */
void records_repair(struct records *r, const char *kind, const char *netns, const char *object, const char *action,
                    const char *cause, uint64_t detected_ns, uint64_t done_ns);
/* One overflow of the event socket, after which n namespaces are
 * observed again. */
void records_overflow(struct records *r, uint64_t mono_ns, size_t n);
void records_reload(struct records *r, uint64_t mono_ns, const char *path, bool ok, const char *why);

/* Counters without a record of their own. */
void records_count_resync(struct records *r);

/* Metrics in Prometheus text format, written to path atomically.
 * up: 1 while watch runs, 0 in the last write before it exits. */
int records_metrics_write(struct records *r, const char *path, bool up);
/* Whether a counter changed since the last write. */
bool records_metrics_dirty(const struct records *r);

/* Totals, for STATUS= lines and tests. */
uint64_t records_failovers(const struct records *r);
uint64_t records_repairs(const struct records *r);

#endif
