/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fault injection and restore for `hanet measure` (see fault.h). */
#include <net/if.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "fault.h"
#include "link.h"
#include "link-ops.h"
#include "log.h"
#include "netns.h"
#include "hnl.h"
#include "service.h"
#include "observe.h"
#include "util.h"
#include "vip.h"

/* Restore announcements when the vip has none of its own: each trial
 * starts from a client that knows where the vip is. */
#define RESTORE_ANNOUNCE_COUNT 3
#define RESTORE_ANNOUNCE_INTERVAL_US 20000
/* How long to look for a fault's own event after its request returned. */
#define EVENT_WAIT_NS 20000000ull
#define POLL_US 2000
#define EXEC_TIMEOUT_US 30000000ull  /* service-exec: its command, at most */

struct fault {
	const struct profile *p;
	const struct fault_conf *fc;
	struct nls *nls;
	struct fault_hooks hooks;
	char desc[512];

	/* link-down, carrier-off, link-delete: the device acted on (for
	 * carrier-off, the veth peer of fc->dev) */
	const char *act_ns;
	char act_dev[IFNAMSIZ];
	/* the device that must be back after a restore (fc->dev), and its
	 * bond or team when dev was its active slave or port before the
	 * fault (fault_prepare): then it must be again */
	const char *dev_ns;
	char dev[IFNAMSIZ];
	char active_in[IFNAMSIZ];

	/* vip-move */
	const struct vip *vip;
	const char *to_ns;
	char to_dev[IFNAMSIZ];

	/* kill */
	pid_t killed;

	/* service-kill: the service's index */
	int service;
	/* node-kill: the node's links (set down and up again) */
	struct {
		const char *ns;
		char dev[IFNAMSIZ];
	} node_links[16];
	size_t n_node_links;
	uint64_t rng;

	/* ifindexes looked up by fault_prepare */
	struct {
		const char *ns;
		char dev[IFNAMSIZ];
		int ifindex;
	} idx[2];
	size_t n_idx;
};

static const char *ns_name(const char *ns) {
	return ns && *ns ? ns : "(current)";
}

static int link_get(struct fault *f, const char *ns, const char *dev, struct link *ret) {
	struct hnl *nl;
	int r;

	r = nls_get(f->nls, ns, &nl);
	if (r < 0)
		return r;
	return observe_get_link(nl, dev, ret);
}

static int link_index(struct fault *f, const char *ns, const char *dev) {
	struct link l;
	int r;

	for (size_t i = 0; i < f->n_idx; i++)
		if (netns_eq(f->idx[i].ns, ns) && strcmp(f->idx[i].dev, dev) == 0)
			return f->idx[i].ifindex;
	r = link_get(f, ns, dev, &l);
	if (r < 0)
		return r;
	r = l.ifindex;
	link_fini(&l);
	return r;
}

/* The active slave of a bond, or the active port of an activebackup
 * team, named master in ns: 0 and its name ("" when none), or -errno. */
static int active_member(struct fault *f, const char *ns, const char *master, char ret[IFNAMSIZ]) {
	const struct link_ops *ops;
	struct hnl *nl;
	struct link l;
	int r;

	r = nls_get(f->nls, ns, &nl);
	if (r < 0)
		return r;
	r = observe_get_link(nl, master, &l);
	if (r < 0)
		return r;
	ops = link_ops_get(l.kind);
	if ((l.kind != LINK_BOND && l.kind != LINK_TEAM) || !ops || !ops->observe_extra) {
		link_fini(&l);
		return -EOPNOTSUPP;
	}
	r = ops->observe_extra(&l, nl);
	if (r >= 0)
		snprintf(ret, IFNAMSIZ, "%s", l.kind == LINK_BOND ? l.u.bond.active_slave : l.u.team.active_port);
	link_fini(&l);
	return r < 0 ? r : 0;
}

/* The name of ifindex in ns. */
static int name_of(const char *ns, int ifindex, char ret[IFNAMSIZ]) {
	int saved, r;

	r = netns_enter(ns, &saved);
	if (r < 0)
		return r;
	r = if_indextoname((unsigned)ifindex, ret) ? 0 : -errno;
	netns_leave(saved);
	return r;
}

