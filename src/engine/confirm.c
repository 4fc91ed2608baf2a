/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pending change (apply --confirm): its journal on disk, the waiting
 * process, `hanet confirm`, and the rollback of a change whose process
 * is gone.  See confirm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "confirm.h"
#include "journal-file.h"
#include "lock.h"
#include "log.h"
#include "netns.h"
#include "hnl.h"
#include "owner.h"
#include "plan.h"
#include "observe.h"
#include "util.h"

struct confirm {
	char profile[HANET_NAME_MAX + 1];
	char path[PATH_MAX];
	uint8_t id[JFILE_ID_SIZE];
	int fd;                             /* the journal, once written */
	struct apply_hook hook;
};

/* ---- small things ------------------------------------------------------------------------ */

static int confirm_path(const char *profile, const char *ext, char *buf, size_t size) {
	if (!profile[0] || strchr(profile, '/') || profile[0] == '.')
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s.%s", HANET_CONFIRM_DIR, profile, ext) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static uint64_t boottime_ns(void) {
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A process's start time (clock ticks after boot, field 22 of
 * /proc/PID/stat): with the pid, it names one process for good. */
static int proc_start_time(pid_t pid, uint64_t *ret) {
	char path[64], buf[1024], *p;
	unsigned long long start;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	/* ") S ppid ..." : field 3 is the state; 22 the start time */
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	if (sscanf(p, " %llu", &start) != 1)
		return -EBADMSG;
	*ret = start;
	return 0;
}

