/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A packet listener for the announcement tests: prints one line per ARP
 * frame and per ICMPv6 neighbour advertisement received on a device, with
 * every field the tests check, and verifies the ICMPv6 checksum on its own.
 *
 *   pktlisten -i DEV [-m SRC_MAC] [-n MAX] [-t TIMEOUT_MS]
 *
 * Prints "ready" once the socket is bound, then lines such as
 *   arp t=12.345678 dst=ff:ff:ff:ff:ff:ff src=.. op=1 sha=.. spa=10.0.0.1 tha=.. tpa=10.0.0.1 len=60
 *   na t=12.345678 dst=33:33:00:00:00:01 src=.. saddr=.. daddr=ff02::1 hlim=255 code=0 r=0 s=0 o=1
 *      target=.. tlla=.. csum=ok
 * (one line).  t is the kernel's receive timestamp (SO_TIMESTAMPNS,
 * CLOCK_REALTIME) in seconds: only differences are meaningful.  Exits after MAX
 * matching frames (default 100) or TIMEOUT_MS (default 5000). */
#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double ts_s(const struct timespec *ts) {
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static double mono_s(void) {
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_mac(const uint8_t *m, char *buf) {
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static uint16_t icmp6_sum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len) {
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + 58;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;       /* 0xffff when the checksum in msg is right */
}

static bool print_arp(const uint8_t *f, size_t len, double t) {
	const uint8_t *a = f + 14;
	char dst[18], src[18], sha[18], tha[18], spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];

	if (len < 14 + 28)
		return false;
	fmt_mac(f, dst);
	fmt_mac(f + 6, src);
	fmt_mac(a + 8, sha);
	fmt_mac(a + 18, tha);
	inet_ntop(AF_INET, a + 14, spa, sizeof(spa));
	inet_ntop(AF_INET, a + 24, tpa, sizeof(tpa));
	printf("arp t=%.6f dst=%s src=%s htype=%u ptype=0x%04x hlen=%u plen=%u op=%u sha=%s spa=%s tha=%s tpa=%s len=%zu\n",
	       t, dst, src, a[0] << 8 | a[1], a[2] << 8 | a[3], a[4], a[5], a[6] << 8 | a[7], sha, spa, tha, tpa, len);
	return true;
}

static bool print_na(const uint8_t *f, size_t len, double t) {
	const uint8_t *ip6 = f + 14, *icmp = ip6 + 40;
	char dst[18], src[18], tlla[18] = "none", saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], target[INET6_ADDRSTRLEN];
	size_t plen;

	if (len < 14 + 40 + 24 || (ip6[0] >> 4) != 6 || ip6[6] != 58 || icmp[0] != 136)
		return false;
	plen = (size_t)(ip6[4] << 8 | ip6[5]);
	if (14 + 40 + plen > len)
		return false;
	fmt_mac(f, dst);
	fmt_mac(f + 6, src);
	inet_ntop(AF_INET6, ip6 + 8, saddr, sizeof(saddr));
	inet_ntop(AF_INET6, ip6 + 24, daddr, sizeof(daddr));
	inet_ntop(AF_INET6, icmp + 8, target, sizeof(target));
	for (size_t o = 24; o + 8 <= plen && icmp[o + 1] > 0; o += (size_t)icmp[o + 1] * 8)
		if (icmp[o] == 2 && icmp[o + 1] == 1)
			fmt_mac(icmp + o + 2, tlla);
	printf("na t=%.6f dst=%s src=%s saddr=%s daddr=%s hlim=%u code=%u r=%u s=%u o=%u target=%s tlla=%s csum=%s len=%zu\n",
	       t, dst, src, saddr, daddr, ip6[7], icmp[1], !!(icmp[4] & 0x80), !!(icmp[4] & 0x40), !!(icmp[4] & 0x20),
	       target, tlla, icmp6_sum(ip6 + 8, ip6 + 24, icmp, plen) == 0xffff ? "ok" : "bad", len);
	return true;
}

int main(int argc, char **argv) {
	const char *dev = NULL;
	uint8_t want_src[6];
	bool filter_src = false;
	long max = 100, timeout_ms = 5000, seen = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	double deadline;
	int c, fd, one = 1;

	while ((c = getopt(argc, argv, "i:m:n:t:")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &want_src[0], &want_src[1], &want_src[2],
			           &want_src[3], &want_src[4], &want_src[5]) != 6) {
				fprintf(stderr, "pktlisten: bad MAC %s\n", optarg);
				return 2;
			}
			filter_src = true;
			break;
		case 'n': max = strtol(optarg, NULL, 10); break;
		case 't': timeout_ms = strtol(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: pktlisten -i DEV [-m SRC_MAC] [-n MAX] [-t TIMEOUT_MS]\n");
			return 2;
		}
	}
	if (!dev || max <= 0 || timeout_ms <= 0 || timeout_ms > 60000) {
		fprintf(stderr, "usage: pktlisten -i DEV [-m SRC_MAC] [-n MAX] [-t TIMEOUT_MS<=60000]\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("pktlisten: socket");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		perror("pktlisten: SO_TIMESTAMPNS");
		return 1;
	}
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("pktlisten: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	deadline = mono_s() + (double)timeout_ms / 1000;
	while (seen < max) {
		uint8_t f[2048];
		char cbuf[CMSG_SPACE(sizeof(struct timespec))];
		struct sockaddr_ll from;
		struct iovec iov = { .iov_base = f, .iov_len = sizeof(f) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - mono_s(), t;
		ssize_t n;
		uint16_t proto;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recvmsg(fd, &mh, 0);
		t = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				t = ts_s(&ts);
			}
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (filter_src && memcmp(f + 6, want_src, 6) != 0)
			continue;
		proto = (uint16_t)(f[12] << 8 | f[13]);
		if ((proto == ETH_P_ARP && print_arp(f, (size_t)n, t)) || (proto == ETH_P_IPV6 && print_na(f, (size_t)n, t)))
			seen++;
		fflush(stdout);
	}
	close(fd);
	return 0;
}
