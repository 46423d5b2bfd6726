/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: what keeps the totals across reboots.
 *
 * A reported total is a baseline plus the kernel counters in the pinned maps.
 * The file records, for every UID and bucket, the baseline and the last
 * reading of the kernel counters, and the instance id of the maps that reading
 * came from. Maps with the same instance id are the same maps (a daemon
 * restart): their baseline is the saved one. Other maps were created since (a
 * reboot, --unload): their baseline is the saved baseline plus the last reading.
 *
 * Text, one line per UID, so an administrator can read it; a CRC32 over the
 * content in the last line, so a torn or damaged file is never taken for
 * zeros. Written atomically: temp file, fsync, rename, fsync of the directory.
 * The daemon writes it; the pdtt command reads it with the same functions.
 */
#ifndef PDTT_STATE_H
#define PDTT_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

/* Version of the file's own format (its first line). */
#define PDTT_STATE_FORMAT 1

struct pdtt_state {
	uint32_t layout_version;       /* PDTT_LAYOUT_VERSION of the writer */
	uint64_t instance_id;          /* of the maps 'last' was read from */
	uint64_t accounting_start;     /* UNIX time the totals started from zero */
	uint64_t saved_at;             /* UNIX time the file was written */
	uint32_t retired_map_id;       /* kernel id of the retired maps already folded
					* into the baseline (layout migration), or 0 */
	struct pdtt_snapshot baseline; /* totals from before those maps existed */
	struct pdtt_snapshot last;     /* the maps' counters when the file was saved */
};

enum {
	PDTT_STATE_LOADED = 0,
	PDTT_STATE_ABSENT = 1,   /* no file: the first start */
	PDTT_STATE_INVALID = -1, /* unreadable, torn, corrupt or of an unknown version */
};

/*
 * Read path into st (which owns its snapshots afterwards: state_free).
 * PDTT_STATE_LOADED; PDTT_STATE_ABSENT with st empty; or PDTT_STATE_INVALID
 * with one line in err that names the file and what is wrong with it.
 */
int state_load(const char *path, struct pdtt_state *st, char *err, size_t errlen);

/* The same for the file's contents already in memory (the fuzzer's entry). */
int state_parse(const char *text, size_t len, const char *path, struct pdtt_state *st, char *err,
		size_t errlen);

/*
 * Write st to path atomically (path.tmp in the same directory, fsync, rename,
 * fsync of the directory). st's snapshots are only read. 0, or -errno with a
 * message in err; the previous file is intact on any failure.
 */
int state_save(const char *path, const struct pdtt_state *st, char *err, size_t errlen);

/* Free what state_load allocated. */
void state_free(struct pdtt_state *st);

/*
 * The baseline for maps of instance_id: the saved baseline when the state was
 * saved from those maps, otherwise (they were created since) baseline + last.
 * out gets its own copy (snapshot_release), with accounting_start set.
 * 0 or -ENOMEM.
 */
int state_baseline_for(const struct pdtt_state *st, uint64_t instance_id,
		       struct pdtt_snapshot *out);

/*
 * The directory of path, created (mode 0755) when missing, must be writable:
 * the daemon checks it before attaching anything. 0, or -errno with a
 * message in err.
 */
int state_prepare_dir(const char *path, char *err, size_t errlen);

/*
 * Keep a copy of a bad state file for inspection, as path.corrupt-DATE-TIME
 * (a hard link: the file itself stays, so the daemon keeps refusing it until
 * an administrator decides). 0 or -errno; aside gets the copy's name.
 */
int state_keep_aside(const char *path, char *aside, size_t asidelen);

#endif /* PDTT_STATE_H */
