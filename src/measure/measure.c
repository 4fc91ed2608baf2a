/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab and its trials, for `hanet measure` (see measure.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply.h"
#include "exitcode.h"
#include "fault.h"
#include "lock.h"
#include "log.h"
#include "measure.h"
#include "netns.h"
#include "owner.h"
#include "plan.h"
#include "prober.h"
#include "report.h"
#include "service.h"
#include "svc-events.h"
#include "session.h"
#include "observe.h"
#include "timeline.h"
#include "util.h"

#define WARMUP_NS 200000000ull          /* steady state: the first 200 ms are not counted */
#define SETTLE_MIN_NS 50000000ull       /* replies before the fault: at least 50 ms of them */
#define SETTLE_MIN_PROBES 20
#define TAIL_MIN_NS 50000000ull         /* after replies resumed: 50 ms more */
#define TAIL_MIN_PROBES 20
#define ANALYSIS_TAIL_NS 5000000ull     /* analysed: 5 ms (5 probes) past the replies after the reaction */
#define ANALYSIS_TAIL_PROBES 5
#define SPIN_NS 20000ull                /* the prober's spin before each send, when real-time */
#define REDO_MIN_NS 10000000ull        /* a trial is measured again when no probe was sent for 10 ms */
#define REDO_PROBES 10                  /* (or 10 intervals) after its fault; */
#define REDO_MAX 3                      /* at most 3 times (and twice the trials for a fault) */
#define EVENTS_LATE_NS 500000000ull     /* a service's events of a trial: written up to 500 ms after it */
#define READY_TIMEOUT_NS 10000000000ull /* before a fault, replies must come within 10 s (or the timeout) */
#define DAD_TIMEOUT_NS 10000000000ull   /* the lab's IPv6 addresses: duplicate address detection */
#define LOCK_WAIT_LATER_US 10000000ull  /* re-applies and down wait up to 10 s for the lock */
#define WATCH_READY_US 20000000ull      /* hanet watch: its profile applied within 20 s */
#define WATCH_STOP_US 15000000ull       /* ... and gone within 15 s of SIGTERM */
#define CHUNK_NS 20000000ull            /* waits are cut in 20 ms pieces to notice a stop */
#define MAX_NETNS 64

struct measure {
	char *path;
	struct profile *p;                  /* from the session that loaded it */
	struct session s;
	struct nls *nls;                    /* the faults' sockets */
	const char *netns[MAX_NETNS];       /* every namespace of the lab */
	size_t n_netns;
	bool up;
	struct timeline *tl;
	struct prober_responder *resp[MAX_NETNS];
	size_t n_resp;
	struct services *svc;               /* the lab's [service] processes */
	struct svc_events *svc_ev;          /* following their events files */
	volatile sig_atomic_t *stop;        /* measure_set_stop */

	uint64_t lock_wait_us;              /* for the first apply; later ones wait at least LOCK_WAIT_LATER_US */
	bool applied_once;

	/* hanet watch on a profile of its own (measure_watch_start) */
	pid_t watch_pid;
	char *watch_path;
	char watch_dir[64];                 /* its records and log */
	off_t watch_read;                   /* records read so far */

	struct report rep;
	struct report_group *groups;        /* one per fault run */
	char (*group_desc)[512];
	struct report_steady *steady;
	char (*steady_desc)[256];
};

/* ---- helpers -------------------------------------------------------------- */

static bool stopped(const struct measure_opts *o) {
	return o->stop && *o->stop;
}

_printf_(2, 3) static void progress(const struct measure_opts *o, const char *fmt, ...) {
	char line[512];
	va_list ap;

	if (!o->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->progress_data, line);
}

/* Sleep until t_ns, waking to notice a stop.  false when stopped. */
static bool sleep_until(const struct measure_opts *o, uint64_t t_ns) {
	for (;;) {
		uint64_t now = now_ns();

		if (stopped(o))
			return false;
		if (now >= t_ns)
			return true;
		sleep_us((t_ns - now > CHUNK_NS ? CHUNK_NS : t_ns - now) / 1000);
	}
}

/* prober_wait_reply in pieces: 0, -ETIMEDOUT, -ESRCH, or -EINTR (stop). */
static int wait_reply(const struct measure_opts *o, struct prober *p, uint64_t t_ns, uint64_t timeout_ns) {
	uint64_t until = now_ns() + timeout_ns;

	for (;;) {
		uint64_t now = now_ns(), chunk;
		int r;

		if (stopped(o))
			return -EINTR;
		if (now >= until)
			return -ETIMEDOUT;
		chunk = until - now > CHUNK_NS ? CHUNK_NS : until - now;
		r = prober_wait_reply(p, t_ns, chunk);
		if (r != -ETIMEDOUT)
			return r;
	}
}

/* Threads started with the termination signals blocked: only the main
 * thread takes them (the handler sets opts->stop). */
static void signals_block(sigset_t *old) {
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void signals_restore(const sigset_t *old) {
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void add_netns(struct measure *m, const char *ns) {
	if (!ns)
		return;
	for (size_t i = 0; i < m->n_netns; i++)
		if (strcmp(m->netns[i], ns) == 0)
			return;
	if (m->n_netns < MAX_NETNS)
		m->netns[m->n_netns++] = ns;
}

/* ---- the lab profile ----------------------------------------------------- */

static int check_lab(struct measure *m, char *err, size_t errsize) {
	const struct profile *p = m->p;

#define IN_LAB(ns, ...)                                                                                      \
	do {                                                                                                 \
		if (!(ns)) {                                                                                 \
			int n_ = snprintf(err, errsize, __VA_ARGS__);                                         \
			if (n_ >= 0 && (size_t)n_ < errsize)                                                  \
				snprintf(err + n_, errsize - (size_t)n_,                                      \
				         " is in the namespace hanet runs in: a lab lives in its own namespaces " \
				         "(set netns =)");                                                    \
			return -EINVAL;                                                                      \
		}                                                                                            \
	} while (0)

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		IN_LAB(l->netns, "[%s %s]", link_kind_name(l->kind), l->name);
		if (l->kind == LINK_VETH)
			IN_LAB(l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns, "the peer of [veth %s]", l->name);
		add_netns(m, l->netns);
		if (l->kind == LINK_VETH)
			add_netns(m, l->u.veth.peer_netns);
	}
	for (size_t i = 0; i < p->n_vips; i++) {
		IN_LAB(p->vips[i].netns, "[vip %s]", p->vips[i].name);
		add_netns(m, p->vips[i].netns);
	}
	for (size_t i = 0; i < p->n_routes; i++)
		IN_LAB(p->routes[i].netns, "[route %s]", p->routes[i].name);
	for (size_t i = 0; i < p->n_routes_files; i++)
		IN_LAB(p->routes_files[i].netns, "[routes %s]", p->routes_files[i].name);
	for (size_t i = 0; i < p->n_rules; i++)
		IN_LAB(p->rules[i].netns, "[rule %s]", p->rules[i].name);
	for (size_t i = 0; i < p->n_probes; i++) {
		IN_LAB(p->probes[i].from, "[probe %s] from", p->probes[i].name);
		add_netns(m, p->probes[i].from);
	}
	for (size_t i = 0; i < p->n_netns; i++)
		add_netns(m, p->netns[i].name);
	for (size_t i = 0; i < p->n_services; i++) {
		IN_LAB(p->services[i].netns, "[service %s]", p->services[i].name);
		add_netns(m, p->services[i].netns);
	}
#undef IN_LAB
	if (p->n_faults == 0) {
		snprintf(err, errsize, "no [fault NAME] to measure");
		return -EINVAL;
	}
	if (m->n_netns == MAX_NETNS) {
		snprintf(err, errsize, "more than %d namespaces: too big for a lab", MAX_NETNS - 1);
		return -EINVAL;
	}
	return 0;
}

int measure_new(const char *path, struct measure **ret, char *err, size_t errsize) {
	struct measure *m = calloc(1, sizeof(*m));
	int r;

	err[0] = '\0';
	if (!m)
		return -ENOMEM;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		return -ENOMEM;
	}
	r = session_load(&m->s, path, 0);
	if (r < 0) {
		if (r != -EINVAL)
			snprintf(err, errsize, "%s", m->s.err[0] ? m->s.err : strerror(-r));
		goto fail;
	}
	m->p = m->s.profile;
	r = check_lab(m, err, errsize);
	if (r < 0)
		goto fail;
	r = nls_new(&m->nls);
	if (r < 0)
		goto fail;
	m->rep.title = m->p->name;
	m->rep.sla = m->p->sla;
	*ret = m;
	return 0;
fail:
	measure_free(m);
	return r;
}

void measure_free(struct measure *m) {
	if (!m)
		return;
	svc_events_stop(m->svc_ev);
	services_free(m->svc);
	timeline_free(m->tl);
	for (size_t i = 0; i < m->n_resp; i++)
		prober_responder_stop(m->resp[i]);
	for (size_t g = 0; g < m->rep.n_groups; g++) {
		for (size_t i = 0; i < m->groups[g].n_trials; i++) {
			free((void *)m->groups[g].trials[i].rec);
			free((void *)m->groups[g].trials[i].ev);
		}
		free(m->groups[g].trials);
	}
	free(m->groups);
	free(m->group_desc);
	free(m->steady);
	free(m->steady_desc);
	if (m->watch_pid > 0 || m->watch_dir[0]) {
		char e[512];
		measure_watch_stop(m, e, sizeof(e));
	}
	free(m->watch_path);
	nls_free(m->nls);
	session_fini(&m->s);
	free(m->path);
	free(m);
}

void measure_set_lock_wait(struct measure *m, uint64_t us) {
	m->lock_wait_us = us;
}

void measure_set_stop(struct measure *m, volatile sig_atomic_t *stop) {
	m->stop = stop;
}

const char *measure_name(const struct measure *m) {
	return m->p->name;
}

bool measure_has_fault(const struct measure *m, const char *name) {
	for (size_t i = 0; i < m->p->n_faults; i++)
		if (strcmp(m->p->faults[i].name, name) == 0)
			return true;
	return false;
}

const struct report *measure_report(const struct measure *m) {
	return &m->rep;
}

/* ---- building and removing the lab ----------------------------------------- */

/* The pipeline of `hanet apply` (down: of `hanet down`) on the lab
 * profile, in process.  The caller holds the lock. */
static int lab_apply(struct measure *m, bool down, char *err, size_t errsize) {
	struct session s;
	struct session_result res = { 0 };
	unsigned flags = down ? PLAN_DOWN : 0;
	uint64_t wait = m->lock_wait_us;
	int r, lock_fd = -1, holder = 0;

	err[0] = '\0';
	/* the lock of every hanet run that changes the kernel, while this one
	 * does (hanet watch, started on the lab, takes it too) */
	if (m->applied_once && wait < LOCK_WAIT_LATER_US)
		wait = LOCK_WAIT_LATER_US;
	r = lock_take(wait, &lock_fd, &holder);
	if (r < 0) {
		if (r == -EBUSY)
			snprintf(err, errsize, "another hanet run (pid %d) holds %s", holder, HANET_LOCK_PATH);
		else
			snprintf(err, errsize, "taking %s: %s", HANET_LOCK_PATH, strerror(-r));
		return r;
	}
	m->applied_once = true;
	r = session_load(&s, m->path, down ? SESSION_NAME_OK | SESSION_NO_ROUTES | SESSION_DOWN : 0);
	if (r < 0) {
		snprintf(err, errsize, "%s", s.err[0] ? s.err : r == -EINVAL ? "invalid profile" : strerror(-r));
		goto out;
	}
	if (down && (r = owner_load_routes(s.owner)) < 0) {
		snprintf(err, errsize, "reading the routes it owns: %s", strerror(-r));
		goto out;
	}
	r = session_observe(&s);
	if (r < 0) {
		snprintf(err, errsize, "%s", s.err);
		goto out;
	}
	r = session_plan(&s, flags);
	if (r < 0) {
		snprintf(err, errsize, "planning: %s", s.err[0] ? s.err : strerror(-r));
		goto out;
	}
	if (s.plan->n == 0)
		goto out;
	r = session_apply(&s, &(struct session_apply_opts){ .seed = true, .verify = true, .verify_flags = flags, .rollback = true },
	                  &res);
	if (res.status == SESSION_APPLY_FAILED)
		snprintf(err, errsize, "%s", s.err);
	else if (res.status == SESSION_VERIFY_FAILED)
		snprintf(err, errsize, "verify: %s", s.err);
	else if (res.status == SESSION_MISMATCH)
		snprintf(err, errsize, "verify: the kernel does not match the profile: %s%s", res.left->v[0].text,
		         res.left->n > 1 ? " ..." : "");
out:
	session_result_fini(&res);
	session_fini(&s);
	lock_release(lock_fd);
	return r;
}

/* Every namespace the lab made: links of one end losing their carrier
 * keep their neighbours, and IPv6 addresses stay on a link set down, so
 * a trial measures the failover, not the second before the kernel asks
 * again for a neighbour it dropped (see doc/lab.md). */
static int write_sysctl(const char *path, const char *value) {
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;    /* an older kernel without it */
	if (write(fd, value, strlen(value)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int lab_sysctls(void *data) {
	static const char *const keys[][2] = {
		{ "/proc/sys/net/ipv4/conf/all/arp_evict_nocarrier", "0" },
		{ "/proc/sys/net/ipv6/conf/all/ndisc_evict_nocarrier", "0" },
		{ "/proc/sys/net/ipv6/conf/all/keep_addr_on_down", "1" },
		{ "/proc/sys/net/ipv6/conf/default/keep_addr_on_down", "1" },
	};
	int r;

	(void)data;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((r = write_sysctl(keys[i][0], keys[i][1])) < 0 && r != -EACCES && r != -EROFS)
			return r;
	return 0;
}

/* Until no global IPv6 address of the lab is tentative: a socket that
 * picks its source address meanwhile keeps one that cannot work. */
static int wait_dad(struct measure *m, char *err, size_t errsize) {
	struct observe_ns_req reqs[MAX_NETNS];
	uint64_t until = now_ns() + DAD_TIMEOUT_NS;
	int r;

	memset(reqs, 0, sizeof(reqs));
	for (size_t i = 0; i < m->n_netns; i++)
		reqs[i].netns = m->netns[i];
	for (;;) {
		struct state *st = NULL;
		const struct addr *tentative = NULL;
		const char *ns = NULL;
		char a[IPADDR_STRLEN];

		r = state_observe(m->nls, reqs, m->n_netns, &st);
		if (r < 0) {
			snprintf(err, errsize, "reading the lab's addresses: %s", strerror(-r));
			return r;
		}
		for (size_t i = 0; i < st->n_ns && !tentative; i++)
			for (size_t k = 0; k < st->ns[i].n_addrs; k++) {
				const struct addr *ad = &st->ns[i].addrs[k];

				if (ad->ip.family != AF_INET6 || ad->scope == RT_SCOPE_LINK)
					continue;
				if (ad->flags & IFA_F_DADFAILED) {
					snprintf(err, errsize, "netns %s: %s on %s: duplicate address detection failed",
					         netns_str(st->ns[i].name), format_ipaddr(&ad->ip, true, a, sizeof(a)), ad->dev);
					state_free(st);
					return -EADDRINUSE;
				}
				if (ad->flags & IFA_F_TENTATIVE) {
					tentative = ad;
					ns = st->ns[i].name;
					break;
				}
			}
		if (tentative && now_ns() >= until) {
			snprintf(err, errsize, "netns %s: %s on %s still tentative after %.0fs", netns_str(ns),
			         format_ipaddr(&tentative->ip, true, a, sizeof(a)), tentative->dev, (double)DAD_TIMEOUT_NS / 1e9);
			state_free(st);
			return -ETIMEDOUT;
		}
		state_free(st);
		if (!tentative)
			return 0;
		sleep_us(50000);
	}
}

/* The lab's services, each ready before the next. */
static int lab_services_start(struct measure *m, char *err, size_t errsize) {
	int r;

	if (!m->p->n_services)
		return 0;
	r = services_new(m->p, m->p->name, &m->svc);
	if (r < 0) {
		snprintf(err, errsize, "services: %s", strerror(-r));
		return r;
	}
	services_set_stop(m->svc, m->stop);
	r = services_start_all(m->svc, err, errsize);
	if (r < 0)
		services_stop_all(m->svc);
	return r;
}

int measure_lab_up(struct measure *m, char *err, size_t errsize) {
	struct owner *o = NULL;
	int r;

	r = lab_apply(m, false, err, errsize);
	if (r < 0)
		return r;
	m->up = true;
	r = owner_load(m->p->name, &o);
	if (r < 0) {
		snprintf(err, errsize, "reading the records of %s: %s", m->p->name, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < m->p->n_netns; i++) {
		const char *ns = m->p->netns[i].name;

		if (!owner_has_netns(o, ns))
			continue;
		r = netns_run(ns, lab_sysctls, NULL);
		if (r < 0) {
			snprintf(err, errsize, "netns %s: setting the lab's sysctls: %s", ns, strerror(-r));
			owner_free(o);
			return r;
		}
	}
	owner_free(o);

	r = wait_dad(m, err, errsize);
	if (r < 0)
		return r;

	r = timeline_new(&m->tl);
	for (size_t i = 0; r >= 0 && i < m->n_netns; i++)
		r = timeline_add_netns(m->tl, m->netns[i], 0);
	/* what crosses the lab's switches: announcements, whoever sent
	 * them, and VRRP adverts (one capture per namespace with a bridge) */
	for (size_t i = 0; r >= 0 && i < m->p->n_links; i++) {
		const struct link *l = &m->p->links[i];
		bool seen = false;

		if (l->kind != LINK_BRIDGE)
			continue;
		for (size_t k = 0; k < i; k++)
			seen |= m->p->links[k].kind == LINK_BRIDGE && netns_eq(m->p->links[k].netns, l->netns);
		if (!seen && (r = timeline_add_capture(m->tl, l->netns, l->name)) < 0)
			snprintf(err, errsize, "netns %s: capturing on its links: %s", netns_str(l->netns), strerror(-r));
	}
	if (r < 0) {
		if (!err[0])
			snprintf(err, errsize, "following the lab's netlink events: %s", strerror(-r));
		return r;
	}
	return lab_services_start(m, err, errsize);
}

int measure_lab_down(struct measure *m, char *err, size_t errsize) {
	int r;

	err[0] = '\0';
	if (m->watch_pid > 0 || m->watch_dir[0]) {
		char werr[512];

		/* it removes what its own profile made (--down-on-exit) */
		if (measure_watch_stop(m, werr, sizeof(werr)) < 0)
			snprintf(err, errsize, "%s", werr);
	}
	/* the services first: what they do to the lab (release a VIP) is
	 * done while it is still there */
	svc_events_stop(m->svc_ev);
	m->svc_ev = NULL;
	services_free(m->svc);
	m->svc = NULL;
	if (m->tl) {
		timeline_stop(m->tl);
	}
	for (size_t i = 0; i < m->n_resp; i++)
		prober_responder_stop(m->resp[i]);
	m->n_resp = 0;
	/* the faults' sockets point into namespaces about to go */
	nls_free(m->nls);
	m->nls = NULL;
	r = lab_apply(m, true, err, errsize);
	if (r >= 0)
		m->up = false;
	return r;
}

/* ---- hanet watch on the lab ---------------------------------------------------------- */

/* Whether the kernel matches profile path: nothing left to plan. */
static int profile_matches(const char *path, char *err, size_t errsize) {
	struct session s;
	int r;

	r = session_load(&s, path, 0);
	if (r < 0) {
		snprintf(err, errsize, "%s: %s", path, s.err[0] ? s.err : r == -EINVAL ? "invalid profile" : strerror(-r));
		session_fini(&s);
		return r;
	}
	r = session_observe(&s);
	if (r >= 0)
		r = session_plan(&s, 0);
	if (r >= 0)
		r = s.plan->n == 0;
	else
		snprintf(err, errsize, "%s: %s", path, s.err);
	session_fini(&s);
	return r;
}

/* The last lines of the watch's log, for an error message. */
static void watch_log_tail(const struct measure *m, char *buf, size_t size) {
	char path[128], all[4096];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/watch.log", m->watch_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, all, sizeof(all) - 1, 0);
	close(fd);
	if (n <= 0)
		return;
	all[n] = '\0';
	while (n > 0 && all[n - 1] == '\n')
		all[--n] = '\0';
	{
		const char *last = strrchr(all, '\n');
		size_t len;

		last = last ? last + 1 : all;
		len = strlen(last) < size - 1 ? strlen(last) : size - 1;
		memcpy(buf, last, len);
		buf[len] = '\0';
	}
}

int measure_watch_start(struct measure *m, const char *path, char *err, size_t errsize) {
	char rec[128], log[128], self[64];
	uint64_t until;
	sigset_t none;
	pid_t pid;
	int r;

	err[0] = '\0';
	if (m->watch_pid > 0)
		return -EBUSY;
	free(m->watch_path);
	m->watch_path = strdup(path);
	if (!m->watch_path)
		return -ENOMEM;
	snprintf(m->watch_dir, sizeof(m->watch_dir), "/tmp/hanet-measure.XXXXXX");
	if (!mkdtemp(m->watch_dir)) {
		r = -errno;
		m->watch_dir[0] = '\0';
		snprintf(err, errsize, "a directory for hanet watch's records: %s", strerror(-r));
		return r;
	}
	snprintf(rec, sizeof(rec), "%s/records.jsonl", m->watch_dir);
	snprintf(log, sizeof(log), "%s/watch.log", m->watch_dir);
	snprintf(self, sizeof(self), "/proc/self/exe");
	m->watch_read = 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(err, errsize, "starting hanet watch: %s", strerror(-r));
		return r;
	}
	if (pid == 0) {
		/* its own process group: the terminal's ^C is for hanet measure,
		 * which stops it in order */
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execl(self, "hanet", "watch", "--records", rec, "--down-on-exit", "--resync-interval", "0", path,
		      (char *)NULL);
		_exit(EXIT_RUNTIME);
	}
	m->watch_pid = pid;

	/* ready: its profile applied (the kernel matches it) */
	until = now_us() + WATCH_READY_US;
	for (;;) {
		int st;
		char tail[512];

		if (waitpid(pid, &st, WNOHANG) == pid) {
			m->watch_pid = 0;
			watch_log_tail(m, tail, sizeof(tail));
			snprintf(err, errsize, "hanet watch %s exited (status %d)%s%s", path,
			         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), tail[0] ? ": " : "", tail);
			return -ECHILD;
		}
		r = profile_matches(path, err, errsize);
		if (r < 0)
			return r;
		if (r > 0)
			return 0;
		if (now_us() >= until) {
			watch_log_tail(m, tail, sizeof(tail));
			snprintf(err, errsize, "hanet watch %s: its profile not applied after %.0fs%s%s", path,
			         (double)WATCH_READY_US / 1e6, tail[0] ? ": " : "", tail);
			return -ETIMEDOUT;
		}
		sleep_us(50000);
	}
}

int measure_watch_stop(struct measure *m, char *err, size_t errsize) {
	uint64_t until = now_us() + WATCH_STOP_US;
	int st = 0, r = 0;

	err[0] = '\0';
	if (m->watch_pid > 0) {
		kill(m->watch_pid, SIGTERM);
		for (;;) {
			pid_t w = waitpid(m->watch_pid, &st, WNOHANG);

			if (w == m->watch_pid || (w < 0 && errno != EINTR))
				break;
			if (now_us() >= until) {
				kill(m->watch_pid, SIGKILL);
				waitpid(m->watch_pid, &st, 0);
				snprintf(err, errsize, "hanet watch did not stop within %.0fs: killed", (double)WATCH_STOP_US / 1e6);
				r = -ETIMEDOUT;
				break;
			}
			sleep_us(20000);
		}
		if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			char tail[512];

			watch_log_tail(m, tail, sizeof(tail));
			snprintf(err, errsize, "hanet watch exited with status %d%s%s",
			         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), tail[0] ? ": " : "", tail);
			r = -EPROTO;
		}
		m->watch_pid = 0;
	}
	if (m->watch_dir[0]) {
		char path[128];

		snprintf(path, sizeof(path), "%s/records.jsonl", m->watch_dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/watch.log", m->watch_dir);
		unlink(path);
		rmdir(m->watch_dir);
		m->watch_dir[0] = '\0';
	}
	return r;
}

/* A string or number field of a one-line JSON record (hanet watch writes
 * names without escapes): 0, or -ENOENT. */
static int record_field(const char *line, const char *key, char *buf, size_t size) {
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return -ENOENT;
	p += strlen(pat);
	if (*p == '"') {
		p++;
		e = strchr(p, '"');
	} else {
		e = p + strcspn(p, ",}");
	}
	if (!e || (size_t)(e - p) >= size)
		return -ENOENT;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return 0;
}

/* The team failovers hanet watch recorded since the last call, into the
 * timeline as active-port events at the times it made them. */
static void watch_ingest(struct measure *m) {
	char path[128], buf[65536];
	ssize_t n;
	int fd;

	if (!m->watch_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/records.jsonl", m->watch_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf) - 1, m->watch_read)) > 0) {
		char *line = buf, *nl;

		buf[n] = '\0';
		/* whole lines only: a line being written is read next time */
		while ((nl = strchr(line, '\n'))) {
			char ev[32], mono[32], ns[NETNS_NAME_MAX + 1], link[IFNAMSIZ], to[IFNAMSIZ], detail[64];
			uint64_t t;

			*nl = '\0';
			if (record_field(line, "event", ev, sizeof(ev)) == 0 && strcmp(ev, "team-active-port") == 0 &&
			    record_field(line, "mono_ns", mono, sizeof(mono)) == 0 && parse_u64(mono, &t) == 0 &&
			    record_field(line, "link", link, sizeof(link)) == 0) {
				if (record_field(line, "netns", ns, sizeof(ns)) < 0 || strcmp(ns, "null") == 0)
					ns[0] = '\0';
				if (record_field(line, "to", to, sizeof(to)) < 0 || strcmp(to, "null") == 0)
					snprintf(to, sizeof(to), "none");
				snprintf(detail, sizeof(detail), "active port %s (hanet watch)", to);
				timeline_add(m->tl, TL_ACTIVE_PORT, t, ns[0] ? ns : NULL, link, detail);
			}
			m->watch_read += nl + 1 - line;
			line = nl + 1;
		}
		if (line == buf)
			break;          /* no whole line yet */
	}
	close(fd);
}

/* ---- probing ---------------------------------------------------------------- */

/* The real-time priority of the threads that work all along (prober,
 * responders, faults).  With one CPU they would hold off the kernel's
 * own packet processing (ksoftirqd), and the measurement with it: there
 * only the event recorder, which mostly waits, runs SCHED_FIFO. */
static int rt_busy(const struct measure_opts *o) {
	static long cpus;

	if (!cpus)
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus >= 2 ? o->rt_priority : 0;
}

static void prober_conf_of(const struct probe_conf *pr, const struct measure_opts *o, uint64_t duration_ns,
                           struct prober_conf *ret) {
	uint64_t probes;

	memset(ret, 0, sizeof(*ret));
	ret->netns = pr->from;
	ret->target = pr->to_addr;
	ret->kind = pr->kind;
	ret->port = pr->port;
	ret->interval_ns = pr->interval_us * 1000;
	if (ret->interval_ns < PROBER_INTERVAL_MIN_NS)
		ret->interval_ns = PROBER_INTERVAL_MIN_NS;
	if (duration_ns > PROBER_MAX_DURATION_NS)
		duration_ns = PROBER_MAX_DURATION_NS;
	ret->max_duration_ns = duration_ns;
	probes = duration_ns / ret->interval_ns + 1;
	ret->max_probes = probes > PROBER_MAX_PROBES ? PROBER_MAX_PROBES : (uint32_t)probes;
	ret->rt_priority = rt_busy(o);
	ret->spin_ns = ret->rt_priority > 0 ? SPIN_NS : 0;
}

static const struct probe_conf *probe_by_name(const struct profile *p, const char *name) {
	for (size_t i = 0; i < p->n_probes; i++)
		if (strcmp(p->probes[i].name, name) == 0)
			return &p->probes[i];
	return NULL;
}

static void probe_describe(const struct probe_conf *pr, char *buf, size_t size) {
	char a[IPADDR_STRLEN];
	struct ipaddr t = pr->to_addr;

	t.plen = (uint8_t)(ipaddr_len(t.family) * 8);
	snprintf(buf, size, "%s from %s to %s%s%s", pr->kind == PROBE_UDP ? "udp" : "icmp", pr->from,
	         format_ipaddr(&t, false, a, sizeof(a)), strcmp(pr->to, a) != 0 ? " = " : "",
	         strcmp(pr->to, a) != 0 ? pr->to : "");
}

/* UDP probes are answered by hanet's responder: one in every lab
 * namespace but the probes' own. */
static int start_responders(struct measure *m, const struct measure_opts *o, char *err, size_t errsize) {
	bool udp = false;
	sigset_t old;
	int r = 0;

	for (size_t i = 0; i < m->p->n_probes; i++)
		if (m->p->probes[i].kind == PROBE_UDP)
			udp = true;
	if (!udp || m->n_resp)
		return 0;
	signals_block(&old);
	for (size_t i = 0; i < m->n_netns && r >= 0; i++) {
		bool is_from = false;

		for (size_t k = 0; k < m->p->n_probes; k++)
			if (m->p->probes[k].kind == PROBE_UDP && netns_eq(m->p->probes[k].from, m->netns[i]))
				is_from = true;
		if (is_from)
			continue;
		/* one port per responder: the probes' (every udp probe of a lab shares it) */
		for (size_t k = 0; k < m->p->n_probes; k++) {
			if (m->p->probes[k].kind != PROBE_UDP)
				continue;
			r = prober_responder_start(m->netns[i], m->p->probes[k].port, rt_busy(o), &m->resp[m->n_resp]);
			if (r >= 0)
				m->n_resp++;
			else
				snprintf(err, errsize, "netns %s: the UDP responder: %s", m->netns[i], strerror(-r));
			break;
		}
	}
	signals_restore(&old);
	return r;
}

static int run_steady(struct measure *m, const struct measure_opts *o, char *err, size_t errsize) {
	const struct profile *p = m->p;
	uint64_t timeout = o->timeout_ns ? o->timeout_ns : MEASURE_TIMEOUT_DEFAULT_NS;

	m->steady = calloc(p->n_probes ? p->n_probes : 1, sizeof(*m->steady));
	m->steady_desc = calloc(p->n_probes ? p->n_probes : 1, sizeof(*m->steady_desc));
	if (!m->steady || !m->steady_desc)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_probes; i++) {
		const struct probe_conf *pr = &p->probes[i];
		struct report_steady *st = &m->steady[m->rep.n_steady];
		struct prober_conf pc;
		struct prober *pb = NULL;
		const struct probe_rec *rec;
		sigset_t old;
		uint64_t t0;
		size_t n, k = 0;
		char a[24];
		int r;

		prober_conf_of(pr, o, READY_TIMEOUT_NS + timeout + WARMUP_NS + o->steady_ns + CHUNK_NS, &pc);
		r = prober_new(&pc, &pb);
		if (r >= 0) {
			signals_block(&old);
			r = prober_start(pb);
			signals_restore(&old);
		}
		if (r < 0) {
			snprintf(err, errsize, "probe %s: starting the prober: %s", pr->name, strerror(-r));
			prober_free(pb);
			return r;
		}
		/* the first reply (neighbours resolved), a warm-up, then the
		 * steady state counted */
		r = wait_reply(o, pb, 0, timeout > READY_TIMEOUT_NS ? timeout : READY_TIMEOUT_NS);
		if (r < 0) {
			if (r != -EINTR)
				snprintf(err, errsize, "probe %s: no reply (%s): the lab does not work", pr->name,
				         r == -ETIMEDOUT ? "waited the timeout" : strerror(-r));
			prober_free(pb);
			return r == -EINTR ? r : -EIO;
		}
		t0 = now_ns() + WARMUP_NS;
		if (!sleep_until(o, t0 + o->steady_ns + CHUNK_NS)) {
			prober_free(pb);
			return -EINTR;
		}
		r = prober_stop(pb);
		if (r < 0) {
			snprintf(err, errsize, "probe %s: %s", pr->name, strerror(-r));
			prober_free(pb);
			return r;
		}
		rec = prober_records(pb, &n);
		while (k < n && rec[k].send_ns < t0)
			k++;
		while (n > k && rec[n - 1].send_ns >= t0 + o->steady_ns)
			n--;
		r = report_gap_stats(rec + k, n - k, &st->gaps);
		prober_free(pb);
		if (r < 0)
			return r;
		probe_describe(pr, m->steady_desc[m->rep.n_steady], sizeof(m->steady_desc[0]));
		st->name = pr->name;
		st->description = m->steady_desc[m->rep.n_steady];
		st->interval_ns = pc.interval_ns;
		st->duration_ns = o->steady_ns;
		m->rep.n_steady++;
		m->rep.steady = m->steady;
		progress(o, "probe %s: steady state %s: %" PRIu32 "/%" PRIu32 " replies, gap p99.9 %s max %s", pr->name,
		         report_fmt_ns((int64_t)o->steady_ns, (char[24]){ 0 }, 24), st->gaps.received, st->gaps.sent,
		         report_fmt_ns((int64_t)st->gaps.p999_ns, a, sizeof(a)),
		         report_fmt_ns((int64_t)st->gaps.max_ns, (char[24]){ 0 }, 24));
	}
	return 0;
}

/* ---- trials --------------------------------------------------------------------- */

static int reapply_lab(void *data, char *err, size_t errsize) {
	struct measure *m = data;

	return lab_apply(m, false, err, errsize);
}

static int run_trial(struct measure *m, const struct measure_opts *o, const struct fault_conf *fc,
                     const struct probe_conf *pr, struct fault *f, uint64_t timeout_ns, struct report_trial *ret,
                     char *err, size_t errsize) {
	struct trial_opts topts = { 0 };
	struct prober_conf pc;
	struct prober *pb = NULL;
	const struct probe_rec *rec;
	struct tl_event *ev = NULL;
	struct probe_rec *copy;
	uint64_t interval, settle, tail, analysis_tail, t_start, t_fault = 0, t_end, ev_end, window, jitter, t_check;
	size_t n, n_ev;
	sigset_t old;
	bool injected = false, resumed;
	int r;

	interval = pr->interval_us * 1000;
	settle = fc->settle_us * 1000;
	if (settle < SETTLE_MIN_NS)
		settle = SETTLE_MIN_NS;
	if (settle < SETTLE_MIN_PROBES * interval)
		settle = SETTLE_MIN_PROBES * interval;
	tail = TAIL_MIN_NS > TAIL_MIN_PROBES * interval ? TAIL_MIN_NS : TAIL_MIN_PROBES * interval;
	analysis_tail = ANALYSIS_TAIL_NS > ANALYSIS_TAIL_PROBES * interval ? ANALYSIS_TAIL_NS : ANALYSIS_TAIL_PROBES * interval;
	/* settle, a baseline (at most timeout), the fault, recovery (at most
	 * timeout) and the tail or settle again, and a second for the
	 * fault's own requests */
	r = fault_prepare(f, err, errsize);
	if (r < 0)
		return r;
	/* an outage may begin after the fault (a respawned process dropping
	 * the vip a second later): replies are watched at least the SLA's
	 * failover_max after it */
	window = m->p->sla.set ? m->p->sla.failover_max_us * 1000 : 0;
	jitter = fault_jitter_ns(f);
	prober_conf_of(pr, o, 2 * settle + READY_TIMEOUT_NS + 3 * timeout_ns + 2 * tail + jitter + window + 1000000000ull,
	               &pc);
	r = prober_new(&pc, &pb);
	if (r >= 0) {
		signals_block(&old);
		r = prober_start(pb);
		signals_restore(&old);
	}
	if (r < 0) {
		snprintf(err, errsize, "probe %s: starting the prober: %s", pr->name, strerror(-r));
		goto out;
	}
	t_start = now_ns();
	if (!sleep_until(o, t_start + settle)) {
		r = -EINTR;
		goto out;
	}
	/* the lab works: a probe sent from now on is answered */
	r = wait_reply(o, pb, now_ns(), timeout_ns > READY_TIMEOUT_NS ? timeout_ns : READY_TIMEOUT_NS);
	if (r < 0) {
		if (r != -EINTR)
			snprintf(err, errsize, "probe %s: no reply before the fault (%s): the lab does not work", pr->name,
			         r == -ETIMEDOUT ? "waited the timeout" : strerror(-r));
		r = r == -ESRCH ? -EIO : r;
		goto out;
	}
	/* a random phase: faults do not lock to a protocol's cycle */
	if (jitter && !sleep_until(o, now_ns() + jitter)) {
		r = -EINTR;
		goto out;
	}
	r = fault_inject(f, m->tl, &t_fault, err, errsize);
	if (r < 0)
		goto out;
	injected = true;
	/* replies resumed (or the timeout), then a tail; and in any case
	 * probing goes on for the settle time after the fault: the effect of
	 * a fault may come later than the first reply after it */
	r = wait_reply(o, pb, t_fault, timeout_ns);
	if (r == -EINTR)
		goto out;
	resumed = r == 0;
	t_end = now_ns() + tail;
	if (t_end < t_fault + settle)
		t_end = t_fault + settle;
	if (t_end < t_fault + window)
		t_end = t_fault + window;
	if (!sleep_until(o, t_end)) {
		r = -EINTR;
		goto out;
	}
	/* an outage that began after the first reply is measured whole: if
	 * replies have stopped again, wait (the timeout) until they resume */
	t_check = now_ns();
	r = resumed ? wait_reply(o, pb, t_check, timeout_ns) : -ETIMEDOUT;
	if (r == -EINTR)
		goto out;
	if (r == 0 && now_ns() - t_check > 2 * interval + CHUNK_NS && !sleep_until(o, now_ns() + tail)) {
		r = -EINTR;
		goto out;
	}
	r = prober_stop(pb);
	if (r < 0) {
		snprintf(err, errsize, "probe %s: %s", pr->name, strerror(-r));
		goto out;
	}
	t_end = now_ns();
	rec = prober_records(pb, &n);
	copy = malloc((n ? n : 1) * sizeof(*copy));
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, rec, n * sizeof(*copy));
	watch_ingest(m);
	ev_end = t_end;
	if (m->svc_ev) {
		/* the services' own events come late: an alert agent writes a
		 * resource's start once the agent has returned, a log follower
		 * polls.  Those stamped up to EVENTS_LATE_NS after the trial are
		 * still its own (the restore comes after): wait for them, and
		 * for the files to be read that far. */
		ev_end += EVENTS_LATE_NS;
		if (!sleep_until(o, ev_end)) {
			free(copy);
			r = -EINTR;
			goto out;
		}
		svc_events_catch_up(m->svc_ev);
	}
	r = timeline_events(m->tl, t_start, ev_end, &ev, &n_ev);
	if (r < 0) {
		free(copy);
		goto out;
	}
	topts.interval_ns = pc.interval_ns;
	fault_trial_opts(f, &topts);
	r = trial_analyze(copy, n, t_fault, ev, n_ev, &topts, &ret->res);
	if (r >= 0 && ret->res.has_reaction) {
		/* the outage is this fault's: analyse up to shortly after the
		 * first reply following both the fault and its first reaction
		 * (jitter later on is not an outage, and its end no convergence) */
		uint64_t after = ret->res.reaction.t_ns > t_fault ? ret->res.reaction.t_ns : t_fault;

		for (size_t i = 0; i < n; i++)
			if (copy[i].send_ns > after && copy[i].recv_ns) {
				topts.horizon_ns = copy[i].recv_ns - t_fault + analysis_tail;
				r = trial_analyze(copy, n, t_fault, ev, n_ev, &topts, &ret->res);
				break;
			}
	}
	if (r < 0) {
		free(copy);
		free(ev);
		goto out;
	}
	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		/* the probes around the outage */
		const struct trial_result *res = &ret->res;

		for (size_t i = 0; i < n; i++) {
			if (copy[i].send_ns + 3 * interval < res->gap_start_ns || copy[i].send_ns > res->gap_end_ns + 3 * interval)
				continue;
			log_debug("probe %zu: sent %+.3fms, %s%.3fms", i, ((double)copy[i].send_ns - (double)t_fault) / 1e6,
			          copy[i].recv_ns ? "reply " : "no reply",
			          copy[i].recv_ns ? ((double)copy[i].recv_ns - (double)t_fault) / 1e6 : 0.0);
		}
	}
	{
		/* how well the prober kept its pace from the fault to the end of
		 * the outage (and past the first reaction) */
		const struct trial_result *res = &ret->res;
		uint64_t to = res->recovered ? res->gap_end_ns : t_end, prev = 0;

		if (res->has_reaction && res->reaction.t_ns + 2 * interval > to)
			to = res->reaction.t_ns + 2 * interval;
		if (to < t_fault + interval)
			to = t_fault + interval;
		ret->send_gap_ns = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t sn = copy[i].send_ns;

			if (prev && sn >= t_fault && sn - prev > ret->send_gap_ns)
				ret->send_gap_ns = sn - prev;
			prev = sn;
			if (sn > to)
				break;
		}
	}
	ret->rec = copy;
	ret->n_rec = n;
	ret->ev = ev;
	ret->n_ev = n_ev;
	r = 0;
