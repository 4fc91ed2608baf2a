/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Drives announce_send() for the tests:
 *   announce-send [-N NETNS] -i DEV -a ADDRESS [-c COUNT] [-I INTERVAL_US] [-M request|reply|both]
 * Prints "sent=N first_ns=T last_ns=T" on success; exits 1 with the
 * error otherwise. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "announce.h"
#include "util.h"

int main(int argc, char **argv) {
	const char *netns = NULL, *dev = NULL, *addr = NULL;
	uint32_t count = 3;
	uint64_t interval = 20000;
	enum announce_mode mode = ANNOUNCE_REQUEST;
	struct announce_result res;
	struct ipaddr ip;
	int c, r;

	while ((c = getopt(argc, argv, "N:i:a:c:I:M:")) != -1) {
		switch (c) {
		case 'N': netns = optarg; break;
		case 'i': dev = optarg; break;
		case 'a': addr = optarg; break;
		case 'c':
			if (parse_u32(optarg, &count) < 0)
				goto usage;
			break;
		case 'I':
			if (parse_u64(optarg, &interval) < 0)
				goto usage;
			break;
		case 'M':
			if (strcmp(optarg, "request") == 0)
				mode = ANNOUNCE_REQUEST;
			else if (strcmp(optarg, "reply") == 0)
				mode = ANNOUNCE_REPLY;
			else if (strcmp(optarg, "both") == 0)
				mode = ANNOUNCE_BOTH;
			else
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (!dev || !addr || parse_ipaddr(addr, &ip) < 0)
		goto usage;
	r = announce_send(netns, dev, &ip, count, interval, mode, &res);
	if (r < 0) {
		fprintf(stderr, "announce-send: %s: %s\n", dev, strerror(-r));
		return 1;
	}
	printf("sent=%" PRIu32 " first_ns=%" PRIu64 " last_ns=%" PRIu64 "\n", res.sent, res.first_ns, res.last_ns);
	return 0;
usage:
	fprintf(stderr, "usage: announce-send [-N NETNS] -i DEV -a ADDRESS [-c COUNT] [-I INTERVAL_US] "
	                "[-M request|reply|both]\n");
	return 2;
}
