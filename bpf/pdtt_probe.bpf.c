// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probes: what pdttd cannot tell from the kernel's BTF alone, it finds out
 * once at start by loading these small programs, each alone, the same way
 * the counting programs will use the feature (src/loader_kernel.c). None of
 * them is ever left attached.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "pdtt_kernel.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} pdtt_probe_storage SEC(".maps");

__u64 pdtt_probe_counter;

/* Atomic fetch-and-add (Linux 5.12+), as pdtt_take_slot uses it. */
SEC("cgroup_skb/egress")
int pdtt_probe_fetch(struct __sk_buff *skb)
{
	return __sync_fetch_and_add(&pdtt_probe_counter, 1) & 1;
}

/* The PROBE way (enum pdtt_access) in socket mode: a socket's sk_uid. */
SEC("cgroup_skb/egress")
int pdtt_probe_sock(struct __sk_buff *skb)
{
	struct bpf_sock *bsk = skb->sk;

	if (bsk)
		return pdtt_sk_uid(pdtt_kernel_sock(bsk, PDTT_ACCESS_PROBE), PDTT_ACCESS_PROBE) !=
		       0;
	return 1;
}

/* The PROBE way in tc mode: the packet's device. */
SEC("tc")
int pdtt_probe_tc(struct __sk_buff *skb)
{
	struct net_device *dev = pdtt_skb_dev(pdtt_kernel_skb(skb, PDTT_ACCESS_PROBE),
					      PDTT_ACCESS_PROBE);

	return dev ? pdtt_dev_type(dev, PDTT_ACCESS_PROBE) == 1 : -1;
}

/*
 * Owner tracking without the 6.3 tracepoints: an fexit program on the inet
 * send call that uses socket storage (Linux 5.11+), where the kernel lets
 * fexit programs load and attach at all.
 */
SEC("fexit/inet_sendmsg")
int pdtt_probe_fexit(__u64 *ctx)
{
	struct sock *sk = ((struct socket *)ctx[0])->sk;

	if (sk)
		bpf_sk_storage_get(&pdtt_probe_storage, sk, 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
