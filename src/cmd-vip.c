/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet vip takeover|release|status: what keepalived's notify scripts
 * and Pacemaker's resource agent call to move a VIP between controllers.
 *
 * A takeover is on the failover path: it reads the profile, and touches
 * one address and nothing else: no observation of the profile's
 * namespaces, no plan.  One RTM_NEWADDR with NLM_F_REPLACE (a repeated
 * takeover changes nothing), the first announcement at once, the others
 * from a background process that stops when the VIP is released.  It
 * takes the VIP's own lock (vip.h), never /run/hanet/lock: it does not
 * wait behind an apply.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "cmd-common.h"
#include "confirm.h"
#include "commands.h"
#include "json.h"
#include "log.h"
#include "nl.h"
#include "profile.h"
#include "state.h"
#include "util.h"
#include "vip.h"

#define LOCK_WAIT_DEFAULT_US 2000000ull

static const char usage_text[] =
	"Usage: hanet vip takeover [--json] [--foreground] [--lock-wait DURATION] PROFILE VIP\n"
	"       hanet vip release [--json] [--lock-wait DURATION] PROFILE VIP\n"
	"       hanet vip status [--json] PROFILE [VIP]\n"
	"\n"
	"Move a VIP ([vip NAME] of the profile) to or away from this node: what\n"
	"keepalived's notify scripts and Pacemaker's resource agent call.\n"
	"\n"
	"  takeover  add the VIP's address on its device in its namespace (added,\n"
	"            or left as it is when it is there) and announce it (gratuitous\n"
	"            ARP / unsolicited NA): the first announcement at once, the\n"
	"            others in the background; record that this node holds it\n"
	"            (hanet watch then keeps it there, also with owner = external)\n"
	"  release   remove it (absent is success) and forget the record\n"
	"  status    where the VIP's address is, and whether this node holds it\n"
	"\n"
	"  -j, --json              as JSON\n"
	"  -f, --foreground        takeover: send every announcement before returning\n"
	"  -l, --lock-wait DURATION  wait this long for another takeover or release of\n"
	"                          the same VIP (default 2s)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 done (status: the VIP is on its device), 1 status: it is\n"
	"not, 2 invalid profile or no such VIP, 3 the kernel refused or a device or\n"
	"namespace is missing (takeover), 4 another takeover or release of the\n"
	"VIP holds its lock, 64 usage.\n";

struct vip_opts {
	bool json;
	bool foreground;
	uint64_t lock_wait_us;
};

static const char *ns_name(const char *netns) {
	return netns && *netns ? netns : "(current)";
}

static double ms_of(uint64_t from_ns, uint64_t to_ns) {
	return to_ns > from_ns ? (double)(to_ns - from_ns) / 1e6 : 0;
}

static int load(const char *path, const char *name, struct profile **ret_p, struct vip **ret_v) {
	struct profile *p = NULL;
	struct diags d;
	int r;

	diags_init(&d);
	r = profile_load(path, &p, &d);
	if (r < 0 && d.n_errors == 0)
		diag_add(&d, DIAG_ERROR, path, 0, NULL, NULL, NULL, "cannot load: %s", strerror(-r));
	/* warnings are validate's business: keep a failover's log short */
	if (r < 0 || d.n_errors) {
		diags_print(&d, stderr);
		diags_fini(&d);
		profile_free(p);
		return -EINVAL;
	}
	diags_fini(&d);
	if (name) {
		struct vip *v = profile_find_vip(p, name);

		if (!v) {
			log_error("%s: no [vip %s] in the profile", path, name);
			profile_free(p);
			return -ENOENT;
		}
		*ret_v = v;
	}
	*ret_p = p;
	return 0;
}

/* ---- takeover ------------------------------------------------------------------------ */

/* Announcements 2..count, `interval` apart from the first (sent at
 * first_ns), from a child of their own so that the takeover returns at
 * once.  The child stops when the VIP's held record no longer carries
 * `token` (released, or taken over again: that one announces). */
static void announce_rest(const char *profile, const struct vip *v, uint64_t token, uint64_t first_ns, int lock_fd) {
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		log_warning_errno(-errno, "vip %s: announcing it again: %m", v->name);
		return;
	}
	if (pid > 0)
		return;
	/* the child: nothing of the caller's (a shell waiting on a pipe, the
	 * lock) is kept */
	close(lock_fd);
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	for (uint32_t i = 1; i < v->announce_count; i++) {
		uint64_t at = first_ns + (uint64_t)i * v->announce_interval_us * 1000, now = now_ns();
		struct vip_held h;

		if (at > now)
			sleep_us((at - now) / 1000);
		if (vip_held_read(profile, v->name, &h) < 0 || h.token != token)
			break;
		if (announce_send(v->netns, v->dev, &v->address, 1, 0, v->announce_mode, NULL) < 0)
			break;
	}
	_exit(0);
}

