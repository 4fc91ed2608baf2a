/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The prober and its UDP echo responder (see prober.h). */
/* the libc headers before <linux/...> (libc-compat.h) */
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "prober.h"
#include "util.h"

#define PROBE_MAGIC 0x68616e65u     /* "hane" */
#define ICMP_HDR_LEN 8
#define RECV_BUF 2048
#define DRAIN_MAX 4096              /* datagrams read per drain */

/* What every probe carries, after the ICMP header or as the UDP data. */
struct probe_payload {
	uint32_t magic;
	uint32_t cookie;            /* per prober: replies to someone else's probes are ignored */
	uint32_t seq;
	uint32_t pad;
	uint64_t send_ns;
};

struct prober {
	struct prober_conf conf;
	int nsfd;
	int fd;
	int family;
	bool dgram_icmp;            /* ICMP through a ping socket (no IP header, kernel checksums) */
	uint16_t ident;             /* ICMP echo identifier (raw sockets) */
	uint32_t cookie;
	size_t msg_len;             /* the probe as sent, header included */

	struct probe_rec *rec;
	uint32_t n_sent;            /* written by the thread */
	struct prober_stats stats;

	pthread_t thread;
	bool thread_started, joined;
	int thread_err;

	pthread_mutex_t lock;
	pthread_cond_t cond;        /* start-up, replies (for waiters), the end */
	bool ready;                 /* start-up done (thread_err says how) */
	bool done;                  /* the thread finished */
	unsigned waiters;
	uint64_t max_replied_send_ns; /* under lock: latest send time of a probe answered */
	bool stop;                  /* atomic */

	struct prober_mark *marks;
	size_t n_marks, cap_marks;
};

static uint64_t ts_to_ns(const struct timespec *ts) {
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static struct timespec ns_to_ts(uint64_t ns) {
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, read between two monotonic reads. */
static int64_t realtime_offset(void) {
	struct timespec m1, r, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	return (int64_t)ts_to_ns(&r) - (int64_t)((ts_to_ns(&m1) + ts_to_ns(&m2)) / 2);
}

static uint16_t inet_csum(const uint8_t *p, size_t len) {
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] | p[i + 1] << 8);
	if (len & 1)
		sum += p[len - 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void sockaddr_of(const struct ipaddr *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len) {
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, ip->a, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, ip->a, 16);
		*len = sizeof(*sin6);
	}
}

/* ---- configuration ----------------------------------------------------- */

int prober_new(const struct prober_conf *conf, struct prober **ret) {
	struct prober *p;
	pthread_condattr_t ca;

	if (!conf || (conf->target.family != AF_INET && conf->target.family != AF_INET6) ||
	    (conf->kind != PROBE_ICMP && conf->kind != PROBE_UDP) ||
	    conf->interval_ns < PROBER_INTERVAL_MIN_NS || conf->interval_ns > PROBER_INTERVAL_MAX_NS ||
	    conf->max_probes == 0 || conf->max_probes > PROBER_MAX_PROBES ||
	    conf->max_duration_ns == 0 || conf->max_duration_ns > PROBER_MAX_DURATION_NS ||
	    conf->linger_ns > 60ull * 1000000000ull || conf->payload > PROBER_PAYLOAD_MAX ||
	    conf->spin_ns > conf->interval_ns || conf->rt_priority < 0 || conf->rt_priority > 99)
		return -EINVAL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->conf = *conf;
	p->conf.netns = NULL;
	p->nsfd = p->fd = -1;
	if (p->conf.port == 0)
		p->conf.port = PROBER_UDP_PORT;
	if (p->conf.linger_ns == 0)
		p->conf.linger_ns = PROBER_LINGER_DEFAULT_NS;
	p->rec = calloc(conf->max_probes, sizeof(*p->rec));
	if (!p->rec) {
		free(p);
		return -ENOMEM;
	}
	/* the namespace is opened now: a wrong name fails here, and the
	 * thread does not depend on the caller's strings */
	if (conf->netns) {
		p->nsfd = netns_open(conf->netns);
		if (p->nsfd < 0) {
			int r = p->nsfd;
			free(p->rec);
			free(p);
			return r;
		}
	}
	if (getrandom(&p->cookie, sizeof(p->cookie), 0) != sizeof(p->cookie))
		p->cookie = (uint32_t)now_ns() ^ (uint32_t)getpid();
	p->ident = (uint16_t)(p->cookie >> 16 ^ p->cookie);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	*ret = p;
	return 0;
}

