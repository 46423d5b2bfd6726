/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format, for node_exporter's textfile
 * collector: per-user counters labelled uid, user and class, the buckets as
 * metrics of their own (labelled bucket and class, never uid or user, so that
 * no query can take them for a user), and three gauges. No timestamps: the
 * textfile collector refuses them.
 */
#ifndef PDTT_REPORT_PROM_H
#define PDTT_REPORT_PROM_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "report.h"

void report_prom_write(FILE *out, const struct pdtt_report *r);

/*
 * Replace path with buf atomically: a temporary file in the same directory
 * (a hidden name that does not end in .prom, so the collector skips it),
 * mode 0640 and group (node_exporter's, so that only it and root read
 * everyone's traffic; (gid_t)-1: root's), then rename. 0 or -errno; on
 * failure path is left as it was.
 */
int report_prom_save(const char *path, const char *buf, size_t len, gid_t group);

#endif /* PDTT_REPORT_PROM_H */
