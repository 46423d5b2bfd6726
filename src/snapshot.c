// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots: users with local and external inline and the classes of the
 * networks in a side array, so that memory grows with the classes in use.
 * Adding snapshots: a report's totals are the baseline plus the kernel counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

/* Named classes a user of classes c holds. */
static unsigned int named_width_of(const struct pdtt_classes *c)
{
	return classes_count(c) - PDTT_CLASS_FIRST_NAMED;
}

/* Make the side array hold n users of width named classes (those there kept when width is). */
static int reserve_named(struct pdtt_snapshot *snap, size_t n, unsigned int width)
{
	struct pdtt_counters *named;

	if (!width) {
		free(snap->named);
		snap->named = NULL;
		snap->named_width = 0;
		return 0;
	}
	named = realloc(snap->named, (n ? n : 1) * width * sizeof(*named));
	if (!named)
		return -ENOMEM;
	snap->named = named;
	snap->named_width = width;
	return 0;
}

int snapshot_reserve(struct pdtt_snapshot *snap, size_t n)
{
	unsigned int width = named_width_of(&snap->classes);
	struct pdtt_usage *users;

	if (n <= snap->capacity && snap->users && width == snap->named_width)
		return 0;
	if (n < snap->capacity)
		n = snap->capacity;
	if (reserve_named(snap, n, width))
		return -ENOMEM;
	users = realloc(snap->users, (n ? n : 1) * sizeof(*users));
	if (!users)
		return -ENOMEM;
	snap->users = users;
	snap->capacity = n;
	return 0;
}

int snapshot_widen(struct pdtt_snapshot *snap, unsigned int n_classes)
{
	unsigned int width, keep;
	struct pdtt_counters *named = NULL;

	/* Never narrower than snap->classes: the next snapshot_reserve would drop counts. */
	if (n_classes < snapshot_n_classes(snap))
		n_classes = snapshot_n_classes(snap);
	width = n_classes - PDTT_CLASS_FIRST_NAMED;
	if (width <= snap->named_width)
		return 0;
	named = calloc(snap->capacity ? snap->capacity : 1, width * sizeof(*named));
	if (!named)
		return -ENOMEM;
	keep = snap->named_width;
	for (size_t i = 0; i < snap->n_users; i++) {
		struct pdtt_usage *u = &snap->users[i];

		if (keep)
			memcpy(&named[i * width], &snap->named[(size_t)u->named * keep],
			       keep * sizeof(*named));
		u->named = (uint32_t)i;
	}
	free(snap->named);
	snap->named = named;
	snap->named_width = width;
	if (snap->classes.n < n_classes)
		snap->classes.n = n_classes;
	return 0;
}

size_t snapshot_bytes_per_user(const struct pdtt_snapshot *snap)
{
	return sizeof(struct pdtt_usage) + snap->named_width * sizeof(struct pdtt_counters);
}

void usage_value(const struct pdtt_snapshot *snap, const struct pdtt_usage *u, struct pdtt_value *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned int cls = 0; cls < PDTT_CLASS_FIRST_NAMED + snap->named_width; cls++)
		v->by_class[cls] = *usage_class(snap, u, cls);
}

struct pdtt_counters usage_total(const struct pdtt_snapshot *snap, const struct pdtt_usage *u)
{
	struct pdtt_counters sum = { 0 };

	for (unsigned int cls = 0; cls < PDTT_CLASS_FIRST_NAMED + snap->named_width; cls++)
		counters_add(&sum, usage_class(snap, u, cls));
	return sum;
}

bool usage_is_zero(const struct pdtt_snapshot *snap, const struct pdtt_usage *u)
{
	struct pdtt_counters sum = usage_total(snap, u);

	return counters_is_zero(&sum);
}

void snapshot_append(struct pdtt_snapshot *snap, uint32_t uid, const struct pdtt_value *v)
{
	struct pdtt_usage *u = &snap->users[snap->n_users];

	u->uid = uid;
	u->named = (uint32_t)snap->n_users++;
	for (unsigned int cls = 0; cls < PDTT_CLASS_FIRST_NAMED + snap->named_width; cls++)
		*usage_class_mut(snap, u, cls) = v->by_class[cls];
}

/* out's user u = user from of snapshot src, or += it when add. */
static void put_user(struct pdtt_snapshot *out, struct pdtt_usage *u,
		     const struct pdtt_snapshot *src, const struct pdtt_usage *from, bool add)
{
	for (unsigned int cls = 0; cls < PDTT_CLASS_FIRST_NAMED + out->named_width; cls++) {
		struct pdtt_counters *c = usage_class_mut(out, u, cls);

		if (add)
			counters_add(c, usage_class(src, from, cls));
		else
			*c = *usage_class(src, from, cls);
	}
}

int snapshot_sum(struct pdtt_snapshot *out, const struct pdtt_snapshot *a,
		 const struct pdtt_snapshot *b)
{
	size_t i = 0, j = 0, n = 0;
	int err;

	out->n_users = 0;
	out->classes = *classes_wider(&a->classes, &b->classes);
	err = snapshot_reserve(out, a->n_users + b->n_users);
	if (err)
		return err;
	while (i < a->n_users || j < b->n_users) {
		struct pdtt_usage *u = &out->users[n];

		u->named = (uint32_t)n++;
		if (j == b->n_users || (i < a->n_users && a->users[i].uid < b->users[j].uid)) {
			u->uid = a->users[i].uid;
			put_user(out, u, a, &a->users[i++], false);
		} else if (i == a->n_users || b->users[j].uid < a->users[i].uid) {
			u->uid = b->users[j].uid;
			put_user(out, u, b, &b->users[j++], false);
		} else {
			u->uid = a->users[i].uid;
			put_user(out, u, a, &a->users[i++], false);
			put_user(out, u, b, &b->users[j++], true);
		}
	}
	out->n_users = n;
	for (int k = 0; k < PDTT_BUCKET_COUNT; k++) {
		out->buckets[k] = a->buckets[k];
		value_add(&out->buckets[k], &b->buckets[k]);
	}
	return 0;
}

int snapshot_copy(struct pdtt_snapshot *dst, const struct pdtt_snapshot *src)
{
	dst->n_users = 0;
	dst->classes = src->classes;
	if (snapshot_reserve(dst, src->n_users))
		return -ENOMEM;
	for (size_t i = 0; i < src->n_users; i++) {
		struct pdtt_usage *u = &dst->users[i];

		u->uid = src->users[i].uid;
		u->named = (uint32_t)i;
		put_user(dst, u, src, &src->users[i], false);
	}
	dst->n_users = src->n_users;
	memcpy(dst->buckets, src->buckets, sizeof(dst->buckets));
	dst->taken_at = src->taken_at;
	dst->accounting_start = src->accounting_start;
	return 0;
}

void snapshot_release(struct pdtt_snapshot *snap)
{
	free(snap->users);
	free(snap->named);
	snap->users = NULL;
	snap->named = NULL;
	snap->named_width = 0;
	snap->n_users = snap->capacity = 0;
}
