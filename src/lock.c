/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lock.h"
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

int lock_take_file(const char *path, uint64_t timeout_us, uint64_t poll_us, int *ret_fd, int *ret_holder) {
	uint64_t deadline = now_us() + timeout_us;
	char buf[32];
	int fd, r;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
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
	int r = mkdir_p(HANET_RUN_DIR, 0755);

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
