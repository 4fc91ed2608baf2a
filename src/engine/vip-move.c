/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Moving a set of VIPs together (see vip-move.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "collision.h"
#include "exitcode.h"
#include "log.h"
#include "hnl.h"
#include "util.h"
#include "vip-move.h"
#include "vip.h"

static const char *ns_name(const char *netns) {
	return netns && *netns ? netns : "(current)";
}

int vip_moves_parse(const struct profile *p, const char *path, const char *list, struct vip_move **ret, size_t *ret_n) {
	struct vip_move *m;
	size_t n = 0, cap = 1;
	char *copy, *save = NULL;

	for (const char *s = list; *s; s++)
		cap += *s == ',';
	m = calloc(cap, sizeof(*m));
	copy = strdup(list);
	if (!m || !copy) {
		free(m);
		free(copy);
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct vip *v;

		t = strstrip(t);
		if (!*t)
			continue;
		v = profile_find_vip(p, t);
		if (!v) {
			log_error("%s: no [vip %s] in the profile", path, t);
			goto fail;
		}
		for (size_t i = 0; i < n; i++)
			if (m[i].v == v) {
				log_error("%s: vip %s named twice", path, t);
				goto fail;
			}
		m[n++] = (struct vip_move){ .v = v, .count = v->announce_count, .interval_us = v->announce_interval_us };
	}
	free(copy);
	if (n == 0) {
		log_error("%s: no VIP named", path);
		free(m);
		return EXIT_INVALID;
	}
	*ret = m;
	*ret_n = n;
	return EXIT_OK;
fail:
	free(copy);
	free(m);
	return EXIT_INVALID;
}

/* ---- locks ------------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) {
	const struct vip_move *const *x = a, *const *y = b;

	return strcmp((*x)->v->name, (*y)->v->name);
}

static void unlock_all(int *fds, size_t n) {
	for (size_t i = 0; i < n; i++) {
		vip_unlock(fds[i]);
		fds[i] = -1;
	}
}

/* The lock of every VIP, by name, within one wait: EXIT_OK and fds[]. */
static int lock_all(const char *profile, struct vip_move *m, size_t n, uint64_t wait_us, int *fds) {
	struct vip_move **order = calloc(n, sizeof(*order));
	uint64_t deadline = now_us() + wait_us;
	int ret = EXIT_OK;

	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	if (!order) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &m[i];
	qsort(order, n, sizeof(*order), cmp_name);
	for (size_t i = 0; i < n; i++) {
		uint64_t now = now_us();
		int r = vip_lock(profile, order[i]->v->name, deadline > now ? deadline - now : 0, &fds[i]);

		if (r == -EBUSY) {
			log_error("vip %s: another takeover or release of it holds %s/%s/%s.lock", order[i]->v->name,
			          VIP_RUN_DIR, profile, order[i]->v->name);
			ret = EXIT_LOCKED;
		} else if (r < 0) {
			log_error_errno(r, "vip %s: taking its lock: %m", order[i]->v->name);
			ret = EXIT_RUNTIME;
		}
		if (ret != EXIT_OK) {
			fds[i] = -1;
			unlock_all(fds, i);
			break;
		}
	}
	free(order);
	return ret;
}

/* ---- request sockets, one per namespace ------------------------------------------------- */

struct hnl_pool {
	const char *netns[16];
	struct hnl *nl[16];
	size_t n;
};

static int hnl_pool_get(struct hnl_pool *c, const char *netns, struct hnl **ret) {
	int r;

	for (size_t i = 0; i < c->n; i++)
		if (netns_eq(c->netns[i], netns)) {
			*ret = c->nl[i];
			return 0;
		}
	if (c->n == ARRAY_SIZE(c->nl)) {
		/* more namespaces than the cache holds: the last one is reused */
		hnl_free(c->nl[--c->n]);
	}
	r = hnl_open(netns, &c->nl[c->n]);
	if (r < 0)
		return r;
	c->netns[c->n] = netns;
	*ret = c->nl[c->n++];
	return 0;
}

static void hnl_pool_fini(struct hnl_pool *c) {
	for (size_t i = 0; i < c->n; i++)
		hnl_free(c->nl[i]);
	c->n = 0;
}

/* ---- the announcement schedule -------------------------------------------------------- */

/* Rounds 2..count of every VIP of the set (round 1 went at t_announced),
 * in time order.  `check` (a background process): a VIP whose held
 * record has lost its token is dropped from the schedule. */
static int run_schedule(const char *profile, struct vip_move *m, size_t n, bool check, bool count_sent) {
	uint32_t *next = calloc(n, sizeof(*next));
	int r, ret = 0;

	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		next[i] = m[i].t_announced ? 1 : m[i].count;
	for (;;) {
		size_t best = n;
		uint64_t at = 0, now;

		for (size_t i = 0; i < n; i++) {
			uint64_t t;

			if (next[i] >= m[i].count)
				continue;
			t = m[i].t_announced + (uint64_t)next[i] * m[i].interval_us * 1000;
			if (best == n || t < at) {
				best = i;
				at = t;
			}
		}
		if (best == n)
			break;
		now = now_ns();
		if (at > now)
			sleep_us((at - now) / 1000);
		next[best]++;
		if (check) {
			struct vip_held h;

			if (vip_held_read(profile, m[best].v->name, &h) < 0 || h.token != m[best].token) {
				next[best] = m[best].count;
				continue;
			}
		}
		r = announce_send(m[best].v->netns, m[best].v->dev, &m[best].v->address, 1, 0, m[best].v->announce_mode,
		                  NULL);
		if (r < 0) {
			if (!check) {
				ret = r;
				log_error_errno(ret, "vip %s: announcing it: %m", m[best].v->name);
				break;
			}
			next[best] = m[best].count;
			continue;
		}
		if (count_sent)
			m[best].sent++;
	}
	free(next);
	return ret;
}

/* The rest of the schedule from a child of its own, so that the caller
 * returns at once; nothing of the caller's (a shell waiting on a pipe,
 * the locks) is kept.  The child starts with /dev/null as its standard
 * streams: a shell reading the caller's output ($(hanet vip ...)) sees
 * its end when the caller exits, not once the child has had the
 * processor to close them (tens of milliseconds on a busy machine). */
static void schedule_background(const char *profile, struct vip_move *m, size_t n, bool check, int *lock_fds,
                                size_t n_locks) {
	int saved[3] = { -1, -1, -1 }, null;
	bool any = false;
	pid_t pid;

	for (size_t i = 0; i < n; i++)
		any |= m[i].t_announced && m[i].count > 1;
	if (!any)
		return;
	fflush(NULL);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0)
		for (int fd = 0; fd < 3; fd++) {
			saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			dup2(null, fd);
		}
	pid = fork();
	if (pid != 0) {
		int e = errno;

		for (int fd = 0; null >= 0 && fd < 3; fd++) {
			if (saved[fd] >= 0) {
				dup2(saved[fd], fd);
				close(saved[fd]);
			} else {
				close(fd);
			}
		}
		if (null >= 0)
			close(null);
		if (pid < 0)
			log_warning_errno(-e, "announcing the VIPs again: %m");
		return;
	}
	for (int fd = 0; fd < 3; fd++)
		if (saved[fd] >= 0)
			close(saved[fd]);
	if (null >= 0)
		close(null);
	for (size_t i = 0; i < n_locks; i++)
		if (lock_fds[i] >= 0)
			close(lock_fds[i]);
	setsid();
	run_schedule(profile, m, n, check, false);
	_exit(0);
}

