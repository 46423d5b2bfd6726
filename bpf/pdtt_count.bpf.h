/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counter maps and the single count() routine that every pdtt program
 * calls, so that the modes cannot drift apart in what they count.
 */
#ifndef PDTT_COUNT_BPF_H
#define PDTT_COUNT_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "pdtt_shared.h"
#include "pdtt_kernel.bpf.h"

/* Sized from max_users by user space before load (bpf_map__set_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct pdtt_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_counters SEC(".maps");

/* An array cannot fail a lookup, so bucketed traffic is never lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PDTT_BUCKET_COUNT);
	__type(key, __u32);
	__type(value, struct pdtt_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_buckets SEC(".maps");

/*
 * The configured local_networks. Not pinned: it is configuration, refilled by
 * each daemon start and SIGHUP; the programs keep it alive meanwhile.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PDTT_LOCAL_NETWORKS_MAX);
	__type(key, struct pdtt_lpm_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pdtt_local_nets SEC(".maps");

/*
 * Owner tracking: per socket, the host UID of the process that last sent or
 * received data on it (see pdtt_owner.bpf.h). Pinned, so a restarted daemon
 * keeps what it learnt about long-lived sockets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_owners SEC(".maps");

/* Set before load: false skips the owner lookup on every packet. */
const volatile bool pdtt_owner_tracking = false;

/* Entries in pdtt_local_nets; while 0 no packet header is read to classify. */
__u32 pdtt_local_nets_count = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_meta SEC(".maps");

/* The loopback device has this ifindex in every network namespace. */
#define PDTT_LOOPBACK_IFINDEX 1

enum pdtt_direction {
	PDTT_TX,
	PDTT_RX,
};

/* An owner is either a host UID or a special bucket. */
struct pdtt_owner {
	__u32 uid;
	__u32 bucket; /* PDTT_BUCKET_COUNT when uid is valid */
};

static __always_inline struct pdtt_owner pdtt_unattributed(void)
{
	struct pdtt_owner o = { .uid = 0, .bucket = PDTT_BUCKET_UNATTRIBUTED };
	return o;
}

/* The host UID of sk, or unattributed for the kernel's own control sockets. */
static __always_inline struct pdtt_owner pdtt_sock_uid(struct sock *sk)
{
	struct pdtt_owner o = pdtt_unattributed();

	if (BPF_CORE_READ_BITFIELD(sk, sk_kern_sock))
		return o;
	o.uid = sk->sk_uid.val;
	o.bucket = PDTT_BUCKET_COUNT;
	return o;
}

/*
 * Whom traffic of bsk (skb->sk, or what a socket lookup found) is charged
 * to, every mode's single answer:
 * - a full socket: the UID owner tracking recorded for it, else its host UID;
 * - a TCP request socket (SYN-ACKs, the handshake before accept): the host
 *   UID of its listener;
 * - a time-wait socket, no socket, or one of the kernel's own control sockets
 *   (RSTs, ICMP errors, which must never be charged to root): unattributed.
 * With netns set (tc mode), a socket of another network namespace is
 * unattributed too: the host only routes or bridges its packets.
 */
static __always_inline struct pdtt_owner pdtt_socket_owner_in(struct bpf_sock *bsk,
							      struct net *netns)
{
	struct pdtt_owner o = pdtt_unattributed();
	struct tcp_request_sock *req;
	struct bpf_sock *full;
	struct sock *sk;

	if (!bsk)
		return o;
	full = bpf_sk_fullsock(bsk);
	if (!full) {
		req = bpf_skc_to_tcp_request_sock(bsk);
		if (!req)
			return o;
		/* In a union, so the verifier sees a plain number: cast it back. */
		sk = req->req.req.__req_common.skc_listener;
		if (!sk)
			return o;
		sk = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
		if (netns && sk->__sk_common.skc_net.net != netns)
			return o;
		return pdtt_sock_uid(sk);
	}
	sk = bpf_rdonly_cast(full, bpf_core_type_id_kernel(struct sock));
	if (netns && sk->__sk_common.skc_net.net != netns)
		return o;
	/* sk is read before the lookup: one load may not serve two kinds of pointer. */
	o = pdtt_sock_uid(sk);
	if (o.bucket == PDTT_BUCKET_COUNT && pdtt_owner_tracking) {
		__u32 *tracked = bpf_sk_storage_get(&pdtt_owners, full, 0, 0);

		if (tracked)
			o.uid = *tracked;
	}
	return o;
}

static __always_inline struct pdtt_owner pdtt_socket_owner(struct bpf_sock *bsk)
{
	return pdtt_socket_owner_in(bsk, NULL);
}

