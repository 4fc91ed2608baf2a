// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "sdnotify.h"

static struct {
	bool tried;
	void *handle;
	__typeof__(sd_notify) *notify;
	__typeof__(sd_watchdog_enabled) *watchdog_enabled;
	char error[256];
} sdn;

/* Load libsystemd once, when something is listening. */
static int sdn_load(void) {
	const char *e;

	if (!getenv("NOTIFY_SOCKET"))
		return 0;
	if (!sdn.tried) {
		sdn.tried = true;
		sdn.handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
		if (sdn.handle) {
			sdn.notify = (__typeof__(sd_notify) *)dlsym(sdn.handle, "sd_notify");
			sdn.watchdog_enabled = (__typeof__(sd_watchdog_enabled) *)dlsym(sdn.handle, "sd_watchdog_enabled");
		}
		if (!sdn.notify || !sdn.watchdog_enabled) {
			e = dlerror();
			snprintf(sdn.error, sizeof(sdn.error), "%s", e ? e : "libsystemd.so.0: sd_notify not found");
			sdn.notify = NULL;
			sdn.watchdog_enabled = NULL;
		}
	}
	return sdn.notify ? 1 : -ENOSYS;
}

int sdn_notify(const char *state) {
	int r = sdn_load();

	return r <= 0 ? r : sdn.notify(0, state);
}

int sdn_notifyf(const char *fmt, ...) {
	char buf[1024];
	va_list ap;
	int r = sdn_load();

	if (r <= 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sdn.notify(0, buf);
}

int sdn_watchdog_enabled(uint64_t *ret_usec) {
	int r = sdn_load();

	return r <= 0 ? r : sdn.watchdog_enabled(0, ret_usec);
}

const char *sdn_load_error(void) {
	return sdn.error[0] ? sdn.error : NULL;
}