/* ---- takeover -------------------------------------------------------------------------- */

/* Is the address as a takeover leaves it what the VIP declares?  The
 * kernel keeps an IPv4 label and flags on a replace; IPv6 takes nodad but
 * goes on with a duplicate address detection under way. */
static bool takeover_matches(const struct addr *want, const struct addr *have, char *why, size_t size) {
	if (!addr_vip_matches(want, have, why, size))
		return false;
	if ((want->flags & IFA_F_NODAD) && (have->flags & IFA_F_TENTATIVE)) {
		snprintf(why, size, "tentative (duplicate address detection under way), nodad wanted");
		return false;
	}
	return true;
}

/* Probe the addresses of the set that are not on their device yet:
 * EXIT_OK when none answered elsewhere. */
static int collision_step(struct hnl_pool *c, struct vip_move *m, size_t n, uint64_t wait_us) {
	struct collision_probe *pr = calloc(n, sizeof(*pr));
	size_t np = 0, *of = calloc(n, sizeof(*of));
	int r, ret = EXIT_RUNTIME;

	if (!pr || !of) {
		log_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		struct hnl *nl;
		struct addr have;
		int idx;

		r = hnl_pool_get(c, v->netns, &nl);
		if (r < 0) {
			log_error_errno(r, "vip %s: netns %s: %s", v->name, ns_name(v->netns),
			                r == -ENOENT ? "no such namespace" : strerror(-r));
			goto out;
		}
		idx = vip_ifindex(nl, v->dev);
		if (idx < 0) {
			log_error_errno(idx, "vip %s: device %s in netns %s: %s", v->name, v->dev, ns_name(v->netns),
			                idx == -ENODEV ? "no such device" : strerror(-idx));
			goto out;
		}
		/* already here: its own answers are this node's */
		if (vip_get(nl, idx, &v->address, &have) == 0)
			continue;
		pr[np] = (struct collision_probe){ .netns = v->netns, .dev = v->dev, .ip = v->address };
		of[np++] = i;
	}
	r = collision_check(pr, np, wait_us);
	if (r < 0) {
		log_error_errno(r, "probing for a duplicate address: %m");
		goto out;
	}
	for (size_t k = 0; k < np; k++) {
		char ip[IPADDR_STRLEN], mac[18];

		if (!pr[k].answered)
			continue;
		m[of[k]].collided = true;
		memcpy(m[of[k]].collided_mac, pr[k].mac, 6);
		format_mac(pr[k].mac, mac);
		log_error("vip %s: %s answers from %s on %s in netns %s (%.1f ms after the first probe): another host "
		          "has the address; not taken over",
		          m[of[k]].v->name, format_ipaddr(&pr[k].ip, false, ip, sizeof(ip)), mac, pr[k].dev,
		          ns_name(pr[k].netns), (double)pr[k].after_us / 1e3);
	}
	ret = r > 0 ? EXIT_FAIL : EXIT_OK;
out:
	free(pr);
	free(of);
	return ret;
}

