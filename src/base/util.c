/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/rtnetlink.h>

#include "log.h"
#include "util.h"

/* ---- strings ------------------------------------------------------ */

int strcpy_checked(char *dst, size_t size, const char *src) {
	size_t n = strlen(src);

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

bool streq_ptr(const char *a, const char *b) {
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

char *strstrip(char *s) {
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int split_list(const char *s, int (*cb)(const char *tok, void *data), void *data) {
	char tok[256];

	while (*s) {
		size_t n;
		int r;

		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		n = strcspn(s, ", \t\r\n");
		if (n >= sizeof(tok))
			return -ENAMETOOLONG;
		memcpy(tok, s, n);
		tok[n] = '\0';
		r = cb(tok, data);
		if (r < 0)
			return r;
		s += n;
	}
	return 0;
}

/* A string pool: one allocation per string, found through an
 * open-addressing hash table (a profile interns every route's name). */
struct strpool {
	char **slot;            /* NULL: free */
	size_t cap, n;          /* cap: a power of two, > 2n */
};

struct strpool *strpool_new(void) {
	return calloc(1, sizeof(struct strpool));
}

void strpool_free(struct strpool *p) {
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p);
}

static size_t strpool_hash(const char *s) {
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int strpool_grow(struct strpool *p) {
	size_t cap = p->cap ? p->cap * 2 : 16;
	char **slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap; i++) {
		size_t h;
		if (!p->slot[i])
			continue;
		for (h = strpool_hash(p->slot[i]) & (cap - 1); slot[h]; h = (h + 1) & (cap - 1))
			;
		slot[h] = p->slot[i];
	}
	free(p->slot);
	p->slot = slot;
	p->cap = cap;
	return 0;
}

const char *strpool_intern(struct strpool *p, const char *s) {
	size_t h;

	if (!s)
		return NULL;
	if (2 * (p->n + 1) > p->cap && strpool_grow(p) < 0)
		return NULL;
	for (h = strpool_hash(s) & (p->cap - 1); p->slot[h]; h = (h + 1) & (p->cap - 1))
		if (strcmp(p->slot[h], s) == 0)
			return p->slot[h];
	p->slot[h] = strdup(s);
	if (!p->slot[h])
		return NULL;
	p->n++;
	return p->slot[h];
}

/* ---- name maps ---------------------------------------------------- */

static const char *ns_key(const char *netns) {
	return netns ? netns : "";
}

static uint32_t namemap_hash(const char *netns, const char *name) {
	uint32_t h = 2166136261u;

	for (const char *s = ns_key(netns); *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *s = name; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

static bool namemap_match(const struct namemap_slot *s, uint32_t h, const char *netns, const char *name) {
	return s->hash == h && strcmp(ns_key(s->netns), ns_key(netns)) == 0 &&
	       (s->name && name ? strcmp(s->name, name) == 0 : !s->name && !name);
}

void *namemap_get(const struct namemap *m, const char *netns, const char *name) {
	uint32_t h;

	if (!m->n)
		return NULL;
	h = namemap_hash(netns, name);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct namemap_slot *s = &m->slots[i];

		if (!s->hash)
			return NULL;
		if (namemap_match(s, h, netns, name))
			return s->val;
	}
}

static void namemap_insert(struct namemap_slot *slots, size_t cap, const struct namemap_slot *e) {
	size_t i = e->hash & (cap - 1);

	while (slots[i].hash)
		i = (i + 1) & (cap - 1);
	slots[i] = *e;
}

int namemap_put(struct namemap *m, const char *netns, const char *name, void *val) {
	uint32_t h = namemap_hash(netns, name);
	struct namemap_slot e = { netns, name, val, h };

	if (m->n) {
		for (size_t i = h & (m->cap - 1); m->slots[i].hash; i = (i + 1) & (m->cap - 1))
			if (namemap_match(&m->slots[i], h, netns, name)) {
				m->slots[i] = e;
				return 0;
			}
	}
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;   /* most maps of a namespace hold one or two */
		struct namemap_slot *v = calloc(cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].hash)
				namemap_insert(v, cap, &m->slots[i]);
		free(m->slots);
		m->slots = v;
		m->cap = cap;
	}
	namemap_insert(m->slots, m->cap, &e);
	m->n++;
	return 0;
}

/* Linear probing without tombstones: the entries after the hole that
 * would not be found across it move back into it. */
void namemap_del(struct namemap *m, const char *netns, const char *name) {
	size_t mask = m->cap - 1, i, j;
	uint32_t h;

	if (!m->n)
		return;
	h = namemap_hash(netns, name);
	for (i = h & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].hash)
			return;
		if (namemap_match(&m->slots[i], h, netns, name))
			break;
	}
	for (j = (i + 1) & mask; m->slots[j].hash; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;

		/* j's entry stays where it is when its home lies cyclically in (i, j] */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->n--;
}