/* ::ffff:0:0/96, the IPv4-mapped prefix that IPv4 keys live under. */
static __always_inline void pdtt_map_ipv4(struct pdtt_lpm_key *key, __u32 addr)
{
	__builtin_memset(key->addr, 0, 10);
	key->addr[10] = 0xff;
	key->addr[11] = 0xff;
	__builtin_memcpy(&key->addr[12], &addr, 4);
}

/*
 * The class of the remote end of the IP packet that starts at l3_offset:
 * its source address on receive, its destination on send.
 */
static __always_inline enum pdtt_class pdtt_classify_packet(struct __sk_buff *skb,
							     __u32 l3_offset,
							     enum pdtt_direction dir)
{
	struct pdtt_lpm_key key = { .prefixlen = 128 };
	__u8 version;
	__u32 addr4;

	if (bpf_skb_load_bytes(skb, l3_offset, &version, 1))
		return PDTT_CLASS_EXTERNAL;
	version >>= 4;
	if (version == 4) {
		/* saddr at 12, daddr at 16 */
		if (bpf_skb_load_bytes(skb, l3_offset + (dir == PDTT_TX ? 16 : 12), &addr4, 4))
			return PDTT_CLASS_EXTERNAL;
		if ((addr4 & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000))
			return PDTT_CLASS_LOCAL; /* 127.0.0.0/8 */
		pdtt_map_ipv4(&key, addr4);
	} else if (version == 6) {
		/* saddr at 8, daddr at 24 */
		if (bpf_skb_load_bytes(skb, l3_offset + (dir == PDTT_TX ? 24 : 8), key.addr, 16))
			return PDTT_CLASS_EXTERNAL;
	} else {
		return PDTT_CLASS_EXTERNAL;
	}
	return bpf_map_lookup_elem(&pdtt_local_nets, &key) ? PDTT_CLASS_LOCAL
							    : PDTT_CLASS_EXTERNAL;
}

/*
 * Loopback traffic never leaves the machine: local, known from the device
 * alone. Other packets are looked up only when local networks are configured,
 * so an empty local_networks costs one compare per packet.
 */
static __always_inline enum pdtt_class pdtt_classify(struct __sk_buff *skb, __u32 l3_offset,
						      enum pdtt_direction dir)
{
	if (skb->ifindex == PDTT_LOOPBACK_IFINDEX)
		return PDTT_CLASS_LOCAL;
	if (!pdtt_local_nets_count)
		return PDTT_CLASS_EXTERNAL;
	return pdtt_classify_packet(skb, l3_offset, dir);
}

static __always_inline struct pdtt_value *pdtt_bucket(__u32 bucket)
{
	return bpf_map_lookup_elem(&pdtt_buckets, &bucket);
}

/* The UID's counters, created on first use; NULL means the map is full. */
static __always_inline struct pdtt_value *pdtt_uid_counters(__u32 uid)
{
	struct pdtt_value zero = {};
	struct pdtt_value *c;

	c = bpf_map_lookup_elem(&pdtt_counters, &uid);
	if (c)
		return c;
	/* -EEXIST when another CPU created it first: the lookup below finds it. */
	bpf_map_update_elem(&pdtt_counters, &uid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&pdtt_counters, &uid);
}

/*
 * Charge one buffer: bytes is the IP datagram length, packets the number of
 * segments it stands for (a GSO/GRO buffer is gso_segs packets on the wire).
 */
static __always_inline void count(struct pdtt_owner owner, enum pdtt_direction dir,
				  enum pdtt_class cls, __u64 bytes, __u64 packets)
{
	struct pdtt_value *v = NULL;
	struct pdtt_counters *c;

	if (owner.bucket == PDTT_BUCKET_COUNT) {
		v = pdtt_uid_counters(owner.uid);
		if (!v)
			owner.bucket = PDTT_BUCKET_OVERFLOW;
	}
	if (!v)
		v = pdtt_bucket(owner.bucket);
	if (!v)
		return; /* cannot happen: the bucket array is preallocated */
	c = &v->by_class[cls == PDTT_CLASS_LOCAL ? PDTT_CLASS_LOCAL : PDTT_CLASS_EXTERNAL];
	if (dir == PDTT_TX) {
		c->tx_bytes += bytes;
		c->tx_packets += packets;
	} else {
		c->rx_bytes += bytes;
		c->rx_packets += packets;
	}
}

static __always_inline __u64 pdtt_segments(struct __sk_buff *skb)
{
	return skb->gso_segs ? skb->gso_segs : 1;
}

#endif /* PDTT_COUNT_BPF_H */