static int prepare_one(struct fault *f, const char *ns, const char *dev, char *err, size_t errsize) {
	int r = link_index(f, ns, dev);

	if (r < 0) {
		snprintf(err, errsize, "%s/%s: %s", ns_name(ns), dev, r == -ENODEV ? "no such device" : strerror(-r));
		return r;
	}
	if (f->n_idx < ARRAY_SIZE(f->idx)) {
		f->idx[f->n_idx].ns = ns;
		snprintf(f->idx[f->n_idx].dev, IFNAMSIZ, "%s", dev);
		f->idx[f->n_idx].ifindex = r;
		f->n_idx++;
	}
	return 0;
}

int fault_prepare(struct fault *f, char *err, size_t errsize) {
	int r = 0;

	f->n_idx = 0;
	f->active_in[0] = '\0';
	switch (f->fc->action) {
	case FAULT_LINK_DOWN:
	case FAULT_CARRIER_OFF:
	case FAULT_LINK_DELETE: {
		struct link l;
		char master[IFNAMSIZ], active[IFNAMSIZ];

		r = prepare_one(f, f->act_ns, f->act_dev, err, errsize);
		/* dev the active slave or port of its master: a restore waits
		 * until it is again */
		if (r >= 0 && link_get(f, f->dev_ns, f->dev, &l) == 0) {
			if (l.master_ifindex > 0 && name_of(f->dev_ns, l.master_ifindex, master) == 0 &&
			    active_member(f, f->dev_ns, master, active) == 0 && strcmp(active, f->dev) == 0)
				snprintf(f->active_in, sizeof(f->active_in), "%s", master);
			link_fini(&l);
		}
		break;
	}
	case FAULT_VIP_MOVE:
		r = prepare_one(f, f->vip->netns, f->vip->dev, err, errsize);
		if (r >= 0)
			r = prepare_one(f, f->to_ns, f->to_dev, err, errsize);
		break;
	case FAULT_KILL:
	case FAULT_SERVICE_KILL:
	case FAULT_SERVICE_EXEC:
		break;
	case FAULT_NODE_KILL:
		for (size_t i = 0; i < f->n_node_links && r >= 0; i++)
			r = link_index(f, f->node_links[i].ns, f->node_links[i].dev);
		if (r < 0)
			snprintf(err, errsize, "node %s: a link of it: %s", f->fc->node, strerror(-r));
		break;
	}
	return r < 0 ? r : 0;
}

static int link_set_up(struct fault *f, const char *ns, const char *dev, bool up, char *err, size_t errsize) {
	struct link_change c;
	struct hnl *nl;
	int r, idx;

	r = nls_get(f->nls, ns, &nl);
	if (r < 0)
		goto fail;
	idx = link_index(f, ns, dev);
	if (idx < 0) {
		r = idx;
		goto fail;
	}
	link_change_init(&c);
	c.up = up;
	r = link_change(nl, idx, &c);
	if (r >= 0)
		return 0;
fail:
	snprintf(err, errsize, "%s/%s: setting it %s: %s%s%s", ns_name(ns), dev, up ? "up" : "down", strerror(-r),
	         nl && r != -ENOENT && hnl_errmsg(nl)[0] ? ": " : "", nl && r != -ENOENT ? hnl_errmsg(nl) : "");
	return r;
}

/* The fault's time: the request's return, or its own event when the
 * timeline saw it earlier (but after the request was made). */
static uint64_t fault_time(struct timeline *tl, enum tl_kind kind, const char *ns, const char *dev, uint64_t t_req,
                           uint64_t t_done) {
	struct tl_event e;
	uint64_t until = t_done + EVENT_WAIT_NS;

	for (;;) {
		if (timeline_find(tl, kind, ns, dev, t_req, 0, &e) == 0) {
			log_debug("fault %s/%s: request took %.2fms, its event came %.2fms after the request", ns ? ns : "",
			          dev ? dev : "", (double)(t_done - t_req) / 1e6, ((double)e.t_ns - (double)t_req) / 1e6);
			return e.t_ns < t_done ? e.t_ns : t_done;
		}
		if (now_ns() >= until) {
			log_debug("fault %s/%s: request took %.2fms, no event of it", ns ? ns : "", dev ? dev : "",
			          (double)(t_done - t_req) / 1e6);
			return t_done;
		}
		sleep_us(1000);
	}
}