void namemap_clear(struct namemap *m) {
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* ---- values -------------------------------------------------------- */

int parse_u64(const char *s, uint64_t *ret) {
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *ret) {
	uint64_t v;
	int r = parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_duration_us(const char *s, uint64_t *ret_us) {
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 },
	};
	char num[64];
	const char *p = s;
	uint64_t mult = 1000, v;
	size_t n;
	int r;

	if (!s || !*s)
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		p++;
	n = (size_t)(p - s);
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (*p) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (strcmp(p, units[i].suffix) == 0)
				break;
		if (i == ARRAY_SIZE(units))
			return -EINVAL;
		mult = units[i].mult;
	}
	r = parse_u64(num, &v);
	if (r < 0)
		return r;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ret_us = v * mult;
	return 0;
}

int format_duration(uint64_t us, char *buf, size_t size) {
	if (us == 0)
		return snprintf(buf, size, "0ms");
	if (us % 1000000 == 0)
		return snprintf(buf, size, "%llus", (unsigned long long)(us / 1000000));
	if (us % 1000 == 0)
		return snprintf(buf, size, "%llums", (unsigned long long)(us / 1000));
	if (us < 1000)
		return snprintf(buf, size, "%lluus", (unsigned long long)us);
	return snprintf(buf, size, "%.3fms", (double)us / 1000.0);
}

int parse_bool(const char *s, bool *ret) {
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_mac(const char *s, uint8_t ret[6]) {
	unsigned v[6];
	char tail;

	if (strlen(s) != 17)
		return -EINVAL;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]))
			return -EINVAL;
		ret[i] = (uint8_t)v[i];
	}
	return 0;
}

void format_mac(const uint8_t mac[6], char buf[18]) {
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* ---- addresses ------------------------------------------------------ */

size_t ipaddr_len(int family) {
	return family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
}

int parse_ipaddr(const char *s, struct ipaddr *ret) {
	struct ipaddr a = { 0 };

	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, a.a) == 1) {
		a.family = AF_INET;
		a.plen = 32;
	} else if (inet_pton(AF_INET6, s, a.a) == 1) {
		a.family = AF_INET6;
		a.plen = 128;
	} else
		return -EINVAL;
	*ret = a;
	return 0;
}

