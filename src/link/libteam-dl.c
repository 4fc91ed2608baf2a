// SPDX-License-Identifier: GPL-2.0-or-later
#define LIBTEAM_DL_SELF
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "libteam-dl.h"

struct libteam_api libteam_api;
static bool tried;
static int loaded = -ENOSYS;
static char load_error[256];

int libteam_load(void) {
	void *h;

	if (tried)
		return loaded;
	tried = true;
	h = dlopen("libteam.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return loaded;
	}
#define LIBTEAM_SYM(f)                                                                        \
	if (!(libteam_api.f = (__typeof__(f) *)dlsym(h, #f))) {                               \
		snprintf(load_error, sizeof(load_error), "libteam.so.5 has no %s", #f);        \
		return loaded;                                                                \
	}
	LIBTEAM_FUNCS(LIBTEAM_SYM)
#undef LIBTEAM_SYM
	loaded = 0;
	return loaded;
}

const char *libteam_load_error(void) {
	return load_error[0] ? load_error : NULL;
}
