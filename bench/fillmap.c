// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fillmap PINNED_MAP N FIRST_UID
 *
 * Put N UIDs (FIRST_UID, FIRST_UID+1, ...) with non-zero counts in a pinned
 * per-CPU hash of pdtt counters, in batches (bpftool does one syscall per
 * entry and takes minutes for 100,000). Prints the seconds it took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CHUNK 4096

int main(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), n, first, done = 0;
	struct timespec t0, t1;
	size_t vsize;
	__u32 *keys;
	__u64 *vals;
	int fd, ncpus;

	if (argc != 4) {
		fprintf(stderr, "usage: fillmap PINNED_MAP N FIRST_UID\n");
		return 64;
	}
	n = strtoul(argv[2], NULL, 0);
	first = strtoul(argv[3], NULL, 0);
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "fillmap: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ncpus = libbpf_num_possible_cpus();
	vsize = (info.value_size + 7) / 8 * 8; /* per-CPU values are 8-byte aligned */
	keys = calloc(CHUNK, sizeof(*keys));
	vals = calloc((size_t)CHUNK * ncpus, vsize);
	if (!keys || !vals || ncpus <= 0)
		return 1;
	/* Every counter of every CPU non-zero, so that each UID is reported. */
	for (size_t i = 0; i < (size_t)CHUNK * ncpus * vsize / 8; i++)
		vals[i] = 1000 + i % 7;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < n) {
		__u32 count = n - done < CHUNK ? n - done : CHUNK;

		for (__u32 i = 0; i < count; i++)
			keys[i] = first + done + i;
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
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
