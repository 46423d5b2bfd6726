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

/* The nearest existing directory of path (path itself, or a parent) into out. */
static void nearest_existing(const char *path, char *out, size_t outlen)
{
	struct stat st;

	snprintf(out, outlen, "%s", path);
	while (stat(out, &st) < 0 && strcmp(out, "/")) {
		const char *parent = dirname(out);

		memmove(out, parent, strlen(parent) + 1);
	}
}

/*
 * bpffs is mounted only at its usual place: mounted anywhere else it would
 * hide what is there (pin_path "/run/pdtt" would hide all of /run).
 */
static int mount_standard_bpffs(const char *pin_path, char *err, size_t errlen)
{
	size_t len = strlen(PDTT_BPFFS_DIR);

	if (strncmp(pin_path, PDTT_BPFFS_DIR "/", len + 1) || is_bpffs(PDTT_BPFFS_DIR))
		return 0;
	if (mount("bpf", PDTT_BPFFS_DIR, "bpf", 0, "mode=0700") < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot mount bpffs on %s for pin_path %s: %s",
			 PDTT_BPFFS_DIR, pin_path, strerror(e));
		return -e;
	}
	return 0;
}

int ensure_pin_dir(const char *pin_path, char *err, size_t errlen)
{
	char existing[PATH_MAX];
	int e = mount_standard_bpffs(pin_path, err, errlen);

	if (e)
		return e;
	nearest_existing(pin_path, existing, sizeof(existing));
	if (!is_bpffs(existing)) {
		snprintf(err, errlen,
			 "pin_path %s is not on a bpffs: %s is not a bpf filesystem; pdttd "
			 "mounts one only at " PDTT_BPFFS_DIR
			 ": use a pin_path under " PDTT_BPFFS_DIR
			 ", or mount a bpffs there first (mount -t bpf bpf DIR)",
			 pin_path, existing);
		return PDTT_PIN_NOT_ON_BPFFS;
	}
	if (mkdir(pin_path, 0700) < 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "cannot create pin_path %s: %s", pin_path, strerror(e));
		return -e;
	}
	return 0;
}