out:
	prober_free(pb);
	if (injected && fc->restore_auto) {
		char e2[256];
		int r2 = fault_restore(f, m->tl, MEASURE_RESTORE_TIMEOUT_NS, e2, sizeof(e2));

		/* and the lab's services as before the fault: each one ready
		 * (a VRRP master taking its VIP back) */
		if (r2 >= 0 && m->svc)
			r2 = services_wait_ready(m->svc, e2, sizeof(e2));
		if (r2 < 0 && r >= 0) {
			snprintf(err, errsize, "restoring: %s", e2);
			r = r2;
		}
	}
	return r;
}

static void set_rt(int prio) {
	struct sched_param sp = { .sched_priority = prio };

	pthread_setschedparam(pthread_self(), prio > 0 ? SCHED_FIFO : SCHED_OTHER, &sp);
}

/* How long replies may take to resume before a trial is "not
 * recovered": --timeout, else from the SLA: twice failover_max and a
 * second (at least the default), so a slow recovery is measured, not cut. */
static uint64_t recovery_wait(const struct measure *m, const struct measure_opts *o) {
	uint64_t t = MEASURE_TIMEOUT_DEFAULT_NS;

	if (o->timeout_ns)
		return o->timeout_ns;
	if (m->p->sla.set && 2 * m->p->sla.failover_max_us * 1000 + 1000000000ull > t)
		t = 2 * m->p->sla.failover_max_us * 1000 + 1000000000ull;
	return t;
}

