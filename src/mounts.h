/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The filesystems pdtt needs: the cgroup v2 hierarchy and bpffs for its pins. */
#ifndef PDTT_MOUNTS_H
#define PDTT_MOUNTS_H

#include <stddef.h>

/*
 * The mount point of the cgroup v2 hierarchy, from mounts_file (normally
 * /proc/mounts): 0, or -ENOENT when there is none.
 */
int find_cgroup2_root(const char *mounts_file, char *out, size_t outlen);

/* Where bpffs is mounted by convention, and the only place pdttd mounts it. */
#define PDTT_BPFFS_DIR "/sys/fs/bpf"
/* ensure_pin_dir: pin_path is elsewhere and not on a bpffs (a configuration error). */
#define PDTT_PIN_NOT_ON_BPFFS 1

/*
 * Make pin_path a directory on bpffs: mount bpffs on /sys/fs/bpf when
 * pin_path is under it and it is not mounted yet; any other pin_path (its
 * nearest existing directory) must already be on a bpffs. Then create
 * pin_path (mode 0700). 0, PDTT_PIN_NOT_ON_BPFFS, or -errno, with a message
 * in err.
 */
int ensure_pin_dir(const char *pin_path, char *err, size_t errlen);

#endif /* PDTT_MOUNTS_H */
