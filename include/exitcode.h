/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exit codes shared by every command (documented in hanet.8). */
#ifndef HANET_EXITCODE_H
#define HANET_EXITCODE_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,          /* the command ran and the answer is "no": check drift, SLA fail, lint under --strict */
	EXIT_INVALID = 2,       /* the profile is invalid; nothing was changed */
	EXIT_USAGE = 64,        /* bad command line (EX_USAGE) */
	EXIT_RUNTIME = 3,       /* the kernel refused, a rollback happened, or another runtime failure */
	EXIT_LOCKED = 4,        /* another hanet run holds the lock */
};

#endif
