/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The events files of a lab's services (see svc-events.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "svc-events.h"
#include "util.h"

#define FOLLOW_POLL_US 5000
#define LINE_MAX_ 1024

struct follow {
	size_t svc;                 /* the service's index */
	pid_t pid;                  /* the main process whose file is open */
	int fd;
	off_t off;
	char part[LINE_MAX_];       /* a line not ended yet */
	size_t n_part;
};

struct svc_events {
	struct services *s;
	struct timeline *tl;
	struct follow *f;
	size_t n;
	pthread_t thread;
	atomic_bool stop;
	atomic_uint_fast64_t passes;        /* reads of every file done */
	bool have_offset;                   /* the thread's own: */
	int64_t mono_minus_real;            /* what maps every file's times, kept while the clocks agree */
};

static int64_t ts_ns(const struct timespec *t) {
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* CLOCK_MONOTONIC - CLOCK_REALTIME: the realtime clock read between two
 * monotonic reads, of a few tries the one least apart (a thread
 * preempted between two reads would skew the difference). */
static int64_t mono_minus_real(void) {
	int64_t best = 0, gap = INT64_MAX;

	for (int i = 0; i < 4; i++) {
		struct timespec m0, r, m1;

		clock_gettime(CLOCK_MONOTONIC, &m0);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		if (ts_ns(&m1) - ts_ns(&m0) < gap) {
			gap = ts_ns(&m1) - ts_ns(&m0);
			best = ts_ns(&m0) + gap / 2 - ts_ns(&r);
		}
	}
	return best;
}

int svc_events_parse(const char *line, int64_t mono_minus_real_ns, uint64_t *ret_t_ns, enum tl_kind *ret_kind,
                     const char **ret_text) {
	static const struct {
		const char *name;
		enum tl_kind kind;
	} kinds[] = { { "membership", TL_MEMBERSHIP }, { "resource", TL_RESOURCE }, { "step", TL_STEP } };
	const char *p = line, *word;
	uint64_t sec = 0, frac = 0, scale = 1000000000;
	size_t len;
	int64_t t;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		if (sec > UINT64_MAX / 10 / 1000000000)
			return -EINVAL;
		sec = sec * 10 + (uint64_t)(*p++ - '0');
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p != ' ')
		return -EINVAL;
	while (*p == ' ')
		p++;
	word = p;
	while (*p && *p != ' ')
		p++;
	len = (size_t)(p - word);
	if (!len)
		return -EINVAL;
	while (*p == ' ')
		p++;
	*ret_kind = TL_NOTE;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i].name) == len && strncmp(word, kinds[i].name, len) == 0)
			*ret_kind = kinds[i].kind;
	*ret_text = p;
	t = (int64_t)(sec * 1000000000 + frac) + mono_minus_real_ns;
	if (t <= 0)
		return -EINVAL;
	*ret_t_ns = (uint64_t)t;
	return 0;
}

void svc_events_step_addr(const char *text, struct ipaddr *ret_addr, const char **ret_text) {
	char word[IPADDR_STRLEN];
	size_t len = strcspn(text, " ");

	*ret_text = text;
	if (len == 0 || len >= sizeof(word))
		return;
	memcpy(word, text, len);
	word[len] = '\0';
	if (parse_ipaddr(word, ret_addr) < 0)
		return;
	text += len;
	while (*text == ' ')
		text++;
	*ret_text = text;
}

static void add_line(struct svc_events *e, struct follow *f, const char *line) {
	const struct service_conf *c = service_conf(e->s, f->svc);
	struct tl_event ev = { 0 };
	const char *text;

	if (!line[0])
		return;
	if (svc_events_parse(line, e->mono_minus_real, &ev.t_ns, &ev.kind, &text) < 0) {
		log_debug("service %s: %s: not an event: %s", c->name, c->events, line);
		return;
	}
	if (ev.kind == TL_STEP)
		svc_events_step_addr(text, &ev.addr, &text);
	snprintf(ev.netns, sizeof(ev.netns), "%s", c->netns ? c->netns : "");
	snprintf(ev.detail, sizeof(ev.detail), "%s", text);
	timeline_add_event(e->tl, &ev);
}

