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
#include "pdtt_ip.bpf.h"
#include "pdtt_jobs.bpf.h"

/*
 * The counters: one slot per UID, handed out in order as UIDs first appear.
 * A per-CPU array, so that a socket that knows its slot (pdtt_owners) finds
 * its counters without hashing. Both maps are sized from max_users by user
 * space before load (bpf_map__set_max_entries), and the counter values from
 * the classes in use (bpf_map__set_value_size, pdtt_n_classes): sizes, not
 * BTF types, so that the value can be resized.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1024);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PDTT_VALUE_SIZE(PDTT_CLASS_DEFAULT_COUNT));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_counters SEC(".maps");

/*
 * UID -> its slot in pdtt_counters; also how user space names the slots.
 * Not preallocated: an entry is made once per UID, and the kernel memory
 * then grows with the UIDs seen rather than with max_users.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_slots SEC(".maps");

/* An array cannot fail a lookup, so bucketed traffic is never lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PDTT_BUCKET_COUNT);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PDTT_VALUE_SIZE(PDTT_CLASS_DEFAULT_COUNT));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_buckets SEC(".maps");

/*
 * The configured local_networks and networks, each CIDR's value its class.
 * Not pinned: it is configuration, refilled by each daemon start and SIGHUP;
 * the programs keep it alive meanwhile.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PDTT_LOCAL_NETWORKS_MAX);
	__type(key, struct pdtt_lpm_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pdtt_local_nets SEC(".maps");

/*
 * Per socket: the owner tracking recorded (see pdtt_owner.bpf.h) and the slot
 * of the UID charged. Pinned, so a restarted daemon keeps what it learnt
 * about long-lived sockets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pdtt_socket_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_owners SEC(".maps");

/*
 * Set before load: PDTT_SW_* (pdtt_shared.h). Without PDTT_SW_OWNER_TRACKING
 * what owner tracking recorded is ignored. One word for both switches, read
 * once: the verifier drops the branches a switch rules out, not its load.
 */
const volatile __u32 pdtt_owner_switches = 0;

/* Entries in pdtt_local_nets; while 0 no packet header is read to classify. */
__u32 pdtt_local_nets_count = 0;

/* Set before load: the classes in a counter value (its size; pdtt_shared.h). */
const volatile __u32 pdtt_n_classes = PDTT_CLASS_DEFAULT_COUNT;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_meta SEC(".maps");

/*
 * Before Linux 5.12 BPF has no atomic fetch-and-add, and a kernel refuses a
 * program that holds one even where it cannot run. pdttd then loads a build
 * of the same programs made with PDTT_COMPAT_ATOMICS, which hands out slots
 * under this lock instead (pdtt_take_slot). Declared in every build, so that
 * both have the same maps; only that build's loader creates and pins it.
 */
struct pdtt_slot_lock {
	struct bpf_spin_lock lock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_slot_lock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pdtt_slot_lock SEC(".maps");

/* The next slot, slots_used counted up: PDTT_NO_SLOT if it cannot be taken. */
static __always_inline __u32 pdtt_take_slot(struct pdtt_meta *meta)
{
#ifdef PDTT_COMPAT_ATOMICS
	struct pdtt_slot_lock *l;
	__u32 zero = 0, n;

	l = bpf_map_lookup_elem(&pdtt_slot_lock, &zero);
	if (!l)
		return PDTT_NO_SLOT;
	bpf_spin_lock(&l->lock);
	n = meta->slots_used;
	meta->slots_used = n + 1;
	bpf_spin_unlock(&l->lock);
	return n;
#else
	return __sync_fetch_and_add(&meta->slots_used, 1);
#endif
}

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
	__u32 slot;   /* uid's slot in pdtt_counters, PDTT_NO_SLOT until known */
	__u32 job;    /* jobs on: the socket's job slot + 1; 0 for none (pdtt_jobs.bpf.h) */
};

static __always_inline struct pdtt_owner pdtt_unattributed(void)
{
	struct pdtt_owner o = { .bucket = PDTT_BUCKET_UNATTRIBUTED, .slot = PDTT_NO_SLOT };
	return o;
}

