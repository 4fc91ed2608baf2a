/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "paths.h"
#include "util.h"

static int holder_pid(int fd) {
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

int lock_open(const char *path, int *ret_fd) {
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600), r;

	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP) {
			log_error("%s is a symbolic link: hanet's lock is a file of its own; remove it", path);
			return -EPERM;
		}
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		log_error("%s is %s owned by uid %u, not a file of uid %u (hanet): another user could hold "
		          "hanet's lock; remove it", path, file_type_name(st.st_mode), (unsigned)st.st_uid,
		          (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		if (fchmod(fd, 0600) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		log_warning("%s had mode %04o: made it 0600, only root may take hanet's locks", path,
		            (unsigned)(st.st_mode & 07777));
	}
	*ret_fd = fd;
	return 0;
}

/* A process of another user than the effective one that holds an
 * flock(2) on the file of fd (/proc/locks); -ENOENT when there is none. */
static int foreign_holder(int fd, pid_t *ret_pid, uid_t *ret_uid) {
	_cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
	char line[256], want[64];
	struct stat st;

	if (!f || fstat(fd, &st) < 0)
		return -ENOENT;
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
	         (unsigned long long)st.st_ino);
	while (fgets(line, sizeof(line), f)) {
		char type[16], dev[64], proc[64];
		int pid;
		struct stat ps;

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF" */
		if (sscanf(line, "%*s %15s %*s %*s %d %63s", type, &pid, dev) != 3 || strcmp(type, "FLOCK") != 0 ||
		    strcmp(dev, want) != 0 || pid <= 0)
			continue;
		snprintf(proc, sizeof(proc), "/proc/%d", pid);
		if (stat(proc, &ps) < 0 || ps.st_uid == geteuid())
			continue;
		*ret_pid = pid;
		*ret_uid = ps.st_uid;
		return 0;
	}
	return -ENOENT;
}

int lock_try(const char *path, int *fd) {
	pid_t pid;
	uid_t uid;
	int r;

	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	if (foreign_holder(*fd, &pid, &uid) < 0)
		return -EBUSY;
	/* A user other than root holds it, through a descriptor opened
	 * while the file was open to all (as hanet made it, 0644): flock()
	 * works on a read-only one.  A new file takes its place, which that
	 * user cannot open; the old one locks nothing now. */
	log_warning("%s is held by pid %d of uid %u, not root: replaced by a new lock file that only root can open",
	            path, (int)pid, (unsigned)uid);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	close(*fd);
	*fd = -1;
	r = lock_open(path, fd);
	if (r < 0)
		return r;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? -EBUSY : -errno;
}

int lock_take_file(const char *path, uint64_t timeout_us, uint64_t poll_us, int *ret_fd, int *ret_holder) {
	uint64_t deadline = now_us() + timeout_us;
	char buf[32];
	int fd, r;

	r = lock_open(path, &fd);
	if (r < 0)
		return r;
	for (;;) {
		r = lock_try(path, &fd);
		if (r == 0)
			break;
		if (r != -EBUSY) {
			if (fd >= 0)
				close(fd);
			return r;
		}
		if (now_us() >= deadline) {
			if (ret_holder)
				*ret_holder = holder_pid(fd);
			close(fd);
			return -EBUSY;
		}
		sleep_us(poll_us);
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, strlen(buf), 0) < 0) {
		/* the pid is only for messages */
	}
	*ret_fd = fd;
	return 0;
}

int lock_take(uint64_t timeout_us, int *ret_fd, int *ret_holder) {
	int r = private_dir(HANET_RUN_DIR, HANET_RUN_DIR, NULL);

	if (r < 0)
		return r;
	return lock_take_file(HANET_LOCK_PATH, timeout_us, 20000, ret_fd, ret_holder);
}

void lock_release(int fd) {
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0) {
		/* only the message of a waiting run suffers */
	}
	flock(fd, LOCK_UN);
	close(fd);
}