struct takeover_result {
	uint64_t t_start, t_begin, t_added, t_announced, t_done;
	uint32_t sent;                  /* announcements sent before returning */
	bool readded;                   /* it was there with other flags: removed and added again */
	char why[256];
};

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

/* The VIP's own lock (takeover and release of one VIP run one at a time):
 * 0 and *ret_fd, or the exit code after saying why. */
static int take_lock(const struct profile *p, const struct vip *v, const struct vip_opts *o, int *ret_fd) {
	int r;

	r = vip_lock(p->name, v->name, o->lock_wait_us, ret_fd);
	if (r == -EBUSY) {
		log_error("vip %s: another takeover or release of it holds %s/%s/%s.lock", v->name, VIP_RUN_DIR, p->name,
		          v->name);
		return EXIT_LOCKED;
	}
	if (r < 0) {
		log_error_errno(r, "vip %s: taking its lock: %m", v->name);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The start of the JSON object takeover and release print. */
static void json_vip_begin(struct json *j, const struct profile *p, const struct vip *v, const char *action,
                           const char *ip) {
	json_init(j, stdout, false);
	json_obj_begin(j, NULL);
	json_str(j, "profile", p->name);
	json_str(j, "vip", v->name);
	json_str(j, "action", action);
	json_str(j, "address", ip);
	json_str(j, "netns", v->netns);
	json_str(j, "dev", v->dev);
}

static int takeover(const struct profile *p, const struct vip *v, const struct vip_opts *o,
                    struct takeover_result *res) {
	struct nl *nl = NULL;
	struct announce_result ar = { 0 };
	struct vip_held held;
	struct addr want, have;
	char ip[IPADDR_STRLEN];
	int lock_fd = -1, idx, r, ret = EXIT_RUNTIME;

	format_ipaddr(&v->address, true, ip, sizeof(ip));
	r = take_lock(p, v, o, &lock_fd);
	if (r != 0)
		return r;

	res->t_begin = now_ns();
	r = nl_open(v->netns, &nl);
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
	vip_addr_on(v, v->dev, &want);
	r = addr_add(nl, &want, idx, true);
	if (r < 0) {
		log_error_errno(r, "vip %s: adding %s on %s in netns %s: %m%s%s", v->name, ip, v->dev, ns_name(v->netns),
		                nl_errmsg(nl)[0] ? ": " : "", nl_errmsg(nl));
		goto out;
	}
	res->t_added = now_ns();
	r = announce_send(v->netns, v->dev, &v->address, v->announce_count ? 1 : 0, 0, v->announce_mode, &ar);
	if (r < 0) {
		log_error_errno(r, "vip %s: %s added on %s, but announcing it failed: %m", v->name, ip, v->dev);
		goto out;
	}
	res->t_announced = ar.sent ? ar.first_ns : 0;
	res->sent = ar.sent ? 1 : 0;

	/* off the critical path: an address that was there with other flags
	 * is removed and added again */
	r = vip_get(nl, idx, &v->address, &have);
	if (r < 0) {
		log_error_errno(r, "vip %s: reading %s back from %s: %m", v->name, ip, v->dev);
		goto out;
	}
	if (!takeover_matches(&want, &have, res->why, sizeof(res->why))) {
		r = addr_del(nl, &have, idx);
		if (r >= 0)
			r = addr_add(nl, &want, idx, false);
		if (r < 0) {
			log_error_errno(r, "vip %s: %s was on %s with other flags (%s): adding it again: %m%s%s", v->name, ip,
			                v->dev, res->why, nl_errmsg(nl)[0] ? ": " : "", nl_errmsg(nl));
			goto out;
		}
		res->readded = true;
		r = announce_send(v->netns, v->dev, &v->address, v->announce_count ? 1 : 0, 0, v->announce_mode, &ar);
		if (r < 0) {
			log_error_errno(r, "vip %s: announcing it: %m", v->name);
			goto out;
		}
		if (ar.sent)
			res->t_announced = ar.first_ns;
	}

	r = vip_held_write(p->name, v, v->netns, v->dev, &held);
	if (r < 0) {
		log_error_errno(r, "vip %s: writing its record under %s: %m", v->name, VIP_RUN_DIR);
		goto out;
	}
	if (v->announce_count > 1) {
		if (o->foreground) {
			uint64_t first = res->t_announced;

			for (uint32_t i = 1; i < v->announce_count; i++) {
				uint64_t at = first + (uint64_t)i * v->announce_interval_us * 1000, now = now_ns();

				if (at > now)
					sleep_us((at - now) / 1000);
				r = announce_send(v->netns, v->dev, &v->address, 1, 0, v->announce_mode, NULL);
				if (r < 0) {
					log_error_errno(r, "vip %s: announcing it: %m", v->name);
					goto out;
				}
				res->sent++;
			}
		} else {
			announce_rest(p->name, v, held.token, res->t_announced, lock_fd);
		}
	}
	res->t_done = now_ns();
	ret = EXIT_OK;
out:
	nl_free(nl);
	vip_unlock(lock_fd);
	return ret;
}

static void takeover_print(const struct profile *p, const struct vip *v, const struct vip_opts *o,
                           const struct takeover_result *res) {
	char ip[IPADDR_STRLEN], iv[32];
	uint32_t rest = v->announce_count - res->sent;

	format_ipaddr(&v->address, true, ip, sizeof(ip));
	format_duration(v->announce_interval_us, iv, sizeof(iv));
	if (o->json) {
		struct json j;

		json_vip_begin(&j, p, v, "takeover", ip);
		json_str(&j, "owner", v->owner == VIP_OWNER_EXTERNAL ? "external" : "local");
		json_bool(&j, "readded", res->readded);
		if (res->readded)
			json_str(&j, "readded_why", res->why);
		json_double(&j, "added_ms", ms_of(res->t_begin, res->t_added));
		if (res->t_announced)
			json_double(&j, "first_announcement_ms", ms_of(res->t_begin, res->t_announced));
		else
			json_null(&j, "first_announcement_ms");
		json_double(&j, "total_ms", ms_of(res->t_start, res->t_done));
		json_uint(&j, "announce_count", v->announce_count);
		json_uint(&j, "announce_interval_us", v->announce_interval_us);
		json_uint(&j, "announced", res->sent);
		json_uint(&j, "announcing_in_background", rest);
		json_obj_end(&j);
		json_finish(&j);
		return;
	}
	printf("vip %s %s taken over on %s in netns %s: added in %.3f ms", v->name, ip, v->dev, ns_name(v->netns),
	       ms_of(res->t_begin, res->t_added));
	if (res->t_announced)
		printf(", first announcement at %.3f ms", ms_of(res->t_begin, res->t_announced));
	else
		printf(", not announced (announce_count = 0)");
	if (rest)
		printf(", %" PRIu32 " more %s apart in the background", rest, iv);
	else if (res->sent > 1)
		printf(", %" PRIu32 " sent %s apart", res->sent, iv);
	printf(" (%.3f ms with the profile's loading)\n", ms_of(res->t_start, res->t_done));
	if (res->readded)
		printf("vip %s: it was there with other flags (%s): removed and added again\n", v->name, res->why);
}

/* ---- release ------------------------------------------------------------------------- */

/* Remove a's address from dev in netns: 1 removed, 0 it was not there
 * (no namespace, no device, no address), or -errno. */
static int remove_from(const struct vip *v, const char *netns, const char *dev, char *err, size_t errsize) {
	struct nl *nl = NULL;
	struct addr a;
	int idx, r;

	r = nl_open(netns, &nl);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(err, errsize, "netns %s: %s", ns_name(netns), strerror(-r));
		return r;
	}
	idx = vip_ifindex(nl, dev);
	if (idx == -ENODEV) {
		nl_free(nl);
		return 0;
	}
	if (idx < 0) {
		snprintf(err, errsize, "device %s in netns %s: %s", dev, ns_name(netns), strerror(-idx));
		nl_free(nl);
		return idx;
	}
	vip_addr_on(v, dev, &a);
	r = addr_del(nl, &a, idx);
	if (r == -EADDRNOTAVAIL) {
		r = 0;
	} else if (r < 0) {
		snprintf(err, errsize, "removing it from %s in netns %s: %s%s%s", dev, ns_name(netns), strerror(-r),
		         nl_errmsg(nl)[0] ? ": " : "", nl_errmsg(nl));
	} else {
		r = 1;
	}
	nl_free(nl);
	return r;
}

static int release(const struct profile *p, const struct vip *v, const struct vip_opts *o, uint64_t t_start) {
	struct vip_held h;
	char ip[IPADDR_STRLEN], err[512];
	bool was_held, elsewhere;
	int lock_fd = -1, r, removed = 0, ret = EXIT_RUNTIME;
	uint64_t t_begin, t_done;

	format_ipaddr(&v->address, true, ip, sizeof(ip));
	r = take_lock(p, v, o, &lock_fd);
	if (r != 0)
		return r;
	t_begin = now_ns();
	/* the record goes first: watch must not put the address back */
	was_held = vip_held_read(p->name, v->name, &h) >= 0;
	r = vip_held_remove(p->name, v->name);
	if (r < 0) {
		log_error_errno(r, "vip %s: removing its record under %s: %m", v->name, VIP_RUN_DIR);
		goto out;
	}
	r = remove_from(v, v->netns, v->dev, err, sizeof(err));
	if (r < 0) {
		log_error_errno(r, "vip %s: %s", v->name, err);
		goto out;
	}
	removed = r;
	/* taken over when the profile said something else: that place too */
	elsewhere = was_held && (!netns_eq(h.netns[0] ? h.netns : NULL, v->netns) || strcmp(h.dev, v->dev) != 0 ||
	                         !ipaddr_eq(&h.ip, &v->address));
	if (elsewhere) {
		struct vip old = *v;

		old.address = h.ip;
		r = remove_from(&old, h.netns[0] ? h.netns : NULL, h.dev, err, sizeof(err));
		if (r < 0) {
			log_error_errno(r, "vip %s: where it was taken over: %s", v->name, err);
			goto out;
		}
		removed += r;
	}
	t_done = now_ns();
	if (o->json) {
		struct json j;

		json_vip_begin(&j, p, v, "release", ip);
		json_bool(&j, "removed", removed > 0);
		json_bool(&j, "was_held", was_held);
		json_double(&j, "removed_ms", ms_of(t_begin, t_done));
		json_double(&j, "total_ms", ms_of(t_start, t_done));
		json_obj_end(&j);
		json_finish(&j);
	} else if (removed) {
		printf("vip %s %s released from %s in netns %s: removed in %.3f ms\n", v->name, ip, v->dev,
		       ns_name(v->netns), ms_of(t_begin, t_done));
	} else {
		printf("vip %s %s released: it was not on %s in netns %s\n", v->name, ip, v->dev, ns_name(v->netns));
	}
	ret = EXIT_OK;
out:
	vip_unlock(lock_fd);
	return ret;
}

/* ---- status -------------------------------------------------------------------------- */

struct place {
	const struct ns_state *ns;
	const struct addr *a;
};

static bool addr_same_host(const struct ipaddr *a, const struct ipaddr *b) {
	return a->family == b->family && memcmp(a->a, b->a, ipaddr_len(a->family)) == 0;
}

/* Every namespace the profile names, and the one hanet runs in. */
static int status_reqs(const struct profile *p, struct observe_ns_req **ret, size_t *ret_n) {
	size_t cap = 1 + p->n_netns + p->n_vips + p->n_links, n = 0;
	struct observe_ns_req *q = calloc(cap, sizeof(*q));
	const char **names = calloc(cap, sizeof(*names));

	if (!q || !names) {
		free(q);
		free(names);
		return -ENOMEM;
	}
	names[n++] = NULL;
	for (size_t i = 0; i < p->n_netns; i++)
		names[n++] = p->netns[i].name;
	for (size_t i = 0; i < p->n_vips; i++)
		names[n++] = p->vips[i].netns;
	for (size_t i = 0; i < p->n_links; i++)
		names[n++] = p->links[i].netns;
	*ret_n = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < *ret_n && !dup; k++)
			dup = netns_eq(q[k].netns, names[i]);
		if (!dup)
			q[(*ret_n)++].netns = names[i];
	}
	free(names);
	*ret = q;
	return 0;
}

