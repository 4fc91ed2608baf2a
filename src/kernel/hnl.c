/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rtnetlink transport: one libmnl socket per namespace, opened
 * inside it.  Requests are acked and matched by sequence number, the
 * kernel's extended ack text is kept, dumps are redone when the kernel
 * says they were interrupted, and batches carry many messages per
 * sendmsg() with every ack read and matched.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "hnl.h"
#include "util.h"

#define NL_RECV_SIZE IOBUF_SIZE          /* a dump skb is at most 32 KiB */
#define NL_DUMP_TRIES 8
#define NL_BATCH_SIZE (256 * 1024)
#define NL_BATCH_RCVBUF (4 * 1024 * 1024)
#define NL_ACK_TRUESIZE 1024            /* what one queued ack costs the receive buffer, rounded up */

struct hnl {
	struct mnl_socket *sock;
	char *netns;
	int netns_fd;               /* opened when asked for: the socket holds the namespace */
	uint32_t portid;
	uint32_t seq;
	uint64_t writes;
	char *errmsg;               /* the kernel's text of the last failure; made when there is one */
	char *rbuf;                 /* lent while a request, dump or batch runs */
	unsigned rbuf_depth;
	bool big_bufs;
};

/* The receive buffer is lent (util's iobuf) for the length of one
 * request, dump or batch: a thousand namespaces keep a thousand sockets.
 * A callback may run a request on the same socket (it keeps the buffer)
 * or on another (that one takes its own). */
static int rbuf_take(struct hnl *nl) {
	char *b = NULL;

	if (nl->rbuf_depth++ > 0)
		return 0;
	if (!(b = iobuf_take())) {
		nl->rbuf_depth--;
		return -ENOMEM;
	}
	nl->rbuf = b;
	return 0;
}

static void rbuf_give(struct hnl *nl) {
	if (--nl->rbuf_depth > 0)
		return;
	iobuf_give(nl->rbuf);
	nl->rbuf = NULL;
}

static uint64_t writes_total;

static bool is_write(uint16_t type) {
	if (type < RTM_BASE || type >= RTM_MAX)
		return false;
	return ((type - RTM_BASE) & 3) != 2;    /* NEW, DEL, SET; not GET */
}

static void count_write(struct hnl *nl, const struct nlmsghdr *nlh) {
	if (is_write(nlh->nlmsg_type)) {
		nl->writes++;
		writes_total++;
	}
}

static unsigned nofile_said;

int hnl_open(const char *netns, struct hnl **ret) {
	struct hnl *nl;
	int saved = -1, r, one = 1;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->netns_fd = -1;
	if (netns && *netns) {
		nl->netns = strdup(netns);
		if (!nl->netns) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (nl->netns) {
		r = netns_enter(nl->netns, &saved);
		if (r < 0)
			goto fail;
	}
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	r = nl->sock ? 0 : -errno;
	if (saved >= 0) {
		int q = netns_leave(saved);
		if (r == 0 && q < 0)
			r = q;
	}
	if (r < 0)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto fail;
	}
	/* best effort: older kernels lack some of these */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)now_us();
	*ret = nl;
	return 0;
fail:
	if (r == -EMFILE || r == -ENFILE) {
		struct rlimit rl = { 0 };

		/* said once, loudly: the cause is the limit, not the namespace */
		getrlimit(RLIMIT_NOFILE, &rl);
		if (!nofile_said++)
			log_error("netns %s: out of file descriptors (limit %llu): each namespace of a profile takes a few; "
			          "raise LimitNOFILE= or `ulimit -n`", netns && *netns ? netns : "(current)",
			          (unsigned long long)rl.rlim_cur);
	}
	hnl_free(nl);
	return r;
}

void hnl_free(struct hnl *nl) {
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	if (nl->netns_fd >= 0)
		close(nl->netns_fd);
	free(nl->netns);
	free(nl->errmsg);
	free(nl);
}

const char *hnl_netns(const struct hnl *nl) { return nl->netns; }
int hnl_netns_fd(struct hnl *nl) {
	if (nl->netns_fd < 0)
		nl->netns_fd = netns_open(nl->netns);
	return nl->netns_fd;
}

void hnl_netns_fd_close(struct hnl *nl) {
	if (nl->netns_fd >= 0)
		close(nl->netns_fd);
	nl->netns_fd = -1;
}
#define ERRMSG_SIZE 512

const char *hnl_errmsg(const struct hnl *nl) { return nl->errmsg ? nl->errmsg : ""; }

/* The buffer of the message: a thousand namespaces' sockets need none
 * until something fails.  NULL: out of memory (the text is lost). */