/* ---- resolving --------------------------------------------------------- */

static bool veth_peer_of(const struct profile *p, const char *ns, const char *dev, const char **ret_ns,
                         char ret_dev[IFNAMSIZ]) {
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const char *pns;

		if (l->kind != LINK_VETH)
			continue;
		pns = l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns;
		if (strcmp(l->name, dev) == 0 && netns_eq(l->netns, ns)) {
			*ret_ns = pns;
			snprintf(ret_dev, IFNAMSIZ, "%s", l->u.veth.peer);
			return true;
		}
		if (strcmp(l->u.veth.peer, dev) == 0 && netns_eq(pns, ns)) {
			*ret_ns = l->netns;
			snprintf(ret_dev, IFNAMSIZ, "%s", l->name);
			return true;
		}
	}
	return false;
}

int fault_new(const struct profile *p, const struct fault_conf *fc, struct nls *nls, const struct fault_hooks *hooks,
              struct fault **ret, char *err, size_t errsize) {
	struct fault *f = calloc(1, sizeof(*f));
	char a[IPADDR_STRLEN];

	if (!f)
		return -ENOMEM;
	f->p = p;
	f->fc = fc;
	f->nls = nls;
	if (hooks)
		f->hooks = *hooks;
	f->dev_ns = fc->netns;
	snprintf(f->dev, sizeof(f->dev), "%s", fc->dev);
	f->act_ns = fc->netns;
	snprintf(f->act_dev, sizeof(f->act_dev), "%s", fc->dev);

	switch (fc->action) {
	case FAULT_LINK_DOWN:
		snprintf(f->desc, sizeof(f->desc), "link-down %s/%s", ns_name(fc->netns), fc->dev);
		break;
	case FAULT_CARRIER_OFF:
		if (!veth_peer_of(p, fc->netns, fc->dev, &f->act_ns, f->act_dev)) {
			snprintf(err, errsize, "carrier-off: %s/%s is not one end of a [veth] pair of the profile: its "
			                       "carrier is taken away by setting the other end down",
			         ns_name(fc->netns), fc->dev);
			free(f);
			return -EINVAL;
		}
		snprintf(f->desc, sizeof(f->desc), "carrier-off %s/%s (its peer %s/%s set down)", ns_name(fc->netns),
		         fc->dev, ns_name(f->act_ns), f->act_dev);
		break;
	case FAULT_LINK_DELETE:
		snprintf(f->desc, sizeof(f->desc), "link-delete %s/%s", ns_name(fc->netns), fc->dev);
		break;
	case FAULT_VIP_MOVE:
		f->vip = profile_find_vip(p, fc->vip);
		if (!f->vip || !fc->to_dev[0]) {
			snprintf(err, errsize, "vip-move: no vip or no destination");
			free(f);
			return -EINVAL;
		}
		f->to_ns = fc->to_netns;
		snprintf(f->to_dev, sizeof(f->to_dev), "%s", fc->to_dev);
		f->dev_ns = f->vip->netns;
		snprintf(f->dev, sizeof(f->dev), "%s", f->vip->dev);
		if (f->vip->announce_count) {
			char iv[32];

			format_duration(f->vip->announce_interval_us, iv, sizeof(iv));
			snprintf(f->desc, sizeof(f->desc), "vip-move %s %s %s/%s -> %s/%s, %" PRIu32 " announcements %s apart",
			         f->vip->name, format_ipaddr(&f->vip->address, true, a, sizeof(a)), ns_name(f->vip->netns),
			         f->vip->dev, ns_name(f->to_ns), f->to_dev, f->vip->announce_count, iv);
		} else
			snprintf(f->desc, sizeof(f->desc), "vip-move %s %s %s/%s -> %s/%s, no announcements", f->vip->name,
			         format_ipaddr(&f->vip->address, true, a, sizeof(a)), ns_name(f->vip->netns), f->vip->dev,
			         ns_name(f->to_ns), f->to_dev);
		break;
	case FAULT_KILL:
		snprintf(f->desc, sizeof(f->desc), "kill -KILL the pid in %s", fc->pidfile);
		break;
	case FAULT_SERVICE_KILL: {
		static const char *const targets[] = { "its process group", "its main process", "its main process's children" };

		f->service = services_find(f->hooks.services, fc->service);
		if (f->service < 0) {
			snprintf(err, errsize, "service-kill: no service %s in the lab", fc->service);
			free(f);
			return -EINVAL;
		}
		snprintf(f->desc, sizeof(f->desc), "service-kill %s: SIG%s to %s", fc->service,
		         fc->signal == SIGTERM ? "TERM" : "KILL", targets[fc->target]);
		break;
	}
	case FAULT_SERVICE_EXEC:
		f->service = services_find(f->hooks.services, fc->service);
		if (f->service < 0) {
			snprintf(err, errsize, "service-exec: no service %s in the lab", fc->service);
			free(f);
			return -EINVAL;
		}
		snprintf(f->desc, sizeof(f->desc), "service-exec %s: %.160s", fc->service, fc->command);
		break;
	case FAULT_NODE_KILL: {
		const char *ns = fc->node;
		size_t n_sv = services_count(f->hooks.services), k = 0;

		for (size_t i = 0; i < n_sv; i++)
			if (strcmp(service_conf(f->hooks.services, i)->node, fc->node) == 0) {
				ns = service_conf(f->hooks.services, i)->netns;
				k++;
			}
		for (size_t i = 0; i < p->n_links && f->n_node_links < ARRAY_SIZE(f->node_links); i++) {
			const struct link *l = &p->links[i];
			const char *pns = l->kind == LINK_VETH && l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns;

			if (netns_eq(l->netns, ns)) {
				f->node_links[f->n_node_links].ns = l->netns;
				snprintf(f->node_links[f->n_node_links++].dev, IFNAMSIZ, "%s", l->name);
			} else if (l->kind == LINK_VETH && netns_eq(pns, ns) && f->n_node_links < ARRAY_SIZE(f->node_links)) {
				f->node_links[f->n_node_links].ns = pns;
				snprintf(f->node_links[f->n_node_links++].dev, IFNAMSIZ, "%s", l->u.veth.peer);
			}
		}
		snprintf(f->desc, sizeof(f->desc), "node-kill %s: its %zu link%s down and every process of it killed (%zu service%s)",
		         fc->node, f->n_node_links, f->n_node_links == 1 ? "" : "s", k, k == 1 ? "" : "s");
		break;
	}
	}
	f->rng = now_ns() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)f;
	*ret = f;
	return 0;
}

