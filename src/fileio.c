// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, e = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		e = -errno;
	close(fd);
	return e;
}

/* "/dir/name" -> "/dir/.name.XXXXXX": hidden, so no reader globbing *.prom sees it. */
static char *temp_name_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = malloc(strlen(path) + 16);

	if (tmp)
		sprintf(tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	return tmp;
}

int replace_begin(struct replacement *r, const char *path, mode_t mode)
{
	int err;

	r->fd = -1;
	r->tmp = temp_name_for(path);
	if (!r->tmp)
		return -ENOMEM;
	r->fd = mkostemp(r->tmp, O_CLOEXEC);
	if (r->fd < 0 || fchmod(r->fd, mode) < 0) {
		err = -errno;
		replace_abort(r);
		return err;
	}
	return 0;
}

void replace_abort(struct replacement *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		unlink(r->tmp);
	}
	free(r->tmp);
	r->tmp = NULL;
	r->fd = -1;
}

int replace_commit(struct replacement *r, const char *path, bool durable)
{
	int err = 0;

	if (durable && fsync(r->fd) < 0)
		err = -errno;
	if (close(r->fd) < 0 && !err)
		err = -errno;
	r->fd = -1;
	if (!err && rename(r->tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(r->tmp);
	free(r->tmp);
	r->tmp = NULL;
	if (!err && durable)
		err = fsync_dir_of(path);
	return err;
}

int replace_file(const char *path, const void *buf, size_t len, mode_t mode, bool durable)
{
	struct replacement r;
	int err = replace_begin(&r, path, mode);

	if (!err)
		err = write_all(r.fd, buf, len);
	if (err) {
		replace_abort(&r);
		return err;
	}
	return replace_commit(&r, path, durable);
}
