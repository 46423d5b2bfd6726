/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON lines log: per report, one JSON object per line: first the report
 * line, written even when nothing was counted (so that an idle daemon still
 * leaves a trace),
 *
 * {"time":"2025-10-27T14:30:00Z","host":"node01","uid":null,"user":null,
 *  "bucket":null,"type":"report","interval_seconds":10.002,"users":4,"buckets":1}
 *
 * ("users" and "buckets": how many lines of each kind follow), then one per
 * user and one per non-empty bucket, e.g. (wrapped here):
 *
 * {"time":"2025-10-27T14:30:00Z","host":"node01","uid":1000,"user":"alice",
 *  "bucket":null,"interval_seconds":10.000,
 *  "cumulative":{"tx_bytes":..,"tx_packets":..,"rx_bytes":..,"rx_packets":..,
 *                "local":{..same four..},"external":{..same four..}},
 *  "interval":{..same as cumulative, counted since the previous report..}}
 *
 * A bucket has "uid":null,"user":null,"bucket":"unattributed" (or "overflow").
 * "user" is null for a UID without a passwd entry. Without a previous reading
 * (r->prev NULL), "interval_seconds" and "interval" are null. The user and
 * bucket lines have no "type": they are as they were before the report line
 * existed.
 */
#ifndef PDTT_REPORT_JSON_H
#define PDTT_REPORT_JSON_H

#include <stdio.h>
#include "report.h"

void report_json_write(FILE *out, const struct pdtt_report *r);

/*
 * One set of counts as the log's "cumulative" object: {"tx_bytes":..,
 * "tx_packets":..,"rx_bytes":..,"rx_packets":..,"local":{..},"external":{..}}
 * (pdtt show --json uses it too).
 */
void report_json_counts(FILE *out, const struct pdtt_classes *classes, const struct pdtt_value *v);

#endif /* PDTT_REPORT_JSON_H */