uint64_t fault_jitter_ns(const struct fault *f) {
	struct fault *m = (struct fault *)f;
	uint64_t x, window = f->fc->jitter_us * 1000;

	if (!window)
		return 0;
	/* xorshift64*: no need for more (nor for the global rand state) */
	x = m->rng ? m->rng : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return (x * 0x2545f4914f6cdd1dull) % window;
}

void fault_free(struct fault *f) {
	free(f);
}

const char *fault_describe(const struct fault *f) {
	return f->desc;
}

void fault_trial_opts(const struct fault *f, struct trial_opts *o) {
	switch (f->fc->action) {
	case FAULT_VIP_MOVE:
		/* the vip added where it went, or its announcement */
		o->reaction_mask = 0;
		o->vip = &f->vip->address;
		break;
	case FAULT_KILL:
	case FAULT_SERVICE_KILL:
	case FAULT_NODE_KILL:
	case FAULT_SERVICE_EXEC: {
		/* what the killed process's peers do: a new VRRP master or
		 * cluster membership, take a vip over (the profile's only one,
		 * or the probed address), fail a bond or team over */
		const struct probe_conf *pr = NULL;

		for (size_t i = 0; i < f->p->n_probes; i++)
			if (strcmp(f->p->probes[i].name, f->fc->probe) == 0)
				pr = &f->p->probes[i];
		o->reaction_mask = TL_REACTIONS_DEFAULT | TL_MASK(TL_VRRP) | TL_MASK(TL_GARP) | TL_MASK(TL_UNSOL_NA) |
		                   TL_MASK(TL_MEMBERSHIP);
		o->vip = f->p->n_vips == 1 ? &f->p->vips[0].address : pr ? &pr->to_addr : NULL;
		break;
	}
	default:
		/* a link fault: the bond or team failing over, a new VRRP master
		 * (an address coming or going is not a reaction to it: IPv6 DAD
		 * ends, ...) */
		o->reaction_mask = TL_MASK(TL_ACTIVE_SLAVE) | TL_MASK(TL_ACTIVE_PORT) | TL_MASK(TL_VRRP);
		o->vip = NULL;
		break;
	}
}

