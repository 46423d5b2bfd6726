// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket mode: cgroup_skb programs on the cgroup v2 root see every packet a
 * local full socket sends or receives, the IP header at offset 0 (skb->len
 * is the IP datagram's length, or a GSO/GRO buffer's). They always return 1: pdtt never drops or
 * changes traffic.
 */
#include "pdtt_count.bpf.h"
#include "pdtt_owner.bpf.h"

SEC("cgroup_skb/egress")
int pdtt_sock_egress(struct __sk_buff *skb)
{
	count(pdtt_socket_owner(skb->sk), PDTT_TX, pdtt_classify(skb, 0, PDTT_TX),
	      pdtt_wire_of(skb, 0));
	return 1;
}

SEC("cgroup_skb/ingress")
int pdtt_sock_ingress(struct __sk_buff *skb)
{
	count(pdtt_socket_owner(skb->sk), PDTT_RX, pdtt_classify(skb, 0, PDTT_RX),
	      pdtt_wire_of(skb, 0));
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
