/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The services of a lab (see service.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "service.h"
#include "util.h"

#define MAX_TMPFS 16
#define READY_POLL_US 10000
#define READY_COMMAND_TIMEOUT_US 5000000ull
#define KILL_WAIT_US 2000000ull

extern char **environ;

struct service {
	const struct service_conf *c;
	pid_t pid;                  /* PID 1 of the service's PID namespace, a reaper
	                             * (its pgid too); 0: stopped */
	int pidfd;                  /* -1 where pidfd_open is missing */
	pid_t main;                 /* the service's command, the reaper's child */
	int main_pidfd;
	char log[PATH_MAX];
};

struct services {
	const struct profile *p;
	char lab[128];
	char self[PATH_MAX];        /* this hanet, as $HANET for the services' scripts */
	char profile_dir[PATH_MAX]; /* the lab profile's directory, as $HANET_PROFILE_DIR */
	char dir[64];               /* the default logs */
	struct service *v;
	size_t n;
	volatile sig_atomic_t *stop;
	int lifeline[2];            /* hanet holds the write end: the services
	                             * see a hangup on the read end when it dies */
};

static bool group_alive(pid_t pgid);

static int pidfd_open_(pid_t pid) {
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int services_new(const struct profile *p, const char *lab, struct services **ret) {
	struct services *s = calloc(1, sizeof(*s));
	ssize_t n;

	if (!s)
		return -ENOMEM;
	s->p = p;
	if (pipe2(s->lifeline, O_CLOEXEC) < 0) {
		free(s);
		return -errno;
	}
	snprintf(s->lab, sizeof(s->lab), "%s", lab ? lab : "");
	n = readlink("/proc/self/exe", s->self, sizeof(s->self) - 1);
	s->self[n > 0 ? n : 0] = '\0';
	if (p->path && realpath(p->path, s->profile_dir)) {
		char *slash = strrchr(s->profile_dir, '/');

		if (slash)
			*(slash == s->profile_dir ? slash + 1 : slash) = '\0';
	}
	s->n = p->n_services;
	s->v = calloc(s->n ? s->n : 1, sizeof(*s->v));
	if (!s->v) {
		close(s->lifeline[0]);
		close(s->lifeline[1]);
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].c = &p->services[i];
		s->v[i].pidfd = -1;
		s->v[i].main_pidfd = -1;
	}
	*ret = s;
	return 0;
}

void services_free(struct services *s) {
	if (!s)
		return;
	services_stop_all(s);
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].c->log && s->v[i].log[0])
			unlink(s->v[i].log);
	if (s->dir[0])
		rmdir(s->dir);
	close(s->lifeline[0]);
	close(s->lifeline[1]);
	free(s->v);
	free(s);
}

void services_set_stop(struct services *s, volatile sig_atomic_t *stop) {
	s->stop = stop;
}

size_t services_count(const struct services *s) {
	return s ? s->n : 0;
}

int services_find(const struct services *s, const char *name) {
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].c->name, name) == 0)
			return (int)i;
	return -ENOENT;
}

const struct service_conf *service_conf(const struct services *s, size_t i) {
	return s->v[i].c;
}

pid_t service_main_pid(const struct services *s, size_t i) {
	return s->v[i].main;
}

/* Reap the main process if it ended: true while it runs. */
static bool main_alive(struct service *sv, int *ret_status) {
	int st;

	if (sv->pid <= 0)
		return false;
	if (waitpid(sv->pid, &st, WNOHANG) == sv->pid) {
		if (ret_status)
			*ret_status = st;
		return false;
	}
	return true;
}

bool service_running(const struct services *s, size_t i) {
	const struct service *sv = &s->v[i];

	return sv->pid > 0 && group_alive(sv->pid);
}