int parse_prefix(const char *s, bool need_plen, struct ipaddr *ret) {
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	struct ipaddr a;
	uint32_t plen;
	int r;

	if (!slash) {
		if (need_plen)
			return -EDESTADDRREQ;
		return parse_ipaddr(s, ret);
	}
	if ((size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	r = parse_ipaddr(buf, &a);
	if (r < 0)
		return r;
	if (!isdigit((unsigned char)slash[1]) || parse_u32(slash + 1, &plen) < 0 ||
	    (slash[1] == '0' && slash[2] != '\0'))
		return -EINVAL;
	if (plen > ipaddr_len(a.family) * 8)
		return -ERANGE;
	a.plen = (uint8_t)plen;
	*ret = a;
	return 0;
}

/* A number below 1000 in decimal at p; returns the end. */
static char *put_dec(char *p, unsigned v) {
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* Written by hand for IPv4, where inet_ntop and snprintf cost most of
 * what reading a profile of a thousand namespaces does. */
const char *format_ipaddr(const struct ipaddr *a, bool with_plen, char *buf, size_t size) {
	char tmp[INET6_ADDRSTRLEN + 4], *e = tmp;
	size_t n;

	if (!a->family) {
		snprintf(buf, size, "(none)");
		return buf;
	}
	if (a->family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			e = put_dec(e, a->a[i]);
			*e++ = '.';
		}
		e--;
	} else {
		inet_ntop(a->family, a->a, tmp, INET6_ADDRSTRLEN);
		e = tmp + strlen(tmp);
	}
	if (with_plen) {
		*e++ = '/';
		e = put_dec(e, a->plen);
	}
	if (!size)
		return buf;
	n = (size_t)(e - tmp) < size - 1 ? (size_t)(e - tmp) : size - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}

bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b) {
	return a->family == b->family && a->plen == b->plen &&
	       memcmp(a->a, b->a, ipaddr_len(a->family)) == 0;
}

bool ipaddr_is_set(const struct ipaddr *a) {
	return a->family != 0;
}

void ipaddr_network(const struct ipaddr *a, struct ipaddr *ret) {
	size_t len = ipaddr_len(a->family);
	struct ipaddr n = *a;

	for (size_t i = 0; i < len; i++) {
		int bits = (int)a->plen - (int)i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		n.a[i] &= mask;
	}
	for (size_t i = len; i < sizeof(n.a); i++)
		n.a[i] = 0;
	*ret = n;
}

bool prefix_contains(const struct ipaddr *net, const struct ipaddr *addr) {
	struct ipaddr x, y;

	if (net->family != addr->family || addr->plen < net->plen)
		return false;
	ipaddr_network(net, &x);
	y = *addr;
	y.plen = net->plen;
	ipaddr_network(&y, &y);
	return memcmp(x.a, y.a, ipaddr_len(net->family)) == 0;
}

/* ---- names ----------------------------------------------------------- */

bool ifname_valid(const char *s) {
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

bool netns_name_valid(const char *s) {
	size_t n = strlen(s);

	if (n == 0 || n > NETNS_NAME_MAX)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return false;
	return true;
}

const char *netns_name_reserved(const char *s) {
	if (strcmp(s, "-") == 0)
		return "hanet's records write \"-\" for the namespace hanet runs in (leave netns unset to mean that one)";
	if (strchr(s, '|'))
		return "\"|\" separates the fields of hanet's announcements";
	return NULL;
}

bool profile_name_valid(const char *s) {
	size_t n = strlen(s);

	if (n == 0 || n > HANET_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

/* ---- routing names ---------------------------------------------------- */

static int lookup_rt_tables_file(const char *path, const char *name, uint32_t *ret) {
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char id[64], n[256];
		char *s = strstrip(line);

		if (*s == '#' || !*s)
			continue;
		if (sscanf(s, "%63s %255s", id, n) != 2)
			continue;
		if (strcmp(n, name) == 0 && parse_u32(id, ret) == 0)
			return 0;
	}
	return -ENOENT;
}

static int lookup_rt_tables_dir(const char *dir, const char *name, uint32_t *ret) {
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = -ENOENT;

	if (!d)
		return -ENOENT;
	while (r < 0 && (de = readdir(d))) {
		char path[PATH_MAX];
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		r = lookup_rt_tables_file(path, name, ret);
	}
	closedir(d);
	return r;
}

int parse_route_table(const char *s, uint32_t *ret) {
	static const struct {
		const char *name;
		uint32_t id;
	} builtin[] = {
		{ "main", RT_TABLE_MAIN }, { "local", RT_TABLE_LOCAL }, { "default", RT_TABLE_DEFAULT },
	};
	static const char *const files[] = {
		"/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables", "/usr/lib/iproute2/rt_tables",
	};
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++)
		if (strcmp(s, builtin[i].name) == 0) {
			*ret = builtin[i].id;
			return 0;
		}
	if (isdigit((unsigned char)*s)) {
		if (parse_u32(s, &v) < 0 || v == 0)
			return -EINVAL;
		*ret = v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char dir[PATH_MAX];
		if (lookup_rt_tables_file(files[i], s, ret) == 0)
			return 0;
		/* and the *.conf files of rt_tables.d beside it, as iproute2 reads them */
		snprintf(dir, sizeof(dir), "%s.d", files[i]);
		if (lookup_rt_tables_dir(dir, s, ret) == 0)
			return 0;
	}
	return -ENOENT;
}

static const struct {
	const char *name;
	uint8_t v;
} scopes[] = {
	{ "global", RT_SCOPE_UNIVERSE }, { "universe", RT_SCOPE_UNIVERSE }, { "site", RT_SCOPE_SITE },
	{ "link", RT_SCOPE_LINK }, { "host", RT_SCOPE_HOST }, { "nowhere", RT_SCOPE_NOWHERE },
};

int parse_route_scope(const char *s, uint8_t *ret) {
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (strcmp(s, scopes[i].name) == 0) {
			*ret = scopes[i].v;
			return 0;
		}
	if (parse_u32(s, &v) < 0 || v > 255)
		return -EINVAL;
	*ret = (uint8_t)v;
	return 0;
}

const char *route_scope_name(uint8_t scope) {
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (scopes[i].v == scope)
			return scopes[i].name;
	return "other";
}

static const struct {
	const char *name;
	uint8_t v;
} types[] = {
	{ "unicast", RTN_UNICAST }, { "blackhole", RTN_BLACKHOLE }, { "unreachable", RTN_UNREACHABLE },
	{ "prohibit", RTN_PROHIBIT }, { "local", RTN_LOCAL }, { "broadcast", RTN_BROADCAST },
	{ "multicast", RTN_MULTICAST }, { "anycast", RTN_ANYCAST }, { "throw", RTN_THROW },
};

int parse_route_type(const char *s, uint8_t *ret) {
	/* a profile may only ask for the first four */
	for (size_t i = 0; i < 4; i++)
		if (strcmp(s, types[i].name) == 0) {
			*ret = types[i].v;
			return 0;
		}
	return -EINVAL;
}

const char *route_type_name(uint8_t type) {
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i].v == type)
			return types[i].name;
	return "other";
}

