// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket mode: cgroup_skb programs on the cgroup v2 root see every packet a
 * local full socket sends or receives, the IP header at offset 0 (skb->len
 * is the IP datagram's length, or a GSO/GRO buffer's). They always return 1: pdtt never drops or
 * changes traffic.
 */
#include "pdtt_count.bpf.h"
#include "pdtt_owner.bpf.h"

static __always_inline int pdtt_sock(struct __sk_buff *skb, enum pdtt_direction dir,
				     enum pdtt_access how)
{
	if (how != PDTT_ACCESS_CAST) {
		count(pdtt_socket_owner(skb->sk, skb, how), skb, 0, dir);
		return 1;
	}
	pdtt_count_known(pdtt_sock_owner_cast(skb), skb, 0, dir);
	return 1;
}

/*
 * One pair of programs per way to read the socket's UID (enum pdtt_access);
 * the loader loads one pair. pins.c tells them apart by name.
 */
#define PDTT_SOCKET_PROGRAMS(egress, ingress, how)   \
	SEC("cgroup_skb/egress")                     \
	int egress(struct __sk_buff *skb)            \
	{                                            \
		return pdtt_sock(skb, PDTT_TX, how); \
	}                                            \
	SEC("cgroup_skb/ingress")                    \
	int ingress(struct __sk_buff *skb)           \
	{                                            \
		return pdtt_sock(skb, PDTT_RX, how); \
	}

PDTT_SOCKET_PROGRAMS(pdtt_sock_egress, pdtt_sock_ingress, PDTT_ACCESS_CAST)
PDTT_SOCKET_PROGRAMS(pdtt_sockr_egress, pdtt_sockr_ingress, PDTT_ACCESS_PROBE)
PDTT_SOCKET_PROGRAMS(pdtt_socku_egress, pdtt_socku_ingress, PDTT_ACCESS_SOCKET_UID)

char LICENSE[] SEC("license") = "GPL";
