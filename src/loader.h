/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading, attaching and pinning the BPF programs: the only code that knows
 * the modes. Everything pdtt makes lives under pin_path, so that counting goes
 * on while the daemon is down and a restarted daemon resumes the same maps.
 */
#ifndef PDTT_LOADER_H
#define PDTT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "pdtt_config.h"
#include "loader_kernel.h"
#include "pdtt_shared.h"
#include "pins.h"

struct loader_mode;

struct pdtt_loader {
	int counters_fd;
	int buckets_fd;
	int slots_fd;
	int meta_fd;
	int local_nets_fd;             /* LPM trie of local_networks */
	__u32 *local_nets_count;       /* in the programs' .bss: 0 skips classifying */
	struct pdtt_classes classes;   /* of the counters' values (n set) */
	unsigned int max_entries;      /* of the counters map in use */
	int job_counters_fd;           /* per-job counters (bpf/pdtt_jobs.bpf.h) */
	int job_cgroups_fd;            /* cgroup id -> job slot */
	int job_users_fd;              /* job slot -> UID + 1 of its first socket */
	__u32 *jobs_epoch;             /* in the programs' .bss: bumped when job cgroups change */
	enum pins_access access;       /* how the counting programs read the kernel's structs */
	char access_why[256];          /* why not the best way; "" when it is */
	bool compat_atomics;           /* the build without atomic fetch-and-add (before 5.12) */
	enum loader_tx tx;             /* socket mode: how egress adds TX counters */
	char tx_why[512];              /* why that way (loader_kernel_tx) */
	bool owner_tracking;           /* the owner tracking programs are attached */
	enum pins_owner_via owner_via; /* through which hooks; 0 when off */
	bool owner_direct;             /* its programs read sockets' storage directly (CAST) */
	char owner_off[256];           /* why owner tracking is off though configured on */
	struct pdtt_meta meta;
	const struct loader_mode *mode;
	void *skel; /* the mode's libbpf skeleton */
};

/*
 * Load the programs of cfg->mode (reusing pinned maps), attach them (or swap
 * them into the pinned links: no gap, no double count), and pin everything.
 * The counters have the classes (networks) of classes: pinned maps with
 * others are retired, as for another max_users.
 * Returns 0, or a PDTT_EXIT_* status with a message in err.
 */
int loader_start(const struct pdtt_config *cfg, const struct pdtt_classes *classes,
		 struct pdtt_loader *ld, char *err, size_t errlen);

/*
 * Replace the local_networks and networks the programs classify with (a CIDR
 * of a name that ld->classes lacks matches nothing); 0 or -errno.
 */
int loader_set_networks(struct pdtt_loader *ld, const struct pdtt_config *cfg);

/* One sentence for the log: who traffic is charged to, and why. */
const char *loader_attribution(const struct pdtt_config *cfg, const struct pdtt_loader *ld);

/* Release our references; pinned maps and links stay and keep counting. */
void loader_close(struct pdtt_loader *ld);

/*
 * Network interfaces came or went (link notifications): tc mode attaches to
 * those it now counts on and leaves the others; socket mode needs nothing.
 */
void loader_links_changed(const struct pdtt_config *cfg, struct pdtt_loader *ld);

/*
 * Detach everything pdtt attached under pin_path, in any mode, and remove its
 * pins. Returns 0, or a PDTT_EXIT_* status with a message in err.
 */
int loader_unload(const char *pin_path, char *err, size_t errlen);

/*
 * Maps of an older layout, or sized for another max_users, are not misread:
 * loader_start moves them to pin_path/retired (see pins.h), the daemon
 * folds their counts into the baseline (totals.c) and saves the state file.
 */
/* Unpin the retired maps once their counts are saved; 0 or -errno. */
int loader_remove_retired(const char *pin_path);

/* Route libbpf's own warnings to the daemon's log. */
void loader_init_libbpf_logging(void);

#endif /* PDTT_LOADER_H */
