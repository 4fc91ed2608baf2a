/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers used by every module: parsing of values, addresses,
 * strings, time, and cleanup attributes. */
#ifndef HANET_UTIL_H
#define HANET_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "model.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

/* The negative errno of a system call that failed: never 0, so that a
 * caller that writes its out-parameters only on success can rely on a
 * result of 0 meaning they were written. */
static inline int neg_errno(void) {
	int e = errno;

	return e > 0 ? -e : -EIO;
}

/* ---- cleanup helpers (systemd style) ------------------------------ */
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Take ownership out of a cleanup variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* ---- strings ------------------------------------------------------ */

/* Copy with truncation check: -ENAMETOOLONG when src does not fit. */
int strcpy_checked(char *dst, size_t size, const char *src);
#define STRCPY(dst, src) strcpy_checked((dst), sizeof(dst), (src))
bool streq_ptr(const char *a, const char *b);       /* NULL-safe */
char *strstrip(char *s);                            /* in place, returns s */

/* Split a list "a, b c" (commas and/or spaces) into names; calls cb for
 * each token; stops on the first negative return. */
int split_list(const char *s, int (*cb)(const char *tok, void *data), void *data);

/* A string pool: interned, stable strings owned by one object. */
struct strpool;
struct strpool *strpool_new(void);
void strpool_free(struct strpool *p);
const char *strpool_intern(struct strpool *p, const char *s);   /* NULL on ENOMEM; NULL in -> NULL out */

/* A hash map from a (namespace, name) pair to a pointer: lookups in
 * constant time however many namespaces and devices there are.  A NULL
 * or empty namespace is the current one (as netns_eq); name may be
 * NULL for a map of namespaces.  The map keeps the key pointers, not
 * copies: they must live as long as their entry. */
struct namemap_slot {
	const char *netns, *name;
	void *val;
	uint32_t hash;
};
struct namemap {
	struct namemap_slot *slots;
	size_t cap, n;
};
void *namemap_get(const struct namemap *m, const char *netns, const char *name);
/* Add or replace. */
int namemap_put(struct namemap *m, const char *netns, const char *name, void *val);
void namemap_clear(struct namemap *m);                          /* empty, keeps nothing allocated */
void namemap_del(struct namemap *m, const char *netns, const char *name);   /* when there */

/* ---- values -------------------------------------------------------- */

/* "500us", "100ms", "2s", "1m"; a bare number is milliseconds. */
int parse_duration_us(const char *s, uint64_t *ret_us);
int format_duration(uint64_t us, char *buf, size_t size);       /* "20ms", "1.5s", "500us" */
int parse_bool(const char *s, bool *ret);                       /* yes|no|true|false|on|off|1|0 */
int parse_u32(const char *s, uint32_t *ret);                    /* decimal or 0x hex */
int parse_u64(const char *s, uint64_t *ret);
int parse_mac(const char *s, uint8_t ret[6]);
void format_mac(const uint8_t mac[6], char buf[18]);

/* Addresses.  parse_prefix requires "/N" when need_plen, else takes a
 * plain address (plen = full length) or a CIDR. */
int parse_ipaddr(const char *s, struct ipaddr *ret);            /* plain address, plen = 32/128 */
int parse_prefix(const char *s, bool need_plen, struct ipaddr *ret);
/* "10.0.0.1/24", or without the prefix when with_plen is false */
const char *format_ipaddr(const struct ipaddr *a, bool with_plen, char *buf, size_t size);
#define IPADDR_STRLEN 64
bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b);  /* family, plen and bytes */
bool ipaddr_is_set(const struct ipaddr *a);
/* the network of a prefix (host bits cleared), and containment */
void ipaddr_network(const struct ipaddr *a, struct ipaddr *ret);
bool prefix_contains(const struct ipaddr *net, const struct ipaddr *addr);
size_t ipaddr_len(int family);                                  /* 4 or 16 */

/* Names.  Interface names: at most 15 bytes of [a-z0-9_.-]; namespace
 * names: a file name (no '/', white space or control character, not "."
 * or ".."), at most NETNS_NAME_MAX. */