/* ---- vip ---------------------------------------------------------------- */

/* Add the vip's address on dev in ns, or delete it from there. */
static int vip_change(struct fault *f, const char *ns, const char *dev, bool add, char *err, size_t errsize) {
	struct hnl *nl = NULL;
	struct addr a;
	int r, idx;

	vip_addr_on(f->vip, dev, &a);
	r = nls_get(f->nls, ns, &nl);
	if (r >= 0)
		r = idx = link_index(f, ns, dev);
	if (r >= 0)
		r = add ? addr_add(nl, &a, idx, false) : addr_del(nl, &a, idx);
	if (r < 0)
		snprintf(err, errsize, "vip %s: %s %s/%s: %s%s%s", f->vip->name, add ? "adding it on" : "deleting it from",
		         ns_name(ns), dev, strerror(-r), nl && hnl_errmsg(nl)[0] ? ": " : "", nl ? hnl_errmsg(nl) : "");
	return r;
}

static int vip_add(struct fault *f, const char *ns, const char *dev, char *err, size_t errsize) {
	return vip_change(f, ns, dev, true, err, errsize);
}

static int vip_del(struct fault *f, const char *ns, const char *dev, char *err, size_t errsize) {
	return vip_change(f, ns, dev, false, err, errsize);
}

static int vip_announce(struct fault *f, struct timeline *tl, const char *ns, const char *dev, uint32_t count,
                        uint64_t interval_us, char *err, size_t errsize) {
	struct announce_result res = { 0 };
	int r;

	if (!count)
		return 0;
	r = announce_send(ns, dev, &f->vip->address, count, interval_us, f->vip->announce_mode, &res);
	if (res.sent)
		timeline_add_announce(tl, ns, dev, &f->vip->address, &res);
	if (r < 0)
		snprintf(err, errsize, "vip %s: announcing it on %s/%s: %s", f->vip->name, ns_name(ns), dev, strerror(-r));
	return r;
}

/* ---- kill --------------------------------------------------------------- */

static int read_pidfile(const char *path, pid_t *ret) {
	FILE *fp = fopen(path, "re");
	long v;
	int n;

	if (!fp)
		return -errno;
	n = fscanf(fp, "%ld", &v);
	fclose(fp);
	if (n != 1 || v <= 1 || v > INT32_MAX)
		return -EBADMSG;
	*ret = (pid_t)v;
	return 0;
}

