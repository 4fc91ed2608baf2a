/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Take a lock file (lock.h) COUNT times, as hanet's runs do, and check
 * that nobody else is inside while this process holds it: each time, a
 * directory MARK is made (mkdir fails when it exists: another holder is
 * inside) and removed again after HOLD_US.
 *
 *   lock-race PATH MARK COUNT HOLD_US [START]
 *
 * With START (a FIFO), the first take waits until a writer opens it: the
 * racers of a test start together.
 * Exit 0 when every take was alone, 2 when another holder was inside
 * (printed), 1 on any other error.  A take waits up to 10 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

int main(int argc, char **argv) {
	unsigned long count, hold_us;
	int fd, r;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: lock-race PATH MARK COUNT HOLD_US [START]\n");
		return 1;
	}
	count = strtoul(argv[3], NULL, 10);
	hold_us = strtoul(argv[4], NULL, 10);
	if (argc == 6) {
		int start = open(argv[5], O_RDONLY | O_CLOEXEC);

		if (start < 0) {
			fprintf(stderr, "lock-race: %s: %s\n", argv[5], strerror(errno));
			return 1;
		}
		close(start);
	}
	for (unsigned long i = 0; i < count; i++) {
		r = lock_take_file(argv[1], 10 * 1000000ull, 1000, &fd, NULL);
		if (r < 0) {
			fprintf(stderr, "lock-race %d: take %lu: %s\n", (int)getpid(), i, strerror(-r));
			return 1;
		}
		if (mkdir(argv[2], 0700) < 0) {
			fprintf(stderr, "lock-race %d: take %lu: %s: %s: two holders at once\n", (int)getpid(), i,
			        argv[2], strerror(errno));
			return 2;
		}
		sleep_us(hold_us);
		if (rmdir(argv[2]) < 0) {
			fprintf(stderr, "lock-race %d: rmdir %s: %s\n", (int)getpid(), argv[2], strerror(errno));
			return 1;
		}
		lock_release(fd);
	}
	return 0;
}
