/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink transport over libmnl: one request socket per namespace,
 * opened after setns() into it.  Every request carries NLM_F_ACK and a
 * sequence number and its ack is matched and checked; the kernel's
 * extended ack text is kept for the error message.  Batches put many
 * messages in one sendmsg().  Messages built with libnl-route
 * (struct nl_msg) go through the same path.
 */
#ifndef HANET_NL_H
#define HANET_NL_H

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl;
struct nl_msg;

/* Open a request socket in namespace `netns` (NULL: the current one).
 * -ENOENT when the namespace does not exist. */
int nl_open(const char *netns, struct nl **ret);
void nl_free(struct nl *nl);
const char *nl_netns(const struct nl *nl);   /* NULL for the current one */
/* An fd of the namespace, owned by nl: opened (by its name) when first
 * asked for and kept until nl_netns_fd_close, so that a namespace takes
 * no fd besides its socket while nobody asks; negative errno on failure. */
int nl_netns_fd(struct nl *nl);
void nl_netns_fd_close(struct nl *nl);

/* The kernel's extended ack message of the last failed request, or "" */
const char *nl_errmsg(const struct nl *nl);
/* Say what the kernel did not (a backend that found the kernel's state
 * short of a request it accepted): read back by nl_errmsg(). */
void nl_set_errmsg(struct nl *nl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Count of write requests sent (RTM_NEW*, RTM_DEL*, RTM_SET*): lets tests
 * and benchmarks prove that a no-op apply writes nothing. */
uint64_t nl_write_count(const struct nl *nl);
/* The same summed over every socket the process opened (freed ones too). */
uint64_t nl_write_count_total(void);

/* A message buffer of NL_MSG_SIZE bytes for building one request;
 * nl_msg_new() zeroes it (libmnl leaves attribute padding untouched). */
#define NL_MSG_SIZE 8192
struct nlmsghdr *nl_msg_new(void *buf, uint16_t type, uint16_t flags);

/* Send one request (NLM_F_ACK added) and wait for its ack.  Replies
 * (for NLM_F_ECHO or GET requests) go to cb when not NULL.  Returns 0 or
 * the kernel's negative errno. */
int nl_request(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* The same for a message built by libnl (nl_msg). */
int nl_request_libnl(struct nl *nl, struct nl_msg *msg);

/* Dump: req has NLM_F_DUMP; cb called per message; redone from scratch
 * (reset_cb first, when given) on NLM_F_DUMP_INTR, up to a few times
 * (then -EINTR).  A callback returning MNL_CB_ERROR fails the dump with
 * -errno (the rest of the dump is drained first).  (Named nl_dump_run,
 * not nl_dump: libnl-3 exports a function called nl_dump.) */
int nl_dump_run(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset_cb)(void *data), void *data);

/* Batches: messages are copied into a buffer and sent many per
 * sendmsg(); every ack is matched to its message by sequence number.
 * Messages are numbered from 0 in the order nl_batch_next() accepted
 * them.  When the buffer fills, nl_batch_next() sends it and reads its
 * acks before accepting more. */
struct nl_batch;
/* ack_cb (may be NULL) is called once per message with its index and 0
 * or the kernel's negative errno; the kernel's text for a failure is in
 * nl_errmsg() during the call. */
typedef void (*nl_ack_cb)(size_t index, int error, void *data);
int nl_batch_new(struct nl *nl, nl_ack_cb ack_cb, void *data, struct nl_batch **ret);
void nl_batch_free(struct nl_batch *b);
/* Space for the next message, with NLM_F_ACK set; fill it, then call
 * nl_batch_next(). */
struct nlmsghdr *nl_batch_msg(struct nl_batch *b, uint16_t type, uint16_t flags);   /* NULL: the batch failed, see nl_batch_commit() */
int nl_batch_next(struct nl_batch *b);
int nl_batch_add_libnl(struct nl_batch *b, struct nl_msg *msg);
/* Send what is left and wait for every ack.  Returns 0 when every
 * message was acked OK, else the first error (every ack is still read,
 * so the ack_cb saw them all). */
int nl_batch_commit(struct nl_batch *b);
/* Number of messages failed so far. */
size_t nl_batch_failed(const struct nl_batch *b);

/* Map a libnl error code (-NLE_*) to a negative errno. */
int nl_libnl_errno(int nle);

#endif
