/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Duplicate-address probes (see collision.h). */
/* <net/if.h> before any <linux/if*.h> */
#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collision.h"
#include "netns.h"
#include "util.h"

#define PROBES 3
#define ETH_HDR 14
#define IP6_HDR 40

struct prober_sock {
	int fd;
	int ifindex;
	uint8_t mac[ETH_ALEN];
};

static int open_here(const char *dev, int family, struct prober_sock *ret) {
	struct ifreq ifr = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint16_t proto = family == AF_INET ? ETH_P_ARP : ETH_P_IPV6;
	int fd, r;

	if (strcpy_checked(ifr.ifr_name, sizeof(ifr.ifr_name), dev) < 0)
		return -EINVAL;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(proto));
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto fail;
	ret->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto fail;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		errno = EOPNOTSUPP;
		goto fail;
	}
	memcpy(ret->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = ret->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	ret->fd = fd;
	return 0;
fail:
	r = -errno;
	close(fd);
	return r;
}

static uint16_t csum16(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len) {
	uint32_t sum = 58 + (uint32_t)len;

	for (size_t i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An ARP probe (60 bytes) or a DAD neighbour solicitation (78 bytes). */
static size_t build_probe(uint8_t *f, const uint8_t mac[ETH_ALEN], const struct ipaddr *ip) {
	if (ip->family == AF_INET) {
		uint8_t *a = f + ETH_HDR;

		memset(f, 0, 60);
		memset(f, 0xff, ETH_ALEN);
		memcpy(f + 6, mac, ETH_ALEN);
		f[12] = ETH_P_ARP >> 8;
		f[13] = ETH_P_ARP & 0xff;
		a[1] = ARPHRD_ETHER;
		a[2] = ETH_P_IP >> 8;
		a[4] = ETH_ALEN;
		a[5] = 4;
		a[7] = ARPOP_REQUEST;
		memcpy(a + 8, mac, ETH_ALEN);       /* sender MAC; sender IP 0.0.0.0 */
		memcpy(a + 24, ip->a, 4);           /* target IP */
		return 60;
	} else {
		uint8_t *ip6 = f + ETH_HDR, *icmp = ip6 + IP6_HDR, dst[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff };
		const uint8_t any[16] = { 0 };
		uint16_t c;

		memcpy(dst + 13, ip->a + 13, 3);
		memset(f, 0, ETH_HDR + IP6_HDR + 24);
		f[0] = 0x33;
		f[1] = 0x33;
		memcpy(f + 2, dst + 12, 4);
		memcpy(f + 6, mac, ETH_ALEN);
		f[12] = ETH_P_IPV6 >> 8;
		f[13] = ETH_P_IPV6 & 0xff;
		ip6[0] = 0x60;
		ip6[5] = 24;                        /* payload: the solicitation, no option */
		ip6[6] = IPPROTO_ICMPV6;
		ip6[7] = 255;
		memcpy(ip6 + 24, dst, 16);          /* the source stays :: */
		icmp[0] = 135;
		memcpy(icmp + 8, ip->a, 16);
		c = csum16(any, dst, icmp, 24);
		icmp[2] = c >> 8;
		icmp[3] = c & 0xff;
		return ETH_HDR + IP6_HDR + 24;
	}
}

/* Does frame f (len bytes, from the socket of p) answer for p's address? */
static bool answers(const struct collision_probe *p, const struct prober_sock *s, const uint8_t *f, size_t len,
                    uint8_t ret_mac[ETH_ALEN]) {
	if (len < ETH_HDR || memcmp(f + 6, s->mac, ETH_ALEN) == 0)
		return false;
	if (p->ip.family == AF_INET) {
		const uint8_t *a = f + ETH_HDR;

		if (len < ETH_HDR + 28 || f[12] != (ETH_P_ARP >> 8) || f[13] != (ETH_P_ARP & 0xff))
			return false;
		/* a reply or an announcement from the address: someone has it */
		if (memcmp(a + 14, p->ip.a, 4) != 0)
			return false;
		memcpy(ret_mac, a + 8, ETH_ALEN);
		return true;
	} else {
		const uint8_t *ip6 = f + ETH_HDR, *icmp = ip6 + IP6_HDR;

		if (len < ETH_HDR + IP6_HDR + 24 || ip6[6] != IPPROTO_ICMPV6 || icmp[0] != 136)
			return false;
		if (memcmp(icmp + 8, p->ip.a, 16) != 0)
			return false;
		memcpy(ret_mac, f + 6, ETH_ALEN);
		return true;
	}
}

int collision_check(struct collision_probe *probes, size_t n, uint64_t wait_us) {
	struct prober_sock *s;
	struct pollfd *pfd;
	uint8_t frame[128], buf[2048];
	size_t flen[1];
	uint64_t t0, deadline, next;
	int found = 0, r = 0, sent = 0;

	if (n == 0)
		return 0;
	s = calloc(n, sizeof(*s));
	pfd = calloc(n, sizeof(*pfd));
	if (!s || !pfd) {
		free(s);
		free(pfd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		s[i].fd = -1;
	for (size_t i = 0; i < n; i++) {
		int saved = -1;

		probes[i].answered = false;
		if (probes[i].netns) {
			r = netns_enter(probes[i].netns, &saved);
			if (r < 0)
				goto out;
		}
		r = open_here(probes[i].dev, probes[i].ip.family, &s[i]);
		if (probes[i].netns)
			netns_leave(saved);
		if (r < 0)
			goto out;
		pfd[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
	}
	t0 = now_us();
	deadline = t0 + wait_us;
	next = t0;
	for (;;) {
		uint64_t now = now_us(), until;
		int timeout_ms;

		if (sent < PROBES && now >= next) {
			for (size_t i = 0; i < n; i++) {
				struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = s[i].ifindex,
				                           .sll_halen = ETH_ALEN };

				if (probes[i].answered)
					continue;
				flen[0] = build_probe(frame, s[i].mac, &probes[i].ip);
				memcpy(sll.sll_addr, frame, ETH_ALEN);
				sll.sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13]));
				if (sendto(s[i].fd, frame, flen[0], 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
					r = -errno;
					goto out;
				}
			}
			sent++;
			next = t0 + (uint64_t)sent * wait_us / PROBES;
		}
		if (now >= deadline || found == (int)n)
			break;
		until = sent < PROBES && next < deadline ? next : deadline;
		timeout_ms = (int)((until - now + 999) / 1000);
		if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			ssize_t len;

			if (!(pfd[i].revents & POLLIN))
				continue;
			while ((len = recv(s[i].fd, buf, sizeof(buf), 0)) > 0) {
				if (!probes[i].answered && answers(&probes[i], &s[i], buf, (size_t)len, probes[i].mac)) {
					probes[i].answered = true;
					probes[i].after_us = now_us() - t0;
					found++;
				}
			}
		}
	}
	r = found;
out:
	for (size_t i = 0; i < n; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	free(s);
	free(pfd);
	return r;
}
