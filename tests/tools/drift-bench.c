/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Makes drift for hanet watch to repair, and times the repairs from the
 * outside (a process of its own, with its own event socket):
 *
 *   drift-bench vip  -N NETNS -d DEV -a CIDR [-n COUNT] [-g GAP_US] [-t TIMEOUT_MS]
 *       delete the address COUNT times (default 1000); after each, wait
 *       for it to come back (and GAP_US more, default 2000).  Latency:
 *       from the delete event to the add event as a monitor thread that
 *       does nothing else reads them; also from just before the delete
 *       request to the add event (an upper bound that does not depend on
 *       when the delete event was read).
 *   drift-bench flap -N NETNS -d DEV [-n COUNT] [-T DURATION_MS]
 *       set the link down and up COUNT times (default 1000), paced over
 *       DURATION_MS (default 10000).
 *
 * "-" as NETNS: the current namespace.  Exit 1 when a repair did not come
 * within TIMEOUT_MS (default 1000).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "addr.h"
#include "link.h"
#include "hnl.h"
#include "nlevent.h"
#include "observe.h"
#include "util.h"

/* The monitor: a thread of its own that only reads events, so that it
 * reads the delete event when it comes, not after the delete request
 * returned (by then the repair may be there too).  It pairs each delete
 * event of the address with the add event after it. */
struct monitor {
	struct nlev_set *s;
	const char *dev;
	struct ipaddr ip;
	int efd;                        /* eventfd: the main thread is told of each pair */
	pthread_mutex_t lock;
	uint64_t t_del, t_add;          /* the last pair (t_add 0 while waiting) */
	uint64_t pairs;
	bool in_del;
	atomic_bool stop;
};

static void on_ev(const struct nlev *ev, void *data) {
	struct monitor *m = data;

	if (strcmp(ev->ifname, m->dev) != 0 || !ipaddr_eq(&ev->addr, &m->ip))
		return;
	pthread_mutex_lock(&m->lock);
	if (ev->type == NLEV_ADDR_DEL && !m->in_del) {
		m->in_del = true;
		m->t_del = ev->t_ns;
		m->t_add = 0;
	} else if (ev->type == NLEV_ADDR_NEW && m->in_del) {
		uint64_t one = 1;

		m->in_del = false;
		m->t_add = ev->t_ns;
		m->pairs++;
		if (write(m->efd, &one, sizeof(one)) < 0) {
			/* the main thread times out instead */
		}
	}
	pthread_mutex_unlock(&m->lock);
}

static void *monitor_main(void *data) {
	struct monitor *m = data;

	while (!atomic_load(&m->stop)) {
		struct pollfd pfd = { .fd = nlev_fd(m->s), .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0)
			nlev_dispatch(m->s, on_ev, m);
	}
	return NULL;
}

/* Wait for the monitor to see `pairs` pairs, up to deadline. */
static int wait_pairs(struct monitor *m, uint64_t pairs, uint64_t deadline) {
	for (;;) {
		struct pollfd pfd = { .fd = m->efd, .events = POLLIN };
		uint64_t now = now_ns(), v;
		bool done;

		pthread_mutex_lock(&m->lock);
		done = m->pairs >= pairs;
		pthread_mutex_unlock(&m->lock);
		if (done)
			return 0;
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) > 0 && read(m->efd, &v, sizeof(v)) < 0) {
			/* counted again above */
		}
	}
}

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p) {
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return (double)v[i < n ? i : n - 1] / 1e6;
}

static void print_stats(const char *what, uint64_t *v, size_t n) {
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%s: n=%zu p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms\n", what, n, pct(v, n, 50), pct(v, n, 90),
	       pct(v, n, 99), n ? (double)v[n - 1] / 1e6 : 0.0);
}

static int ifindex_of(struct hnl *nl, const char *dev) {
	struct link l;
	int r = observe_get_link(nl, dev, &l);

	if (r < 0)
		return r;
	r = l.ifindex;
	link_fini(&l);
	return r;
}

