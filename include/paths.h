/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where hanet keeps its run-time files (listed in hanet(8) FILES).
 * /run/hanet is private to root (private_dir, util.h). */
#ifndef HANET_PATHS_H
#define HANET_PATHS_H

#define HANET_RUN_DIR "/run/hanet"
#define HANET_OWNED_DIR HANET_RUN_DIR "/owned"          /* ownership records, owner.h */
#define HANET_LOCK_PATH HANET_RUN_DIR "/lock"           /* the run lock, lock.h */
#define HANET_CONFIRM_DIR HANET_RUN_DIR "/confirm"      /* journals of changes not confirmed, confirm.h */
#define VIP_RUN_DIR HANET_RUN_DIR "/vip"                /* VIP records and locks, vip.h */
#define NETNS_RUN_DIR "/run/netns"                      /* named namespaces, as `ip netns` */

#endif
