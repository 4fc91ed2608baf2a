/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of a profile that can be applied now: without the devices
 * hanet does not create that are not there (yet), the namespaces it
 * does not declare that do not exist, and what depends on them (links on
 * top of them, VIPs and routes through them; they leave the port lists
 * of bonds, teams and bridges).  Watch applies this while it waits for a
 * device (hotplug, a driver that comes late at boot), and the whole
 * profile once the device is there.
 *
 * The view shares the profile's strings and lists where it does not change
 * them: it must not outlive the profile, nor the observed state's route
 * index it copied `present` from.
 */
#ifndef HANET_PARTIAL_H
#define HANET_PARTIAL_H

#include <stddef.h>

#include "model.h"
#include "route.h"

struct state;

struct profile_view {
	struct profile profile;         /* shallow copy, arrays of its own */
	struct route_index routes;      /* the routes kept, with `present` from the full index */
	size_t n_bulk;
	size_t *bulk_file;
	char missing[512];              /* "link late0 (netns edge), netns x" */
	/* owned by the view */
	struct namelist *lists;         /* port lists rewritten */
	size_t n_lists;
	int32_t **prios;                /* team port priorities rewritten */
	bool **prio_sets;
	size_t n_prios;
	bool owns_netns;                /* profile.netns is the view's own (a scope) */
};

/* Build the view of p against the observed state st.  routes/n_bulk/
 * bulk_file: the session's index of every desired route.  -ENODATA when
 * nothing is missing (a failed plan had another reason). */
int profile_view_build(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                       const size_t *bulk_file, const struct state *st, struct profile_view **ret);
void profile_view_free(struct profile_view *v);

/* The part of p in the namespaces `in` says yes to (NULL: the current
 * one), and the part of the observed state st there (sharing st's data:
 * it must not outlive st).  The plan of a scope is what the plan of the
 * whole profile does there as long as nothing crosses namespaces (links
 * made, deleted or moved, namespaces): a caller checks the plan for that
 * and plans the whole profile when it finds it.  Free the state with
 * state_scope_free(). */
typedef bool (*netns_pred_fn)(const char *netns, void *data);
int profile_scope_build(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                        const size_t *bulk_file, const struct state *st, netns_pred_fn in, void *data,
                        struct profile_view **ret_view, struct state **ret_st);
void state_scope_free(struct state *st);

/* The positions of each namespace's links, VIPs, rules and namespace
 * section in a profile, so that a scope of a few namespaces is built from
 * their objects alone (and their routes, from the route index), not from
 * a pass over the whole profile.  Good while the profile's arrays are the
 * ones it was built for (scope_index_valid). */
struct scope_index;
int scope_index_build(const struct profile *p, struct scope_index **ret);
void scope_index_free(struct scope_index *x);
bool scope_index_valid(const struct scope_index *x, const struct profile *p);
/* profile_scope_build for the namespaces names[] (NULL: the current
 * one); -ESTALE when x is not p's. */
int profile_scope_build_named(const struct profile *p, const struct scope_index *x, const struct route_index *routes,
                              size_t n_bulk, const size_t *bulk_file, const struct state *st,
                              const char *const *names, size_t n_names, struct profile_view **ret_view,
                              struct state **ret_st);

#endif