/* The address a takeover adds: the profile's, nodad when asked. */
static void takeover_addr(const struct vip_move *mv, struct addr *ret) {
	vip_addr_on(mv->v, mv->v->dev, ret);
	if (mv->nodad && mv->v->address.family == AF_INET6)
		ret->flags |= IFA_F_NODAD;
}

/* idx: the device's ifindex as takeover_before_read() found it, or -1. */
static int takeover_one(struct hnl_pool *c, struct vip_move *mv, int idx) {
	const struct vip *v = mv->v;
	struct announce_result ar = { 0 };
	struct addr want;
	char ip[IPADDR_STRLEN];
	struct hnl *nl;
	int r;

	format_ipaddr(&v->address, true, ip, sizeof(ip));
	r = hnl_pool_get(c, v->netns, &nl);
	if (r < 0)
		return log_error_errno(r, "vip %s: netns %s: %s", v->name, ns_name(v->netns),
		                       r == -ENOENT ? "no such namespace" : strerror(-r));
	if (idx < 0)
		idx = vip_ifindex(nl, v->dev);
	if (idx < 0)
		return log_error_errno(idx, "vip %s: device %s in netns %s: %s", v->name, v->dev, ns_name(v->netns),
		                       idx == -ENODEV ? "no such device" : strerror(-idx));
	takeover_addr(mv, &want);
	r = addr_add(nl, &want, idx, true);
	if (r < 0)
		return log_error_errno(r, "vip %s: adding %s on %s in netns %s: %m%s%s", v->name, ip, v->dev,
		                       ns_name(v->netns), hnl_errmsg(nl)[0] ? ": " : "", hnl_errmsg(nl));
	mv->t_added = now_ns();
	r = announce_send(v->netns, v->dev, &v->address, mv->count ? 1 : 0, 0, v->announce_mode, &ar);
	if (r < 0)
		return log_error_errno(r, "vip %s: %s added on %s, but announcing it failed: %m", v->name, ip, v->dev);
	mv->t_announced = ar.sent ? ar.first_ns : 0;
	mv->sent = ar.sent ? 1 : 0;
	return idx;
}

