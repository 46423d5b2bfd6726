// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt history's outputs: see history_render.h. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include "escape.h"
#include "history_render.h"
#include "show.h"

#define BAR_WIDTH 30
#define CELL 48

enum column {
	COL_PERIOD,
	COL_USER,
	COL_UID,
	COL_RX,
	COL_TX,
	COL_TOTAL,
	N_COLS
};

static const char *user_of(const struct history_view *v, uint32_t uid)
{
	return v->user_name ? v->user_name(v->names, uid) : NULL;
}

/*
 * Times are formatted by hand: strftime calls tzset, which stats (and may
 * reread) /etc/localtime every time, and a month of 10,000 users is 310,000
 * rows.
 */
static void format_utc(char *buf, size_t len, time_t t, int fields)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (fields) {
	case 2: /* a month */
		snprintf(buf, len, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
		break;
	case 3: /* a day */
		snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		break;
	case 5: /* a minute */
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
		break;
	default: /* RFC 3339 */
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		break;
	}
}

/* A bucket's start as the table shows it: as much of it as the tier tells apart. */
static void format_period(char *buf, size_t len, enum usage_tier tier, time_t start)
{
	static const int fields[USAGE_TIER_COUNT] = { 5, 5, 3, 2 };

	format_utc(buf, len, start, fields[tier]);
}

static void format_rfc3339(char *buf, size_t len, time_t t)
{
	format_utc(buf, len, t, 6);
}

static size_t width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* The cells of row i; the user cell is the name or "(unknown)". */
static void cells_of(const struct history_view *v, size_t i, char cells[N_COLS][CELL],
		     const char **user)
{
	const struct history_row *r = &v->res->rows[i];
	const char *name = user_of(v, r->uid);

	format_period(cells[COL_PERIOD], CELL, v->res->tier, r->start);
	/* The mark goes in the first column shown (--top has no period). */
	snprintf(cells[COL_USER], CELL, "%s", r->catch_up_bytes && v->res->top ? "*" : "");
	if (r->catch_up_bytes && !v->res->top)
		strcat(cells[COL_PERIOD], "*");
	*user = name ? name : "(unknown)";
	snprintf(cells[COL_UID], CELL, "%" PRIu32, r->uid);
	show_human_bytes(cells[COL_RX], CELL, r->total.rx_bytes);
	show_human_bytes(cells[COL_TX], CELL, r->total.tx_bytes);
	show_human_bytes(cells[COL_TOTAL], CELL, counters_total_bytes(&r->total));
}

static void write_bar(FILE *out, uint64_t total, uint64_t max)
{
	int n = max ? (int)((double)total / (double)max * BAR_WIDTH + 0.5) : 0;

	if (total && n == 0)
		n = 1;
	for (int i = 0; i < n; i++)
		fputc('#', out);
}

static void write_title(FILE *out, const struct history_result *res)
{
	char from[32], to[32];
	enum usage_tier day_or_month = res->tier == USAGE_MONTHLY ? USAGE_MONTHLY : USAGE_DAILY;

	format_period(from, sizeof(from), day_or_month, res->since);
	format_period(to, sizeof(to), day_or_month, res->until - 1);
	if (res->top)
		fprintf(out, "Top %zu users, %s", res->top, from);
	else
		fprintf(out, "%s usage, %s",
			res->tier == USAGE_5MIN ? "5-minute" : usage_tier_name(res->tier), from);
	if (strcmp(from, to))
		fprintf(out, " to %s", to);
	fputs(" (UTC)\n\n", out);
}