static __always_inline struct pdtt_owner pdtt_uid_owner(__u32 uid)
{
	struct pdtt_owner o = { .uid = uid, .bucket = PDTT_BUCKET_COUNT, .slot = PDTT_NO_SLOT };
	return o;
}

/* Rounds a program waits for another CPU to write the slot of a UID it claimed. */
#define PDTT_SLOT_WAIT 1024

/* Is slot n past the end of pdtt_counters (are all slots taken when n is slots_used)? */
static __always_inline bool pdtt_slot_out_of_range(__u32 n)
{
	return !bpf_map_lookup_elem(&pdtt_counters, &n);
}

/*
 * uid's entry in pdtt_slots holds no slot: either a program on another CPU
 * claimed it and is taking the slot (a few instructions), or the slots ran
 * out between its claim and its take, which leaves the entry so for good.
 * Wait a little for the former rather than count the packet as overflow.
 */
static __always_inline __u32 pdtt_slot_being_named(__u32 *entry, struct pdtt_meta *meta)
{
	__u32 n;

	if (pdtt_slot_out_of_range(meta->slots_used))
		return PDTT_NO_SLOT;
	for (int i = 0; i < PDTT_SLOT_WAIT; i++) {
		n = *(volatile __u32 *)entry;
		if (n != PDTT_NO_SLOT)
			return n;
	}
	return PDTT_NO_SLOT;
}

/*
 * uid's slot in pdtt_counters, handed out on its first packet; PDTT_NO_SLOT
 * when none can be had (its packets go to the overflow bucket). Slots are
 * never given back: a UID keeps its slot for the life of the maps, so user
 * space can read a slot's UID once.
 *
 * The UID's entry in pdtt_slots is claimed first, holding PDTT_NO_SLOT, and
 * only then is a slot taken, by the one program whose insert made the entry,
 * which writes it in place through the entry's pointer. So an insert that
 * fails (pdtt_slots out of memory) takes no slot, where taking the slot
 * first burnt one per packet and could fill max_users with nothing; and two
 * CPUs racing for a new UID take one slot, not two. Until the slot is
 * written, the entry names none: user space skips it (a value past the
 * counters), and another CPU waits for it (pdtt_slot_being_named), so no
 * packet is ever counted in a slot that is not its UID's.
 */
static __always_inline __u32 pdtt_slot_of(__u32 uid)
{
	__u32 zero = 0, unnamed = PDTT_NO_SLOT, n, *entry;
	struct pdtt_meta *meta;

	entry = bpf_map_lookup_elem(&pdtt_slots, &uid);
	if (entry && *entry != PDTT_NO_SLOT)
		return *entry;
	meta = bpf_map_lookup_elem(&pdtt_meta, &zero);
	if (!meta)
		return PDTT_NO_SLOT;
	if (entry)
		return pdtt_slot_being_named(entry, meta);
	/* Full: claim nothing, and do not count slots_used up on every packet. */
	if (pdtt_slot_out_of_range(meta->slots_used))
		return PDTT_NO_SLOT;
	if (bpf_map_update_elem(&pdtt_slots, &uid, &unnamed, BPF_NOEXIST)) {
		/* No memory for the entry: nothing was taken. Or another CPU
		 * claimed uid first (EEXIST): it names the slot. */
		entry = bpf_map_lookup_elem(&pdtt_slots, &uid);
		return entry ? pdtt_slot_being_named(entry, meta) : PDTT_NO_SLOT;
	}
	entry = bpf_map_lookup_elem(&pdtt_slots, &uid);
	if (!entry)
		return PDTT_NO_SLOT; /* cannot happen: entries are never deleted */
	n = pdtt_take_slot(meta);
	if (pdtt_slot_out_of_range(n))
		return PDTT_NO_SLOT; /* other UIDs took the last slots meanwhile */
	*entry = n;
	return n;
}

/*
 * The host UID of sk, or unattributed for the kernel's own control sockets.
 * SOCKET_UID asks the kernel for the UID of the socket of skb instead.
 */
