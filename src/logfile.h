/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An append-only report log that survives rotation: each report is written
 * with one write() on an O_APPEND descriptor, so a report is never split
 * between two files or interleaved, and a log moved away is replaced.
 */
#ifndef PDTT_LOGFILE_H
#define PDTT_LOGFILE_H

#include <stddef.h>

struct logfile;

/* Open (creating with mode 0640) path for appending; NULL with errno set. */
struct logfile *logfile_open(const char *path);
void logfile_close(struct logfile *lf);

/* Reopen the same path (SIGHUP after logrotate); 0 or -errno, old fd kept on error. */
int logfile_reopen(struct logfile *lf);

/*
 * Append buf; reopens first if the file was removed or renamed behind our back.
 * 0 or -errno. A write that fails part way (disk full) is undone: the file is
 * truncated back to its size before, so it never holds a partial report.
 */
int logfile_append(struct logfile *lf, const char *buf, size_t len);

const char *logfile_path(const struct logfile *lf);

#endif /* PDTT_LOGFILE_H */