static void flags_text(const struct addr *a, char *buf, size_t size) {
	size_t len = 0;

	buf[0] = '\0';
#define ADD(...) do { if (len < size) len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__); } while (0)
	if (a->ip.family == AF_INET && a->label[0] && strcmp(a->label, a->dev) != 0)
		ADD("%slabel %s", len ? ", " : "", a->label);
	if (a->preferred_lft == 0 || (a->flags & IFA_F_DEPRECATED))
		ADD("%sdeprecated", len ? ", " : "");
	if (a->flags & IFA_F_NOPREFIXROUTE)
		ADD("%snoprefixroute", len ? ", " : "");
	if (a->flags & IFA_F_NODAD)
		ADD("%snodad", len ? ", " : "");
	if (a->flags & IFA_F_TENTATIVE)
		ADD("%stentative", len ? ", " : "");
	if (a->flags & IFA_F_DADFAILED)
		ADD("%sdadfailed", len ? ", " : "");
#undef ADD
}

static void json_flags(struct json *j, const struct addr *a) {
	json_arr_begin(j, "flags");
	if (a->preferred_lft == 0 || (a->flags & IFA_F_DEPRECATED))
		json_str(j, NULL, "deprecated");
	if (a->flags & IFA_F_NOPREFIXROUTE)
		json_str(j, NULL, "noprefixroute");
	if (a->flags & IFA_F_NODAD)
		json_str(j, NULL, "nodad");
	if (a->flags & IFA_F_TENTATIVE)
		json_str(j, NULL, "tentative");
	if (a->flags & IFA_F_DADFAILED)
		json_str(j, NULL, "dadfailed");
	json_arr_end(j);
}

