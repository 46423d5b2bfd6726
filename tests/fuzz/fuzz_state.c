// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the state file reader: any bytes as /var/lib/pdtt/state.
 * state_parse must load it or refuse it with one line saying why, never crash,
 * leak, read out of bounds, and never hand back a refused file's content
 * (read as zeros, the totals from before the last reboot would be lost
 * silently). Built with clang -fsanitize=fuzzer,address,undefined by
 * 'make fuzz'; the seed corpus is tests/fuzz/state_corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "state.h"

static void parse_one(const char *data, size_t size);

/*
 * Each input twice: as it is, and with its correct checksum line appended,
 * so that mutations reach the parser behind the CRC (almost none would).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *signed_copy = malloc(size + 16);
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);

	if (!signed_copy)
		abort();
	parse_one((const char *)data, size);
	memcpy(signed_copy, data, size);
	snprintf(signed_copy + size, 16, "crc32 %08x\n", crc);
	parse_one(signed_copy, size + 15);
	free(signed_copy);
	return 0;
}

static void parse_one(const char *data, size_t size)
{
	struct pdtt_state st;
	struct pdtt_snapshot base;
	char err[1024];
	int rc;

	err[0] = 'x';
	rc = state_parse(data, size, "state", &st, err, sizeof(err));
	if (rc != PDTT_STATE_LOADED && rc != PDTT_STATE_INVALID)
		abort();
	if (rc == PDTT_STATE_INVALID) {
		/* Said in one line, and nothing of it kept. */
		if (err[0] == '\0' || strchr(err, '\n') || !memchr(err, '\0', sizeof(err)))
			abort();
		if (st.baseline.n_users || st.last.n_users || st.baseline.users || st.last.users ||
		    st.instance_id)
			abort();
		return;
	}
	/* A loaded file is usable as the daemon uses it. */
	if (st.instance_id == 0 || state_baseline_for(&st, st.instance_id + 1, &base) != 0)
		abort();
	snapshot_release(&base);
	state_free(&st);
}
