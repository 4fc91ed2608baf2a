/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the value parsers and file writers in util.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "util.h"

static void test_duration(void **state) {
	uint64_t us;

	(void)state;
	assert_int_equal(parse_duration_us("500us", &us), 0);
	assert_int_equal(us, 500);
	assert_int_equal(parse_duration_us("100ms", &us), 0);
	assert_int_equal(us, 100000);
	assert_int_equal(parse_duration_us("2s", &us), 0);
	assert_int_equal(us, 2000000);
	assert_int_equal(parse_duration_us("1m", &us), 0);
	assert_int_equal(us, 60000000);
	/* a bare number is milliseconds */
	assert_int_equal(parse_duration_us("100", &us), 0);
	assert_int_equal(us, 100000);
	assert_int_equal(parse_duration_us("0", &us), 0);
	assert_int_equal(us, 0);

	us = 7;
	assert_true(parse_duration_us("", &us) < 0);
	assert_true(parse_duration_us("fast", &us) < 0);
	assert_true(parse_duration_us("10x", &us) < 0);
	assert_true(parse_duration_us("1.5s", &us) < 0);
	assert_true(parse_duration_us("-5ms", &us) < 0);
	assert_true(parse_duration_us(" 5ms", &us) < 0);
	assert_true(parse_duration_us("5 ms", &us) < 0);
	assert_true(parse_duration_us("ms", &us) < 0);
	assert_true(parse_duration_us("99999999999999999999s", &us) < 0);
	assert_int_equal(parse_duration_us("18446744073709551615s", &us), -ERANGE);
	assert_int_equal(us, 7);        /* untouched on failure */
}

static void test_format_duration(void **state) {
	char buf[32];

	(void)state;
	format_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "0ms");
	format_duration(500, buf, sizeof(buf));
	assert_string_equal(buf, "500us");
	format_duration(20000, buf, sizeof(buf));
	assert_string_equal(buf, "20ms");
	format_duration(2000000, buf, sizeof(buf));
	assert_string_equal(buf, "2s");
	format_duration(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1.500ms");
}

static void test_bool(void **state) {
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool b;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		b = false;
		assert_int_equal(parse_bool(yes[i], &b), 0);
		assert_true(b);
		assert_int_equal(parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	assert_true(parse_bool("Yes", &b) < 0);
	assert_true(parse_bool("y", &b) < 0);
	assert_true(parse_bool("", &b) < 0);
	assert_true(parse_bool(NULL, &b) < 0);
}

static void test_numbers(void **state) {
	uint32_t v32 = 0;
	uint64_t v64 = 0;

	(void)state;
	assert_int_equal(parse_u32("0", &v32), 0);
	assert_int_equal(v32, 0);
	assert_int_equal(parse_u32("4294967295", &v32), 0);
	assert_int_equal(v32, UINT32_MAX);
	assert_int_equal(parse_u32("0x10", &v32), 0);
	assert_int_equal(v32, 16);
	assert_int_equal(parse_u32("4294967296", &v32), -ERANGE);
	assert_true(parse_u32("-1", &v32) < 0);
	assert_true(parse_u32("+1", &v32) < 0);
	assert_true(parse_u32(" 1", &v32) < 0);
	assert_true(parse_u32("1 ", &v32) < 0);
	assert_true(parse_u32("", &v32) < 0);
	assert_true(parse_u32("12a", &v32) < 0);
	assert_int_equal(parse_u64("18446744073709551615", &v64), 0);
	assert_int_equal(v64, UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v64), -ERANGE);
}

