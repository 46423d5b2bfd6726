// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <time.h>
#include "escape.h"
#include "report_json.h"

static void write_four(FILE *out, const struct pdtt_counters *c)
{
	fprintf(out, "\"tx_bytes\":%llu,\"tx_packets\":%llu,\"rx_bytes\":%llu,\"rx_packets\":%llu",
		(unsigned long long)c->tx_bytes, (unsigned long long)c->tx_packets,
		(unsigned long long)c->rx_bytes, (unsigned long long)c->rx_packets);
}

/* SEP"name":{four figures} */
static void write_class(FILE *out, const char *sep, const char *name, const struct pdtt_counters *c)
{
	fprintf(out, "%s\"%s\":{", sep, name);
	write_four(out, c);
	fputc('}', out);
}

/*
 * All classes together, then local and external; with networks, the named
 * ones in "networks" (apart, so that a name never meets a figure's key).
 */
void report_json_counts(FILE *out, const struct pdtt_classes *classes, const struct pdtt_value *v)
{
	struct pdtt_counters total = value_total(v);

	fputc('{', out);
	write_four(out, &total);
	write_class(out, ",", "local", &v->by_class[PDTT_CLASS_LOCAL]);
	write_class(out, ",", "external", &v->by_class[PDTT_CLASS_EXTERNAL]);
	if (classes_named(classes)) {
		fputs(",\"networks\":{", out);
		for (unsigned int cls = PDTT_CLASS_FIRST_NAMED; cls < classes_count(classes); cls++)
			write_class(out, cls > PDTT_CLASS_FIRST_NAMED ? "," : "",
				    classes_name(classes, cls), &v->by_class[cls]);
		fputc('}', out);
	}
	fputc('}', out);
}

/* ,"interval_seconds":..., null without a previous reading. */
static void write_interval_seconds(FILE *out, const struct pdtt_report *r)
{
	long long ms = (long long)(r->interval * 1000 + 0.5); /* interval >= 0 */

	/* Not %f: a CLI that calls setlocale() could get a decimal comma. */
	if (r->prev)
		fprintf(out, ",\"interval_seconds\":%lld.%03lld", ms / 1000, ms % 1000);
	else
		fputs(",\"interval_seconds\":null", out);
}

/* Everything after "bucket": the same for users and buckets. */
static void write_figures(FILE *out, const struct pdtt_report *r, const struct pdtt_value *now,
			  const struct pdtt_value *delta)
{
	write_interval_seconds(out, r);
	fputs(",\"cumulative\":", out);
	report_json_counts(out, &r->now->classes, now);
	fputs(",\"interval\":", out);
	if (r->prev)
		report_json_counts(out, &r->now->classes, delta);
	else
		fputs("null", out);
	fputs("}\n", out);
}

/* {"time":"...","host":"..." : the start of every line. */
static void write_head(FILE *out, const char *when, const struct pdtt_report *r)
{
	fprintf(out, "{\"time\":\"%s\",\"host\":", when);
	escape_json_string(out, r->host);
}

static int nonzero_buckets(const struct pdtt_snapshot *snap)
{
	int n = 0;

	for (int b = 0; b < PDTT_BUCKET_COUNT; b++)
		n += !value_is_zero(&snap->buckets[b]);
	return n;
}

/*
 * The report line, written even when nothing was counted: it tells a log
 * shipper "alive, idle" from "stopped". uid and bucket both null set it apart
 * from the user and bucket lines without changing them.
 */
static void write_report_line(FILE *out, const char *when, const struct pdtt_report *r)
{
	write_head(out, when, r);
	fputs(",\"uid\":null,\"user\":null,\"bucket\":null,\"type\":\"report\"", out);
	write_interval_seconds(out, r);
	fprintf(out, ",\"users\":%zu,\"buckets\":%d}\n", r->now->n_users, nonzero_buckets(r->now));
}

void report_json_write(FILE *out, const struct pdtt_report *r)
{
	const struct pdtt_snapshot *snap = r->now;
	struct pdtt_value now, delta;
	char when[32];
	struct tm tm;

	/* RFC 3339 in UTC: one time zone for a whole fleet of nodes. */
	gmtime_r(&snap->taken_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	write_report_line(out, when, r);
	for (size_t i = 0; i < snap->n_users; i++) {
		const struct pdtt_usage *u = &snap->users[i];

		write_head(out, when, r);
		fprintf(out, ",\"uid\":%" PRIu32 ",\"user\":", u->uid);
		escape_json_string(out, report_user_name(r, u->uid));
		fputs(",\"bucket\":null", out);
		delta = report_user_delta(r, i);
		usage_value(snap, u, &now);
		write_figures(out, r, &now, &delta);
	}
	for (int b = 0; b < PDTT_BUCKET_COUNT; b++) {
		if (value_is_zero(&snap->buckets[b]))
			continue;
		write_head(out, when, r);
		fprintf(out, ",\"uid\":null,\"user\":null,\"bucket\":\"%s\"",
			report_bucket_name(b));
		delta = report_bucket_delta(r, b);
		write_figures(out, r, &snap->buckets[b], &delta);
	}
}
