/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs trials the way `hanet measure` does, with the fault "set a link
 * down for a while", for the tests of the prober, the timeline and the
 * report working together:
 *
 *   trial-run -N CLIENT_NS -a TARGET [-k icmp|udp] [-R RESPONDER_NS]...
 *             -T FAULT_NS -D FAULT_DEV [-o DOWN_MS] [-n TRIALS]
 *             [-i INTERVAL_US] [-s SETTLE_MS] [-t TAIL_MS] [-C CAP_MS]
 *             [-H HORIZON_MS] [-W NETNS]... [-P RT_PRIO] [-x SPIN_US] [-m KIND,...]
 *             [-S SLA_MS] [-j JSON] [-c CSV] [-g SVG]
 *
 * Each trial: probe, settle, mark the fault and set FAULT_DEV in
 * FAULT_NS down, DOWN_MS later up again (-o 0: a fault that changes
 * nothing), wait for replies to resume (at most CAP_MS), TAIL_MS more,
 * stop.  The timeline follows CLIENT_NS, FAULT_NS and each -W NETNS.
 * -m names the event kinds that count as reactions (tl_kind_name); -H
 * analyses only that long after the fault (trial_opts.horizon_ns).
 * Prints the report table; -j/-c/-g write JSON, CSV and the SVG. */
#include <net/if.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"
#include "hnl.h"
#include "prober.h"
#include "report.h"
#include "timeline.h"
#include "util.h"

static int link_set(struct hnl *nl, int ifindex, bool up) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return hnl_request(nl, nlh, NULL, NULL);
}

static int ifindex_in(const char *netns, const char *dev) {
	int saved, idx, r;

	r = netns_enter(netns, &saved);
	if (r < 0)
		return r;
	idx = (int)if_nametoindex(dev);
	r = idx > 0 ? idx : -errno;
	netns_leave(saved);
	return r;
}

static unsigned parse_kinds(const char *s) {
	unsigned mask = 0;
	char *copy = strdup(s), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		for (int k = 0; k < _TL_KIND_MAX; k++)
			if (strcmp(tok, tl_kind_name(k)) == 0)
				mask |= TL_MASK(k);
	free(copy);
	return mask;
}

static void sleep_until(uint64_t t_ns) {
	uint64_t now = now_ns();

	if (t_ns > now)
		sleep_us((t_ns - now) / 1000);
}

