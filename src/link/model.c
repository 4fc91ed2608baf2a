/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keydef.h"
#include "link-ops.h"
#include "model.h"
#include "util.h"

bool netns_eq(const char *a, const char *b) {
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

const char *netns_str(const char *netns) {
	return netns && *netns ? netns : "(current)";
}

const char *link_kind_name(enum link_kind kind) {
	const struct link_ops *ops = link_ops_get(kind);

	if (ops)
		return ops->section;
	return kind == LINK_OTHER ? "other" : "?";
}

int link_kind_from_name(const char *s, enum link_kind *ret) {
	for (int k = 0; k < _LINK_KIND_MAX; k++)
		if (link_kind_managed(k) && strcmp(s, link_kind_name((enum link_kind)k)) == 0) {
			*ret = (enum link_kind)k;
			return 0;
		}
	return -EINVAL;
}

/* ---- the profile's index ---- */

struct profile_index {
	const struct link *links;           /* the arrays it was built for */
	size_t n_links;
	const struct netns_conf *netns;
	size_t n_netns;
	struct namemap link;                /* (netns, name) -> the link */
	struct namemap any;                 /* name -> the first link of that name */
	struct namemap peer;                /* name -> the first veth with that peer */
	struct namemap ns;                  /* netns -> its [netns] */
};

void profile_index_free(struct profile_index *x) {
	if (!x)
		return;
	namemap_clear(&x->link);
	namemap_clear(&x->any);
	namemap_clear(&x->peer);
	namemap_clear(&x->ns);
	free(x);
}

/* Add unless there: the first of a name is the one a scan finds. */
static int put_first(struct namemap *m, const char *netns, const char *name, void *val) {
	return namemap_get(m, netns, name) ? 0 : namemap_put(m, netns, name, val);
}

int profile_index_build(struct profile *p) {
	struct profile_index *x = calloc(1, sizeof(*x));
	int r = 0;

	if (!x)
		return -ENOMEM;
	for (size_t i = 0; r >= 0 && i < p->n_links; i++) {
		struct link *l = &p->links[i];

		r = put_first(&x->link, l->netns, l->name, l);
		if (r >= 0)
			r = put_first(&x->any, NULL, l->name, l);
		if (r >= 0 && l->kind == LINK_VETH)
			r = put_first(&x->peer, NULL, l->u.veth.peer, l);
	}
	for (size_t i = 0; r >= 0 && i < p->n_netns; i++)
		r = put_first(&x->ns, p->netns[i].name, NULL, &p->netns[i]);
	if (r < 0) {
		profile_index_free(x);
		return r;
	}
	x->links = p->links;
	x->n_links = p->n_links;
	x->netns = p->netns;
	x->n_netns = p->n_netns;
	profile_index_free(p->index);
	p->index = x;
	return 0;
}

static const struct profile_index *index_of(const struct profile *p) {
	const struct profile_index *x = p->index;

	return x && x->links == p->links && x->n_links == p->n_links && x->netns == p->netns &&
	       x->n_netns == p->n_netns ? x : NULL;
}

/* An indexed answer is checked against the object (nothing renamed it
 * since): a miss there, or no index, scans. */

struct link *profile_find_link(const struct profile *p, const char *netns, const char *name) {
	const struct profile_index *x = index_of(p);
	struct link *l = x ? namemap_get(&x->link, netns, name) : NULL;

	if (l && strcmp(l->name, name) == 0 && netns_eq(l->netns, netns))
		return l;
	if (x && !l)
		return NULL;
	for (size_t i = 0; i < p->n_links; i++)
		if (strcmp(p->links[i].name, name) == 0 && netns_eq(p->links[i].netns, netns))
			return &p->links[i];
	return NULL;
}

struct link *profile_find_link_any(const struct profile *p, const char *name) {
	const struct profile_index *x = index_of(p);
	struct link *l = x ? namemap_get(&x->any, NULL, name) : NULL;

	if (l && strcmp(l->name, name) == 0)
		return l;
	if (x && !l)
		return NULL;
	for (size_t i = 0; i < p->n_links; i++)
		if (strcmp(p->links[i].name, name) == 0)
			return &p->links[i];
	return NULL;
}

struct link *profile_find_peer(const struct profile *p, const char *name) {
	const struct profile_index *x = index_of(p);
	struct link *l = x ? namemap_get(&x->peer, NULL, name) : NULL;

	if (l && l->kind == LINK_VETH && strcmp(l->u.veth.peer, name) == 0)
		return l;
	if (x && !l)
		return NULL;
	for (size_t i = 0; i < p->n_links; i++)
		if (p->links[i].kind == LINK_VETH && strcmp(p->links[i].u.veth.peer, name) == 0)
			return &p->links[i];
	return NULL;
}

struct netns_conf *profile_find_netns(const struct profile *p, const char *name) {
	const struct profile_index *x = index_of(p);
	struct netns_conf *n = x ? namemap_get(&x->ns, name, NULL) : NULL;

	if (n && netns_eq(n->name, name))
		return n;
	if (x && !n)
		return NULL;
	for (size_t i = 0; i < p->n_netns; i++)
		if (netns_eq(p->netns[i].name, name))
			return &p->netns[i];
	return NULL;
}

struct vip *profile_find_vip(const struct profile *p, const char *name) {
	for (size_t i = 0; i < p->n_vips; i++)
		if (strcmp(p->vips[i].name, name) == 0)
			return &p->vips[i];
	return NULL;
}

void namelist_fini(struct namelist *l) {
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int namelist_add(struct namelist *l, const char *name) {
	char(*v)[IFNAMSIZ] = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	if (strcpy_checked(l->v[l->n], IFNAMSIZ, name) < 0)
		return -ENAMETOOLONG;
	l->n++;
	return 0;
}

bool namelist_contains(const struct namelist *l, const char *name) {
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return true;
	return false;
}

int namelist_copy(struct namelist *dst, const struct namelist *src) {
	dst->v = NULL;
	dst->n = 0;
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = src->n;
	return 0;
}

int bond_arp_target_add(struct bond_conf *b, const struct ipaddr *a) {
	struct ipaddr *v;

	if (b->n_arp_ip_target >= BOND_MAX_ARP_TARGETS)
		return -ENOSPC;
	v = realloc(b->arp_ip_target, (b->n_arp_ip_target + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->arp_ip_target = v;
	v[b->n_arp_ip_target++] = *a;
	return 0;
}

int bond_arp_targets_copy(struct bond_conf *dst, const struct bond_conf *src) {
	dst->arp_ip_target = NULL;
	dst->n_arp_ip_target = 0;
	if (!src->n_arp_ip_target)
		return 0;
	dst->arp_ip_target = malloc(src->n_arp_ip_target * sizeof(*dst->arp_ip_target));
	if (!dst->arp_ip_target)
		return -ENOMEM;
	memcpy(dst->arp_ip_target, src->arp_ip_target, src->n_arp_ip_target * sizeof(*dst->arp_ip_target));
	dst->n_arp_ip_target = src->n_arp_ip_target;
	return 0;
}

void bond_arp_targets_fini(struct bond_conf *b) {
	free(b->arp_ip_target);
	b->arp_ip_target = NULL;
	b->n_arp_ip_target = 0;
}

static void *memdup_(const void *p, size_t n) {
	void *d;

	if (!p || !n)
		return NULL;
	d = malloc(n);
	if (d)
		memcpy(d, p, n);
	return d;
}

void link_fini(struct link *l) {
	const struct link_ops *ops;

	if (!l)
		return;
	free(l->alias);
	free(l->addrs);
	ops = link_ops_get(l->kind);
	if (ops && ops->fini)
		ops->fini(l);
	memset(l, 0, sizeof(*l));
}

int link_copy(struct link *dst, const struct link *src) {
	const struct link_ops *ops = link_ops_get(src->kind);

	*dst = *src;
	dst->alias = NULL;
	dst->addrs = NULL;
	/* the kind's part first: until then it is a shallow copy of src's,
	 * which link_fini() must not free */
	if (ops && ops->copy && ops->copy(dst, src) < 0)
		goto fail;
	if (src->alias && !(dst->alias = strdup(src->alias)))
		goto fail;
	if (src->n_addrs && !(dst->addrs = memdup_(src->addrs, src->n_addrs * sizeof(*src->addrs))))
		goto fail;
	return 0;
fail:
	link_fini(dst);
	return -ENOMEM;
}

void route_fini(struct route *r) {
	if (!r)
		return;
	free(r->nexthops);
	r->nexthops = NULL;
	r->n_nexthops = 0;
}

int route_copy(struct route *dst, const struct route *src) {
	*dst = *src;
	dst->nexthops = NULL;
	if (src->n_nexthops) {
		dst->nexthops = memdup_(src->nexthops, src->n_nexthops * sizeof(*src->nexthops));
		if (!dst->nexthops)
			return -ENOMEM;
	}
	return 0;
}

void profile_free(struct profile *p) {
	if (!p)
		return;
	free(p->path);
	free(p->name);
	free(p->description);
	free(p->netns);
	for (size_t i = 0; i < p->n_links; i++)
		link_fini(&p->links[i]);
	free(p->links);
	for (size_t i = 0; i < p->n_vips; i++)
		free(p->vips[i].engine_pidfile);
	free(p->vips);
	for (size_t i = 0; i < p->n_routes; i++)
		route_fini(&p->routes[i]);
	free(p->routes);
	for (size_t i = 0; i < p->n_routes_files; i++)
		free(p->routes_files[i].path);
	free(p->routes_files);
	free(p->rules);
	free(p->probes);
	for (size_t i = 0; i < p->n_faults; i++) {
		free(p->faults[i].pidfile);
		free(p->faults[i].command);
		free(p->faults[i].restore_command);
	}
	free(p->faults);
	for (size_t i = 0; i < p->n_services; i++) {
		free(p->services[i].command);
		free(p->services[i].tmpfs);
		free(p->services[i].ready_arg);
		free(p->services[i].log);
		free(p->services[i].events);
	}
	free(p->services);
	free(p->key_pos);
	profile_index_free(p->index);
	strpool_free(p->pool);
	free(p);
}

/* ---- a list of names as a profile key ---- */

struct list_ctx {
	struct key_ctx *c;
	struct namelist *l;
	int r;
};

static int namelist_tok(const char *tok, void *data) {
	struct list_ctx *x = data;

	if (!ifname_valid(tok)) {
		key_bad_ifname(x->c, tok);
		return x->r = -EINVAL;
	}
	if (namelist_contains(x->l, tok)) {
		key_bad(x->c, "%s is listed twice", tok);
		return x->r = -EINVAL;
	}
	if (namelist_add(x->l, tok) < 0) {
		key_oom(x->c);
		return x->r = -ENOMEM;
	}
	return 0;
}

int key_parse_namelist(struct key_ctx *c, void *field) {
	struct list_ctx x = { .c = c, .l = field };
	int r = split_list(c->value, namelist_tok, &x);

	if (r == -ENAMETOOLONG && !x.r) {
		key_bad(c, "a name in the list is too long");
		return r;
	}
	return r < 0 ? r : x.r;
}
