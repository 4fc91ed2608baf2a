/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [dummy]: a device without a wire, always up once set up: a home for
 * addresses (a VIP, a router id, a loopback-like service address) that
 * must not go away with a NIC's carrier.  It has no options of its own:
 * the engine handles everything it takes (mtu, mac, addresses, ...). */
#include "link.h"

const struct link_ops link_ops_dummy = {
	.kind = LINK_DUMMY,
	.info_kind = "dummy",
	.section = "dummy",
	.plural = "dummies",
};
