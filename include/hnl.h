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

struct hnl;
struct nl_msg;

/* Open a request socket in namespace `netns` (NULL: the current one).
 * -ENOENT when the namespace does not exist. */
int hnl_open(const char *netns, struct hnl **ret);
void hnl_free(struct hnl *nl);
const char *hnl_netns(const struct hnl *nl);   /* NULL for the current one */
/* An fd of the namespace, owned by nl: opened (by its name) when first
 * asked for and kept until hnl_netns_fd_close, so that a namespace takes
 * no fd besides its socket while nobody asks; negative errno on failure. */
int hnl_netns_fd(struct hnl *nl);
void hnl_netns_fd_close(struct hnl *nl);

/* The kernel's extended ack message of the last failed request, or "" */
const char *hnl_errmsg(const struct hnl *nl);
/* Say what the kernel did not (a backend that found the kernel's state
 * short of a request it accepted): read back by hnl_errmsg(). */
void hnl_set_errmsg(struct hnl *nl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Count of write requests sent (RTM_NEW*, RTM_DEL*, RTM_SET*): lets tests
 * and benchmarks prove that a no-op apply writes nothing. */
uint64_t hnl_write_count(const struct hnl *nl);
/* The same summed over every socket the process opened (freed ones too). */
uint64_t hnl_write_count_total(void);

/* A message buffer of NL_MSG_SIZE bytes for building one request;
 * hnl_msg_new() zeroes it (libmnl leaves attribute padding untouched). */
#define NL_MSG_SIZE 8192
struct nlmsghdr *hnl_msg_new(void *buf, uint16_t type, uint16_t flags);

/* Send one request (NLM_F_ACK added) and wait for its ack.  Replies
 * (for NLM_F_ECHO or GET requests) go to cb when not NULL.  Returns 0 or
 * the kernel's negative errno. */
int hnl_request(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* The same for a message built by libnl (nl_msg). */
int hnl_request_libnl(struct hnl *nl, struct nl_msg *msg);

/* Dump: req has NLM_F_DUMP; cb called per message; redone from scratch
 * (reset_cb first, when given) on NLM_F_DUMP_INTR, up to a few times
 * (then -EINTR).  A callback returning MNL_CB_ERROR fails the dump with
 * -errno (the rest of the dump is drained first). */
int hnl_dump_run(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset_cb)(void *data), void *data);

/* Batches: messages are copied into a buffer and sent many per
 * sendmsg(); every ack is matched to its message by sequence number.
 * Messages are numbered from 0 in the order hnl_batch_next() accepted
 * them.  When the buffer fills, hnl_batch_next() sends it and reads its
 * acks before accepting more. */
struct hnl_batch;
/* ack_cb (may be NULL) is called once per message with its index and 0
 * or the kernel's negative errno; the kernel's text for a failure is in
 * hnl_errmsg() during the call. */
typedef void (*hnl_ack_cb)(size_t index, int error, void *data);
int hnl_batch_new(struct hnl *nl, hnl_ack_cb ack_cb, void *data, struct hnl_batch **ret);
void hnl_batch_free(struct hnl_batch *b);
/* Space for the next message, with NLM_F_ACK set; fill it, then call
 * hnl_batch_next(). */
struct nlmsghdr *hnl_batch_msg(struct hnl_batch *b, uint16_t type, uint16_t flags);   /* NULL: the batch failed, see hnl_batch_commit() */
int hnl_batch_next(struct hnl_batch *b);
int hnl_batch_add_libnl(struct hnl_batch *b, struct nl_msg *msg);
/* Send what is left and wait for every ack.  Returns 0 when every
 * message was acked OK, else the first error (every ack is still read,
 * so the ack_cb saw them all). */
int hnl_batch_commit(struct hnl_batch *b);
/* Number of messages failed so far. */
size_t hnl_batch_failed(const struct hnl_batch *b);

/* Map a libnl error code (-NLE_*) to a negative errno. */
int hnl_libnl_errno(int nle);

#endif
