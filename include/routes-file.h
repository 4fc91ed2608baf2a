/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The streaming parser of [routes] files: one route a line, in iproute2
 * order:  PREFIX [via GW] [dev DEV] [metric N] [table T] [src ADDR] [onlink]
 * and `#` comments.  Streamed: files hold 100k+ lines. */
#ifndef HANET_ROUTES_FILE_H
#define HANET_ROUTES_FILE_H

#include "diag.h"
#include "model.h"

/* The largest routes file read (about 3 million routes): a bigger file,
 * or anything but a regular file, is refused before it is read. */
#define ROUTES_FILE_SIZE_MAX (128 * 1024 * 1024)

/* Calls cb for each route parsed (the route is only valid during the
 * call; r->netns and r->table come from rf).  Errors go to d with
 * FILE:LINE; parsing goes on after an error so every error is reported,
 * and the return is -EINVAL when there was any. */
int routes_file_parse(const struct routes_file *rf, int (*cb)(const struct route *r, void *data),
                      void *data, struct diags *d);

/* Load every route into an array (realloc-grown). */
int routes_file_load(const struct routes_file *rf, struct route **ret, size_t *ret_n, struct diags *d);

#endif
