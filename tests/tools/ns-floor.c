/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ns-floor: what the kernel costs to enter named namespaces and dump
 * them, with nothing else around it: the floor under an observe.  For
 * each name: open /run/netns/NAME, setns() into it, open a rtnetlink
 * socket, setns() back, then dump links (no stats), addresses and the
 * routes of the main table (strict check, filtered), reading into one
 * buffer and parsing nothing.  Prints the namespaces, the messages read
 * and the wall and CPU time.
 *
 * Usage: ns-floor NAME...   (or ns-floor --all: every name in /run/netns)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[32768];
static unsigned long msgs;

static int dump(int fd, void *req, size_t len) {
	struct nlmsghdr *nlh = req;

	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq++;
	if (send(fd, req, len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			msgs++;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
		}
	}
}

static int one(const char *name, int home) {
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		struct rtattr a;
		uint32_t mask;
	} lreq = { .h.nlmsg_type = RTM_GETLINK, .a.rta_len = RTA_LENGTH(4), .a.rta_type = IFLA_EXT_MASK,
		   .mask = RTEXT_FILTER_SKIP_STATS };
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg i;
	} areq = { .h.nlmsg_type = RTM_GETADDR };
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		struct rtattr a;
		uint32_t table;
	} rreq = { .h.nlmsg_type = RTM_GETROUTE, .r.rtm_table = RT_TABLE_MAIN, .a.rta_len = RTA_LENGTH(4),
		   .a.rta_type = RTA_TABLE, .table = RT_TABLE_MAIN };
	char path[300];
	int nsfd, fd, one = 1, r = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	close(nsfd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(home, CLONE_NEWNET) < 0 || fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (dump(fd, &lreq, sizeof(lreq)) < 0 || dump(fd, &areq, sizeof(areq)) < 0 ||
	    dump(fd, &rreq, sizeof(rreq)) < 0)
		r = -EIO;
	close(fd);
	return r;
}

static double secs(const struct timespec *a, const struct timespec *b) {
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
	char **names = argv + 1;
	size_t n = (size_t)argc - 1;
	struct timespec t0, t1;
	struct rusage ru;
	int home;

	if (n == 1 && strcmp(names[0], "--all") == 0) {
		DIR *d = opendir("/run/netns");
		struct dirent *de;
		size_t cap = 0;

		if (!d) {
			perror("ns-floor: /run/netns");
			return 1;
		}
		names = NULL;
		n = 0;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (n == cap) {
				char **v = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*v));

				if (!v)
					return 1;
				names = v;
			}
			if (!(names[n++] = strdup(de->d_name)))
				return 1;
		}
		closedir(d);
	}
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		perror("ns-floor: own namespace");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		int r = one(names[i], home);

		if (r < 0) {
			fprintf(stderr, "ns-floor: %s: %s\n", names[i], strerror(-r));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	printf("ns-floor: %zu namespaces, %lu messages, wall %.3f s, user %.3f s, sys %.3f s\n", n, msgs,
	       secs(&t0, &t1), (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	return 0;
}
