/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-job counting (the jobs setting). A job is a set of cgroups that user
 * space found by matching the cgroup tree against the configured pattern
 * (src/jobs.c); it writes each of them into pdtt_job_cgroups with the job's
 * slot. A socket keeps the cgroup it was created in, so its job is looked up
 * once, on its first packet, and cached in its storage beside its owner's
 * slot: a packet then costs one compare more than without jobs.
 *
 * User space bumps pdtt_jobs_epoch whenever it adds or removes cgroups, so
 * that a socket looks its job up again (at most once per change): one made
 * before its job's cgroup was seen finds its job, and one whose job ended
 * never counts in a slot given to another job later.
 *
 * With jobs off, pdtt_jobs is false before load, and the verifier removes
 * all of this from the programs but the one load of pdtt_jobs, whose branch
 * it drops: the per-packet cost is that load.
 */
#ifndef PDTT_JOBS_BPF_H
#define PDTT_JOBS_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "pdtt_shared.h"
#include "pdtt_kernel.bpf.h"

/* Set before load: whether jobs are counted. */
const volatile bool pdtt_jobs = false;

/*
 * Set before load in socket mode: read a socket's cgroup with
 * bpf_sk_cgroup_id (cgroup_skb may call it, tc programs may not).
 */
const volatile bool pdtt_jobs_cgroup_helper = false;

/* Never 0 once user space set it: 0 in a socket's cache means "never looked up". */
__u32 pdtt_jobs_epoch = 0;

/*
 * A job's counters, the same value as a UID's (its classes, so a size set
 * before load, not a BTF type). Slot PDTT_JOB_OVERFLOW is for jobs that
 * found no free slot. max_jobs + 1 entries, set before load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PDTT_VALUE_SIZE(PDTT_CLASS_DEFAULT_COUNT));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_job_counters SEC(".maps");

/* cgroup id -> its job's slot in pdtt_job_counters; written by user space only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_job_cgroups SEC(".maps");

/*
 * The job's user: per slot, the UID + 1 of the first socket of the job that
 * had a UID (0 until then), so that the job is kept with its user even
 * when its processes lived too briefly for user space to see them.
 * Written on a socket's lookup only, never per packet; zeroed by user
 * space when it gives the slot to a job.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_job_users SEC(".maps");

/*
 * The cgroup a socket was made in, read from the kernel's struct sock
 * (sk_cgrp_data.cgroup->kn->id, as bpf_sk_cgroup_id reads it) in tc mode,
 * whose programs may not call that helper. The ___pdtt names are CO-RE
 * flavours of the kernel's structs. Linux 5.15 made sk_cgrp_data a plain
 * cgroup pointer; before, it has no such field, and a socket's job is not
 * found in tc mode.
 */
struct kernfs_node___pdtt {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup___pdtt {
	struct kernfs_node___pdtt *kn;
} __attribute__((preserve_access_index));

struct sock_cgroup_data___pdtt {
	struct cgroup___pdtt *cgroup;
} __attribute__((preserve_access_index));

struct sock___pdtt {
	struct sock_cgroup_data___pdtt sk_cgrp_data;
} __attribute__((preserve_access_index));

static __always_inline __u64 pdtt_sk_cgroup(struct bpf_sock *bsk, struct sock *sk,
					    enum pdtt_access how)
{
	struct sock___pdtt *s = (struct sock___pdtt *)sk;
	struct bpf_sock *full;

	if (how == PDTT_ACCESS_SOCKET_UID || pdtt_jobs_cgroup_helper) {
		full = bpf_sk_fullsock(bsk);
		return full ? bpf_sk_cgroup_id(full) : 0;
	}
	if (!bpf_core_field_exists(s->sk_cgrp_data.cgroup))
		return 0;
	if (how == PDTT_ACCESS_CAST)
		return s->sk_cgrp_data.cgroup->kn->id;
	return BPF_CORE_READ(s, sk_cgrp_data.cgroup, kn, id);
}

/*
 * Whether info holds the socket's job as of the current epoch; if so, *job
 * is set to it (its slot + 1, or 0 for none).
 */
static __always_inline bool pdtt_job_cached(struct pdtt_socket_info *info, __u32 *job)
{
	__u64 cached = info->job;

	if (!cached || (__u32)cached != pdtt_jobs_epoch)
		return false;
	*job = (__u32)(cached >> 32);
	return true;
}

/*
 * The job of the full socket bsk (sk in the kernel, unless how is
 * SOCKET_UID) whose storage is info: its slot + 1, or 0 for none. Looked up
 * by the socket's cgroup when the epoch changed since the socket last did.
 * uid is the socket's owner, when it has one (has_uid).
 */
static __always_inline __u32 pdtt_job_of(struct pdtt_socket_info *info, struct bpf_sock *bsk,
					 struct sock *sk, enum pdtt_access how, bool has_uid,
					 __u32 uid)
{
	__u32 epoch = pdtt_jobs_epoch, ref = 0, *slot, *user;
	__u64 cgroup;

	if (pdtt_job_cached(info, &ref))
		return ref;
	cgroup = pdtt_sk_cgroup(bsk, sk, how);
	if (cgroup) {
		slot = bpf_map_lookup_elem(&pdtt_job_cgroups, &cgroup);
		if (slot) {
			ref = *slot + 1;
			user = bpf_map_lookup_elem(&pdtt_job_users, slot);
			if (user && !*user && has_uid)
				*user = uid + 1;
		}
	}
	info->job = (__u64)ref << 32 | epoch;
	return ref;
}

/*
 * The counters of job (a slot + 1, as pdtt_job_of says), or NULL: none, or
 * jobs off. job is 0 with jobs off, so it is tested first: a packet without
 * a job then reads no switch. The barrier keeps clang from storing the key
 * on the stack before the tests, on every packet.
 */
static __always_inline struct pdtt_value *pdtt_job_value(__u32 job)
{
	__u32 slot;

	if (!job || !pdtt_jobs)
		return NULL;
	slot = job - 1;
	barrier_var(slot);
	return bpf_map_lookup_elem(&pdtt_job_counters, &slot);
}

#endif /* PDTT_JOBS_BPF_H */
