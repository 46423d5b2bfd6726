// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt show: see show.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "report.h"
#include "report_json.h"
#include "report_text.h"
#include "show.h"

#define N_FIXED 5                         /* UID, USER, TX, RX, TOTAL */
#define N_COLS (N_FIXED + PDTT_CLASS_MAX) /* and LOCAL, EXTERNAL, each network */
#define NUM_LEN 32

void show_human_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	const size_t n_units = sizeof(units) / sizeof(units[0]);

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	for (size_t i = 0; i < n_units; i++) {
		uint64_t unit = (uint64_t)1 << (10 * (i + 1));
		/* Tenths of the unit, rounded; (bytes % unit) * 10 fits: unit <= 2^60. */
		uint64_t tenths = bytes / unit * 10 + ((bytes % unit) * 10 + unit / 2) / unit;

		if (tenths < 10240 || i == n_units - 1) {
			snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10,
				 units[i]);
			return;
		}
	}
}

static uint64_t total_bytes(const struct pdtt_snapshot *snap, const struct pdtt_usage *u)
{
	struct pdtt_counters c = usage_total(snap, u);

	return counters_total_bytes(&c);
}

/* Indices into the users of the snapshot ctx, by total bytes, biggest first; ties by UID. */
static int biggest_first(const void *a, const void *b, void *ctx)
{
	const struct pdtt_snapshot *snap = ctx;
	const struct pdtt_usage *x = &snap->users[*(const size_t *)a];
	const struct pdtt_usage *y = &snap->users[*(const size_t *)b];
	uint64_t tx = total_bytes(snap, x), ty = total_bytes(snap, y);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

size_t show_order(const struct pdtt_show *s, size_t *order)
{
	const struct pdtt_snapshot *t = s->totals;
	size_t n = 0;

	for (size_t i = 0; i < t->n_users; i++)
		if (!s->filter || t->users[i].uid == s->uid)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), biggest_first, (void *)t);
	return n;
}

/* ---- the table ---------------------------------------------------------- */

struct row {
	char *cells[N_COLS]; /* malloc'ed; the user's name escaped */
};

struct table {
	struct row *rows;
	size_t n_rows;
	size_t n_cols;
	size_t width[N_COLS];
};

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void format_bytes(const struct pdtt_show *s, char *buf, uint64_t bytes)
{
	if (s->exact)
		snprintf(buf, NUM_LEN, "%" PRIu64, bytes);
	else
		show_human_bytes(buf, NUM_LEN, bytes);
}

static int add_row(struct table *t, const struct pdtt_show *s, const char *uid, const char *user,
		   bool escape, const struct pdtt_value *v)
{
	struct pdtt_counters c = value_total(v);
	const struct pdtt_counters *local = &v->by_class[PDTT_CLASS_LOCAL];
	const struct pdtt_counters *ext = &v->by_class[PDTT_CLASS_EXTERNAL];
	uint64_t nums[N_COLS - 2] = { c.tx_bytes, c.rx_bytes, counters_total_bytes(&c),
				      counters_total_bytes(local), counters_total_bytes(ext) };
	struct row *r = &t->rows[t->n_rows];
	char num[NUM_LEN];
	size_t len;
	FILE *mem;

	for (size_t i = N_FIXED + PDTT_CLASS_FIRST_NAMED; i < t->n_cols; i++)
		nums[i - 2] = counters_total_bytes(&v->by_class[i - N_FIXED]);
	memset(r, 0, sizeof(*r));
	t->n_rows++; /* freed with the table even when incomplete */
	r->cells[0] = strdup(uid);
	mem = open_memstream(&r->cells[1], &len);
	if (!mem)
		return -ENOMEM;
	if (escape)
		escape_text_name(mem, user);
	else
		fputs(user, mem);
	if (fclose(mem) != 0 || !r->cells[0])
		return -ENOMEM;
	for (size_t i = 2; i < t->n_cols; i++) {
		format_bytes(s, num, nums[i - 2]);
		r->cells[i] = strdup(num);
		if (!r->cells[i])
			return -ENOMEM;
	}
	return 0;
}

static void free_table(struct table *t)
{
	for (size_t i = 0; i < t->n_rows; i++)
		for (size_t c = 0; c < N_COLS; c++)
			free(t->rows[i].cells[c]);
	free(t->rows);
}

/* UID and USER to the left, the numbers to the right; no trailing blanks. */
static void write_row(FILE *out, const struct table *t, const struct row *r)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		size_t pad = t->width[c] - width_of(r->cells[c]);

		if (c > 0)
			fputs("  ", out);
		if (c < 2) {
			fputs(r->cells[c], out);
			if (c + 1 < t->n_cols)
				fprintf(out, "%*s", (int)pad, "");
		} else {
			fprintf(out, "%*s%s", (int)pad, "", r->cells[c]);
		}
	}
	fputc('\n', out);
}

static void format_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

static void write_header(FILE *out, const struct pdtt_show *s)
{
	char since[128], when[64], as_of[64];

	format_time(as_of, sizeof(as_of), s->as_of);
	if (s->totals->accounting_start) {
		format_time(when, sizeof(when), s->totals->accounting_start);
		snprintf(since, sizeof(since), "since %s (accounting start)", when);
	} else {
		snprintf(since, sizeof(since), "%s", "since the accounting start (unknown)");
	}
	if (!s->state_file) {
		fprintf(out, "Totals %s, as of %s%s\n", since, as_of, s->exact ? ", in bytes" : "");
		return;
	}
	fprintf(out, "Totals %s, as saved at %s in the state file %s%s\n", since, as_of,
		s->state_file, s->exact ? ", in bytes" : "");
	fprintf(out,
		"No maps are pinned in %s: pdttd has not started since the last reboot "
		"(or was unloaded). It continues from these totals when it starts.\n",
		s->pin_path);
}