static int run_fault(struct measure *m, const struct measure_opts *o, const struct fault_conf *fc, char *err,
                     size_t errsize) {
	const struct probe_conf *pr = probe_by_name(m->p, fc->probe);
	struct fault_hooks hooks = { .reapply = reapply_lab, .data = m, .services = m->svc };
	struct report_group *g = &m->groups[m->rep.n_groups];
	uint64_t timeout = recovery_wait(m, o);
	uint32_t trials = o->trials ? o->trials : fc->trials;
	struct fault *f = NULL;
	char e2[512];
	int r;

	if (!pr) {
		snprintf(err, errsize, "fault %s: no probe", fc->name);
		return -EINVAL;
	}
	if (!fc->restore_auto && trials > 1) {
		snprintf(err, errsize, "fault %s: restore = none allows one trial, not %" PRIu32, fc->name, trials);
		return -EINVAL;
	}
	r = fault_new(m->p, fc, m->nls, &hooks, &f, e2, sizeof(e2));
	if (r < 0) {
		snprintf(err, errsize, "fault %s: %s", fc->name, e2);
		return r;
	}
	memset(g, 0, sizeof(*g));
	g->trials = calloc(trials, sizeof(*g->trials));
	if (!g->trials) {
		fault_free(f);
		return -ENOMEM;
	}
	snprintf(m->group_desc[m->rep.n_groups], sizeof(m->group_desc[0]), "%s", fault_describe(f));
	g->name = fc->name;
	g->description = m->group_desc[m->rep.n_groups];
	g->interval_ns = pr->interval_us * 1000;
	{
		struct trial_opts to = { 0 };

		fault_trial_opts(f, &to);
		if (to.vip)
			g->vip = *to.vip;
	}
	m->rep.n_groups++;
	m->rep.groups = m->groups;
	progress(o, "fault %s: %s; %" PRIu32 " trial%s, probe %s every %s", fc->name, fault_describe(f), trials,
	         trials == 1 ? "" : "s", pr->name, report_fmt_ns((int64_t)g->interval_ns, (char[24]){ 0 }, 24));

	g->redo_limit_ns = REDO_MIN_NS > REDO_PROBES * g->interval_ns ? REDO_MIN_NS : REDO_PROBES * g->interval_ns;
	/* an unseen interruption of a twentieth of the SLA does not matter
	 * (a VRRPv2 failover takes seconds: a 10 ms hold-up is no reason to
	 * measure it again) */
	if (m->p->sla.set && m->p->sla.failover_max_us * 1000 / 20 > g->redo_limit_ns)
		g->redo_limit_ns = m->p->sla.failover_max_us * 1000 / 20;
	for (uint32_t i = 0, again = 0; i < trials;) {
		struct report_trial *t = &g->trials[g->n_trials];
		const struct trial_result *res = &t->res;
		char a[3][24];

		r = run_trial(m, o, fc, pr, f, timeout, t, e2, sizeof(e2));
		if (r < 0) {
			if (r != -EINTR)
				snprintf(err, errsize, "fault %s: trial %" PRIu32 ": %s", fc->name, i + 1, e2);
			break;
		}
		if (t->send_gap_ns > g->redo_limit_ns && fc->restore_auto && again < REDO_MAX && g->redone < 2 * trials) {
			/* the prober was held up around the fault (a busy machine):
			 * an interruption may have gone unseen */
			progress(o, "fault %s: trial %" PRIu32 "/%" PRIu32 ": measured again: no probe sent for %s after the "
			            "fault (a busy machine)",
			         fc->name, i + 1, trials, report_fmt_ns((int64_t)t->send_gap_ns, a[0], sizeof(a[0])));
			free((void *)t->rec);
			free((void *)t->ev);
			memset(t, 0, sizeof(*t));
			again++;
			g->redone++;
			continue;
		}
		i++;
		again = 0;
		g->n_trials++;
		if (res->recovered)
			progress(o, "fault %s: trial %" PRIu32 "/%" PRIu32 ": outage %s, %" PRIu32 " lost, detection %s", fc->name,
			         i, trials, report_fmt_ns((int64_t)res->outage_ns, a[0], sizeof(a[0])), res->lost,
			         report_fmt_ns(res->detection_ns, a[1], sizeof(a[1])));
		else
			progress(o, "fault %s: trial %" PRIu32 "/%" PRIu32 ": no reply within %s (not recovered)", fc->name,
			         i, trials, report_fmt_ns((int64_t)timeout, a[2], sizeof(a[2])));
	}
	fault_free(f);
	return r < 0 ? r : 0;
}

