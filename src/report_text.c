// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include "escape.h"
#include "report_text.h"
#include "usercache.h"

/* __u64 is unsigned long long on every Linux ABI; say so for printf. */
static void write_line(FILE *out, const char *what, unsigned long long bytes,
		       unsigned long long packets)
{
	fprintf(out, "  %s: %llu bytes (%llu packets)\n", what, bytes, packets);
}

/* "  Local: TX a bytes (p packets), RX b bytes (q packets)": one class on one line. */
static void write_class(FILE *out, const char *what, const struct pdtt_counters *c)
{
	fprintf(out, "  %s: TX %llu bytes (%llu packets), RX %llu bytes (%llu packets)\n", what,
		(unsigned long long)c->tx_bytes, (unsigned long long)c->tx_packets,
		(unsigned long long)c->rx_bytes, (unsigned long long)c->rx_packets);
}

static void write_counters(FILE *out, const struct pdtt_value *v, bool split)
{
	struct pdtt_counters c = value_total(v);

	write_line(out, "TX", c.tx_bytes, c.tx_packets);
	write_line(out, "RX", c.rx_bytes, c.rx_packets);
	write_line(out, "Total", counters_total_bytes(&c), counters_total_packets(&c));
	if (split) {
		write_class(out, "Local", &v->by_class[PDTT_CLASS_LOCAL]);
		write_class(out, "External", &v->by_class[PDTT_CLASS_EXTERNAL]);
	}
	fputs("---\n", out);
}

/* A bucket reads "UID: - | Username: [unattributed]": same shape, never a user. */
static void write_bucket(FILE *out, const char *label, const struct pdtt_value *v, bool split)
{
	if (value_is_zero(v))
		return;
	fprintf(out, "UID: - | Username: %s\n", label);
	write_counters(out, v, split);
}

void report_text_write(FILE *out, const struct pdtt_report *r)
{
	const struct pdtt_snapshot *snap = r->now;
	const char *name;
	char when[32];
	struct tm tm;

	localtime_r(&snap->taken_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "=== Network Statistics Report [%s] ===\n", when);
	for (size_t i = 0; i < snap->n_users; i++) {
		const struct pdtt_usage *u = &snap->users[i];

		name = report_user_name(r, u->uid);
		fprintf(out, "UID: %" PRIu32 " | Username: ", u->uid);
		escape_text_name(out, name ? name : PDTT_NO_USERNAME);
		fputc('\n', out);
		write_counters(out, &u->v, r->split);
	}
	write_bucket(out, PDTT_LABEL_UNATTRIBUTED, &snap->buckets[PDTT_BUCKET_UNATTRIBUTED],
		     r->split);
	write_bucket(out, PDTT_LABEL_OVERFLOW, &snap->buckets[PDTT_BUCKET_OVERFLOW], r->split);
}
