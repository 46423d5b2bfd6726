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

/*
 * Make pin_path a directory on bpffs: mount bpffs on its parent when the
 * parent is not bpffs yet, then create pin_path (mode 0700). 0 or -errno,
 * with a message in err.
 */
int ensure_pin_dir(const char *pin_path, char *err, size_t errlen);

#endif /* PDTT_MOUNTS_H */
