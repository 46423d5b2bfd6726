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

/* What a path holds, for a message: "a symbolic link", "a FIFO"... */
static const char *kind_of(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a FIFO";
	case S_IFDIR:
		return "a directory";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	}
	return "not a regular file";
}

const char *file_error(const char *path, int err)
{
	static __thread char msg[128];
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg),
			 "it is %s, not a regular file (pdttd writes only "
			 "regular files, never through a link)",
			 kind_of(st.st_mode));
		return msg;
	}
	return strerror(err);
}

/* O_NONBLOCK: a FIFO must not block the open; once it is known to be a regular file, it goes. */
int open_regular(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode), e = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		e = -errno;
	else if (!S_ISREG(st.st_mode))
		e = -EINVAL;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		e = -errno;
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

/* Something other than a regular file where path should be: a rename would replace it. */
static int check_regular_or_absent(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

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

/* Only when it differs (a setgid directory gives it already): a chown needs CAP_CHOWN. */
static int give_group(int fd, gid_t group)
{
	struct stat st;

	if (group == (gid_t)-1 || (fstat(fd, &st) == 0 && st.st_gid == group))
		return 0;
	return fchown(fd, (uid_t)-1, group);
}

int replace_begin(struct replacement *r, const char *path, mode_t mode, gid_t group)
{
	int err = check_regular_or_absent(path);

	r->fd = -1;
	r->tmp = NULL;
	if (err)
		return err;
	r->tmp = temp_name_for(path);
	if (!r->tmp)
		return -ENOMEM;
	/* O_EXCL (mkostemp's own) never follows a link: the temporary file is always new. */
	r->fd = mkostemp(r->tmp, O_CLOEXEC | O_NOFOLLOW);
	if (r->fd < 0 || give_group(r->fd, group) < 0 || fchmod(r->fd, mode) < 0) {
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
	if (!err)
		err = check_regular_or_absent(path);
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

int replace_file(const char *path, const void *buf, size_t len, mode_t mode, gid_t group,
		 bool durable)
{
	struct replacement r;
	int err = replace_begin(&r, path, mode, group);

	if (!err)
		err = write_all(r.fd, buf, len);
	if (err) {
		replace_abort(&r);
		return err;
	}
	return replace_commit(&r, path, durable);
}
