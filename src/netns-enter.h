/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entering a named namespace on the calling thread and coming back, for
 * the modules that open sockets inside a namespace (announce, nlevent,
 * prober).  Private to src/; a namespace name is a file under
 * /run/netns, NULL is the namespace the process started in. */
#ifndef HANET_NETNS_ENTER_H
#define HANET_NETNS_ENTER_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static inline int nsx_open(const char *name) {
	char path[512];
	int fd;

	if (name)
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	else
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Switch the calling thread into the namespace of fd (or name when fd is
 * negative); *ret_saved gets the thread's previous namespace.  With a
 * NULL name and no fd there is nothing to do and *ret_saved is -1. */
static inline int nsx_enter_fd(int fd, int *ret_saved) {
	int saved;

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int r = -errno;
		close(saved);
		return r;
	}
	*ret_saved = saved;
	return 0;
}

static inline int nsx_enter(const char *name, int *ret_saved) {
	int fd, r;

	if (!name) {
		*ret_saved = -1;
		return 0;
	}
	fd = nsx_open(name);
	if (fd < 0)
		return fd;
	r = nsx_enter_fd(fd, ret_saved);
	close(fd);
	return r;
}

static inline int nsx_leave(int saved) {
	int r = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET) < 0)
		r = -errno;
	close(saved);
	return r;
}

#endif
