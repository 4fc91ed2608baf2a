/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet validate [--strict] [--json] PROFILE...
 *
 * Loads each profile (syntax and semantic checks), checks that every
 * namespace it names is declared or exists, parses its [routes] files,
 * runs the HA lint, and prints the diagnostics (stderr) and a summary of
 * what each profile declares (stdout).  Never changes anything.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd-common.h"
#include "commands.h"
#include "diag.h"
#include "json.h"
#include "log.h"
#include "netns.h"
#include "profile.h"
#include "routes-file.h"

static const char usage_text[] =
	"Usage: hanet validate [--strict] [--json] PROFILE...\n"
	"\n"
	"Check profiles without touching the system: syntax, references,\n"
	"namespaces, kernel limits, options valid for the bond mode, [routes]\n"
	"files, and the HA lint.  Prints each error and warning as\n"
	"FILE:LINE: [SECTION] KEY: message, then a summary of each valid profile.\n"
	"\n"
	"  --strict   lint warnings make the profile fail (exit 1)\n"
	"  --json     one JSON document with the diagnostics and counts of every file\n"
	"  -h, --help this text\n"
	"\n"
	"Exit status: 0 valid, 1 warnings under --strict, 2 invalid, 64 usage.\n"
	"See hanet(8) and hanet.ini(5).\n";

static bool run_netns_exists(const char *name, void *data) {
	char path[sizeof(NETNS_RUN_DIR) + NETNS_NAME_MAX + 2];
	struct stat st;

	(void)data;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	return stat(path, &st) == 0;
}

/* Every device a route of a [routes] file names must be a link (or a veth
 * peer) of the profile, in the file's namespace. */
static bool profile_has_dev(const struct profile *p, const char *netns, const char *name) {
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		if (strcmp(l->name, name) == 0)
			return netns_eq(l->netns, netns);
		if (l->kind == LINK_VETH && strcmp(l->u.veth.peer, name) == 0)
			return netns_eq(l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns, netns);
	}
	return false;
}

struct routes_count {
	const struct profile *p;
	const struct routes_file *rf;
	struct diags *d;
	size_t n;
	size_t n_bad_dev;
	char last_ok[IFNAMSIZ];
};

static int count_route(const struct route *r, void *data) {
	struct routes_count *c = data;

	c->n++;
	if (!r->dev[0] || strcmp(r->dev, c->last_ok) == 0)
		return 0;
	if (profile_has_dev(c->p, r->netns, r->dev)) {
		strcpy(c->last_ok, r->dev);
		return 0;
	}
	if (c->n_bad_dev++ < 100) {
		char section[HANET_NAME_MAX + 8];
		snprintf(section, sizeof(section), "routes %s", c->rf->name);
		if (r->netns && *r->netns)
			diag_add(c->d, DIAG_ERROR, c->rf->path, r->line, section, "dev", NULL,
			         "%s is not a link of the profile in namespace %s: declare it ([nic %s] for an existing device)",
			         r->dev, r->netns, r->dev);
		else
			diag_add(c->d, DIAG_ERROR, c->rf->path, r->line, section, "dev", NULL,
			         "%s is not a link of the profile: declare it ([nic %s] for an existing device)", r->dev,
			         r->dev);
	}
	return 0;
}

struct file_result {
	const char *file;
	struct profile *p;
	struct diags d;
	int status;
	char summary[1024];
};

static void validate_file(struct file_result *res, bool strict) {
	struct profile *p = NULL;
	int r;

	diags_init(&res->d);
	r = profile_load(res->file, &p, &res->d);
	if (r == -ENOMEM) {
		diag_add(&res->d, DIAG_ERROR, res->file, 0, NULL, NULL, NULL, "out of memory");
		res->status = EXIT_INVALID;
		return;
	}
	if (r < 0) {
		res->status = EXIT_INVALID;
		return;
	}
	res->p = p;
	profile_check_netns(p, run_netns_exists, NULL, &res->d);
	for (size_t i = 0; i < p->n_routes_files; i++) {
		struct routes_file *rf = &p->routes_files[i];
		struct routes_count c = { .p = p, .rf = rf, .d = &res->d };
		char section[HANET_NAME_MAX + 8];

		snprintf(section, sizeof(section), "routes %s", rf->name);
		if (rf->path && access(rf->path, R_OK) < 0) {
			diag_add(&res->d, DIAG_ERROR, p->path, profile_key_line(p, "routes", rf->name, "file"), section, "file",
			         NULL, "cannot read %s: %s", rf->path, strerror(errno));
			continue;
		}
		r = routes_file_parse(rf, count_route, &c, &res->d);
		if (r == 0 && c.n_bad_dev > 100)
			diag_add(&res->d, DIAG_ERROR, rf->path, 0, NULL, NULL, NULL, "%zu more unknown devices not shown",
			         c.n_bad_dev - 100);
		if (r == 0)
			rf->n_routes = c.n;
	}
	if (res->d.n_errors) {
		res->status = EXIT_INVALID;
		return;
	}
	profile_lint(p, &res->d);
	profile_summary(p, res->summary, sizeof(res->summary));
	res->status = strict && res->d.n_warnings ? EXIT_FAIL : EXIT_OK;
}