bool ifname_valid(const char *s);
bool netns_name_valid(const char *s);
/* A valid namespace name that hanet cannot use because its own formats
 * give it a meaning: why (for a message), else NULL.  "-" is how the
 * ownership records, VIP records and announcements write the namespace
 * hanet runs in; "|" separates the fields of an announcement. */
const char *netns_name_reserved(const char *s);
/* A profile's name ([profile] name, or its file name without .ini): it
 * names the files of its records (/run/hanet/owned/NAME.owned): 1 to
 * HANET_NAME_MAX bytes of A-Z, a-z, 0-9, "_", ".", "-", not starting
 * with "." or "-". */
bool profile_name_valid(const char *s);

/* Routing table by name: main, local, default, a number, or a name from
 * /etc/iproute2/rt_tables (and rt_tables.d). */
int parse_route_table(const char *s, uint32_t *ret);
int parse_route_scope(const char *s, uint8_t *ret);             /* global|link|host|site|nowhere|N */
int parse_route_type(const char *s, uint8_t *ret);              /* unicast|blackhole|unreachable|prohibit */
const char *route_type_name(uint8_t type);
const char *route_scope_name(uint8_t scope);

/* ---- time ---------------------------------------------------------- */
uint64_t now_us(void);                                          /* CLOCK_MONOTONIC */
uint64_t now_ns(void);
uint64_t realtime_us(void);                                     /* CLOCK_REALTIME */
void sleep_us(uint64_t us);

/* ---- memory ---------------------------------------------------------- */
/* A zeroed anonymous mapping for a big array, advised to use huge pages
 * (fewer page faults for 100k-route tables); NULL on failure.  Pages are
 * only allocated when touched.  big_free(NULL, ...) is a no-op. */
void *big_alloc(size_t size);
void big_free(void *p, size_t size);
/* Receive buffers of IOBUF_SIZE bytes (a netlink datagram fits), lent
 * for the length of one read loop rather than owned by every socket: a
 * profile of a thousand namespaces keeps a thousand sockets.  A few
 * given back are kept for the next taker; safe from any thread. */
#define IOBUF_SIZE (64 * 1024)
void *iobuf_take(void);                                         /* NULL on ENOMEM */
void iobuf_give(void *b);                                       /* NULL: no-op */

/* ---- files ---------------------------------------------------------- */
/* Write a whole file atomically (temp file in the same directory, fsync,
 * rename). */
int write_file_atomic(const char *path, const char *data, size_t len, int mode);
/* The same without the fsync: a reader sees the old file or the new one,
 * never a part, but the new one need not survive a crash. */
int write_file_replace(const char *path, const char *data, size_t len, int mode);
int mkdir_p(const char *path, int mode);
/* Open a file to read it whole: never blocks (a FIFO is refused, not
 * waited on), only a regular file of at most max bytes.  -EINVAL: not a
 * regular file (*ret_mode, when not NULL, says what it is); -EFBIG: larger
 * than max; else -errno of open/fstat.  *ret_size gets its size. */
int open_input(const char *path, uint64_t max, int *ret_fd, uint64_t *ret_size, mode_t *ret_mode);
/* "a directory", "a FIFO", "a character device", ... for messages */
const char *file_type_name(mode_t mode);
/* Open an output file the user named: created (mode) or truncated, or
 * appended to; a symbolic link is never followed (-ELOOP), and only a
 * regular file or a character device (/dev/null) is written (-EINVAL:
 * a FIFO or a socket).  open_output_strerror() words its errors. */
int open_output(const char *path, bool append, int mode, int *ret_fd);
const char *open_output_strerror(int r);
/* A directory of hanet's own state, path = root (/run/hanet) or below
 * it: root and every directory under it down to path are created 0700,
 * and checked when they exist: a directory (not a symbolic link) owned
 * by the effective user, else -EPERM (logged); group or other access is
 * taken away (logged; *ret_repaired, when not NULL, says so).  The
 * parents of root are only created when missing. */
int private_dir(const char *root, const char *path, bool *ret_repaired);
/* The names in dir that end in suffix (and are longer), without it, as a
 * NULL-terminated vector (free with strv_free(), netns.h), in the
 * directory's order.  A missing dir is an empty list. */
int dir_list_suffix(const char *dir, const char *suffix, char ***ret);

#endif
