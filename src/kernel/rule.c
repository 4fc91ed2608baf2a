/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rules through libnl-route's rtnl_rule, sent by our transport. */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/rule.h>
#include <stdio.h>
#include <string.h>

#include "hnl.h"
#include "route.h"
#include "rule.h"
#include "util.h"

uint8_t rule_family(const struct rule *u) {
	if (u->family)
		return u->family;
	if (u->set & RULE_SET_FROM)
		return u->from.family;
	if (u->set & RULE_SET_TO)
		return u->to.family;
	return AF_INET;
}

static int set_prefix(struct rtnl_rule *rr, const struct ipaddr *a, bool src) {
	struct nl_addr *na = nl_addr_build(a->family, a->a, ipaddr_len(a->family));
	int r;

	if (!na)
		return -ENOMEM;
	nl_addr_set_prefixlen(na, a->plen);
	r = src ? rtnl_rule_set_src(rr, na) : rtnl_rule_set_dst(rr, na);
	nl_addr_put(na);
	return r < 0 ? hnl_libnl_errno(r) : 0;
}

static int rule_msg(const struct rule *u, bool del, uint8_t protocol, struct nl_msg **ret) {
	struct rtnl_rule *rr = rtnl_rule_alloc();
	int r = 0;

	if (!rr)
		return -ENOMEM;
	rtnl_rule_set_family(rr, rule_family(u));
	rtnl_rule_set_action(rr, u->action ? u->action : FR_ACT_TO_TBL);
	if (u->set & RULE_SET_TABLE)
		rtnl_rule_set_table(rr, u->table);
	if (u->set & RULE_SET_PRIORITY)
		rtnl_rule_set_prio(rr, u->priority);
	if ((u->set & RULE_SET_FROM) && (r = set_prefix(rr, &u->from, true)) < 0)
		goto out;
	if ((u->set & RULE_SET_TO) && (r = set_prefix(rr, &u->to, false)) < 0)
		goto out;
	if (u->set & RULE_SET_FWMARK) {
		rtnl_rule_set_mark(rr, u->fwmark);
		rtnl_rule_set_mask(rr, u->fwmask);
	}
	if ((u->set & RULE_SET_IIF) && (r = rtnl_rule_set_iif(rr, u->iif)) < 0)
		goto nle;
	if ((u->set & RULE_SET_OIF) && (r = rtnl_rule_set_oif(rr, u->oif)) < 0)
		goto nle;
	if (!del)
		rtnl_rule_set_protocol(rr, protocol ? protocol : RTPROT_HANET);
	else if (u->protocol)
		rtnl_rule_set_protocol(rr, u->protocol);
	r = del ? rtnl_rule_build_delete_request(rr, 0, ret)
	        : rtnl_rule_build_add_request(rr, NLM_F_CREATE | NLM_F_EXCL, ret);
nle:
	if (r < 0)
		r = hnl_libnl_errno(r);
out:
	rtnl_rule_put(rr);
	return r;
}

static int rule_send(struct hnl *nl, const struct rule *u, bool del, uint8_t protocol) {
	struct nl_msg *msg = NULL;
	int r = rule_msg(u, del, protocol, &msg);

	if (r < 0)
		return r;
	r = hnl_request_libnl(nl, msg);
	nlmsg_free(msg);
	return r;
}

int rule_add(struct hnl *nl, const struct rule *u, uint8_t protocol) { return rule_send(nl, u, false, protocol); }
int rule_del(struct hnl *nl, const struct rule *u) { return rule_send(nl, u, true, 0); }

bool rule_matches(const struct rule *want, const struct rule *have) {
	if (rule_family(want) != have->family)
		return false;
	if ((have->action ? have->action : FR_ACT_TO_TBL) != (want->action ? want->action : FR_ACT_TO_TBL))
		return false;
	if ((want->set & RULE_SET_PRIORITY) && want->priority != have->priority)
		return false;
	if (((want->set & RULE_SET_TABLE) ? want->table : 0) != ((have->set & RULE_SET_TABLE) ? have->table : 0))
		return false;
	if (!!(want->set & RULE_SET_FROM) != !!(have->set & RULE_SET_FROM) ||
	    ((want->set & RULE_SET_FROM) && !ipaddr_eq(&want->from, &have->from)))
		return false;
	if (!!(want->set & RULE_SET_TO) != !!(have->set & RULE_SET_TO) ||
	    ((want->set & RULE_SET_TO) && !ipaddr_eq(&want->to, &have->to)))
		return false;
	if (!!(want->set & RULE_SET_FWMARK) != !!(have->set & RULE_SET_FWMARK) ||
	    ((want->set & RULE_SET_FWMARK) && (want->fwmark != have->fwmark || want->fwmask != have->fwmask)))
		return false;
	if (!!(want->set & RULE_SET_IIF) != !!(have->set & RULE_SET_IIF) ||
	    ((want->set & RULE_SET_IIF) && strcmp(want->iif, have->iif) != 0))
		return false;
	if (!!(want->set & RULE_SET_OIF) != !!(have->set & RULE_SET_OIF) ||
	    ((want->set & RULE_SET_OIF) && strcmp(want->oif, have->oif) != 0))
		return false;
	return true;
}

const char *rule_format(const struct rule *u, char *buf, size_t size) {
	char a[IPADDR_STRLEN];
	size_t len = 0;

#define PUT(...) do { if (len < size) len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__); } while (0)
	PUT("%s", rule_family(u) == AF_INET6 ? "inet6" : "inet");
	if (u->set & RULE_SET_PRIORITY)
		PUT(" priority %u", u->priority);
	PUT(" from %s", u->set & RULE_SET_FROM ? format_ipaddr(&u->from, true, a, sizeof(a)) : "all");
	if (u->set & RULE_SET_TO)
		PUT(" to %s", format_ipaddr(&u->to, true, a, sizeof(a)));
	if (u->set & RULE_SET_FWMARK) {
		PUT(" fwmark 0x%x", u->fwmark);
		if (u->fwmask != 0xffffffff)
			PUT("/0x%x", u->fwmask);
	}
	if (u->set & RULE_SET_IIF)
		PUT(" iif %s", u->iif);
	if (u->set & RULE_SET_OIF)
		PUT(" oif %s", u->oif);
	if (u->set & RULE_SET_TABLE)
		PUT(" table %u", u->table);
#undef PUT
	return buf;
}
