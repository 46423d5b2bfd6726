// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fillmap PIN_PATH N FIRST_UID
 *
 * Give N UIDs (FIRST_UID, FIRST_UID+1, ...) non-zero counts in the maps a
 * pdttd pinned in PIN_PATH, as its programs would: a slot each from
 * pdtt_meta's slots_used, named in pdtt_slots, counted in pdtt_counters.
 * In batches (bpftool does one syscall per entry and takes minutes for
 * 100,000). Prints the seconds it took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pdtt_shared.h"

#define CHUNK 4096

static int open_pin(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "fillmap: %s: %s\n", path, strerror(errno));
	return fd;
}

/*
 * Take n slots: slots_used goes up before they are filled, so that the
 * programs hand out the ones after them (a program taking one in between
 * the read and the write would share it: nothing counts during the fill).
 */
static int take_slots(int meta_fd, __u32 n, __u32 *first)
{
	struct pdtt_meta meta;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(meta_fd, &zero, &meta))
		return -1;
	*first = meta.slots_used;
	meta.slots_used += n;
	return bpf_map_update_elem(meta_fd, &zero, &meta, BPF_EXIST);
}

int main(int argc, char **argv)
{
	__u32 n, first_uid, first_slot, done = 0;
	int counters, slots, meta, ncpus;
	struct timespec t0, t1;
	__u32 *uids, *slot_ids;
	__u64 *vals;
	size_t words;

	if (argc != 4) {
		fprintf(stderr, "usage: fillmap PIN_PATH N FIRST_UID\n");
		return 64;
	}
	n = strtoul(argv[2], NULL, 0);
	first_uid = strtoul(argv[3], NULL, 0);
	counters = open_pin(argv[1], PDTT_PIN_COUNTERS);
	slots = open_pin(argv[1], PDTT_PIN_SLOTS);
	meta = open_pin(argv[1], PDTT_PIN_META);
	if (counters < 0 || slots < 0 || meta < 0)
		return 1;
	ncpus = libbpf_num_possible_cpus();
	words = (size_t)CHUNK * ncpus * sizeof(struct pdtt_value) / 8;
	uids = calloc(CHUNK, sizeof(*uids));
	slot_ids = calloc(CHUNK, sizeof(*slot_ids));
	vals = calloc(words, 8);
	if (!uids || !slot_ids || !vals || ncpus <= 0)
		return 1;
	/* Every counter of every CPU non-zero, so that each UID is reported. */
	for (size_t i = 0; i < words; i++)
		vals[i] = 1000 + i % 7;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (take_slots(meta, n, &first_slot)) {
		fprintf(stderr, "fillmap: pdtt_meta: %s\n", strerror(errno));
		return 1;
	}
	while (done < n) {
		__u32 count = n - done < CHUNK ? n - done : CHUNK;

		for (__u32 i = 0; i < count; i++) {
			uids[i] = first_uid + done + i;
			slot_ids[i] = first_slot + done + i;
		}
		if (bpf_map_update_batch(counters, slot_ids, vals, &count, NULL) ||
		    bpf_map_update_batch(slots, uids, slot_ids, &count, NULL)) {
			fprintf(stderr, "fillmap: update after %u entries: %s\n", done + count,
				strerror(errno));
			return 1;
		}
		done += count;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
