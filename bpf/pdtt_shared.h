/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keys, values and constants shared by the BPF programs and user space.
 * Any change to a struct here changes the pinned maps' layout: bump
 * PDTT_LAYOUT_VERSION so that a daemon never misreads old pins, and teach
 * src/loader.c the old layout so that its counts are migrated.
 */
#ifndef PDTT_SHARED_H
#define PDTT_SHARED_H

#include <linux/types.h>

/*
 * 1: the first layout (meta without instance_id).
 * 2: meta gained instance_id.
 * 3: counters became a per-CPU array of slots, a UID's slot found in
 *    pdtt_slots (and cached per socket in pdtt_owners); meta gained
 *    slots_used.
 * 4: pdtt_socket_info gained job (the counters are as in 3).
 * 5: every counter value (pdtt_counters, pdtt_buckets, pdtt_job_counters)
 *    holds its classes twice, in two lanes: socket mode's egress adds TX
 *    from a softirq, or with bottom halves disabled, to the second, so that
 *    plain adds are exact (bpf/pdtt_count.bpf.h). User space adds the lanes.
 */
#define PDTT_LAYOUT_VERSION 5

/* Per UID (or per bucket) counters; only ever incremented. */
struct pdtt_counters {
	__u64 tx_bytes;
	__u64 tx_packets;
	__u64 rx_bytes;
	__u64 rx_packets;
};

/*
 * Where the other end is, the class (network) of the remote address: LOCAL
 * for loopback and local_networks (the network named "local"), EXTERNAL for
 * what matches no network, then the names of networks, from
 * PDTT_CLASS_FIRST_NAMED on, in the order they were first counted (never
 * renumbered: a name keeps its counters and its totals).
 */
enum pdtt_class {
	PDTT_CLASS_LOCAL = 0,
	PDTT_CLASS_EXTERNAL = 1,
	PDTT_CLASS_FIRST_NAMED = 2,
	PDTT_CLASS_DEFAULT_COUNT = 2, /* without networks */
};

/* Classes the counters can have: local, external and 16 names. */
#define PDTT_CLASS_MAX 18
#define PDTT_CLASS_NAME_LEN 32 /* with the NUL */

/*
 * The value of every counter map entry (a slot of pdtt_counters, a bucket):
 * the counts split by class. In the kernel maps only the classes in use are
 * there: their value size is n_classes * sizeof(struct pdtt_counters), set
 * before load (pdtt_n_classes), so the counters grow with the networks
 * configured, not with PDTT_CLASS_MAX. User space sums them into this
 * struct, zero beyond the classes in use, only one at a time: what it keeps
 * per UID also grows with the classes in use (struct pdtt_usage, snapshot.h).
 */
struct pdtt_value {
	struct pdtt_counters by_class[PDTT_CLASS_MAX];
};

/*
 * A kernel counter value from layout 5: the first lane, classes 0..n-1,
 * then the second lane, classes n..2n-1, then one 64-bit word, the guard,
 * never a count (bpf/pdtt_count.bpf.h says how socket mode's egress uses
 * them). Every other path writes the first lane alone.
 */
#define PDTT_LANES 2
#define PDTT_GUARD_SIZE sizeof(__u64)

/* The size of one lane of n classes: the whole value before layout 5. */
#define PDTT_LANE_SIZE(n) ((n) * sizeof(struct pdtt_counters))

/* The size of a kernel counter value of n classes, in this layout. */
#define PDTT_VALUE_SIZE(n) (PDTT_LANES * PDTT_LANE_SIZE(n) + PDTT_GUARD_SIZE)

/* The lanes in a counter value of pins of layout version v. */
static inline unsigned int pdtt_lanes_of_layout(unsigned int v)
{
	return v >= 5 ? PDTT_LANES : 1;
}

/* The size of a counter value of n classes in lanes lanes (with its guard). */
static inline __u32 pdtt_value_size_of(__u32 n, unsigned int lanes)
{
	return lanes > 1 ? lanes * PDTT_LANE_SIZE(n) + PDTT_GUARD_SIZE : PDTT_LANE_SIZE(n);
}

/* The classes in a counter value of size bytes in lanes lanes; 0 if none fit. */
static inline __u32 pdtt_classes_in_value(__u32 size, unsigned int lanes)
{
	__u32 guard = lanes > 1 ? PDTT_GUARD_SIZE : 0;

	return size < guard ? 0 : (size - guard) / (lanes * sizeof(struct pdtt_counters));
}

