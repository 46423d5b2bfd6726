// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pieces of pdtt's socket egress program, built from pdtt's own header, to
 * see where its cost per run goes: the owner of the socket alone (with the
 * slot its storage caches), the way pdtt_sock_egress finds it (the direct
 * read of the socket's storage) and through the helper bpf_sk_storage_get
 * (what its slow path and kernels before 6.2 take); and the counter update
 * alone (slot 0, as when the socket knows its slot; the class and length
 * read from the packet, as count() reads them), with and without the GSO
 * header reads.
 * Loaded by the harness with its own pin root, so these maps are never
 * pdtt's; owner tracking is off here (pdtt_owner_switches 0).
 */
#include "pdtt_count.bpf.h"

__u64 bench_sink;

/*
 * Keep the reads without a store on the common path: a store to this
 * global from both CPUs (a request/response load sends from both) would
 * bounce its line between them, a cost pdtt does not have.
 */
static __always_inline void bench_keep(struct pdtt_owner o)
{
	if (o.uid + o.bucket + o.slot + o.job == 0xfffffffeu)
		bench_sink++;
}

SEC("cgroup_skb/egress")
int bench_owner_only(struct __sk_buff *skb)
{
	bench_keep(pdtt_sock_owner_cast(skb));
	return 1;
}

SEC("cgroup_skb/egress")
int bench_owner_helper(struct __sk_buff *skb)
{
	bench_keep(pdtt_socket_owner(skb->sk, skb, PDTT_ACCESS_CAST));
	return 1;
}

static const struct pdtt_owner bench_fixed = { .uid = 4242, .bucket = PDTT_BUCKET_COUNT };

SEC("cgroup_skb/egress")
int bench_update_only(struct __sk_buff *skb)
{
	pdtt_count_known(bench_fixed, skb, 0, PDTT_TX);
	return 1;
}

/* bench_update_only without the GSO header reads: a buffer's length and segments only. */
SEC("cgroup_skb/egress")
int bench_update_no_headers(struct __sk_buff *skb)
{
	struct pdtt_wire w = { .bytes = skb->len,
			       .packets = skb->gso_segs > 1 ? skb->gso_segs : 1 };
	__u32 slot = bench_fixed.slot;
	struct pdtt_value *v = bpf_map_lookup_elem(&pdtt_counters, &slot);

	if (v)
		pdtt_add(v, NULL, PDTT_TX, pdtt_classify(skb, 0, PDTT_TX), w);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
