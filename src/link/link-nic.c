/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [nic]: a device that exists (a physical port, or one another object
 * creates, like a veth peer).  hanet never creates or deletes it; the
 * engine changes only the shared keys its section declares. */
#include "link.h"

const struct link_ops link_ops_nic = {
	.kind = LINK_NIC,
	.info_kind = NULL,
	.section = "nic",
	.plural = "nics",
};
