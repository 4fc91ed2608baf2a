/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drive the bond, team and vlan backends (link-ops.h) directly against
 * the kernel, for the kernel tests: create, compare, change kind options,
 * attach slaves/ports, read back.
 *
 *   link-kind apply PROFILE     create or change every bond/team/vlan/macvlan
 *                               of the profile, attach slaves/ports
 *   link-kind check PROFILE     print what differs; exit 1 when anything does
 *   link-kind show NAME...      print a link as the backends observe it
 *   link-kind expect            lines "DEV KEY VALUE" on stdin: check them
 *                               against show; exit 1 when any differs
 *
 * Everything happens in the namespace the tool runs in (the links'
 * `netns =` must be unset).  apply prints one line per step and, last,
 * "writes N": the write requests it sent.
 */
#include <errno.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bond-opts.h"
#include "diag.h"
#include "link.h"
#include "log.h"
#include "hnl.h"
#include "profile.h"
#include "observe.h"

static int ctx_ifindex(const struct link_ctx *ctx, const char *netns, const char *name) {
	struct link l;
	int r = observe_get_link(ctx->nl, name, &l);

	if (r < 0)
		return r;
	r = l.ifindex;
	link_fini(&l);
	return r;
}

static int ctx_netns_fd(const struct link_ctx *ctx, const char *netns) {
	return hnl_netns_fd(ctx->nl);
}

static int ctx_get_link(const struct link_ctx *ctx, const char *name, struct link *ret) {
	return observe_get_link(ctx->nl, name, ret);
}

/* The namespace as observe reads it, read again after any write. */
static struct nls *g_nls;
static struct state *g_st;
static bool g_dirty = true;

static int state_get(const struct state **ret) {
	struct observe_ns_req req = { .netns = NULL };
	int r;

	if (!g_nls) {
		r = nls_new(&g_nls);
		if (r < 0)
			return r;
	}
	if (g_dirty || !g_st) {
		state_free(g_st);
		g_st = NULL;
		r = state_observe(g_nls, &req, 1, &g_st);
		if (r < 0)
			return r;
		g_dirty = false;
	}
	*ret = g_st;
	return 0;
}

/* A link as observe and its backend read it (names of lower devices
 * and slaves derived as observe does); -ENODEV when absent. */
static int observe(struct hnl *nl, const char *name, struct link *ret) {
	const struct link_ops *ops;
	const struct state *st;
	const struct link *found;
	struct link l;
	int r;

	r = state_get(&st);
	if (r < 0)
		return r;
	found = state_link(st, NULL, name);
	if (!found)
		return -ENODEV;
	r = link_copy(&l, found);
	if (r < 0)
		return r;
	ops = link_ops_get(l.kind);
	if (ops && ops->observe_extra) {
		r = ops->observe_extra(&l, nl);
		if (r < 0) {
			link_fini(&l);
			return r;
		}
	}
	*ret = l;
	return 0;
}

static const struct namelist *members(const struct link *l) {
	return l->kind == LINK_BOND ? &l->u.bond.slaves : l->kind == LINK_TEAM ? &l->u.team.ports : NULL;
}

/* The slaves/ports of a link now (from the masters of every link). */
static int current_members(struct hnl *nl, const struct link *m, struct namelist *ret) {
	const struct state *st;
	int r;

	(void)nl;
	r = state_get(&st);
	if (r < 0)
		return r;
	for (size_t i = 0; i < st->ns[0].n_links && r >= 0; i++)
		if (st->ns[0].links[i].master_ifindex == m->ifindex)
			r = namelist_add(ret, st->ns[0].links[i].name);
	return r;
}

static int set_state(struct hnl *nl, const char *name, int up, int master) {
	struct link_change c;
	struct link l;
	int r;

	r = observe_get_link(nl, name, &l);
	if (r < 0)
		return r;
	link_change_init(&c);
	c.up = up;
	c.master = master;
	g_dirty = true;
	r = link_change(nl, l.ifindex, &c);
	link_fini(&l);
	return r;
}