static char *errmsg_buf(struct hnl *nl) {
	if (!nl->errmsg)
		nl->errmsg = malloc(ERRMSG_SIZE);
	return nl->errmsg;
}

static void errmsg_clear(struct hnl *nl) {
	if (nl->errmsg)
		nl->errmsg[0] = '\0';
}

void hnl_set_errmsg(struct hnl *nl, const char *fmt, ...) {
	va_list ap;

	if (!errmsg_buf(nl))
		return;
	va_start(ap, fmt);
	vsnprintf(nl->errmsg, ERRMSG_SIZE, fmt, ap);
	va_end(ap);
}
uint64_t hnl_write_count(const struct hnl *nl) { return nl->writes; }
uint64_t hnl_write_count_total(void) { return writes_total; }

struct nlmsghdr *hnl_msg_new(void *buf, uint16_t type, uint16_t flags) {
	struct nlmsghdr *nlh;

	/* libmnl does not clear the padding of attributes: start from zeros */
	memset(buf, 0, NL_MSG_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

/* ---- receiving --------------------------------------------------------- */

static int ext_ack_attr(const struct nlattr *a, void *data) {
	struct hnl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
		const char *s = mnl_attr_get_str(a);
		size_t n = strnlen(s, ERRMSG_SIZE - 1);

		if (!errmsg_buf(nl))
			return MNL_CB_OK;
		memcpy(nl->errmsg, s, n);
		nl->errmsg[n] = '\0';
		/* drop a trailing newline some messages carry */
		while (n > 0 && nl->errmsg[n - 1] == '\n')
			nl->errmsg[--n] = '\0';
	}
	return MNL_CB_OK;
}

/* The error of an NLMSG_ERROR message (0 for an ack), keeping the
 * extended ack text of a failure. */
static int ack_error(struct hnl *nl, const struct nlmsghdr *nlh) {
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return -EBADMSG;
	if (err->error < 0 && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += mnl_nlmsg_get_payload_len(&err->msg);
		if (off < mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, (unsigned)off, ext_ack_attr, nl);
	}
	return err->error;
}

/* The error carried by NLMSG_DONE (dumps). */
static int done_error(struct hnl *nl, const struct nlmsghdr *nlh) {
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (error < 0 && (nlh->nlmsg_flags & NLM_F_ACK_TLVS) && mnl_nlmsg_get_payload_len(nlh) > sizeof(int))
		mnl_attr_parse(nlh, sizeof(int), ext_ack_attr, nl);
	return error;
}

static ssize_t sock_recv(struct hnl *nl) {
	struct iovec iov = { .iov_base = nl->rbuf, .iov_len = NL_RECV_SIZE };
	struct sockaddr_nl sa;
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (sa.nl_pid != 0)
		return 0;   /* not from the kernel: ignore */
	return n;
}

static int sock_send(struct hnl *nl, const void *buf, size_t len) {
	ssize_t n;

	do
		n = mnl_socket_sendto(nl->sock, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 0;
}

/* ---- single requests --------------------------------------------------- */

static int request_run(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data) {
	int r, cb_error = 0;

	errmsg_clear(nl);
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	count_write(nl, req);
	r = sock_send(nl, req, req->nlmsg_len);
	if (r < 0)
		return r;

	for (;;) {
		ssize_t n = sock_recv(nl);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0)
			return (int)n;
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;           /* a late answer to something else */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				r = ack_error(nl, nlh);
				return r < 0 ? r : cb_error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return cb_error;
			errno = 0;
			if (cb && cb_error == 0 && cb(nlh, data) == MNL_CB_ERROR)
				cb_error = errno ? -errno : -EIO;
		}
	}
}

int hnl_request(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data) {
	int r = rbuf_take(nl);

	if (r < 0)
		return r;
	r = request_run(nl, req, cb, data);
	rbuf_give(nl);
	return r;
}

int hnl_request_libnl(struct hnl *nl, struct nl_msg *msg) {
	return hnl_request(nl, nlmsg_hdr(msg), NULL, NULL);
}

/* ---- dumps ------------------------------------------------------------- */

/* One pass of a dump: 1 when it was interrupted and must be redone. */
static int dump_once(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data) {
	bool intr = false;
	int r, error = 0;

	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	r = sock_send(nl, req, req->nlmsg_len);
	if (r < 0)
		return r;

	for (;;) {
		ssize_t n = sock_recv(nl);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0)
			return (int)n;
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				r = done_error(nl, nlh);
				if (r < 0)
					return r;
				if (error < 0)
					return error;
				return intr ? 1 : 0;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				r = ack_error(nl, nlh);
				if (r < 0)
					return r;
				continue;
			}
			errno = 0;
			if (error == 0 && !intr && cb(nlh, data) == MNL_CB_ERROR)
				error = errno ? -errno : -EIO;
		}
	}
}

