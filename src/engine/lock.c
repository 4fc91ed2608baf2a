/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
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

/* Whether a process of the effective user other than this one holds the
 * flock(2) of the file dev:ino: /proc/locks names only the process that
 * took a lock, while every process that shares its open file (a child
 * forked after it, such as the waiting process of `apply --confirm`)
 * holds it, and that pid may since have gone to another user.  The
 * fdinfo of a descriptor lists the locks held through its open file. */
static bool own_holder(dev_t dev, ino_t ino, const char *want) {
	DIR *proc = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!proc)
		return true;    /* cannot tell: never replace a lock that may be root's */
	while (!found && (de = readdir(proc))) {
		char path[PATH_MAX];
		struct stat ps, fs;
		DIR *fds;
		struct dirent *fe;
		int pid = atoi(de->d_name);

		if (pid <= 0 || pid == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &ps) < 0 || ps.st_uid != geteuid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (fe = readdir(fds))) {
			_cleanup_fclose_ FILE *f = NULL;
			char line[256];

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			if (stat(path, &fs) < 0 || fs.st_dev != dev || fs.st_ino != ino)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fe->d_name);
			f = fopen(path, "re");
			while (f && fgets(line, sizeof(line), f))
				/* "lock:\t1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF" */
				if (strncmp(line, "lock:", 5) == 0 && strstr(line, " FLOCK ") && strstr(line, want)) {
					found = true;
					break;
				}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/* A process of another user than the effective one that holds an
 * flock(2) on the file of fd (/proc/locks), and no process of the
 * effective user holds it with it; -ENOENT when there is none. */
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
		/* that pid took the lock, or has the number of one that did */
		strncat(want, " ", sizeof(want) - strlen(want) - 1);
		if (own_holder(st.st_dev, st.st_ino, want))
			return -ENOENT;
		*ret_pid = pid;
		*ret_uid = ps.st_uid;
		return 0;
	}
	return -ENOENT;
}

/* Whether path names the file open as fd: 1, 0 (another file, or none), -errno. */
static int same_file(const char *path, int fd) {
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		return -errno;
	if (lstat(path, &b) < 0)
		return errno == ENOENT ? 0 : -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Let *fd go and open the file path names now. */
static int reopen(const char *path, int *fd) {
	close(*fd);
	*fd = -1;
	return lock_open(path, fd);
}

int lock_try(const char *path, int *fd) {
	pid_t pid;
	uid_t uid;
	int r;

	/* a lock on a file path no longer names locks nothing: the file of
	 * a descriptor kept open (watch's) may have been replaced since */
	for (int tries = 0; tries < 8; tries++) {
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0) {
			r = same_file(path, *fd);
			if (r > 0)
				return 0;
			flock(*fd, LOCK_UN);
			if (r < 0)
				return r;
			r = reopen(path, fd);
			if (r < 0)
				return r;
			continue;
		}
		if (errno != EWOULDBLOCK)
			return -errno;
		r = same_file(path, *fd);
		if (r < 0)
			return r;
		if (r == 0) {
			r = reopen(path, fd);
			if (r < 0)
				return r;
			continue;
		}
		if (foreign_holder(*fd, &pid, &uid) < 0)
			return -EBUSY;
		/* A user other than root holds it, through a descriptor opened
		 * while the file was open to all (as hanet made it, 0644): flock()
		 * works on a read-only one.  A new file takes its place, which that
		 * user cannot open; the old one locks nothing now.  Only that
		 * file: one another run put in its place meanwhile stays. */
		log_warning("%s is held by pid %d of uid %u, not root: replaced by a new lock file that only root can open",
		            path, (int)pid, (unsigned)uid);
		if (same_file(path, *fd) > 0 && unlink(path) < 0 && errno != ENOENT)
			return -errno;
		r = reopen(path, fd);
		if (r < 0)
			return r;
	}
	return -EBUSY;
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