const struct prober_conf *prober_get_conf(const struct prober *p) {
	return &p->conf;
}

/* ---- the probing thread -------------------------------------------------- */

static int open_socket(struct prober *p) {
	const struct prober_conf *c = &p->conf;
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd;

	p->family = c->target.family;
	if (c->kind == PROBE_UDP) {
		fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	} else {
		int proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

		/* a ping socket when ping_group_range lets us, else raw */
		fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
		p->dgram_icmp = fd >= 0;
		if (fd < 0)
			fd = socket(p->family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
		if (fd >= 0 && !p->dgram_icmp) {
			p->stats.raw_socket = true;
			if (p->family == AF_INET) {
				struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
				setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
			} else {
				struct icmp6_filter f;
				memset(&f, 0xff, sizeof(f));                    /* block all ... */
				f.data[ICMPV6_ECHO_REPLY >> 5] &= ~(1u << (ICMPV6_ECHO_REPLY & 31)); /* ... but echo replies */
				setsockopt(fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof(f));
			}
		}
	}
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		goto fail;
	if (c->dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->dev, (socklen_t)strlen(c->dev) + 1) < 0)
		goto fail;
	sockaddr_of(&c->target, c->kind == PROBE_UDP ? c->port : 0, &ss, &sl);
	/* connected: the kernel passes only what the target sends */
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	p->fd = fd;
	return 0;
fail:
	one = -errno;
	close(fd);
	return one;
}

static int send_probe(struct prober *p, uint32_t seq, uint64_t t) {
	uint8_t buf[ICMP_HDR_LEN + sizeof(struct probe_payload) + PROBER_PAYLOAD_MAX];
	struct probe_payload pl = { .magic = PROBE_MAGIC, .cookie = p->cookie, .seq = seq, .send_ns = t };
	size_t off = 0;
	ssize_t n;

	memset(buf, 0, sizeof(buf));
	if (p->conf.kind == PROBE_ICMP) {
		buf[0] = p->family == AF_INET ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
		buf[4] = (uint8_t)(p->ident >> 8);
		buf[5] = (uint8_t)p->ident;
		buf[6] = (uint8_t)(seq >> 8);
		buf[7] = (uint8_t)seq;
		off = ICMP_HDR_LEN;
	}
	memcpy(buf + off, &pl, sizeof(pl));
	p->msg_len = off + sizeof(pl) + p->conf.payload;
	if (p->conf.kind == PROBE_ICMP && p->family == AF_INET && !p->dgram_icmp) {
		uint16_t cs = inet_csum(buf, p->msg_len);
		memcpy(buf + 2, &cs, 2);
	}
	n = send(p->fd, buf, p->msg_len, 0);
	if (n < 0)
		return -errno;
	return 0;
}

/* One datagram: our reply?  Returns its payload or NULL. */
static const struct probe_payload *parse_reply(struct prober *p, const uint8_t *buf, size_t len,
                                               struct probe_payload *pl) {
	size_t off = 0;

	if (p->conf.kind == PROBE_ICMP) {
		if (p->family == AF_INET && !p->dgram_icmp) {
			if (len < 20)
				return NULL;
			off = (size_t)(buf[0] & 0x0f) * 4;          /* the IP header */
		}
		if (len < off + ICMP_HDR_LEN)
			return NULL;
		if (buf[off] != (p->family == AF_INET ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY))
			return NULL;
		if (!p->dgram_icmp && (buf[off + 4] << 8 | buf[off + 5]) != p->ident)
			return NULL;
		off += ICMP_HDR_LEN;
	}
	if (len < off + sizeof(*pl))
		return NULL;
	memcpy(pl, buf + off, sizeof(*pl));
	if (pl->magic != PROBE_MAGIC || pl->cookie != p->cookie)
		return NULL;
	return pl;
}