int history_table_write(FILE *out, const struct history_view *v)
{
	static const char *const heads[N_COLS] = { "PERIOD", "USER", "UID", "RX", "TX", "TOTAL" };
	const struct history_result *res = v->res;
	size_t width[N_COLS], first = res->top ? COL_USER : COL_PERIOD;
	char cells[N_COLS][CELL];
	const char *user;
	uint64_t max = 0;
	bool catch_up = false;

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(heads[c]);
	for (size_t i = 0; i < res->n_rows; i++) {
		cells_of(v, i, cells, &user);
		for (int c = 0; c < N_COLS; c++) {
			size_t w = width_of(cells[c]) + (c == COL_USER ? width_of(user) : 0);

			width[c] = w > width[c] ? w : width[c];
		}
		if (counters_total_bytes(&res->rows[i].total) > max)
			max = counters_total_bytes(&res->rows[i].total);
		catch_up |= res->rows[i].catch_up_bytes != 0;
	}
	write_title(out, res);
	if (!res->n_rows) {
		fputs("no usage recorded in this range\n", out);
		return 0;
	}
	for (size_t c = first; c < N_COLS; c++)
		fprintf(out, c <= COL_USER ? "%s%-*s" : "%s%*s", c == first ? "" : "  ",
			(int)width[c], heads[c]);
	fputs("\n", out);
	for (size_t i = 0; i < res->n_rows; i++) {
		cells_of(v, i, cells, &user);
		if (!res->top)
			fprintf(out, "%-*s  ", (int)width[COL_PERIOD], cells[COL_PERIOD]);
		escape_text_name(out, user);
		fprintf(out, "%s%*s", cells[COL_USER],
			(int)(width[COL_USER] - width_of(user) - width_of(cells[COL_USER])), "");
		for (int c = COL_UID; c < N_COLS; c++)
			fprintf(out, "  %*s", (int)width[c], cells[c]);
		fputs("  ", out);
		write_bar(out, counters_total_bytes(&res->rows[i].total), max);
		fputs("\n", out);
	}
	if (catch_up)
		fputs("\n* includes traffic counted while pdttd was not running (catch_up)\n", out);
	return 0;
}

static void json_counters(FILE *out, const struct pdtt_counters *c)
{
	fprintf(out, "\"tx_bytes\":%llu,\"tx_packets\":%llu,\"rx_bytes\":%llu,\"rx_packets\":%llu",
		(unsigned long long)c->tx_bytes, (unsigned long long)c->tx_packets,
		(unsigned long long)c->rx_bytes, (unsigned long long)c->rx_packets);
}

int history_json_write(FILE *out, const struct history_view *v)
{
	const struct history_result *res = v->res;
	char from[32], to[32];

	format_rfc3339(from, sizeof(from), res->since);
	format_rfc3339(to, sizeof(to), res->until);
	fprintf(out, "{\"tier\":\"%s\",\"since\":\"%s\",\"until\":\"%s\",\"top\":",
		usage_tier_name(res->tier), from, to);
	if (res->top)
		fprintf(out, "%zu", res->top);
	else
		fputs("null", out);
	fputs(",\"rows\":[", out);
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct history_row *r = &res->rows[i];

		format_rfc3339(from, sizeof(from), r->start);
		format_rfc3339(to, sizeof(to), r->end);
		fprintf(out, "%s\n{\"start\":\"%s\",\"end\":\"%s\",\"uid\":%" PRIu32 ",\"user\":",
			i ? "," : "", from, to, r->uid);
		escape_json_string(out, user_of(v, r->uid));
		fputc(',', out);
		json_counters(out, &r->total);
		for (size_t c = 0; c < res->n_classes; c++) {
			fputc(',', out);
			escape_json_string(out, res->class_names[c]);
			fputs(":{", out);
			json_counters(out, &history_row_classes(res, r)[c]);
			fputc('}', out);
		}
		fprintf(out, ",\"catch_up_bytes\":%" PRIu64 "}", r->catch_up_bytes);
	}
	fputs("]}\n", out);
	return 0;
}

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/*
 * n in decimal at p; returns the end. Two digits at a time: a month of
 * 10,000 users is 5 million numbers, and dividing by 10 for each digit
 * was most of the CSV's time.
 */
