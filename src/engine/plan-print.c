/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/* ---- output --------------------------------------------------------------------------------- */

const char *action_type_name(enum action_type t) {
	static const char *const names[_ACT_MAX] = {
		[ACT_NETNS_ADD] = "netns-add",     [ACT_NETNS_DEL] = "netns-delete", [ACT_FORWARDING] = "forwarding",
		[ACT_LINK_CREATE] = "link-create", [ACT_LINK_DELETE] = "link-delete", [ACT_LINK_MOVE] = "link-move",
		[ACT_LINK_SET] = "link-set",       [ACT_LINK_KIND] = "link-kind",     [ACT_LINK_MASTER] = "link-master",
		[ACT_LINK_EXTRA] = "link-extra",   [ACT_LINK_UP] = "link-up",         [ACT_LINK_DOWN] = "link-down",     [ACT_ADDR_ADD] = "addr-add",
		[ACT_ADDR_DEL] = "addr-delete",    [ACT_ADDR_REPLACE] = "addr-replace", [ACT_ROUTE_ADD] = "route-add",
		[ACT_ROUTE_DEL] = "route-delete",  [ACT_ROUTE_REPLACE] = "route-replace", [ACT_RULE_ADD] = "rule-add",
		[ACT_RULE_DEL] = "rule-delete",
	};
	return (unsigned)t < _ACT_MAX ? names[t] : "?";
}

void plan_counts(const struct plan *p, size_t counts[DISRUPT_RECREATE + 1]) {
	memset(counts, 0, sizeof(size_t) * (DISRUPT_RECREATE + 1));
	for (size_t i = 0; i < p->n; i++)
		counts[p->v[i].level]++;
}

void plan_print(const struct plan *p, FILE *f) {
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%4zu  %-8s  %s\n", i + 1, disruption_name(p->v[i].level), p->v[i].text);
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(f, "note: %s\n", p->notes[i]);
}

void plan_json(const struct plan *p, const char *profile, struct json *j) {
	size_t counts[DISRUPT_RECREATE + 1];

	plan_counts(p, counts);
	json_obj_begin(j, NULL);
	json_str(j, "profile", profile);
	json_arr_begin(j, "actions");
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];

		json_obj_begin(j, NULL);
		json_uint(j, "step", i + 1);
		json_str(j, "action", action_type_name(a->type));
		json_str(j, "disruption", disruption_name(a->level));
		json_str(j, "netns", a->netns);
		if (a->name[0])
			json_str(j, "name", a->name);
		if (a->object)
			json_str(j, "object", a->object);
		if (a->n_routes)
			json_uint(j, "routes", a->n_routes);
		json_str(j, "text", a->text);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_begin(j, "summary");
	json_uint(j, "actions", p->n);
	json_uint(j, "live", counts[DISRUPT_LIVE]);
	json_uint(j, "flap", counts[DISRUPT_FLAP]);
	json_uint(j, "recreate", counts[DISRUPT_RECREATE]);
	json_obj_end(j);
	json_arr_begin(j, "notes");
	for (size_t i = 0; i < p->n_notes; i++)
		json_str(j, NULL, p->notes[i]);
	json_arr_end(j);
	json_obj_end(j);
	json_finish(j);
}
