// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup_find.h"

/* Depth-first under the directory open as fd, whose path is out. */
static int search(int fd, uint64_t id, char *out, size_t outlen)
{
	DIR *dir = fdopendir(fd);
	size_t len = strlen(out);
	struct dirent *de;
	struct stat st;
	int found = -1, child;

	if (!dir) {
		close(fd);
		return -1;
	}
	while (found < 0 && (de = readdir(dir))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(out + len, outlen - len, "/%s", de->d_name) >= outlen - len)
			continue;
		child = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0)
			continue;
		if (fstat(child, &st) == 0 && st.st_ino == id) {
			close(child);
			found = 0;
		} else {
			found = search(child, id, out, outlen);
		}
		if (found < 0)
			out[len] = '\0';
	}
	closedir(dir);
	return found;
}

int cgroup_find_by_id(const char *root, uint64_t id, char *out, size_t outlen)
{
	struct stat st;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || snprintf(out, outlen, "%s", root) >= (int)outlen) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fstat(fd, &st) == 0 && st.st_ino == id) {
		close(fd);
		return 0;
	}
	if (!strcmp(out, "/"))
		out[0] = '\0';
	return search(fd, id, out, outlen);
}
