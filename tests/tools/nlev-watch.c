/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the events of nlevent, one line each (nlev_format), for the tests:
 *
 *   nlev-watch [-N NETNS]... [-g link,addr,route,rule] [-t TIMEOUT_MS]
 *              [-n MAX] [-r RCVBUF] [-w FILE]
 *
 * -N: a namespace to follow ("-" for the current one; default: current).
 * -w: after printing "ready", read nothing until FILE exists (a test
 *     fills the socket meanwhile).  Stops after MAX events (default
 *     10000) or TIMEOUT_MS (default 5000, at most 60000). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nlevent.h"
#include "util.h"

static long seen;

static void print_ev(const struct nlev *ev, void *data) {
	char line[512];

	nlev_format(ev, line, sizeof(line));
	printf("%s\n", line);
	seen++;
}

int main(int argc, char **argv) {
	const char *netns[16];
	size_t n_netns = 0;
	unsigned groups = NLEV_G_LINK | NLEV_G_ADDR | NLEV_G_ROUTE | NLEV_G_RULE;
	long max = 10000, timeout_ms = 5000, rcvbuf = 0;
	const char *wait_file = NULL;
	struct nlev_set *s;
	uint64_t deadline;
	int c, r;

	while ((c = getopt(argc, argv, "N:g:t:n:r:w:")) != -1) {
		switch (c) {
		case 'N':
			if (n_netns == ARRAY_SIZE(netns))
				return 2;
			netns[n_netns++] = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'g':
			groups = 0;
			if (strstr(optarg, "link"))
				groups |= NLEV_G_LINK;
			if (strstr(optarg, "addr"))
				groups |= NLEV_G_ADDR;
			if (strstr(optarg, "route"))
				groups |= NLEV_G_ROUTE;
			if (strstr(optarg, "rule"))
				groups |= NLEV_G_RULE;
			break;
		case 't': timeout_ms = strtol(optarg, NULL, 10); break;
		case 'n': max = strtol(optarg, NULL, 10); break;
		case 'r': rcvbuf = strtol(optarg, NULL, 10); break;
		case 'w': wait_file = optarg; break;
		default:
			fprintf(stderr, "usage: nlev-watch [-N NETNS]... [-g GROUPS] [-t MS] [-n MAX] [-r RCVBUF] [-w FILE]\n");
			return 2;
		}
	}
	if (timeout_ms <= 0 || timeout_ms > 60000 || max <= 0)
		return 2;
	if (n_netns == 0)
		netns[n_netns++] = NULL;

	r = nlev_set_new(&s);
	if (r < 0)
		goto fail;
	if (rcvbuf > 0 && (r = nlev_set_rcvbuf(s, (int)rcvbuf)) < 0)
		goto fail;
	for (size_t i = 0; i < n_netns; i++)
		if ((r = nlev_add_netns(s, netns[i], groups, NULL, NULL)) < 0)
			goto fail;
	printf("ready\n");
	fflush(stdout);

	deadline = now_us() + (uint64_t)timeout_ms * 1000;
	if (wait_file)
		while (access(wait_file, F_OK) < 0 && now_us() < deadline)
			sleep_us(1000);
	while (seen < max && now_us() < deadline) {
		struct pollfd p = { .fd = nlev_fd(s), .events = POLLIN };
		int ms = (int)((deadline - now_us()) / 1000) + 1;

		if (poll(&p, 1, ms) <= 0)
			continue;
		r = nlev_dispatch(s, print_ev, NULL);
		if (r < 0)
			goto fail;
		fflush(stdout);
	}
	nlev_set_free(s);
	return 0;
fail:
	fprintf(stderr, "nlev-watch: %s\n", strerror(-r));
	nlev_set_free(s);
	return 1;
}
