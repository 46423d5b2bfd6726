/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counter maps and the single count() routine that every pdtt program
 * calls, so that the modes cannot drift apart in what they count.
 */
#ifndef PDTT_COUNT_BPF_H
#define PDTT_COUNT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "pdtt_shared.h"
#include "pdtt_kernel.bpf.h"

/* Sized from max_users by user space before load (bpf_map__set_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct pdtt_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_counters SEC(".maps");

/* An array cannot fail a lookup, so bucketed traffic is never lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PDTT_BUCKET_COUNT);
	__type(key, __u32);
	__type(value, struct pdtt_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_meta SEC(".maps");

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

/*
 * The owner of a socket: its host UID, or unattributed for the kernel's own
 * control sockets (RSTs, ICMP errors), which must never be charged to root.
 */
static __always_inline struct pdtt_owner pdtt_socket_owner(struct bpf_sock *bsk)
{
	struct pdtt_owner o = pdtt_unattributed();
	struct sock *sk;

	if (!bsk)
		return o;
	bsk = bpf_sk_fullsock(bsk);
	if (!bsk)
		return o;
	sk = bpf_rdonly_cast(bsk, bpf_core_type_id_kernel(struct sock));
	if (BPF_CORE_READ_BITFIELD(sk, sk_kern_sock))
		return o;
	o.uid = sk->sk_uid.val;
	o.bucket = PDTT_BUCKET_COUNT;
	return o;
}

static __always_inline struct pdtt_counters *pdtt_bucket(__u32 bucket)
{
	return bpf_map_lookup_elem(&pdtt_buckets, &bucket);
}

/* The UID's counters, created on first use; NULL means the map is full. */
static __always_inline struct pdtt_counters *pdtt_uid_counters(__u32 uid)
{
	struct pdtt_counters zero = {};
	struct pdtt_counters *c;

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
				  __u64 bytes, __u64 packets)
{
	struct pdtt_counters *c = NULL;

	if (owner.bucket == PDTT_BUCKET_COUNT) {
		c = pdtt_uid_counters(owner.uid);
		if (!c)
			owner.bucket = PDTT_BUCKET_OVERFLOW;
	}
	if (!c)
		c = pdtt_bucket(owner.bucket);
	if (!c)
		return; /* cannot happen: the bucket array is preallocated */
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
