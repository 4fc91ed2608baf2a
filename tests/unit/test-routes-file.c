/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the [routes] file parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "routes-file.h"
#include "util.h"

static char dir[] = "/tmp/hanet-test-routes-XXXXXX";

static int setup(void **state) {
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A routes_file for the text, written to a temporary file. */
static struct routes_file *rf_new(const char *text, size_t len) {
	static int n;
	struct routes_file *rf = calloc(1, sizeof(*rf));
	FILE *f;

	assert_non_null(rf);
	strcpy(rf->name, "bulk");
	assert_true(asprintf(&rf->path, "%s/r%d.routes", dir, n++) > 0);
	rf->table = RT_TABLE_MAIN;
	rf->line = 7;
	f = fopen(rf->path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return rf;
}

static void rf_free(struct routes_file *rf) {
	unlink(rf->path);
	free(rf->path);
	free(rf);
}

static bool addr_is(const struct ipaddr *a, const char *text) {
	char buf[IPADDR_STRLEN];
	return a->family && strcmp(format_ipaddr(a, true, buf, sizeof(buf)), text) == 0;
}

static void test_fields(void **state) {
	static const char text[] = "# comment\n"
	                           "10.1.0.0/16 via 192.0.2.1 dev eth0\n"
	                           "\n"
	                           "   10.2.0.0/16\tdev eth1 metric 5 table 100 src 192.0.2.10   # trailing\n"
	                           "default via 192.0.2.254 dev eth0 onlink\n"
	                           "2001:db8:1::/48 via 2001:db8::1\n"
	                           "192.0.2.77 dev eth0\r\n"
	                           "default via fe80::1 dev eth0";    /* no newline at the end */
	struct routes_file *rf = rf_new(text, sizeof(text) - 1);
	struct route *v = NULL;
	struct diags d;
	size_t n = 0;

	(void)state;
	rf->netns = "api";
	diags_init(&d);
	assert_int_equal(routes_file_load(rf, &v, &n, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(n, 6);

	assert_true(addr_is(&v[0].dst, "10.1.0.0/16"));
	assert_true(addr_is(&v[0].via, "192.0.2.1/32"));
	assert_string_equal(v[0].dev, "eth0");
	assert_int_equal(v[0].set, ROUTE_SET_VIA | ROUTE_SET_DEV);
	assert_int_equal(v[0].table, RT_TABLE_MAIN);
	assert_int_equal(v[0].line, 2);
	assert_string_equal(v[0].netns, "api");
	assert_null(v[0].name);
	assert_int_equal(v[0].type, RTN_UNICAST);

	assert_int_equal(v[1].metric, 5);
	assert_int_equal(v[1].table, 100);
	assert_true(addr_is(&v[1].src, "192.0.2.10/32"));
	assert_int_equal(v[1].set, ROUTE_SET_DEV | ROUTE_SET_METRIC | ROUTE_SET_TABLE | ROUTE_SET_SRC);
	assert_int_equal(v[1].line, 4);

	assert_int_equal(v[2].dst.family, AF_INET);
	assert_int_equal(v[2].dst.plen, 0);
	assert_true(v[2].onlink);

	assert_int_equal(v[3].dst.family, AF_INET6);
	assert_int_equal(v[4].dst.plen, 32);                /* a plain address: a host route */
	assert_int_equal(v[5].dst.family, AF_INET6);        /* default takes the gateway's family */
	assert_int_equal(v[5].line, 8);

	for (size_t i = 0; i < n; i++)
		route_fini(&v[i]);
	free(v);
	diags_fini(&d);
	rf_free(rf);
}

static void test_table_default(void **state) {
	static const char text[] = "10.1.0.0/16 dev eth0\n10.2.0.0/16 dev eth0 table 5\n";
	struct routes_file *rf = rf_new(text, sizeof(text) - 1);
	struct route *v = NULL;
	struct diags d;
	size_t n = 0;

	(void)state;
	rf->table = 300;
	rf->table_set = true;
	diags_init(&d);
	assert_int_equal(routes_file_load(rf, &v, &n, &d), 0);
	assert_int_equal(v[0].table, 300);
	assert_true(v[0].set & ROUTE_SET_TABLE);
	assert_int_equal(v[1].table, 5);
	free(v);
	diags_fini(&d);
	rf_free(rf);
}

struct err_case {
	const char *line;
	const char *msg;
};

static void test_errors(void **state) {
	static const struct err_case cases[] = {
		{ "10.1.0.0/33 dev eth0", "expected a prefix (e.g. 10.1.0.0/16) or default first, got \"10.1.0.0/33\"" },
		{ "10.1.0.1/16 dev eth0", "10.1.0.1/16 has host bits set: the prefix is 10.1.0.0/16" },
		{ "10.1.0.0/16 via 192.0.2.1 dev eth0 proto static", "unknown word \"proto\"" },
		{ "10.1.0.0/16 via", "via: missing value" },
		{ "10.1.0.0/16 via 192.0.2.1 via 192.0.2.2", "via: given twice" },
		{ "10.1.0.0/16 via 192.0.2.x", "via: expected an address, got \"192.0.2.x\"" },
		{ "10.1.0.0/16 via 2001:db8::1", "via: 2001:db8::1 is IPv6, and the route is IPv4" },
		{ "10.1.0.0/16 dev eth0 src 2001:db8::1", "src: 2001:db8::1 is IPv6, and the route is IPv4" },
		{ "10.1.0.0/16 dev Eth0", "dev: \"Eth0\" is not an interface name" },
		{ "10.1.0.0/16 dev eth0 metric lots", "metric: expected a number" },
		{ "10.1.0.0/16 dev eth0 table nosuchtablename", "table: expected main, local, default" },
		{ "10.1.0.0/16 metric 5", "a route needs via or dev" },
		{ "10.1.0.0/16 dev eth0 onlink", "onlink: onlink is for a gateway (via) on dev" },
		{ "10.1.0.0/16 dev eth0 onlink onlink", "onlink: given twice" },
		{ "a b c d e f g h i j k l m n o p q", "too many words" },
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		struct routes_file *rf;
		struct diags d;
		size_t n = 0;

		snprintf(text, sizeof(text), "10.9.0.0/16 dev eth0\n%s\n10.8.0.0/16 dev eth0\n", cases[i].line);
		rf = rf_new(text, strlen(text));
		diags_init(&d);
		assert_int_equal(routes_file_parse(rf, NULL, NULL, &d), -EINVAL);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.v[0].line, 2);
		assert_string_equal(d.v[0].file, rf->path);
		assert_string_equal(d.v[0].section, "routes bulk");
		diag_format(&d.v[0], buf, sizeof(buf));
		if (!strstr(buf, cases[i].msg))
			fail_msg("line \"%s\": got \"%s\", want \"%s\"", cases[i].line, buf, cases[i].msg);
		diags_fini(&d);
		(void)n;
		rf_free(rf);
	}
}

static int count_cb(const struct route *r, void *data) {
	(void)r;
	(*(size_t *)data)++;
	return 0;
}

static int stop_cb(const struct route *r, void *data) {
	(void)data;
	return r->line == 3 ? -ECANCELED : 0;
}

static void test_many_errors_capped(void **state) {
	size_t len = 0, count = 0;
	char *text = malloc(500 * 16);
	struct routes_file *rf;
	struct diags d;

	(void)state;
	for (int i = 0; i < 500; i++)
		len += (size_t)sprintf(text + len, i % 2 ? "bad line %d\n" : "10.0.0.0/8 dev e\n", i);
	rf = rf_new(text, len);
	diags_init(&d);
	assert_int_equal(routes_file_parse(rf, count_cb, &count, &d), -EINVAL);
	assert_int_equal(count, 250);           /* the good lines still reach the callback */
	assert_int_equal(d.n, 101);
	assert_string_equal(d.v[100].msg, "150 more errors not shown");
	diags_fini(&d);
	/* a callback's error stops the parse */
	diags_init(&d);
	assert_int_equal(routes_file_parse(rf, stop_cb, NULL, &d), -ECANCELED);
	diags_fini(&d);
	rf_free(rf);
	free(text);
}

static void test_long_lines_and_blocks(void **state) {
	/* lines across the 64k read blocks, and one line longer than a block */
	size_t len = 0, count = 0, cap = 400000;
	char *text = malloc(cap);
	struct routes_file *rf;
	struct diags d;

	(void)state;
	for (int i = 0; i < 5000; i++)
		len += (size_t)sprintf(text + len, "10.%d.%d.0/24 via 192.0.2.1 dev eth0 metric %d\n", i / 256, i % 256, i);
	memset(text + len, 'x', 70000);
	len += 70000;
	text[len++] = '\n';
	len += (size_t)sprintf(text + len, "10.250.0.0/16 dev eth0\n");
	rf = rf_new(text, len);
	diags_init(&d);
	assert_int_equal(routes_file_parse(rf, count_cb, &count, &d), -EINVAL);
	assert_int_equal(count, 5001);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 5001);
	assert_non_null(strstr(d.v[0].msg, "a line longer than 65536 bytes"));
	diags_fini(&d);
	rf_free(rf);
	free(text);
}

static void test_unreadable(void **state) {
	struct routes_file rf = { .name = "x", .path = (char *)"/nonexistent/x.routes" };
	struct diags d;
	char buf[256];

	(void)state;
	diags_init(&d);
	assert_int_equal(routes_file_parse(&rf, NULL, NULL, &d), -ENOENT);
	assert_string_equal(diag_format(&d.v[0], buf, sizeof(buf)),
	                    "/nonexistent/x.routes: [routes x] cannot read: No such file or directory");
	diags_fini(&d);
}

static void test_nul_and_empty(void **state) {
	static const char text[] = "10.1.0.0/16 dev eth0\n10.2.0.0/16 \0dev eth0\n";
	struct routes_file *rf = rf_new(text, sizeof(text) - 1), *empty = rf_new("", 0);
	struct diags d;
	size_t count = 0;

	(void)state;
	diags_init(&d);
	assert_int_equal(routes_file_parse(rf, count_cb, &count, &d), -EINVAL);
	assert_int_equal(count, 1);
	assert_int_equal(d.v[0].line, 2);
	diags_fini(&d);
	diags_init(&d);
	count = 0;
	assert_int_equal(routes_file_parse(empty, count_cb, &count, &d), 0);
	assert_int_equal(count, 0);
	diags_fini(&d);
	rf_free(rf);
	rf_free(empty);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),           cmocka_unit_test(test_table_default),
		cmocka_unit_test(test_errors),           cmocka_unit_test(test_many_errors_capped),
		cmocka_unit_test(test_long_lines_and_blocks), cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_nul_and_empty),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