/* Read every datagram waiting; returns how many replies were new. */
static unsigned drain(struct prober *p) {
	uint8_t buf[RECV_BUF];
	char cbuf[256];
	int64_t offset = 0;
	bool have_offset = false;
	unsigned got = 0;
	uint64_t max_send = 0;

	for (int i = 0; i < DRAIN_MAX; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct probe_payload pl;
		struct cmsghdr *cm;
		uint64_t t = 0;
		ssize_t n;

		n = recvmsg(p->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno != EINTR)
				p->stats.recv_errors++;     /* ICMP unreachable and friends: keep probing */
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				if (!have_offset) {
					offset = realtime_offset();
					have_offset = true;
				}
				t = (uint64_t)((int64_t)ts_to_ns(&ts) - offset);
			}
		if (t == 0) {
			t = now_ns();
			p->stats.kernel_timestamps = false;
		}
		if (!parse_reply(p, buf, (size_t)n, &pl) || pl.seq >= p->n_sent) {
			p->stats.foreign++;
			continue;
		}
		struct probe_rec *r = &p->rec[pl.seq];
		if (r->recv_ns) {
			r->dups++;
			p->stats.duplicates++;
			continue;
		}
		/* never before its own send, whatever the clocks' rounding */
		r->recv_ns = t > r->send_ns ? t : r->send_ns + 1;
		p->stats.received++;
		if (r->send_ns > max_send)
			max_send = r->send_ns;
		got++;
	}
	if (got) {
		pthread_mutex_lock(&p->lock);
		if (max_send > p->max_replied_send_ns)
			p->max_replied_send_ns = max_send;
		if (p->waiters)
			pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	return got;
}

/* The adaptive part of the hybrid sleep: the spin that covers how late
 * recent sleeps ended. */
#define SPIN_CAP_NS 100000ull
#define LATE_WINDOW 64

struct pacer {
	uint64_t floor, cap;        /* the spin's bounds */
	uint64_t late[LATE_WINDOW]; /* how late the last sleeps ended */
	unsigned i;
	uint64_t spin;              /* current spin */
};

static void pacer_init(struct pacer *pc, uint64_t floor, uint64_t interval) {
	memset(pc, 0, sizeof(*pc));
	pc->cap = interval / 4 < SPIN_CAP_NS ? interval / 4 : SPIN_CAP_NS;
	pc->floor = floor < pc->cap ? floor : pc->cap;
	pc->spin = pc->floor;
}

static void pacer_note(struct pacer *pc, uint64_t late) {
	uint64_t m = 0;

	pc->late[pc->i++ % LATE_WINDOW] = late;
	for (unsigned k = 0; k < LATE_WINDOW; k++)
		if (pc->late[k] > m)
			m = pc->late[k];
	/* a margin over the latest wake-up seen, within the bounds */
	m += m / 4;
	pc->spin = m < pc->floor ? pc->floor : m > pc->cap ? pc->cap : m;
}

static void wait_until(struct pacer *pc, uint64_t deadline) {
	uint64_t spin = pc ? pc->spin : 0;
	uint64_t wake = deadline > spin ? deadline - spin : 0;
	struct timespec ts = ns_to_ts(wake);
	uint64_t now = now_ns();

	if (now < wake) {
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = now_ns();
		if (pc)
			pacer_note(pc, now > wake ? now - wake : 0);
	}
	if (spin)
		while (now_ns() < deadline)
			__builtin_ia32_pause();
}

/* SCHED_FIFO, and with pin_cpu the last CPU the thread may run on, when
 * there are two or more; returns how many CPUs it may use. */
static int go_realtime(struct prober *p) {
	const struct prober_conf *c = &p->conf;
	cpu_set_t set;
	int n = 1, last = -1;

	p->stats.cpu = -1;
	if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0) {
		n = CPU_COUNT(&set);
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				last = i;
	}
	if (c->rt_priority > 0) {
		struct sched_param sp = { .sched_priority = c->rt_priority };
		p->stats.realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	}
	if (p->stats.realtime && c->pin_cpu && n >= 2 && last >= 0) {
		CPU_ZERO(&set);
		CPU_SET(last, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0)
			p->stats.cpu = last;
	}
	return n;
}

