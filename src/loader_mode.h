/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each mode's loader provides, and the helpers they share. Only the
 * loader_*.c files include this.
 */
#ifndef PDTT_LOADER_MODE_H
#define PDTT_LOADER_MODE_H

#include <bpf/libbpf.h>
#include "loader.h"

struct loader_mode {
	const char *name;
	enum pdtt_mode id;
	/*
	 * Open and load the mode's skeleton with maps pinned by name under
	 * cfg->pin_path, and fill ld's map fds and skel. PDTT_EXIT_* status.
	 */
	int (*load)(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		    size_t errlen);
	/* Attach the loaded programs and pin what keeps them attached. */
	int (*attach)(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		      size_t errlen);
	void (*destroy)(void *skel);
	/* Detach what this mode may have left under pin_path; 0 or -1 with err. */
	int (*unload)(const char *pin_path, char *err, size_t errlen);
	/* Optional: interfaces came or went (link notifications); logs what it does. */
	void (*links_changed)(const struct pdtt_config *cfg, struct pdtt_loader *ld);
};

extern const struct loader_mode loader_socket_mode;
extern const struct loader_mode loader_tc_mode;

/*
 * A mode's other builds of its programs, each with the same programs and
 * maps as the default build: their skeletons' __elf_bytes, NULL for none.
 */
struct loader_builds {
	const void *(*compat)(size_t *); /* for kernels without atomic fetch-and-add */
	const void *(*irq)(size_t *);    /* TX added with interrupts off (socket mode) */
};

/*
 * Open a mode's skeleton s (filled by its __create_skeleton) with opts,
 * with the ELF of the best build of builds the kernel takes: the _irq build
 * where its BTF has the kfuncs bpf_local_irq_save and bpf_local_irq_restore
 * (6.14+), else the default one, or the _compat build on kernels without
 * atomic fetch-and-add (before 5.12). 0 or -errno.
 */
int loader_open_skeleton(struct bpf_object_skeleton *s, const struct loader_builds *builds,
			 const struct bpf_object_open_opts *opts, struct pdtt_loader *ld);

/* The maps every mode's object has, and its local_networks count in .bss. */
struct loader_maps {
	struct bpf_map *counters, *slots, *buckets, *meta, *local_nets;
	__u32 *local_nets_count;
	volatile __u32 *n_classes; /* in .rodata */
};

/*
 * Before load: size the counters and slots maps for cfg->max_users, and the
 * counter values for ld->classes.
 */
void loader_size_maps(const struct loader_maps *m, const struct pdtt_config *cfg,
		      const struct pdtt_loader *ld);

/* After load: keep the maps' fds in ld. */
void loader_keep_maps(struct pdtt_loader *ld, const struct loader_maps *m);

/*
 * Before load (loader_jobs.c): size the job maps for cfg and set the
 * programs' jobs flags (by_helper: read a socket's cgroup with the helper
 * socket mode's programs may call).
 */
void loader_jobs_prepare(const struct pdtt_config *cfg, const struct pdtt_loader *ld,
			 struct bpf_object *obj, volatile bool *enable, volatile bool *by_helper,
			 bool socket_mode);

/* After load: keep the job maps' fds and the programs' epoch (in .bss) in ld. */
void loader_jobs_keep(struct pdtt_loader *ld, struct bpf_object *obj, __u32 *epoch);

/* The path of pin name under pin_path. */
void loader_pin_file(char *out, size_t outlen, const char *pin_path, const char *name);

/* The PDTT_EXIT_* status for a failed bpf() call, with what to tell the admin. */
int loader_bpf_failure(int e, const char *what, char *err, size_t errlen);

/*
 * Keep prog attached through the link pinned as name: an existing pin gets
 * the new program (atomic replace: the hook never runs both or neither),
 * otherwise attach(prog, ctx) makes a link that is then pinned.
 */
int loader_attach_pinned(struct bpf_program *prog, const char *pin_path, const char *name,
			 struct bpf_link *(*attach)(const struct bpf_program *prog, void *ctx),
			 void *ctx, char *err, size_t errlen);

/* Socket mode: set the programs' pdtt_tx_way (in .rodata) to what ld->tx says. */
void loader_prepare_tx(struct pdtt_loader *ld, volatile __u32 *tx_way);

/*
 * Before load: check that the kernel has what mode needs, pick the way its
 * counting programs read the kernel (ld->access; loader_start logs it once
 * started) and load only that way's programs of obj. 0, or a PDTT_EXIT_* status with err.
 */
int loader_prepare_programs(struct bpf_object *obj, enum pdtt_mode mode, struct pdtt_loader *ld,
			    char *err, size_t errlen);

/* After load: the counting program of obj for ld->access, on ingress or egress. */
struct bpf_program *loader_counting_program(struct bpf_object *obj, enum pdtt_mode mode,
					    const struct pdtt_loader *ld, bool ingress);

/*
 * Owner tracking, shared by the modes: before load, decide from cfg and the
 * kernel which of obj's owner programs run (tp_btf on the 6.3 tracepoints,
 * else fexit; none: the per-packet lookup is off too via *switches, the
 * programs' pdtt_owner_switches, which PDTT_KERNEL_STORAGE=helper also sets
 * for tests); after load, attach and pin them, and remove pins of other
 * owner hooks an earlier run left.
 */
void loader_prepare_owner_tracking(const struct pdtt_config *cfg, struct pdtt_loader *ld,
				   struct bpf_object *obj, volatile __u32 *switches);
int loader_attach_owner_tracking(const struct pdtt_config *cfg, struct pdtt_loader *ld,
				 struct bpf_object *obj, char *err, size_t errlen);

/* Detach the pinned link (even if others hold it) and remove its pin; 0 or -1. */
int loader_unload_link(const char *pin_path, const char *name, char *err, size_t errlen);

#endif /* PDTT_LOADER_MODE_H */