static void counts_json(struct json *j, const struct profile *p) {
	size_t kinds[_LINK_KIND_MAX] = { 0 }, implicit = 0, bulk = 0;

	for (size_t i = 0; i < p->n_links; i++) {
		if (p->links[i].implicit)
			implicit++;
		else
			kinds[p->links[i].kind]++;
	}
	for (size_t i = 0; i < p->n_routes_files; i++)
		bulk += p->routes_files[i].n_routes;
	json_obj_begin(j, "counts");
	json_uint(j, "netns", p->n_netns);
	for (int k = 0; k < _LINK_KIND_MAX; k++)
		if (link_kind_managed(k))
			json_uint(j, link_kind_name((enum link_kind)k), kinds[k]);
	json_uint(j, "implicit_nic", implicit);
	json_uint(j, "vip", p->n_vips);
	json_uint(j, "route", p->n_routes);
	json_uint(j, "routes_file", p->n_routes_files);
	json_uint(j, "routes_file_routes", bulk);
	json_uint(j, "rule", p->n_rules);
	json_uint(j, "probe", p->n_probes);
	json_uint(j, "fault", p->n_faults);
	json_obj_end(j);
	if (p->sla.set) {
		json_obj_begin(j, "sla");
		json_uint(j, "failover_max_us", p->sla.failover_max_us);
		json_double(j, "percentile", p->sla.percentile);
		json_obj_end(j);
	}
}

int cmd_validate(int argc, char **argv) {
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct file_result *res;
	bool strict = false, as_json = false;
	int c, n, worst = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': strict = true; break;
		case 'j': as_json = true; break;
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error("validate", usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	n = argc - optind;
	if (n <= 0)
		return cmd_usage_error("validate", usage_text, "no profile given");
	res = calloc((size_t)n, sizeof(*res));
	if (!res)
		return log_error_errno(-ENOMEM, "validate: %m"), EXIT_RUNTIME;

	for (int i = 0; i < n; i++) {
		res[i].file = argv[optind + i];
		validate_file(&res[i], strict);
		if (res[i].status == EXIT_INVALID || (res[i].status == EXIT_FAIL && worst == EXIT_OK))
			worst = res[i].status;
		if (as_json)
			continue;
		diags_print(&res[i].d, stderr);
		if (res[i].status == EXIT_INVALID)
			printf("%s: invalid: %zu error%s\n", res[i].file, res[i].d.n_errors, res[i].d.n_errors == 1 ? "" : "s");
		else if (res[i].d.n_warnings)
			printf("%s: valid, %zu warning%s: %s\n", res[i].file, res[i].d.n_warnings,
			       res[i].d.n_warnings == 1 ? "" : "s", res[i].summary);
		else
			printf("%s: valid: %s\n", res[i].file, res[i].summary);
		fflush(stdout);
	}

	if (as_json) {
		struct json j;

		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_arr_begin(&j, "files");
		for (int i = 0; i < n; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "file", res[i].file);
			json_bool(&j, "valid", res[i].status != EXIT_INVALID);
			json_int(&j, "status", res[i].status);
			json_uint(&j, "errors", res[i].d.n_errors);
			json_uint(&j, "warnings", res[i].d.n_warnings);
			diags_json(&res[i].d, &j, "diagnostics");
			if (res[i].status != EXIT_INVALID && res[i].p) {
				json_str(&j, "name", res[i].p->name);
				json_str(&j, "summary", res[i].summary);
				counts_json(&j, res[i].p);
			}
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_bool(&j, "strict", strict);
		json_int(&j, "status", worst);
		json_obj_end(&j);
		json_finish(&j);
	}
	for (int i = 0; i < n; i++) {
		profile_free(res[i].p);
		diags_fini(&res[i].d);
	}
	free(res);
	return worst;
}
