// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pieces of pdtt's socket egress program, built from pdtt's own header, to
 * see where its cost per run goes: the owner of the socket alone (with the
 * slot its storage caches), and the counter update alone (slot 0, as when
 * the socket knows its slot; the class and length read from the packet, as
 * count() reads them). Loaded by the harness with its own
 * pin root, so these maps are never pdtt's.
 */
#include "pdtt_count.bpf.h"

__u64 bench_sink;

SEC("cgroup_skb/egress")
int bench_owner_only(struct __sk_buff *skb)
{
	struct pdtt_owner o = pdtt_socket_owner(skb->sk, skb, PDTT_ACCESS_CAST);

	bench_sink += o.uid + o.bucket + o.slot; /* keep the reads */
	return 1;
}

SEC("cgroup_skb/egress")
int bench_update_only(struct __sk_buff *skb)
{
	struct pdtt_owner o = { .uid = 4242, .bucket = PDTT_BUCKET_COUNT, .slot = 0 };

	count(o, skb, 0, PDTT_TX);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
