/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet vip follow [--lock-wait D] [--rt-priority N] [INSTANCE=VIP[,VIP...]]... PROFILE FIFO
 *
 * keepalived's notify FIFO, read by a process that is already running:
 * keepalived writes a line such as `INSTANCE "VI_api" MASTER 150` when
 * an instance (or a sync GROUP) changes state, and this moves the VIPs
 * of that instance at once, with the profile loaded and no process to
 * start.  Run by keepalived itself:
 *
 *   global_defs {
 *       vrrp_notify_fifo /run/keepalived/vrrp.fifo
 *       vrrp_notify_fifo_script "/usr/sbin/hanet vip follow /etc/hanet/c.ini VI_api=api,db"
 *   }
 *
 * (keepalived appends the FIFO's name).  MASTER takes the VIPs over;
 * MASTER_RX_LOWER_PRI takes them over again (a split brain healed: the
 * address is put back if it went, and announced); BACKUP, FAULT, STOP
 * and DELETED release them; other lines are ignored.  Without a mapping,
 * an instance or group named like a [vip NAME] moves that VIP.
 *
 * Ends at the end of the FIFO (every writer closed it), or at a second
 * SIGTERM.  After a SIGTERM from a keepalived that is still there (it
 * stops or reloads: it signals the script, then writes its last lines)
 * that is all.  Without one, or when the process that started this one
 * is gone (keepalived's scripts get SIGTERM when it dies), keepalived
 * went away without telling (killed): the VIPs this process took over
 * are released, so that a node whose keepalived is gone never keeps them
 * while the other node's keepalived takes them over.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "log.h"
#include "profile.h"
#include "util.h"
#include "vip-move.h"

#define MAX_MAPS 64

struct follow_map {
	char name[128];                 /* the instance or group */
	struct vip_move *m;
	size_t n;
	bool master;                    /* taken over by this process, not released since */
};

static volatile sig_atomic_t got_term;

static void on_term(int sig) {
	(void)sig;
	if (got_term < 2)
		got_term++;
}

/* One line to standard error and to syslog (daemon). */
static void say(int prio, const char *fmt, ...) _printf_(2, 3);
static void say(int prio, const char *fmt, ...) {
	char buf[1024];
	struct timespec ts;
	struct tm tm;
	char when[32] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%06ld hanet vip follow: %s\n", when, ts.tv_nsec / 1000, buf);
	syslog(prio, "%s", buf);
}

static struct follow_map *map_find(struct follow_map *maps, size_t n, const char *name) {
	for (size_t i = 0; i < n; i++)
		if (strcmp(maps[i].name, name) == 0)
			return &maps[i];
	return NULL;
}

static void act(const char *profile, struct follow_map *fm, const char *state, const struct vip_move_opts *o) {
	uint64_t t0 = now_ns();
	int ret;

	if (strcmp(state, "MASTER") == 0 || strcmp(state, "MASTER_RX_LOWER_PRI") == 0) {
		ret = vip_moves_takeover(profile, fm->m, fm->n, o);
		if (ret == EXIT_OK) {
			fm->master = true;
			for (size_t i = 0; i < fm->n; i++)
				say(LOG_INFO, "%s %s: vip %s taken over: added in %.3f ms, first announcement at %.3f ms",
				    fm->name, state, fm->m[i].v->name, (double)(fm->m[i].t_added - t0) / 1e6,
				    fm->m[i].t_announced ? (double)(fm->m[i].t_announced - t0) / 1e6 : 0.0);
		} else {
			say(LOG_ERR, "%s %s: takeover failed (exit %d)", fm->name, state, ret);
		}
	} else if (strcmp(state, "BACKUP") == 0 || strcmp(state, "FAULT") == 0 || strcmp(state, "STOP") == 0 ||
	           strcmp(state, "DELETED") == 0) {
		ret = vip_moves_release(profile, fm->m, fm->n, o);
		if (ret == EXIT_OK) {
			fm->master = false;
			for (size_t i = 0; i < fm->n; i++)
				say(LOG_INFO, "%s %s: vip %s released%s", fm->name, state, fm->m[i].v->name,
				    fm->m[i].removed ? "" : " (it was not here)");
		} else {
			say(LOG_ERR, "%s %s: release failed (exit %d)", fm->name, state, ret);
		}
	}
}

/* `INSTANCE "VI_1" MASTER 100` -> type, name, state. */
static int parse_line(char *line, char **ret_type, char **ret_name, char **ret_state) {
	char *save = NULL, *type, *name, *state;

	type = strtok_r(line, " \t", &save);
	name = strtok_r(NULL, " \t", &save);
	state = strtok_r(NULL, " \t", &save);
	if (!type || !name || !state)
		return -EINVAL;
	if (name[0] == '"') {
		size_t len = strlen(++name);

		if (len && name[len - 1] == '"')
			name[len - 1] = '\0';
	}
	*ret_type = type;
	*ret_name = name;
	*ret_state = state;
	return 0;
}


/* Open FIFO without blocking and check that only root can write to it:
 * no symbolic link, a FIFO, of the effective user, not writable by group
 * or others.  Says why not. */
static int fifo_check(const char *fifo, int *ret_fd) {
	struct stat st;
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			log_error("%s is a symbolic link: give the FIFO itself (only root may write what moves VIPs)", fifo);
		else
			log_error_errno(r, "%s: %m", fifo);
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		log_error_errno(r, "%s: %m", fifo);
		close(fd);
		return r;
	}
	if (!S_ISFIFO(st.st_mode)) {
		log_error("%s is %s, not a FIFO: refused", fifo, file_type_name(st.st_mode));
		r = -EINVAL;
	} else if (st.st_uid != geteuid()) {
		log_error("%s is owned by uid %u, not %u: another user could move VIPs through it; refused", fifo,
		          (unsigned)st.st_uid, (unsigned)geteuid());
		r = -EPERM;
	} else if (st.st_mode & 022) {
		log_error("%s has mode %04o, writable by %s: others could move VIPs through it; refused (chmod 0600)",
		          fifo, (unsigned)(st.st_mode & 07777), st.st_mode & 020 ? "its group" : "others");
		r = -EPERM;
	} else {
		*ret_fd = fd;
		return 0;
	}
	close(fd);
	return r;
}

/* The FIFO checked, opened again to block until a writer comes (through
 * the descriptor: the very file checked).  -1 with errno on failure. */
static int reopen_blocking(int fd) {
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = open(path, O_RDONLY | O_CLOEXEC);
	if (r < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return r;
}

int vip_follow_main(int argc, char **argv, const char *usage) {
	static const struct option opts[] = {
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "rt-priority", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vip_move_opts o = { .lock_wait_us = 2000000 };
	struct follow_map maps[MAX_MAPS];
	struct sigaction sa = { .sa_handler = on_term };
	struct profile *p = NULL;
	size_t n_maps = 0;
	const char *path, *fifo;
	char buf[4096];
	size_t have = 0;
	bool mapped, eof = false;
	uint32_t rt_prio = 1;
	pid_t parent = getppid();
	int c, fd = -1, ret = EXIT_RUNTIME;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+l:P:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (cmd_duration_opt("vip follow", "lock-wait", optarg, 0, 0, &o.lock_wait_us))
				return EXIT_USAGE;
			break;
		case 'P':
			if (parse_u32(optarg, &rt_prio) < 0 || rt_prio > 99)
				return cmd_usage_error("vip follow", usage, "--rt-priority: expected 0..99, got \"%s\"", optarg);
			break;
		case 'h': usage_print(usage); return EXIT_OK;
		default: return cmd_usage_error("vip follow", usage, "unknown option %s", argv[optind - 1]);
		}
	}
	/* PROFILE, then the mappings, then the FIFO (keepalived puts it last);
	 * a mapping may also come before the profile */
	path = NULL;
	for (int i = optind; i < argc - 1; i++)
		if (!strchr(argv[i], '=')) {
			if (path)
				return cmd_usage_error("vip follow", usage, "two profiles: %s and %s", path, argv[i]);
			path = argv[i];
		}
	if (!path || argc - optind < 2)
		return cmd_usage_error("vip follow", usage, "expected [INSTANCE=VIP[,VIP...]]... PROFILE FIFO");
	fifo = argv[argc - 1];

	if (cmd_load_profile(path, &p) < 0)
		return EXIT_INVALID;
	/* a change not confirmed whose process is gone comes first */
	confirm_recover(-1, "vip follow");

	memset(maps, 0, sizeof(maps));
	for (int i = optind; i < argc - 1; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		if (n_maps == MAX_MAPS || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(maps[0].name)) {
			ret = cmd_usage_error("vip follow", usage, "bad mapping \"%s\" (INSTANCE=VIP[,VIP...])", argv[i]);
			goto out;
		}
		snprintf(maps[n_maps].name, sizeof(maps[n_maps].name), "%.*s", (int)(eq - argv[i]), argv[i]);
		if (map_find(maps, n_maps, maps[n_maps].name)) {
			ret = cmd_usage_error("vip follow", usage, "instance %s mapped twice", maps[n_maps].name);
			goto out;
		}
		ret = vip_moves_parse(p, path, eq + 1, &maps[n_maps].m, &maps[n_maps].n);
		if (ret != EXIT_OK)
			goto out;
		n_maps++;
	}
	mapped = n_maps > 0;
	if (!mapped) {
		/* every VIP follows the instance of its name */
		for (size_t i = 0; i < p->n_vips && n_maps < MAX_MAPS; i++) {
			snprintf(maps[n_maps].name, sizeof(maps[n_maps].name), "%s", p->vips[i].name);
			ret = vip_moves_parse(p, path, p->vips[i].name, &maps[n_maps].m, &maps[n_maps].n);
			if (ret != EXIT_OK)
				goto out;
			n_maps++;
		}
	}

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* the background announcers: reaped by the kernel */
	signal(SIGCHLD, SIG_IGN);
	openlog("hanet-follow", LOG_PID, LOG_DAEMON);
	if (rt_prio) {
		/* woken at once by keepalived's line, even on a busy machine */
		struct sched_param sp = { .sched_priority = (int)rt_prio };

		/* not permitted (no CAP_SYS_NICE): the normal policy */
		if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0)
			log_debug_errno(-errno, "--rt-priority %u: %m (running without)", rt_prio);
	}

	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST) {
		log_error_errno(-errno, "%s: creating the FIFO: %m", fifo);
		goto out;
	}
	/* what it says moves VIPs: only root may be able to write to it */
	if (fifo_check(fifo, &fd) < 0) {
		ret = EXIT_RUNTIME;
		goto out;
	}
	/* blocks until keepalived opens it for writing (a signal ends it) */
	fd = reopen_blocking(fd);
	if (fd < 0) {
		if (errno == EINTR) {
			ret = EXIT_OK;
			goto out;
		}
		log_error_errno(-errno, "%s: %m", fifo);
		goto out;
	}
	say(LOG_INFO, "following %s for %zu instance%s of %s", fifo, n_maps, n_maps == 1 ? "" : "s", p->name);
	for (;;) {
		ssize_t len = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *nl;

		if (len < 0) {
			if (errno == EINTR && got_term < 2)
				continue;
			if (errno == EINTR)
				break;          /* a second SIGTERM: at once */
			log_error_errno(-errno, "%s: reading: %m", fifo);
			break;
		}
		if (len == 0) {
			eof = true;
			break;
		}
		have += (size_t)len;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			char *type, *name, *state;
			struct follow_map *fm;

			*nl = '\0';
			if (parse_line(buf, &type, &name, &state) == 0 &&
			    (strcmp(type, "INSTANCE") == 0 || strcmp(type, "GROUP") == 0) &&
			    (fm = map_find(maps, n_maps, name)))
				act(p->name, fm, state, &o);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;               /* a line longer than any keepalived writes */
	}
	/* keepalived gone: no SIGTERM before the end, or the one that came
	 * is the death signal keepalived sets on its scripts (the process
	 * that started this one is no more); a reload signals and closes
	 * but stays */
	if (eof && (!got_term || getppid() != parent)) {
		for (size_t i = 0; i < n_maps; i++) {
			if (!maps[i].master)
				continue;
			say(LOG_WARNING, "%s: keepalived closed %s without stopping: releasing what it made this node take over",
			    maps[i].name, fifo);
			act(p->name, &maps[i], "STOP", &o);
		}
	}
	say(LOG_INFO, "%s closed%s: done", fifo, got_term ? " after SIGTERM" : "");
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < n_maps; i++)
		free(maps[i].m);
	profile_free(p);
	return ret;
}
