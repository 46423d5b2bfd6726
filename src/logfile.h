/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An append-only report log that survives rotation: each report is streamed
 * through a fixed buffer to an O_APPEND descriptor that only pdttd writes, so
 * a report is never split between two files or interleaved, and a log moved
 * away is replaced. A report of 100,000 UIDs is 14 MB: it never exists whole
 * in memory.
 */
#ifndef PDTT_LOGFILE_H
#define PDTT_LOGFILE_H

#include <stddef.h>
#include <stdio.h>

struct logfile;

/*
 * Open (creating with mode 0640) path for appending, only if it is a regular
 * file (open_regular); NULL with errno set (file_error says why).
 */
struct logfile *logfile_open(const char *path);
void logfile_close(struct logfile *lf);

/* Reopen the same path (SIGHUP after logrotate); 0 or -errno, old fd kept on error. */
int logfile_reopen(struct logfile *lf);

/*
 * Start appending a report: write it to the FILE returned, then logfile_end.
 * Reopens first if the file was removed or renamed behind our back. copy (or
 * NULL) gets the same bytes, even when the log cannot be written. NULL with
 * errno set when out of memory.
 */
FILE *logfile_begin(struct logfile *lf, FILE *copy);

/*
 * Finish the report begun with logfile_begin (report is closed): 0 or
 * -errno. A write that fails part way (disk full) is undone: the file is
 * truncated back to its size before, so no partial report stays. Only a
 * pdttd killed while it writes (SIGKILL, a crash) can leave one, cut off at
 * the end of the file.
 */
int logfile_end(struct logfile *lf, FILE *report);

const char *logfile_path(const struct logfile *lf);

#endif /* PDTT_LOGFILE_H */
