/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Policy routing rules through libnl-route's rtnl_rule, sent by our
 * transport; hanet's rules carry protocol RTPROT_HANET. */
#ifndef HANET_RULE_H
#define HANET_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct hnl;

/* protocol 0: RTPROT_HANET (a rollback puts back a rule with its own) */
int rule_add(struct hnl *nl, const struct rule *u, uint8_t protocol);
int rule_del(struct hnl *nl, const struct rule *u);
/* Is `have` (observed) the rule `want` declares?  Fields want leaves
 * unset (priority included) are not compared. */
bool rule_matches(const struct rule *want, const struct rule *have);
const char *rule_format(const struct rule *u, char *buf, size_t size);
/* The family of a desired rule (from its addresses; IPv4 when none). */
uint8_t rule_family(const struct rule *u);

#endif
