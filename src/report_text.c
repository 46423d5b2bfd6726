// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Each UID's block is put together in a buffer on the stack with put_u64 and
 * written with one fwrite: no printf format is parsed per number, which with
 * 100,000 UIDs was most of the report's formatting time. The output is the
 * same, byte for byte, as the printf format it replaces (tests/golden).
 */
#include "decimal.h"
#include "escape.h"
#include "report_text.h"

/* A name longer than this (or one that needs escaping) is written apart. */
#define NAME_ROOM 256
/*
 * Room for one block: the UID line (38 + NAME_ROOM + 1), three lines of two
 * numbers (3 x 67) and two of four (2 x 135), and "---\n": 770 at most.
 */
#define BLOCK_MAX (1024 + PDTT_CLASS_MAX * (PDTT_CLASS_NAME_LEN + 150))

/* "  TX: a bytes (p packets)\n" */
static char *put_line(char *p, const char *what, uint64_t bytes, uint64_t packets)
{
	p = put_str(p, "  ");
	p = put_str(p, what);
	p = put_str(p, ": ");
	p = put_u64(p, bytes);
	p = put_str(p, " bytes (");
	p = put_u64(p, packets);
	return put_str(p, " packets)\n");
}

/* "  Local: TX a bytes (p packets), RX b bytes (q packets)\n": one class on one line. */
static char *put_class(char *p, const char *what, const struct pdtt_counters *c)
{
	p = put_str(p, "  ");
	p = put_str(p, what);
	p = put_str(p, ": TX ");
	p = put_u64(p, c->tx_bytes);
	p = put_str(p, " bytes (");
	p = put_u64(p, c->tx_packets);
	p = put_str(p, " packets), RX ");
	p = put_u64(p, c->rx_bytes);
	p = put_str(p, " bytes (");
	p = put_u64(p, c->rx_packets);
	return put_str(p, " packets)\n");
}

static char *put_counters(char *p, const struct pdtt_report *r, const struct pdtt_value *v)
{
	bool split = r->split || report_by_network(r);

	struct pdtt_counters c = value_total(v);

	p = put_line(p, "TX", c.tx_bytes, c.tx_packets);
	p = put_line(p, "RX", c.rx_bytes, c.rx_packets);
	p = put_line(p, "Total", counters_total_bytes(&c), counters_total_packets(&c));
	if (split) {
		p = put_class(p, "Local", &v->by_class[PDTT_CLASS_LOCAL]);
		p = put_class(p, "External", &v->by_class[PDTT_CLASS_EXTERNAL]);
	}
	/* "  Network campus: TX ...": the names are plain (config.c), "Network" sets them apart. */
	for (unsigned int cls = PDTT_CLASS_FIRST_NAMED; cls < report_n_classes(r); cls++) {
		char label[PDTT_CLASS_NAME_LEN + 8];

		snprintf(label, sizeof(label), "Network %s", report_class_name(r, cls));
		p = put_class(p, label, &v->by_class[cls]);
	}
	return put_str(p, "---\n");
}

/* Printable ASCII other than '\': what escape_text_name leaves as it is. */
static bool is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

/* Length of name when it is short and needs no escaping; 0 otherwise. */
static size_t plain_length(const char *name)
{
	size_t n = 0;

	while (n < NAME_ROOM && is_plain((unsigned char)name[n]))
		n++;
	return name[n] == '\0' ? n : 0;
}

/*
 * "UID: 1000 | Username: alice\n" and the counter lines. A name with bytes to
 * escape goes through escape_text_name, the one definition of the escaping.
 */
static void write_block(FILE *out, const struct pdtt_report *r, const char *uid, const char *name,
			const struct pdtt_value *v)
{
	char block[BLOCK_MAX];
	char *p = put_str(block, "UID: ");
	size_t len = plain_length(name);

	p = put_str(p, uid);
	p = put_str(p, " | Username: ");
	if (len || !name[0]) {
		memcpy(p, name, len);
		p += len;
	} else {
		fwrite(block, 1, (size_t)(p - block), out);
		escape_text_name(out, name);
		p = block;
	}
	*p++ = '\n';
	p = put_counters(p, r, v);
	fwrite(block, 1, (size_t)(p - block), out);
}

static void write_user(FILE *out, const struct pdtt_report *r, const struct pdtt_usage *u)
{
	const char *name = report_user_name(r, u->uid);
	char uid[DECIMAL_U64_MAX_LEN + 1];

	*put_u64(uid, u->uid) = '\0';
	write_block(out, r, uid, name ? name : PDTT_NO_USERNAME, &u->v);
}

/* A bucket reads "UID: - | Username: [unattributed]": same shape, never a user. */
static void write_bucket(FILE *out, const struct pdtt_report *r, const char *label,
			 const struct pdtt_value *v)
{
	if (!value_is_zero(v))
		write_block(out, r, "-", label, v);
}

void report_text_write(FILE *out, const struct pdtt_report *r)
{
	const struct pdtt_snapshot *snap = r->now;
	char when[32];
	struct tm tm;

	localtime_r(&snap->taken_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "=== Network Statistics Report [%s] ===\n", when);
	for (size_t i = 0; i < snap->n_users; i++)
		write_user(out, r, &snap->users[i]);
	write_bucket(out, r, PDTT_LABEL_UNATTRIBUTED, &snap->buckets[PDTT_BUCKET_UNATTRIBUTED]);
	write_bucket(out, r, PDTT_LABEL_OVERFLOW, &snap->buckets[PDTT_BUCKET_OVERFLOW]);
}
