/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Gratuitous ARP and unsolicited neighbour advertisements, built whole
 * (Ethernet header included) and sent on a packet socket that is opened
 * inside the device's namespace.
 *
 * IPv4, RFC 5227 section 3 and RFC 826:
 *   request: op 1, sender = target = VIP, target MAC 00:00:00:00:00:00
 *   reply:   op 2, sender = target = VIP, target MAC = the sender's MAC
 *   both frames go to ff:ff:ff:ff:ff:ff; mode "both" sends a request
 *   then a reply in each round.
 * IPv6, RFC 4861 sections 4.4 and 7.2.6: ICMPv6 136 from the VIP itself
 *   (as the kernel does for an address it owns) to ff02::1
 *   (33:33:00:00:00:01), hop limit 255, override set, solicited clear,
 *   router set when the device forwards, a target link-layer address
 *   option with the device's MAC. */
/* <net/if.h> before any <linux/if*.h> */
#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "log.h"
#include "netns.h"
#include "util.h"

#define ETH_HDR_LEN 14
#define ARP_LEN 28
#define ETH_MIN_FRAME 60            /* without the FCS */
#define IP6_HDR_LEN 40
#define NA_LEN 24                   /* type, code, csum, flags, target */
#define NA_OPT_LEN 8                /* target link-layer address option */
#define NA_FRAME_LEN (ETH_HDR_LEN + IP6_HDR_LEN + NA_LEN + NA_OPT_LEN)

#define NA_FLAG_ROUTER 0x80
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20

struct announce_dev {
	int fd;                     /* AF_PACKET, SOCK_RAW, protocol 0: send only */
	int ifindex;
	uint8_t mac[ETH_ALEN];
	bool forwarding;            /* IPv6: set the router flag */
};

static void put_eth(uint8_t *p, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t proto) {
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, src, ETH_ALEN);
	p[12] = proto >> 8;
	p[13] = proto & 0xff;
}

/* A gratuitous ARP frame, padded to the Ethernet minimum. */
static size_t build_garp(uint8_t *buf, const uint8_t mac[ETH_ALEN], const uint8_t ip[4], bool reply) {
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + ETH_HDR_LEN;

	memset(buf, 0, ETH_MIN_FRAME);
	put_eth(buf, bcast, mac, ETH_P_ARP);
	a[0] = 0; a[1] = ARPHRD_ETHER;                      /* hardware type */
	a[2] = ETH_P_IP >> 8; a[3] = ETH_P_IP & 0xff;       /* protocol type */
	a[4] = ETH_ALEN;
	a[5] = 4;
	a[6] = 0; a[7] = reply ? ARPOP_REPLY : ARPOP_REQUEST;
	memcpy(a + 8, mac, ETH_ALEN);                       /* sender hardware address */
	memcpy(a + 14, ip, 4);                              /* sender protocol address */
	if (reply)
		memcpy(a + 18, mac, ETH_ALEN);              /* target hardware address */
	memcpy(a + 24, ip, 4);                              /* target protocol address */
	return ETH_MIN_FRAME;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len) {
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum) {
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The ICMPv6 checksum over the pseudo-header (RFC 8200 section 8.1) and
 * the message. */
static uint16_t icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len) {
	uint8_t ph[8] = { 0 };
	uint32_t sum = 0;

	ph[0] = (uint8_t)(len >> 24);
	ph[1] = (uint8_t)(len >> 16);
	ph[2] = (uint8_t)(len >> 8);
	ph[3] = (uint8_t)len;
	ph[7] = IPPROTO_ICMPV6;
	sum = csum_add(sum, src, 16);
	sum = csum_add(sum, dst, 16);
	sum = csum_add(sum, ph, sizeof(ph));
	sum = csum_add(sum, msg, len);
	return csum_fold(sum);
}

static size_t build_na(uint8_t *buf, const uint8_t mac[ETH_ALEN], const uint8_t ip[16], bool router) {
	static const uint8_t all_nodes_mac[ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t *ip6 = buf + ETH_HDR_LEN, *icmp = ip6 + IP6_HDR_LEN;
	uint16_t csum;

	memset(buf, 0, NA_FRAME_LEN);
	put_eth(buf, all_nodes_mac, mac, ETH_P_IPV6);
	ip6[0] = 0x60;                                      /* version 6, class 0, flow 0 */
	ip6[4] = 0; ip6[5] = NA_LEN + NA_OPT_LEN;           /* payload length */
	ip6[6] = IPPROTO_ICMPV6;
	ip6[7] = 255;                                       /* hop limit */
	memcpy(ip6 + 8, ip, 16);
	memcpy(ip6 + 24, all_nodes, 16);
	icmp[0] = 136;                                      /* neighbour advertisement */
	icmp[1] = 0;
	icmp[4] = NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0);
	memcpy(icmp + 8, ip, 16);                           /* target */
	icmp[24] = 2;                                       /* target link-layer address */
	icmp[25] = 1;                                       /* length in units of 8 bytes */
	memcpy(icmp + 26, mac, ETH_ALEN);
	csum = icmp6_csum(ip, all_nodes, icmp, NA_LEN + NA_OPT_LEN);
	icmp[2] = csum >> 8;
	icmp[3] = csum & 0xff;
	return NA_FRAME_LEN;
}

