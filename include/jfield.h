/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flat struct as journal fields: one table row per field, {tag, kind,
 * offset, size}, read by the journal's writer and by its reader alike
 * (journal-file.c).  The link kinds give the table of their own options
 * this way (link_ops.jfields), so that a kind's options are journaled
 * without the journal knowing the kind.
 *
 * A field's bytes in the journal: JF_UINT the field's size,
 * little-endian; JF_INT32 4; JF_BOOL 1; JF_IP family, prefix length and
 * 16 address bytes; JF_NAME a fixed-size name, absent when empty;
 * JF_NETNS a namespace name (const char *), absent when NULL; JF_MAC the
 * 6 bytes.
 */
#ifndef HANET_JFIELD_H
#define HANET_JFIELD_H

#include <stddef.h>
#include <stdint.h>

enum jfield_kind { JF_UINT, JF_INT32, JF_IP, JF_NAME, JF_NETNS, JF_BOOL, JF_MAC };

struct jfield {
	uint16_t tag;
	uint8_t kind;
	size_t off, size;
};

#define JF(tag, kind, type, field) { tag, kind, offsetof(type, field), sizeof(((type *)0)->field) }

/* A link kind's own fields have tags from JF_LINK_KIND_TAG0 up, after
 * the kind in the record; each kind has its own range of ten (bond 40,
 * team 60, vlan 80, veth 90, macvlan 100, bridge 110, vxlan 120,
 * ipvlan 130, ...).  A tag once written is never given another meaning:
 * old journals stay readable. */
#define JF_LINK_KIND_TAG0 40

#endif