int main(int argc, char **argv) {
	struct prober_conf conf = { .kind = PROBE_ICMP, .interval_ns = 1000000 };
	const char *client = NULL, *fault_ns = NULL, *fault_dev = NULL, *watch[8], *resp_ns[8];
	const char *json_path = NULL, *csv_path = NULL, *svg_path = NULL;
	size_t n_watch = 0, n_resp = 0, n_trials = 3;
	uint64_t down_ms = 50, settle_ms = 100, tail_ms = 50, cap_ms = 2000, horizon_ms = 0, v;
	unsigned mask = 0;
	struct prober_responder *resp[8] = { 0 };
	struct timeline *tl = NULL;
	struct hnl *nl = NULL;
	struct report_trial *trials = NULL;
	struct report_group group = { 0 };
	struct report rep = { .title = "trial-run" };
	char desc[128];
	int c, r = 0, ifindex;

	while ((c = getopt(argc, argv, "N:a:k:R:T:D:o:n:i:s:t:C:H:W:P:x:m:S:j:c:g:")) != -1) {
		switch (c) {
		case 'N': client = optarg; break;
		case 'a':
			if (parse_ipaddr(optarg, &conf.target) < 0)
				goto usage;
			break;
		case 'k': conf.kind = strcmp(optarg, "udp") == 0 ? PROBE_UDP : PROBE_ICMP; break;
		case 'R':
			if (n_resp == ARRAY_SIZE(resp_ns))
				goto usage;
			resp_ns[n_resp++] = optarg;
			break;
		case 'T': fault_ns = optarg; break;
		case 'D': fault_dev = optarg; break;
		case 'o': if (parse_u64(optarg, &down_ms) < 0) goto usage; break;
		case 'n': n_trials = strtoul(optarg, NULL, 10); break;
		case 'i': if (parse_u64(optarg, &v) < 0) goto usage; conf.interval_ns = v * 1000; break;
		case 's': if (parse_u64(optarg, &settle_ms) < 0) goto usage; break;
		case 't': if (parse_u64(optarg, &tail_ms) < 0) goto usage; break;
		case 'C': if (parse_u64(optarg, &cap_ms) < 0) goto usage; break;
		case 'H': if (parse_u64(optarg, &horizon_ms) < 0) goto usage; break;
		case 'W':
			if (n_watch == ARRAY_SIZE(watch))
				goto usage;
			watch[n_watch++] = optarg;
			break;
		case 'P': conf.rt_priority = atoi(optarg); break;
		case 'x': if (parse_u64(optarg, &v) < 0) goto usage; conf.spin_ns = v * 1000; break;
		case 'm': mask = parse_kinds(optarg); break;
		case 'S':
			if (parse_u64(optarg, &v) < 0)
				goto usage;
			rep.sla = (struct sla){ .set = true, .failover_max_us = v * 1000, .percentile = 100 };
			break;
		case 'j': json_path = optarg; break;
		case 'c': csv_path = optarg; break;
		case 'g': svg_path = optarg; break;
		default: goto usage;
		}
	}
	if (!client || !conf.target.family || !fault_ns || !fault_dev || n_trials == 0 || n_trials > 100 ||
	    settle_ms + down_ms + cap_ms + tail_ms > 60000)
		goto usage;
	conf.netns = client;
	conf.max_duration_ns = (settle_ms + down_ms + cap_ms + tail_ms + 1000) * 1000000ull;
	conf.max_probes = (uint32_t)(conf.max_duration_ns / conf.interval_ns + 1);

	if (conf.rt_priority > 0) {
		/* this thread injects the faults: on time too */
		struct sched_param sp = { .sched_priority = conf.rt_priority };
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	}
	for (size_t i = 0; i < n_resp; i++)
		if ((r = prober_responder_start(resp_ns[i], conf.port, conf.rt_priority, &resp[i])) < 0)
			goto fail;
	if ((r = ifindex_in(fault_ns, fault_dev)) < 0)
		goto fail;
	ifindex = r;
	if ((r = hnl_open(fault_ns, &nl)) < 0)
		goto fail;
	if ((r = timeline_new(&tl)) < 0 || (r = timeline_add_netns(tl, client, 0)) < 0 ||
	    (r = timeline_add_netns(tl, fault_ns, 0)) < 0)
		goto fail;
	for (size_t i = 0; i < n_watch; i++)
		if ((r = timeline_add_netns(tl, watch[i], 0)) < 0)
			goto fail;
	if ((r = timeline_set_rt_priority(tl, conf.rt_priority)) < 0 || (r = timeline_start(tl)) < 0)
		goto fail;

	trials = calloc(n_trials, sizeof(*trials));
	if (!trials) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n_trials; i++) {
		struct trial_opts o = { .interval_ns = conf.interval_ns, .reaction_mask = mask,
		                        .horizon_ns = horizon_ms * 1000000 };
		struct prober *p = NULL;
		const struct probe_rec *rec;
		struct tl_event *ev;
		uint64_t t_start, fault, end;
		size_t n, n_ev;

		if ((r = prober_new(&conf, &p)) < 0 || (r = prober_start(p)) < 0) {
			prober_free(p);
			goto fail;
		}
		t_start = now_ns();
		sleep_until(t_start + settle_ms * 1000000);
		fault = prober_mark(p, "fault");
		if (down_ms > 0) {
			uint64_t t_mark = fault, t_done;
			struct tl_event e;

			r = link_set(nl, ifindex, false);
			t_done = now_ns();
			if (r < 0) {
				prober_free(p);
				goto fail;
			}
			/* the fault's time: when the request returned, or its own
			 * event when the kernel told it earlier */
			fault = t_done;
			sleep_us(2000);
			if (timeline_find(tl, TL_LINK_DOWN, fault_ns, fault_dev, t_mark, 0, &e) == 0 && e.t_ns < fault)
				fault = e.t_ns;
			timeline_add(tl, TL_FAULT, fault, fault_ns, fault_dev, "link down");
			sleep_until(fault + down_ms * 1000000);
			r = link_set(nl, ifindex, true);
			timeline_add(tl, TL_RESTORE, 0, fault_ns, fault_dev, "link up");
			if (r < 0) {
				prober_free(p);
				goto fail;
			}
		} else {
			timeline_add(tl, TL_FAULT, fault, NULL, NULL, "nothing");
		}
		/* replies resumed, or the cap */
		prober_wait_reply(p, fault + down_ms * 1000000, cap_ms * 1000000);
		sleep_us(tail_ms * 1000);
		if ((r = prober_stop(p)) < 0) {
			prober_free(p);
			goto fail;
		}
		end = now_ns();
		rec = prober_records(p, &n);
		/* the records and events outlive the prober: the report draws them */
		trials[i].rec = malloc((n ? n : 1) * sizeof(*rec));
		if (!trials[i].rec) {
			prober_free(p);
			r = -ENOMEM;
			goto fail;
		}
		memcpy((void *)trials[i].rec, rec, n * sizeof(*rec));
		trials[i].n_rec = n;
		prober_free(p);
		if ((r = timeline_events(tl, t_start, end, &ev, &n_ev)) < 0)
			goto fail;
		trials[i].ev = ev;
		trials[i].n_ev = n_ev;
		if ((r = trial_analyze(trials[i].rec, n, fault, ev, n_ev, &o, &trials[i].res)) < 0)
			goto fail;
	}
	timeline_stop(tl);

	snprintf(desc, sizeof(desc), "%s %s/%s for %" PRIu64 "ms", down_ms ? "link-down" : "nothing on", fault_ns,
	         fault_dev, down_ms);
	group = (struct report_group){ .name = down_ms ? "link-down" : "no-op", .description = desc,
	                               .interval_ns = conf.interval_ns, .trials = trials, .n_trials = n_trials };
	rep.groups = &group;
	rep.n_groups = 1;
	report_print_table(&rep, stdout);
	{
		struct { const char *path; int kind; } out[] = { { json_path, 0 }, { csv_path, 1 }, { svg_path, 2 } };
		for (size_t k = 0; k < ARRAY_SIZE(out); k++) {
			FILE *f;
			if (!out[k].path)
				continue;
			f = fopen(out[k].path, "w");
			if (!f) {
				r = -errno;
				goto fail;
			}
			r = out[k].kind == 0 ? report_print_json(&rep, f)
			  : out[k].kind == 1 ? report_print_csv(&rep, f)
			                     : report_write_svg(&rep, -1, -1, f);
			fclose(f);
			if (r < 0)
				goto fail;
		}
	}
	r = 0;
fail:
	if (r < 0)
		fprintf(stderr, "trial-run: %s%s%s\n", strerror(-r), nl && hnl_errmsg(nl)[0] ? ": " : "",
		        nl ? hnl_errmsg(nl) : "");
	timeline_free(tl);
	hnl_free(nl);
	for (size_t i = 0; trials && i < n_trials; i++) {
		free((void *)trials[i].rec);
		free((void *)trials[i].ev);
	}
	free(trials);
	for (size_t i = 0; i < n_resp; i++)
		prober_responder_stop(resp[i]);
	return r < 0 ? 1 : 0;
usage:
	fprintf(stderr, "usage: trial-run -N CLIENT_NS -a TARGET [-k icmp|udp] [-R NS]... -T FAULT_NS -D FAULT_DEV "
	                "[-o DOWN_MS] [-n TRIALS] [-i INTERVAL_US] [-s SETTLE_MS] [-t TAIL_MS] [-C CAP_MS] [-H HORIZON_MS] "
	                "[-W NETNS]... [-P PRIO] [-x SPIN_US] [-m KINDS] [-S SLA_MS] [-j JSON] [-c CSV] [-g SVG]\n");
	return 2;
}
