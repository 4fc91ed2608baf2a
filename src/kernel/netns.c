/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named network namespaces the way `ip netns` keeps them: a file under
 * /run/netns bind-mounted on the namespace's nsfs inode, with /run/netns
 * itself a shared mount so that the bind mounts propagate to every
 * mount namespace that sees the directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "util.h"

/* The namespace the process started in: what netns == NULL means.  Opened
 * before the first setns(), which only happens through netns_enter(). */
static int start_fd = -1;

static int start_fd_init(void) {
	if (start_fd >= 0)
		return 0;
	start_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (start_fd < 0)
		return -errno;
	return 0;
}

static int netns_path(const char *name, char *buf, size_t size) {
	if (!netns_name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s", NETNS_RUN_DIR, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int netns_open(const char *name) {
	char path[PATH_MAX];
	int r, fd;

	r = start_fd_init();
	if (r < 0)
		return r;
	if (!name || !*name) {
		fd = fcntl(start_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd;
}

bool netns_exists(const char *name) {
	int fd = netns_open(name);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Make /run/netns a shared mount point, as `ip netns add` does, so a
 * namespace added here is seen from other mount namespaces that share
 * the directory. */
static int run_dir_prepare(void) {
	int r = mkdir_p(NETNS_RUN_DIR, 0755);

	if (r < 0)
		return r;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* not a mount point yet: bind it onto itself first */
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

int netns_add(const char *name) {
	char path[PATH_MAX];
	int r, fd, saved;

	r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	r = start_fd_init();
	if (r < 0)
		return r;
	r = run_dir_prepare();
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		r = -errno;
		goto fail;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		close(saved);
		goto fail;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		r = -errno;
	if (setns(saved, CLONE_NEWNET) < 0 && r == 0)
		r = -errno;
	close(saved);
	if (r < 0)
		goto fail;
	return 0;
fail:
	umount2(path, MNT_DETACH);
	unlink(path);
	return r;
}

int netns_delete(const char *name) {
	char path[PATH_MAX];
	int r = netns_path(name, path, sizeof(path));

	if (r < 0)
		return r;
	if (access(path, F_OK) < 0)
		return -errno;
	/* the file may be a stale one that is no longer a mount point */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

static int cmp_str(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_free(char **v) {
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int netns_list(char ***ret) {
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	if (!d) {
		if (errno != ENOENT)
			return -errno;
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		*ret = v;
		return 0;
	}
	while ((de = readdir(d))) {
		char **nv;

		if (!netns_name_valid(de->d_name))
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto oom;
		v[++n] = NULL;
	}
	closedir(d);
	if (!v && !(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	return 0;
oom:
	closedir(d);
	if (v) {
		v[n] = NULL;
		strv_free(v);
	}
	return -ENOMEM;
}

int netns_enter_fd(int fd, int *ret_saved_fd) {
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), r;

	if (saved < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(saved);
		return r;
	}
	*ret_saved_fd = saved;
	return 0;
}

int netns_enter(const char *name, int *ret_saved_fd) {
	int fd, r;

	r = start_fd_init();
	if (r < 0)
		return r;
	fd = netns_open(name);
	if (fd < 0)
		return fd;
	r = netns_enter_fd(fd, ret_saved_fd);
	close(fd);
	return r;
}

int netns_leave(int saved_fd) {
	int r = 0;

	if (saved_fd < 0)
		return -EBADF;
	if (setns(saved_fd, CLONE_NEWNET) < 0)
		r = -errno;
	close(saved_fd);
	return r;
}

int netns_run(const char *name, int (*fn)(void *data), void *data) {
	int saved = -1, r, q;

	r = netns_enter(name, &saved);
	if (r < 0)
		return r;
	r = fn(data);
	q = netns_leave(saved);
	return r < 0 ? r : (q < 0 ? q : r);
}
