/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libteam, loaded the first time a team is handled: linked into every
 * process, it and the libnl libraries it pulls in would cost each hanet
 * start (`hanet vip takeover` on the failover path among them) about a
 * millisecond of dynamic linking, for profiles that mostly have no team.
 *
 * The team backends include this header instead of <team.h> alone: the
 * libteam functions they call become calls through the table below,
 * filled by libteam_load(), which they call before team_alloc(). */
#pragma once

#include <team.h>

#define LIBTEAM_FUNCS(X) \
	X(team_alloc) \
	X(team_change_handler_register) \
	X(team_free) \
	X(team_get_active_port) \
	X(team_get_event_fd) \
	X(team_get_mcast_rejoin_count) \
	X(team_get_mcast_rejoin_interval) \
	X(team_get_mode_name) \
	X(team_get_next_port) \
	X(team_get_notify_peers_count) \
	X(team_get_notify_peers_interval) \
	X(team_get_port_ifindex) \
	X(team_get_port_priority) \
	X(team_handle_events) \
	X(team_ifindex2ifname) \
	X(team_ifname2ifindex) \
	X(team_init) \
	X(team_is_our_port) \
	X(team_is_port_link_up) \
	X(team_is_port_removed) \
	X(team_port_add) \
	X(team_port_remove) \
	X(team_refresh) \
	X(team_set_active_port) \
	X(team_set_log_fn) \
	X(team_set_mcast_rejoin_count) \
	X(team_set_mcast_rejoin_interval) \
	X(team_set_mode_name) \
	X(team_set_notify_peers_count) \
	X(team_set_notify_peers_interval) \
	X(team_set_port_priority)

struct libteam_api {
#define LIBTEAM_MEMBER(f) __typeof__(f) *f;
	LIBTEAM_FUNCS(LIBTEAM_MEMBER)
#undef LIBTEAM_MEMBER
};
extern struct libteam_api libteam_api;

/* 0 when libteam is loaded (the first call loads it), -ENOSYS when it
 * cannot be: libteam_load_error() says why. */
int libteam_load(void);
const char *libteam_load_error(void);

#ifndef LIBTEAM_DL_SELF
#define team_alloc libteam_api.team_alloc
#define team_change_handler_register libteam_api.team_change_handler_register
#define team_free libteam_api.team_free
#define team_get_active_port libteam_api.team_get_active_port
#define team_get_event_fd libteam_api.team_get_event_fd
#define team_get_mcast_rejoin_count libteam_api.team_get_mcast_rejoin_count
#define team_get_mcast_rejoin_interval libteam_api.team_get_mcast_rejoin_interval
#define team_get_mode_name libteam_api.team_get_mode_name
#define team_get_next_port libteam_api.team_get_next_port
#define team_get_notify_peers_count libteam_api.team_get_notify_peers_count
#define team_get_notify_peers_interval libteam_api.team_get_notify_peers_interval
#define team_get_port_ifindex libteam_api.team_get_port_ifindex
#define team_get_port_priority libteam_api.team_get_port_priority
#define team_handle_events libteam_api.team_handle_events
#define team_ifindex2ifname libteam_api.team_ifindex2ifname
#define team_ifname2ifindex libteam_api.team_ifname2ifindex
#define team_init libteam_api.team_init
#define team_is_our_port libteam_api.team_is_our_port
#define team_is_port_link_up libteam_api.team_is_port_link_up
#define team_is_port_removed libteam_api.team_is_port_removed
#define team_port_add libteam_api.team_port_add
#define team_port_remove libteam_api.team_port_remove
#define team_refresh libteam_api.team_refresh
#define team_set_active_port libteam_api.team_set_active_port
#define team_set_log_fn libteam_api.team_set_log_fn
#define team_set_mcast_rejoin_count libteam_api.team_set_mcast_rejoin_count
#define team_set_mcast_rejoin_interval libteam_api.team_set_mcast_rejoin_interval
#define team_set_mode_name libteam_api.team_set_mode_name
#define team_set_notify_peers_count libteam_api.team_set_notify_peers_count
#define team_set_notify_peers_interval libteam_api.team_set_notify_peers_interval
#define team_set_port_priority libteam_api.team_set_port_priority
#endif