/* Off the critical path: an address that was there with other flags is
 * removed and added again. */
static int takeover_fix(struct hnl_pool *c, struct vip_move *mv, int idx) {
	const struct vip *v = mv->v;
	struct announce_result ar = { 0 };
	struct addr want, have;
	char ip[IPADDR_STRLEN];
	struct hnl *nl;
	int r;

	format_ipaddr(&v->address, true, ip, sizeof(ip));
	r = hnl_pool_get(c, v->netns, &nl);
	if (r < 0)
		return log_error_errno(r, "vip %s: netns %s: %m", v->name, ns_name(v->netns));
	takeover_addr(mv, &want);
	r = vip_get(nl, idx, &v->address, &have);
	if (r < 0)
		return log_error_errno(r, "vip %s: reading %s back from %s: %m", v->name, ip, v->dev);
	if (takeover_matches(&want, &have, mv->why, sizeof(mv->why)))
		return 0;
	r = addr_del(nl, &have, idx);
	if (r >= 0)
		r = addr_add(nl, &want, idx, false);
	if (r < 0)
		return log_error_errno(r, "vip %s: %s was on %s with other flags (%s): adding it again: %m%s%s", v->name,
		                       ip, v->dev, mv->why, hnl_errmsg(nl)[0] ? ": " : "", hnl_errmsg(nl));
	mv->readded = true;
	r = announce_send(v->netns, v->dev, &v->address, mv->count ? 1 : 0, 0, v->announce_mode, &ar);
	if (r < 0)
		return log_error_errno(r, "vip %s: announcing it: %m", v->name);
	if (ar.sent)
		mv->t_announced = ar.first_ns;
	return 0;
}

/* What was there before a takeover: the VIP's address on its device, its
 * record.  A takeover that fails takes back what it added and recorded
 * of the others, as far as it can. */
struct takeover_before {
	bool present, held;
	int idx;        /* its device's ifindex, -1 when not found */
};

static void takeover_before_read(struct hnl_pool *c, const char *profile, struct vip_move *m, size_t n,
                                 struct takeover_before *b) {
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		struct vip_held held;
		struct addr have;
		struct hnl *nl;
		int idx;

		b[i].held = vip_held_read(profile, v->name, &held) >= 0;
		b[i].idx = -1;
		/* cannot tell: the takeover fails at it before adding it */
		if (hnl_pool_get(c, v->netns, &nl) < 0)
			continue;
		idx = vip_ifindex(nl, v->dev);
		b[i].idx = idx >= 0 ? idx : -1;
		b[i].present = idx >= 0 && vip_get(nl, idx, &v->address, &have) == 0;
	}
}

static int remove_from(const struct vip *v, const char *netns, const char *dev, char *err, size_t errsize);

static void takeover_undo(const char *profile, struct vip_move *m, size_t n, const struct takeover_before *b) {
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		char err[512];
		int r;

		if (b[i].present)
			continue;
		if (!b[i].held) {
			r = vip_held_remove(profile, v->name);
			if (r < 0 && r != -ENOENT)
				log_error_errno(r, "vip %s: the takeover failed; removing its record again: %m", v->name);
		}
		r = remove_from(v, v->netns, v->dev, err, sizeof(err));
		if (r < 0)
			log_error_errno(r, "vip %s: the takeover failed; removing its address again: %s", v->name, err);
		else if (r > 0)
			log_info("vip %s: the takeover failed: its address removed again", v->name);
	}
}

