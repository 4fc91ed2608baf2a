/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bond options: one table row per option, shared by the profile parser
 * (names, ranges, valid modes), the netlink backend (IFLA_BOND_*
 * attribute and width), observe (decoding) and plan (what a change
 * costs).  Ranges and restrictions follow the kernel's bonding
 * documentation and bond_options.c. */
#ifndef HANET_BOND_H
#define HANET_BOND_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum bond_opt_type {
	BOND_OT_U8,        /* number, IFLA attribute u8 */
	BOND_OT_U16,
	BOND_OT_U32,
	BOND_OT_ENUM_U8,   /* a name from .values, attribute u8 */
	BOND_OT_ENUM_U32,
	BOND_OT_BOOL_U8,   /* yes/no..., attribute u8 0/1 */
	BOND_OT_IFNAME,    /* primary: an ifname, sent as an ifindex (u32) */
	BOND_OT_IPLIST,    /* arp_ip_target: nested list of be32 */
	BOND_OT_MAC,       /* ad_actor_system: ETH_ALEN bytes */
};

struct bond_opt_value {
	const char *name;
	uint32_t value;
};

/* Restrictions on changing a live bond, from the kernel's option flags. */
enum {
	BOND_OPT_F_NOSLAVES = 1u << 0,  /* only without slaves: plan a flap (release, set, re-enslave) */
	BOND_OPT_F_IFDOWN = 1u << 1,    /* only while the bond is down: plan a flap (down, set, up) */
	BOND_OPT_F_DURATION = 1u << 2,  /* a duration key: value in ms (units allowed in the profile) */
};

struct bond_opt_desc {
	enum bond_opt opt;
	const char *name;               /* kernel name: "miimon" */
	const char *alias;              /* another accepted profile key, or NULL */
	uint16_t attr;                  /* IFLA_BOND_* */
	enum bond_opt_type type;
	uint32_t min, max;              /* for numbers */
	const struct bond_opt_value *values;   /* for enums, NULL-name terminated */
	uint32_t modes;                 /* bit (1 << enum bond_mode) per mode where the option applies */
	unsigned flags;                 /* BOND_OPT_F_* */
	uint32_t kernel_default;        /* the kernel's default for numbers/enums */
	/* modes where the kernel refuses the option (EACCES; unsuppmodes in
	 * bond_options.c), although it reports it there too: a message
	 * restoring an observed state leaves those out */
	uint32_t kernel_unsupp;
	/* the Linux release that added the option, for a kernel that does
	 * not know it (it ignores the attribute and never reports it) */
	const char *since;
};

#define BOND_MODES_ALL 0x7fu
#define BOND_MODE_BIT(m) (1u << (m))

extern const struct bond_opt_desc bond_opt_table[_BOND_OPT_MAX];

const struct bond_opt_desc *bond_opt_by_name(const char *name);   /* name or alias */
const char *bond_mode_name(uint32_t mode);
/* Look up an enum value by name (also accepts the number as a string). */
int bond_opt_value_parse(const struct bond_opt_desc *d, const char *s, uint32_t *ret);
const char *bond_opt_value_name(const struct bond_opt_desc *d, uint32_t v);   /* NULL if unknown */
/* "balance-rr, active-backup, ..." for messages */
const char *bond_opt_values_list(const struct bond_opt_desc *d, char *buf, size_t size);
/* "active-backup, balance-tlb, balance-alb" for a mode mask */
const char *bond_modes_list(uint32_t modes, char *buf, size_t size);

#endif
