/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet watch: apply a profile, then follow the kernel's events and keep
 * it applied.
 *
 * One thread runs an epoll loop over: an rtnetlink event socket per
 * namespace the profile uses (nlevent.h), an inotify watch on /run/netns
 * (a namespace deleted or made), libteam's event fd per activebackup team
 * (team-ab.h), a signalfd (SIGHUP reload, SIGTERM/SIGINT exit) and
 * timerfds (the coalescing delay, housekeeping, --max-runtime).
 *
 * An event on something the profile declares or hanet owns marks its
 * namespace dirty; after a short delay (more events coalesce) the dirty
 * namespaces are observed again, planned against the profile and the
 * difference applied through the engine (journal, rollback, records),
 * then verified.  A few drifts have a fast path: a VIP or address removed,
 * a route removed, a link set down are planned at once against the last
 * observed state with only that change, applied (one action), and a
 * coalesced resync confirms afterwards.  An overflow of the event socket
 * (ENOBUFS) makes every namespace dirty as a whole: never ignored.
 */
#ifndef HANET_WATCH_H
#define HANET_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct watch_opts {
	const char *records_path;       /* NULL or "-": stdout */
	const char *metrics_path;       /* NULL: no metrics file */
	bool down_on_exit;              /* remove what the profile owns on SIGTERM/SIGINT/--max-runtime */
	uint64_t max_runtime_us;        /* 0: until a signal */
	uint64_t debounce_us;           /* delay before a resync after drift (default 2ms) */
	uint64_t settle_us;             /* delay of the confirming resync after a repair or a benign event (default 20ms) */
	uint64_t resync_interval_us;    /* every namespace resynced once in this time, a slice at a time (default 60s; 0: never) */
	int rcvbuf;                     /* event socket receive buffer, bytes; 0: NLEV_RCVBUF_DEFAULT (test hook) */
	bool no_fast_path;              /* every repair through a resync (to compare; testing) */
	bool no_records;                /* --records none */
};

#define WATCH_DEBOUNCE_DEFAULT_US 2000
#define WATCH_SETTLE_DEFAULT_US 20000
#define WATCH_RESYNC_INTERVAL_DEFAULT_US 60000000

/* Run until a signal or max_runtime.  Returns an exit code (commands.h):
 * EXIT_OK after a clean exit, EXIT_INVALID when the profile is invalid at
 * start, EXIT_RUNTIME when watching cannot start. */
int watch_run(const char *profile_path, const struct watch_opts *opts);

#endif
