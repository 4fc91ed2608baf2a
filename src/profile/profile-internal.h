/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to the profile loader: profile.c (line scanner,
 * orchestration), profile-keys.c (the key table and value parsers),
 * profile-check.c (semantic checks) and lint.c (HA lint). */
#ifndef HANET_PROFILE_INTERNAL_H
#define HANET_PROFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "keydef.h"
#include "model.h"
#include "profile.h"

/* A physical line holds at most 1022 bytes before its newline (the
 * limit of iniparser 4.1, which profiles were first written for).  A
 * line continued with a final "\" joins the next one: the logical line,
 * continuations included, holds at most INI_LOGICAL_MAX bytes. */
#define INI_LINE_BUF 1024
#define INI_LOGICAL_MAX (1024 * 1024)
/* The reader stops after this many errors (memory stays bounded on any
 * file). */
#define PROFILE_ERRORS_MAX 1000
/* The largest profile read: a bigger file is refused before it is read. */
#define PROFILE_SIZE_MAX (64 * 1024 * 1024)

/* Section types.  Link sections come from the link kinds (link-ops.h's
 * table): [KIND NAME] of link kind k is SEC_LINK0 + k (LINK_OTHER's is
 * no section). */
enum sec_type {
	SEC_PROFILE,
	SEC_NETNS,
	SEC_LINK0,
	SEC_VIP = SEC_LINK0 + _LINK_KIND_MAX,
	SEC_ROUTE,
	SEC_ROUTES,
	SEC_RULE,
	SEC_SLA,
	SEC_PROBE,
	SEC_FAULT,
	SEC_CLUSTER,
	SEC_SERVICE,
	_SEC_TYPE_MAX,
};

#define SEC_OF_LINK(k) ((enum sec_type)(SEC_LINK0 + (k)))
#define SEC_NIC SEC_OF_LINK(LINK_NIC)
#define SEC_BOND SEC_OF_LINK(LINK_BOND)
#define SEC_TEAM SEC_OF_LINK(LINK_TEAM)

#define SEC_BIT(t) (1u << (t))
#define SEC_LINKS ((((1u << _LINK_KIND_MAX) - 1) & ~(1u << LINK_OTHER)) << SEC_LINK0)
_Static_assert(_SEC_TYPE_MAX <= 32, "section types fit a mask");

const char *sec_type_name(enum sec_type t);
int sec_type_from_name(const char *s, enum sec_type *ret);
bool sec_type_is_link(enum sec_type t);
bool sec_type_is_named(enum sec_type t);      /* [TYPE NAME], not [sla] / [profile] */
enum link_kind sec_type_link_kind(enum sec_type t);
/* "profile, netns, nic, ..." for messages */
const char *sec_types_list(void);

/* ---- the line scanner (profile.c) ---------------------------------- */

struct scan_key {
	char *key;          /* lowercased */
	bool has_upper;     /* as written */
	char *value;        /* unquoted, stripped */
	int line;           /* first physical line */
};

struct scan_section {
	char *secname;      /* lowercased inner text */
	char *label;        /* "TYPE NAME" for messages (single space, lowercase) */
	char *type;         /* lowercased first word */
	char *name;         /* lowercased rest ("" when none) */
	enum sec_type stype;
	bool known;         /* stype is valid */
	bool skip;          /* not loaded (unknown type, duplicate, bad name) */
	int line;
	struct scan_key *keys;
	size_t n_keys;
};

struct scan {
	struct scan_section *v;
	size_t n, cap;
	uint32_t *index;    /* open addressing: 1 + the index in v of a loaded
	                     * section, by its label; 0 free */
	size_t index_cap;   /* a power of two, at least twice the entries */
	size_t index_n;
	struct scan_chunk *chunks;      /* the strings of v */
	char *chunk_at;
	size_t chunk_left;
	bool syntax_error;  /* a line the reader does not take */
};

/* ---- the loading context ---------------------------------------------- */

struct load {
	struct profile *p;
	struct diags *d;
	const char *file;   /* as the user gave it, for messages */
	char *dir;          /* the profile's directory, for relative paths */
	struct scan scan;
	size_t errors_before;   /* ld->d->n_errors when loading started */
	struct namemap link_names;  /* a link's name (profile pool) -> its index in p->links + 1 */
};

void load_err(struct load *ld, int line, const char *section, const char *key, const char *fmt, ...)
	_printf_(5, 6);
void load_errv(struct load *ld, int line, const char *section, const char *key, const char *fmt, va_list ap)
	_printf_(5, 0);

/* Append a zeroed element to the array *arrp of *n elements of `size`
 * bytes, the way every array of the profile grows (its capacity is the
 * next power of two of *n); NULL on ENOMEM. */
void *load_array_push(void *arrp, size_t *n, size_t size);

/* Parse every key of a scanned section into obj (profile-keys.c);
 * errors go to ld->d.  Required keys are checked here too. */
void section_parse_keys(struct load *ld, const struct scan_section *s, void *obj);
/* Whether `key` is a key of section type t ("priority.eth0" for team). */
bool key_known(enum sec_type t, const char *key);
/* Same option written twice under two names (num_grat_arp/num_unsol_na,
 * team mode/runner): the canonical name, else key itself. */
const char *key_canonical(enum sec_type t, const char *key);
/* The closest known key (edit distance at most 2), or NULL. */
const char *key_suggest(enum sec_type t, const char *key);
const char *suggest_word(const char *const *words, size_t n, const char *word);
/* The keys a section type takes, for messages: "mtu, mac, ..." */
const char *section_keys_list(enum sec_type t, char *buf, size_t size);

/* ---- semantic checks (profile-check.c) ------------------------------- */

/* After every section is parsed: references, implicit nics, masters,
 * cycles, namespaces, families, modes.  May append implicit links. */
void profile_check(struct load *ld);

/* Line of a key in the section labelled "bond bond0" (or the section's
 * line when key is NULL or not there), 0 when there is no such section. */
int profile_label_line(const struct profile *p, const char *label, const char *key);

bool profile_has_key(const struct profile *p, const char *label, const char *key);

/* the section label of a link: "bond bond0", or "nic eth1" for implicit ones */
const char *link_label(const struct link *l, char *buf, size_t size);

#endif
