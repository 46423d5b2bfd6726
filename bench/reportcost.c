// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reportcost PIN_PATH LOG ROUNDS
 *
 * Where a report's time goes, with the daemon's own code (libpdtt.a): reading
 * the maps (collector_read_kernel: batch syscalls, summing CPUs, sorting), formatting
 * the text report (report_text_write, with names from the cache), and
 * appending it to LOG in one write(). Round 1 has a cold name cache. Prints one
 * line per round: "read_ms format_ms write_ms bytes".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "collect.h"
#include "pins.h"
#include "report_text.h"
#include "usercache.h"

static const char *cache_name(void *names, uint32_t uid)
{
	return usercache_lookup(names, uid);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const struct pdtt_snapshot *snap;
	char *text = NULL;
	size_t len = 0;
	struct collector *col;
	struct usercache *names;
	struct pins_maps maps;
	char err[512];
	int log, rounds;

	if (argc != 4) {
		fprintf(stderr, "usage: reportcost PIN_PATH LOG ROUNDS\n");
		return 64;
	}
	if (pins_open_maps(argv[1], &maps, err, sizeof(err)) || !maps.present) {
		fprintf(stderr, "reportcost: %s\n", maps.present ? err : "no maps pinned there");
		return 1;
	}
	log = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	rounds = atoi(argv[3]);
	col = collector_new(
		&(struct collector_maps){ .counters_fd = maps.counters_fd,
					  .buckets_fd = maps.buckets_fd,
					  .slots_fd = maps.slots_fd,
					  .meta_fd = maps.meta_fd,
					  .max_entries = maps.max_entries,
					  .classes = maps.classes,
					  .lanes = pdtt_lanes_of_layout(maps.layout_version) });
	names = usercache_new();
	if (log < 0 || !col || !names) {
		perror("reportcost");
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ms(), t1, t2, t3;
		FILE *mem;

		struct pdtt_report report = { .user_name = cache_name, .names = names };

		if (collector_read_kernel(col, &snap)) {
			perror("collector_read_kernel");
			return 1;
		}
		t1 = now_ms();
		report.now = snap;
		/* Formatting and writing apart (pdttd streams them through one buffer). */
		mem = open_memstream(&text, &len);
		report_text_write(mem, &report);
		fclose(mem);
		t2 = now_ms();
		if (write(log, text, len) != (ssize_t)len) {
			perror("write");
			return 1;
		}
		t3 = now_ms();
		printf("%.2f %.2f %.2f %zu\n", t1 - t0, t2 - t1, t3 - t2, len);
		free(text);
		text = NULL;
	}
	return 0;
}
