// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The collector against real kernel maps, filled the way the programs fill
 * them: layout 3's slots (named by the slots map, counted from meta's
 * slots_used) and layout 2's per-CPU hash by UID, which a migration still
 * reads. Needs root and BPF maps: exit 77 without (99 when PDTT_REQUIRE_BPF
 * is set, as in CI).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "collect.h"

#define MAX_SLOTS 8

static int ncpus;

static int skip(const char *why)
{
	fprintf(stderr, "test_collect: %s\n", why);
	return getenv("PDTT_REQUIRE_BPF") ? 99 : 77;
}

/* Lanes of the values the test's maps hold: 1 before layout 5, then 2. */
static unsigned int lanes;

/*
 * A per-CPU value with tx_bytes = bytes local: with two lanes, a third of it
 * in the last CPU's second lane, the rest in CPU 0's first, and the guard
 * set (a program mid-add), so the sum is bytes only if every lane of every
 * CPU is added, and the guard never.
 */
static void put_percpu(int fd, const void *key, uint64_t bytes)
{
	/* Two classes (no networks): the kernel values are that size. */
	const size_t n = PDTT_CLASS_DEFAULT_COUNT, size = pdtt_value_size_of(n, lanes);
	char *v = calloc(ncpus, size);
	struct pdtt_counters *first = (struct pdtt_counters *)v;
	struct pdtt_counters *last = (struct pdtt_counters *)(v + (ncpus - 1) * size);
	uint64_t bh = lanes > 1 ? bytes / 3 : 0;

	first[PDTT_CLASS_LOCAL].tx_bytes = bytes - bh;
	last[(lanes - 1) * n + PDTT_CLASS_LOCAL].tx_bytes += bh;
	if (lanes > 1)
		memset(v + size - PDTT_GUARD_SIZE, 0xff, PDTT_GUARD_SIZE);
	CHECK(bpf_map_update_elem(fd, key, v, BPF_ANY) == 0);
	free(v);
}

static void set_slots_used(int meta_fd, uint32_t used)
{
	struct pdtt_meta meta = { .layout_version = PDTT_LAYOUT_VERSION, .slots_used = used };
	__u32 zero = 0;

	CHECK(bpf_map_update_elem(meta_fd, &zero, &meta, BPF_ANY) == 0);
}

static void name_slot(int slots_fd, uint32_t uid, uint32_t slot)
{
	CHECK(bpf_map_update_elem(slots_fd, &uid, &slot, BPF_NOEXIST) == 0);
}

/* Counters of counters_type and buckets, as every layout has them. */
static void make_counter_maps(struct collector_maps *m, enum bpf_map_type counters_type)
{
	const size_t size = pdtt_value_size_of(PDTT_CLASS_DEFAULT_COUNT, lanes);

	m->lanes = lanes;

	m->counters_fd = bpf_map_create(counters_type, NULL, 4, size, MAX_SLOTS, NULL);
	m->buckets_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, NULL, 4, size, PDTT_BUCKET_COUNT,
				       NULL);
	CHECK(m->counters_fd >= 0 && m->buckets_fd >= 0);
}

static uint64_t tx_of(const struct pdtt_snapshot *s, size_t i)
{
	return s->users[i].by_class[PDTT_CLASS_LOCAL].tx_bytes;
}