int hnl_dump_run(struct hnl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset_cb)(void *data), void *data) {
	int r = rbuf_take(nl);

	if (r < 0)
		return r;
	errmsg_clear(nl);
	for (int i = 0; i < NL_DUMP_TRIES; i++) {
		if (i > 0 && reset_cb)
			reset_cb(data);
		r = dump_once(nl, req, cb, data);
		if (r <= 0)
			goto out;
	}
	r = -EINTR;
out:
	rbuf_give(nl);
	return r;
}

/* ---- batches ------------------------------------------------------------- */

struct hnl_batch {
	struct hnl *nl;
	char *buf;
	size_t size;
	size_t max_size;            /* what one sendmsg() may carry */
	size_t len;                 /* bytes queued */
	size_t n_queued;            /* messages queued */
	size_t max_queued;          /* so that their acks fit the receive buffer */
	size_t n_total;             /* messages accepted so far: the next index */
	uint32_t first_seq;         /* of the first queued message */
	struct nlmsghdr *cur;       /* handed out by hnl_batch_msg, not yet accepted */
	hnl_ack_cb ack_cb;
	void *data;
	size_t failed;
	int first_error;
	int io_error;               /* a send or receive failed: the batch is broken */
};

static void hnl_big_bufs(struct hnl *nl) {
	int fd = mnl_socket_get_fd(nl->sock);
	int rcv = NL_BATCH_RCVBUF, snd = NL_BATCH_SIZE + 4096;

	if (nl->big_bufs)
		return;
	/* FORCE needs CAP_NET_ADMIN, which hanet has when it changes anything */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	nl->big_bufs = true;
}

int hnl_batch_new(struct hnl *nl, hnl_ack_cb ack_cb, void *data, struct hnl_batch **ret) {
	struct hnl_batch *b;
	int fd = mnl_socket_get_fd(nl->sock), rcv = 0, snd = 0;
	socklen_t sl = sizeof(int);

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	hnl_big_bufs(nl);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &sl) < 0)
		rcv = 212992;
	sl = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &sl) < 0)
		snd = 212992;
	b->max_size = NL_BATCH_SIZE;
	if ((size_t)snd < b->max_size + 64)
		b->max_size = (size_t)snd > 2 * NL_MSG_SIZE + 64 ? (size_t)snd - 64 : NL_MSG_SIZE;
	b->max_queued = (size_t)rcv / NL_ACK_TRUESIZE;
	if (b->max_queued < 1)
		b->max_queued = 1;
	/* small to start (most batches are a few messages); grows to max_size */
	b->size = b->max_size < 4 * NL_MSG_SIZE ? b->max_size : 4 * NL_MSG_SIZE;
	b->buf = calloc(1, b->size);     /* zeros: libmnl leaves attribute padding as it is */
	if (!b->buf) {
		free(b);
		return -ENOMEM;
	}
	b->nl = nl;
	b->ack_cb = ack_cb;
	b->data = data;
	*ret = b;
	return 0;
}

void hnl_batch_free(struct hnl_batch *b) {
	if (!b)
		return;
	free(b->buf);
	free(b);
}

/* Send what is queued and read one ack per message. */
static int batch_flush(struct hnl_batch *b) {
	struct hnl *nl = b->nl;
	size_t acked = 0, base = b->n_total - b->n_queued;
	uint8_t *seen = NULL;
	int r;

	if (b->n_queued == 0)
		return 0;
	seen = calloc(b->n_queued, 1);
	if (!seen)
		return -ENOMEM;
	r = rbuf_take(nl);
	if (r < 0) {
		free(seen);
		return r;
	}
	r = sock_send(nl, b->buf, b->len);
	if (r < 0)
		goto out;

	while (acked < b->n_queued) {
		ssize_t n = sock_recv(nl);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			/* ENOBUFS: acks were lost, the outcome of the rest is unknown */
			r = (int)n;
			goto out;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t i = nlh->nlmsg_seq - b->first_seq;
			int error;

			if (nlh->nlmsg_type != NLMSG_ERROR || i >= b->n_queued || seen[i])
				continue;
			seen[i] = 1;
			acked++;
			errmsg_clear(nl);
			error = ack_error(nl, nlh);
			if (error < 0) {
				b->failed++;
				if (b->first_error == 0)
					b->first_error = error;
			}
			if (b->ack_cb)
				b->ack_cb(base + i, error, b->data);
		}
	}