static __always_inline struct pdtt_owner pdtt_sock_uid(struct sock *sk, struct __sk_buff *skb,
						       enum pdtt_access how)
{
	if (how == PDTT_ACCESS_SOCKET_UID)
		return pdtt_uid_owner(bpf_get_socket_uid(skb));
	if (pdtt_sk_is_kernel(sk, how))
		return pdtt_unattributed();
	return pdtt_uid_owner(pdtt_sk_uid(sk, how));
}

/*
 * Whom a full socket whose storage is info is charged to, its slot not yet
 * known: what owner tracking recorded (sw, pdtt_owner_switches, allowing),
 * else its host UID (unattributed for the kernel's own sockets).
 */
static __always_inline struct pdtt_owner pdtt_info_owner(struct pdtt_socket_info *info,
							 struct sock *sk, struct __sk_buff *skb,
							 enum pdtt_access how, __u32 sw)
{
	/* tracked is set only on sockets that are not the kernel's (pdtt_owner.bpf.h). */
	if ((sw & PDTT_SW_OWNER_TRACKING) && (info->tracked & PDTT_TRACKED))
		return pdtt_uid_owner((__u32)info->tracked);
	return pdtt_sock_uid(sk, skb, how);
}

/* Whether info caches the slot of o's UID; if so, o->slot is set to it. */
static __always_inline bool pdtt_charged_slot(struct pdtt_socket_info *info, struct pdtt_owner *o)
{
	__u64 charged = info->charged;

	if (!charged || (__u32)charged != o->uid)
		return false;
	o->slot = (__u32)(charged >> 32) - 1;
	return true;
}

/*
 * The owner of a full socket of the right netns, whose storage info is
 * (pdtt_info_owner), with its slot, cached in info while the UID charged
 * stays the same.
 */
static __always_inline struct pdtt_owner pdtt_full_socket_owner(struct pdtt_socket_info *info,
								struct sock *sk,
								struct __sk_buff *skb,
								enum pdtt_access how, __u32 sw)
{
	struct pdtt_owner o = pdtt_info_owner(info, sk, skb, how, sw);

	if (o.bucket != PDTT_BUCKET_COUNT || pdtt_charged_slot(info, &o))
		return o;
	o.slot = pdtt_slot_of(o.uid);
	if (o.slot != PDTT_NO_SLOT)
		info->charged = (__u64)(o.slot + 1) << 32 | o.uid;
	return o;
}

/* skc_state of the sockets that are not full (the kernel's tcp_states.h). */
#define PDTT_TCP_TIME_WAIT 6
#define PDTT_TCP_NEW_SYN_RECV 12

/*
 * Socket mode, CAST only: whether the pdtt_owners element of the full
 * socket sk (its value PDTT_STORAGE_DATA bytes into *found) is read straight from the
 * kernel's structs, without the helper call bpf_sk_storage_get. It
 * reads what the helper's own lookup reads first
 * (bpf_local_storage_lookup): the socket's storage, the element in its
 * cache at pdtt_owners' cache_idx, and whether that element is
 * pdtt_owners'. The helper then walks the storage's list, and caches what
 * it finds; false here sends the caller to the helper for that (a new
 * socket, or one whose slot another map took in the cache).
 *
 * Safe without the helper: the program runs under rcu_read_lock, and the
 * kernel frees storage and its elements only after an RCU grace period, so
 * what is read stays the memory it was; the loads go through
 * bpf_rdonly_cast pointers, which the verifier makes loads that cannot
 * fault (a bad address, NULL included, reads 0: so no NULL test is needed
 * before the last compare, which 0 fails). The value is read, never
 * written: a packet that must write it takes the helper's path. sk must
 * be a full socket (only those have sk_bpf_storage). The map's cache_idx is read through
 * the map pointer itself, a field of struct bpf_local_storage_map that the
 * verifier lets a program with CAP_PERFMON read.
 */
static __always_inline bool pdtt_storage_cached(struct sock *sk,
						struct bpf_local_storage_data **found)
{
	struct bpf_local_storage_map *smap = (struct bpf_local_storage_map *)&pdtt_owners;
	struct bpf_local_storage_data *sdata;
	struct bpf_local_storage *at;

