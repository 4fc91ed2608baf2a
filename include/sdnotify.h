/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Notifications to the service manager (sd_notify(3)) through libsystemd,
 * loaded only when a service manager listens ($NOTIFY_SOCKET): linked
 * into every process, libsystemd and the libraries it pulls in cost each
 * hanet start a few milliseconds of dynamic linking, and `hanet vip
 * takeover` is on the failover path. */
#pragma once

#include <stdint.h>

/* sd_notify(0, STATE): > 0 sent, 0 no service manager listens, < 0
 * -errno (-ENOSYS: libsystemd could not be loaded, see
 * sdn_load_error()). */
int sdn_notify(const char *state);
int sdn_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* sd_watchdog_enabled(0, ...): > 0 and *ret_usec when the manager wants
 * keep-alive pings, 0 when not, < 0 -errno. */
int sdn_watchdog_enabled(uint64_t *ret_usec);
/* Why libsystemd could not be loaded (dlerror's text), or NULL. */
const char *sdn_load_error(void);
