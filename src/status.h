/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pdtt status: what pdttd does and since when, one "key: value" line each
 * (hooks one per line), for a person and for grep. Only formats: pdtt.c
 * gathers the facts from the pins, the lock and the state file.
 */
#ifndef PDTT_STATUS_H
#define PDTT_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include "pins.h"

struct pdtt_status {
	const char *version; /* pdtt's */
	const char *pin_path;
	time_t now;
	pid_t daemon_pid; /* the running pdttd; 0: none; -1: one, PID unknown */
	bool maps;        /* counter maps are pinned */
	const char *mode; /* "socket", "tc"; NULL: unknown */
	const struct pins_hook *hooks;
	size_t n_hooks;
	uint64_t cgroup_id; /* of cgroup_path (socket mode), to name it; 0: unknown */
	const char *cgroup_path;
	uint64_t other_cgroup_id;    /* a cgroup the hooks are on that is not cgroup_path */
	const char *other_cgroup;    /* its path; NULL: not found */
	uint64_t entries;            /* UIDs in the counter map */
	uint64_t capacity;           /* its max_entries */
	unsigned int layout_version; /* of the maps */
	uint64_t instance_id;
	time_t accounting_start;     /* of the totals (state file, else maps); 0: unknown */
	time_t maps_start;           /* when the pinned maps began counting */
	unsigned int retired_layout; /* maps in pin_path/retired being carried over; 0: none */
	const char *state_file;
	int state;               /* PDTT_STATE_LOADED, _ABSENT or _INVALID */
	const char *state_error; /* _INVALID: what is wrong */
	time_t state_saved_at;
};

/* "4 s", "3 min", "2 h", "5 d": how long ago, roughly. */
void status_age(char *buf, size_t len, time_t seconds);

void status_write(FILE *out, const struct pdtt_status *s);

#endif /* PDTT_STATUS_H */
