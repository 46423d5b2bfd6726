/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text report: the format administrators and their scripts read. */
#ifndef PDTT_REPORT_TEXT_H
#define PDTT_REPORT_TEXT_H

#include <stdio.h>
#include "report.h"

/* Labels of the special buckets: bracketed, so no user name can look like them. */
#define PDTT_LABEL_UNATTRIBUTED "[unattributed]"
#define PDTT_LABEL_OVERFLOW "[overflow]"

/* What the text report and the pdtt table show for a UID that has no passwd entry. */
#define PDTT_NO_USERNAME "(unknown)"

/*
 * Write one report block (header, one block per UID, then non-zero buckets).
 * With r->split, each block also has a "Local:" and an "External:" line.
 */
void report_text_write(FILE *out, const struct pdtt_report *r);

#endif /* PDTT_REPORT_TEXT_H */
