/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A per-CPU cache of socket owners, keyed by socket cookie, so that a packet
 * of a socket this CPU has seen lately is charged without touching the
 * socket's storage: bpf_sk_storage_get reads three lines that are cold when
 * the sender does other work between packets (sk_bpf_storage at the end of
 * struct sock, the socket's bpf_local_storage, the storage element), while
 * the cookie sits in struct sock_common's second line, next to skc_flags,
 * which the stack reads on every send and receive.
 *
 * Why a cached owner is never another socket's:
 * - The key is the socket cookie, not its address. A cookie is unique for
 *   the life of the system (a 64-bit counter); a socket allocated where a
 *   freed one was (TCP and UDP sockets are SLAB_TYPESAFE_BY_RCU: at once)
 *   starts with cookie 0 and gets a new one. Two kinds of socket share a
 *   full socket's cookie: the time-wait socket that replaces it, and the
 *   request socket a connection was accepted from; neither is looked up in
 *   the cache (their state), and entries are made for full sockets only.
 * - What a full socket's owner depends on does not change for its life
 *   (sk_uid, sk_kern_sock, its network namespace, the slot of a UID), except
 *   what owner tracking records. Owner tracking counts
 *   pdtt_meta.owner_changes up whenever the UID a socket is charged to
 *   changes, after writing the socket's storage; an entry is valid only
 *   while the count is the one read before the storage it was made from.
 *   That read is an atomic fetch-and-add of 0, a full barrier on every
 *   architecture, so the storage cannot be read before it. The count is 32
 *   bits: an entry would have to stay untouched across 2^32 owner changes
 *   (hand-overs of a socket from one UID to another, not packets) to be
 *   mistaken.
 * - An entry is several words, and a program can be interrupted by a
 *   softirq, or preempted by a task, that uses the same entry on the same
 *   CPU. A writer takes the entry by moving its sequence number from even
 *   to odd with a compare-and-swap, and makes it even again when done; a
 *   reader takes what it read only if the number was even and the same
 *   before and after. The number only grows, so any write during a read is
 *   seen. Interleaved programs on one CPU see each other's stores in
 *   program order; the barriers keep the compiler from reordering them.
 *
 * Not in the build for kernels before 5.12 (PDTT_COMPAT_ATOMICS): they have
 * no atomic fetch-and-add or compare-and-swap.
 */
#ifndef PDTT_OWNER_CACHE_BPF_H
#define PDTT_OWNER_CACHE_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "pdtt_shared.h"

#ifndef PDTT_COMPAT_ATOMICS
#define PDTT_OWNER_CACHE 1
#endif

struct pdtt_cached_owner {
	__u64 seq;     /* odd while being written */
	__u64 cookie;  /* the socket's; 0 in an entry never written */
	__u32 changes; /* pdtt_meta.owner_changes read before the storage */
	__u32 uid;     /* the UID charged */
	__u32 slot;    /* its slot in pdtt_counters, never PDTT_NO_SLOT */
	__u32 tracked; /* 1: the storage holds PDTT_TRACKED | uid */
};

/* Direct-mapped by the cookie's low bits (cookies are handed out in order). */
#define PDTT_OWNER_CACHE_SIZE 256

/* Not pinned: a new load starts empty, its entries made from its own maps. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PDTT_OWNER_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct pdtt_cached_owner);
} pdtt_owner_cache SEC(".maps");

#define pdtt_compiler_barrier() asm volatile("" ::: "memory")
#define PDTT_READ_ONCE(x) (*(volatile typeof(x) *)&(x))

static __always_inline struct pdtt_cached_owner *pdtt_owner_cache_entry(__u64 cookie)
{
	__u32 i = cookie & (PDTT_OWNER_CACHE_SIZE - 1);

	return bpf_map_lookup_elem(&pdtt_owner_cache, &i);
}

/* The owner changes count to make an entry with: read before the storage. */
static __always_inline __u32 pdtt_owner_changes_before(struct pdtt_meta *meta)
{
	return __sync_fetch_and_add(&meta->owner_changes, 0);
}

/*
 * Called after the storage write that changed the UID a socket is charged.
 * Returns the count before: its value used, this is a fetch-and-add, a full
 * barrier (XADD, its value unused, orders nothing on arm64).
 */
static __always_inline __u32 pdtt_owner_changed(struct pdtt_meta *meta)
{
	return __sync_fetch_and_add(&meta->owner_changes, 1);
}

/* Whether the cache holds cookie's owner, made under changes; then in *out. */
static __always_inline bool pdtt_owner_cache_get(__u64 cookie, __u32 changes,
						 struct pdtt_cached_owner *out)
{
	struct pdtt_cached_owner *e = pdtt_owner_cache_entry(cookie);
	__u64 seq;

	if (!e)
		return false;
	seq = PDTT_READ_ONCE(e->seq);
	if (seq & 1)
		return false;
	pdtt_compiler_barrier();
	out->cookie = PDTT_READ_ONCE(e->cookie);
	out->changes = PDTT_READ_ONCE(e->changes);
	out->uid = PDTT_READ_ONCE(e->uid);
	out->slot = PDTT_READ_ONCE(e->slot);
	out->tracked = PDTT_READ_ONCE(e->tracked);
	pdtt_compiler_barrier();
	return PDTT_READ_ONCE(e->seq) == seq && out->cookie == cookie && out->changes == changes;
}

/* Remember cookie's owner; skipped when another program is writing the entry. */
static __always_inline void pdtt_owner_cache_put(__u64 cookie, __u32 changes, __u32 uid, __u32 slot,
						 bool tracked)
{
	struct pdtt_cached_owner *e = pdtt_owner_cache_entry(cookie);
	__u64 seq;

	if (!e || !cookie || slot == PDTT_NO_SLOT)
		return;
	seq = PDTT_READ_ONCE(e->seq);
	if (seq & 1 || __sync_val_compare_and_swap(&e->seq, seq, seq + 1) != seq)
		return;
	pdtt_compiler_barrier();
	e->cookie = cookie;
	e->changes = changes;
	e->uid = uid;
	e->slot = slot;
	e->tracked = tracked;
	pdtt_compiler_barrier();
	PDTT_READ_ONCE(e->seq) = seq + 2;
}

#endif /* PDTT_OWNER_CACHE_BPF_H */