/* Read what f's open file has new, line by line. */
/* One offset for every line of every file until the realtime clock is
 * stepped by over a millisecond: sampled for each line, its jitter would
 * reorder two lines of the same millisecond.  Looked at once for each
 * read. */
static void offset_check(struct svc_events *e) {
	int64_t offset = mono_minus_real();

	if (!e->have_offset || llabs(offset - e->mono_minus_real) > 1000000) {
		e->mono_minus_real = offset;
		e->have_offset = true;
	}
}

static void drain(struct svc_events *e, struct follow *f) {
	char buf[8192];
	ssize_t n;

	if (f->fd < 0)
		return;
	while ((n = pread(f->fd, buf, sizeof(buf), f->off)) > 0) {
		f->off += n;
		offset_check(e);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (f->n_part < sizeof(f->part) - 1)
					f->part[f->n_part++] = buf[i];
				continue;
			}
			f->part[f->n_part] = '\0';
			add_line(e, f, f->part);
			f->n_part = 0;
		}
	}
}

/* Read what f's file has new; a new main process has a new file (its own
 * tmpfs), read once the old one is read to its end. */
static void follow_read(struct svc_events *e, struct follow *f) {
	const struct service_conf *c = service_conf(e->s, f->svc);
	pid_t pid = service_main_pid(e->s, f->svc);

	if (pid > 0 && pid != f->pid) {
		char path[PATH_MAX + 32];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, c->events);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			drain(e, f);
			if (f->fd >= 0)
				close(f->fd);
			f->fd = fd;
			f->pid = pid;
			f->off = 0;
			f->n_part = 0;
		}
	}
	drain(e, f);
}

static void *follow_thread(void *arg) {
	struct svc_events *e = arg;

	while (!atomic_load(&e->stop)) {
		for (size_t i = 0; i < e->n; i++)
			follow_read(e, &e->f[i]);
		atomic_fetch_add(&e->passes, 1);
		sleep_us(FOLLOW_POLL_US);
	}
	for (size_t i = 0; i < e->n; i++)
		follow_read(e, &e->f[i]);
	return NULL;
}

int svc_events_start(struct services *s, struct timeline *tl, struct svc_events **ret) {
	struct svc_events *e;
	size_t n = 0;
	int r;

	*ret = NULL;
	for (size_t i = 0; i < services_count(s); i++)
		n += service_conf(s, i)->events != NULL;
	if (!n)
		return 0;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->f = calloc(n, sizeof(*e->f));
	if (!e->f) {
		free(e);
		return -ENOMEM;
	}
	e->s = s;
	e->tl = tl;
	for (size_t i = 0; i < services_count(s); i++)
		if (service_conf(s, i)->events) {
			e->f[e->n].svc = i;
			e->f[e->n++].fd = -1;
		}
	atomic_init(&e->stop, false);
	atomic_init(&e->passes, 0);
	r = -pthread_create(&e->thread, NULL, follow_thread, e);
	if (r < 0) {
		free(e->f);
		free(e);
		return r;
	}
	*ret = e;
	return 0;
}

void svc_events_catch_up(struct svc_events *e) {
	uint_fast64_t p0;

	if (!e)
		return;
	/* the pass under way may have read a file before now: one more */
	p0 = atomic_load(&e->passes);
	for (int i = 0; i < 1000 && atomic_load(&e->passes) < p0 + 2; i++)
		sleep_us(1000);
}

void svc_events_stop(struct svc_events *e) {
	if (!e)
		return;
	atomic_store(&e->stop, true);
	pthread_join(e->thread, NULL);
	for (size_t i = 0; i < e->n; i++)
		if (e->f[i].fd >= 0)
			close(e->f[i].fd);
	free(e->f);
	free(e);
}
