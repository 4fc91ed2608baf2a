/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: kernel netlink messages into the model, as observe
 * reads a dump.  The input is a stream of netlink messages (RTM_NEWLINK,
 * RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWRULE, anything else skipped) walked
 * as a dump is walked; each is parsed by observe_parse_* and the link
 * backends' parsers into one namespace's state, the links are named
 * (masters, slaves, ports, lower devices, veth peers), each link is
 * copied and compared with the one before it of its kind, and the state
 * is printed.  The buffer is allocated at the input's exact size, so a
 * read past a message or an attribute is an ASan report.
 * Build: make fuzz.  Run: ./build/fuzz-netlink tests/fuzz/corpus-netlink */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link-ops.h"
#include "model.h"
#include "observe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OBJS 256

/* libmnl's mnl_nlmsg_ok compares nlmsg_len as an int, so a length of
 * 2 GiB or more passes it: walk with an unsigned comparison (the kernel
 * never sends such a length; a dump is walked by libmnl) */
static bool msg_ok(const struct nlmsghdr *nlh, int len) {
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned)len;
}

static int cmp_ifindex(const void *a, const void *b) {
	const struct link *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static struct link links[MAX_OBJS];
	static struct addr addrs[MAX_OBJS];
	static struct route routes[MAX_OBJS];
	static struct rule rules[MAX_OBJS];
	struct ns_state ns = { .name = "fuzz", .exists = true, .links = links, .addrs = addrs,
	                       .routes = routes, .rules = rules };
	struct state st = { .ns = &ns, .n_ns = 1 };
	const struct nlmsghdr *nlh;
	FILE *devnull;
	void *buf;
	int len;

	if (size > 65536)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	/* links first, as observe dumps them first: routes and addresses
	 * name their devices from the link table */
	len = (int)size;
	for (nlh = buf; msg_ok(nlh, len) && ns.n_links < MAX_OBJS; nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == RTM_NEWLINK && observe_parse_link(nlh, &links[ns.n_links]) == 0)
			links[ns.n_links++].netns = ns.name;
	qsort(links, ns.n_links, sizeof(*links), cmp_ifindex);
	ns_state_link_names(&ns);

	len = (int)size;
	for (nlh = buf; msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		switch (nlh->nlmsg_type) {
		case RTM_NEWADDR:
			if (ns.n_addrs < MAX_OBJS && observe_parse_addr(nlh, &addrs[ns.n_addrs]) == 0)
				ns.n_addrs++;
			break;
		case RTM_NEWROUTE:
			if (ns.n_routes < MAX_OBJS && observe_parse_route(nlh, &ns, &routes[ns.n_routes]) == 0)
				ns.n_routes++;
			break;
		case RTM_NEWRULE:
			if (ns.n_rules < MAX_OBJS && observe_parse_rule(nlh, &rules[ns.n_rules]) == 0)
				ns.n_rules++;
			break;
		default:
			break;
		}
	}

	/* the engine copies observed links and compares them with others */
	for (size_t i = 0; i < ns.n_links; i++) {
		const struct link_ops *ops = link_ops_get(links[i].kind);
		struct link copy;

		if (link_copy(&copy, &links[i]) == 0) {
			for (size_t j = i; j-- > 0;)
				if (links[j].kind == links[i].kind) {
					struct link_diff d = { 0 };

					if (ops && ops->diff)
						ops->diff(&links[j], &copy, &d);
					break;
				}
			link_fini(&copy);
		}
	}
	for (size_t i = 0; i < ns.n_routes; i++) {
		struct route copy;

		if (route_copy(&copy, &routes[i]) == 0)
			route_fini(&copy);
	}

	devnull = fopen("/dev/null", "w");
	if (devnull) {
		state_print(&st, devnull);
		fclose(devnull);
	}

	for (size_t i = 0; i < ns.n_links; i++)
		link_fini(&links[i]);
	for (size_t i = 0; i < ns.n_routes; i++)
		route_fini(&routes[i]);
	free(buf);
	return 0;
}
