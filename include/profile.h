/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile loading: text -> model (the format: hanet.ini(5)).  Never touches the kernel.
 *
 * profile_load() parses with iniparser, enforces every syntax rule
 * (including what iniparser hides: case folding, duplicate keys, line
 * numbers) and the semantic checks (references, masters, cycles,
 * namespaces, ranges, options valid for the mode).  Errors and warnings
 * go to `d`.  On any error the profile is not returned (-EINVAL). */
#ifndef HANET_PROFILE_H
#define HANET_PROFILE_H

#include "diag.h"
#include "model.h"

int profile_load(const char *path, struct profile **ret, struct diags *d);
/* The same from a buffer (fuzzing and unit tests); `name` is used as
 * the file name in messages. */
int profile_load_buffer(const char *name, const char *buf, size_t len, struct profile **ret, struct diags *d);

/* The line of `key` in section [type name] of the profile, or the
 * section's line when the key is not there, or 0. */
int profile_key_line(const struct profile *p, const char *type, const char *name, const char *key);

/* HA lint (warnings, never errors): see hanet.ini.5 "LINT". */
void profile_lint(const struct profile *p, struct diags *d);

/* A one-line summary per object kind ("2 netns, 1 bond, 3 vlan, ...") */
int profile_summary(const struct profile *p, char *buf, size_t size);

/* The one check that looks outside the file: every namespace named by
 * `netns =` (peer_netns, [probe] from) is declared by a [netns NAME]
 * section or exists(name) says it exists (hanet validate: the file
 * /run/netns/NAME).  Errors go to d; returns -ENOENT when any is
 * missing. */
int profile_check_netns(const struct profile *p, bool (*exists)(const char *name, void *data), void *data,
                        struct diags *d);

/* A bond's mode as the kernel runs it (balance-rr when not set), and its
 * MII monitor interval in ms (the value set, else 0, except 100 in
 * 802.3ad, balance-tlb and balance-alb where the kernel starts it). */
uint32_t profile_bond_mode(const struct bond_conf *b);
uint32_t profile_bond_miimon(const struct bond_conf *b);

#endif
