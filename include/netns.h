/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named network namespaces, compatible with `ip netns` (a bind mount of
 * /proc/self/ns/net at /run/netns/NAME), and entering them. */
#ifndef HANET_NETNS_H
#define HANET_NETNS_H

#include <stdbool.h>

#include "paths.h"

/* Open a namespace by name (NULL: the namespace hanet started in).
 * Returns an fd (O_RDONLY|O_CLOEXEC) or negative errno (-ENOENT when it
 * does not exist). */
int netns_open(const char *name);
bool netns_exists(const char *name);

/* Create a named namespace the way `ip netns add` does, without
 * changing the calling thread's namespace.  -EEXIST if it exists. */
int netns_add(const char *name);
/* Remove the bind mount and the file (the namespace itself dies with
 * its last reference).  -ENOENT if it does not exist. */
int netns_delete(const char *name);
/* Names under /run/netns, sorted; *ret is a NULL-terminated array to
 * free with strv_free(). */
int netns_list(char ***ret);
void strv_free(char **v);

/* Switch the calling thread into a namespace and back.  netns_enter
 * saves the current namespace in *ret_saved_fd. */
int netns_enter(const char *name, int *ret_saved_fd);
/* The same by an fd of the namespace (the caller keeps it). */
int netns_enter_fd(int fd, int *ret_saved_fd);
int netns_leave(int saved_fd);   /* setns back and close; always closes */

/* Run fn(data) inside namespace name and come back. */
int netns_run(const char *name, int (*fn)(void *data), void *data);

#endif
