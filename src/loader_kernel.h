/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the running kernel lets pdtt use, probed once at start, never per
 * packet: the loader then loads the programs of the best way the kernel
 * allows (README, Requirements). Only the loader includes this.
 */
#ifndef PDTT_LOADER_KERNEL_H
#define PDTT_LOADER_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include "pins.h"

/*
 * Whether the kernel has what mode needs at all, before anything is loaded:
 * 0, or PDTT_EXIT_UNAVAILABLE with err naming the first feature missing.
 */
int loader_kernel_check(enum pdtt_mode mode, char *err, size_t errlen);

/*
 * The best way mode's programs can read the kernel's structs here, and in
 * why (when it is not the best of all) which feature is missing; the
 * environment variable PDTT_KERNEL_ACCESS=probe or socket_uid picks a lesser
 * way, for tests. PINS_ACCESS_UNKNOWN when there is none, with err.
 */
enum pins_access loader_kernel_access(enum pdtt_mode mode, char *why, size_t whylen, char *err,
				      size_t errlen);

/*
 * The hooks owner tracking can use here: PINS_OWNER_TRACEPOINTS (6.3+),
 * else PINS_OWNER_FEXIT if an fexit program with socket storage loads and
 * attaches; 0 when neither, with the reason in why.
 */
enum pins_owner_via loader_kernel_owner_hooks(char *why, size_t whylen);

/*
 * Whether the kernel has the kfuncs of the CAST way (bpf_rdonly_cast and
 * bpf_cast_to_kern_ctx, Linux 6.2+), whatever PDTT_KERNEL_ACCESS says:
 * owner tracking's fexit programs then read each socket's storage directly.
 */
bool loader_kernel_cast(void);

/*
 * Whether BPF programs may use atomic fetch-and-add (Linux 5.12+); the
 * modes load their _compat build where not.
 */
bool loader_kernel_fetch_atomics(void);

/* How socket mode's egress adds TX counters (bpf/pdtt_count.bpf.h). */
enum loader_tx {
	LOADER_TX_LOCKED,  /* locked atomic adds, anywhere */
	LOADER_TX_LANES,   /* plain adds in two lanes: kernel code not preempted */
	LOADER_TX_IRQ_OFF, /* plain adds with interrupts off: the _irq build, Linux 6.14+ */
};

/*
 * The first of lanes, interrupts off and locked adds this kernel can run,
 * with why: the preemption model for lanes, why not the ways before for the
 * others. PDTT_KERNEL_TX=atomic|lanes|irq_off asks for one, for tests: lanes
 * then regardless of the preemption model; a way the kernel cannot run falls
 * back as it would unasked.
 */
enum loader_tx loader_kernel_tx(char *why, size_t whylen);

#endif /* PDTT_LOADER_KERNEL_H */