static void linger(struct prober *p, uint64_t until) {
	for (;;) {
		uint64_t now = now_ns();
		struct timespec ts;
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

		if (p->stats.received >= p->n_sent || now >= until)
			break;
		ts = ns_to_ts(until - now);
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			drain(p);
	}
}

static void started(struct prober *p, int err) {
	pthread_mutex_lock(&p->lock);
	p->thread_err = err;
	p->ready = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void *prober_thread(void *arg) {
	struct prober *p = arg;
	const struct prober_conf *c = &p->conf;
	uint64_t t0, t_end, next, last_send = 0;
	struct pacer pacer, *pc = NULL;
	int r;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	/* with one CPU, sleep only (see prober.h) */
	if (go_realtime(p) >= 2 && c->spin_ns) {
		pacer_init(&pacer, c->spin_ns, c->interval_ns);
		pc = &pacer;
	}
	/* this thread stays in the client namespace until it ends */
	if (p->nsfd >= 0 && setns(p->nsfd, CLONE_NEWNET) < 0) {
		started(p, -errno);
		return NULL;
	}
	r = open_socket(p);
	if (r < 0) {
		started(p, r);
		return NULL;
	}
	p->stats.kernel_timestamps = true;
	started(p, 0);

	t0 = now_ns();
	t_end = t0 + c->max_duration_ns;
	next = t0;
	p->stats.start_ns = t0;
	while (p->n_sent < c->max_probes && next < t_end && !__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		uint32_t seq = p->n_sent;
		uint64_t now;

		wait_until(pc, next);
		if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
			break;
		now = now_ns();
		if (now > next && now - next > p->stats.late_max_ns)
			p->stats.late_max_ns = now - next;
		if (pc && pc->spin > p->stats.spin_max_ns)
			p->stats.spin_max_ns = pc->spin;
		p->rec[seq].send_ns = now;
		/* published before the send so a reply always finds it */
		p->n_sent = seq + 1;
		r = send_probe(p, seq, now);
		if (r < 0) {
			p->rec[seq].send_err = r;
			p->stats.send_errors++;
		}
		last_send = now;
		drain(p);

		next += c->interval_ns;
		now = now_ns();
		if (now > next + c->interval_ns) {
			/* too late for this deadline and the next: skip what was
			 * missed instead of sending a burst */
			uint64_t missed = (now - next) / c->interval_ns;
			p->stats.skipped += (uint32_t)missed;
			next += missed * c->interval_ns;
		}
	}
	linger(p, (last_send ? last_send : now_ns()) + c->linger_ns);
	p->stats.sent = p->n_sent;
	p->stats.end_ns = now_ns();
	close(p->fd);
	p->fd = -1;

	pthread_mutex_lock(&p->lock);
	p->done = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int prober_start(struct prober *p) {
	int r;

	if (p->thread_started)
		return -EALREADY;
	r = -pthread_create(&p->thread, NULL, prober_thread, p);
	if (r < 0)
		return r;
	p->thread_started = true;
	pthread_mutex_lock(&p->lock);
	while (!p->ready)
		pthread_cond_wait(&p->cond, &p->lock);
	r = p->thread_err;
	pthread_mutex_unlock(&p->lock);
	if (r < 0) {
		pthread_join(p->thread, NULL);
		p->joined = true;
	}
	return r;
}

uint64_t prober_mark(struct prober *p, const char *label) {
	uint64_t t = now_ns();

	pthread_mutex_lock(&p->lock);
	if (p->n_marks == p->cap_marks) {
		size_t cap = p->cap_marks ? p->cap_marks * 2 : 8;
		struct prober_mark *v = realloc(p->marks, cap * sizeof(*v));
		if (v) {
			p->marks = v;
			p->cap_marks = cap;
		}
	}
	if (p->n_marks < p->cap_marks) {
		struct prober_mark *m = &p->marks[p->n_marks++];
		m->t_ns = t;
		snprintf(m->label, sizeof(m->label), "%s", label ? label : "");
	}
	pthread_mutex_unlock(&p->lock);
	return t;
}

int prober_wait_reply(struct prober *p, uint64_t t_ns, uint64_t timeout_ns) {
	struct timespec until = ns_to_ts(now_ns() + timeout_ns);
	int r = 0;

	pthread_mutex_lock(&p->lock);
	p->waiters++;
	for (;;) {
		if (p->max_replied_send_ns > t_ns) {
			r = 0;
			break;
		}
		if (p->done || !p->thread_started || p->thread_err < 0) {
			r = -ESRCH;
			break;
		}
		if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT) {
			r = p->max_replied_send_ns > t_ns ? 0 : -ETIMEDOUT;
			break;
		}
	}
	p->waiters--;
	pthread_mutex_unlock(&p->lock);
	return r;
}

static int join(struct prober *p) {
	if (!p->thread_started)
		return -ESRCH;
	if (!p->joined) {
		pthread_join(p->thread, NULL);
		p->joined = true;
	}
	return p->thread_err;
}

int prober_stop(struct prober *p) {
	__atomic_store_n(&p->stop, true, __ATOMIC_RELEASE);
	return join(p);
}

int prober_wait(struct prober *p) {
	return join(p);
}

void prober_free(struct prober *p) {
	if (!p)
		return;
	if (p->thread_started)
		prober_stop(p);
	if (p->fd >= 0)
		close(p->fd);
	if (p->nsfd >= 0)
		close(p->nsfd);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->marks);
	free(p->rec);
	free(p);
}