/* Read /proc/sys/net/ipv6/conf/DEV/forwarding of the current namespace. */
static bool ipv6_forwarding(const char *dev) {
	char path[128], c = '0';
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Inside the namespace: the device's index and MAC, and the socket. */
static int dev_open_here(const char *dev, int family, struct announce_dev *ret) {
	struct announce_dev d = { .fd = -1 };
	struct ifreq ifr = { 0 };
	int r;

	if (strcpy_checked(ifr.ifr_name, sizeof(ifr.ifr_name), dev) < 0)
		return -EINVAL;
	d.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (d.fd < 0)
		return neg_errno();
	if (ioctl(d.fd, SIOCGIFINDEX, &ifr) < 0)
		goto fail;
	d.ifindex = ifr.ifr_ifindex;
	if (ioctl(d.fd, SIOCGIFHWADDR, &ifr) < 0)
		goto fail;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		errno = EOPNOTSUPP;
		goto fail;
	}
	memcpy(d.mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (family == AF_INET6)
		d.forwarding = ipv6_forwarding(dev);
	*ret = d;
	return 0;
fail:
	/* a failure is never 0: *ret is not written */
	r = neg_errno();
	close(d.fd);
	return r;
}

static int send_frame(const struct announce_dev *d, const uint8_t *frame, size_t len) {
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = d->ifindex,
		.sll_halen = ETH_ALEN,
	};
	ssize_t n;

	memcpy(sll.sll_addr, frame, ETH_ALEN);
	sll.sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13]));
	n = sendto(d->fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void sleep_until_ns(uint64_t t) {
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int announce_send(const char *netns, const char *dev, const struct ipaddr *ip, uint32_t count,
                  uint64_t interval_us, enum announce_mode mode, struct announce_result *ret) {
	struct announce_result res = { 0 };
	/* dev_open_here() fills it on success; the analyzer (clang 14) cannot
	 * tell that neg_errno() is never 0 */
	struct announce_dev d = { .fd = -1 };
	uint8_t frames[2][NA_FRAME_LEN > ETH_MIN_FRAME ? NA_FRAME_LEN : ETH_MIN_FRAME];
	size_t len[2] = { 0 }, n_frames;
	uint64_t t0;
	int saved = -1, r;

	if (!dev || !ip || (ip->family != AF_INET && ip->family != AF_INET6))
		return -EINVAL;
	if (ip->family == AF_INET && mode != ANNOUNCE_REQUEST && mode != ANNOUNCE_REPLY && mode != ANNOUNCE_BOTH)
		return -EINVAL;
	if (count == 0) {
		if (ret)
			*ret = res;
		return 0;
	}

	if (netns) {
		r = netns_enter(netns, &saved);
		if (r < 0)
			return r;
	}
	r = dev_open_here(dev, ip->family, &d);
	if (netns)
		netns_leave(saved);
	if (r < 0)
		return r;

	if (ip->family == AF_INET6) {
		len[0] = build_na(frames[0], d.mac, ip->a, d.forwarding);
		n_frames = 1;
	} else if (mode == ANNOUNCE_BOTH) {
		len[0] = build_garp(frames[0], d.mac, ip->a, false);
		len[1] = build_garp(frames[1], d.mac, ip->a, true);
		n_frames = 2;
	} else {
		len[0] = build_garp(frames[0], d.mac, ip->a, mode == ANNOUNCE_REPLY);
		n_frames = 1;
	}

	t0 = now_ns();
	for (uint32_t i = 0; i < count; i++) {
		if (i > 0)
			sleep_until_ns(t0 + i * interval_us * 1000ull);
		for (size_t k = 0; k < n_frames; k++) {
			uint64_t t = now_ns();

			r = send_frame(&d, frames[k], len[k]);
			if (r < 0)
				goto out;
			if (res.sent == 0)
				res.first_ns = t;
			res.last_ns = t;
			res.sent++;
		}
	}
	r = 0;
	if (ret)
		*ret = res;
out:
	close(d.fd);
	return r;
}

/* ---- in the background: a process of its own (hanet apply) --------------- */

/* A VIP to announce as one argument of `hanet __announce`:
 * NETNS|DEV|ADDRESS/PLEN|COUNT|INTERVAL_US|MODE ("-": the current namespace). */
static char *announce_spec(const struct vip *v) {
	char ip[IPADDR_STRLEN], *s = NULL;

	if (asprintf(&s, "%s|%s|%s|%u|%u|%d", v->netns && *v->netns ? v->netns : "-", v->dev,
	             format_ipaddr(&v->address, true, ip, sizeof(ip)), v->announce_count, v->announce_interval_us,
	             (int)v->announce_mode) < 0)
		return NULL;
	return s;
}

static int announce_parse(char *spec, struct vip *v) {
	char *f[6], *save = NULL;
	uint32_t mode;
	int n = 0;

	memset(v, 0, sizeof(*v));
	for (char *t = strtok_r(spec, "|", &save); t && n < 6; t = strtok_r(NULL, "|", &save))
		f[n++] = t;
	if (n != 6 || STRCPY(v->dev, f[1]) < 0 || parse_prefix(f[2], true, &v->address) < 0 ||
	    parse_u32(f[3], &v->announce_count) < 0 || parse_u32(f[4], &v->announce_interval_us) < 0 ||
	    parse_u32(f[5], &mode) < 0 || mode > ANNOUNCE_BOTH)
		return -EINVAL;
	v->netns = strcmp(f[0], "-") == 0 ? NULL : f[0];
	v->announce_mode = (enum announce_mode)mode;
	return 0;
}

/* The process announce_background() starts (`hanet __announce`): every
 * VIP at once, each `count` times `interval` apart.  One thread sends the
 * rounds of all of them as each falls due: a thousand VIPs cost no
 * thousand threads. */
int announce_background_main(int n_specs, char **specs) {
	struct pending {
		struct vip v;
		uint32_t sent;
	} *p = calloc(n_specs > 0 ? (size_t)n_specs : 1, sizeof(*p));
	size_t n = 0, left;
	uint64_t t0 = now_us();

	if (!p)
		return -ENOMEM;
	for (int i = 0; i < n_specs; i++)
		if (announce_parse(specs[i], &p[n].v) == 0 && p[n].v.announce_count > 0)
			n++;
	for (left = n; left;) {
		uint64_t now = now_us(), next = UINT64_MAX;

		for (size_t i = 0; i < n; i++) {
			struct pending *x = &p[i];
			uint64_t due;

			if (x->sent == x->v.announce_count)
				continue;
			due = t0 + (uint64_t)x->sent * x->v.announce_interval_us;
			if (due <= now) {
				/* a VIP that cannot be announced (its device
				 * went away) is given up, the others go on */
				if (announce_send(x->v.netns, x->v.dev, &x->v.address, 1, 0, x->v.announce_mode, NULL) < 0)
					x->sent = x->v.announce_count;
				else
					x->sent++;
				if (x->sent == x->v.announce_count) {
					left--;
					continue;
				}
				due = t0 + (uint64_t)x->sent * x->v.announce_interval_us;
			}
			if (due < next)
				next = due;
		}
		now = now_us();
		if (left && next > now) {
			struct timespec ts = { .tv_sec = (time_t)((next - now) / 1000000),
			                       .tv_nsec = (long)((next - now) % 1000000) * 1000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
	}
	free(p);
	return 0;
}

/* The announcements go from a process of their own (`hanet __announce`,
 * spawned with posix_spawn: no copy of apply's memory), so apply does
 * not wait for the last frame; nor for the process: init reaps it.
 * Every VIP added is announced: a process per ANNOUNCE_CHUNK of them
 * keeps each command line short. */
#define ANNOUNCE_CHUNK 512

static void announce_spawn(const struct vip *const *vips, size_t n) {
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **args;
	pid_t pid;
	int r;

	args = calloc(n + 3, sizeof(*args));
	if (!args) {
		log_warning("announcing VIPs: out of memory");
		return;
	}
	args[0] = (char *)"hanet";
	args[1] = (char *)"__announce";
	for (size_t i = 0; i < n; i++)
		if (!(args[i + 2] = announce_spec(vips[i]))) {
			log_warning("announcing VIPs: out of memory");
			goto out;
		}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	/* a $(hanet apply ...) must not wait for it */
	if (!isatty(STDERR_FILENO))
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	fflush(NULL);
	r = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, args, environ);
	if (r != 0)
		log_warning_errno(-r, "announcing VIPs: %m");
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
out:
	for (size_t i = 0; i < n; i++)
		free(args[i + 2]);
	free(args);
}

void announce_background(const struct vip *const *vips, size_t n) {
	for (size_t i = 0; i < n; i += ANNOUNCE_CHUNK)
		announce_spawn(vips + i, n - i < ANNOUNCE_CHUNK ? n - i : ANNOUNCE_CHUNK);
}

/* One thread per VIP being announced.  A VIP added again while its
 * announcements are still going restarts them (the first frame at once)
 * instead of starting another thread. */
struct announcer {
	struct announcer *next;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool restart;                   /* under lock: start the count again */
	bool stop;                      /* under lock: exiting */
	bool finishing;                 /* under lock: the thread will not look at restart again */
	atomic_bool done;
	char *netns;
	char dev[IFNAMSIZ];
	char vip[HANET_NAME_MAX];
	struct ipaddr ip;
	uint32_t count;
	uint64_t interval_us;
	enum announce_mode mode;
	uint32_t sent;
	int result;
};

/* ---- announcers: a thread per VIP (count - 1 intervals of waiting) ------------------------------ */

static void *announcer_main(void *data) {
	struct announcer *a = data;
	uint32_t i = 0;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct timespec until;
		int r;

		if (a->restart) {
			a->restart = false;
			i = 0;
		}
		if (a->stop || i >= a->count) {
			a->finishing = true;
			break;
		}
		pthread_mutex_unlock(&a->lock);
		r = announce_send(a->netns, a->dev, &a->ip, 1, 0, a->mode, NULL);
		pthread_mutex_lock(&a->lock);
		if (r < 0 && a->result >= 0)
			a->result = r;
		a->sent++;
		if (++i >= a->count)
			continue;
		/* the interval, or less when restarted or stopped */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(a->interval_us / 1000000);
		until.tv_nsec += (long)(a->interval_us % 1000000) * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!a->restart && !a->stop)
			if (pthread_cond_timedwait(&a->cond, &a->lock, &until) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->done, true);
	return NULL;
}

static void announcer_free(struct announcer *a) {
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a->netns);
	free(a);
}

/* A running announcer of this VIP takes the restart, or false. */
static bool announcer_restart(struct announcers *set, const struct vip *v) {
	for (struct announcer *a = set->list; a; a = a->next) {
		bool ok = false;

		if (strcmp(a->vip, v->name) != 0 || !netns_eq(a->netns, v->netns) || strcmp(a->dev, v->dev) != 0 ||
		    !ipaddr_eq(&a->ip, &v->address))
			continue;
		pthread_mutex_lock(&a->lock);
		if (!a->finishing) {
			a->restart = true;
			pthread_cond_signal(&a->cond);
			ok = true;
		}
		pthread_mutex_unlock(&a->lock);
		if (ok)
			return true;
	}
	return false;
}

void announcers_start(struct announcers *set, const struct vip *const *vips, size_t n) {
	pthread_condattr_t ca;

	for (size_t i = 0; i < n; i++) {
		const struct vip *v = vips[i];
		struct announcer *a;

		if (!v->announce_count || announcer_restart(set, v))
			continue;
		a = calloc(1, sizeof(*a));
		if (!a || (v->netns && !(a->netns = strdup(v->netns)))) {
			free(a);
			log_warning("vip %s: cannot announce: out of memory", v->name);
			continue;
		}
		snprintf(a->dev, sizeof(a->dev), "%s", v->dev);
		snprintf(a->vip, sizeof(a->vip), "%s", v->name);
		a->ip = v->address;
		a->count = v->announce_count;
		a->interval_us = v->announce_interval_us;
		a->mode = v->announce_mode;
		atomic_init(&a->done, false);
		pthread_mutex_init(&a->lock, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&a->cond, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&a->th, NULL, announcer_main, a) != 0) {
			/* no thread: the first frame now, the rest is lost */
			a->count = 1;
			announcer_main(a);
			if (a->result < 0)
				log_warning_errno(a->result, "vip %s: announcing: %m", a->vip);
			announcer_free(a);
			continue;
		}
		a->next = set->list;
		set->list = a;
	}
}

void announcers_reap(struct announcers *set, bool all) {
	struct announcer **pp = &set->list;

	while (*pp) {
		struct announcer *a = *pp;

		if (all) {
			pthread_mutex_lock(&a->lock);
			a->stop = true;
			pthread_cond_signal(&a->cond);
			pthread_mutex_unlock(&a->lock);
		} else if (!atomic_load(&a->done)) {
			pp = &a->next;
			continue;
		}
		pthread_join(a->th, NULL);
		if (a->result < 0)
			log_warning_errno(a->result, "vip %s: announcing on %s%s: %m", a->vip, a->dev,
			                  a->netns ? " in its namespace" : "");
		else
			log_debug("vip %s: announced (%u frames)", a->vip, a->sent);
		*pp = a->next;
		announcer_free(a);
	}
}