out:
	rbuf_give(nl);
	free(seen);
	memset(b->buf, 0, b->len);
	b->len = 0;
	b->n_queued = 0;
	return r;
}

struct nlmsghdr *hnl_batch_msg(struct hnl_batch *b, uint16_t type, uint16_t flags) {
	struct nlmsghdr *nlh;

	if (b->io_error)
		return NULL;
	if (b->size - b->len < NL_MSG_SIZE && b->size < b->max_size && b->n_queued < b->max_queued) {
		size_t size = b->size * 4 < b->max_size ? b->size * 4 : b->max_size;
		char *nb = realloc(b->buf, size);

		if (nb) {
			memset(nb + b->size, 0, size - b->size);
			b->buf = nb;
			b->size = size;
		}
	}
	if (b->size - b->len < NL_MSG_SIZE || b->n_queued >= b->max_queued) {
		int r = batch_flush(b);
		if (r < 0) {
			b->io_error = r;
			return NULL;
		}
	}
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	b->cur = nlh;
	return nlh;
}

int hnl_batch_next(struct hnl_batch *b) {
	struct nlmsghdr *nlh = b->cur;

	if (!nlh)
		return -EINVAL;
	if (b->n_queued == 0)
		b->first_seq = b->nl->seq + 1;
	nlh->nlmsg_seq = ++b->nl->seq;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	count_write(b->nl, nlh);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->n_queued++;
	b->n_total++;
	b->cur = NULL;
	return 0;
}

int hnl_batch_add_libnl(struct hnl_batch *b, struct nl_msg *msg) {
	const struct nlmsghdr *src = nlmsg_hdr(msg);
	struct nlmsghdr *nlh;

	if (src->nlmsg_len > NL_MSG_SIZE)
		return -EMSGSIZE;
	nlh = hnl_batch_msg(b, src->nlmsg_type, 0);
	if (!nlh)
		return b->io_error ? b->io_error : -EIO;
	memcpy(nlh, src, src->nlmsg_len);
	b->cur = nlh;
	return hnl_batch_next(b);
}

int hnl_batch_commit(struct hnl_batch *b) {
	int r;

	if (b->io_error)
		return b->io_error;
	r = batch_flush(b);
	if (r < 0)
		return r;
	return b->first_error;
}

size_t hnl_batch_failed(const struct hnl_batch *b) { return b->failed; }

/* ---- libnl ------------------------------------------------------------- */

int hnl_libnl_errno(int nle) {
	static const int map[] = {
		[NLE_SUCCESS] = 0,
		[NLE_FAILURE] = EIO,
		[NLE_INTR] = EINTR,
		[NLE_BAD_SOCK] = EBADF,
		[NLE_AGAIN] = EAGAIN,
		[NLE_NOMEM] = ENOMEM,
		[NLE_EXIST] = EEXIST,
		[NLE_INVAL] = EINVAL,
		[NLE_RANGE] = ERANGE,
		[NLE_MSGSIZE] = EMSGSIZE,
		[NLE_OPNOTSUPP] = EOPNOTSUPP,
		[NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND] = ENOENT,
		[NLE_NOATTR] = ENOENT,
		[NLE_MISSING_ATTR] = EINVAL,
		[NLE_AF_MISMATCH] = EAFNOSUPPORT,
		[NLE_SEQ_MISMATCH] = EILSEQ,
		[NLE_MSG_OVERFLOW] = EOVERFLOW,
		[NLE_MSG_TRUNC] = EMSGSIZE,
		[NLE_NOADDR] = EADDRNOTAVAIL,
		[NLE_SRCRT_NOSUPPORT] = EOPNOTSUPP,
		[NLE_MSG_TOOSHORT] = EBADMSG,
		[NLE_MSGTYPE_NOSUPPORT] = EOPNOTSUPP,
		[NLE_OBJ_MISMATCH] = EINVAL,
		[NLE_NOCACHE] = ENOENT,
		[NLE_BUSY] = EBUSY,
		[NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
		[NLE_NOACCESS] = EACCES,
		[NLE_PERM] = EPERM,
		[NLE_PKTLOC_FILE] = ENOENT,
		[NLE_PARSE_ERR] = EINVAL,
		[NLE_NODEV] = ENODEV,
		[NLE_IMMUTABLE] = EPERM,
		[NLE_DUMP_INTR] = EINTR,
		[NLE_ATTRSIZE] = ERANGE,
	};
	int e = nle < 0 ? -nle : nle;

	if (e == 0)
		return 0;
	if ((size_t)e < ARRAY_SIZE(map) && map[e])
		return -map[e];
	return -EIO;
}
