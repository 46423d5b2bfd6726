// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lock.h"

/* Whether a lock line ("1: FLOCK  ADVISORY  WRITE PID MAJ:MIN:INO ...") is on st's inode. */
static bool flock_on(const char *line, const struct stat *st, pid_t *pid)
{
	unsigned int maj, min;
	unsigned long ino;
	int p;

	if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &p, &maj, &min, &ino) != 4 ||
	    ino != st->st_ino || makedev(maj, min) != st->st_dev)
		return false;
	*pid = p;
	return true;
}

/* The PID /proc/locks gives for an flock on st's inode; 0 if there is none. */
static pid_t locks_pid(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "r");
	char line[256];
	pid_t pid = 0;

	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f))
		if (!flock_on(line, st, &pid))
			pid = 0;
	fclose(f);
	return pid;
}

/* Whether process pid has st's inode open with an flock on it (its fdinfo says). */
static bool holds(pid_t pid, const struct stat *st)
{
	char path[300], line[256];
	struct dirent *de;
	struct stat fst;
	bool found = false;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		pid_t ignored;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, de->d_name);
		if (stat(path, &fst) < 0 || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = strncmp(line, "lock:", 5) == 0 &&
				flock_on(line + 5 + strspn(line + 5, " \t"), st, &ignored);
		fclose(f);
	}
	closedir(dir);
	return found;
}

/* The process holding the flock, by its open files; 0 if none is found. */
static pid_t find_holder(const struct stat *st)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	pid_t pid = 0;

	if (!proc)
		return 0;
	while (!pid && (de = readdir(proc))) {
		char *end;
		long n = strtol(de->d_name, &end, 10);

		if (*end == '\0' && n > 0 && n <= INT_MAX && holds((pid_t)n, st))
			pid = (pid_t)n;
	}
	closedir(proc);
	return pid;
}

/*
 * /proc/locks names the process that took the lock, which is gone once
 * pdttd has detached (daemon() forks, and the child holds the lock on):
 * then the holder is the process whose open file of the directory carries
 * the lock.
 */
static pid_t lock_holder(const struct stat *st)
{
	pid_t pid = locks_pid(st);

	if (pid <= 0 || holds(pid, st))
		return pid;
	pid = find_holder(st);
	return pid ? pid : -1;
}

int pin_lock(const char *pin_path, pid_t *holder)
{
	int fd = open(pin_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	*holder = 0;
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK && fstat(fd, &st) == 0) {
		*holder = lock_holder(&st);
		if (*holder < 0)
			*holder = 0;
	}
	close(fd);
	return -EWOULDBLOCK;
}

pid_t pin_lock_holder(const char *pin_path)
{
	struct stat st;

	if (stat(pin_path, &st) < 0)
		return 0;
	return lock_holder(&st);
}
