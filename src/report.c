// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

const char *report_user_name(const struct pdtt_report *r, uint32_t uid)
{
	return r->user_name ? r->user_name(r->names, uid) : NULL;
}

static uint64_t counter_delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : now;
}

static struct pdtt_value value_delta(const struct pdtt_value *now, const struct pdtt_value *before)
{
	struct pdtt_value d;

	for (int cls = 0; cls < PDTT_CLASS_MAX; cls++) {
		const struct pdtt_counters *n = &now->by_class[cls], *b = &before->by_class[cls];

		d.by_class[cls].tx_bytes = counter_delta(n->tx_bytes, b->tx_bytes);
		d.by_class[cls].tx_packets = counter_delta(n->tx_packets, b->tx_packets);
		d.by_class[cls].rx_bytes = counter_delta(n->rx_bytes, b->rx_bytes);
		d.by_class[cls].rx_packets = counter_delta(n->rx_packets, b->rx_packets);
	}
	return d;
}

const struct pdtt_usage *report_find_user(const struct pdtt_snapshot *snap, uint32_t uid)
{
	size_t lo = 0, hi = snap->n_users;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->users[mid].uid == uid)
			return &snap->users[mid];
		if (snap->users[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct pdtt_value report_user_delta(const struct pdtt_report *r, size_t i)
{
	static const struct pdtt_value zero;
	const struct pdtt_usage *u = &r->now->users[i], *before;

	if (!r->prev)
		return zero;
	before = report_find_user(r->prev, u->uid);
	return value_delta(&u->v, before ? &before->v : &zero);
}

struct pdtt_value report_bucket_delta(const struct pdtt_report *r, enum pdtt_bucket b)
{
	static const struct pdtt_value zero;

	if (!r->prev)
		return zero;
	return value_delta(&r->now->buckets[b], &r->prev->buckets[b]);
}

const char *report_bucket_name(enum pdtt_bucket b)
{
	return b == PDTT_BUCKET_UNATTRIBUTED ? "unattributed" : "overflow";
}

const char *report_class_name(const struct pdtt_report *r, unsigned int cls)
{
	return classes_name(&r->now->classes, cls);
}

unsigned int report_n_classes(const struct pdtt_report *r)
{
	return classes_count(&r->now->classes);
}

bool report_by_network(const struct pdtt_report *r)
{
	return classes_named(&r->now->classes);
}