static bool pid_alive(pid_t pid) {
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* ---- inject ------------------------------------------------------------- */

int fault_inject(struct fault *f, struct timeline *tl, uint64_t *ret_t_ns, char *err, size_t errsize) {
	const struct fault_conf *fc = f->fc;
	uint64_t t_req, t_done, t;
	struct hnl *nl = NULL;
	int r, idx;

	switch (fc->action) {
	case FAULT_LINK_DOWN:
	case FAULT_CARRIER_OFF:
		t_req = now_ns();
		r = link_set_up(f, f->act_ns, f->act_dev, false, err, errsize);
		t_done = now_ns();
		if (r < 0)
			return r;
		t = fault_time(tl, TL_LINK_DOWN, f->act_ns, f->act_dev, t_req, t_done);
		timeline_add(tl, TL_FAULT, t, f->act_ns, f->act_dev,
		             fc->action == FAULT_LINK_DOWN ? "link down" : "peer down: carrier off");
		break;
	case FAULT_LINK_DELETE:
		r = nls_get(f->nls, f->act_ns, &nl);
		if (r >= 0)
			r = idx = link_index(f, f->act_ns, f->act_dev);
		t_req = now_ns();
		if (r >= 0)
			r = link_delete(nl, idx);
		t_done = now_ns();
		if (r < 0) {
			snprintf(err, errsize, "%s/%s: deleting it: %s%s%s", ns_name(f->act_ns), f->act_dev, strerror(-r),
			         nl && hnl_errmsg(nl)[0] ? ": " : "", nl ? hnl_errmsg(nl) : "");
			return r;
		}
		t = fault_time(tl, TL_LINK_DEL, f->act_ns, f->act_dev, t_req, t_done);
		timeline_add(tl, TL_FAULT, t, f->act_ns, f->act_dev, "link deleted");
		break;
	case FAULT_VIP_MOVE:
		t_req = now_ns();
		r = vip_del(f, f->vip->netns, f->vip->dev, err, errsize);
		t_done = now_ns();
		if (r < 0)
			return r;
		r = vip_add(f, f->to_ns, f->to_dev, err, errsize);
		if (r < 0) {
			char e2[256];
			/* put it back where it was */
			vip_add(f, f->vip->netns, f->vip->dev, e2, sizeof(e2));
			return r;
		}
		t = fault_time(tl, TL_ADDR_DEL, f->vip->netns, f->vip->dev, t_req, t_done);
		timeline_add(tl, TL_FAULT, t, f->vip->netns, f->vip->dev, "vip moved away");
		r = vip_announce(f, tl, f->to_ns, f->to_dev, f->vip->announce_count, f->vip->announce_interval_us, err,
		                 errsize);
		if (r < 0)
			return r;
		break;
	case FAULT_KILL: {
		pid_t pid = 0;          /* read_pidfile() sets it when it returns 0 */

		r = read_pidfile(fc->pidfile, &pid);
		if (r < 0) {
			snprintf(err, errsize, "%s: %s", fc->pidfile,
			         r == -EBADMSG ? "no process id in it" : strerror(-r));
			return r;
		}
		if (!pid_alive(pid)) {
			snprintf(err, errsize, "%s: process %d is not running", fc->pidfile, (int)pid);
			return -ESRCH;
		}
		t = now_ns();
		if (kill(pid, SIGKILL) < 0) {
			r = -errno;
			snprintf(err, errsize, "kill -KILL %d (%s): %s", (int)pid, fc->pidfile, strerror(-r));
			return r;
		}
		f->killed = pid;
		{
			char detail[64];
			snprintf(detail, sizeof(detail), "SIGKILL pid %d", (int)pid);
			timeline_add(tl, TL_FAULT, t, NULL, NULL, detail);
		}
		break;
	}
	case FAULT_SERVICE_KILL: {
		char detail[64];
		int n = 0;

		t = now_ns();
		r = service_signal(f->hooks.services, (size_t)f->service, fc->target, fc->signal, &n, err, errsize);
		if (r < 0)
			return r;
		snprintf(detail, sizeof(detail), "SIG%s %.32s %s", fc->signal == SIGTERM ? "TERM" : "KILL", fc->service,
		         fc->target == FAULT_TARGET_GROUP ? "group" : fc->target == FAULT_TARGET_MAIN ? "main" : "children");
		timeline_add(tl, TL_FAULT, t, service_conf(f->hooks.services, (size_t)f->service)->netns, NULL, detail);
		break;
	}
	case FAULT_NODE_KILL: {
		char detail[64];
		int n = 0;

		/* the links first: what the dying processes still send (a
		 * VRRP child's priority 0 on its parent's death) goes nowhere */
		t = now_ns();
		for (size_t i = 0; i < f->n_node_links; i++) {
			r = link_set_up(f, f->node_links[i].ns, f->node_links[i].dev, false, err, errsize);
			if (r < 0)
				return r;
		}
		r = services_kill_node(f->hooks.services, fc->node, &n, err, errsize);
		if (r < 0)
			return r;
		snprintf(detail, sizeof(detail), "node %.24s dead: %zu links down, %d killed", fc->node, f->n_node_links, n);
		timeline_add(tl, TL_FAULT, t, f->n_node_links ? f->node_links[0].ns : NULL, NULL, detail);
		break;
	}
	case FAULT_SERVICE_EXEC: {
		const struct service_conf *sc = service_conf(f->hooks.services, (size_t)f->service);
		char detail[96];

		/* the fault's time: the command started (its effect follows) */
		t = now_ns();
		r = service_run(f->hooks.services, (size_t)f->service, fc->command, EXEC_TIMEOUT_US);
		if (r <= 0) {
			snprintf(err, errsize, "service-exec %s: `%s` %s", fc->service, fc->command,
			         r == -ESRCH ? "not run: the service is not running" : r < 0 ? strerror(-r)
			                                                                   : "failed (its log has why)");
			return r < 0 ? r : -EIO;
		}
		snprintf(detail, sizeof(detail), "exec in %.24s: %.48s", fc->service, fc->command);
		timeline_add(tl, TL_FAULT, t, sc->netns, NULL, detail);
		break;
	}
	default:
		return -EINVAL;
	}
	*ret_t_ns = t;
	return 0;
}

/* ---- restore ------------------------------------------------------------- */

/* Until dev is up with its carrier and, when it was the active slave or
 * port of its bond or team before the fault, is again. */
static int wait_link_back(struct fault *f, uint64_t timeout_ns, char *err, size_t errsize) {
	uint64_t until = now_ns() + timeout_ns;
	const char *why = "";
	char what[IFNAMSIZ * 2 + 64];

	for (;;) {
		struct link l;
		char active[IFNAMSIZ];

		if (link_get(f, f->dev_ns, f->dev, &l) == 0) {
			if (!l.up)
				why = "is down";
			else if (!l.carrier)
				why = "has no carrier";
			else
				why = NULL;
			link_fini(&l);
		} else {
			why = "does not exist";
		}
		if (!why && f->active_in[0] && (active_member(f, f->dev_ns, f->active_in, active) < 0 ||
		                                strcmp(active, f->dev) != 0)) {
			snprintf(what, sizeof(what), "is not the active one of %s again", f->active_in);
			why = what;
		}
		if (!why)
			return 0;
		if (now_ns() >= until) {
			snprintf(err, errsize, "%s/%s %s after %.1fs", ns_name(f->dev_ns), f->dev, why, (double)timeout_ns / 1e9);
			return -ETIMEDOUT;
		}
		sleep_us(f->active_in[0] ? 5 * POLL_US : POLL_US);
	}
}

int fault_restore(struct fault *f, struct timeline *tl, uint64_t timeout_ns, char *err, size_t errsize) {
	const struct fault_conf *fc = f->fc;
	int r;

	if (fc->action == FAULT_LINK_DELETE)
		f->n_idx = 0;

	switch (fc->action) {
	case FAULT_LINK_DOWN:
	case FAULT_CARRIER_OFF:
		r = link_set_up(f, f->act_ns, f->act_dev, true, err, errsize);
		timeline_add(tl, TL_RESTORE, 0, f->act_ns, f->act_dev, "link up");
		if (r < 0)
			return r;
		return wait_link_back(f, timeout_ns, err, errsize);
	case FAULT_LINK_DELETE:
		if (!f->hooks.reapply) {
			snprintf(err, errsize, "link-delete: nothing to recreate %s with", f->act_dev);
			return -EINVAL;
		}
		r = f->hooks.reapply(f->hooks.data, err, errsize);
		timeline_add(tl, TL_RESTORE, 0, f->act_ns, f->act_dev, "link recreated");
		if (r < 0)
			return r;
		return wait_link_back(f, timeout_ns, err, errsize);
	case FAULT_VIP_MOVE: {
		uint32_t count = f->vip->announce_count ? f->vip->announce_count : RESTORE_ANNOUNCE_COUNT;
		uint64_t interval = f->vip->announce_count ? f->vip->announce_interval_us : RESTORE_ANNOUNCE_INTERVAL_US;

		r = vip_del(f, f->to_ns, f->to_dev, err, errsize);
		if (r < 0 && r != -EADDRNOTAVAIL)
			return r;
		r = vip_add(f, f->vip->netns, f->vip->dev, err, errsize);
		timeline_add(tl, TL_RESTORE, 0, f->vip->netns, f->vip->dev, "vip moved back");
		if (r < 0 && r != -EEXIST)
			return r;
		return vip_announce(f, tl, f->vip->netns, f->vip->dev, count, interval, err, errsize);
	}
	case FAULT_KILL: {
		uint64_t until = now_ns() + timeout_ns;
		pid_t pid = 0;

		for (;;) {
			if (read_pidfile(fc->pidfile, &pid) == 0 && pid != f->killed && pid_alive(pid)) {
				char detail[64];
				snprintf(detail, sizeof(detail), "pid %d running", (int)pid);
				timeline_add(tl, TL_RESTORE, 0, NULL, NULL, detail);
				return 0;
			}
			if (now_ns() >= until) {
				snprintf(err, errsize, "%s: no new process after %.1fs (kill needs a supervisor that restarts "
				                       "the process, or restore = none)",
				         fc->pidfile, (double)timeout_ns / 1e9);
				return -ETIMEDOUT;
			}
			sleep_us(10 * POLL_US);
		}
	}
	case FAULT_SERVICE_KILL:
		r = service_start(f->hooks.services, (size_t)f->service, err, errsize);
		timeline_add(tl, TL_RESTORE, 0, NULL, NULL, "service restarted, ready");
		return r;
	case FAULT_SERVICE_EXEC:
		if (!fc->restore_command) {
			/* the node restarted whole: what the command broke may have
			 * left processes of its own session (daemons) behind */
			const char *node = service_conf(f->hooks.services, (size_t)f->service)->node;

			r = services_kill_node(f->hooks.services, node, NULL, err, errsize);
			if (r >= 0)
				r = services_restart_node(f->hooks.services, node, err, errsize);
			timeline_add(tl, TL_RESTORE, 0, NULL, NULL, "node restarted, services ready");
			return r;
		}
		r = service_run(f->hooks.services, (size_t)f->service, fc->restore_command, EXEC_TIMEOUT_US);
		timeline_add(tl, TL_RESTORE, 0, NULL, NULL, "restore command run");
		if (r <= 0) {
			snprintf(err, errsize, "service-exec %s: restore `%s` %s", fc->service, fc->restore_command,
			         r == -ESRCH ? "not run: the service is not running" : r < 0 ? strerror(-r)
			                                                                   : "failed (its log has why)");
			return r < 0 ? r : -EIO;
		}
		return 0;
	case FAULT_NODE_KILL: {
		uint64_t until = now_ns() + timeout_ns;

		for (size_t i = 0; i < f->n_node_links; i++) {
			r = link_set_up(f, f->node_links[i].ns, f->node_links[i].dev, true, err, errsize);
			if (r < 0)
				return r;
		}
		/* a node comes back with its links up and their carrier */
		for (size_t i = 0; i < f->n_node_links; i++)
			for (;;) {
				struct link l;
				bool ok = false;

				if (link_get(f, f->node_links[i].ns, f->node_links[i].dev, &l) == 0) {
					ok = l.up && l.carrier;
					link_fini(&l);
				}
				if (ok)
					break;
				if (now_ns() >= until) {
					snprintf(err, errsize, "node %s: %s/%s not up with a carrier after %.1fs", fc->node,
					         ns_name(f->node_links[i].ns), f->node_links[i].dev, (double)timeout_ns / 1e9);
					return -ETIMEDOUT;
				}
				sleep_us(POLL_US);
			}
		r = services_restart_node(f->hooks.services, fc->node, err, errsize);
		timeline_add(tl, TL_RESTORE, 0, NULL, NULL, "node up, services ready");
		return r;
	}
	}
	return -EINVAL;
}
