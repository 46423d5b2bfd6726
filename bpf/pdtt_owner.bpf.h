/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Owner tracking: tp_btf programs on sock_send_length and sock_recv_length
 * (Linux 6.3+) record in socket-local storage the host UID of the process that
 * moved data through each inet socket. Where those tracepoints are missing,
 * fexit programs on inet_sendmsg, inet6_sendmsg, inet_recvmsg and
 * inet6_recvmsg do the same (Linux 5.11+, which lets tracing programs use
 * socket storage): they are what the tracepoints' caller calls for every
 * inet socket, and see the same return value. The loader attaches one set. The counting programs charge that UID:
 * a connection accepted by root's sshd but read and written by the user's
 * session process is charged to the user. Included by every mode's object.
 */
#ifndef PDTT_OWNER_BPF_H
#define PDTT_OWNER_BPF_H

#include "pdtt_count.bpf.h"

#define PDTT_AF_INET 2
#define PDTT_AF_INET6 10

static __always_inline void pdtt_record_owner(struct sock *sk, int moved)
{
	/* bpf_get_current_uid_gid() gives the UID in the init user namespace. */
	__u64 tracked = PDTT_TRACKED | (__u32)bpf_get_current_uid_gid();
	struct pdtt_socket_info *info;
	unsigned short family;

	if (!sk || moved <= 0)
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

/* Tracepoint arguments: (struct sock *sk, int ret, int flags). */
SEC("tp_btf/sock_send_length")
int pdtt_owner_send(__u64 *ctx)
{
	pdtt_record_owner((struct sock *)ctx[0], (int)ctx[1]);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int pdtt_owner_recv(__u64 *ctx)
{
	pdtt_record_owner((struct sock *)ctx[0], (int)ctx[1]);
	return 0;
}

/*
 * fexit on func(struct socket *sock, ...): its return value follows its
 * n_args arguments in ctx.
 */
#define PDTT_OWNER_FEXIT(name, func, n_args)                                        \
	SEC("fexit/" #func)                                                         \
	int name(__u64 *ctx)                                                        \
	{                                                                           \
		pdtt_record_owner(((struct socket *)ctx[0])->sk, (int)ctx[n_args]); \
		return 0;                                                           \
	}

/* (sock, msg, size) */
PDTT_OWNER_FEXIT(pdtt_owner_inet_send, inet_sendmsg, 3)
PDTT_OWNER_FEXIT(pdtt_owner_inet6_send, inet6_sendmsg, 3)
/* (sock, msg, size, flags) */
PDTT_OWNER_FEXIT(pdtt_owner_inet_recv, inet_recvmsg, 4)
PDTT_OWNER_FEXIT(pdtt_owner_inet6_recv, inet6_recvmsg, 4)

#endif /* PDTT_OWNER_BPF_H */