/* One VIP: returns whether its address is on its device. */
static bool status_one(const struct profile *p, const struct vip *v, const struct state *st, struct json *j) {
	struct place where[16];
	size_t n = 0;
	const struct addr *on_dev = NULL;
	struct vip_held h;
	bool held = vip_held_read(p->name, v->name, &h) >= 0;
	struct addr want;
	char ip[IPADDR_STRLEN], why[256] = "", buf[256];

	vip_addr_on(v, v->dev, &want);
	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *ns = &st->ns[i];

		for (size_t k = 0; ns->exists && k < ns->n_addrs; k++) {
			const struct addr *a = &ns->addrs[k];

			if (!addr_same_host(&a->ip, &v->address))
				continue;
			if (netns_eq(ns->name, v->netns) && strcmp(a->dev, v->dev) == 0 && a->ip.plen == v->address.plen)
				on_dev = a;
			if (n < ARRAY_SIZE(where))
				where[n++] = (struct place){ ns, a };
		}
	}
	if (on_dev)
		addr_vip_matches(&want, on_dev, why, sizeof(why));
	format_ipaddr(&v->address, true, ip, sizeof(ip));

	if (j) {
		json_obj_begin(j, NULL);
		json_str(j, "name", v->name);
		json_str(j, "address", ip);
		json_str(j, "owner", v->owner == VIP_OWNER_EXTERNAL ? "external" : "local");
		json_str(j, "netns", v->netns);
		json_str(j, "dev", v->dev);
		json_bool(j, "present", on_dev != NULL);
		if (on_dev) {
			json_bool(j, "matches", why[0] == '\0');
			json_str(j, "differences", why[0] ? why : NULL);
		}
		json_bool(j, "held", held);
		if (held) {
			json_obj_begin(j, "held_record");
			json_str(j, "netns", h.netns[0] ? h.netns : NULL);
			json_str(j, "dev", h.dev);
			json_str(j, "address", format_ipaddr(&h.ip, true, buf, sizeof(buf)));
			json_uint(j, "since_us", h.since_us);
			json_int(j, "pid", h.pid);
			json_obj_end(j);
		}
		json_arr_begin(j, "locations");
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(j, NULL);
			json_str(j, "netns", where[i].ns->name);
			json_str(j, "dev", where[i].a->dev);
			json_str(j, "address", format_ipaddr(&where[i].a->ip, true, buf, sizeof(buf)));
			json_str(j, "label", where[i].a->ip.family == AF_INET && where[i].a->label[0] ? where[i].a->label : NULL);
			json_flags(j, where[i].a);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		return on_dev != NULL;
	}

	printf("vip %s %s (owner %s) on %s in netns %s: %s", v->name, ip,
	       v->owner == VIP_OWNER_EXTERNAL ? "external" : "local", v->dev, ns_name(v->netns),
	       on_dev ? "present" : "absent");
	if (held) {
		time_t t = (time_t)(h.since_us / 1000000);
		struct tm tm;
		char when[64] = "?";

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf(", held by this node since %s (takeover pid %d)", when, h.pid);
	} else {
		printf(", not held by this node");
	}
	printf("\n");
	if (on_dev && why[0])
		printf("  differs from the profile: %s\n", why);
	for (size_t i = 0; i < n; i++) {
		flags_text(where[i].a, buf, sizeof(buf));
		printf("  %s %s on %s in netns %s%s%s\n", where[i].a == on_dev ? "here:" : "also:",
		       format_ipaddr(&where[i].a->ip, true, ip, sizeof(ip)), where[i].a->dev, ns_name(where[i].ns->name),
		       buf[0] ? ": " : "", buf);
	}
	if (held && (!netns_eq(h.netns[0] ? h.netns : NULL, v->netns) || strcmp(h.dev, v->dev) != 0 ||
	             !ipaddr_eq(&h.ip, &v->address)))
		printf("  the record of the takeover names %s on %s in netns %s (the profile changed since)\n",
		       format_ipaddr(&h.ip, true, ip, sizeof(ip)), h.dev, ns_name(h.netns));
	return on_dev != NULL;
}