static void id_hex(const uint8_t *id, char *buf) {
	for (size_t i = 0; i < JFILE_ID_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", id[i]);
}

static int fsync_dir(const char *dir) {
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void journal_remove(const char *path) {
	if (unlink(path) == 0)
		fsync_dir(HANET_CONFIRM_DIR);
}

/* The outcome of a change: a line for humans, and one for `hanet confirm`. */
static void outcome_write(const char *profile, const uint8_t *id, const char *word, const char *fmt, ...)
	_printf_(4, 5);
static void outcome_write(const char *profile, const uint8_t *id, const char *word, const char *fmt, ...) {
	char path[PATH_MAX], line[2048], hex[2 * JFILE_ID_SIZE + 1];
	va_list ap;
	int n;

	if (confirm_path(profile, "log", path, sizeof(path)) < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 100, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 100)
		n = (int)sizeof(line) - 100;
	id_hex(id, hex);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "\nchange %s %s\n", hex, word);
	write_file_atomic(path, line, (size_t)n, 0600);
}

/* The outcome of change id: "confirmed", "rolled-back", ..., or NULL. */
static const char *outcome_read(const char *profile, const uint8_t *id, char *human, size_t size) {
	static const char *const words[] = { "confirmed", "rolled-back", "rollback-failed" };
	char path[PATH_MAX], buf[4096], want[2 * JFILE_ID_SIZE + 16], *nl;
	ssize_t n;
	int fd;

	if (confirm_path(profile, "log", path, sizeof(path)) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (!nl)
		return NULL;
	*nl = '\0';
	if (strlen(buf) >= size)
		buf[size - 1] = '\0';
	memcpy(human, buf, strlen(buf) + 1);
	memcpy(want, "change ", 7);
	if (id)
		id_hex(id, want + 7);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		const char *p = strstr(nl + 1, words[i]);

		if (p && (!id || strncmp(nl + 1, want, 7 + 2 * JFILE_ID_SIZE) == 0))
			return words[i];
	}
	return NULL;
}

/* ---- the journal while applying ---------------------------------------------------------- */

static int hook_begin(void *data, const struct plan *p, const struct apply_records *rec) {
	struct confirm *c = data;
	struct jfile_head h = { .pid = (int32_t)getpid(), .created_ns = boottime_ns() };
	int r;

	snprintf(h.profile, sizeof(h.profile), "%s", c->profile);
	memcpy(h.id, c->id, JFILE_ID_SIZE);
	r = proc_start_time(getpid(), &h.start);
	if (r < 0)
		return r;
	r = private_dir(HANET_RUN_DIR, HANET_CONFIRM_DIR, NULL);
	if (r < 0)
		return r;
	return jfile_create(c->path, &h, p, rec, &c->fd);
}

static int hook_event(void *data, enum apply_event ev, size_t step, const struct action *a, const uint8_t *ok,
                      const uint8_t *old_mac) {
	struct confirm *c = data;

	if (c->fd < 0)
		return 0;
	return jfile_append_event(c->fd, ev, step, ok, a->n_routes, old_mac);
}

int confirm_new(const char *profile, struct confirm **ret) {
	struct confirm *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->fd = -1;
	snprintf(c->profile, sizeof(c->profile), "%s", profile);
	r = confirm_path(profile, "journal", c->path, sizeof(c->path));
	if (r >= 0 && getrandom(c->id, sizeof(c->id), 0) != (ssize_t)sizeof(c->id))
		r = -errno;
	if (r < 0) {
		free(c);
		return r;
	}
	c->hook = (struct apply_hook){ .begin = hook_begin, .event = hook_event, .data = c };
	*ret = c;
	return 0;
}

const struct apply_hook *confirm_hook(struct confirm *c) { return &c->hook; }

void confirm_abandon(struct confirm *c) {
	if (!c || c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	journal_remove(c->path);
}

void confirm_free(struct confirm *c) {
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* ---- the waiting process ------------------------------------------------------------------- */

/* Whether the journal at path is still the one of change id. */
static bool journal_is(const char *path, const uint8_t *id) {
	struct jfile *j = NULL;
	char err[256];
	bool r;

	if (jfile_read(path, &j, err, sizeof(err)) < 0)
		return false;
	r = memcmp(j->head.id, id, JFILE_ID_SIZE) == 0;
	jfile_free(j);
	return r;
}

/* Whether the process that settles the change of j is alive: its waiting
 * process, or before it the one applying it (pid and start time). */
static bool change_alive(const struct jfile *j) {
	pid_t pid = j->waiting ? j->waiter_pid : j->head.pid;
	/* start is written when proc_start_time() returns 0 (clang 14's
	 * analyzer cannot tell that neg_errno() never does) */
	uint64_t want = j->waiting ? j->waiter_start : j->head.start, start = 0;

	return pid > 0 && proc_start_time(pid, &start) == 0 && start == want;
}

int confirm_wait_background(struct confirm *c, uint64_t timeout_us, struct apply *ap) {
	char buf[32];
	int ready[2];
	pid_t pid;
	int r;

	if (c->fd < 0)
		return -EBADF;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	if (pid == 0) {
		struct timespec ts;
		uint64_t start, deadline = boottime_ns() + timeout_us * 1000;
		sigset_t set;
		char err[1024];
		int sig, fd;

		close(ready[0]);
		setsid();
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (proc_start_time(getpid(), &start) < 0 ||
		    jfile_append_waiter(c->fd, (int32_t)getpid(), start, deadline) < 0)
			_exit(3);
		if (write(ready[1], "1", 1) < 0)
			_exit(3);
		close(ready[1]);
		/* no terminal to hold: a $(hanet apply ...) must not wait for us */
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			if (!isatty(STDERR_FILENO))
				dup2(fd, STDERR_FILENO);
			close(fd);
		}
		/* interrupted (stopped and continued, say): the rest of the
		 * time to the deadline, not the whole timeout again */
		for (;;) {
			uint64_t now = boottime_ns(), left = now < deadline ? deadline - now : 0;

			ts = (struct timespec){ .tv_sec = (time_t)(left / 1000000000ull),
			                        .tv_nsec = (long)(left % 1000000000ull) };
			sig = sigtimedwait(&set, NULL, &ts);
			if (sig >= 0 || errno != EINTR)
				break;
		}
		/* the change still ours to settle: its journal on disk, of this
		 * change (another run may have settled it meanwhile) */
		if (!journal_is(c->path, c->id))
			_exit(0);
		if (sig == SIGUSR1) {
			journal_remove(c->path);
			outcome_write(c->profile, c->id, "confirmed", "%s: confirmed: the change is kept", c->profile);
			_exit(0);
		}
		r = apply_rollback(ap, err, sizeof(err));
		journal_remove(c->path);
		if (r < 0) {
			outcome_write(c->profile, c->id, "rollback-failed",
			              "%s: not confirmed in time; rolling back failed: %s", c->profile, err);
			fprintf(stderr, "hanet: %s: not confirmed in time; rolling back failed: %s\n", c->profile, err);
			_exit(3);
		}
		outcome_write(c->profile, c->id, "rolled-back", "%s: not confirmed in time: rolled back", c->profile);
		fprintf(stderr, "hanet: %s: not confirmed in time: rolled back\n", c->profile);
		_exit(0);
	}
	close(ready[1]);
	r = (int)read(ready[0], buf, 1);
	close(ready[0]);
	if (r != 1) {
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	/* the waiting process writes the journal from now on */
	close(c->fd);
	c->fd = -1;
	printf("%s: run `hanet confirm %s` within %.1fs to keep this change, or it is rolled back (pid %d)\n",
	       c->profile, c->profile, (double)timeout_us / 1e6, (int)pid);
	fflush(stdout);
	return 0;
}

/* ---- rolling back from the journal ------------------------------------------------------------ */

struct undo_log {
	int fd;
	struct apply_hook hook;
};

static int undo_event(void *data, enum apply_event ev, size_t step, const struct action *a, const uint8_t *ok,
                      const uint8_t *old_mac) {
	struct undo_log *u = data;

	(void)ok;
	(void)old_mac;
	(void)a;
	return u->fd < 0 ? 0 : jfile_append_event(u->fd, ev, step, NULL, 0, NULL);
}

/* Roll back a change read from its journal; err says what failed. */
static int rollback_journal(const char *path, const struct jfile *j, char *err, size_t errsize) {
	struct undo_log u = { .fd = -1 };
	struct owner *o = NULL;
	struct apply *ap = NULL;
	struct nls *nls = NULL;
	int r;

	r = nls_new(&nls);
	if (r >= 0)
		r = owner_new_empty(j->head.profile, &o);
	if (r >= 0)
		r = apply_new(nls, o, &ap);
	if (r >= 0)
		r = apply_adopt_records(ap, &j->rec);
	for (size_t i = 0; r >= 0 && i < j->n_actions; i++) {
		const struct jfile_step *s = &j->steps[i];

		if (s->state == JSTEP_NONE || s->state == JSTEP_UNDONE)
			continue;
		r = apply_adopt_step(ap, i, &j->actions[i], s->ok, s->old_mac_read ? s->old_mac : NULL,
		                     s->state != JSTEP_DONE);
	}
	if (r < 0) {
		snprintf(err, errsize, "%s", strerror(-r));
		goto out;
	}
	/* the undo's own progress, for a run killed in the middle of it */
	if (jfile_open_append(path, &u.fd) < 0)
		u.fd = -1;
	u.hook = (struct apply_hook){ .event = undo_event, .data = &u };
	apply_set_hook(ap, &u.hook);
	r = apply_rollback(ap, err, errsize);
out:
	if (u.fd >= 0)
		close(u.fd);
	apply_free(ap);
	owner_free(o);
	nls_free(nls);
	return r;
}

static int run_lock_try(int *ret_fd) {
	int holder;

	return lock_take(0, ret_fd, &holder);
}

/* The pending change of one profile, with the lock held (its process is
 * gone): keep it (confirm before the deadline) or roll it back. */
static int settle(const char *cmd, const char *profile, bool keep, char *what, size_t size) {
	char path[PATH_MAX], err[1024], bad[PATH_MAX + 8];
	struct jfile *j = NULL;
	int r;

	r = confirm_path(profile, "journal", path, sizeof(path));
	if (r < 0)
		return r;
	r = jfile_read(path, &j, err, sizeof(err));
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		/* nothing can undo it: out of the way, said once */
		snprintf(bad, sizeof(bad), "%s.bad", path);
		rename(path, bad);
		log_error("%s: %s: the journal of a change not confirmed cannot be read: %s; moved to %s, "
		          "the change is NOT rolled back (found by `hanet %s`)", profile, path, err, bad, cmd);
		if (what)
			snprintf(what, size, "its journal cannot be read: %s", err);
		return -EBADMSG;
	}
	/* whoever holds the lock, a live process of the change settles it */
	if (change_alive(j)) {
		jfile_free(j);
		return -EBUSY;
	}
	if (keep && j->waiting && boottime_ns() < j->deadline_ns) {
		journal_remove(path);
		outcome_write(profile, j->head.id, "confirmed",
		              "%s: confirmed: the change is kept (its waiting process was gone)", profile);
		jfile_free(j);
		return 0;
	}
	r = rollback_journal(path, j, err, sizeof(err));
	journal_remove(path);
	if (r < 0) {
		outcome_write(profile, j->head.id, "rollback-failed", "%s: not confirmed, its process gone; rolling back failed: %s",
		              profile, err);
		log_error("%s: the change of `hanet apply --confirm` (pid %d) was not confirmed and its process is gone; "
		          "rolling it back (before `hanet %s`) failed: %s", profile, (int)j->head.pid, cmd, err);
		if (what)
			snprintf(what, size, "rolling back failed: %s", err);
	} else {
		outcome_write(profile, j->head.id, "rolled-back", "%s: not confirmed, its process gone: rolled back", profile);
		log_warning("%s: the change of `hanet apply --confirm` (pid %d) was not confirmed and %s: rolled back "
		            "(before `hanet %s`)", profile, (int)(j->waiting ? j->waiter_pid : j->head.pid),
		            j->waiting && boottime_ns() >= j->deadline_ns ? "its deadline passed without its waiting process"
		            : j->waiting ? "its waiting process is gone" : "the process applying it is gone", cmd);
		if (what)
			snprintf(what, size, "%s", !j->waiting ? "the process applying it was gone: rolled back"
			                           : boottime_ns() >= j->deadline_ns
			                               ? "its deadline passed without its waiting process: rolled back"
			                               : "its waiting process was gone: rolled back");
	}
	jfile_free(j);
	return r < 0 ? r : 1;
}

int confirm_pending(char ***ret) {
	return dir_list_suffix(HANET_CONFIRM_DIR, ".journal", ret);
}

int confirm_recover(int lock_fd, const char *cmd) {
	char **pending = NULL;
	int r, fd = -1, n = 0, first = 0;

	r = confirm_pending(&pending);
	if (r < 0)
		return 0;
	if (!pending[0]) {
		strv_free(pending);
		return 0;
	}
	if (lock_fd < 0) {
		r = run_lock_try(&fd);
		if (r < 0) {
			/* a run holds the lock: alive, it is the change's own
			 * process or one that recovers it */
			strv_free(pending);
			return 0;
		}
	}
	for (char **p = pending; *p; p++) {
		r = settle(cmd, *p, false, NULL, 0);
		if (r > 0)
			n++;
		else if (r < 0 && r != -EBUSY && !first)
			first = r;
	}
	strv_free(pending);
	if (fd >= 0)
		lock_release(fd);
	return first < 0 ? first : n;
}

/* ---- hanet confirm ------------------------------------------------------------------------ */

static int pidfd_open_(pid_t pid) {
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int pidfd_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* A pidfd of the waiting process the journal names, if it is still that
 * process (same start time), else -ESRCH: never a recycled pid. */
static int waiter_pidfd(const struct jfile *j) {
	uint64_t start = 0;
	int fd = pidfd_open_(j->waiter_pid);

	if (fd < 0)
		return -errno == -ENOSYS ? -ENOSYS : -ESRCH;
	/* the pidfd holds the process: if it is alive now, /proc/PID is it */
	if (proc_start_time(j->waiter_pid, &start) < 0 || start != j->waiter_start || pidfd_signal(fd, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int confirm_send(const char *profile, char *what, size_t size) {
	char path[PATH_MAX], err[1024], human[1024];
	uint64_t give_up = now_us() + 5 * 1000000ull;
	struct jfile *j = NULL;
	const char *word;
	int r, lock_fd = -1, pidfd = -1;

	what[0] = '\0';
	r = confirm_path(profile, "journal", path, sizeof(path));
	if (r < 0)
		return r;
	for (;;) {
		jfile_free(j);
		j = NULL;
		r = jfile_read(path, &j, err, sizeof(err));
		if (r == -ENOENT) {
			/* the last change of this profile, when it was rolled back */
			word = outcome_read(profile, NULL, human, sizeof(human));
			if (word && strcmp(word, "confirmed") != 0) {
				snprintf(what, size, "%s", human);
				return -ETIME;
			}
			return -ENOENT;
		}
		if (r < 0 && r != -EBADMSG) {
			snprintf(what, size, "%s: %s", path, err);
			return r;
		}
		/* a live waiting process settles it, whoever holds the lock */
		if (r == 0 && j->waiting) {
			pidfd = waiter_pidfd(j);
			if (pidfd >= 0)
				break;
		}
		/* the lock free: the change's process is gone */
		if (run_lock_try(&lock_fd) == 0) {
			r = settle("confirm", profile, true, what, size);
			lock_release(lock_fd);
			if (r != -EBUSY) {
				jfile_free(j);
				if (r == 0)
					return 0;
				return r > 0 ? -ETIME : r;
			}
		} else if (r < 0) {
			snprintf(what, size, "%s: %s", path, err);
			return r;
		}
		/* still being applied, or its process just went: try again */
		if (now_us() > give_up) {
			snprintf(what, size, "%s", j->waiting ? "its waiting process is gone but another run holds the lock"
			                                      : "it is still being applied");
			jfile_free(j);
			return -EBUSY;
		}
		sleep_us(20000);
	}
	if (pidfd_signal(pidfd, SIGUSR1) < 0) {
		r = -errno;
		close(pidfd);
		jfile_free(j);
		return r;
	}
	/* the process ends when it has kept or rolled back the change */
	{
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int k;

		do
			k = poll(&pfd, 1, 120 * 1000);
		while (k < 0 && errno == EINTR);
		close(pidfd);
		if (k == 0) {
			snprintf(what, size, "its waiting process (pid %d) did not finish in 120s", (int)j->waiter_pid);
			jfile_free(j);
			return -ETIMEDOUT;
		}
	}
	word = outcome_read(profile, j->head.id, human, sizeof(human));
	jfile_free(j);
	if (word && strcmp(word, "confirmed") == 0)
		return 0;
	snprintf(what, size, "%s", word ? human : "its waiting process ended without saying how");
	return -ETIME;
}