int vip_moves_takeover(const char *profile, struct vip_move *m, size_t n, const struct vip_move_opts *o) {
	struct hnl_pool c = { .n = 0 };
	int *fds = calloc(n, sizeof(*fds)), *idx = calloc(n, sizeof(*idx));
	struct takeover_before *before = calloc(n, sizeof(*before));
	uint64_t t_begin;
	int r, ret = EXIT_RUNTIME;
	size_t touched = 0;

	if (!fds || !idx || !before) {
		free(fds);
		free(idx);
		free(before);
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	ret = lock_all(profile, m, n, o->lock_wait_us, fds);
	if (ret != EXIT_OK) {
		free(fds);
		free(idx);
		free(before);
		return ret;
	}
	ret = EXIT_RUNTIME;
	if (o->collision_wait_us) {
		ret = collision_step(&c, m, n, o->collision_wait_us);
		if (ret != EXIT_OK)
			goto out;
		ret = EXIT_RUNTIME;
	}
	takeover_before_read(&c, profile, m, n, before);
	t_begin = now_ns();
	/* the critical path: every address, each announced once */
	for (size_t i = 0; i < n; i++) {
		m[i].t_begin = t_begin;
		m[i].sent = 0;
		m[i].readded = false;
		m[i].t_announced = 0;
		touched = i + 1;
		idx[i] = takeover_one(&c, &m[i], before[i].idx);
		if (idx[i] < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct vip_held held;

		if (takeover_fix(&c, &m[i], idx[i]) < 0)
			goto out;
		r = vip_held_write(profile, m[i].v, m[i].v->netns, m[i].v->dev, m[i].nodad, &held);
		if (r < 0) {
			log_error_errno(r, "vip %s: writing its record under %s: %m", m[i].v->name, VIP_RUN_DIR);
			goto out;
		}
		m[i].token = held.token;
	}
	if (o->foreground) {
		if (run_schedule(profile, m, n, false, true) < 0)
			goto out;
	} else {
		schedule_background(profile, m, n, true, fds, n);
	}
	for (size_t i = 0; i < n; i++)
		m[i].t_done = now_ns();
	ret = EXIT_OK;
out:
	if (ret != EXIT_OK && touched)
		takeover_undo(profile, m, touched, before);
	hnl_pool_fini(&c);
	unlock_all(fds, n);
	free(fds);
	free(idx);
	free(before);
	return ret;
}

/* ---- release --------------------------------------------------------------------------- */

/* Remove v's address from dev in netns: 1 removed, 0 it was not there
 * (no namespace, no device, no address), or -errno. */
static int remove_from(const struct vip *v, const char *netns, const char *dev, char *err, size_t errsize) {
	struct hnl *nl = NULL;
	struct addr a;
	int idx, r;

	r = hnl_open(netns, &nl);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(err, errsize, "netns %s: %s", ns_name(netns), strerror(-r));
		return r;
	}
	idx = vip_ifindex(nl, dev);
	if (idx == -ENODEV) {
		hnl_free(nl);
		return 0;
	}
	if (idx < 0) {
		snprintf(err, errsize, "device %s in netns %s: %s", dev, ns_name(netns), strerror(-idx));
		hnl_free(nl);
		return idx;
	}
	vip_addr_on(v, dev, &a);
	r = addr_del(nl, &a, idx);
	if (r == -EADDRNOTAVAIL) {
		r = 0;
	} else if (r < 0) {
		snprintf(err, errsize, "removing it from %s in netns %s: %s%s%s", dev, ns_name(netns), strerror(-r),
		         hnl_errmsg(nl)[0] ? ": " : "", hnl_errmsg(nl));
	} else {
		r = 1;
	}
	hnl_free(nl);
	return r;
}

int vip_moves_release(const char *profile, struct vip_move *m, size_t n, const struct vip_move_opts *o) {
	int *fds = calloc(n, sizeof(*fds));
	struct vip_held *h = calloc(n, sizeof(*h));
	bool *failed = calloc(n, sizeof(*failed));
	size_t n_failed = 0;
	int r, ret = EXIT_RUNTIME;

	if (!fds || !h || !failed) {
		log_error("out of memory");
		goto out_free;
	}
	ret = lock_all(profile, m, n, o->lock_wait_us, fds);
	if (ret != EXIT_OK)
		goto out_free;
	/* the records go first: watch must not put an address back; a VIP
	 * whose record stays keeps its address (watch would add it again) */
	for (size_t i = 0; i < n; i++) {
		m[i].t_begin = now_ns();
		m[i].removed = false;
		m[i].was_held = vip_held_read(profile, m[i].v->name, &h[i]) >= 0;
		r = vip_held_remove(profile, m[i].v->name);
		if (r < 0) {
			log_error_errno(r, "vip %s: removing its record under %s: %m", m[i].v->name, VIP_RUN_DIR);
			failed[i] = true;
		}
	}
	/* every VIP, whatever failed before it */
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		char err[512];

		if (failed[i])
			continue;
		r = remove_from(v, v->netns, v->dev, err, sizeof(err));
		if (r < 0) {
			log_error_errno(r, "vip %s: %s", v->name, err);
			failed[i] = true;
		} else {
			m[i].removed = r > 0;
		}
		/* taken over when the profile said something else: that place too */
		if (m[i].was_held && (!netns_eq(h[i].netns[0] ? h[i].netns : NULL, v->netns) ||
		                      strcmp(h[i].dev, v->dev) != 0 || !ipaddr_eq(&h[i].ip, &v->address))) {
			struct vip old = *v;

			old.address = h[i].ip;
			r = remove_from(&old, h[i].netns[0] ? h[i].netns : NULL, h[i].dev, err, sizeof(err));
			if (r < 0) {
				log_error_errno(r, "vip %s: where it was taken over: %s", v->name, err);
				failed[i] = true;
			} else {
				m[i].removed |= r > 0;
			}
		}
		m[i].t_done = now_ns();
	}
	for (size_t i = 0; i < n; i++)
		n_failed += failed[i];
	if (n_failed) {
		char names[512] = "";
		size_t len = 0;

		for (size_t i = 0; i < n && len < sizeof(names); i++)
			if (failed[i])
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
				                        m[i].v->name);
		log_error("%zu of %zu VIPs not released (%s)%s", n_failed, n, names,
		          n_failed < n ? "; the others are" : "");
		ret = EXIT_RUNTIME;
	}
	unlock_all(fds, n);
