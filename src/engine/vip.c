/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VIP mechanics and held records (see vip.h).
 *
 *   /run/hanet/vip/PROFILE/NAME.held   hanet-vip-held 1
 *                                      netns NS          ("-": the namespace hanet runs in)
 *                                      dev DEV
 *                                      address CIDR
 *                                      since REALTIME_US
 *                                      pid PID
 *                                      token TOKEN
 *   /run/hanet/vip/PROFILE/NAME.lock   flock(2); the holder's pid
 */
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "lock.h"
#include "owner.h"
#include "hnl.h"
#include "observe.h"
#include "util.h"
#include "vip.h"

#define HELD_MAGIC "hanet-vip-held 1"
#define LOCK_POLL_US 2000

/* vip: the name of a [vip] section (an array of struct vip, never NULL) */
static int vip_path(const char *profile, const char *vip, const char *ext, char *buf, size_t size) {
	if (!profile || !*profile || strchr(profile, '/') || !*vip || strchr(vip, '/'))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s/%s.%s", VIP_RUN_DIR, profile, vip, ext) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int profile_dir(const char *profile) {
	char dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", VIP_RUN_DIR, profile) >= sizeof(dir))
		return -ENAMETOOLONG;
	return private_dir(HANET_RUN_DIR, dir, NULL);
}

/* ---- locks ------------------------------------------------------------------ */

int vip_lock(const char *profile, const char *vip, uint64_t timeout_us, int *ret_fd) {
	char path[PATH_MAX];
	int r;

	r = vip_path(profile, vip, "lock", path, sizeof(path));
	if (r < 0)
		return r;
	r = profile_dir(profile);
	if (r < 0)
		return r;
	/* held for milliseconds at most: a short poll */
	return lock_take_file(path, timeout_us, LOCK_POLL_US, ret_fd, NULL);
}

void vip_unlock(int fd) {
	lock_release(fd);
}

/* ---- held records ------------------------------------------------------------ */

int vip_held_read(const char *profile, const char *vip, struct vip_held *ret) {
	struct vip_held h = { 0 };
	char path[PATH_MAX], line[512];
	unsigned seen = 0;
	FILE *f;
	int r;

	r = vip_path(profile, vip, "held", path, sizeof(path));
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strcmp(strstrip(line), HELD_MAGIC) != 0) {
		fclose(f);
		return -EBADMSG;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key = strstrip(line), *val = strchr(key, ' ');

		if (!val)
			continue;
		*val++ = '\0';
		if (strcmp(key, "netns") == 0) {
			if (STRCPY(h.netns, strcmp(val, "-") == 0 ? "" : val) == 0)
				seen |= 1u << 0;
		} else if (strcmp(key, "dev") == 0) {
			if (STRCPY(h.dev, val) == 0)
				seen |= 1u << 1;
		} else if (strcmp(key, "address") == 0) {
			if (parse_prefix(val, true, &h.ip) == 0)
				seen |= 1u << 2;
		} else if (strcmp(key, "since") == 0) {
			parse_u64(val, &h.since_us);
		} else if (strcmp(key, "pid") == 0) {
			h.pid = atoi(val);
		} else if (strcmp(key, "token") == 0) {
			parse_u64(val, &h.token);
		} else if (strcmp(key, "nodad") == 0) {
			h.nodad = strcmp(val, "1") == 0;
		}
	}
	fclose(f);
	if (seen != 7)
		return -EBADMSG;
	*ret = h;
	return 0;
}

int vip_held_write(const char *profile, const struct vip *v, const char *netns, const char *dev, bool nodad,
                   struct vip_held *ret) {
	struct vip_held h = { 0 };
	char path[PATH_MAX], ip[IPADDR_STRLEN], buf[1024];
	int n, r;

	r = vip_path(profile, v->name, "held", path, sizeof(path));
	if (r < 0)
		return r;
	r = profile_dir(profile);
	if (r < 0)
		return r;
	if (STRCPY(h.netns, netns ? netns : "") < 0 || STRCPY(h.dev, dev) < 0)
		return -ENAMETOOLONG;
	h.ip = v->address;
	h.since_us = realtime_us();
	h.pid = (int)getpid();
	/* unique enough: the same pid never takes over twice in one microsecond */
	h.token = now_ns() ^ ((uint64_t)(unsigned)h.pid << 40);
	h.nodad = nodad && v->address.family == AF_INET6;
	n = snprintf(buf, sizeof(buf),
	             HELD_MAGIC "\nnetns %s\ndev %s\naddress %s\nsince %" PRIu64 "\npid %d\ntoken %" PRIu64 "\nnodad %d\n",
	             h.netns[0] ? h.netns : "-", h.dev, format_ipaddr(&h.ip, true, ip, sizeof(ip)), h.since_us, h.pid,
	             h.token, h.nodad);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	r = write_file_atomic(path, buf, (size_t)n, 0600);
	if (r < 0)
		return r;
	if (ret)
		*ret = h;
	return 0;
}

