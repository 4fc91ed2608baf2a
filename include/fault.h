/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection for `hanet measure`: the [fault NAME] sections of a
 * lab profile, done and undone through netlink in the lab's namespaces.
 *
 *   link-down     set dev down in its namespace; restore: up
 *   carrier-off   set the other end of dev's veth pair down, so dev loses
 *                 its carrier (a switch port failing, seen from a bond
 *                 slave); restore: up
 *   link-delete   delete dev (a veth takes its peer with it); restore: the
 *                 caller's re-apply of the lab profile (fault_hooks)
 *   vip-move      delete the vip from its device, add it on `to`, announce
 *                 it there (the vip's announce_* keys); restore: the same
 *                 back, announced even when announce_count = 0
 *   kill          SIGKILL the pid of pidfile; restore: wait until the
 *                 pidfile names another live process (restarted by its
 *                 supervisor)
 *   service-kill  signal (SIGKILL or SIGTERM) a lab service's process
 *                 group, its main process or that process's children;
 *                 restore: what is left of it killed, started again and
 *                 its readiness awaited (service.h)
 *   node-kill     a node's links (every link of its namespace) set down
 *                 and every process of the node killed, at once;
 *                 restore: the links up with their carrier, the node's
 *                 services started again, each one ready
 *
 * A fault with a jitter waits a random time in [0, jitter) before it is
 * injected (fault_jitter_ns): faults do not lock to a protocol's cycle
 * (VRRP adverts) and measure the same phase every time.
 *
 * A fault's time is taken from its own netlink event (link down, link
 * deleted, address deleted) when the timeline has it earlier than the
 * request's return: a slow kernel may answer long after the change took
 * effect.  After a restore, fault_restore waits until the lab is as
 * before (the device up with its carrier and, if it was the active slave
 * or port of its bond or team when fault_prepare looked, that again), so
 * the next trial fails the same thing. */
#ifndef HANET_FAULT_H
#define HANET_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "timeline.h"

struct nls;
struct services;

struct fault_hooks {
	/* link-delete restore: make the kernel match the profile again */
	int (*reapply)(void *data, char *err, size_t errsize);
	void *data;
	/* the lab's services (service-kill, node-kill) */
	struct services *services;
};

struct fault;

/* Resolve the fault against the profile (both outlive it).  -EINVAL with
 * err for a fault that cannot be done in this lab. */
int fault_new(const struct profile *p, const struct fault_conf *fc, struct nls *nls, const struct fault_hooks *hooks,
              struct fault **ret, char *err, size_t errsize);
void fault_free(struct fault *f);

/* "carrier-off ctl1/c1a (c1a-sw down in switch)" */
const char *fault_describe(const struct fault *f);
/* The analysis options the fault implies (the vip's address for a
 * vip-move: only its events count as reactions). */
void fault_trial_opts(const struct fault *f, struct trial_opts *o);

/* The random delay before the next injection: [0, jitter). */
uint64_t fault_jitter_ns(const struct fault *f);

/* Look up what the fault acts on (its devices' indexes, the sockets of
 * their namespaces), before a trial's probing: the injection then sends
 * only its own requests. */
int fault_prepare(struct fault *f, char *err, size_t errsize);
/* Inject; *ret_t_ns is the fault's time.  Adds a TL_FAULT event (and the
 * announcement of a vip-move) to tl. */
int fault_inject(struct fault *f, struct timeline *tl, uint64_t *ret_t_ns, char *err, size_t errsize);
/* Undo, and wait (at most timeout_ns) until the lab is as before.  Adds a
 * TL_RESTORE event.  -ETIMEDOUT when it did not come back in time. */
int fault_restore(struct fault *f, struct timeline *tl, uint64_t timeout_ns, char *err, size_t errsize);

#endif
