/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The services of a lab ([service NAME] sections): processes of a lab
 * node, such as keepalived, corosync or pacemakerd, each run by
 * /bin/sh -c in its node's network namespace and, when asked, in a mount
 * namespace of its own (tmpfs over the directories it names, a fresh
 * /sys) and a UTS namespace of its own (its hostname).
 *
 * Each service is a session and process group of its own (setsid), so
 * its whole process tree is one kill(-pgid) away; the process hanet
 * started (the main process) is followed through a pidfd and dies with
 * hanet (PR_SET_PDEATHSIG).  Stopping a service sends SIGTERM to its
 * group, SIGKILL after its stop_timeout; stopping them all also kills
 * every process left in a namespace of the lab's nodes, so a daemon that
 * left its group (a second setsid) cannot outlive the lab.
 *
 * A node is a group of services (`node =`, default the namespace):
 * services_kill_node kills every process of the node at once. */
#ifndef HANET_SERVICE_H
#define HANET_SERVICE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

struct services;

/* lab: the lab's name (HANET_LAB in the services' environment). */
int services_new(const struct profile *p, const char *lab, struct services **ret);
/* Stops them all first.  NULL ok. */
void services_free(struct services *s);

/* A flag (set by a signal handler): waiting for readiness ends, -EINTR. */
void services_set_stop(struct services *s, volatile sig_atomic_t *stop);

size_t services_count(const struct services *s);
/* The index of [service name], or -ENOENT. */
int services_find(const struct services *s, const char *name);

/* Start every service in the order of the profile, each one ready (its
 * `ready` condition met within ready_timeout) before the next. */
int services_start_all(struct services *s, char *err, size_t errsize);
/* Stop every service (SIGTERM, SIGKILL after stop_timeout) and kill what
 * is left in their namespaces.  Returns how many processes were still
 * there for the final sweep (0 when every service stopped on its own). */
int services_stop_all(struct services *s);

/* Wait until every running service is ready again (each within its
 * ready_timeout): the lab is as it was before a fault.  A service that
 * is not running is an error. */
int services_wait_ready(struct services *s, char *err, size_t errsize);

/* Start service i (stopped) and wait until it is ready. */
int service_start(struct services *s, size_t i, char *err, size_t errsize);
/* Stop service i: its group SIGTERM, then SIGKILL after timeout_us (0:
 * SIGKILL at once, which ends its PID namespace whole); reaps it. */
void service_stop(struct services *s, size_t i, uint64_t timeout_us);
/* Whether service i has a live process. */
bool service_running(const struct services *s, size_t i);
pid_t service_main_pid(const struct services *s, size_t i);
const struct service_conf *service_conf(const struct services *s, size_t i);

/* Send sig to service i's process group, its main process or the
 * children of the main process.  *ret_n: the processes signalled. */
int service_signal(struct services *s, size_t i, enum fault_target target, int sig, int *ret_n, char *err,
                   size_t errsize);

/* Run cmd (by /bin/sh -c) in the network, UTS and mount namespaces of
 * service i's main process, its standard error into the service's log,
 * at most timeout_us: 1 when it exited 0, 0 when it failed or took too
 * long, -ESRCH when the service is not running. */
int service_run(struct services *s, size_t i, const char *cmd, uint64_t timeout_us);

/* Whether a service's node is node. */
bool services_has_node(const struct services *s, const char *node);
/* SIGKILL to every process in the namespace of node's services (or the
 * namespace named node) and to each of its services' groups; *ret_n:
 * how many. */
int services_kill_node(struct services *s, const char *node, int *ret_n, char *err, size_t errsize);
/* Start node's services again (the dead ones), each ready before the next. */
int services_restart_node(struct services *s, const char *node, char *err, size_t errsize);

/* The last line of service i's log, for an error message. */
void service_log_tail(const struct services *s, size_t i, char *buf, size_t size);

#endif
