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

/* The real and effective uid of a process, from the Uid: line of
 * /proc/PID/status.  The owner of /proc/PID says neither: it is the
 * effective uid, or root for a process that made itself not dumpable
 * (prctl PR_SET_DUMPABLE, or one that changed its uids), which any user
 * can do to look like root here. */
static int proc_uids(int pid, uid_t *ret_ruid, uid_t *ret_euid) {
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[256];
	unsigned ruid, euid;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u", &ruid, &euid) == 2) {
			*ret_ruid = ruid;
			*ret_euid = euid;
			return 0;
		}
	return -EBADMSG;
}

/* Whether process pid runs as the effective user of this one, real and
 * effective: 1, 0 (another user), -errno (gone, cannot tell). */
static int proc_is_own(int pid, uid_t *ret_uid) {
	uid_t ruid, euid, me = geteuid();
	int r = proc_uids(pid, &ruid, &euid);

	if (r < 0)
		return r;
	if (ret_uid)
		*ret_uid = euid != me ? euid : ruid;
	return ruid == me && euid == me;
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
		struct stat fs;
		DIR *fds;
		struct dirent *fe;
		int pid = atoi(de->d_name);

		if (pid <= 0 || pid == (int)getpid() || proc_is_own(pid, NULL) <= 0)
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
		char type[16], dev[64];
		int pid;
		uid_t uid;

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF" */
		if (sscanf(line, "%*s %15s %*s %*s %d %63s", type, &pid, dev) != 3 || strcmp(type, "FLOCK") != 0 ||
		    strcmp(dev, want) != 0 || pid <= 0)
			continue;
		/* gone (a lock outlives its taker in a child) or ours */
		if (proc_is_own(pid, &uid) != 0)
			continue;
		/* that pid took the lock, or has the number of one that did */
		strncat(want, " ", sizeof(want) - strlen(want) - 1);
		if (own_holder(st.st_dev, st.st_ino, want))
			return -ENOENT;
		*ret_pid = pid;
		*ret_uid = uid;
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

/* The guard of a lock file: path.guard, a file only root ever had open
 * (hanet makes it 0600, in a directory of mode 0700).  Taking a lock
 * holds it shared; replacing a lock file another user holds holds it
 * alone.  Without it, that user may let go between the check and the
 * unlink, another run take the old file meanwhile and believe it holds
 * the lock, while this one takes the new file.
 *
 * A run holds the guard only for the moment it takes the lock (or
 * replaces its file), whether or not it gets the lock: the guard busy
 * says nothing of who holds the lock.  So it is waited for, a bounded
 * time (GUARD_WAIT_US), not taken for a holder at once: a run that found
 * the guard busy used to report "another hanet run holds the lock" while
 * none did. */
#define GUARD_WAIT_US (500 * 1000ull)
#define GUARD_POLL_US (2 * 1000ull)

static int guard_take(const char *path, int op, int *ret_fd) {
	char gpath[PATH_MAX];
	int fd = -1, r;         /* lock_open() sets it when it returns 0 */
	uint64_t deadline;

	if ((size_t)snprintf(gpath, sizeof(gpath), "%s.guard", path) >= sizeof(gpath))
		return -ENAMETOOLONG;
	r = lock_open(gpath, &fd);
	if (r < 0)
		return r;
	deadline = now_us() + GUARD_WAIT_US;
	while (flock(fd, op | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (r != -EBUSY || now_us() >= deadline) {
			close(fd);
			return r;
		}
		sleep_us(GUARD_POLL_US);
	}
	*ret_fd = fd;
	return 0;
}

/* One try at the lock of *fd, with the guard held: 0 (taken), -EAGAIN
 * (path names another file now, *fd is that one's: try again), 1 (held,
 * and replace is false), -EBUSY (held by a process of the effective
 * user), -errno.  With replace (the guard held alone), a lock file that
 * another user holds is unlinked and *fd opens the new one.  A lock file
 * that can be taken is never unlinked. */
static int take_once(const char *path, int *fd, bool replace) {
	pid_t pid;
	uid_t uid;
	int r;

	if (flock(*fd, LOCK_EX | LOCK_NB) == 0) {
		r = same_file(path, *fd);
		if (r > 0)
			return 0;
		flock(*fd, LOCK_UN);
		if (r < 0)
			return r;
		goto reopen;
	}
	if (errno != EWOULDBLOCK)
		return -errno;
	r = same_file(path, *fd);
	if (r < 0)
		return r;
	if (r == 0)
		goto reopen;
	if (!replace)
		return 1;
	if (foreign_holder(*fd, &pid, &uid) < 0)
		return -EBUSY;
	/* A user other than root holds it, through a descriptor opened
	 * while the file was open to all (as hanet made it, 0644): flock()
	 * works on a read-only one.  A new file takes its place, which that
	 * user cannot open; the old one locks nothing now. */
	log_warning("%s is held by pid %d of uid %u, not root: replaced by a new lock file that only root can open",
	            path, (int)pid, (unsigned)uid);
#ifdef HANET_TEST_HOOKS
	/* the test build widens the window between the check and the
	 * unlink, in which that holder may let go (tests/netns/lock-holder.sh) */
	uint64_t delay;
	const char *s = getenv("HANET_LOCK_REPLACE_DELAY_US");

	if (s && parse_u64(s, &delay) == 0)
		sleep_us(delay);
#endif
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
reopen:
	r = reopen(path, fd);
	return r < 0 ? r : -EAGAIN;
}

int lock_try(const char *path, int *fd) {
	pid_t pid;
	uid_t uid;
	int r;

	/* a lock on a file path no longer names locks nothing: the file of
	 * a descriptor kept open (watch's) may have been replaced since */
	for (int tries = 0; tries < 8; tries++) {
		_cleanup_close_ int shared = -1, alone = -1;

		r = guard_take(path, LOCK_SH, &shared);
		if (r < 0)
			return r;
		r = take_once(path, fd, false);
		if (r == -EAGAIN)
			continue;
		if (r != 1)
			return r;
		/* held: by another user?  Looked at without the guard (a
		 * look through /proc takes milliseconds), and again with it
		 * held alone before anything is replaced */
		closep(&shared);
		shared = -1;
		if (foreign_holder(*fd, &pid, &uid) < 0)
			return -EBUSY;
		r = guard_take(path, LOCK_EX, &alone);
		if (r < 0)
			return r;
		r = take_once(path, fd, true);
		if (r != -EAGAIN)
			return r;
	}
	return -EBUSY;
}

int lock_take_file(const char *path, uint64_t timeout_us, uint64_t poll_us, int *ret_fd, int *ret_holder) {
	uint64_t deadline = now_us() + timeout_us;
	char buf[32];
	int fd = -1, r;         /* lock_open() sets it when it returns 0 */

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