static void test_mac(void **state) {
	uint8_t mac[6];
	char buf[18];

	(void)state;
	assert_int_equal(parse_mac("52:54:00:ab:CD:ef", mac), 0);
	assert_int_equal(mac[0], 0x52);
	assert_int_equal(mac[4], 0xcd);
	format_mac(mac, buf);
	assert_string_equal(buf, "52:54:00:ab:cd:ef");
	assert_true(parse_mac("52:54:00:ab:cd", mac) < 0);
	assert_true(parse_mac("52-54-00-ab-cd-ef", mac) < 0);
	assert_true(parse_mac("52:54:00:ab:cd:eg", mac) < 0);
	assert_true(parse_mac("52:54:00:ab:cd:e", mac) < 0);
	assert_true(parse_mac(" 2:54:00:ab:cd:ef", mac) < 0);
	assert_true(parse_mac("52:54:00:ab:cd:ef0", mac) < 0);
}

static void test_addresses(void **state) {
	struct ipaddr a, n;
	char buf[IPADDR_STRLEN];

	(void)state;
	assert_int_equal(parse_ipaddr("192.0.2.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.plen, 32);
	assert_int_equal(parse_ipaddr("2001:db8::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.plen, 128);
	assert_true(parse_ipaddr("192.0.2", &a) < 0);
	assert_true(parse_ipaddr("192.0.2.1/24", &a) < 0);
	assert_true(parse_ipaddr("", &a) < 0);

	assert_int_equal(parse_prefix("192.0.2.10/24", true, &a), 0);
	assert_int_equal(a.plen, 24);
	assert_string_equal(format_ipaddr(&a, true, buf, sizeof(buf)), "192.0.2.10/24");
	assert_string_equal(format_ipaddr(&a, false, buf, sizeof(buf)), "192.0.2.10");
	assert_int_equal(parse_prefix("192.0.2.10", true, &a), -EDESTADDRREQ);
	assert_int_equal(parse_prefix("192.0.2.10", false, &a), 0);
	assert_int_equal(a.plen, 32);
	assert_int_equal(parse_prefix("192.0.2.0/33", true, &a), -ERANGE);
	assert_int_equal(parse_prefix("2001:db8::/129", true, &a), -ERANGE);
	assert_int_equal(parse_prefix("2001:db8::/128", true, &a), 0);
	assert_true(parse_prefix("192.0.2.0/", true, &a) < 0);
	assert_true(parse_prefix("192.0.2.0/-1", true, &a) < 0);
	assert_true(parse_prefix("192.0.2.0/024", true, &a) < 0);
	assert_true(parse_prefix("192.0.2.0/0x18", true, &a) < 0);
	assert_true(parse_prefix("192.0.2.0/24x", true, &a) < 0);
	assert_int_equal(parse_prefix("0.0.0.0/0", true, &a), 0);
	assert_int_equal(a.plen, 0);

	assert_int_equal(parse_prefix("10.1.2.3/16", true, &a), 0);
	ipaddr_network(&a, &n);
	assert_string_equal(format_ipaddr(&n, true, buf, sizeof(buf)), "10.1.0.0/16");
	assert_int_equal(parse_prefix("2001:db8:1:2::5/33", true, &a), 0);
	ipaddr_network(&a, &n);
	assert_string_equal(format_ipaddr(&n, true, buf, sizeof(buf)), "2001:db8::/33");

	{
		struct ipaddr net, in, out;
		assert_int_equal(parse_prefix("192.0.2.0/24", true, &net), 0);
		assert_int_equal(parse_ipaddr("192.0.2.200", &in), 0);
		assert_int_equal(parse_ipaddr("192.0.3.1", &out), 0);
		assert_true(prefix_contains(&net, &in));
		assert_false(prefix_contains(&net, &out));
		assert_false(prefix_contains(&in, &net));  /* a /32 holds no /24 */
		assert_int_equal(parse_ipaddr("2001:db8::1", &out), 0);
		assert_false(prefix_contains(&net, &out));
	}
	{
		struct ipaddr x, y;
		parse_prefix("192.0.2.1/24", true, &x);
		parse_prefix("192.0.2.1/25", true, &y);
		assert_false(ipaddr_eq(&x, &y));
		y.plen = 24;
		assert_true(ipaddr_eq(&x, &y));
		assert_true(ipaddr_is_set(&x));
		memset(&y, 0, sizeof(y));
		assert_false(ipaddr_is_set(&y));
		assert_string_equal(format_ipaddr(&y, true, buf, sizeof(buf)), "(none)");
	}
}

static void test_names(void **state) {
	(void)state;
	assert_true(ifname_valid("eth0"));
	assert_true(ifname_valid("bond0.100"));
	assert_true(ifname_valid("c1a-sw"));
	assert_true(ifname_valid("a_b"));
	assert_true(ifname_valid("123456789012345"));          /* 15 bytes */
	assert_false(ifname_valid("1234567890123456"));        /* 16 */
	assert_false(ifname_valid(""));
	assert_false(ifname_valid("."));
	assert_false(ifname_valid(".."));
	assert_false(ifname_valid("Eth0"));
	assert_false(ifname_valid("eth 0"));
	assert_false(ifname_valid("eth/0"));
	assert_false(ifname_valid("eth:0"));

	assert_true(netns_name_valid("api"));
	assert_true(netns_name_valid("qrouter-1a2b-3c4d"));
	assert_true(netns_name_valid("a:b"));
	assert_false(netns_name_valid(""));
	assert_false(netns_name_valid("."));
	assert_false(netns_name_valid(".."));
	assert_false(netns_name_valid("a/b"));
	assert_false(netns_name_valid("a b"));
	assert_false(netns_name_valid("a\tb"));
	{
		char longname[NETNS_NAME_MAX + 2];
		memset(longname, 'a', sizeof(longname) - 1);
		longname[NETNS_NAME_MAX + 1] = '\0';
		assert_false(netns_name_valid(longname));
		longname[NETNS_NAME_MAX] = '\0';
		assert_true(netns_name_valid(longname));
	}
}

static void test_route_names(void **state) {
	uint32_t t = 0;
	uint8_t v = 0;

	(void)state;
	assert_int_equal(parse_route_table("main", &t), 0);
	assert_int_equal(t, RT_TABLE_MAIN);
	assert_int_equal(parse_route_table("local", &t), 0);
	assert_int_equal(t, RT_TABLE_LOCAL);
	assert_int_equal(parse_route_table("default", &t), 0);
	assert_int_equal(t, RT_TABLE_DEFAULT);
	assert_int_equal(parse_route_table("100", &t), 0);
	assert_int_equal(t, 100);
	assert_int_equal(parse_route_table("4294967295", &t), 0);
	assert_true(parse_route_table("0", &t) < 0);
	assert_true(parse_route_table("4294967296", &t) < 0);
	assert_true(parse_route_table("no-such-table-name", &t) < 0);
	assert_true(parse_route_table("", &t) < 0);

	assert_int_equal(parse_route_scope("global", &v), 0);
	assert_int_equal(v, RT_SCOPE_UNIVERSE);
	assert_int_equal(parse_route_scope("link", &v), 0);
	assert_int_equal(v, RT_SCOPE_LINK);
	assert_int_equal(parse_route_scope("host", &v), 0);
	assert_int_equal(v, RT_SCOPE_HOST);
	assert_int_equal(parse_route_scope("200", &v), 0);
	assert_int_equal(v, 200);
	assert_true(parse_route_scope("256", &v) < 0);
	assert_true(parse_route_scope("galactic", &v) < 0);
	assert_string_equal(route_scope_name(RT_SCOPE_LINK), "link");

	assert_int_equal(parse_route_type("blackhole", &v), 0);
	assert_int_equal(v, RTN_BLACKHOLE);
	assert_int_equal(parse_route_type("unicast", &v), 0);
	assert_int_equal(v, RTN_UNICAST);
	assert_int_equal(parse_route_type("prohibit", &v), 0);
	assert_int_equal(parse_route_type("unreachable", &v), 0);
	assert_true(parse_route_type("local", &v) < 0);        /* not for profiles */
	assert_true(parse_route_type("multicast", &v) < 0);
	assert_string_equal(route_type_name(RTN_LOCAL), "local");
}

static int collect(const char *tok, void *data) {
	char *buf = data;

	strcat(buf, "[");
	strcat(buf, tok);
	strcat(buf, "]");
	return 0;
}

static int stop_at_b(const char *tok, void *data) {
	(void)data;
	return strcmp(tok, "b") == 0 ? -EEXIST : 0;
}

static void test_strings(void **state) {
	char buf[256] = "", s[] = "  x y \t\n";
	char longtok[300];
	struct strpool *pool;
	const char *a, *b;

	(void)state;
	assert_int_equal(split_list("a, b c,,d\t e", collect, buf), 0);
	assert_string_equal(buf, "[a][b][c][d][e]");
	buf[0] = '\0';
	assert_int_equal(split_list(" , ", collect, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(split_list("a b c", stop_at_b, NULL), -EEXIST);
	memset(longtok, 'x', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = '\0';
	assert_int_equal(split_list(longtok, stop_at_b, NULL), -ENAMETOOLONG);

	assert_string_equal(strstrip(s), "x y");
	assert_true(streq_ptr(NULL, NULL));
	assert_false(streq_ptr("a", NULL));
	assert_true(streq_ptr("a", "a"));

	{
		char small[4];
		assert_int_equal(STRCPY(small, "abc"), 0);
		assert_int_equal(STRCPY(small, "abcd"), -ENAMETOOLONG);
	}

	pool = strpool_new();
	assert_non_null(pool);
	a = strpool_intern(pool, "api");
	b = strpool_intern(pool, "api");
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(strpool_intern(pool, "db"), a);
	assert_null(strpool_intern(pool, NULL));
	strpool_free(pool);
	strpool_free(NULL);
}

/* Both writers: the whole data, the mode asked for, an old file replaced,
 * no temporary file left beside it. */
static void test_write_file(void **state) {
	int (*const writers[])(const char *, const char *, size_t, int) = { write_file_atomic, write_file_replace };
	char dir[] = "/tmp/hanet-test-util.XXXXXX", path[64], buf[64];
	struct stat sb;
	struct dirent *de;
	DIR *d;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		assert_int_equal(writers[i](path, "old contents\n", 13, 0600), 0);
		assert_int_equal(writers[i](path, "new\n", 4, 0644), 0);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0644);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_int_equal(n, 4);
		assert_memory_equal(buf, "new\n", 4);
		d = opendir(dir);
		assert_non_null(d);
		n = 0;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				n++;
		closedir(d);
		assert_int_equal(n, 1);
		assert_int_equal(unlink(path), 0);
		/* no such directory: nothing written */
		snprintf(buf, sizeof(buf), "%s/none/f", dir);
		assert_int_equal(writers[i](buf, "x", 1, 0644), -ENOENT);
	}
	assert_int_equal(rmdir(dir), 0);
}

static int cmp_strp(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_dir_list(void **state) {
	static const char *const files[] = { "b.pid", "a.pid", ".pid", "c.txt", "d.pid.old" };
	char dir[] = "/tmp/hanet-test-util.XXXXXX", path[64], **v;
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(dir_list_suffix(dir, ".pid", &v), 0);
	for (n = 0; v[n]; n++)
		;
	assert_int_equal(n, 2);
	qsort(v, n, sizeof(*v), cmp_strp);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
	/* a missing directory: an empty list */
	assert_int_equal(dir_list_suffix(dir, ".pid", &v), 0);
	assert_null(v[0]);
	free(v);
}

/* open_output(): never through a symbolic link, never a FIFO; open_input():
 * never blocks, only a regular file under the limit; private_dir(). */
static void test_hostile_files(void **state) {
	char dir[] = "/tmp/hanet-test-util.XXXXXX", path[96], link[96], fifo[96], sub[128], buf[64];
	struct stat sb;
	uint64_t size;
	mode_t mode;
	bool repaired = false;
	int fd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(write_file_replace(path, "keep\n", 5, 0644), 0);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	/* a planted link is not followed, for a new file or for appending */
	assert_int_equal(open_output(link, false, 0644, &fd), -ELOOP);
	assert_int_equal(open_output(link, true, 0644, &fd), -ELOOP);
	assert_non_null(strstr(open_output_strerror(-ELOOP), "symbolic link"));
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 5);
	/* a FIFO (no reader) is refused, without blocking */
	assert_int_equal(open_output(fifo, false, 0644, &fd), -EINVAL);
	/* a regular file: truncated, or appended to; /dev/null */
	assert_int_equal(open_output(path, true, 0644, &fd), 0);
	assert_int_equal(write(fd, "more\n", 5), 5);
	close(fd);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 10);
	assert_int_equal(open_output(path, false, 0644, &fd), 0);
	close(fd);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(open_output("/dev/null", true, 0644, &fd), 0);
	close(fd);

	/* inputs: a FIFO does not block; a device, a directory; the limit */
	assert_int_equal(open_input(fifo, 1024, &fd, &size, &mode), -EINVAL);
	assert_true(S_ISFIFO(mode));
	assert_string_equal(file_type_name(mode), "a FIFO");
	assert_int_equal(open_input("/dev/zero", 1024, &fd, &size, &mode), -EINVAL);
	assert_string_equal(file_type_name(mode), "a character device");
	assert_int_equal(open_input(dir, 1024, &fd, &size, &mode), -EINVAL);
	assert_string_equal(file_type_name(mode), "a directory");
	assert_int_equal(write_file_replace(path, "0123456789", 10, 0644), 0);
	assert_int_equal(open_input(path, 9, &fd, &size, &mode), -EFBIG);
	assert_int_equal(size, 10);
	assert_int_equal(open_input(path, 10, &fd, &size, &mode), 0);
	close(fd);

	/* private_dir(): made 0700 down from the root, repaired when open */
	snprintf(sub, sizeof(sub), "%s/root/a/b", dir);
	snprintf(buf, sizeof(buf), "%s/root", dir);
	assert_int_equal(private_dir(buf, sub, &repaired), 0);
	assert_false(repaired);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(chmod(buf, 0755), 0);
	assert_int_equal(private_dir(buf, sub, &repaired), 0);
	assert_true(repaired);
	assert_int_equal(stat(buf, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(private_dir(buf, link, NULL), -EINVAL);  /* not under the root */

	unlink(link);
	unlink(fifo);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* Deleting from the maps: every other key still found, whatever the
 * collisions (a small map wraps around), and the deleted ones gone. */
static void test_namemap_del(void **state) {
	struct namemap m = { 0 };
	static char names[600][16];
	const char *ns[3] = { NULL, "a", "qr-1" };

	(void)state;
	for (int i = 0; i < 600; i++) {
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		assert_int_equal(namemap_put(&m, ns[i % 3], names[i], (void *)(uintptr_t)(i + 1)), 0);
	}
	for (int i = 0; i < 600; i += 3)
		namemap_del(&m, ns[i % 3], names[i]);
	namemap_del(&m, "nowhere", "n1");                  /* not there: nothing */
	assert_int_equal(m.n, 400);
	for (int i = 0; i < 600; i++)
		assert_ptr_equal(namemap_get(&m, ns[i % 3], names[i]), i % 3 ? (void *)(uintptr_t)(i + 1) : NULL);
	for (int i = 0; i < 600; i++)
		namemap_del(&m, ns[i % 3], names[i]);
	assert_int_equal(m.n, 0);
	assert_null(namemap_get(&m, "a", "n1"));
	/* "" and NULL are the same namespace */
	assert_int_equal(namemap_put(&m, "", "x", (void *)1), 0);
	namemap_del(&m, NULL, "x");
	assert_int_equal(m.n, 0);
	namemap_clear(&m);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namemap_del),
		cmocka_unit_test(test_duration),   cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_bool),       cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_mac),        cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_names),      cmocka_unit_test(test_route_names),
		cmocka_unit_test(test_strings),    cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_dir_list),   cmocka_unit_test(test_hostile_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
