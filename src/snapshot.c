// SPDX-License-Identifier: GPL-2.0-or-later
/* Adding snapshots: a report's totals are the baseline plus the kernel counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

int snapshot_reserve(struct pdtt_snapshot *snap, size_t n)
{
	struct pdtt_usage *users;

	if (n <= snap->capacity && snap->users)
		return 0;
	users = realloc(snap->users, (n ? n : 1) * sizeof(*users));
	if (!users)
		return -ENOMEM;
	snap->users = users;
	snap->capacity = n;
	return 0;
}

int snapshot_sum(struct pdtt_snapshot *out, const struct pdtt_snapshot *a,
		 const struct pdtt_snapshot *b)
{
	size_t i = 0, j = 0, n = 0;
	int err = snapshot_reserve(out, a->n_users + b->n_users);

	if (err)
		return err;
	while (i < a->n_users || j < b->n_users) {
		struct pdtt_usage *u = &out->users[n++];

		if (j == b->n_users || (i < a->n_users && a->users[i].uid < b->users[j].uid)) {
			*u = a->users[i++];
		} else if (i == a->n_users || b->users[j].uid < a->users[i].uid) {
			*u = b->users[j++];
		} else {
			*u = a->users[i++];
			value_add(&u->v, &b->users[j++].v);
		}
	}
	out->n_users = n;
	out->classes = *classes_wider(&a->classes, &b->classes);
	for (int k = 0; k < PDTT_BUCKET_COUNT; k++) {
		out->buckets[k] = a->buckets[k];
		value_add(&out->buckets[k], &b->buckets[k]);
	}
	return 0;
}

void snapshot_release(struct pdtt_snapshot *snap)
{
	free(snap->users);
	snap->users = NULL;
	snap->n_users = snap->capacity = 0;
}