/* Attach what want lists and have does not; release the others. */
static int sync_members(struct hnl *nl, const struct link *want, const struct link *have, bool *changed) {
	const struct namelist *w = members(want);
	struct namelist cur = { 0 };
	int r;

	if (!w)
		return 0;
	r = current_members(nl, have, &cur);
	for (size_t i = 0; r >= 0 && i < cur.n; i++)
		if (!namelist_contains(w, cur.v[i])) {
			printf("%s: release %s\n", want->name, cur.v[i]);
			r = set_state(nl, cur.v[i], -1, 0);
			*changed = true;
		}
	for (size_t i = 0; r >= 0 && i < w->n; i++) {
		if (namelist_contains(&cur, w->v[i]))
			continue;
		printf("%s: attach %s\n", want->name, w->v[i]);
		/* bonds and teams take a slave only while it is down, and open it */
		r = set_state(nl, w->v[i], 0, -1);
		if (r >= 0)
			r = set_state(nl, w->v[i], -1, have->ifindex);
		*changed = true;
	}
	namelist_fini(&cur);
	return r;
}

static int apply_link(struct hnl *nl, const struct link *want, const struct link_ctx *ctx) {
	const struct link_ops *ops = link_ops_get(want->kind);
	char buf[NL_MSG_SIZE] = { 0 };   /* libmnl 1.0.4 leaves attribute padding as it finds it */
	struct nlmsghdr *nlh;
	struct link have;
	bool changed = false;
	int r;

	r = observe(nl, want->name, &have);
	if (r == -ENODEV) {
		printf("%s: create %s\n", want->name, link_kind_name(want->kind));
		nlh = hnl_msg_new(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
		r = link_build_create(nlh, want, ctx, -1, false);
		g_dirty = true;
		if (r >= 0)
			r = hnl_request(nl, nlh, NULL, NULL);
		if (r < 0) {
			fprintf(stderr, "%s: create: %s%s%s\n", want->name, strerror(-r), hnl_errmsg(nl)[0] ? ": " : "",
			        hnl_errmsg(nl));
			return r;
		}
		r = observe(nl, want->name, &have);
		if (r < 0)
			return r;
		changed = true;
	} else if (r < 0) {
		return r;
	} else {
		struct link_diff d = { .level = DISRUPT_NONE };

		if (ops->diff)
			ops->diff(want, &have, &d);
		if (d.level != DISRUPT_NONE) {
			struct namelist cur = { 0 };

			printf("%s: %s: %s\n", want->name, disruption_name(d.level), d.what);
			if (d.level == DISRUPT_RECREATE) {
				fprintf(stderr, "%s: needs to be created again, which this tool does not do\n", want->name);
				link_fini(&have);
				return -EBUSY;
			}
			if (d.need_no_slaves) {
				r = current_members(nl, &have, &cur);
				for (size_t i = 0; r >= 0 && i < cur.n; i++) {
					printf("%s: release %s\n", want->name, cur.v[i]);
					r = set_state(nl, cur.v[i], -1, 0);
				}
				namelist_fini(&cur);
			}
			if (r >= 0 && d.need_down && have.up) {
				printf("%s: down\n", want->name);
				r = set_state(nl, want->name, 0, -1);
			}
			if (r >= 0 && ops->fill_info_data) {
				nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
				r = link_build_change(nlh, want, &have, ctx);
				g_dirty = true;
				if (r >= 0)
					r = hnl_request(nl, nlh, NULL, NULL);
			}
			if (r < 0) {
				fprintf(stderr, "%s: change: %s%s%s\n", want->name, strerror(-r),
				        hnl_errmsg(nl)[0] ? ": " : "", hnl_errmsg(nl));
				link_fini(&have);
				return r;
			}
			changed = true;
		}
	}
	r = sync_members(nl, want, &have, &changed);
	if (r >= 0 && ops->apply_extra && changed) {
		g_dirty = true;
		r = ops->apply_extra(want, &have, ctx);
	}
	if (r >= 0) {
		struct link now;

		r = observe_get_link(nl, want->name, &now);
		if (r >= 0) {
			bool up = now.up;

			link_fini(&now);
			if (want->up != up) {
				printf("%s: %s\n", want->name, want->up ? "up" : "down");
				r = set_state(nl, want->name, want->up, -1);
			}
		}
	}
	if (r < 0)
		fprintf(stderr, "%s: %s%s%s\n", want->name, strerror(-r), hnl_errmsg(nl)[0] ? ": " : "", hnl_errmsg(nl));
	link_fini(&have);
	return r;
}

static bool managed(const struct link *l) {
	return l->kind == LINK_BOND || l->kind == LINK_TEAM || l->kind == LINK_VLAN || l->kind == LINK_MACVLAN;
}

/* Lower devices first: bonds and teams, then vlans, then macvlans. */
static int order(enum link_kind k) {
	return k == LINK_BOND || k == LINK_TEAM ? 0 : k == LINK_VLAN ? 1 : 2;
}

static int cmd_apply(struct profile *p, struct hnl *nl) {
	struct link_ctx ctx = { .nl = nl, .ifindex = ctx_ifindex, .netns_fd = ctx_netns_fd, .get_link = ctx_get_link };
	int r;

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < p->n_links; i++) {
			const struct link *l = &p->links[i];

			if (!managed(l) || order(l->kind) != pass)
				continue;
			r = apply_link(nl, l, &ctx);
			if (r < 0)
				return r;
		}
	printf("writes %llu\n", (unsigned long long)hnl_write_count(nl));
	return 0;
}

