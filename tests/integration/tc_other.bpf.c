// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "Another tool's" tc program for tc_coexist.sh: counts the packets it sees
 * in its own map and lets them go on, as a monitoring tool would.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} other_seen SEC(".maps");

SEC("tc")
int other_tool(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *seen = bpf_map_lookup_elem(&other_seen, &zero);

	if (seen)
		__sync_fetch_and_add(seen, 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
