// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc mode: programs on the clsact ingress and egress hooks of network
 * interfaces, attached as tcx links (6.6+) or classic cls_bpf filters. They
 * count what crosses the interface with the same count() as socket mode:
 *
 * - bytes are the IP datagrams, as in socket mode (pdtt_wire_of: a GSO/GRO
 *   buffer's segments each with its headers): skb->len here includes the
 *   link-layer header, which is subtracted (Ethernet and up to two VLAN tags;
 *   on other link types the kernel's own network header offset). Frames that
 *   carry no IPv4 or IPv6 packet (ARP, LLDP...) are not counted at all.
 * - egress is charged to the packet's socket (skb->sk), ingress to the local
 *   socket a lookup finds (TCP connections and request sockets, UDP; IPv4
 *   and IPv6), but not to a TCP listener: see pdtt_ingress_charged. Only
 *   sockets of the interface's own network namespace count: a packet routed
 *   or bridged from another namespace, or forwarded, or with no socket at
 *   all, is unattributed.
 *
 * Both programs always return -1, which is TC_ACT_UNSPEC for a classic filter
 * (run the next filter) and TCX_NEXT for a tcx link (run the next program):
 * pdtt never drops, changes or redirects a packet.
 */
/* Every tc hook runs with bottom halves disabled: plain adds (see count()). */
#define PDTT_COUNTING_BH_DISABLED 1
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include "pdtt_count.bpf.h"
#include "pdtt_owner.bpf.h"

#define PDTT_TC_NEXT TC_ACT_UNSPEC /* == TCX_NEXT (-1) */

#define ARPHRD_ETHER 1
#define AF_INET 2
#define AF_INET6 10
#define VLAN_HLEN 4
#define PDTT_VLAN_TAGS_MAX 2

/* Where a packet's IP header starts, and which IP it is. */
struct pdtt_l3 {
	__u32 offset;
	__u8 version; /* 4 or 6; 0 when the frame carries no IP packet */
};

static __always_inline __u8 pdtt_ip_version(__u16 ethertype)
{
	if (ethertype == bpf_htons(ETH_P_IP))
		return 4;
	if (ethertype == bpf_htons(ETH_P_IPV6))
		return 6;
	return 0;
}

/*
 * The link-layer header. On Ethernet it is parsed from the frame itself, VLAN
 * tags included (hardware-accelerated tags live outside the frame and are not
 * in skb->len anyway). Other link types (IPoIB, tunnels, WireGuard, loopback)
 * keep the IP header where the kernel's network header says.
 */
static __always_inline struct pdtt_l3 pdtt_find_l3(struct __sk_buff *skb, enum pdtt_access how)
{
	struct sk_buff *kskb = pdtt_kernel_skb(skb, how);
	struct net_device *dev = pdtt_skb_dev(kskb, how);
	struct pdtt_l3 l3 = {};
	__u16 ethertype;
	__u8 first;
	long off;

	if (dev && pdtt_dev_type(dev, how) == ARPHRD_ETHER) {
		off = ETH_HLEN;
		if (bpf_skb_load_bytes(skb, ETH_HLEN - 2, &ethertype, 2))
			return l3;
		for (int i = 0; i < PDTT_VLAN_TAGS_MAX; i++) {
			if (ethertype != bpf_htons(ETH_P_8021Q) &&
			    ethertype != bpf_htons(ETH_P_8021AD))
				break;
			/* The tag: TCI, then the inner EtherType. */
			if (bpf_skb_load_bytes(skb, off + 2, &ethertype, 2))
				return l3;
			off += VLAN_HLEN;
		}
	} else {
		off = pdtt_network_offset(kskb, how);
		ethertype = (__u16)skb->protocol;
		if (off < 0 || off > 128)
			return l3;
	}
	l3.version = pdtt_ip_version(ethertype);
	/* The version field must agree, or this is no IP packet we understand. */
	if (!l3.version || bpf_skb_load_bytes(skb, off, &first, 1) || first >> 4 != l3.version ||
	    skb->len <= off) {
		l3.version = 0;
		return l3;
	}
	l3.offset = off;
	return l3;
}

/*
 * CAST: the owner of a socket whose storage the direct read does not give
 * (pdtt_bsock_owner_direct: a new socket, a new UID, not a full socket...),
 * through bpf_sk_storage_get, in a subprogram of its own as socket mode's
 * pdtt_sock_slow: the registers its helper calls need are then not taken
 * from the common path, which makes none.
 */
static __noinline int pdtt_tc_owner_slow(struct bpf_sock *bsk, struct net *netns,
					 struct __sk_buff *skb, struct pdtt_owner *o)
{
	*o = pdtt_socket_owner_in(bsk, netns, skb, PDTT_ACCESS_CAST);
	return 0;
}

/* pdtt_socket_owner_in, CAST without the helper where the direct read allows. */
static __always_inline struct pdtt_owner pdtt_tc_socket_owner(struct bpf_sock *bsk,
							      struct net *netns,
							      struct __sk_buff *skb,
							      enum pdtt_access how)
{
	struct pdtt_owner o;

	if (how != PDTT_ACCESS_CAST)
		return pdtt_socket_owner_in(bsk, netns, skb, how);
	if (!pdtt_bsock_owner_direct(bsk, netns, skb, &o))
		pdtt_tc_owner_slow(bsk, netns, skb, &o);
	return o;
}

/* Egress: the packet's own socket, if it is one of this namespace. */
static __always_inline struct pdtt_owner pdtt_egress_owner(struct __sk_buff *skb,
							   enum pdtt_access how)
{
	struct net_device *dev = pdtt_skb_dev(pdtt_kernel_skb(skb, how), how);

	if (!dev)
		return pdtt_unattributed();
	return pdtt_tc_socket_owner(skb->sk, pdtt_dev_net(dev, how), skb, how);
}

/* The transport header of a received packet, and its addresses in *t. */
static __always_inline struct pdtt_l4 pdtt_ipv4_l4(struct __sk_buff *skb, __u32 off,
						   struct bpf_sock_tuple *t)
{
	struct pdtt_iphdr ip;
	struct pdtt_l4 l4 = pdtt_ipv4_l4_of(skb, off, &ip);

	if (l4.protocol) {
		t->ipv4.saddr = ip.saddr;
		t->ipv4.daddr = ip.daddr;
	}
	return l4;
}

static __always_inline struct pdtt_l4 pdtt_ipv6_l4(struct __sk_buff *skb, __u32 off,
						   struct bpf_sock_tuple *t)
{
	struct pdtt_l4 l4 = pdtt_ipv6_l4_of(skb, off);

	if (bpf_skb_load_bytes(skb, off + 8, t->ipv6.saddr, 16) ||
	    bpf_skb_load_bytes(skb, off + 24, t->ipv6.daddr, 16))
		l4.protocol = 0;
	return l4;
}

/*
 * A socket found by lookup may be bound to the wildcard address: make sure
 * the packet is for this host, not one the kernel forwards to another host's
 * port that happens to have a local socket. Multicast and broadcast are
 * delivered locally; a host that does not forward delivers or drops the rest.
 */
static __always_inline bool pdtt_for_this_host(struct __sk_buff *skb, struct pdtt_l3 l3,
					       struct bpf_sock_tuple *t)
{
	struct bpf_fib_lookup fib = { .ifindex = skb->ifindex };
	long rc;

	if (l3.version == 4) {
		if ((t->ipv4.daddr & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
		    t->ipv4.daddr == 0xffffffff)
			return true;
		fib.family = AF_INET;
		fib.ipv4_src = t->ipv4.saddr;
		fib.ipv4_dst = t->ipv4.daddr;
	} else {
		if (((__u8 *)t->ipv6.daddr)[0] == 0xff)
			return true;
		fib.family = AF_INET6;
		__builtin_memcpy(fib.ipv6_src, t->ipv6.saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, t->ipv6.daddr, 16);
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	/* NOT_FWDED: a local (or broadcast) route; FWD_DISABLED: not a router. */
	return rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED;
}

/*
 * Whether a received packet is charged to the socket its lookup found. tc
 * ingress runs before the firewall, which may still drop the packet, so a
 * user is charged only where the socket shows the host takes part in the
 * flow:
 * - TCP: a connection (established or closing) or a request socket (the
 *   stack accepted the first SYN, past the firewall, and answered it). A
 *   packet only a listener matches, a SYN, is unattributed: a SYN flood at
 *   a user's listening port, which a firewall drops after tc, is not billed
 *   to the user. The first SYN of each accepted connection is unattributed
 *   too, as the price of that.
 * - UDP: a connected socket, which matched the whole 4-tuple; or an
 *   unconnected one (a server) for a packet this host delivers rather than
 *   forwards. UDP has no handshake to wait for: a server would otherwise
 *   never be charged for what it receives, so datagrams a firewall drops
 *   after tc are charged to the socket that opened the port.
 */
static __always_inline bool pdtt_ingress_charged(struct __sk_buff *skb, struct pdtt_l3 l3,
						 struct bpf_sock_tuple *t, __u8 protocol,
						 struct bpf_sock *bsk)
{
	if (protocol == IPPROTO_TCP)
		return bsk->state != BPF_TCP_LISTEN;
	return bsk->state == BPF_TCP_ESTABLISHED || pdtt_for_this_host(skb, l3, t);
}

/*
 * Ingress: the local socket the packet is for, found as the stack will find
 * it; the lookup's reference is released once the owner has been read.
 */
static __always_inline struct pdtt_owner pdtt_ingress_owner(struct __sk_buff *skb,
							    struct pdtt_l3 l3, enum pdtt_access how)
{
	struct pdtt_owner o = pdtt_unattributed();
	struct bpf_sock_tuple t = {};
	struct bpf_sock *bsk;
	struct pdtt_l4 l4;
	__u32 tuple_len;
	__u16 ports[2];

	if (l3.version == 4) {
		l4 = pdtt_ipv4_l4(skb, l3.offset, &t);
		tuple_len = sizeof(t.ipv4);
	} else {
		l4 = pdtt_ipv6_l4(skb, l3.offset, &t);
		tuple_len = sizeof(t.ipv6);
	}
	if (l4.protocol != IPPROTO_TCP && l4.protocol != IPPROTO_UDP)
		return o;
	if (bpf_skb_load_bytes(skb, l4.offset, ports, sizeof(ports)))
		return o;
	if (l3.version == 4) {
		t.ipv4.sport = ports[0];
		t.ipv4.dport = ports[1];
	} else {
		t.ipv6.sport = ports[0];
		t.ipv6.dport = ports[1];
	}
	if (l4.protocol == IPPROTO_TCP)
		bsk = bpf_skc_lookup_tcp(skb, &t, tuple_len, BPF_F_CURRENT_NETNS, 0);
	else
		bsk = bpf_sk_lookup_udp(skb, &t, tuple_len, BPF_F_CURRENT_NETNS, 0);
	if (!bsk)
		return o;
	if (pdtt_ingress_charged(skb, l3, &t, l4.protocol, bsk))
		o = pdtt_tc_socket_owner(bsk, 0, skb, how);
	bpf_sk_release(bsk);
	return o;
}

static __always_inline int pdtt_tc(struct __sk_buff *skb, enum pdtt_direction dir,
				   enum pdtt_access how)
{
	struct pdtt_l3 l3;
	struct pdtt_owner owner;

	/*
	 * The copy of a multicast or broadcast datagram that the kernel loops
	 * back to local receivers runs the ingress hook of the device it was
	 * sent on, its IP header where a frame's Ethernet header would be. It
	 * never crossed the wire, and its original was counted on egress.
	 */
	if (dir == PDTT_RX && skb->pkt_type == PACKET_LOOPBACK)
		return PDTT_TC_NEXT;
	l3 = pdtt_find_l3(skb, how);
	if (!l3.version)
		return PDTT_TC_NEXT;
	owner = dir == PDTT_TX ? pdtt_egress_owner(skb, how) : pdtt_ingress_owner(skb, l3, how);
	count(owner, skb, l3.offset, dir);
	return PDTT_TC_NEXT;
}

/*
 * One pair of programs per way to read the kernel's structs (enum
 * pdtt_access: CAST or PROBE); the loader loads one pair. pins.c and
 * loader_tc.c tell them apart by name.
 */
#define PDTT_TC_PROGRAMS(egress, ingress, how)     \
	SEC("tc")                                  \
	int egress(struct __sk_buff *skb)          \
	{                                          \
		return pdtt_tc(skb, PDTT_TX, how); \
	}                                          \
	SEC("tc")                                  \
	int ingress(struct __sk_buff *skb)         \
	{                                          \
		return pdtt_tc(skb, PDTT_RX, how); \
	}

PDTT_TC_PROGRAMS(pdtt_tc_egress, pdtt_tc_ingress, PDTT_ACCESS_CAST)
PDTT_TC_PROGRAMS(pdtt_tcr_egress, pdtt_tcr_ingress, PDTT_ACCESS_PROBE)

char LICENSE[] SEC("license") = "GPL";
