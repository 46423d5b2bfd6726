// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"
#include "logfile.h"

struct logfile {
	char *path;
	int fd;
};

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
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
	free(lf->path);
	free(lf);
}

int logfile_reopen(struct logfile *lf)
{
	int fd = open_append(lf->path);

	if (fd < 0)
		return -errno;
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

int logfile_append(struct logfile *lf, const char *buf, size_t len)
{
	struct stat st;
	off_t before;
	int err;

	if (was_moved(lf)) {
		err = logfile_reopen(lf);
		if (err)
			return err;
	}
	before = fstat(lf->fd, &st) == 0 ? st.st_size : -1;
	err = write_all(lf->fd, buf, len);
	/* Disk full after part of it: no partial report stays in the file. */
	if (err && before >= 0 && ftruncate(lf->fd, before) < 0)
		err = -errno;
	return err;
}

const char *logfile_path(const struct logfile *lf)
{
	return lf->path;
}
