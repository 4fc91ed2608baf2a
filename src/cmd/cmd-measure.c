/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet measure [--json[=FILE]] [--csv FILE] [--svg FILE] [--trials N]
 *               [--fault NAME] [--timeout DURATION] [--steady DURATION]
 *               [--keep] [--rt-priority N] [--watch PROFILE] [--lock-wait DURATION] PROFILE
 *
 * lab up (apply) -> steady state -> every fault, trial after trial ->
 * lab down (always, also on a signal, unless --keep) -> the report.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "log.h"
#include "measure.h"
#include "report.h"
#include "util.h"

static const char usage_text[] =
	"Usage: hanet measure [OPTIONS] PROFILE\n"
	"\n"
	"Build the lab PROFILE describes (namespaces, links, addresses, VIPs: the\n"
	"transaction of `hanet apply`), inject each [fault] trial after trial while\n"
	"the [probe] measures the outage, and report every trial and the summary\n"
	"against [sla].  The lab is removed at the end, also when interrupted.\n"
	"\n"
	"  -j, --json[=FILE]        the report as JSON: on standard output instead of\n"
	"                           the table, or into FILE (the table still printed)\n"
	"  -c, --csv FILE           the trials as CSV, one row each\n"
	"  -s, --svg FILE           the trials drawn as an SVG timeline\n"
	"  -n, --trials N           N trials of every fault instead of its `trials`\n"
	"  -f, --fault NAME         only [fault NAME]\n"
	"  -t, --timeout DURATION   replies must resume within DURATION of a fault,\n"
	"                           else the trial did not recover (default: twice\n"
	"                           [sla] failover_max and 1s, at least 5s)\n"
	"  -S, --steady DURATION    first probe each [probe] for DURATION without a\n"
	"                           fault: the gaps between replies in steady state\n"
	"  -k, --keep               leave the lab in place (`hanet down PROFILE`\n"
	"                           removes it)\n"
	"  -P, --rt-priority N      SCHED_FIFO priority of the prober, the event\n"
	"                           recorder and the faults, when allowed (default\n"
	"                           10; 0: none)\n"
	"  -w, --watch PROFILE      run `hanet watch PROFILE` on the lab during the\n"
	"                           trials (a controller's teams over the lab's links:\n"
	"                           watch chooses their active port); its team\n"
	"                           failovers are the trials' reactions\n"
	"  -l, --lock-wait DURATION wait for another run to finish (default: exit 4)\n"
	"  -h, --help               this text\n"
	"\n"
	"Progress goes to standard error.  Exit status: 0 every fault within the\n"
	"SLA (or no [sla]), 1 outside it, 2 invalid profile or not a lab, 3 runtime\n"
	"failure (the lab could not be built, a fault or a restore failed), 4 another\n"
	"run holds the lock, 64 usage, 128+N interrupted by signal N (the lab was\n"
	"removed).  See hanet(8) and doc/lab.md.\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
	if (!stop_signal)
		stop_signal = sig;
}

static void print_progress(void *data, const char *line) {
	(void)data;
	fprintf(stderr, "%s\n", line);
}

static int write_file(const char *path, const struct report *rep, int kind) {
	FILE *f;
	int fd, r;

	/* never through a symbolic link another user planted */
	r = open_output(path, false, 0644, &fd);
	if (r < 0)
		return r;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	r = kind == 0 ? report_print_json(rep, f) : kind == 1 ? report_print_csv(rep, f) : report_write_svg(rep, -1, -1, f);
	if (fclose(f) != 0 && r >= 0)
		r = -errno;
	return r;
}

static int parse_duration_opt(const char *opt, const char *arg, uint64_t *ret_ns) {
	uint64_t us;
	int r = cmd_duration_opt("measure", opt, arg, 0, 3600000000ull, &us);

	if (r == 0)
		*ret_ns = us * 1000;
	return r;
}