static int status(const struct profile *p, const struct vip *only, const struct vip_opts *o) {
	struct observe_ns_req *reqs = NULL;
	struct state *st = NULL;
	struct nls *nls = NULL;
	struct json j;
	size_t n_reqs = 0;
	bool all_present = true;
	int r, ret = EXIT_RUNTIME;

	r = status_reqs(p, &reqs, &n_reqs);
	if (r >= 0)
		r = nls_new(&nls);
	if (r >= 0)
		r = state_observe(nls, reqs, n_reqs, &st);
	if (r < 0) {
		log_error_errno(r, "%s: reading the kernel's state: %m", p->name);
		goto out;
	}
	if (o->json) {
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "profile", p->name);
		json_arr_begin(&j, "vips");
	}
	for (size_t i = 0; i < p->n_vips; i++)
		if (!only || &p->vips[i] == only)
			all_present &= status_one(p, &p->vips[i], st, o->json ? &j : NULL);
	if (o->json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	} else if (p->n_vips == 0) {
		printf("%s: the profile declares no vip\n", p->name);
	}
	ret = only && !all_present ? EXIT_FAIL : EXIT_OK;
out:
	state_free(st);
	nls_free(nls);
	free(reqs);
	return ret;
}

/* ---- the command ------------------------------------------------------------------------ */

