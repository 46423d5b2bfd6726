// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * For slurm.sh only: an LD_PRELOAD library for slurmd in a container on a
 * host that also mounts cgroup v1 hierarchies. The kernel lists those in
 * /proc/self/cgroup even inside the container, and Slurm's cgroup/v2 plugin
 * then stops with "Hybrid mode is not supported". Reads of /proc/self/cgroup
 * (and /proc/PID/cgroup) here get only its "0::" line, the v2 one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int is_cgroup_file(const char *path)
{
	size_t len = path ? strlen(path) : 0;

	return len > 13 && !strncmp(path, "/proc/", 6) && !strcmp(path + len - 7, "/cgroup");
}

/* A memfd holding the v2 line of path, at offset 0; -1 to fall through. */
static int v2_only(const char *path)
{
	int (*real_open)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT,
											  "open");
	char buf[8192], *line, *save = NULL;
	int in = real_open(path, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	n = read(in, buf, sizeof(buf) - 1);
	close(in);
	out = memfd_create("cgroup", MFD_CLOEXEC);
	if (n < 0 || out < 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3) &&
		    (write(out, line, strlen(line)) < 0 || write(out, "\n", 1) < 0))
			break;
	lseek(out, 0, SEEK_SET);
	return out;
}

/* Through openat, where the path is looked at. */
int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	return openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

FILE *fopen(const char *path, const char *how)
{
	FILE *(*real_fopen)(const char *, const char *) = (FILE * (*)(const char *, const char *))
		dlsym(RTLD_NEXT, "fopen");
	int fd;

	if (is_cgroup_file(path) && (fd = v2_only(path)) >= 0)
		return fdopen(fd, how);
	return real_fopen(path, how);
}

FILE *fopen64(const char *path, const char *how) __attribute__((alias("fopen")));

int openat(int dirfd, const char *path, int flags, ...)
{
	int (*real_openat)(int, const char *, int,
			   ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	va_list ap;
	mode_t mode;
	int fd;

	if (is_cgroup_file(path) && (fd = v2_only(path)) >= 0)
		return fd;
	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));