int cmd_measure(int argc, char **argv) {
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 's' },
		{ "trials", required_argument, NULL, 'n' },
		{ "fault", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "steady", required_argument, NULL, 'S' },
		{ "keep", no_argument, NULL, 'k' },
		{ "rt-priority", required_argument, NULL, 'P' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct measure_opts mo = { .rt_priority = MEASURE_RT_PRIORITY_DEFAULT, .stop = &stop_signal,
	                           .progress = print_progress };
	const char *json_path = NULL, *csv_path = NULL, *svg_path = NULL, *watch_path = NULL, *path;
	bool json_stdout = false, keep = false, run_failed = false;
	uint64_t lock_ns = 0;
	struct measure *m = NULL;
	struct sigaction sa = { .sa_handler = on_signal }, old_sa[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	char err[1024];
	int c, r, ret = EXIT_RUNTIME;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+j::c:s:n:f:t:S:kP:l:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (optarg)
				json_path = optarg;
			else
				json_stdout = true;
			break;
		case 'c': csv_path = optarg; break;
		case 's': svg_path = optarg; break;
		case 'n':
			if (parse_u32(optarg, &mo.trials) < 0 || mo.trials == 0 || mo.trials > 100000) {
				fprintf(stderr, "hanet measure: --trials: expected 1-100000, got \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f': mo.fault = optarg; break;
		case 't':
			if (parse_duration_opt("timeout", optarg, &mo.timeout_ns))
				return EXIT_USAGE;
			if (mo.timeout_ns < 10000000) {
				fprintf(stderr, "hanet measure: --timeout: at least 10ms\n");
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_duration_opt("steady", optarg, &mo.steady_ns))
				return EXIT_USAGE;
			break;
		case 'k': keep = true; break;
		case 'w': watch_path = optarg; break;
		case 'P': {
			uint32_t v;

			if (parse_u32(optarg, &v) < 0 || v > 99) {
				fprintf(stderr, "hanet measure: --rt-priority: expected 0-99, got \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			mo.rt_priority = (int)v;
			break;
		}
		case 'l':
			if (parse_duration_opt("lock-wait", optarg, &lock_ns))
				return EXIT_USAGE;
			break;
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error("measure", usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("measure", usage_text, "expected one PROFILE");
	path = argv[optind];

	r = measure_new(path, &m, err, sizeof(err));
	if (r == -EINVAL) {
		if (err[0])
			log_error("%s: not a lab: %s", path, err);
		return EXIT_INVALID;
	}
	if (r < 0) {
		log_error_errno(r, "%s: %s", path, err[0] ? err : "%m");
		return EXIT_RUNTIME;
	}
	/* a change not confirmed whose process is gone comes first */
	confirm_recover(-1, "measure");

	if (mo.fault && !measure_has_fault(m, mo.fault)) {
		fprintf(stderr, "hanet measure: --fault: %s has no [fault %s]\n", path, mo.fault);
		measure_free(m);
		return EXIT_USAGE;
	}

	/* from here on, a signal ends the run and the lab is removed */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old_sa[i]);

	measure_set_lock_wait(m, lock_ns / 1000);
	measure_set_stop(m, &stop_signal);
	fprintf(stderr, "%s: building the lab\n", measure_name(m));
	r = measure_lab_up(m, err, sizeof(err));
	if (r == -EBUSY) {
		log_error("%s: %s", measure_name(m), err);
		ret = EXIT_LOCKED;
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "%s: building the lab: %s", measure_name(m), err[0] ? err : "%m");
		run_failed = true;
	}
	if (r >= 0 && watch_path && !stop_signal) {
		fprintf(stderr, "%s: starting hanet watch %s\n", measure_name(m), watch_path);
		r = measure_watch_start(m, watch_path, err, sizeof(err));
		if (r < 0) {
			log_error_errno(r, "%s: %s", measure_name(m), err[0] ? err : "hanet watch: %m");
			run_failed = true;
		}
	}
	if (r >= 0 && !stop_signal) {
		r = measure_run(m, &mo, err, sizeof(err));
		if (r < 0 && r != -EINTR) {
			log_error_errno(r, "%s: %s", measure_name(m), err[0] ? err : "%m");
			run_failed = true;
		}
	}

	if (keep && !stop_signal) {
		char werr[512];

		/* watch goes: it would repair the lab's faults of a later run */
		if (watch_path && measure_watch_stop(m, werr, sizeof(werr)) < 0) {
			log_error("%s: stopping hanet watch: %s", measure_name(m), werr);
			run_failed = true;
		}
		fprintf(stderr, "%s: the lab is kept: `hanet down %s` removes it\n", measure_name(m), path);
	} else {
		char derr[1024];

		fprintf(stderr, "%s: %sremoving the lab\n", measure_name(m), stop_signal ? "interrupted: " : "");
		r = measure_lab_down(m, derr, sizeof(derr));
		if (r < 0) {
			log_error_errno(r, "%s: removing the lab: %s (try `hanet down %s`)", measure_name(m),
			                derr[0] ? derr : "%m", path);
			run_failed = true;
		}
	}
	if (stop_signal) {
		ret = 128 + stop_signal;
		goto out;
	}
	if (run_failed)
		goto out;

	{
		const struct report *rep = measure_report(m);
		struct { const char *path; int kind; } files[] = { { json_path, 0 }, { csv_path, 1 }, { svg_path, 2 } };
		enum report_verdict v = report_verdict(rep);

		r = json_stdout ? report_print_json(rep, stdout) : report_print_table(rep, stdout);
		fflush(stdout);
		if (r < 0) {
			log_error_errno(r, "%s: printing the report: %m", measure_name(m));
			goto out;
		}
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			if (!files[i].path)
				continue;
			r = write_file(files[i].path, rep, files[i].kind);
			if (r < 0) {
				log_error("%s: writing %s: %s", measure_name(m), files[i].path, open_output_strerror(r));
				goto out;
			}
		}
		ret = v == REPORT_FAIL ? EXIT_FAIL : EXIT_OK;
	}
out:
	measure_free(m);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	return ret;
}
