/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet watch [--records FILE] [--metrics FILE] [--down-on-exit]
 *             [--max-runtime DURATION] PROFILE
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "commands.h"
#include "log.h"
#include "util.h"
#include "watch.h"

static const char usage_text[] =
	"Usage: hanet watch [OPTIONS] PROFILE\n"
	"\n"
	"Apply the profile, then follow the kernel's events and keep it applied:\n"
	"repair drift on what the profile declares and hanet owns (a VIP or an\n"
	"address removed, a route or rule removed, a link set down or deleted, a\n"
	"slave released, a namespace deleted, a device that appears later), choose\n"
	"the active port of activebackup teams, and record every failover.\n"
	"\n"
	"  -r, --records FILE       failover and repair records, one JSON object a\n"
	"                           line, appended to FILE (default: stdout; \"none\":\n"
	"                           no records)\n"
	"  -m, --metrics FILE       keep Prometheus text-format metrics in FILE\n"
	"                           (replaced atomically)\n"
	"  -d, --down-on-exit       on SIGTERM/SIGINT (or --max-runtime), remove what\n"
	"                           the profile owns, as `hanet down` does\n"
	"  -t, --max-runtime DURATION\n"
	"                           exit after DURATION (tests, benchmarks)\n"
	"      --debounce DURATION  wait this long after a drift event before\n"
	"                           observing again, to coalesce bursts (default 2ms)\n"
	"      --settle DURATION    delay of the resync that confirms a repair\n"
	"                           (default 20ms)\n"
	"      --resync-interval DURATION\n"
	"                           observe everything this often, for changes the\n"
	"                           kernel sends no event for, such as a link's alias\n"
	"                           (default 60s; 0: never)\n"
	"      --no-fast-path       repair every drift through a resync\n"
	"      --rcvbuf BYTES       receive buffer of the event socket (a testing\n"
	"                           aid: a small one overflows under a flood)\n"
	"  -h, --help               this text\n"
	"\n"
	"Signals: SIGHUP reloads the profile (an invalid one is reported and the\n"
	"running one kept); SIGTERM and SIGINT exit.  Under systemd (Type=notify)\n"
	"READY=1 is sent once the kernel first matches the profile, STATUS= lines\n"
	"as things change, WATCHDOG=1 when WatchdogSec= is set.\n"
	"\n"
	"Exit status: 0 after a signal or --max-runtime, 2 invalid profile,\n"
	"3 cannot start (or --max-runtime came before the kernel ever matched the\n"
	"profile), 64 usage.  See hanet(8).\n";

enum {
	OPT_DEBOUNCE = 0x100,
	OPT_SETTLE,
	OPT_RESYNC_INTERVAL,
	OPT_NO_FAST_PATH,
	OPT_RCVBUF,
};

int cmd_watch(int argc, char **argv) {
	static const struct option opts[] = {
		{ "records", required_argument, NULL, 'r' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "down-on-exit", no_argument, NULL, 'd' },
		{ "max-runtime", required_argument, NULL, 't' },
		{ "debounce", required_argument, NULL, OPT_DEBOUNCE },
		{ "settle", required_argument, NULL, OPT_SETTLE },
		{ "resync-interval", required_argument, NULL, OPT_RESYNC_INTERVAL },
		{ "no-fast-path", no_argument, NULL, OPT_NO_FAST_PATH },
		{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_opts o = {
		.debounce_us = WATCH_DEBOUNCE_DEFAULT_US,
		.settle_us = WATCH_SETTLE_DEFAULT_US,
		.resync_interval_us = WATCH_RESYNC_INTERVAL_DEFAULT_US,
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:m:dt:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (strcmp(optarg, "none") == 0)
				o.no_records = true;
			else
				o.records_path = optarg;
			break;
		case 'm': o.metrics_path = optarg; break;
		case 'd': o.down_on_exit = true; break;
		case 't':
		case OPT_DEBOUNCE:
		case OPT_SETTLE:
		case OPT_RESYNC_INTERVAL: {
			static const struct {
				int c;
				const char *name;
				size_t off;
			} d[] = {
				{ 't', "max-runtime", offsetof(struct watch_opts, max_runtime_us) },
				{ OPT_DEBOUNCE, "debounce", offsetof(struct watch_opts, debounce_us) },
				{ OPT_SETTLE, "settle", offsetof(struct watch_opts, settle_us) },
				{ OPT_RESYNC_INTERVAL, "resync-interval", offsetof(struct watch_opts, resync_interval_us) },
			};
			size_t k = 0;

			while (d[k].c != c)
				k++;
			if (cmd_duration_opt("watch", d[k].name, optarg, c == 't' ? 1 : 0, 0,
			                     (uint64_t *)((char *)&o + d[k].off)))
				return EXIT_USAGE;
			break;
		}
		case OPT_NO_FAST_PATH: o.no_fast_path = true; break;
		case OPT_RCVBUF: {
			uint32_t v;

			if (parse_u32(optarg, &v) < 0 || v == 0 || v > (1u << 30)) {
				fprintf(stderr, "hanet watch: --rcvbuf: expected a size in bytes, got \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			o.rcvbuf = (int)v;
			break;
		}
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error("watch", usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("watch", usage_text, "expected one PROFILE");
	/* records go to stdout: a line as soon as it is written */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return watch_run(argv[optind], &o);
}