int measure_run(struct measure *m, const struct measure_opts *o, char *err, size_t errsize) {
	const struct profile *p = m->p;
	bool any = false;
	sigset_t old;
	int r;

	err[0] = '\0';
	if (!m->up || !m->tl) {
		snprintf(err, errsize, "the lab is not up");
		return -EINVAL;
	}
	if (o->fault) {
		for (size_t i = 0; i < p->n_faults; i++)
			if (strcmp(p->faults[i].name, o->fault) == 0)
				any = true;
		if (!any) {
			snprintf(err, errsize, "no [fault %s] in the profile", o->fault);
			return -ENOENT;
		}
	}
	m->groups = calloc(p->n_faults, sizeof(*m->groups));
	m->group_desc = calloc(p->n_faults, sizeof(*m->group_desc));
	if (!m->groups || !m->group_desc)
		return -ENOMEM;

	if (o->rt_priority > 0)
		timeline_set_rt_priority(m->tl, o->rt_priority);
	signals_block(&old);
	r = timeline_start(m->tl);
	signals_restore(&old);
	if (r < 0) {
		snprintf(err, errsize, "following the lab's netlink events: %s", strerror(-r));
		return r;
	}
	if (m->svc && !m->svc_ev) {
		/* the services' own events (a cluster's membership, its
		 * resources) on the timeline */
		r = svc_events_start(m->svc, m->tl, &m->svc_ev);
		if (r < 0) {
			snprintf(err, errsize, "following the services' events: %s", strerror(-r));
			return r;
		}
	}
	r = start_responders(m, o, err, errsize);
	if (r < 0)
		return r;
	if (rt_busy(o) > 0)
		set_rt(rt_busy(o));

	if (o->steady_ns) {
		r = run_steady(m, o, err, errsize);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < p->n_faults; i++) {
		if (o->fault && strcmp(p->faults[i].name, o->fault) != 0)
			continue;
		r = run_fault(m, o, &p->faults[i], err, errsize);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (rt_busy(o) > 0)
		set_rt(0);
	if (r >= 0 && stopped(o))
		r = -EINTR;
	if (timeline_dropped(m->tl) && r >= 0) {
		snprintf(err, errsize, "the timeline dropped %zu events", timeline_dropped(m->tl));
		r = -ENOBUFS;
	}
	return r;
}
