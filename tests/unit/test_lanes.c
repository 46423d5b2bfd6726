// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket mode's TX lanes (bpf/pdtt_count.bpf.h), on the real programs run
 * through BPF_PROG_TEST_RUN on maps of their own (nothing pinned, nothing
 * attached): an egress add finds its value's guard clear and counts in the
 * first lane; finds it set (as when a softirq interrupts an add in
 * progress) and counts in the second, putting the guard back as it found
 * it; RX always counts in the first; with locked adds the guard means
 * nothing. The collector adds the lanes up. Needs root and BPF (77 without).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "collect.h"
#include "pdtt_socket.skel.h"

#define N_CLASSES PDTT_CLASS_DEFAULT_COUNT
#define IP_LEN 128 /* IPv4 + UDP + 100 bytes of payload */
#define ETH_LEN 14

static int ncpus;
static size_t value_size;

static int skip(const char *why)
{
	fprintf(stderr, "test_lanes: %s\n", why);
	return getenv("PDTT_REQUIRE_BPF") ? 99 : 77;
}

/*
 * The programs that read the UID with bpf_get_socket_uid (every kernel
 * allows them) with TX added the way asked, their maps unpinned.
 */
static struct pdtt_socket_bpf *load(enum pdtt_tx_way way)
{
	struct pdtt_socket_bpf *skel = pdtt_socket_bpf__open();
	struct bpf_program *prog;
	struct bpf_map *map;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);

		bpf_program__set_autoload(prog, strcmp(name, "pdtt_socku_egress") == 0 ||
							strcmp(name, "pdtt_socku_ingress") == 0);
	}
	bpf_object__for_each_map(map, skel->obj) {
		bpf_map__set_pin_path(map, NULL);
	}
	bpf_map__set_autocreate(skel->maps.pdtt_slot_lock, false);
	skel->rodata->pdtt_tx_way = way;
	if (pdtt_socket_bpf__load(skel)) {
		pdtt_socket_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* prog run count times on one IPv4 datagram of IP_LEN bytes; the kernel's answer. */
static int run(const struct bpf_program *prog, int count)
{
	unsigned char pkt[ETH_LEN + IP_LEN] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = count);

	pkt[12] = 0x08; /* ETH_P_IP */
	pkt[ETH_LEN] = 0x45;
	pkt[ETH_LEN + 2] = IP_LEN >> 8;
	pkt[ETH_LEN + 3] = IP_LEN & 0xff;
	pkt[ETH_LEN + 8] = 64;   /* TTL */
	pkt[ETH_LEN + 9] = 17;   /* UDP */
	pkt[ETH_LEN + 12] = 127; /* 127.0.0.1 -> 127.0.0.1: class local */
	pkt[ETH_LEN + 15] = 1;
	pkt[ETH_LEN + 16] = 127;
	pkt[ETH_LEN + 19] = 1;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -1;
	return (int)opts.retval;
}

/* What slot 0 (the test packets' UID's, the first handed out) holds, summed over CPUs. */
struct lanes {
	struct pdtt_counters lane[PDTT_LANES]; /* class local */
	int guards_set;                        /* CPUs whose guard is set */
};

static struct lanes read_slot0(int counters_fd)
{
	char *v = calloc(ncpus, value_size);
	struct lanes got = { 0 };
	__u32 slot = 0;

	CHECK(v && bpf_map_lookup_elem(counters_fd, &slot, v) == 0);
	for (int cpu = 0; v && cpu < ncpus; cpu++) {
		const char *value = v + cpu * value_size;
		__u64 guard;

		for (int l = 0; l < PDTT_LANES; l++)
			counters_add(&got.lane[l], (const struct pdtt_counters *)value +
							   l * N_CLASSES + PDTT_CLASS_LOCAL);
		memcpy(&guard, value + value_size - PDTT_GUARD_SIZE, sizeof(guard));
		got.guards_set += guard != 0;
	}
	free(v);
	return got;
}

/* Set or clear slot 0's guard on every CPU, its counts kept. */
static void set_guards(int counters_fd, __u64 to)
{
	char *v = calloc(ncpus, value_size);
	__u32 slot = 0;

	CHECK(v && bpf_map_lookup_elem(counters_fd, &slot, v) == 0);
	for (int cpu = 0; v && cpu < ncpus; cpu++)
		memcpy(v + cpu * value_size + value_size - PDTT_GUARD_SIZE, &to, sizeof(to));
	CHECK(v && bpf_map_update_elem(counters_fd, &slot, v, BPF_EXIST) == 0);
	free(v);
}

