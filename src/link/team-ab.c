/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Team active-backup driver for watch mode: libteam handle, events, choice. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libteam-dl.h"
#include "log.h"
#include "netns.h"
#include "team-ab.h"
#include "util.h"

#define TEAM_AB_PORTS_MAX 64

struct team_ab {
	struct team_handle *th;
	char *netns;
	char name[IFNAMSIZ];
	int ifindex;
	uint32_t last_active;           /* the active port last seen, 0 = none */
	bool last_known;
	struct team_change_handler handler;
};

int team_ab_choose(const struct team_ab_port *v, size_t n, uint32_t current) {
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].link_up)
			continue;
		if (best < 0 || v[i].priority > v[best].priority ||
		    (v[i].priority == v[best].priority && v[i].ifindex == current))
			best = (int)i;
	}
	return best;
}

static void team_log(struct team_handle *th, int priority, const char *file, int line, const char *fn,
                     const char *format, va_list args) {
	char msg[512];

	vsnprintf(msg, sizeof(msg), format, args);
	log_debug("libteam: %s: %s", fn, msg);
}

static int on_change(struct team_handle *th, void *priv, team_change_type_mask_t mask) {
	return 0;       /* the caller selects after team_handle_events() */
}

int team_ab_open(const char *netns, const char *name, struct team_ab **ret) {
	struct team_ab *t;
	int saved = -1, r, q;
	uint32_t ifindex;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (STRCPY(t->name, name) < 0) {
		free(t);
		return -ENAMETOOLONG;
	}
	if (netns && !(t->netns = strdup(netns))) {
		free(t);
		return -ENOMEM;
	}
	r = libteam_load();
	if (r < 0) {
		log_debug("libteam: %s", libteam_load_error());
		goto fail;
	}
	/* libteam's sockets are made by team_init: inside the namespace */
	r = netns_enter(netns, &saved);
	if (r < 0)
		goto fail;
	t->th = team_alloc();
	if (!t->th) {
		r = -ENOMEM;
		goto leave;
	}
	team_set_log_fn(t->th, team_log);
	ifindex = team_ifname2ifindex(t->th, name);
	if (!ifindex) {
		r = -ENODEV;
		goto leave;
	}
	r = team_init(t->th, ifindex);
	if (r == 0) {
		t->ifindex = (int)ifindex;
		t->handler.func = on_change;
		t->handler.type_mask = TEAM_PORT_CHANGE | TEAM_OPTION_CHANGE;
		r = team_change_handler_register(t->th, &t->handler, t);
	}
leave:
	q = netns_leave(saved);
	if (r == 0 && q < 0)
		r = q;
	if (r < 0)
		goto fail;
	*ret = t;
	return 0;
fail:
	team_ab_free(t);
	return r > 0 ? -r : r;
}

void team_ab_free(struct team_ab *t) {
	if (!t)
		return;
	if (t->th)
		team_free(t->th);
	free(t->netns);
	free(t);
}

int team_ab_fd(const struct team_ab *t) { return team_get_event_fd(t->th); }
int team_ab_ifindex(const struct team_ab *t) { return t->ifindex; }
const char *team_ab_name(const struct team_ab *t) { return t->name; }
const char *team_ab_netns(const struct team_ab *t) { return t->netns; }

bool team_ab_has_port(const struct team_ab *t, int ifindex) {
	struct team_port *port;

	team_for_each_port(port, t->th)
		if ((int)team_get_port_ifindex(port) == ifindex && !team_is_port_removed(port))
			return true;
	return false;
}

int team_ab_handle_events(struct team_ab *t) {
	int r = team_handle_events(t->th);

	return r > 0 ? -r : r;
}

int team_ab_refresh(struct team_ab *t) {
	int r = team_refresh(t->th);

	return r > 0 ? -r : r;
}

static void port_name(struct team_ab *t, uint32_t ifindex, char *buf, size_t size) {
	if (!ifindex) {
		buf[0] = '\0';
		return;
	}
	if (!team_ifindex2ifname(t->th, ifindex, buf, size))
		snprintf(buf, size, "#%u", ifindex);
}

int team_ab_select(struct team_ab *t, struct team_ab_change *ret) {
	struct team_ab_port v[TEAM_AB_PORTS_MAX];
	struct team_ab_change c = { 0 };
	struct team_port *port;
	char *mode = NULL;
	uint32_t active = 0, want;
	size_t n = 0;
	int best, r;

	if (team_get_mode_name(t->th, &mode) < 0 || !mode || strcmp(mode, "activebackup") != 0) {
		*ret = c;
		return 0;
	}
	if (team_get_active_port(t->th, &active) < 0)
		active = 0;
	team_for_each_port(port, t->th) {
		if (n == ARRAY_SIZE(v))
			break;
		if (team_is_port_removed(port))
			continue;
		v[n].ifindex = team_get_port_ifindex(port);
		v[n].link_up = team_is_port_link_up(port);
		if (team_get_port_priority(t->th, v[n].ifindex, &v[n].priority) < 0)
			v[n].priority = 0;
		n++;
	}
	/* a port that left is not active any more, whatever the option says */
	want = active;
	if (active) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= v[i].ifindex == active;
		if (!found)
			want = 0;
	}
	best = team_ab_choose(v, n, want);
	if (best >= 0 && v[best].ifindex != active) {
		const struct team_ab_port *cur = NULL;

		for (size_t i = 0; i < n; i++)
			if (v[i].ifindex == active)
				cur = &v[i];
		port_name(t, active, c.from, sizeof(c.from));
		port_name(t, v[best].ifindex, c.to, sizeof(c.to));
		if (!cur)
			snprintf(c.why, sizeof(c.why), "%s", active ? "the active port left the team" : "no active port");
		else if (!cur->link_up)
			snprintf(c.why, sizeof(c.why), "%s has no link", c.from);
		else
			snprintf(c.why, sizeof(c.why), "%s has a higher priority (%d > %d)", c.to, v[best].priority,
			         cur->priority);
		r = team_set_active_port(t->th, v[best].ifindex);
		if (r != 0)
			return r > 0 ? -r : r;
		c.changed = true;
		c.by_us = true;
		t->last_active = v[best].ifindex;
		t->last_known = true;
		*ret = c;
		return 0;
	}
	if (t->last_known && active != t->last_active) {
		/* someone else changed it (or the kernel cleared it) */
		port_name(t, t->last_active, c.from, sizeof(c.from));
		port_name(t, active, c.to, sizeof(c.to));
		c.changed = true;
	}
	t->last_active = active;
	t->last_known = true;
	*ret = c;
	return 0;
}