const struct probe_rec *prober_records(const struct prober *p, size_t *ret_n) {
	*ret_n = p->n_sent;
	return p->rec;
}

const struct prober_mark *prober_marks(const struct prober *p, size_t *ret_n) {
	*ret_n = p->n_marks;
	return p->marks;
}

void prober_get_stats(const struct prober *p, struct prober_stats *ret) {
	*ret = p->stats;
	ret->sent = p->n_sent;
}

/* ---- the UDP echo responder -------------------------------------------- */

struct prober_responder {
	pthread_t thread;
	int nsfd;
	int efd;                    /* eventfd: stop */
	int fd[2];                  /* IPv4, IPv6 */
	uint16_t port;
	int rt_priority;
	uint64_t answered;          /* atomic */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ready;
	int err;
};

static int responder_socket(int family, uint16_t port) {
	struct sockaddr_storage ss = { 0 };
	struct ipaddr any = { .family = (uint8_t)family };
	socklen_t sl;
	int one = 1, fd, r;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET)
		r = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	else
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	if (r)
		goto fail;
	sockaddr_of(&any, port, &ss, &sl);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

/* Make the one control message of m: level, type and len bytes of data,
 * in buf (room for CMSG_SPACE(len), aligned). */
static void cmsg_set(struct msghdr *m, void *buf, int level, int type, const void *data, size_t len) {
	struct cmsghdr *c;

	m->msg_control = buf;
	m->msg_controllen = CMSG_SPACE(len);
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
}

/* Answer what is waiting on fd, from the address it was sent to. */
static void responder_answer(struct prober_responder *rs, int fd) {
	for (int i = 0; i < DRAIN_MAX; i++) {
		uint8_t buf[RECV_BUF];
		union { char b[256]; struct cmsghdr align; } in;
		union { char b[CMSG_SPACE(sizeof(struct in6_pktinfo))]; struct cmsghdr align; } out;
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = in.b, .msg_controllen = sizeof(in.b) };
		struct msghdr reply;
		struct probe_payload pl;
		struct cmsghdr *cm;
		ssize_t n;

		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;          /* EAGAIN, or an error the next read clears */
		}
		if ((size_t)n < sizeof(pl))
			continue;
		memcpy(&pl, buf, sizeof(pl));
		if (pl.magic != PROBE_MAGIC)
			continue;       /* only hanet's probes get an answer */

		iov.iov_len = (size_t)n;
		reply = (struct msghdr){ .msg_name = &from, .msg_namelen = mh.msg_namelen, .msg_iov = &iov, .msg_iovlen = 1 };
		memset(out.b, 0, sizeof(out.b));
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi, o = { 0 };

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				o.ipi_spec_dst = pi.ipi_addr;
				cmsg_set(&reply, out.b, IPPROTO_IP, IP_PKTINFO, &o, sizeof(o));
			} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi, o = { 0 };

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				o.ipi6_addr = pi.ipi6_addr;
				if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
					o.ipi6_ifindex = pi.ipi6_ifindex;
				cmsg_set(&reply, out.b, IPPROTO_IPV6, IPV6_PKTINFO, &o, sizeof(o));
			}
		}
		if (sendmsg(fd, &reply, MSG_DONTWAIT) >= 0)
			__atomic_add_fetch(&rs->answered, 1, __ATOMIC_RELAXED);
	}
}