void service_log_tail(const struct services *s, size_t i, char *buf, size_t size) {
	char all[4096];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(s->v[i].log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = lseek(fd, 0, SEEK_END);
	n = pread(fd, all, sizeof(all) - 1, n > (ssize_t)sizeof(all) - 1 ? n - (ssize_t)sizeof(all) + 1 : 0);
	close(fd);
	if (n <= 0)
		return;
	all[n] = '\0';
	while (n > 0 && all[n - 1] == '\n')
		all[--n] = '\0';
	{
		const char *last = strrchr(all, '\n');

		snprintf(buf, size, "%s", last ? last + 1 : all);
	}
}

/* ---- starting --------------------------------------------------------------- */

/* In the child: write a message to its log and end. */
static _Noreturn void child_fail(const char *what, const char *arg) {
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "hanet: service: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
	                 strerror(errno));

	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

static int log_path(struct services *s, struct service *sv) {
	if (sv->c->log) {
		snprintf(sv->log, sizeof(sv->log), "%s", sv->c->log);
		return 0;
	}
	if (!s->dir[0]) {
		snprintf(s->dir, sizeof(s->dir), "/tmp/hanet-services.XXXXXX");
		if (!mkdtemp(s->dir)) {
			s->dir[0] = '\0';
			return -errno;
		}
	}
	snprintf(sv->log, sizeof(sv->log), "%s/%s.log", s->dir, sv->c->name);
	return 0;
}

/* The environment of a service: hanet's, with HANET (unless set),
 * HANET_LAB, HANET_NODE and HANET_SERVICE. */
static char **service_env(struct services *s, const struct service_conf *c) {
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 6, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HANET_LAB=", 10) && strncmp(environ[i], "HANET_NODE=", 11) &&
		    strncmp(environ[i], "HANET_SERVICE=", 14) && strncmp(environ[i], "HANET_PROFILE_DIR=", 18))
			env[k++] = strdup(environ[i]);
	if (!getenv("HANET") && s->self[0] && asprintf(&env[k], "HANET=%s", s->self) >= 0)
		k++;
	if (asprintf(&env[k], "HANET_LAB=%s", s->lab) >= 0)
		k++;
	if (asprintf(&env[k], "HANET_NODE=%s", c->node) >= 0)
		k++;
	if (asprintf(&env[k], "HANET_SERVICE=%s", c->name) >= 0)
		k++;
	if (asprintf(&env[k], "HANET_PROFILE_DIR=%s", s->profile_dir) >= 0)
		k++;
	env[k] = NULL;
	for (size_t i = 0; i < k; i++)
		if (!env[i]) {
			for (size_t j = 0; j < k; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	return env;
}

static void strv_free_(char **v) {
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* fork(2) by the system call, with flags (CLONE_NEWPID): glibc's clone()
 * wants a stack, its fork() no flags.  The child calls only system calls
 * (and what child_fail needs) until it execs. */
static pid_t fork_flags(unsigned long flags) {
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The first child of pid (its command: the reaper's first fork), up to
 * 1 s while it is being forked; 0 when it is not there. */
static pid_t first_child(pid_t pid) {
	uint64_t until = now_us() + 1000000;
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			return (pid_t)atoi(buf);
		}
		if (fd < 0 || now_us() >= until)
			return 0;
		sleep_us(500);
	}
}

/* Run /bin/sh argv as a child and reap whatever ends until it ends, then
 * end with its status.  As PID 1 of a service's PID namespace (spawn()):
 * the kernel then kills every process left in the namespace (daemonized
 * ones too); signals other than SIGKILL and SIGSTOP do not reach a PID 1
 * with no handler, so a SIGTERM to the group is for the command and its
 * children.  As the parent of a command run in a service's namespaces
 * (run_in()): its child, the only process it reaps, is the one of the
 * namespace, and it hands back its status.  The command dies with it. */
static _Noreturn void reaper(char **argv, char **env) {
	pid_t cmd = fork_flags(0);
	sigset_t none;
	int st;

	if (cmd < 0)
		child_fail("fork", NULL);
	if (cmd == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve("/bin/sh", argv, env);
		child_fail("exec", "/bin/sh");
	}
	for (;;) {
		pid_t w = waitpid(-1, &st, 0);

		if (w == cmd)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		if (w < 0 && errno != EINTR)
			_exit(127);
	}
}

/* In a child that runs a service's command: it dies with hanet, reads
 * /dev/null, writes its output to out and its errors to the log. */
static void child_stdio(int nullfd, int out, int logfd) {
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (nullfd >= 0)
		dup2(nullfd, STDIN_FILENO);
	if (out >= 0)
		dup2(out, STDOUT_FILENO);
	if (logfd >= 0)
		dup2(logfd, STDERR_FILENO);
}

/* Start service sv; no waiting.  Its process is PID 1 of a PID namespace
 * of its own (reaper()), its command that process's child.  Everything the
 * children need is prepared before the fork: the other threads of hanet
 * measure (prober, timeline) may hold locks they would otherwise wait
 * for. */
static int spawn(struct services *s, struct service *sv, char *err, size_t errsize) {
	const struct service_conf *c = sv->c;
	char *tmpfs_copy = NULL, *dirs[MAX_TMPFS], *save = NULL;
	char *argv[] = { "sh", "-c", c->command, NULL };
	char **env = NULL;
	size_t n_dirs = 0;
	pid_t pid;
	int nsfd = -1, logfd = -1, nullfd = -1, r;

	r = log_path(s, sv);
	if (r < 0) {
		snprintf(err, errsize, "service %s: a directory for its log: %s", c->name, strerror(-r));
		return r;
	}
	if (c->tmpfs) {
		tmpfs_copy = strdup(c->tmpfs);
		if (!tmpfs_copy)
			return -ENOMEM;
		for (char *t = strtok_r(tmpfs_copy, ", \t", &save); t && n_dirs < MAX_TMPFS; t = strtok_r(NULL, ", \t", &save))
			dirs[n_dirs++] = t;
	}
	env = service_env(s, c);
	nsfd = netns_open(c->netns);
	logfd = open(sv->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!env || nsfd < 0 || logfd < 0 || nullfd < 0) {
		r = !env ? -ENOMEM : nsfd < 0 ? nsfd : -errno;
		snprintf(err, errsize, "service %s: %s: %s", c->name,
		         !env ? "its environment" : nsfd < 0 ? "its namespace" : logfd < 0 ? sv->log : "/dev/null",
		         strerror(-r));
		goto out;
	}
	fflush(NULL);
	pid = fork_flags(CLONE_NEWPID);
	if (pid < 0) {
		r = -errno;
		snprintf(err, errsize, "service %s: a process in a PID namespace of its own: %s", c->name, strerror(-r));
		goto out;
	}
	if (pid == 0) {
		struct pollfd gone = { .fd = s->lifeline[0], .events = POLLIN };

		close(s->lifeline[1]);

		/* hanet's signal handlers are not the service's */
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		/* a session and process group of its own: the terminal's ^C is
		 * for hanet, which stops the lab in order */
		setsid();
		/* whether hanet died before the child asked to die with it:
		 * its parent is not visible in its PID namespace, a hangup on
		 * the lifeline is */
		child_stdio(nullfd, logfd, logfd);
		if (poll(&gone, 1, 0) != 0)
			_exit(127);
		close(s->lifeline[0]);
		if (setns(nsfd, CLONE_NEWNET) < 0)
			child_fail("entering netns", c->netns);
		if (c->hostname[0]) {
			if (unshare(CLONE_NEWUTS) < 0)
				child_fail("a UTS namespace", NULL);
			if (sethostname(c->hostname, strlen(c->hostname)) < 0)
				child_fail("sethostname", c->hostname);
		}
		if (c->private_mount) {
			if (unshare(CLONE_NEWNS) < 0)
				child_fail("a mount namespace", NULL);
			if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
				child_fail("making / private", NULL);
			/* the namespace's own /sys, as `ip netns exec` does */
			if (umount2("/sys", MNT_DETACH) == 0)
				mount(c->netns, "/sys", "sysfs", 0, NULL);
			/* and its PID namespace's own /proc: pgrep, pidof and
			 * a daemon's check for a running copy of itself see the
			 * service's processes, with their pids there */
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				child_fail("a /proc of its PID namespace", NULL);
			for (size_t i = 0; i < n_dirs; i++)
				if (mount("tmpfs", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
					child_fail("tmpfs over", dirs[i]);
		}
		reaper(argv, env);
	}
	sv->pid = pid;
	sv->pidfd = pidfd_open_(pid);
	sv->main = first_child(pid);
	sv->main_pidfd = sv->main > 0 ? pidfd_open_(sv->main) : -1;
	log_debug("service %s: started, pid %d, its command %d", c->name, (int)pid, (int)sv->main);
	r = 0;
out:
	if (nsfd >= 0)
		close(nsfd);
	if (logfd >= 0)
		close(logfd);
	if (nullfd >= 0)
		close(nullfd);
	strv_free_(env);
	free(tmpfs_copy);
	return r;
}

/* Run cmd in the namespaces of the main process, at most timeout_us.  1
 * when it exited 0, 0 otherwise, or -errno. */
static int run_in(struct service *sv, const char *cmd, uint64_t timeout_us) {
	/* its PID namespace too: a pid the command reads in the service's
	 * files (a pid file) is one of that namespace, and must not name a
	 * process outside it */
	static const char *const kinds[] = { "net", "uts", "mnt", "pid" };
	static const int types[] = { CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWNS, CLONE_NEWPID };
	int fds[4] = { -1, -1, -1, -1 }, logfd, nullfd, st, r = 0;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	uint64_t until;
	pid_t pid;

	for (size_t i = 0; i < 4; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)sv->pid, kinds[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = -errno;
			goto out;
		}
	}
	/* the namespaces are the service's only if its process 1 still runs
	 * now that they are open: its pid may have been reaped and reused */
	if (sv->pidfd >= 0) {
		struct pollfd gone = { .fd = sv->pidfd, .events = POLLIN };

		if (poll(&gone, 1, 0) != 0) {
			r = -ESRCH;
			goto out;
		}
	}
	logfd = open(sv->log, O_WRONLY | O_APPEND | O_CLOEXEC);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		if (logfd >= 0)
			close(logfd);
		if (nullfd >= 0)
			close(nullfd);
		goto out;
	}
	if (pid == 0) {
		setpgid(0, 0);
		child_stdio(nullfd, nullfd, logfd);
		for (size_t i = 0; i < 4; i++)
			if (setns(fds[i], types[i]) < 0)
				_exit(126);
		/* only a child enters the PID namespace: the command runs in
		 * one, and this process hands back its status */
		reaper(argv, environ);
	}
	if (logfd >= 0)
		close(logfd);
	if (nullfd >= 0)
		close(nullfd);
	until = now_us() + timeout_us;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid) {
			r = WIFEXITED(st) && WEXITSTATUS(st) == 0;
			break;
		}
		if (w < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (now_us() >= until) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			r = 0;
			break;
		}
		sleep_us(2000);
	}
out:
	for (size_t i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

/* ready = command CMD */
static int ready_command(struct service *sv) {
	return run_in(sv, sv->c->ready_arg, READY_COMMAND_TIMEOUT_US);
}

int service_run(struct services *s, size_t i, const char *cmd, uint64_t timeout_us) {
	struct service *sv = &s->v[i];

	if (sv->pid <= 0 || !main_alive(sv, NULL))
		return -ESRCH;
	return run_in(sv, cmd, timeout_us);
}

/* 1 when service sv's ready condition holds, 0 when not yet, -errno. */
static int ready_check(struct service *sv) {
	char path[PATH_MAX + 32];

	switch (sv->c->ready) {
	case SERVICE_READY_STARTED:
		return 1;
	case SERVICE_READY_FILE:
		/* the file as the service sees it: through its root, in its
		 * mount namespace */
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)sv->pid, sv->c->ready_arg);
		return access(path, F_OK) == 0;
	case SERVICE_READY_COMMAND:
		return ready_command(sv);
	}
	return -EINVAL;
}

static const char *ready_describe(const struct service_conf *c, char *buf, size_t size) {
	switch (c->ready) {
	case SERVICE_READY_FILE:
		snprintf(buf, size, "%s does not exist", c->ready_arg);
		break;
	case SERVICE_READY_COMMAND:
		snprintf(buf, size, "`%s` did not succeed", c->ready_arg);
		break;
	default:
		snprintf(buf, size, "not started");
		break;
	}
	return buf;
}

int service_start(struct services *s, size_t i, char *err, size_t errsize) {
	struct service *sv = &s->v[i];
	uint64_t until;
	int r, st = 0;

	if (sv->pid > 0)
		service_stop(s, i, 0);
	r = spawn(s, sv, err, errsize);
	if (r < 0)
		return r;
	until = now_us() + sv->c->ready_timeout_us;
	for (;;) {
		char tail[512], why[PATH_MAX + 64];

		if (!main_alive(sv, &st)) {
			service_log_tail(s, i, tail, sizeof(tail));
			snprintf(err, errsize, "service %s: exited (status %d) before it was ready%s%s (log: %s)", sv->c->name,
			         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), tail[0] ? ": " : "", tail, sv->log);
			sv->pid = 0;
			service_stop(s, i, 0);
			return -ECHILD;
		}
		r = ready_check(sv);
		if (r > 0)
			return 0;
		if (s->stop && *s->stop) {
			snprintf(err, errsize, "service %s: interrupted before it was ready", sv->c->name);
			return -EINTR;
		}
		if (r < 0 && r != -ENOENT) {
			snprintf(err, errsize, "service %s: checking it is ready: %s", sv->c->name, strerror(-r));
			return r;
		}
		if (now_us() >= until) {
			service_log_tail(s, i, tail, sizeof(tail));
			snprintf(err, errsize, "service %s: not ready after %.1fs: %s%s%s (log: %s)", sv->c->name,
			         (double)sv->c->ready_timeout_us / 1e6, ready_describe(sv->c, why, sizeof(why)),
			         tail[0] ? "; its log: " : "", tail, sv->log);
			return -ETIMEDOUT;
		}
		sleep_us(READY_POLL_US);
	}
}

