/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet confirm [PROFILE]: keep what `hanet apply --confirm` changed.
 * Also the waiting process itself (confirm_wait_background).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "log.h"
#include "netns.h"
#include "owner.h"
#include "session.h"
#include "util.h"

static const char usage_text[] =
	"Usage: hanet confirm [PROFILE]\n"
	"\n"
	"Keep the change a `hanet apply --confirm DURATION PROFILE` made: the\n"
	"process waiting to roll it back stops.  Without PROFILE: every change\n"
	"waiting for a confirmation.  PROFILE is the profile file or its name.\n"
	"\n"
	"Exit status: 0 confirmed, 1 nothing was waiting, 64 usage.\n";

static int confirm_path(const char *profile, const char *ext, char *buf, size_t size) {
	if (!profile[0] || strchr(profile, '/'))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s.%s", HANET_CONFIRM_DIR, profile, ext) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static void confirm_log(const char *profile, const char *fmt, ...) _printf_(2, 3);
static void confirm_log(const char *profile, const char *fmt, ...) {
	char path[512], line[2048];
	va_list ap;
	int n;

	if (confirm_path(profile, "log", path, sizeof(path)) < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	write_file_atomic(path, line, (size_t)n, 0600);
	/* the terminal of `hanet apply`, when it is still there */
	fputs("hanet: ", stderr);
	fwrite(line, 1, (size_t)n, stderr);
}

int confirm_wait_background(const char *profile, uint64_t timeout_us, struct apply *ap) {
	char pidpath[512], buf[32];
	int ready[2];
	pid_t pid;
	int r;

	r = confirm_path(profile, "pid", pidpath, sizeof(pidpath));
	if (r < 0)
		return r;
	r = private_dir(HANET_RUN_DIR, HANET_CONFIRM_DIR, NULL);
	if (r < 0)
		return r;
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
		struct timespec ts = { .tv_sec = (time_t)(timeout_us / 1000000), .tv_nsec = (long)(timeout_us % 1000000) * 1000 };
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
		snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (write_file_atomic(pidpath, buf, strlen(buf), 0600) < 0)
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
		do
			sig = sigtimedwait(&set, NULL, &ts);
		while (sig < 0 && errno == EINTR);
		if (sig == SIGUSR1) {
			unlink(pidpath);
			confirm_log(profile, "%s: confirmed: the change is kept", profile);
			_exit(0);
		}
		r = apply_rollback(ap, err, sizeof(err));
		unlink(pidpath);
		if (r < 0) {
			confirm_log(profile, "%s: not confirmed in time; rolling back failed: %s", profile, err);
			_exit(3);
		}
		confirm_log(profile, "%s: not confirmed in time: rolled back", profile);
		_exit(0);
	}
	close(ready[1]);
	r = (int)read(ready[0], buf, 1);
	close(ready[0]);
	if (r != 1) {
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	printf("%s: run `hanet confirm %s` within %.1fs to keep this change, or it is rolled back (pid %d)\n", profile,
	       profile, (double)timeout_us / 1e6, (int)pid);
	fflush(stdout);
	return 0;
}

static pid_t read_pid(const char *path) {
	char buf[32];
	FILE *f = fopen(path, "re");
	long v = 0;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : -1;
}

int confirm_send(const char *profile) {
	char path[512];
	uint64_t deadline;
	pid_t pid;
	int r = confirm_path(profile, "pid", path, sizeof(path));

	if (r < 0)
		return r;
	pid = read_pid(path);
	if (pid <= 0)
		return -ENOENT;
	if (kill(pid, SIGUSR1) < 0) {
		if (errno == ESRCH) {
			unlink(path);
			return -ENOENT;
		}
		return -errno;
	}
	deadline = now_us() + 10 * 1000000ull;
	while (access(path, F_OK) == 0 && kill(pid, 0) == 0) {
		if (now_us() > deadline)
			return -ETIMEDOUT;
		sleep_us(5000);
	}
	return 0;
}

int confirm_pending(char ***ret) {
	return dir_list_suffix(HANET_CONFIRM_DIR, ".pid", ret);
}

int cmd_confirm(int argc, char **argv) {
	char name[HANET_NAME_MAX + 1], **pending = NULL;
	int r, ret = EXIT_OK, confirmed = 0;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage_print(usage_text);
		return EXIT_OK;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cmd_usage_error("confirm", usage_text, "expected at most one PROFILE");
	if (argc == 2) {
		r = session_profile_name(argv[1], name, sizeof(name));
		if (r < 0) {
			log_error_errno(r, "%s: cannot tell the profile's name: %m", argv[1]);
			return EXIT_INVALID;
		}
		r = confirm_send(name);
		if (r == -ENOENT) {
			log_error("%s: nothing waits for a confirmation", name);
			return EXIT_FAIL;
		}
		if (r < 0) {
			log_error_errno(r, "%s: confirm: %m", name);
			return EXIT_RUNTIME;
		}
		printf("%s: confirmed\n", name);
		return EXIT_OK;
	}
	r = confirm_pending(&pending);
	if (r < 0)
		return log_error_errno(r, "confirm: %m"), EXIT_RUNTIME;
	for (char **p = pending; *p; p++) {
		r = confirm_send(*p);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			log_error_errno(r, "%s: confirm: %m", *p);
			ret = EXIT_RUNTIME;
			continue;
		}
		printf("%s: confirmed\n", *p);
		confirmed++;
	}
	strv_free(pending);
	if (!confirmed && ret == EXIT_OK) {
		log_error("nothing waits for a confirmation");
		return EXIT_FAIL;
	}
	return ret;
}
