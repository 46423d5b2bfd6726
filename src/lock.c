// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "lock.h"

/* The PID holding an flock on st's inode, from /proc/locks; 0 if not found. */
static pid_t lock_holder(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "r");
	char line[256];
	pid_t pid = 0;

	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long ino;
		int p;

		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &p, &maj, &min, &ino) == 4 &&
		    ino == st->st_ino && makedev(maj, min) == st->st_dev)
			pid = p;
	}
	fclose(f);
	return pid;
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
	if (errno == EWOULDBLOCK && fstat(fd, &st) == 0)
		*holder = lock_holder(&st);
	close(fd);
	return -EWOULDBLOCK;
}
