/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Steady-state probing for the tests and the benchmark:
 *
 *   probe-run [-N CLIENT_NS] -a TARGET [-k icmp|udp] [-R RESPONDER_NS]...
 *             [-i INTERVAL_US] [-c COUNT] [-d DURATION_MS] [-s SPIN_US]
 *             [-P RT_PRIORITY] [-p] [-l LABEL] [-j] [-r FILE]   (-p: with -P, pin to a CPU)
 *
 * Probes TARGET from CLIENT_NS (UDP: with a responder started in each
 * RESPONDER_NS) and prints the gap statistics (report_print_gap_stats),
 * or JSON with -j; -r writes every record as "seq send_ns recv_ns". */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "prober.h"
#include "report.h"
#include "util.h"

int main(int argc, char **argv) {
	struct prober_conf conf = { .kind = PROBE_ICMP, .interval_ns = 1000000, .max_probes = 1000,
	                            .max_duration_ns = 10ull * 1000000000ull };
	const char *resp_ns[8], *label = "probe", *rec_file = NULL;
	size_t n_resp = 0;
	struct prober_responder *resp[8] = { 0 };
	struct prober *p = NULL;
	struct prober_stats st;
	struct gap_stats g;
	const struct probe_rec *rec;
	size_t n;
	bool json = false;
	uint64_t v;
	int c, r;

	while ((c = getopt(argc, argv, "N:a:k:R:i:c:d:s:P:pl:jr:")) != -1) {
		switch (c) {
		case 'N': conf.netns = optarg; break;
		case 'a':
			if (parse_ipaddr(optarg, &conf.target) < 0)
				goto usage;
			break;
		case 'k':
			if (strcmp(optarg, "udp") == 0)
				conf.kind = PROBE_UDP;
			else if (strcmp(optarg, "icmp") != 0)
				goto usage;
			break;
		case 'R':
			if (n_resp == ARRAY_SIZE(resp_ns))
				goto usage;
			resp_ns[n_resp++] = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'i':
			if (parse_u64(optarg, &v) < 0)
				goto usage;
			conf.interval_ns = v * 1000;
			break;
		case 'c':
			if (parse_u32(optarg, &conf.max_probes) < 0)
				goto usage;
			break;
		case 'd':
			if (parse_u64(optarg, &v) < 0)
				goto usage;
			conf.max_duration_ns = v * 1000000;
			break;
		case 's':
			if (parse_u64(optarg, &v) < 0)
				goto usage;
			conf.spin_ns = v * 1000;
			break;
		case 'P':
			conf.rt_priority = atoi(optarg);
			break;
		case 'p': conf.pin_cpu = true; break;
		case 'l': label = optarg; break;
		case 'j': json = true; break;
		case 'r': rec_file = optarg; break;
		default: goto usage;
		}
	}
	if (!conf.target.family)
		goto usage;

	for (size_t i = 0; i < n_resp; i++)
		if ((r = prober_responder_start(resp_ns[i], conf.port, conf.rt_priority, &resp[i])) < 0) {
			fprintf(stderr, "probe-run: responder in %s: %s\n", resp_ns[i] ? resp_ns[i] : "-", strerror(-r));
			goto fail;
		}
	if ((r = prober_new(&conf, &p)) < 0 || (r = prober_start(p)) < 0) {
		fprintf(stderr, "probe-run: %s\n", strerror(-r));
		goto fail;
	}
	r = prober_wait(p);
	if (r < 0) {
		fprintf(stderr, "probe-run: %s\n", strerror(-r));
		goto fail;
	}
	rec = prober_records(p, &n);
	prober_get_stats(p, &st);
	if (report_gap_stats(rec, n, &g) < 0)
		goto fail;
	if (json) {
		struct json j;

		json_init(&j, stdout, false);
		json_obj_begin(&j, NULL);
		json_str(&j, "label", label);
		json_uint(&j, "interval_us", conf.interval_ns / 1000);
		report_json_gap_stats(&j, "gaps", &g);
		json_uint(&j, "skipped", st.skipped);
		json_uint(&j, "send_errors", st.send_errors);
		json_bool(&j, "kernel_timestamps", st.kernel_timestamps);
		json_bool(&j, "raw_socket", st.raw_socket);
		json_bool(&j, "realtime", st.realtime);
		json_int(&j, "cpu", st.cpu);
		json_uint(&j, "spin_max_us", st.spin_max_ns / 1000);
		json_uint(&j, "late_max_us", st.late_max_ns / 1000);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		report_print_gap_stats(stdout, label, &g);
		printf("%s: skipped deadlines %" PRIu32 ", send errors %" PRIu32 ", duplicates %" PRIu32
		       ", foreign %" PRIu32 ", %s socket, %s timestamps%s, cpu %d, spin up to %" PRIu64
		       " us, sends up to %" PRIu64 " us late\n",
		       label, st.skipped, st.send_errors, st.duplicates, st.foreign,
		       conf.kind == PROBE_UDP ? "udp" : st.raw_socket ? "raw icmp" : "ping",
		       st.kernel_timestamps ? "kernel" : "user", st.realtime ? ", SCHED_FIFO" : "", st.cpu,
		       st.spin_max_ns / 1000, st.late_max_ns / 1000);
	}
	if (rec_file) {
		FILE *f = fopen(rec_file, "w");
		if (!f) {
			perror("probe-run: records");
			goto fail;
		}
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%zu %" PRIu64 " %" PRIu64 "\n", i, rec[i].send_ns, rec[i].recv_ns);
		fclose(f);
	}
	prober_free(p);
	for (size_t i = 0; i < n_resp; i++)
		prober_responder_stop(resp[i]);
	return 0;
fail:
	prober_free(p);
	for (size_t i = 0; i < n_resp; i++)
		prober_responder_stop(resp[i]);
	return 1;
usage:
	fprintf(stderr, "usage: probe-run [-N CLIENT_NS] -a TARGET [-k icmp|udp] [-R RESPONDER_NS]... [-i INTERVAL_US] "
	                "[-c COUNT] [-d DURATION_MS] [-s SPIN_US] [-P PRIO] [-p] [-l LABEL] [-j] [-r FILE]\n");
	return 2;
}