static int bench_vip(const char *netns, const char *dev, const char *cidr, long count, long gap_us, long timeout_ms) {
	uint64_t *ev_lat = calloc((size_t)count, sizeof(uint64_t)), *rq_lat = calloc((size_t)count, sizeof(uint64_t));
	struct monitor m = { .dev = dev, .efd = -1 };
	struct hnl *nl = NULL;
	struct addr a = { 0 };
	pthread_t th;
	long done = 0, timeouts = 0;
	int ifindex, r, ret = 2;

	if (!ev_lat || !rq_lat)
		goto out;
	if (parse_prefix(cidr, true, &a.ip) < 0) {
		fprintf(stderr, "drift-bench: %s: not an address with a prefix length\n", cidr);
		goto out;
	}
	m.ip = a.ip;
	snprintf(a.dev, sizeof(a.dev), "%s", dev);
	pthread_mutex_init(&m.lock, NULL);
	m.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m.efd < 0 || (r = hnl_open(netns, &nl)) < 0 || (r = nlev_set_new(&m.s)) < 0 ||
	    (r = nlev_add_netns(m.s, netns, NLEV_G_ADDR, NULL, NULL)) < 0) {
		fprintf(stderr, "drift-bench: netns %s: %s\n", netns ? netns : "-", m.efd < 0 ? strerror(errno) : strerror(-r));
		goto out;
	}
	ifindex = ifindex_of(nl, dev);
	if (ifindex < 0) {
		fprintf(stderr, "drift-bench: %s: %s\n", dev, strerror(-ifindex));
		goto out;
	}
	if (pthread_create(&th, NULL, monitor_main, &m) != 0)
		goto out;
	for (long i = 0; i < count; i++) {
		uint64_t t_req, pairs;

		pthread_mutex_lock(&m.lock);
		pairs = m.pairs;
		pthread_mutex_unlock(&m.lock);
		t_req = now_ns();
		r = addr_del(nl, &a, ifindex);
		if (r < 0) {
			fprintf(stderr, "drift-bench: deletion %ld: %s\n", i, strerror(-r));
			timeouts++;
			/* not there: give the repair time, then go on */
			sleep_us((uint64_t)timeout_ms * 1000);
			continue;
		}
		if (wait_pairs(&m, pairs + 1, t_req + (uint64_t)timeout_ms * 1000000) < 0) {
			timeouts++;
			fprintf(stderr, "drift-bench: deletion %ld: not re-added within %ld ms\n", i, timeout_ms);
			continue;
		}
		pthread_mutex_lock(&m.lock);
		ev_lat[done] = m.t_add > m.t_del ? m.t_add - m.t_del : 0;
		rq_lat[done] = m.t_add > t_req ? m.t_add - t_req : 0;
		pthread_mutex_unlock(&m.lock);
		done++;
		if (gap_us > 0)
			sleep_us((uint64_t)gap_us);
	}
	atomic_store(&m.stop, true);
	pthread_join(th, NULL);
	print_stats("delete event -> re-add event", ev_lat, (size_t)done);
	print_stats("delete request -> re-add event", rq_lat, (size_t)done);
	printf("deletions: %ld repaired, %ld timeouts\n", done, timeouts);
	nlev_set_free(m.s);
	hnl_free(nl);
	close(m.efd);
	pthread_mutex_destroy(&m.lock);
	ret = timeouts ? 1 : 0;
out:
	free(ev_lat);
	free(rq_lat);
	return ret;
}

static int bench_flap(const char *netns, const char *dev, long count, long duration_ms) {
	uint64_t t0 = now_ns(), step = (uint64_t)duration_ms * 1000000 / (uint64_t)(count ? count : 1) / 2;
	struct hnl *nl = NULL;
	long errors = 0;
	int r, ifindex;

	if ((r = hnl_open(netns, &nl)) < 0) {
		fprintf(stderr, "drift-bench: netns %s: %s\n", netns ? netns : "-", strerror(-r));
		return 2;
	}
	for (long i = 0; i < count; i++) {
		for (int up = 0; up <= 1; up++) {
			struct link_change c;
			uint64_t at = t0 + (uint64_t)(2 * i + up) * step, now = now_ns();

			if (at > now)
				sleep_us((at - now) / 1000);
			/* the device may have been recreated: look it up each time */
			ifindex = ifindex_of(nl, dev);
			if (ifindex < 0) {
				errors++;
				continue;
			}
			link_change_init(&c);
			c.up = up;
			if (link_change(nl, ifindex, &c) < 0)
				errors++;
		}
	}
	printf("flaps: %ld down/up pairs of %s in %.2f s (%ld requests failed)\n", count, dev,
	       (double)(now_ns() - t0) / 1e9, errors);
	hnl_free(nl);
	return 0;
}

int main(int argc, char **argv) {
	const char *netns = NULL, *dev = NULL, *cidr = NULL;
	long count = 1000, gap_us = 2000, timeout_ms = 1000, duration_ms = 10000;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: drift-bench vip|flap -N NETNS -d DEV [-a CIDR] [-n COUNT] [-g GAP_US] "
		                "[-t TIMEOUT_MS] [-T DURATION_MS]\n");
		return 2;
	}
	optind = 2;
	while ((c = getopt(argc, argv, "N:d:a:n:g:t:T:")) != -1) {
		switch (c) {
		case 'N': netns = strcmp(optarg, "-") == 0 ? NULL : optarg; break;
		case 'd': dev = optarg; break;
		case 'a': cidr = optarg; break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'g': gap_us = strtol(optarg, NULL, 10); break;
		case 't': timeout_ms = strtol(optarg, NULL, 10); break;
		case 'T': duration_ms = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!dev || count <= 0 || count > 1000000 || timeout_ms <= 0 || timeout_ms > 60000 || duration_ms <= 0 ||
	    duration_ms > 600000) {
		fprintf(stderr, "drift-bench: bad arguments\n");
		return 2;
	}
	if (strcmp(argv[1], "vip") == 0 && cidr)
		return bench_vip(netns, dev, cidr, count, gap_us, timeout_ms);
	if (strcmp(argv[1], "flap") == 0)
		return bench_flap(netns, dev, count, duration_ms);
	fprintf(stderr, "drift-bench: unknown mode %s\n", argv[1]);
	return 2;
}