	/*
	 * cache[cache_idx]: the verifier refuses a variable offset into a BTF
	 * pointer, so the element's address is cast anew, as cache[0] of a
	 * storage that starts there.
	 */
	at = (void *)((char *)sk->sk_bpf_storage + smap->cache_idx * sizeof(at->cache[0]));
	at = bpf_rdonly_cast(at, bpf_core_type_id_kernel(struct bpf_local_storage));
	sdata = at->cache[0];
	*found = sdata;
	return sdata->smap == smap;
}

static __always_inline bool pdtt_bsock_owner_direct(struct bpf_sock *bsk, struct net *netns,
						    struct __sk_buff *skb, struct pdtt_owner *o);

/*
 * Socket mode, CAST only: the owner of skb's socket in *o, as
 * pdtt_socket_owner gives it, when the direct read of its storage
 * (pdtt_storage_cached) has all that is needed: a full socket whose value
 * caches the slot of the UID charged and, with jobs on, the job of the
 * current epoch. False for everything else (no socket, not a full one, its
 * storage not found there, a write needed): the caller then asks
 * pdtt_socket_owner. PDTT_SW_STORAGE_HELPER (tests) makes it always false.
 */
static __always_inline bool pdtt_socket_owner_direct(struct __sk_buff *skb, struct pdtt_owner *o)
{
	return pdtt_bsock_owner_direct(skb->sk, 0, skb, o);
}

/*
 * CAST only: pdtt_socket_owner_direct for any socket bsk (skb->sk, or what
 * tc ingress's lookup found), as pdtt_socket_owner_in(bsk, netns, ...)
 * gives its owner: a socket of another netns than a non-NULL netns is
 * unattributed here too.
 */
static __always_inline bool pdtt_bsock_owner_direct(struct bpf_sock *bsk, struct net *netns,
						    struct __sk_buff *skb, struct pdtt_owner *o)
{
	struct bpf_local_storage_data *sdata;
	struct pdtt_socket_info *info;
	struct sock *sk;
	__u32 sw, state;

	if (!bsk)
		return false;
	/* Only a full socket has sk_bpf_storage: leave the others to the helper. */
	state = bsk->state;
	if (state == PDTT_TCP_TIME_WAIT || state == PDTT_TCP_NEW_SYN_RECV)
		return false;
	sw = pdtt_owner_switches;
	if (sw & PDTT_SW_STORAGE_HELPER)
		return false;
	sk = pdtt_kernel_sock(bsk, PDTT_ACCESS_CAST);
	if (netns && pdtt_sk_net(sk, PDTT_ACCESS_CAST) != netns) {
		*o = pdtt_unattributed();
		return true;
	}
	if (!pdtt_storage_cached(sk, &sdata))
		return false;
	info = (struct pdtt_socket_info *)((char *)sdata + PDTT_STORAGE_DATA);
	*o = pdtt_info_owner(info, sk, skb, PDTT_ACCESS_CAST, sw);
	if (o->bucket == PDTT_BUCKET_COUNT && !pdtt_charged_slot(info, o))
		return false;
	return !pdtt_jobs || pdtt_job_cached(info, &o->job);
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
 * how is a constant (enum pdtt_access); skb is read only by SOCKET_UID,
 * which is for socket mode, where bsk is skb->sk.
 */
static __always_inline struct pdtt_owner pdtt_socket_owner_in(struct bpf_sock *bsk,
							      struct net *netns,
							      struct __sk_buff *skb,
							      enum pdtt_access how)
{
	__u32 sw = pdtt_owner_switches;
	struct pdtt_socket_info *info;
	struct tcp_request_sock *req;
	struct bpf_sock *full = bsk;
	struct pdtt_owner o;
	struct sock *sk = 0;

