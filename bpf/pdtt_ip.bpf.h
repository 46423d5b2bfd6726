/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IP and transport headers of a packet, read where every mode needs
 * them: to find the transport header (tc ingress, for its socket lookup),
 * and to know how many header bytes each segment of a GSO/GRO buffer
 * carries on the wire (count, both modes). Read with bpf_skb_load_bytes,
 * which every kernel and program type pdtt supports, from the IP header at
 * l3_offset: 0 in socket mode, after the link-layer header in tc mode.
 */
#ifndef PDTT_IP_BPF_H
#define PDTT_IP_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define PDTT_IPV6_HLEN 40
#define PDTT_UDP_HLEN 8
#define PDTT_IPV6_EXT_MAX 4
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define IP_OFFSET_MASK 0x1fff /* fragment offset in frag_off */
#define IP6_OFFSET_MASK 0xfff8

/* The fixed IPv4 header. */
struct pdtt_iphdr {
	__u8 ver_ihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__u32 saddr;
	__u32 daddr;
};

/*
 * The transport protocol of a packet and the offset of its header;
 * protocol 0 when there is none to read: a later fragment, or a header cut
 * short.
 */
struct pdtt_l4 {
	__u8 protocol;
	__u32 offset;
};

/* The IPv4 packet at off, whose fixed header is copied to *ip. */
static __always_inline struct pdtt_l4 pdtt_ipv4_l4_of(struct __sk_buff *skb, __u32 off,
						      struct pdtt_iphdr *ip)
{
	struct pdtt_l4 l4 = {};

	if (bpf_skb_load_bytes(skb, off, ip, sizeof(*ip)))
		return l4;
	if (ip->frag_off & bpf_htons(IP_OFFSET_MASK))
		return l4;
	l4.protocol = ip->protocol;
	l4.offset = off + (ip->ver_ihl & 0x0f) * 4;
	return l4;
}

/* The IPv6 packet at off: its extension headers skipped (at most PDTT_IPV6_EXT_MAX). */
static __always_inline struct pdtt_l4 pdtt_ipv6_l4_of(struct __sk_buff *skb, __u32 off)
{
	struct pdtt_l4 l4 = {};
	struct {
		__u8 nexthdr;
		__u8 hdrlen;
		__u16 frag_off; /* fragment header only */
	} ext;
	__u8 nexthdr;

	if (bpf_skb_load_bytes(skb, off + 6, &nexthdr, 1))
		return l4;
	off += PDTT_IPV6_HLEN;
	for (int i = 0; i < PDTT_IPV6_EXT_MAX; i++) {
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING &&
		    nexthdr != NEXTHDR_DEST && nexthdr != NEXTHDR_FRAGMENT)
			break;
		if (bpf_skb_load_bytes(skb, off, &ext, sizeof(ext)))
			return l4;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			if (ext.frag_off & bpf_htons(IP6_OFFSET_MASK))
				return l4;
			off += 8;
		} else {
			off += (ext.hdrlen + 1) * 8;
		}
		nexthdr = ext.nexthdr;
	}
	l4.protocol = nexthdr;
	l4.offset = off;
	return l4;
}

/*
 * The header bytes that each segment of the GSO/GRO buffer whose IP header
 * is at l3_offset carries: the IP header with its extension headers, plus
 * the TCP header (doff, options included) or UDP's 8 bytes. The kernel's
 * qdisc accounting (qdisc_pkt_len_init) adds the same for each segment
 * after the first; for another transport it adds the network headers only,
 * and so does this. 0 when the headers cannot be read.
 */
static __always_inline __u32 pdtt_segment_headers(struct __sk_buff *skb, __u32 l3_offset)
{
	struct pdtt_iphdr ip;
	struct pdtt_l4 l4;
	__u8 first, doff;

	if (bpf_skb_load_bytes(skb, l3_offset, &first, 1))
		return 0;
	if (first >> 4 == 4)
		l4 = pdtt_ipv4_l4_of(skb, l3_offset, &ip);
	else if (first >> 4 == 6)
		l4 = pdtt_ipv6_l4_of(skb, l3_offset);
	else
		return 0;
	if (!l4.protocol || l4.offset <= l3_offset)
		return 0;
	if (l4.protocol == IPPROTO_TCP) {
		/* Data offset: the high 4 bits of byte 12, in 32-bit words. */
		if (bpf_skb_load_bytes(skb, l4.offset + 12, &doff, 1))
			return 0;
		return l4.offset - l3_offset + (doff >> 4) * 4;
	}
	if (l4.protocol == IPPROTO_UDP)
		return l4.offset - l3_offset + PDTT_UDP_HLEN;
	return l4.offset - l3_offset;
}

#endif /* PDTT_IP_BPF_H */