static void *responder_thread(void *arg) {
	struct prober_responder *rs = arg;
	int r = 0;

	if (rs->rt_priority > 0) {
		struct sched_param sp = { .sched_priority = rs->rt_priority };
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	}

	if (rs->nsfd >= 0 && setns(rs->nsfd, CLONE_NEWNET) < 0)
		r = -errno;
	if (r == 0) {
		rs->fd[0] = responder_socket(AF_INET, rs->port);
		rs->fd[1] = responder_socket(AF_INET6, rs->port);
		if (rs->fd[0] < 0 && rs->fd[1] < 0)
			r = rs->fd[0];
	}
	pthread_mutex_lock(&rs->lock);
	rs->err = r;
	rs->ready = true;
	pthread_cond_broadcast(&rs->cond);
	pthread_mutex_unlock(&rs->lock);
	if (r < 0)
		return NULL;

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = rs->efd, .events = POLLIN },
			{ .fd = rs->fd[0], .events = POLLIN },
			{ .fd = rs->fd[1], .events = POLLIN },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		for (int k = 0; k < 2; k++)
			if (pfd[k + 1].revents)
				responder_answer(rs, rs->fd[k]);
	}
	return NULL;
}

int prober_responder_start(const char *netns, uint16_t port, int rt_priority, struct prober_responder **ret) {
	struct prober_responder *rs;
	int r;

	if (rt_priority < 0 || rt_priority > 99)
		return -EINVAL;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	rs->nsfd = rs->efd = rs->fd[0] = rs->fd[1] = -1;
	rs->port = port ? port : PROBER_UDP_PORT;
	rs->rt_priority = rt_priority;
	pthread_mutex_init(&rs->lock, NULL);
	pthread_cond_init(&rs->cond, NULL);
	if (netns && (rs->nsfd = netns_open(netns)) < 0) {
		r = rs->nsfd;
		goto fail;
	}
	rs->efd = eventfd(0, EFD_CLOEXEC);
	if (rs->efd < 0) {
		r = -errno;
		goto fail;
	}
	r = -pthread_create(&rs->thread, NULL, responder_thread, rs);
	if (r < 0)
		goto fail;
	pthread_mutex_lock(&rs->lock);
	while (!rs->ready)
		pthread_cond_wait(&rs->cond, &rs->lock);
	r = rs->err;
	pthread_mutex_unlock(&rs->lock);
	if (r < 0) {
		pthread_join(rs->thread, NULL);
		goto fail;
	}
	*ret = rs;
	return 0;
fail:
	for (int k = 0; k < 2; k++)
		if (rs->fd[k] >= 0)
			close(rs->fd[k]);
	if (rs->efd >= 0)
		close(rs->efd);
	if (rs->nsfd >= 0)
		close(rs->nsfd);
	pthread_cond_destroy(&rs->cond);
	pthread_mutex_destroy(&rs->lock);
	free(rs);
	return r;
}

uint64_t prober_responder_answered(const struct prober_responder *rs) {
	return __atomic_load_n(&rs->answered, __ATOMIC_RELAXED);
}

void prober_responder_stop(struct prober_responder *rs) {
	uint64_t one = 1;

	if (!rs)
		return;
	if (write(rs->efd, &one, sizeof(one)) != sizeof(one)) {
		/* an eventfd write of 1 cannot fail short of a bug */
	}
	pthread_join(rs->thread, NULL);
	for (int k = 0; k < 2; k++)
		if (rs->fd[k] >= 0)
			close(rs->fd[k]);
	close(rs->efd);
	if (rs->nsfd >= 0)
		close(rs->nsfd);
	pthread_cond_destroy(&rs->cond);
	pthread_mutex_destroy(&rs->lock);
	free(rs);
}
