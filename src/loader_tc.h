/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two halves of tc mode share: loader_tc.c (the mode, the
 * interfaces and tcx links) and loader_tc_classic.c (classic cls_bpf
 * filters and their records). Only they include this.
 */
#ifndef PDTT_LOADER_TC_H
#define PDTT_LOADER_TC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include "loader_mode.h"

struct tc_iface {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
};

/* The two hooks, ingress (0) and egress (1). */
struct tc_hook_kind {
	const char *name; /* in pin names and messages */
	enum bpf_tc_attach_point point;
	int tcx_type;
};

#define TC_N_HOOKS 2
extern const struct tc_hook_kind tc_hooks[TC_N_HOOKS];

/*
 * Whether a program called name (as the kernel keeps it) is pdtt's for hook
 * h, built for any way of reading the kernel (pins_programs_of).
 */
bool tc_is_hook_prog(const char *name, size_t h);

/*
 * The records map of classic filters, or -1 with err (errno ENOENT when
 * there is none and create is false).
 */
int tc_classic_open(const char *pin_path, bool create, char *err, size_t errlen);

/*
 * Refuse records made in another network namespace, whose ifindexes and
 * filters mean nothing here; the namespace entry is created when missing.
 */
int tc_classic_check_netns(int fd, const char *pin_path, char *err, size_t errlen);

/* Remove the recorded filters on interfaces not in want[n_want]; 0 or -1 with err. */
int tc_classic_prune(int fd, const struct tc_iface *want, size_t n_want, char *err, size_t errlen);

/* Attach prog as a classic filter on hook h of i (in place of pdtt's own), and record it. */
int tc_classic_attach_one(int fd, struct bpf_program *prog, const struct tc_iface *i, size_t h,
			  char *err, size_t errlen);

/* Remove every recorded filter, and the records map; 0 or -1 with err. */
int tc_classic_unload(const char *pin_path, char *err, size_t errlen);

#endif /* PDTT_LOADER_TC_H */
