// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor: programs that do nothing, for the hooks pdtt uses. What the
 * kernel spends to run one of these (dispatch, context setup, bpf_stats
 * bookkeeping) is spent for any program on the hook; pdtt's own cost is what
 * it takes above this.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/egress")
int bench_empty_cg_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/ingress")
int bench_empty_cg_ingress(struct __sk_buff *skb)
{
	return 1;
}

/* One program serves both clsact directions (classic tc and tcx). */
SEC("tc")
int bench_empty_tc(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