	if (!bsk)
		return pdtt_unattributed();
	/* Every socket starts with struct sock_common: skc_net is there for all. */
	if (how != PDTT_ACCESS_SOCKET_UID)
		sk = pdtt_kernel_sock(bsk, how);
	if (netns && pdtt_sk_net(sk, how) != netns)
		return pdtt_unattributed();
	/*
	 * Only a full socket has storage: the one lookup (which makes it on the
	 * first packet) also tells a full socket from the others. Before 5.11
	 * the storage helpers take only a socket known to be full.
	 */
	if (how != PDTT_ACCESS_CAST)
		full = bpf_sk_fullsock(bsk);
	info = full ? bpf_sk_storage_get(&pdtt_owners, full, 0, BPF_SK_STORAGE_GET_F_CREATE) : 0;
	if (info) {
		o = pdtt_full_socket_owner(info, sk, skb, how, sw);
		if (pdtt_jobs)
			o.job = pdtt_job_of(info, bsk, sk, how, o.bucket == PDTT_BUCKET_COUNT,
					    o.uid);
		return o;
	}
	if (how == PDTT_ACCESS_CAST ? !!bpf_sk_fullsock(bsk) : !!full)
		return pdtt_sock_uid(sk, skb, how); /* full, but no memory for its storage */
	req = bpf_skc_to_tcp_request_sock(bsk);
	if (!req)
		return pdtt_unattributed();
	if (how == PDTT_ACCESS_SOCKET_UID)
		return pdtt_sock_uid(sk, skb, how); /* the kernel answers for the listener */
	/* In a union, so the verifier sees a plain number: cast it back. */
	sk = req->req.req.__req_common.skc_listener;
	if (!sk)
		return pdtt_unattributed();
	if (how == PDTT_ACCESS_CAST)
		sk = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
	if (netns && pdtt_sk_net(sk, how) != netns)
		return pdtt_unattributed();
	return pdtt_sock_uid(sk, skb, how);
}

static __always_inline struct pdtt_owner pdtt_socket_owner(struct bpf_sock *bsk,
							   struct __sk_buff *skb,
							   enum pdtt_access how)
{
	return pdtt_socket_owner_in(bsk, 0, skb, how);
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
static __always_inline __u32 pdtt_classify_packet(struct __sk_buff *skb, __u32 l3_offset,
						  enum pdtt_direction dir)
{
	struct pdtt_lpm_key key = { .prefixlen = 128 };
	__u8 version, *cls;
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
	cls = bpf_map_lookup_elem(&pdtt_local_nets, &key);
	return cls ? *cls : PDTT_CLASS_EXTERNAL;
}

/*
 * Loopback traffic never leaves the machine: local, known from the device
 * alone. Other packets are looked up only when networks are configured
 * (local_networks or networks), so without them it costs one compare per
 * packet; with them, one LPM lookup whose value is the class.
 */
static __always_inline __u32 pdtt_classify(struct __sk_buff *skb, __u32 l3_offset,
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

/*
 * What one buffer is on the wire, its IP header at l3_offset: a GSO/GRO
 * buffer of n segments (gso_segs) is n packets, and its length plus the
 * headers that segments 2..n carry (pdtt_segment_headers), as the kernel's
 * qdisc accounting computes it. The headers are read only for such a
 * buffer: a packet of one segment costs one compare more than its length.
 */
struct pdtt_wire {
	__u64 bytes;
	__u64 packets;
};

static __always_inline struct pdtt_wire pdtt_wire_of(struct __sk_buff *skb, __u32 l3_offset)
{
	struct pdtt_wire w = { .bytes = skb->len - l3_offset, .packets = 1 };
	__u32 segs = skb->gso_segs;

	if (segs > 1) {
		w.packets = segs;
		w.bytes += (__u64)(segs - 1) * pdtt_segment_headers(skb, l3_offset);
	}
	return w;
}

/*
 * How a buffer's bytes and packets are added to the counters.
 *
 * The counters are per CPU, so no other CPU ever writes them, but a plain
 * "+=" (load, add, store) is exact only if nothing that counts can run on
 * this CPU between its load and its store. Every receive hook runs with
 * bottom halves disabled (softirq, or tc, whose egress runs under
 * rcu_read_lock_bh too, which also keeps the task from being preempted),
 * and softirqs do not nest: RX counters take plain adds, and so do all of
 * tc mode's (its object defines PDTT_COUNTING_BH_DISABLED).
 *
 * Socket mode's egress is the one program that may run in process context
 * with bottom halves enabled (a sendmsg), and with only migration disabled:
 * an interrupt, and on its way out a softirq (TCP sending from an ACK or a
 * timer), may run on this CPU between the load and the store, or a task
 * preempt it, and add to the same counter; the plain store then loses that
 * increment. Its TX adds are made exact one of three ways (pdtt_tx_way,
 * chosen by pdttd at load, src/loader_kernel.c), cheapest first:
 *
 * - PDTT_TX_LANES: every counter value holds its classes twice, in two
 *   lanes, and a guard word (layout 5, pdtt_shared.h). An add sets the
 *   value's guard (per CPU, as the value is) for the time of its plain
 *   adds, and adds to the first lane if the guard was clear, to the second
 *   if it was set: then it interrupted an add in progress on this CPU, and
 *   leaves that add's counters alone. Who sets the guard puts back what it
 *   found. On a kernel that does not preempt kernel code (preemption model
 *   none or voluntary, not PREEMPT_RT; pdttd reads the model,
 *   src/preempt_model.c) only a softirq can come between the load and the
 *   store of an egress add (on an interrupt's way out: TCP sending from an
 *   ACK or a timer), softirqs do not nest, and nothing else that counts
 *   TX runs in an interrupt. So the first lane is written by one context at
 *   a time, and so is the second (by the softirq that interrupted a guarded
 *   add, while it runs): both lanes' plain adds are exact, and receive
 *   (bottom halves disabled, so never interrupted by a softirq) adds to the
 *   first lane's RX counters, which no egress add touches. Costs a load and
 *   two stores more than a plain add, on the value's own memory: no helper,
 *   no kernel symbol, no privilege. Where kernel code can be preempted a
 *   task could take the CPU mid-add and add to the second lane while a
 *   softirq adds there too: not this way there.
 * - PDTT_TX_IRQ_OFF, a build of its own for Linux 6.14 and later, chosen
 *   where the kernel can preempt kernel code: the kfuncs
 *   bpf_local_irq_save/bpf_local_irq_restore turn interrupts off on this
 *   CPU around the adds, the owner's and the job's together. With them off
 *   no interrupt comes, so no softirq and no preemption either (an NMI
 *   does, but no program that counts runs in NMI context): plain adds are
 *   exact. The region holds the adds alone, every lookup done before it
 *   and no way out of it but its end, so interrupts wait a few instructions.
 *   Saving and restoring the flags costs about what the locked adds below
 *   cost at the program's level (doc/BENCHMARKS.md). A verifier refuses a
 *   program that calls a kfunc the kernel lacks, even in code that cannot
 *   run (6.1: "kernel btf_id 0 is not a function"), hence a build of its own.
 * - PDTT_TX_LOCKED, everywhere else: __sync_fetch_and_add with the result
 *   unused, the BPF atomic add (XADD, on every kernel pdtt supports), one
 *   locked add on x86 on a line that stays in this CPU's cache, so it costs
 *   no cross-CPU traffic, only the lock.
 *
 * PDTT_KERNEL_TX=atomic|lanes|irq_off forces one, for tests.
 */
#ifndef PDTT_COUNTING_BH_DISABLED
#define PDTT_COUNTING_BH_DISABLED 0
#endif
#ifdef PDTT_TX_IRQ_OFF
extern void bpf_local_irq_save(unsigned long *flags) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags) __ksym;
#endif

/* Set before load (socket mode, not the _irq build): enum pdtt_tx_way. */
const volatile __u32 pdtt_tx_way = PDTT_TX_LOCKED;

/*
 * cls if the value holds it (pdtt_n_classes classes, set before load), else
 * EXTERNAL: the bound the verifier needs before indexing by_class. In
 * assembly, so that the compare and the index are one register: clang may
 * otherwise compare a copy, and verifiers before 6.x (Debian 12's 6.1) do not
 * carry the bound from the copy to the register used, and refuse the access.
 */
static __always_inline __u64 pdtt_class_index(__u32 cls, __u64 n)
{
	__u64 idx = cls;

	asm volatile("if %[idx] < %[n] goto +1\n\t"
		     "%[idx] = %[ext]"
		     : [idx] "+r"(idx)
		     : [n] "r"(n), [ext] "i"(PDTT_CLASS_EXTERNAL));
	return idx;
}

static __always_inline void pdtt_add_plain(struct pdtt_counters *c, enum pdtt_direction dir,
					   struct pdtt_wire w)
{
	if (dir == PDTT_TX) {
		c->tx_bytes += w.bytes;
		c->tx_packets += w.packets;
	} else {
		c->rx_bytes += w.bytes;
		c->rx_packets += w.packets;
	}
}

static __always_inline void pdtt_add_tx_locked(struct pdtt_counters *c, struct pdtt_wire w)
{
	__sync_fetch_and_add(&c->tx_bytes, w.bytes);
	__sync_fetch_and_add(&c->tx_packets, w.packets);
}

/* Socket mode's egress, the _irq build: plain adds with interrupts off. */
static __always_inline void pdtt_add_tx_irq_off(struct pdtt_counters *c, struct pdtt_counters *jc,
						struct pdtt_wire w)
{
#ifdef PDTT_TX_IRQ_OFF
	unsigned long flags;