/* The TX bytes the collector reports for the one UID counted. */
static __u64 collected_tx(struct pdtt_socket_bpf *skel)
{
	struct collector_maps m = {
		.counters_fd = bpf_map__fd(skel->maps.pdtt_counters),
		.buckets_fd = bpf_map__fd(skel->maps.pdtt_buckets),
		.slots_fd = bpf_map__fd(skel->maps.pdtt_slots),
		.meta_fd = bpf_map__fd(skel->maps.pdtt_meta),
		.max_entries = bpf_map__max_entries(skel->maps.pdtt_counters),
		.lanes = PDTT_LANES,
	};
	struct collector *col = collector_new(&m);
	const struct pdtt_snapshot *s;
	__u64 tx = 0;

	CHECK(col && collector_read_kernel(col, &s) == 0);
	CHECK(col && s->n_users == 1);
	if (col && s->n_users == 1)
		tx = s->users[0].by_class[PDTT_CLASS_LOCAL].tx_bytes;
	collector_free(col);
	return tx;
}

static void test_lanes(void)
{
	struct pdtt_socket_bpf *skel = load(PDTT_TX_LANES);
	int fd;
	struct lanes got;

	CHECK(skel != NULL);
	if (!skel)
		return;
	fd = bpf_map__fd(skel->maps.pdtt_counters);
	/* Nothing in progress: the first lane. */
	CHECK(run(skel->progs.pdtt_socku_egress, 10) == 1);
	got = read_slot0(fd);
	CHECK(got.lane[0].tx_bytes == 10 * IP_LEN && got.lane[0].tx_packets == 10);
	CHECK(got.lane[1].tx_bytes == 0 && got.guards_set == 0);
	/* An add in progress on every CPU: the second lane, the guard left set. */
	set_guards(fd, 1);
	CHECK(run(skel->progs.pdtt_socku_egress, 7) == 1);
	got = read_slot0(fd);
	CHECK(got.lane[0].tx_bytes == 10 * IP_LEN && got.lane[0].tx_packets == 10);
	CHECK(got.lane[1].tx_bytes == 7 * IP_LEN && got.lane[1].tx_packets == 7);
	CHECK(got.guards_set == ncpus);
	/* RX never looks at the guard: the first lane. */
	CHECK(run(skel->progs.pdtt_socku_ingress, 3) == 1);
	got = read_slot0(fd);
	CHECK(got.lane[0].rx_bytes == 3 * IP_LEN && got.lane[1].rx_bytes == 0);
	/* Reports add the lanes up. */
	CHECK(collected_tx(skel) == 17 * IP_LEN);
	/* Cleared again: the first lane again. */
	set_guards(fd, 0);
	CHECK(run(skel->progs.pdtt_socku_egress, 1) == 1);
	got = read_slot0(fd);
	CHECK(got.lane[0].tx_bytes == 11 * IP_LEN && got.lane[1].tx_bytes == 7 * IP_LEN);
	pdtt_socket_bpf__destroy(skel);
}

/* Locked adds: one lane whatever the guard says. */
static void test_locked(void)
{
	struct pdtt_socket_bpf *skel = load(PDTT_TX_LOCKED);
	struct lanes got;
	int fd;

	CHECK(skel != NULL);
	if (!skel)
		return;
	fd = bpf_map__fd(skel->maps.pdtt_counters);
	CHECK(run(skel->progs.pdtt_socku_egress, 2) == 1);
	set_guards(fd, 1);
	CHECK(run(skel->progs.pdtt_socku_egress, 5) == 1);
	got = read_slot0(fd);
	CHECK(got.lane[0].tx_bytes == 7 * IP_LEN && got.lane[1].tx_bytes == 0);
	pdtt_socket_bpf__destroy(skel);
}

int main(void)
{
	int probe;

	if (geteuid() != 0)
		return skip("needs root to load BPF programs");
	probe = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (probe < 0)
		return skip("this kernel does not let us make BPF maps");
	close(probe);
	ncpus = libbpf_num_possible_cpus();
	value_size = PDTT_VALUE_SIZE(N_CLASSES);
	test_lanes();
	test_locked();
	return check_summary("test_lanes");
}