/*
 * Key of the local_networks LPM trie: IPv4 networks are stored as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix + 96), so one trie serves both.
 */
struct pdtt_lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* CIDRs of local_networks and networks together (not preallocated). */
#define PDTT_LOCAL_NETWORKS_MAX 16384

/* Slots of the special-bucket array: traffic that has no UID to charge. */
enum pdtt_bucket {
	PDTT_BUCKET_UNATTRIBUTED = 0, /* no full socket: time-wait, kernel RST/ICMP... */
	PDTT_BUCKET_OVERFLOW = 1,     /* the UID map was full */
	PDTT_BUCKET_COUNT = 2,
};

enum pdtt_mode {
	PDTT_MODE_SOCKET = 1,
	PDTT_MODE_TC = 2,
};

/*
 * Single entry of the meta map, written by user space when the maps are created.
 * layout_version stays the first field in every layout: it is how a daemon
 * recognises pins of another layout.
 */
struct pdtt_meta {
	__u32 layout_version;
	__u32 mode;             /* enum pdtt_mode of the daemon that created the pins */
	__u64 accounting_start; /* UNIX time the counters started from zero */
	__u64 instance_id;      /* random, never 0: tells these maps from earlier ones
				 * (a reboot or --unload makes new maps) */
	__u32 slots_used;       /* slots of pdtt_counters handed out, by the programs;
				 * may exceed its size when full */
	__u32 reserved;
};

/*
 * pdtt_slots' value for a UID that has no slot: claimed by a program that is
 * about to write the slot it takes, or left so when the slots ran out. User
 * space names no slot from such an entry (it is past the counters' end).
 */
#define PDTT_NO_SLOT 0xffffffffu

/*
 * Per socket (pdtt_owners, socket-local storage): who owns it and where its
 * owner's counters are, so that a packet costs one storage lookup instead of
 * a hash lookup by UID. Each field is written whole in one 8-byte store, so
 * a reader on another CPU never sees half of an update.
 */
struct pdtt_socket_info {
	__u64 tracked; /* owner tracking: PDTT_TRACKED | UID of the last process to
			* send or receive; 0 when none has */
	__u64 charged; /* (slot + 1) << 32 | UID: the slot of the UID last charged;
			* 0 before the first packet */
	__u64 job;     /* jobs on: (job slot + 1, or 0 for none) << 32 | the
			* pdtt_jobs_epoch it was looked up in; 0 before */
};

#define PDTT_TRACKED (1ULL << 32)

/*
 * How socket mode's egress adds TX counters (pdtt_tx_way, set before load;
 * bpf/pdtt_count.bpf.h says why each is exact). The _irq build adds with
 * interrupts off whatever it says.
 */
/* pdtt_owner_switches, set before load (bpf/pdtt_count.bpf.h). */
#define PDTT_SW_OWNER_TRACKING 1u /* charge what owner tracking recorded */
#define PDTT_SW_STORAGE_HELPER 2u /* tests: socket mode reads its storage by the helper only */

enum pdtt_tx_way {
	PDTT_TX_LOCKED = 0, /* locked atomic adds */
	PDTT_TX_LANES = 1,  /* plain adds, in the task or the BH lane */
};

/* Names under which maps and links are pinned in pin_path. */
#define PDTT_PIN_COUNTERS "pdtt_counters"
#define PDTT_PIN_BUCKETS "pdtt_buckets"
#define PDTT_PIN_META "pdtt_meta"
#define PDTT_PIN_OWNERS "pdtt_owners"
#define PDTT_PIN_SLOTS "pdtt_slots"
#define PDTT_PIN_SLOT_LOCK "pdtt_slot_lock" /* kernels before 5.12 only */
/*
 * Class index -> name (char[PDTT_CLASS_NAME_LEN]) of the counters' classes
 * from PDTT_CLASS_FIRST_NAMED on; only with networks. Written by user space,
 * never read by the programs.
 */
#define PDTT_PIN_NETWORKS "pdtt_networks"
#define PDTT_PIN_JOB_COUNTERS "pdtt_job_counters"
#define PDTT_PIN_JOB_CGROUPS "pdtt_job_cgroups"
#define PDTT_PIN_JOB_USERS "pdtt_job_users"

/* Slot of pdtt_job_counters for the jobs that found no free slot (src/jobs.c). */
#define PDTT_JOB_OVERFLOW 0

#endif /* PDTT_SHARED_H */