int show_table_write(FILE *out, const struct pdtt_show *s)
{
	static const char *const heads[N_FIXED + PDTT_CLASS_DEFAULT_COUNT] = {
		"UID", "USER", "TX", "RX", "TOTAL", "LOCAL", "EXTERNAL"
	};
	static const char *const labels[PDTT_BUCKET_COUNT] = {
		[PDTT_BUCKET_UNATTRIBUTED] = PDTT_LABEL_UNATTRIBUTED,
		[PDTT_BUCKET_OVERFLOW] = PDTT_LABEL_OVERFLOW,
	};
	const struct pdtt_snapshot *snap = s->totals;
	size_t *order = calloc(snap->n_users + 1, sizeof(*order));
	struct table t = { .n_cols = s->by_network ? N_FIXED + classes_count(&snap->classes)
				     : s->split    ? N_FIXED + PDTT_CLASS_DEFAULT_COUNT
						   : N_FIXED };
	size_t n = order ? show_order(s, order) : 0;
	char uid[16];
	int err = 0;

	/* Heading, users (or the one asked for), buckets. */
	t.rows = calloc(1 + (n ? n : 1) + PDTT_BUCKET_COUNT, sizeof(*t.rows));
	if (!order || !t.rows) {
		free(order);
		free(t.rows);
		return -ENOMEM;
	}
	t.rows[0] = (struct row){ { NULL } };
	for (size_t c = 0; c < t.n_cols && !err; c++)
		if (!(t.rows[0].cells[c] = strdup(c < 7 ? heads[c]
							: snap->classes.name[c - N_FIXED])))
			err = -ENOMEM;
	t.n_rows = 1;
	for (size_t i = 0; i < n && !err; i++) {
		const struct pdtt_usage *u = &snap->users[order[i]];
		const char *name = s->user_name ? s->user_name(s->names, u->uid) : NULL;
		struct pdtt_value v;

		snprintf(uid, sizeof(uid), "%" PRIu32, u->uid);
		usage_value(snap, u, &v);
		err = add_row(&t, s, uid, name ? name : PDTT_NO_USERNAME, true, &v);
	}
	if (s->filter && n == 0 && !err) {
		/* The user asked for has counted nothing: say so with zeros. */
		static const struct pdtt_value zero;
		const char *name = s->user_name ? s->user_name(s->names, s->uid) : NULL;

		snprintf(uid, sizeof(uid), "%" PRIu32, s->uid);
		err = add_row(&t, s, uid, name ? name : PDTT_NO_USERNAME, true, &zero);
	}
	for (int b = 0; b < PDTT_BUCKET_COUNT && !s->filter && !err; b++)
		if (!value_is_zero(&snap->buckets[b]))
			err = add_row(&t, s, "-", labels[b], false, &snap->buckets[b]);
	free(order);
	if (err) {
		free_table(&t);
		return err;
	}
	for (size_t i = 0; i < t.n_rows; i++)
		for (size_t c = 0; c < t.n_cols; c++)
			if (width_of(t.rows[i].cells[c]) > t.width[c])
				t.width[c] = width_of(t.rows[i].cells[c]);
	write_header(out, s);
	for (size_t i = 0; i < t.n_rows; i++)
		write_row(out, &t, &t.rows[i]);
	if (t.n_rows == 1)
		fputs("(nothing counted yet)\n", out);
	free_table(&t);
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void json_time(FILE *out, time_t t)
{
	char buf[32];
	struct tm tm;

	if (!t) {
		fputs("null", out);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "\"%s\"", buf);
}

static void json_user(FILE *out, const struct pdtt_show *s, uint32_t uid,
		      const struct pdtt_value *v)
{
	fprintf(out, "{\"uid\":%" PRIu32 ",\"user\":", uid);
	escape_json_string(out, s->user_name ? s->user_name(s->names, uid) : NULL);
	fputs(",\"cumulative\":", out);
	report_json_counts(out, &s->totals->classes, v);
	fputc('}', out);
}

int show_json_write(FILE *out, const struct pdtt_show *s)
{
	const struct pdtt_snapshot *snap = s->totals;
	size_t *order = calloc(snap->n_users + 1, sizeof(*order));
	size_t n;

	if (!order)
		return -ENOMEM;
	n = show_order(s, order);
	fputs("{\"time\":", out);
	json_time(out, s->as_of);
	fputs(",\"host\":", out);
	escape_json_string(out, s->host);
	fputs(",\"accounting_start\":", out);
	json_time(out, snap->accounting_start);
	fprintf(out, ",\"source\":\"%s\",\"users\":[", s->state_file ? "state_file" : "maps");
	for (size_t i = 0; i < n; i++) {
		struct pdtt_value v;

		if (i)
			fputc(',', out);
		usage_value(snap, &snap->users[order[i]], &v);
		json_user(out, s, snap->users[order[i]].uid, &v);
	}
	if (s->filter && n == 0) {
		static const struct pdtt_value zero;

		json_user(out, s, s->uid, &zero);
	}
	fputs("],\"buckets\":[", out);
	for (int b = 0; b < PDTT_BUCKET_COUNT && !s->filter; b++) {
		fprintf(out, "%s{\"bucket\":\"%s\",\"cumulative\":", b ? "," : "",
			report_bucket_name(b));
		report_json_counts(out, &snap->classes, &snap->buckets[b]);
		fputc('}', out);
	}
	fputs("]}\n", out);
	free(order);
	return 0;
}
