/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole writes and atomic file replacement, shared by every file pdttd writes. */
#ifndef PDTT_FILEIO_H
#define PDTT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write all of buf, retrying short writes and EINTR: 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Replace path with buf so that a reader sees the old or the new content,
 * never a mix: a hidden temporary file in the same directory, renamed over
 * path. With durable, the file and then its directory are fsync'ed, so the new
 * content survives a power cut once this returns. 0 or -errno; on error the
 * old file is untouched.
 */
int replace_file(const char *path, const void *buf, size_t len, mode_t mode, bool durable);

#endif /* PDTT_FILEIO_H */
