/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the streaming parser of [routes] files on arbitrary
 * bytes.  The input is the file; it is handed to the parser through a
 * memfd (a regular file, read as the parser reads any other), once with
 * a callback that formats each route and once through routes_file_load.
 * Build: make fuzz.  Run: ./build/fuzz-routes tests/fuzz/corpus-routes */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "route.h"
#include "routes-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int format_cb(const struct route *r, void *data) {
	char buf[512];
	size_t *n = data;
	struct route_key k;

	route_format(r, buf, sizeof(buf));
	route_key_of(r, &k);
	route_key_format(&k, buf, sizeof(buf));
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static int fd = -1;
	static char path[64];
	struct routes_file rf = { .name = "fuzz", .line = 1 };
	struct route *v = NULL;
	struct diags d;
	size_t n = 0, n_load = 0;
	char buf[2048];
	int r1, r2;

	/* 300 KiB: several of the parser's 64 KiB read blocks */
	if (size > 300 * 1024)
		return 0;
	if (fd < 0) {
		fd = memfd_create("fuzz-routes", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	rf.path = path;
	rf.table = 100;
	rf.table_set = size & 1;

	diags_init(&d);
	r1 = routes_file_parse(&rf, format_cb, &n, &d);
	for (size_t i = 0; i < d.n; i++)
		diag_format(&d.v[i], buf, sizeof(buf));
	diags_fini(&d);

	diags_init(&d);
	r2 = routes_file_load(&rf, &v, &n_load, &d);
	diags_fini(&d);
	/* the two ways of reading the same file agree */
	if ((r1 < 0) != (r2 < 0) || (r2 == 0 && n_load != n))
		abort();
	if (r2 == 0) {
		for (size_t i = 0; i < n_load; i++)
			route_fini(&v[i]);
		free(v);
	}
	return 0;
}
