/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The active-backup choice for team devices, which the kernel leaves to
 * user space (teamd's job; hanet watch does it for the teams it owns).
 * One libteam handle per team, opened inside the team's namespace; its
 * event fd goes into watch's epoll.  On a port change (libteam's port
 * events, or an rtnetlink carrier change of a port) the port to make
 * active is: one with a link, the highest priority among those, and among
 * equals the current one (no flapping between equal ports).  Without any
 * port with a link the active port is left alone.
 */
#ifndef HANET_TEAM_AB_H
#define HANET_TEAM_AB_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct team_ab_port {
	uint32_t ifindex;
	bool link_up;
	int32_t priority;
};

/* The index in v of the port to make active, or -1 to leave it as is
 * (no port has a link).  current: the active port's ifindex, 0 for none. */
int team_ab_choose(const struct team_ab_port *v, size_t n, uint32_t current);

struct team_ab;

/* Open libteam on the team `name` in netns (NULL: the namespace hanet
 * started in).  -ENODEV when there is no such team. */
int team_ab_open(const char *netns, const char *name, struct team_ab **ret);
void team_ab_free(struct team_ab *t);

int team_ab_fd(const struct team_ab *t);          /* libteam's event fd */
int team_ab_ifindex(const struct team_ab *t);
const char *team_ab_name(const struct team_ab *t);
const char *team_ab_netns(const struct team_ab *t);
bool team_ab_has_port(const struct team_ab *t, int ifindex);

/* Read what libteam's sockets have (port and option changes). */
int team_ab_handle_events(struct team_ab *t);
/* Read the whole team state again (a port's carrier changed, by
 * rtnetlink, before libteam said so). */
int team_ab_refresh(struct team_ab *t);

struct team_ab_change {
	bool changed;                   /* the active port differs from the last one seen */
	bool by_us;                     /* ... because this call set it */
	char from[IFNAMSIZ];            /* "" = none */
	char to[IFNAMSIZ];
	char why[96];                   /* "c1a has no link", "c1a has a higher priority" */
};

/* Choose and, when it differs, set the active port (activebackup teams
 * only; other modes are left alone). */
int team_ab_select(struct team_ab *t, struct team_ab_change *ret);

#endif