/* ---- time ---------------------------------------------------------------- */

uint64_t now_ns(void) {
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_us(void) {
	return now_ns() / 1000;
}

uint64_t realtime_us(void) {
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

void sleep_us(uint64_t us) {
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- files ------------------------------------------------------------------ */

int mkdir_p(const char *path, int mode) {
	char buf[PATH_MAX];

	if (STRCPY(buf, path) < 0)
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int open_input(const char *path, uint64_t max, int *ret_fd, uint64_t *ret_size, mode_t *ret_mode) {
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (ret_mode)
		*ret_mode = st.st_mode;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		if (ret_size)
			*ret_size = (uint64_t)st.st_size;
		close(fd);
		return -EFBIG;
	}
	/* a regular file never blocks; clear the flag for whoever reads it */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (ret_size)
		*ret_size = (uint64_t)st.st_size;
	*ret_fd = fd;
	return 0;
}

const char *file_type_name(mode_t mode) {
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "not a regular file";
	}
}

int open_output(const char *path, bool append, int mode, int *ret_fd) {
	struct stat st;
	int fd, r;

	/* O_NOFOLLOW: a symbolic link planted where the file goes is not
	 * followed (as root, it could point anywhere); O_NONBLOCK: a FIFO
	 * without a reader does not hang the open (and is refused below) */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (append ? O_APPEND : 0),
	          (mode_t)mode);
	if (fd < 0) {
		r = errno == ENXIO ? -EINVAL : -errno;
		/* the kernel refuses another user's link in a sticky directory
		 * (fs.protected_symlinks) before O_NOFOLLOW does: say what it is */
		if (r == -EACCES && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			r = -ELOOP;
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	/* a character device (/dev/null) is fine; a FIFO or a socket, which
	 * another user may have made there, is not */
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (!append && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*ret_fd = fd;
	return 0;
}

const char *open_output_strerror(int r) {
	switch (r) {
	case -ELOOP:
		return "a symbolic link, which hanet does not follow: remove it or name the file it points to";
	case -EINVAL:
		return "not a regular file (a FIFO or a socket)";
	default:
		return strerror(-r);
	}
}

/* One directory of private_dir(): made, or checked and repaired. */
static int private_dir_one(const char *path, bool *repaired) {
	struct stat st;
	int fd, r = 0;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP || r == -ENOTDIR) {
			log_error("%s is not a directory (a symbolic link or a file): hanet keeps its locks and records "
			          "there only in a directory of its own; remove it", path);
			return -EPERM;
		}
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (st.st_uid != geteuid()) {
		log_error("%s is owned by uid %u, not by uid %u (hanet): another user could take hanet's locks or "
		          "change its records there; remove it", path, (unsigned)st.st_uid, (unsigned)geteuid());
		r = -EPERM;
		goto out;
	}
	if (st.st_mode & 077) {
		if (fchmod(fd, 0700) < 0) {
			r = -errno;
			goto out;
		}
		log_warning("%s had mode %04o: made it 0700, only root may use hanet's locks and records", path,
		            (unsigned)(st.st_mode & 07777));
		*repaired = true;
	}
out:
	close(fd);
	return r;
}

int private_dir(const char *root, const char *path, bool *ret_repaired) {
	char buf[PATH_MAX];
	size_t rl = strlen(root);
	bool repaired = false;
	int r;

	if (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/') || STRCPY(buf, path) < 0)
		return -EINVAL;
	/* the parents of root as they are (/run) */
	buf[rl] = '\0';
	{
		char *slash = strrchr(buf, '/');
		if (slash && slash != buf) {
			*slash = '\0';
			r = mkdir_p(buf, 0755);
			if (r < 0)
				return r;
			*slash = '/';
		}
	}
	/* root and each directory below it */
	for (size_t i = rl;; i++) {
		if (path[i] == '/' || path[i] == '\0') {
			buf[i] = '\0';
			if (i > 0 && buf[i - 1] != '/') {
				r = private_dir_one(buf, &repaired);
				if (r < 0)
					return r;
			}
			if (!path[i])
				break;
		}
		buf[i] = path[i];
	}
	if (ret_repaired)
		*ret_repaired = repaired;
	return 0;
}

static int write_file_rename(const char *path, const char *data, size_t len, int mode, bool sync) {
	char tmp[PATH_MAX];
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (r == 0 && fchmod(fd, (mode_t)mode) < 0)
		r = -errno;
	if (r == 0 && sync && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int dir_list_suffix(const char *dir, const char *suffix, char ***ret) {
	size_t slen = strlen(suffix), n = 0;
	struct dirent *de;
	char **v;
	DIR *d;

	d = opendir(dir);
	if (!d && errno != ENOENT)
		return -errno;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto oom;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[n] = strndup(de->d_name, len - slen);
		if (!v[n])
			goto oom;
		v[++n] = NULL;
	}
	if (d)
		closedir(d);
	*ret = v;
	return 0;
oom:
	if (d)
		closedir(d);
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

int write_file_atomic(const char *path, const char *data, size_t len, int mode) {
	return write_file_rename(path, data, len, mode, true);
}

int write_file_replace(const char *path, const char *data, size_t len, int mode) {
	return write_file_rename(path, data, len, mode, false);
}

/* ---- memory ------------------------------------------------------------------ */

void *big_alloc(size_t size) {
	void *p;

	if (size == 0)
		size = 1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (size >= 4 * 1024 * 1024)
		madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}

void big_free(void *p, size_t size) {
	if (p)
		munmap(p, size ? size : 1);
}

#define IOBUF_KEEP 4
static pthread_mutex_t iobuf_lock = PTHREAD_MUTEX_INITIALIZER;
static void *iobuf_kept[IOBUF_KEEP];
static unsigned n_iobuf_kept;

void *iobuf_take(void) {
	void *b = NULL;

	pthread_mutex_lock(&iobuf_lock);
	if (n_iobuf_kept > 0)
		b = iobuf_kept[--n_iobuf_kept];
	pthread_mutex_unlock(&iobuf_lock);
	return b ? b : malloc(IOBUF_SIZE);
}

void iobuf_give(void *b) {
	if (!b)
		return;
	pthread_mutex_lock(&iobuf_lock);
	if (n_iobuf_kept < IOBUF_KEEP) {
		iobuf_kept[n_iobuf_kept++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&iobuf_lock);
	free(b);
}
