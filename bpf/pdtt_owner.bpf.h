/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Owner tracking: tp_btf programs on sock_send_length and sock_recv_length
 * (Linux 6.3+) record in socket-local storage the host UID of the process that
 * moved data through each inet socket. Where those tracepoints are missing,
 * fexit programs on inet_sendmsg, inet6_sendmsg, inet_recvmsg and
 * inet6_recvmsg do the same (Linux 5.11+, which lets tracing programs use
 * socket storage): they are what the tracepoints' caller calls for every
 * inet socket, and see the same return value. The loader attaches one set.
 * The counting programs charge that UID: a connection accepted by root's
 * sshd but read and written by the user's session process is charged to the
 * user. Included by every mode's object.
 */
#ifndef PDTT_OWNER_BPF_H
#define PDTT_OWNER_BPF_H

#include "pdtt_count.bpf.h"

#define PDTT_AF_INET 2
#define PDTT_AF_INET6 10

/*
 * CAST only (Linux 6.2+): whether sk's pdtt_owners value, read straight
 * from the kernel's structs as the counting programs read it
 * (pdtt_storage_cached, pdtt_count.bpf.h), already records tracked; then
 * there is nothing to do, and no helper is called. False sends the caller
 * to bpf_sk_storage_get: no storage yet, the socket's cache slot at
 * pdtt_owners' cache_idx holding another map's element (the smap check),
 * another UID recorded (a write is needed, and only the helper's pointer
 * may be written through), or PDTT_SW_STORAGE_HELPER (tests).
 *
 * Safe without the helper, as for the counting programs: these programs
 * run under rcu_read_lock (tracepoints and fexit trampolines take it), and
 * the kernel frees a socket's storage and its elements only after an RCU
 * grace period, so what is read stays the memory it was while the program
 * runs; the storage and the element are read through bpf_rdonly_cast
 * pointers, whose loads the verifier makes ones that cannot fault (a bad
 * address, NULL included, reads 0, which is never a tracked value: it has
 * PDTT_TRACKED set); and the element is trusted to be pdtt_owners' only
 * when its smap is pdtt_owners, so another map's element in that cache
 * slot is never taken for this one. Nothing is written here: a stale read
 * (another CPU changing the owner meanwhile) at worst keeps the owner the
 * other CPU wrote, as the helper's path would had it run a moment earlier.
 */
static __always_inline bool pdtt_owner_recorded(struct sock *sk, __u64 tracked)
{
	struct bpf_local_storage_data *sdata;
	struct pdtt_socket_info *info;

	if (pdtt_owner_switches & PDTT_SW_STORAGE_HELPER)
		return false;
	if (!pdtt_storage_cached(sk, &sdata))
		return false;
	info = (struct pdtt_socket_info *)((char *)sdata + PDTT_STORAGE_DATA);
	return info->tracked == tracked;
}

/*
 * Record tracked (PDTT_TRACKED and a UID) as the owner of sk, after a call
 * that moved data through it (moved bytes; nothing when none). how:
 * PDTT_ACCESS_CAST where the kernel has bpf_rdonly_cast (the direct
 * read above first), anything else for the helper alone: before 6.2 the
 * verifier refuses a program that calls a kfunc the kernel lacks, even one
 * that cannot run, so those kernels load programs without the call.
 */
