// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include "report_text.h"

/* __u64 is unsigned long long on every Linux ABI; say so for printf. */
static void write_line(FILE *out, const char *what, unsigned long long bytes,
		       unsigned long long packets)
{
	fprintf(out, "  %s: %llu bytes (%llu packets)\n", what, bytes, packets);
}

static void write_counters(FILE *out, const struct pdtt_counters *c)
{
	write_line(out, "TX", c->tx_bytes, c->tx_packets);
	write_line(out, "RX", c->rx_bytes, c->rx_packets);
	write_line(out, "Total", counters_total_bytes(c), counters_total_packets(c));
	fputs("---\n", out);
}

/* A bucket reads "UID: - | Username: [unattributed]": same shape, never a user. */
static void write_bucket(FILE *out, const char *label, const struct pdtt_value *v)
{
	struct pdtt_counters total = value_total(v);

	if (counters_is_zero(&total))
		return;
	fprintf(out, "UID: - | Username: %s\n", label);
	write_counters(out, &total);
}

void report_text_write(FILE *out, const struct pdtt_snapshot *snap, struct usercache *names)
{
	char when[32];
	struct tm tm;

	localtime_r(&snap->taken_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "=== Network Statistics Report [%s] ===\n", when);
	for (size_t i = 0; i < snap->n_users; i++) {
		const struct pdtt_usage *u = &snap->users[i];
		struct pdtt_counters total = value_total(&u->v);

		fprintf(out, "UID: %" PRIu32 " | Username: %s\n", u->uid,
			usercache_name(names, u->uid));
		write_counters(out, &total);
	}
	write_bucket(out, PDTT_LABEL_UNATTRIBUTED, &snap->buckets[PDTT_BUCKET_UNATTRIBUTED]);
	write_bucket(out, PDTT_LABEL_OVERFLOW, &snap->buckets[PDTT_BUCKET_OVERFLOW]);
}