int services_wait_ready(struct services *s, char *err, size_t errsize) {
	for (size_t i = 0; s && i < s->n; i++) {
		struct service *sv = &s->v[i];
		uint64_t until = now_us() + sv->c->ready_timeout_us;
		char why[PATH_MAX + 64];
		int r;

		for (;;) {
			if (!main_alive(sv, NULL)) {
				snprintf(err, errsize, "service %s is not running", sv->c->name);
				return -ESRCH;
			}
			r = ready_check(sv);
			if (r > 0)
				break;
			if (r < 0 && r != -ENOENT) {
				snprintf(err, errsize, "service %s: checking it is ready: %s", sv->c->name, strerror(-r));
				return r;
			}
			if (s->stop && *s->stop)
				return -EINTR;
			if (now_us() >= until) {
				snprintf(err, errsize, "service %s: not ready again after %.1fs: %s", sv->c->name,
				         (double)sv->c->ready_timeout_us / 1e6, ready_describe(sv->c, why, sizeof(why)));
				return -ETIMEDOUT;
			}
			sleep_us(READY_POLL_US);
		}
	}
	return 0;
}

int services_start_all(struct services *s, char *err, size_t errsize) {
	for (size_t i = 0; i < s->n; i++) {
		int r = service_start(s, i, err, errsize);

		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- stopping and killing --------------------------------------------------- */

struct proc_stat {
	pid_t pid, ppid, pgrp;
	char state;
};

/* The next process of /proc (d), pid 1 left out, from its
 * /proc/PID/stat; false at the end. */
static bool proc_next(DIR *d, struct proc_stat *ret) {
	struct dirent *de;

	while ((de = readdir(d))) {
		char path[64], buf[512], *p, *end, state;
		long pid = strtol(de->d_name, &end, 10), ppid, pgrp;
		ssize_t len;
		int fd;

		if (*end || pid <= 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* pid (comm) state ppid pgrp: comm may hold anything, even ")" */
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
			continue;
		*ret = (struct proc_stat){ .pid = (pid_t)pid, .ppid = (pid_t)ppid, .pgrp = (pid_t)pgrp, .state = state };
		return true;
	}
	return false;
}

/* Whether a process of group pgid runs (zombies left to an init that
 * reaps slowly do not count). */
static bool group_alive(pid_t pgid) {
	struct proc_stat ps;
	DIR *d;
	bool alive = false;

	if (kill(-pgid, 0) < 0 && errno == ESRCH)
		return false;
	d = opendir("/proc");
	if (!d)
		return true;
	while (!alive && proc_next(d, &ps))
		alive = ps.pgrp == pgid && ps.state != 'Z' && ps.state != 'X';
	closedir(d);
	return alive;
}

/* Until the group and the main process are gone (reaped), at most us. */
static bool wait_gone(struct service *sv, uint64_t us) {
	uint64_t until = now_us() + us;

	for (;;) {
		bool main = main_alive(sv, NULL);

		if (!main && !group_alive(sv->pid))
			return true;
		if (now_us() >= until)
			return false;
		if (main && sv->pidfd >= 0) {
			struct pollfd p = { .fd = sv->pidfd, .events = POLLIN };
			poll(&p, 1, 5);
		} else
			sleep_us(2000);
	}
}

static int pidfd_signal(int pidfd, int sig);

/* SIGKILL to service sv: to its PID 1, and the kernel kills every other
 * process of its PID namespace; to its group too, for a process entered
 * into the group from outside the namespace. */
static void service_kill(struct service *sv) {
	kill(sv->pid, SIGKILL);
	kill(-sv->pid, SIGKILL);
}

void service_stop(struct services *s, size_t i, uint64_t timeout_us) {
	struct service *sv = &s->v[i];

	if (sv->pid > 0) {
		if (timeout_us) {
			kill(-sv->pid, SIGTERM);
			/* a command that left the group */
			if (sv->main_pidfd >= 0)
				pidfd_signal(sv->main_pidfd, SIGTERM);
		}
		if (!timeout_us || !wait_gone(sv, timeout_us)) {
			service_kill(sv);
			if (!wait_gone(sv, KILL_WAIT_US))
				log_debug("service %s: group %d still there after SIGKILL", sv->c->name, (int)sv->pid);
		}
		log_debug("service %s: stopped (pid %d)", sv->c->name, (int)sv->pid);
	}
	if (sv->pidfd >= 0)
		close(sv->pidfd);
	if (sv->main_pidfd >= 0)
		close(sv->main_pidfd);
	sv->pidfd = sv->main_pidfd = -1;
	sv->pid = sv->main = 0;
}

/* Every process (not this one) whose network namespace is that of ns:
 * SIGKILL.  Returns how many. */
static int kill_netns(const char *ns) {
	struct stat want;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, ns);
	if (stat(path, &want) < 0)
		return 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &st) < 0 || st.st_ino != want.st_ino || st.st_dev != want.st_dev)
			continue;
		if (kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static bool of_node(const struct service *sv, const char *node) {
	return !node || strcmp(sv->c->node, node) == 0;
}

/* Stop the services of node (NULL: every one), the last started first
 * (it may depend on the first): SIGTERM and up to each one's stop_timeout
 * when graceful, SIGKILL at once when not.  Then SIGKILL to whatever
 * else runs in their network namespaces: processes entered into them from
 * outside the services' PID namespaces.  Returns how many of those. */
static int stop_services(struct services *s, const char *node, bool graceful) {
	int n = 0;

	for (size_t i = s->n; i-- > 0;)
		if (of_node(&s->v[i], node))
			service_stop(s, i, graceful ? s->v[i].c->stop_timeout_us : 0);
	for (size_t i = 0; i < s->n; i++) {
		bool seen = false;

		if (!of_node(&s->v[i], node))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= of_node(&s->v[j], node) && netns_eq(s->v[j].c->netns, s->v[i].c->netns);
		if (!seen) {
			int k = kill_netns(s->v[i].c->netns);
			if (k > 0) {
				log_debug("netns %s: %d processes left after its services stopped: killed", s->v[i].c->netns, k);
				n += k;
			}
		}
	}
	return n;
}

int services_stop_all(struct services *s) {
	return s ? stop_services(s, NULL, true) : 0;
}

/* The children of pid (by their parent in /proc/PID/stat). */
static int signal_children(pid_t parent, int sig) {
	struct proc_stat ps;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -errno;
	while (proc_next(d, &ps))
		if (ps.ppid == parent && kill(ps.pid, sig) == 0)
			n++;
	closedir(d);
	return n;
}

static int pidfd_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

int service_signal(struct services *s, size_t i, enum fault_target target, int sig, int *ret_n, char *err,
                   size_t errsize) {
	struct service *sv = &s->v[i];
	int n = 0, r;

	if (sv->pid <= 0 || !main_alive(sv, NULL)) {
		snprintf(err, errsize, "service %s is not running", sv->c->name);
		return -ESRCH;
	}
	switch (target) {
	case FAULT_TARGET_GROUP:
		if (kill(-sv->pid, sig) < 0) {
			snprintf(err, errsize, "service %s: kill -%d -%d: %s", sv->c->name, sig, (int)sv->pid, strerror(errno));
			return -errno;
		}
		n = 1;
		break;
	case FAULT_TARGET_MAIN:
		/* through the pidfd: never another process that took the pid */
		if (sv->main <= 0 ||
		    (sv->main_pidfd >= 0 ? pidfd_signal(sv->main_pidfd, sig) : kill(sv->main, sig)) < 0) {
			r = sv->main <= 0 ? -ESRCH : -errno;
			snprintf(err, errsize, "service %s: kill -%d %d: %s", sv->c->name, sig, (int)sv->main, strerror(-r));
			return r;
		}
		n = 1;
		break;
	case FAULT_TARGET_CHILD:
		n = sv->main > 0 ? signal_children(sv->main, sig) : 0;
		if (n <= 0) {
			snprintf(err, errsize, "service %s: its main process %d has no child process to kill", sv->c->name,
			         (int)sv->main);
			return n < 0 ? n : -ESRCH;
		}
		break;
	}
	if (ret_n)
		*ret_n = n;
	return 0;
}

/* ---- nodes -------------------------------------------------------------------- */

bool services_has_node(const struct services *s, const char *node) {
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].c->node, node) == 0)
			return true;
	return false;
}

static const char *node_netns(const struct services *s, const char *node) {
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].c->node, node) == 0)
			return s->v[i].c->netns;
	return node;
}

int services_kill_node(struct services *s, const char *node, int *ret_n, char *err, size_t errsize) {
	int n = 0, k;

	for (size_t i = 0; s && i < s->n; i++)
		if (of_node(&s->v[i], node) && s->v[i].pid > 0) {
			service_kill(&s->v[i]);
			n++;
		}
	k = kill_netns(node_netns(s, node));
	if (k < 0) {
		snprintf(err, errsize, "node %s: reading /proc: %s", node, strerror(-k));
		return k;
	}
	if (ret_n)
		*ret_n = n + k;
	return 0;
}

int services_restart_node(struct services *s, const char *node, char *err, size_t errsize) {
	if (!s)
		return 0;
	/* what is left of the node (a daemon of a service, a process entered
	 * into its namespace) goes first: a fresh node starts from nothing */
	stop_services(s, node, false);
	for (size_t i = 0; i < s->n; i++) {
		int r;

		if (!of_node(&s->v[i], node))
			continue;
		r = service_start(s, i, err, errsize);
		if (r < 0)
			return r;
	}
	return 0;
}