int vip_held_remove(const char *profile, const char *vip) {
	char path[PATH_MAX];
	int r = vip_path(profile, vip, "held", path, sizeof(path));

	if (r < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static bool held_here(const struct vip_held *h, const struct vip *v) {
	return netns_eq(h->netns[0] ? h->netns : NULL, v->netns) && strcmp(h->dev, v->dev) == 0 &&
	       ipaddr_eq(&h->ip, &v->address);
}

bool vip_is_held(const char *profile, const struct vip *v) {
	struct vip_held h;

	return vip_held_read(profile, v->name, &h) >= 0 && held_here(&h, v);
}

void vip_held_mark(struct profile *p, const char *profile) {
	for (size_t i = 0; p && i < p->n_vips; i++) {
		struct vip *v = &p->vips[i];
		struct vip_held h;

		v->held = v->owner == VIP_OWNER_EXTERNAL && vip_held_read(profile, v->name, &h) >= 0 && held_here(&h, v);
		v->held_nodad = v->held && h.nodad;
	}
}

/* ---- the address ------------------------------------------------------------------ */

void vip_addr_on(const struct vip *v, const char *dev, struct addr *ret) {
	addr_from_vip(v, ret);
	snprintf(ret->dev, sizeof(ret->dev), "%s", dev);
	if (ret->label[0] && strcmp(dev, v->dev) != 0) {
		size_t n = strlen(v->dev);
		char label[IFNAMSIZ * 2];

		if (strncmp(ret->label, v->dev, n) == 0)
			snprintf(label, sizeof(label), "%s%s", dev, ret->label + n);
		else
			snprintf(label, sizeof(label), "%s", dev);
		snprintf(ret->label, sizeof(ret->label), "%.*s", IFNAMSIZ - 1, label);
	}
}

static int ifindex_cb(const struct nlmsghdr *nlh, void *data) {
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	int *idx = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ifi) && *idx <= 0)
		*idx = ifi->ifi_index;
	return MNL_CB_OK;
}

int vip_ifindex(struct hnl *nl, const char *name) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int idx = 0, r;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = hnl_request(nl, nlh, ifindex_cb, &idx);
	if (r < 0)
		return r;
	return idx > 0 ? idx : -ENODEV;
}

struct get_addr {
	int ifindex;
	const struct ipaddr *ip;
	struct addr a;
	bool got;
};

static int get_addr_cb(const struct nlmsghdr *nlh, void *data) {
	struct get_addr *g = data;
	struct addr a;

	if (nlh->nlmsg_type != RTM_NEWADDR || observe_parse_addr(nlh, &a) < 0)
		return MNL_CB_OK;
	if (a.ifindex == g->ifindex && ipaddr_eq(&a.ip, g->ip)) {
		g->a = a;
		g->got = true;
	}
	return MNL_CB_OK;
}

static void get_addr_reset(void *data) {
	((struct get_addr *)data)->got = false;
}

int vip_get(struct hnl *nl, int ifindex, const struct ipaddr *ip, struct addr *ret) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct get_addr g = { .ifindex = ifindex, .ip = ip };
	int r;

	/* the kernel filters a dump by device (strict checking is on) */
	ifa->ifa_family = (uint8_t)ip->family;
	ifa->ifa_index = (uint32_t)ifindex;
	r = hnl_dump_run(nl, nlh, get_addr_cb, get_addr_reset, &g);
	if (r < 0)
		return r;
	if (!g.got)
		return -ENOENT;
	*ret = g.a;
	return 0;
}

/* ---- status ---------------------------------------------------------------------------- */

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

int vip_status_observe(const struct profile *p, struct state **ret) {
	struct observe_ns_req *reqs = NULL;
	struct nls *nls = NULL;
	size_t n_reqs = 0;
	int r;

	r = status_reqs(p, &reqs, &n_reqs);
	if (r >= 0)
		r = nls_new(&nls);
	if (r >= 0)
		r = state_observe(nls, reqs, n_reqs, ret);
	nls_free(nls);
	free(reqs);
	return r;
}

void vip_status(const struct profile *p, const struct vip *v, const struct state *st, struct vip_status *ret) {
	struct addr want;

	memset(ret, 0, sizeof(*ret));
	ret->held = vip_held_read(p->name, v->name, &ret->h) >= 0;
	vip_addr_on(v, v->dev, &want);
	/* taken over without DAD (a migration's): so it is wanted */
	if (ret->held && ret->h.nodad && held_here(&ret->h, v))
		want.flags |= IFA_F_NODAD;
	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *ns = &st->ns[i];

		for (size_t k = 0; ns->exists && k < ns->n_addrs; k++) {
			const struct addr *a = &ns->addrs[k];

			if (!addr_same_host(&a->ip, &v->address))
				continue;
			if (netns_eq(ns->name, v->netns) && strcmp(a->dev, v->dev) == 0 && a->ip.plen == v->address.plen)
				ret->on_dev = a;
			if (ret->n_where < ARRAY_SIZE(ret->where))
				ret->where[ret->n_where++] = (struct vip_place){ ns, a };
		}
	}
	if (ret->on_dev)
		addr_vip_matches(&want, ret->on_dev, ret->why, sizeof(ret->why));
}