out_free:
	free(fds);
	free(h);
	free(failed);
	return ret;
}

/* ---- announce -------------------------------------------------------------------------- */

int vip_moves_announce(struct vip_move *m, size_t n, const struct vip_move_opts *o) {
	struct hnl_pool c = { .n = 0 };
	bool all = true;
	int r, ret = EXIT_RUNTIME;
	uint64_t t_begin = now_ns();

	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		struct announce_result ar = { 0 };
		struct addr have;
		struct hnl *nl;
		int idx;

		m[i].t_begin = t_begin;
		m[i].present = false;
		m[i].sent = 0;
		m[i].t_announced = 0;
		r = hnl_pool_get(&c, v->netns, &nl);
		if (r == -ENOENT) {
			all = false;
			continue;
		}
		if (r < 0) {
			log_error_errno(r, "vip %s: netns %s: %m", v->name, ns_name(v->netns));
			goto out;
		}
		idx = vip_ifindex(nl, v->dev);
		if (idx == -ENODEV || (idx >= 0 && vip_get(nl, idx, &v->address, &have) == -ENOENT)) {
			all = false;
			continue;
		}
		if (idx < 0) {
			log_error_errno(idx, "vip %s: device %s in netns %s: %m", v->name, v->dev, ns_name(v->netns));
			goto out;
		}
		m[i].present = true;
		r = announce_send(v->netns, v->dev, &v->address, m[i].count ? 1 : 0, 0, v->announce_mode, &ar);
		if (r < 0) {
			log_error_errno(r, "vip %s: announcing it: %m", v->name);
			goto out;
		}
		m[i].t_announced = ar.sent ? ar.first_ns : 0;
		m[i].sent = ar.sent ? 1 : 0;
	}
	if (o->foreground) {
		if (run_schedule(NULL, m, n, false, true) < 0)
			goto out;
	} else {
		schedule_background(NULL, m, n, false, NULL, 0);
	}
	for (size_t i = 0; i < n; i++)
		m[i].t_done = now_ns();
	ret = all ? EXIT_OK : EXIT_FAIL;
out:
	hnl_pool_fini(&c);
	return ret;
}
