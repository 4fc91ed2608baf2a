/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Observe namespaces and print what observe read: links, addresses,
 * routes (every table, or the ones given with -t), rules.
 *   nl-dump [-t TABLE]... [-n NETNS]...        (no -n: the current namespace)
 * "-n -" names the current namespace next to others. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "observe.h"
#include "util.h"

int main(int argc, char **argv) {
	struct observe_ns_req reqs[32];
	struct table_set tables = { 0 };
	struct nls *nls = NULL;
	struct state *st = NULL;
	size_t n = 0;
	int c, r;

	while ((c = getopt(argc, argv, "t:n:")) != -1) {
		switch (c) {
		case 't': {
			uint32_t t;
			if (parse_route_table(optarg, &t) < 0) {
				fprintf(stderr, "nl-dump: bad table %s\n", optarg);
				return 2;
			}
			table_set_add(&tables, t);
			break;
		}
		case 'n':
			if (n >= ARRAY_SIZE(reqs))
				return 2;
			memset(&reqs[n], 0, sizeof(reqs[n]));
			reqs[n++].netns = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		default:
			fprintf(stderr, "usage: nl-dump [-t TABLE]... [-n NETNS]...\n");
			return 2;
		}
	}
	if (n == 0) {
		memset(&reqs[0], 0, sizeof(reqs[0]));
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		reqs[i].tables = tables;
		reqs[i].all_tables = tables.n == 0;
		reqs[i].rules = true;
		reqs[i].sysctls = true;
	}
	r = nls_new(&nls);
	if (r >= 0)
		r = state_observe(nls, reqs, n, &st);
	if (r < 0) {
		log_error_errno(r, "observe: %m");
		nls_free(nls);
		table_set_fini(&tables);
		return 1;
	}
	state_print(st, stdout);
	state_free(st);
	nls_free(nls);
	table_set_fini(&tables);
	return 0;
}
