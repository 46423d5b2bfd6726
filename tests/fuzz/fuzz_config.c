// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the configuration loader: any bytes as /etc/pdtt.conf.
 * config_load must return 0, 1 or -1 with a message, never crash, leak, read
 * out of bounds or exit. Built with clang -fsanitize=fuzzer,address,undefined
 * by 'make fuzz'; the seed corpus is tests/fuzz/corpus.
 */
/* _GNU_SOURCE (memfd_create) comes from AM_CPPFLAGS, as for the daemon. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pdtt_config.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdtt_config cfg;
	char err[1024];
	int rc;

	if (fd < 0) {
		/* A file in memory: no disk I/O per input. */
		fd = memfd_create("pdtt.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = 'x';
	rc = config_load(path, &cfg, err, sizeof(err));
	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	/* A refusal always says why, in one line. */
	if (rc == -1 && (err[0] == '\0' || strchr(err, '\n') || !memchr(err, '\0', sizeof(err))))
		abort();
	if (rc == 0) {
		FILE *out = fopen("/dev/null", "w");

		if (out) {
			config_print(out, &cfg);
			fclose(out);
		}
	}
	return 0;
}
