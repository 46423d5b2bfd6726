/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole writes and atomic file replacement, shared by every file pdttd writes. */
#ifndef PDTT_FILEIO_H
#define PDTT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Open path (flags: O_WRONLY | O_APPEND | O_CREAT..., or O_RDONLY) only if it
 * is a regular file: never through a symbolic link (O_NOFOLLOW), and a FIFO
 * neither blocks the open nor is written (O_NONBLOCK until fstat has seen a
 * regular file). The descriptor (close-on-exec, blocking), or -errno; -EINVAL
 * when something other than a regular file is there: file_error says what.
 */
int open_regular(const char *path, int flags, mode_t mode);

/*
 * Why a file function failed on path with err (positive errno), for a
 * message: "it is a FIFO, not a regular file (...)" when path holds something
 * other than a regular file, else strerror(err). Valid until the next call.
 */
const char *file_error(const char *path, int err);

/* Write all of buf, retrying short writes and EINTR: 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Replace path with buf so that a reader sees the old or the new content,
 * never a mix: a hidden temporary file in the same directory, renamed over
 * path. With durable, the file and then its directory are fsync'ed, so the new
 * content survives a power cut once this returns. The new file has mode and,
 * unless group is (gid_t)-1, that group. Where path holds something other
 * than a regular file (a symbolic link, a FIFO, a directory), nothing is
 * replaced: -EINVAL (file_error says what). 0 or -errno; on error the old
 * file is untouched.
 */
int replace_file(const char *path, const void *buf, size_t len, mode_t mode, gid_t group,
		 bool durable);

/*
 * The same in steps, for content written as it is made: replace_begin
 * creates the temporary file (mode, group) and sets r; write to r->fd; then
 * replace_commit renames it over path (fsync'ed first with durable), or
 * replace_abort removes it. 0 or -errno; on any error the temporary file is
 * removed and path untouched.
 */
struct replacement {
	char *tmp; /* the temporary file's name */
	int fd;
};

int replace_begin(struct replacement *r, const char *path, mode_t mode, gid_t group);
int replace_commit(struct replacement *r, const char *path, bool durable);
void replace_abort(struct replacement *r);

#endif /* PDTT_FILEIO_H */