static __always_inline void pdtt_record_owner_as(struct sock *sk, int moved, enum pdtt_access how,
						 __u64 tracked)
{
	struct pdtt_socket_info *info;
	unsigned short family;

	if (!sk || moved <= 0)
		return;
	/*
	 * First, before the checks below: only this function records an
	 * owner, and only after them, so a socket that records tracked has
	 * passed them (its family and sk_kern_sock never change), and its
	 * common path reads neither of their lines.
	 */
	if (how == PDTT_ACCESS_CAST && pdtt_owner_recorded(sk, tracked))
		return;
	family = sk->__sk_common.skc_family;
	if (family != PDTT_AF_INET && family != PDTT_AF_INET6)
		return;
	if (BPF_CORE_READ_BITFIELD(sk, sk_kern_sock))
		return;
	info = bpf_sk_storage_get(&pdtt_owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	/* Write only on change: keeps the cache line shared with the counting CPUs. */
	if (info && info->tracked != tracked)
		info->tracked = tracked;
}

/*
 * The caller's UID in the init user namespace: what bpf_get_current_uid_gid()
 * gives, read from current's credentials. That helper calls from_kuid() and
 * from_kgid() (which only map through that namespace's identity map), so it
 * is three calls and returns; bpf_get_current_task_btf() is one, which only
 * returns current. Every return costs on kernels whose return thunks
 * mitigate SRSO (AMD, "Safe RET"): doc/BENCHMARKS.md, issue 19's last
 * section. bpf_get_current_task_btf() is there for tracing programs from
 * Linux 5.11, as the fexit fallbacks need.
 */
static __always_inline __u32 pdtt_current_uid(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->cred->uid.val;
}

/* pdtt_record_owner_as the caller. */
static __always_inline void pdtt_record_owner(struct sock *sk, int moved, enum pdtt_access how)
{
	pdtt_record_owner_as(sk, moved, how, PDTT_TRACKED | pdtt_current_uid());
}

/*
 * Tracepoint arguments: (struct sock *sk, int ret, int flags). The
 * tracepoints came in 6.3, after bpf_rdonly_cast (6.2): the direct read
 * always.
 */
SEC("tp_btf/sock_send_length")
int pdtt_owner_send(__u64 *ctx)
{
	pdtt_record_owner((struct sock *)ctx[0], (int)ctx[1], PDTT_ACCESS_CAST);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int pdtt_owner_recv(__u64 *ctx)
{
	pdtt_record_owner((struct sock *)ctx[0], (int)ctx[1], PDTT_ACCESS_CAST);
	return 0;
}

/*
 * fexit on func(struct socket *sock, ...): its return value follows its
 * n_args arguments in ctx. Each twice: with the direct read (CAST, where
 * the kernel has bpf_rdonly_cast: Linux 6.2, the one release with it and
 * without the tracepoints) and without it (the "r" programs, before 6.2);
 * the loader loads one set (pins_owner_links).
 */
#define PDTT_OWNER_FEXIT(name, func, n_args, how)                                        \
	SEC("fexit/" #func)                                                              \
	int name(__u64 *ctx)                                                             \
	{                                                                                \
		pdtt_record_owner(((struct socket *)ctx[0])->sk, (int)ctx[n_args], how); \
		return 0;                                                                \
	}

/* (sock, msg, size) */
PDTT_OWNER_FEXIT(pdtt_owner_inet_send, inet_sendmsg, 3, PDTT_ACCESS_CAST)
PDTT_OWNER_FEXIT(pdtt_owner_inet6_send, inet6_sendmsg, 3, PDTT_ACCESS_CAST)
PDTT_OWNER_FEXIT(pdtt_ownerr_inet_send, inet_sendmsg, 3, PDTT_ACCESS_PROBE)
PDTT_OWNER_FEXIT(pdtt_ownerr_inet6_send, inet6_sendmsg, 3, PDTT_ACCESS_PROBE)
/* (sock, msg, size, flags) */
PDTT_OWNER_FEXIT(pdtt_owner_inet_recv, inet_recvmsg, 4, PDTT_ACCESS_CAST)
PDTT_OWNER_FEXIT(pdtt_owner_inet6_recv, inet6_recvmsg, 4, PDTT_ACCESS_CAST)
PDTT_OWNER_FEXIT(pdtt_ownerr_inet_recv, inet_recvmsg, 4, PDTT_ACCESS_PROBE)
PDTT_OWNER_FEXIT(pdtt_ownerr_inet6_recv, inet6_recvmsg, 4, PDTT_ACCESS_PROBE)

#endif /* PDTT_OWNER_BPF_H */
