// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"
#include "fileio.h"
#include "report_prom.h"

/* One counter family: its name, its help, and which of the four figures it is. */
struct family {
	const char *name;
	const char *help;
	size_t offset; /* in struct pdtt_counters */
};

static const struct family families[] = {
	{ "transmit_bytes_total",
	  "Bytes sent (IP datagrams as on the wire: each segment with its own headers, "
	  "link-layer headers excluded)",
	  offsetof(struct pdtt_counters, tx_bytes) },
	{ "receive_bytes_total",
	  "Bytes received (IP datagrams as on the wire: each segment with its own headers, "
	  "link-layer headers excluded)",
	  offsetof(struct pdtt_counters, rx_bytes) },
	{ "transmit_packets_total", "Packets (segments) sent",
	  offsetof(struct pdtt_counters, tx_packets) },
	{ "receive_packets_total", "Packets (segments) received",
	  offsetof(struct pdtt_counters, rx_packets) },
};

#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static unsigned long long figure(const struct pdtt_counters *c, const struct family *f)
{
	return *(const uint64_t *)((const char *)c + f->offset);
}

/*
 * ,class="local" as before networks; with networks, network="NAME" on every
 * series, and class only on local and external, where it means what it
 * meant (kept for one release, for the queries that use it).
 */
static void write_class_labels(FILE *out, const struct pdtt_report *r, unsigned int cls)
{
	if (cls < PDTT_CLASS_FIRST_NAMED)
		fprintf(out, ",class=\"%s\"", report_class_name(r, cls));
	if (report_by_network(r))
		fprintf(out, ",network=\"%s\"", report_class_name(r, cls));
}

static void write_users(FILE *out, const struct pdtt_report *r, const struct family *f)
{
	const struct pdtt_snapshot *snap = r->now;

	if (report_by_network(r))
		fprintf(out,
			"# HELP pdtt_%s %s by each user since accounting began, by network of "
			"the remote address (label network; label class, on local and external "
			"only, is deprecated).\n",
			f->name, f->help);
	else
		fprintf(out,
			"# HELP pdtt_%s %s by each user since accounting began, by class of "
			"the remote address (local or external).\n",
			f->name, f->help);
	fprintf(out, "# TYPE pdtt_%s counter\n", f->name);
	for (size_t i = 0; i < snap->n_users; i++) {
		const struct pdtt_usage *u = &snap->users[i];
		const char *user = report_user_name(r, u->uid);

		for (unsigned int cls = 0; cls < report_n_classes(r); cls++) {
			fprintf(out, "pdtt_%s{uid=\"%" PRIu32 "\",user=\"", f->name, u->uid);
			escape_prom_label(out, user ? user : "");
			fputc('"', out);
			write_class_labels(out, r, cls);
			fprintf(out, "} %llu\n", figure(usage_class(snap, u, cls), f));
		}
	}
}

/* Always both buckets, zeros included: their series exist from the first scrape. */
static void write_buckets(FILE *out, const struct pdtt_report *r, const struct family *f)
{
	fprintf(out,
		"# HELP pdtt_bucket_%s %s that no user is charged for: bucket "
		"\"unattributed\" (no local socket) or \"overflow\" (the UID map was full).\n",
		f->name, f->help);
	fprintf(out, "# TYPE pdtt_bucket_%s counter\n", f->name);
	for (int b = 0; b < PDTT_BUCKET_COUNT; b++)
		for (unsigned int cls = 0; cls < report_n_classes(r); cls++) {
			fprintf(out, "pdtt_bucket_%s{bucket=\"%s\"", f->name,
				report_bucket_name(b));
			write_class_labels(out, r, cls);
			fprintf(out, "} %llu\n", figure(&r->now->buckets[b].by_class[cls], f));
		}
}

static void write_gauge(FILE *out, const char *name, const char *help, long long value)
{
	fprintf(out, "# HELP pdtt_%s %s\n# TYPE pdtt_%s gauge\npdtt_%s %lld\n", name, help, name,
		name, value);
}

void report_prom_write(FILE *out, const struct pdtt_report *r)
{
	const struct pdtt_snapshot *map = r->kernel ? r->kernel : r->now;

	for (size_t f = 0; f < N_FAMILIES; f++)
		write_users(out, r, &families[f]);
	for (size_t f = 0; f < N_FAMILIES; f++)
		write_buckets(out, r, &families[f]);
	write_gauge(out, "users", "Users (UIDs) that have counters in the kernel map.",
		    (long long)map->n_users);
	write_gauge(out, "max_users",
		    "Users the kernel map can hold (max_users); the traffic of "
		    "further users is counted in the overflow bucket.",
		    (long long)map->capacity);
	write_gauge(out, "last_report_timestamp_seconds",
		    "UNIX time of the reading this file reports.", (long long)r->now->taken_at);
}

int report_prom_save(const char *path, const char *buf, size_t len, gid_t group)
{
	/* No fsync: the next report rewrites it anyway. */
	return replace_file(path, buf, len, 0640, group, false);
}
