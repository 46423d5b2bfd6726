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
 * Whether BPF programs may use atomic fetch-and-add (Linux 5.12+); the
 * modes load their _compat build where not.
 */
bool loader_kernel_fetch_atomics(void);

/*
 * Whether socket mode's egress may add TX counters with plain adds between
 * the kfuncs bpf_local_irq_save and bpf_local_irq_restore (Linux 6.14+),
 * which it then loads its _irq build for; if not, why not. The environment
 * variable PDTT_KERNEL_TX=atomic says not, for tests: the locked adds that
 * older kernels take.
 */
bool loader_kernel_tx_irq_off(char *why, size_t whylen);

#endif /* PDTT_LOADER_KERNEL_H */
