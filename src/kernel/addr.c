/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses through libnl-route's rtnl_addr, sent by our transport. */
#include <errno.h>
#include <linux/if_addr.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "hnl.h"
#include "util.h"

static int addr_msg(const struct addr *a, int ifindex, bool del, int flags, struct nl_msg **ret) {
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	int r;

	if (!ra)
		return -ENOMEM;
	local = nl_addr_build(a->ip.family, a->ip.a, ipaddr_len(a->ip.family));
	if (!local) {
		r = -ENOMEM;
		goto out;
	}
	nl_addr_set_prefixlen(local, a->ip.plen);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->ip.family);
	r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		goto nle;
	rtnl_addr_set_prefixlen(ra, a->ip.plen);
	if (!del) {
		if (a->label[0] && a->ip.family == AF_INET) {
			r = rtnl_addr_set_label(ra, a->label);
			if (r < 0)
				goto nle;
		}
		if (a->flags & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE))
			rtnl_addr_set_flags(ra, a->flags & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE));
		rtnl_addr_set_valid_lifetime(ra, a->valid_lft ? a->valid_lft : UINT32_MAX);
		/* an observed deprecated address may report preferred forever (IPv4) */
		rtnl_addr_set_preferred_lifetime(ra, (a->flags & IFA_F_DEPRECATED) ? 0 : a->preferred_lft);
		r = rtnl_addr_build_add_request(ra, flags, ret);
	} else {
		r = rtnl_addr_build_delete_request(ra, 0, ret);
	}
nle:
	if (r < 0)
		r = hnl_libnl_errno(r);
out:
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return r;
}

int addr_add(struct hnl *nl, const struct addr *a, int ifindex, bool replace) {
	struct nl_msg *msg = NULL;
	int r = addr_msg(a, ifindex, false, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL), &msg);

	if (r < 0)
		return r;
	r = hnl_request_libnl(nl, msg);
	nlmsg_free(msg);
	return r;
}

int addr_del(struct hnl *nl, const struct addr *a, int ifindex) {
	struct nl_msg *msg = NULL;
	int r = addr_msg(a, ifindex, true, 0, &msg);

	if (r < 0)
		return r;
	r = hnl_request_libnl(nl, msg);
	nlmsg_free(msg);
	return r;
}

void addr_from_vip(const struct vip *v, struct addr *ret) {
	struct addr a = { 0 };

	a.ip = v->address;
	a.netns = v->netns;
	memcpy(a.dev, v->dev, IFNAMSIZ);
	memcpy(a.label, v->label, IFNAMSIZ);
	if (v->noprefixroute)
		a.flags |= IFA_F_NOPREFIXROUTE;
	if ((v->nodad || v->held_nodad) && v->address.family == AF_INET6)
		a.flags |= IFA_F_NODAD;
	a.preferred_lft = v->preferred_zero ? 0 : UINT32_MAX;
	a.valid_lft = UINT32_MAX;
	*ret = a;
}

bool addr_vip_matches(const struct addr *want, const struct addr *have, char *why, size_t size) {
	size_t len = 0;
	bool ok = true;

	if (why && size)
		why[0] = '\0';
#define WHY(...) do { ok = false; if (why && len < size) len += (size_t)snprintf(why + len, size - len, __VA_ARGS__); } while (0)
	if (want->ip.family == AF_INET && want->label[0] && strcmp(want->label, have->label) != 0)
		WHY("%slabel %s -> %s", len ? ", " : "", have->label, want->label);
	if ((want->flags & IFA_F_NOPREFIXROUTE) != (have->flags & IFA_F_NOPREFIXROUTE))
		WHY("%snoprefixroute %s", len ? ", " : "", want->flags & IFA_F_NOPREFIXROUTE ? "on" : "off");
	if (want->ip.family == AF_INET6 && (want->flags & IFA_F_NODAD) != (have->flags & IFA_F_NODAD))
		WHY("%snodad %s", len ? ", " : "", want->flags & IFA_F_NODAD ? "on" : "off");
	if ((want->preferred_lft == 0) != (have->preferred_lft == 0 || (have->flags & IFA_F_DEPRECATED)))
		WHY("%spreferred_lft %s", len ? ", " : "", want->preferred_lft == 0 ? "0" : "forever");
#undef WHY
	return ok;
}

bool addr_is_kernel(const struct addr *a) {
	/* IPv6 link-local addresses come with the link */
	return a->ip.family == AF_INET6 && a->ip.a[0] == 0xfe && (a->ip.a[1] & 0xc0) == 0x80;
}

bool addr_change_is_live(const struct addr *want, const struct addr *have) {
	if (want->ip.family == AF_INET)
		return (!want->label[0] || strcmp(want->label, have->label) == 0) &&
		       (want->flags & IFA_F_NOPREFIXROUTE) == (have->flags & IFA_F_NOPREFIXROUTE);
	return (want->flags & IFA_F_NODAD) == (have->flags & IFA_F_NODAD);
}