	bpf_local_irq_save(&flags);
	pdtt_add_plain(c, PDTT_TX, w);
	if (jc)
		pdtt_add_plain(jc, PDTT_TX, w);
	bpf_local_irq_restore(&flags);
#endif
}

#define pdtt_barrier() asm volatile("" ::: "memory")

/*
 * PDTT_TX_LANES: w added to v's class idx with plain adds, in the lane its
 * guard says (see above). The guard is after both lanes (n classes each);
 * the barriers keep the adds between setting it and putting it back.
 */
static __always_inline void pdtt_add_tx_lanes(struct pdtt_value *v, __u64 idx, __u64 n,
					      struct pdtt_wire w)
{
	volatile __u64 *guard = (volatile __u64 *)((char *)v + 2 * PDTT_LANE_SIZE(n));
	__u64 was = *guard;

	*guard = 1;
	pdtt_barrier();
	if (was)
		idx += n;
	pdtt_add_plain(&v->by_class[idx], PDTT_TX, w);
	pdtt_barrier();
	*guard = was;
}

/*
 * w, of class cls, added to the counters of v and, with jobs on, of job
 * (NULL for none): for TX in socket mode's egress, as said above.
 */
static __always_inline void pdtt_add(struct pdtt_value *v, struct pdtt_value *job,
				     enum pdtt_direction dir, __u32 cls, struct pdtt_wire w)
{
	/* Read once: pdtt_n_classes is volatile, so each mention is a load. */
	__u64 n = pdtt_n_classes;
	__u64 idx = pdtt_class_index(cls, n);
	bool tx_racy = dir == PDTT_TX && !PDTT_COUNTING_BH_DISABLED;
	struct pdtt_counters *c = &v->by_class[idx];
	struct pdtt_counters *jc = job ? &job->by_class[idx] : NULL;

#ifdef PDTT_TX_IRQ_OFF
	if (tx_racy) {
		pdtt_add_tx_irq_off(c, jc, w);
		return;
	}
#endif
	if (tx_racy && pdtt_tx_way == PDTT_TX_LANES) {
		pdtt_add_tx_lanes(v, idx, n, w);
		if (job)
			pdtt_add_tx_lanes(job, idx, n, w);
		return;
	}
	if (tx_racy) {
		pdtt_add_tx_locked(c, w);
		if (jc)
			pdtt_add_tx_locked(jc, w);
		return;
	}
	pdtt_add_plain(c, dir, w);
	if (jc)
		pdtt_add_plain(jc, dir, w);
}

/*
 * count() for an owner whose slot is known when it has a UID (o.slot
 * PDTT_NO_SLOT there: its UID has none, the overflow bucket).
 */
static __always_inline void pdtt_count_known(struct pdtt_owner owner, struct __sk_buff *skb,
					     __u32 l3_offset, enum pdtt_direction dir)
{
	struct pdtt_value *v = NULL, *job;
	__u32 slot = owner.slot; /* its own key: the owner stays in registers */

	if (owner.bucket == PDTT_BUCKET_COUNT) {
		v = bpf_map_lookup_elem(&pdtt_counters, &slot);
		if (!v)
			owner.bucket = PDTT_BUCKET_OVERFLOW;
	}
	if (!v)
		v = pdtt_bucket(owner.bucket);
	if (!v)
		return; /* never: the bucket array is preallocated */
	job = pdtt_job_value(owner.job);
	pdtt_add(v, job, dir, pdtt_classify(skb, l3_offset, dir), pdtt_wire_of(skb, l3_offset));
}

/*
 * Charge the buffer of skb, its IP header at l3_offset, to its owner and,
 * with jobs on, to the socket's job too: its class and its bytes and
 * packets on the wire. Those are read from skb only once the counters are
 * found: the slot claim's helper calls (rare) then sit before them, so that
 * on the common path they stay in registers rather than being kept on the
 * stack across calls.
 */
static __always_inline void count(struct pdtt_owner owner, struct __sk_buff *skb, __u32 l3_offset,
				  enum pdtt_direction dir)
{
	if (owner.bucket == PDTT_BUCKET_COUNT && owner.slot == PDTT_NO_SLOT)
		owner.slot = pdtt_slot_of(owner.uid);
	pdtt_count_known(owner, skb, l3_offset, dir);
}

/*
 * An owner whose slot is known (pdtt_count_known) in one word, so that a
 * subprogram can return it in its return register rather than through the
 * caller's stack: its job in the high half, and in the low half its slot,
 * or PDTT_NO_SLOT - bucket for a bucket (slots stay far below:
 * max_users is at most 2^20).
 */
static __always_inline __u64 pdtt_owner_pack(struct pdtt_owner o)
{
	__u32 where = PDTT_NO_SLOT - o.bucket;

	if (o.bucket == PDTT_BUCKET_COUNT)
		where = o.slot == PDTT_NO_SLOT ? PDTT_NO_SLOT - PDTT_BUCKET_OVERFLOW : o.slot;
	return (__u64)o.job << 32 | where;
}

static __always_inline struct pdtt_owner pdtt_owner_unpack(__u64 packed)
{
	struct pdtt_owner o = { .bucket = PDTT_BUCKET_COUNT, .job = packed >> 32 };
	__u32 where = (__u32)packed;

	if (where > PDTT_NO_SLOT - PDTT_BUCKET_COUNT) {
		o.bucket = PDTT_NO_SLOT - where;
		o.slot = PDTT_NO_SLOT;
	} else {
		o.slot = where;
	}
	return o;
}

/*
 * Socket mode, CAST: the owner of the packets that the direct read of the
 * socket's storage does not give (pdtt_socket_owner_direct: a new socket, a
 * new UID, no socket...), through bpf_sk_storage_get, with its slot
 * (claimed here for a new UID), in a subprogram of its own: the registers
 * that its helper calls need are then not taken from the common path,
 * which makes none, and the counting is inlined once, after both ways to
 * the owner. The owner comes back packed in the return register
 * (pdtt_owner_pack): through a pointer it would live on the stack on the
 * common path too.
 */
static __noinline __u64 pdtt_sock_owner_slow(struct __sk_buff *skb)
{
	struct pdtt_owner o = pdtt_socket_owner(skb->sk, skb, PDTT_ACCESS_CAST);

	if (o.bucket == PDTT_BUCKET_COUNT && o.slot == PDTT_NO_SLOT)
		o.slot = pdtt_slot_of(o.uid);
	return pdtt_owner_pack(o);
}

/* Socket mode, CAST: the owner of skb's socket, its slot known (pdtt_count_known). */
static __always_inline struct pdtt_owner pdtt_sock_owner_cast(struct __sk_buff *skb)
{
	struct pdtt_owner o;

	/* The direct read gives the slot whenever it gives a UID. */
	if (!pdtt_socket_owner_direct(skb, &o))
		o = pdtt_owner_unpack(pdtt_sock_owner_slow(skb));
	return o;
}

#endif /* PDTT_COUNT_BPF_H */