static int cmd_check(struct profile *p, struct hnl *nl) {
	int differ = 0;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const struct link_ops *ops = link_ops_get(l->kind);
		const struct namelist *w = members(l);
		struct link_diff d = { .level = DISRUPT_NONE };
		struct link have;
		int r;

		if (!managed(l))
			continue;
		r = observe(nl, l->name, &have);
		if (r < 0) {
			printf("%s: %s\n", l->name, r == -ENODEV ? "missing" : strerror(-r));
			differ = 1;
			continue;
		}
		if (have.kind != l->kind) {
			printf("%s: is a %s\n", l->name, have.kind_name);
			differ = 1;
		} else if (ops->diff) {
			ops->diff(l, &have, &d);
			if (d.level != DISRUPT_NONE) {
				printf("%s: %s: %s\n", l->name, disruption_name(d.level), d.what);
				differ = 1;
			}
		}
		if (w) {
			struct namelist cur = { 0 };

			current_members(nl, &have, &cur);
			for (size_t k = 0; k < w->n; k++)
				if (!namelist_contains(&cur, w->v[k])) {
					printf("%s: %s not attached\n", l->name, w->v[k]);
					differ = 1;
				}
			for (size_t k = 0; k < cur.n; k++)
				if (!namelist_contains(w, cur.v[k])) {
					printf("%s: %s attached, not listed\n", l->name, cur.v[k]);
					differ = 1;
				}
			namelist_fini(&cur);
		}
		link_fini(&have);
	}
	return differ;
}

static void show_bond(const struct bond_conf *b, FILE *f) {
	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];
		char buf[256], a[IPADDR_STRLEN];
		const char *name;
		size_t n = 0;

		if (!(b->set & (1ull << o)))
			continue;
		switch (d->type) {
		case BOND_OT_IFNAME:
			fprintf(f, "%s=%s\n", d->name, b->primary);
			break;
		case BOND_OT_IPLIST:
			buf[0] = '\0';
			for (size_t i = 0; i < b->n_arp_ip_target; i++)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
				                      format_ipaddr(&b->arp_ip_target[i], false, a, sizeof(a)));
			fprintf(f, "%s=%s\n", d->name, buf);
			break;
		case BOND_OT_MAC:
			format_mac(b->ad_actor_system, buf);
			fprintf(f, "%s=%s\n", d->name, buf);
			break;
		default:
			name = bond_opt_value_name(d, b->val[o]);
			if (name)
				fprintf(f, "%s=%s\n", d->name, name);
			else
				fprintf(f, "%s=%u\n", d->name, b->val[o]);
			break;
		}
	}
	fprintf(f, "slaves=");
	for (size_t i = 0; i < b->slaves.n; i++)
		fprintf(f, "%s%s", i ? "," : "", b->slaves.v[i]);
	fprintf(f, "\nactive_slave=%s\n", b->active_slave);
}

static void show_team(const struct team_conf *t, FILE *f) {
	static const char *const modes[] = { "roundrobin", "activebackup", "loadbalance", "broadcast", "random" };

	if (t->set & TEAM_SET_MODE)
		fprintf(f, "mode=%s\n", modes[t->mode]);
	if (t->set & TEAM_SET_NOTIFY_PEERS_COUNT)
		fprintf(f, "notify_peers_count=%u\n", t->notify_peers_count);
	if (t->set & TEAM_SET_NOTIFY_PEERS_INTERVAL)
		fprintf(f, "notify_peers_interval=%u\n", t->notify_peers_interval);
	if (t->set & TEAM_SET_MCAST_REJOIN_COUNT)
		fprintf(f, "mcast_rejoin_count=%u\n", t->mcast_rejoin_count);
	if (t->set & TEAM_SET_MCAST_REJOIN_INTERVAL)
		fprintf(f, "mcast_rejoin_interval=%u\n", t->mcast_rejoin_interval);
	fprintf(f, "ports=");
	for (size_t i = 0; i < t->ports.n; i++)
		fprintf(f, "%s%s", i ? "," : "", t->ports.v[i]);
	fputc('\n', f);
	for (size_t i = 0; i < t->ports.n; i++)
		fprintf(f, "priority.%s=%d\n", t->ports.v[i],
		        t->port_priority_set && t->port_priority_set[i] ? t->port_priority[i] : 0);
	fprintf(f, "active_port=%s\n", t->active_port);
}