int cmd_vip(int argc, char **argv) {
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vip_opts o = { .lock_wait_us = LOCK_WAIT_DEFAULT_US };
	struct takeover_result res = { .t_start = now_ns() };
	struct profile *p = NULL;
	struct vip *v = NULL;
	const char *sub;
	char cmd[32];
	int c, r, nargs, ret;

	if (argc < 2)
		return cmd_usage_error("vip", usage_text, "expected takeover, release or status");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		usage_print(usage_text);
		return EXIT_OK;
	}
	if (strcmp(sub, "takeover") != 0 && strcmp(sub, "release") != 0 && strcmp(sub, "status") != 0)
		return cmd_usage_error("vip", usage_text, "unknown subcommand \"%s\"", sub);
	snprintf(cmd, sizeof(cmd), "vip %s", sub);
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jfl:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'f': o.foreground = true; break;
		case 'l':
			if (cmd_duration_opt(cmd, "lock-wait", optarg, 0, 0, &o.lock_wait_us))
				return EXIT_USAGE;
			break;
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error(cmd, usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	nargs = argc - optind;
	if (strcmp(sub, "status") == 0 ? (nargs < 1 || nargs > 2) : nargs != 2)
		return cmd_usage_error(cmd, usage_text, "expected PROFILE %s", strcmp(sub, "status") == 0 ? "[VIP]" : "VIP");
	if ((o.foreground && strcmp(sub, "takeover") != 0) || (o.lock_wait_us != LOCK_WAIT_DEFAULT_US && strcmp(sub, "status") == 0))
		return cmd_usage_error(cmd, usage_text, "an option of another subcommand");

	r = load(argv[optind], nargs == 2 ? argv[optind + 1] : NULL, &p, &v);
	if (r < 0)
		return EXIT_INVALID;
	/* a change not confirmed whose process is gone comes first (one
	 * readdir when there is none) */
	confirm_recover(-1, cmd);
	if (strcmp(sub, "takeover") == 0) {
		ret = takeover(p, v, &o, &res);
		if (ret == EXIT_OK)
			takeover_print(p, v, &o, &res);
	} else if (strcmp(sub, "release") == 0) {
		ret = release(p, v, &o, res.t_start);
	} else {
		ret = status(p, v, &o);
	}
	profile_free(p);
	return ret;
}
