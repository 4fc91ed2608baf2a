/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal of a pending change (apply --confirm) on disk: everything
 * the undo of the change needs, so that another process can roll it back
 * when the one that made it is gone.
 *
 * Format (version 1), integers little-endian:
 *
 *   "HANETJNL"  u16 version  u16 0
 *   record*     u16 tag  u32 length  u32 crc32(payload)  payload
 *
 * A payload is a list of fields (u16 tag, u32 length, value), nested the
 * same way for links, addresses, routes and rules.  The records, in
 * order: the head (profile, change id, writer), the ownership records as
 * they were, one record per action of the plan; then, appended as they
 * happen, the events (step begun, step done with what its undo needs,
 * undo begun, undo done) and the waiting process.
 *
 * A reader refuses another version, an unknown record or field (the
 * undo would be incomplete), a bad checksum, a value out of range, or a
 * file over JFILE_MAX_SIZE, with a message saying which; only a record
 * among the events that is cut short (its writer died writing it) is
 * left out, and the good records appended after it are kept.
 *
 * A new kind of journal entry: a new field tag of the action (or a new
 * record tag), written in jfile_put_action() and read in read_action().
 */
#ifndef HANET_JOURNAL_FILE_H
#define HANET_JOURNAL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "model.h"

#define JFILE_VERSION 1
#define JFILE_MAX_SIZE (512u << 20)     /* bytes */
#define JFILE_ID_SIZE 16

struct plan;
struct action;

struct jfile_head {
	char profile[HANET_NAME_MAX + 1];
	uint8_t id[JFILE_ID_SIZE];          /* this change, among all */
	int32_t pid;                        /* the process that applies it */
	uint64_t start;                     /* its start time (/proc/PID/stat, clock ticks after boot) */
	uint64_t created_ns;                /* CLOCK_BOOTTIME */
};

enum jfile_step_state {
	JSTEP_NONE,                         /* did not begin */
	JSTEP_BEGUN,                        /* began: may have changed the kernel */
	JSTEP_DONE,
	JSTEP_UNDO_BEGUN,
	JSTEP_UNDONE,
};

struct jfile_step {
	enum jfile_step_state state;
	uint8_t *ok;                        /* route actions, once done: which routes went through */
	bool old_mac_read;
	uint8_t old_mac[ETH_ALEN_];
};

struct jfile {
	struct jfile_head head;
	/* the waiting process, once apply and verify went through */
	bool waiting;
	int32_t waiter_pid;
	uint64_t waiter_start;
	uint64_t deadline_ns;               /* CLOCK_BOOTTIME */
	struct apply_records rec;
	struct action *actions;
	size_t n_actions;
	struct jfile_step *steps;           /* n_actions */
	struct jarena *arena;               /* owns everything above */
};

/* Write head, records and plan to PATH (a temporary file, fsync'd,
 * renamed, the directory fsync'd; mode 0600; an existing PATH is an
 * error: -EEXIST).  *ret_fd: the file, open for jfile_append_*(). */
int jfile_create(const char *path, const struct jfile_head *h, const struct plan *p, const struct apply_records *rec,
                 int *ret_fd);
/* Append one event and fdatasync.  ok: n_ok bytes or NULL. */
int jfile_append_event(int fd, enum apply_event ev, size_t step, const uint8_t *ok, size_t n_ok,
                       const uint8_t *old_mac);
int jfile_append_waiter(int fd, int32_t pid, uint64_t start, uint64_t deadline_ns);
/* Open the journal at path for jfile_append_*(), a record cut short at its
 * end (its writer died writing it) cut off first. */
int jfile_open_append(const char *path, int *ret_fd);

/* Read a journal back; on error, err says what is wrong (-EBADMSG: not a
 * journal of this version, or damaged). */
int jfile_read(const char *path, struct jfile **ret, char *err, size_t errsize);
/* The same from memory (tests, fuzzing). */
int jfile_parse(const uint8_t *data, size_t size, struct jfile **ret, char *err, size_t errsize);
void jfile_free(struct jfile *j);

#endif
