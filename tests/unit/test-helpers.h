/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the profile unit tests (header-only). */
#ifndef HANET_TEST_HELPERS_H
#define HANET_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "profile.h"

/* Load text as "test.ini"; fail the test (printing the diagnostics)
 * unless it loads without an error. */
static inline struct profile *load_ok_as(const char *name, const char *text) {
	struct profile *p = NULL;
	struct diags d;
	int r;

	diags_init(&d);
	r = profile_load_buffer(name, text, strlen(text), &p, &d);
	if (r < 0 || d.n_errors) {
		fprintf(stderr, "unexpected errors (r=%d) loading:\n%s\n--\n", r, text);
		diags_print(&d, stderr);
	}
	assert_int_equal(r, 0);
	assert_int_equal(d.n_errors, 0);
	assert_non_null(p);
	diags_fini(&d);
	return p;
}

static inline struct profile *load_ok(const char *text) {
	return load_ok_as("test.ini", text);
}

/* Load text; it must fail with a diagnostic whose text contains msg.
 * Returns the number of errors. */
static inline size_t load_bad(const char *text, const char *msg) {
	struct profile *p = NULL;
	struct diags d;
	char buf[2048];
	bool found = false;
	size_t n;
	int r;

	diags_init(&d);
	r = profile_load_buffer("test.ini", text, strlen(text), &p, &d);
	for (size_t i = 0; i < d.n; i++)
		if (strstr(diag_format(&d.v[i], buf, sizeof(buf)), msg))
			found = true;
	if (r >= 0 || !found) {
		fprintf(stderr, "expected an error containing \"%s\" (r=%d) loading:\n%s\n-- got:\n", msg, r, text);
		diags_print(&d, stderr);
	}
	assert_true(r < 0);
	assert_null(p);
	assert_true(found);
	n = d.n_errors;
	diags_fini(&d);
	return n;
}

#endif
