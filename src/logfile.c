// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"
#include "logfile.h"

/* A report reaches the file in pieces of this size, whatever its length. */
#define STREAM_BUFFER (128 * 1024)

struct logfile {
	char *path;
	int fd;
	/* The report being written (logfile_begin to logfile_end). */
	off_t before; /* the file's size before it; -1: unknown */
	int err;      /* the first write error (-errno), 0: none */
	FILE *copy;   /* where the same bytes go too; NULL: nowhere */
	char *buffer; /* STREAM_BUFFER bytes, kept from report to report */
};

/* -errno as open_regular; errno set too, for logfile_open's callers. */
static int open_append(const char *path)
{
	int fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, 0640);

	if (fd < 0)
		errno = -fd;
	return fd;
}

struct logfile *logfile_open(const char *path)
{
	struct logfile *lf = calloc(1, sizeof(*lf));
	int saved;

	if (!lf)
		return NULL;
	lf->path = strdup(path);
	lf->fd = lf->path ? open_append(path) : -1;
	if (lf->fd < 0) {
		saved = errno;
		free(lf->path);
		free(lf);
		errno = saved;
		return NULL;
	}
	return lf;
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	close(lf->fd);
	free(lf->buffer);
	free(lf->path);
	free(lf);
}

int logfile_reopen(struct logfile *lf)
{
	int fd = open_append(lf->path);

	if (fd < 0)
		return fd;
	close(lf->fd);
	lf->fd = fd;
	return 0;
}

/* True when path no longer names the file we hold open. */
static int was_moved(const struct logfile *lf)
{
	struct stat by_path, by_fd;

	if (stat(lf->path, &by_path) < 0 || fstat(lf->fd, &by_fd) < 0)
		return 1;
	return by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino;
}

/*
 * stdio hands over each full buffer: it goes to the file until a write fails
 * (the rest of the report is then not written: logfile_end undoes it), and to
 * the copy in any case. Reporting success to stdio keeps the report going.
 */
static ssize_t stream_write(void *cookie, const char *buf, size_t len)
{
	struct logfile *lf = cookie;

	if (!lf->err)
		lf->err = write_all(lf->fd, buf, len);
	if (lf->copy)
		fwrite(buf, 1, len, lf->copy);
	return (ssize_t)len;
}

FILE *logfile_begin(struct logfile *lf, FILE *copy)
{
	static const cookie_io_functions_t io = { .write = stream_write };
	struct stat st;
	FILE *f;

	if (!lf->buffer && !(lf->buffer = malloc(STREAM_BUFFER)))
		return NULL;
	f = fopencookie(lf, "w", io);
	if (!f)
		return NULL;
	setvbuf(f, lf->buffer, _IOFBF, STREAM_BUFFER);
	lf->copy = copy;
	lf->err = was_moved(lf) ? logfile_reopen(lf) : 0;
	lf->before = !lf->err && fstat(lf->fd, &st) == 0 ? st.st_size : -1;
	return f;
}

int logfile_end(struct logfile *lf, FILE *report)
{
	fclose(report);
	/* Disk full after part of it: no partial report stays in the file. */
	if (lf->err && lf->before >= 0 && ftruncate(lf->fd, lf->before) < 0)
		lf->err = -errno;
	return lf->err;
}

const char *logfile_path(const struct logfile *lf)
{
	return lf->path;
}
