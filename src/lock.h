/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One pdttd per pin_path: an flock on the pin directory itself. */
#ifndef PDTT_LOCK_H
#define PDTT_LOCK_H

#include <sys/types.h>

/*
 * Lock pin_path for this process (and its children after fork). Returns the
 * held descriptor, or -EWOULDBLOCK with *holder set to the running pdttd's PID
 * (0 if unknown), or another -errno.
 */
int pin_lock(const char *pin_path, pid_t *holder);

/*
 * Who holds the lock on pin_path, without taking it (for pdtt status): the
 * PID of the running pdttd, 0 when none runs, -1 when one does but its PID
 * cannot be found (another PID namespace, or /proc hidden from the caller).
 */
pid_t pin_lock_holder(const char *pin_path);

#endif /* PDTT_LOCK_H */
