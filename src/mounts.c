// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "mounts.h"

int find_cgroup2_root(const char *mounts_file, char *out, size_t outlen)
{
	FILE *f = setmntent(mounts_file, "r");
	struct mntent *m;
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0 && strlen(m->mnt_dir) < outlen) {
			strcpy(out, m->mnt_dir);
			rc = 0;
			break;
		}
	}
	endmntent(f);
	return rc;
}

static int is_bpffs(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

int ensure_pin_dir(const char *pin_path, char *err, size_t errlen)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", pin_path);
	dirname(parent);
	if (!is_bpffs(parent)) {
		/* Only root may mount; bpffs is the kernel's, not a device of ours. */
		if (mount("bpf", parent, "bpf", 0, "mode=0700") < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot mount bpffs on %s for pin_path %s: %s",
				 parent, pin_path, strerror(e));
			return -e;
		}
	}
	if (mkdir(pin_path, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		snprintf(err, errlen, "cannot create pin_path %s: %s", pin_path, strerror(e));
		return -e;
	}
	return 0;
}
