/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text report: the format administrators and their scripts read. */
#ifndef PDTT_REPORT_TEXT_H
#define PDTT_REPORT_TEXT_H

#include <stdio.h>
#include "snapshot.h"
#include "usercache.h"

/* Labels of the special buckets: bracketed, so no user name can look like them. */
#define PDTT_LABEL_UNATTRIBUTED "[unattributed]"
#define PDTT_LABEL_OVERFLOW "[overflow]"

/* Write one report block (header, one block per UID, then non-zero buckets). */
void report_text_write(FILE *out, const struct pdtt_snapshot *snap, struct usercache *names);

#endif /* PDTT_REPORT_TEXT_H */