static void test_slots(void)
{
	struct collector_maps m = { .max_entries = MAX_SLOTS };
	const struct pdtt_snapshot *s;
	struct collector *col;
	uint32_t slot;

	make_counter_maps(&m, BPF_MAP_TYPE_PERCPU_ARRAY);
	m.slots_fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, MAX_SLOTS, NULL);
	m.meta_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(struct pdtt_meta), 1, NULL);
	CHECK(m.slots_fd >= 0 && m.meta_fd >= 0);
	col = collector_new(&m);
	CHECK(col != NULL);

	/* Slots 0-3 handed out: 0 to UID 3000, 1 to 1000, 2 lost in a race, 3 to 2000. */
	set_slots_used(m.meta_fd, 4);
	name_slot(m.slots_fd, 3000, 0);
	name_slot(m.slots_fd, 1000, 1);
	name_slot(m.slots_fd, 2000, 3);
	slot = 0, put_percpu(m.counters_fd, &slot, 30);
	slot = 1, put_percpu(m.counters_fd, &slot, 10);
	/* Slot 3 (2000) has no count yet: not reported. Slot 5 is past slots_used. */
	slot = 5, put_percpu(m.counters_fd, &slot, 555);
	CHECK(collector_read_kernel(col, &s) == 0);
	CHECK(s->n_users == 2);
	CHECK(s->users[0].uid == 1000 && tx_of(s, 0) == 10);
	CHECK(s->users[1].uid == 3000 && tx_of(s, 1) == 30);

	/* A new slot: its name is read again, UIDs stay sorted. */
	set_slots_used(m.meta_fd, 5);
	name_slot(m.slots_fd, 500, 4);
	slot = 4, put_percpu(m.counters_fd, &slot, 5);
	slot = 3, put_percpu(m.counters_fd, &slot, 20);
	CHECK(collector_read_kernel(col, &s) == 0);
	CHECK(s->n_users == 4);
	CHECK(s->users[0].uid == 500 && tx_of(s, 0) == 5);
	CHECK(s->users[2].uid == 2000 && tx_of(s, 2) == 20);

	/*
	 * Slot 2, handed out before the names were read but named (and counted)
	 * only after: its counts show that the names must be read again.
	 */
	name_slot(m.slots_fd, 4000, 2);
	slot = 2, put_percpu(m.counters_fd, &slot, 40);
	CHECK(collector_read_kernel(col, &s) == 0);
	CHECK(s->n_users == 5);
	CHECK(s->users[4].uid == 4000 && tx_of(s, 4) == 40);

	/* slots_used beyond the array (programs racing for the last slot): capped. */
	set_slots_used(m.meta_fd, MAX_SLOTS + 2);
	CHECK(collector_read_kernel(col, &s) == 0);
	CHECK(s->n_users == 5);
	collector_free(col);
	close(m.counters_fd), close(m.buckets_fd), close(m.slots_fd), close(m.meta_fd);
}

/* Layout 2: a per-CPU hash by UID, as a migration finds it. */
static void test_uid_hash(void)
{
	struct collector_maps m = { .slots_fd = -1, .meta_fd = -1, .max_entries = MAX_SLOTS };
	const struct pdtt_snapshot *s;
	struct collector *col;
	uint32_t uid;

	make_counter_maps(&m, BPF_MAP_TYPE_PERCPU_HASH);
	uid = 7, put_percpu(m.counters_fd, &uid, 70);
	uid = 6, put_percpu(m.counters_fd, &uid, 60);
	uid = 0, put_percpu(m.buckets_fd, &uid, 99);
	col = collector_new(&m);
	CHECK(col != NULL);
	CHECK(collector_read_kernel(col, &s) == 0);
	CHECK(s->n_users == 2);
	CHECK(s->users[0].uid == 6 && tx_of(s, 0) == 60);
	CHECK(s->users[1].uid == 7 && tx_of(s, 1) == 70);
	CHECK(s->buckets[PDTT_BUCKET_UNATTRIBUTED].by_class[PDTT_CLASS_LOCAL].tx_bytes == 99);
	collector_free(col);
	close(m.counters_fd), close(m.buckets_fd);
}

int main(void)
{
	int probe;

	if (geteuid() != 0)
		return skip("needs root to make BPF maps");
	probe = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (probe < 0)
		return skip("this kernel does not let us make BPF maps");
	close(probe);
	ncpus = libbpf_num_possible_cpus();
	lanes = PDTT_LANES;
	test_slots();
	lanes = pdtt_lanes_of_layout(2);
	test_uid_hash();
	return check_summary("test_collect");
}