/* A link as KEY=VALUE lines. */
static int show_link(struct hnl *nl, const char *name, FILE *f) {
	struct link l;
	int r = observe(nl, name, &l);

	if (r < 0)
		return r;
	fprintf(f, "name=%s\nkind=%s\n", l.name, l.kind_name);
	if (l.kind == LINK_BOND)
		show_bond(&l.u.bond, f);
	else if (l.kind == LINK_TEAM)
		show_team(&l.u.team, f);
	else if (l.kind == LINK_VLAN)
		fprintf(f, "id=%u\nprotocol=%s\nlink=%s\n", l.u.vlan.id,
		        l.u.vlan.protocol == 0x88a8 ? "802.1ad" : l.u.vlan.protocol == 0x8100 ? "802.1q" : "?",
		        l.u.vlan.link);
	else if (l.kind == LINK_MACVLAN)
		fprintf(f, "link=%s\nmode=%u\n", l.u.macvlan.link, l.u.macvlan.mode);
	link_fini(&l);
	return 0;
}

static int cmd_show(char **names, int n, struct hnl *nl) {
	for (int i = 0; i < n; i++) {
		int r = show_link(nl, names[i], stdout);

		if (r < 0) {
			fprintf(stderr, "%s: %s\n", names[i], strerror(-r));
			return 1;
		}
	}
	return 0;
}

/* Lines "DEV KEY VALUE" on stdin (VALUE may be empty): each KEY of DEV as
 * show prints it must equal VALUE.  Prints every mismatch; 1 if any. */
static int cmd_expect(struct hnl *nl) {
	char line[1024], dev[64] = "", *text = NULL;
	size_t text_len = 0;
	int bad = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char d[64], key[256], *value, *p, *got = NULL;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%63s %255s %n", d, key, &n) < 2)
			continue;
		value = line + n;
		if (strcmp(d, dev) != 0) {
			FILE *f;

			free(text);
			text = NULL;
			f = open_memstream(&text, &text_len);
			if (!f || show_link(nl, d, f) < 0) {
				if (f)
					fclose(f);
				printf("observed %s: missing\n", d);
				bad = 1;
				dev[0] = '\0';
				continue;
			}
			fclose(f);
			snprintf(dev, sizeof(dev), "%s", d);
		}
		for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			size_t kl = strlen(key);

			if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
				got = p + kl + 1;
				break;
			}
		}
		if (!got || strncmp(got, value, strlen(value)) != 0 ||
		    (got[strlen(value)] != '\n' && got[strlen(value)] != '\0')) {
			size_t gl = got ? strcspn(got, "\n") : 0;

			printf("observed %s %s: expected '%s', got '%.*s'%s\n", d, key, value, (int)gl, got ? got : "",
			       got ? "" : " (no such key)");
			bad = 1;
		}
	}
	free(text);
	return bad;
}

int main(int argc, char **argv) {
	struct profile *p = NULL;
	struct diags d;
	struct hnl *nl = NULL;
	int r;

	if (argc < 2 || (argc < 3 && strcmp(argv[1], "expect") != 0)) {
		fprintf(stderr, "usage: link-kind apply|check PROFILE | show NAME... | expect <LINES\n");
		return 2;
	}
	r = hnl_open(NULL, &nl);
	if (r < 0) {
		fprintf(stderr, "netlink: %s\n", strerror(-r));
		return 1;
	}
	if (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "expect") == 0) {
		r = argv[1][0] == 's' ? cmd_show(argv + 2, argc - 2, nl) : cmd_expect(nl);
		state_free(g_st);
		nls_free(g_nls);
		hnl_free(nl);
		return r;
	}
	diags_init(&d);
	r = profile_load(argv[2], &p, &d);
	diags_print(&d, stderr);
	diags_fini(&d);
	if (r < 0) {
		hnl_free(nl);
		return 1;
	}
	if (strcmp(argv[1], "apply") == 0)
		r = cmd_apply(p, nl) < 0 ? 1 : 0;
	else if (strcmp(argv[1], "check") == 0)
		r = cmd_check(p, nl);
	else
		r = 2;
	profile_free(p);
	state_free(g_st);
	nls_free(g_nls);
	hnl_free(nl);
	return r;
}
