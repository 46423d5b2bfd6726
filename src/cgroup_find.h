/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which cgroup a cgroup_skb link is on: the kernel gives its id, a person wants its path. */
#ifndef PDTT_CGROUP_FIND_H
#define PDTT_CGROUP_FIND_H

#include <stddef.h>
#include <stdint.h>

/*
 * The path of the cgroup v2 directory whose id (its inode number) is id,
 * searched for under root; 0, or -1 when no cgroup there has it.
 */
int cgroup_find_by_id(const char *root, uint64_t id, char *out, size_t outlen);

#endif /* PDTT_CGROUP_FIND_H */
