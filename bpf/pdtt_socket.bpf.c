// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket mode: cgroup_skb programs on the cgroup v2 root see every packet a
 * local full socket sends or receives, with skb->len already the IP datagram
 * length, starting at offset 0. They always return 1: pdtt never drops or
 * changes traffic.
 */
#include "pdtt_count.bpf.h"
#include "pdtt_owner.bpf.h"

static __always_inline int pdtt_sock(struct __sk_buff *skb, enum pdtt_direction dir,
				     enum pdtt_access how)
{
	count(pdtt_socket_owner(skb->sk, skb, how), dir, pdtt_classify(skb, 0, dir), skb->len,
	      pdtt_segments(skb));
	return 1;
}

/*
 * One pair of programs per way to read the socket's UID (enum pdtt_access);
 * the loader loads one pair. pins.c tells them apart by name.
 */
SEC("cgroup_skb/egress")
int pdtt_sock_egress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_TX, PDTT_ACCESS_CAST);
}

SEC("cgroup_skb/ingress")
int pdtt_sock_ingress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_RX, PDTT_ACCESS_CAST);
}

SEC("cgroup_skb/egress")
int pdtt_sockr_egress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_TX, PDTT_ACCESS_PROBE);
}

SEC("cgroup_skb/ingress")
int pdtt_sockr_ingress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_RX, PDTT_ACCESS_PROBE);
}

SEC("cgroup_skb/egress")
int pdtt_socku_egress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_TX, PDTT_ACCESS_SOCKET_UID);
}

SEC("cgroup_skb/ingress")
int pdtt_socku_ingress(struct __sk_buff *skb)
{
	return pdtt_sock(skb, PDTT_RX, PDTT_ACCESS_SOCKET_UID);
}

char LICENSE[] SEC("license") = "GPL";
