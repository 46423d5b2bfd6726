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

struct pdtt_counters report_counters_delta(const struct pdtt_counters *now,
					   const struct pdtt_counters *before)
{
	return (struct pdtt_counters){
		.tx_bytes = counter_delta(now->tx_bytes, before->tx_bytes),
		.tx_packets = counter_delta(now->tx_packets, before->tx_packets),
		.rx_bytes = counter_delta(now->rx_bytes, before->rx_bytes),
		.rx_packets = counter_delta(now->rx_packets, before->rx_packets),
	};
}

static struct pdtt_value value_delta(const struct pdtt_value *now, const struct pdtt_value *before)
{
	struct pdtt_value d;

	for (int cls = 0; cls < PDTT_CLASS_MAX; cls++)
		d.by_class[cls] = report_counters_delta(&now->by_class[cls],
							&before->by_class[cls]);
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
	struct pdtt_value now, then = zero;

	if (!r->prev)
		return zero;
	before = report_find_user(r->prev, u->uid);
	usage_value(r->now, u, &now);
	if (before)
		usage_value(r->prev, before, &then);
	return value_delta(&now, &then);
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
