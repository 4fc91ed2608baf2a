/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "owner.h"
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
	for (int attempt = 0;; attempt++) {
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
		if (!(st.st_mode & 077)) {
			*ret_fd = fd;
			return 0;
		}
		/* Others could open it (as an older hanet made it, 0644): one
		 * may hold it open, and flock() works on a read-only descriptor.
		 * A new file takes its place; the old one locks nothing. */
		close(fd);
		if (attempt > 0) {
			log_error("%s: cannot make it private (mode %04o)", path, (unsigned)(st.st_mode & 07777));
			return -EPERM;
		}
		log_warning("%s had mode %04o: replaced by a new lock file of mode 0600, which only root can take", path,
		            (unsigned)(st.st_mode & 07777));
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
}

int lock_take_file(const char *path, uint64_t timeout_us, uint64_t poll_us, int *ret_fd, int *ret_holder) {
	uint64_t deadline = now_us() + timeout_us;
	char buf[32];
	int fd, r;

	r = lock_open(path, &fd);
	if (r < 0)
		return r;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK) {
			r = -errno;
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