static char *put_u64(char *p, uint64_t n)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	uint64_t bound = 10;
	size_t len = 1;
	char *d;

	while (len < 20 && n >= bound) {
		len++;
		bound = len < 20 ? bound * 10 : bound;
	}
	d = p + len;
	while (n >= 100) {
		d -= 2;
		memcpy(d, &pairs[(n % 100) * 2], 2);
		n /= 100;
	}
	if (n >= 10)
		memcpy(d - 2, &pairs[n * 2], 2);
	else
		d[-1] = (char)('0' + n);
	return p + len;
}

/* ",tx_bytes,tx_packets,rx_bytes,rx_packets" at p (at most 84 characters); returns the end. */
static char *put_csv_counters(char *p, const struct pdtt_counters *c)
{
	const uint64_t v[4] = { c->tx_bytes, c->tx_packets, c->rx_bytes, c->rx_packets };

	for (int k = 0; k < 4; k++) {
		*p++ = ',';
		p = put_u64(p, v[k]);
	}
	return p;
}

/*
 * "start,end,uid," of a row. A month of 10,000 users is 310,000 rows in 31
 * buckets: the times are formatted once per bucket, the numbers by hand
 * (printf's parsing of its format was most of the export's time).
 */
struct csv_times {
	time_t start, end;
	char text[2 * 32 + 1];
	size_t len;
};

static char *put_csv_head(char *p, struct csv_times *cache, const struct history_row *r)
{
	if (!cache->len || cache->start != r->start || cache->end != r->end) {
		char from[32], to[32];

		format_rfc3339(from, sizeof(from), r->start);
		format_rfc3339(to, sizeof(to), r->end);
		cache->len = (size_t)snprintf(cache->text, sizeof(cache->text), "%s,%s,", from, to);
		cache->start = r->start;
		cache->end = r->end;
	}
	memcpy(p, cache->text, cache->len);
	p = put_u64(p + cache->len, r->uid);
	*p++ = ',';
	return p;
}

/* Names up to this long are copied into the line (a write of its own each was 5 % of the CSV). */
#define CSV_NAME_INLINE 256

int history_csv_write(FILE *out, const struct history_view *v)
{
	static const char *const counters[] = { "tx_bytes", "tx_packets", "rx_bytes",
						"rx_packets" };
	const struct history_result *res = v->res;
	struct csv_times times = { 0 };

	fputs("start,end,uid,user,tx_bytes,tx_packets,rx_bytes,rx_packets", out);
	for (size_t c = 0; c < res->n_classes; c++)
		for (size_t k = 0; k < 4; k++) {
			fputc(',', out);
			csv_field(out, res->class_names[c]);
			fprintf(out, "_%s", counters[k]);
		}
	fputs(",catch_up_bytes\n", out);
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct history_row *r = &res->rows[i];
		char line[96 + CSV_NAME_INLINE + 84 * 64], *p = line;
		const char *name = user_of(v, r->uid);
		size_t len = name ? strlen(name) : 0;

		p = put_csv_head(p, &times, r);
		/* A plain name joins the line; one to quote, or a long one, is written apart. */
		if (len <= CSV_NAME_INLINE && (!name || !strpbrk(name, ",\"\r\n"))) {
			memcpy(p, name ? name : "", len);
			p += len;
		} else {
			fwrite(line, 1, (size_t)(p - line), out);
			csv_field(out, name);
			p = line;
		}
		p = put_csv_counters(p, &r->total);
		/* Past 64 classes, the line is written in pieces. */
		for (size_t c = 0; c < res->n_classes; c++) {
			if (p - line > (ptrdiff_t)(sizeof(line) - 100)) {
				fwrite(line, 1, (size_t)(p - line), out);
				p = line;
			}
			p = put_csv_counters(p, &history_row_classes(res, r)[c]);
		}
		*p++ = ',';
		p = put_u64(p, r->catch_up_bytes);
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), out);
	}
	return 0;
}
