/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UID -> user name, through getpwuid_r (so NSS: LDAP, SSSD...) with a cache,
 * so that a report of thousands of UIDs does not query the directory each time.
 *
 * pdttd asks NSS from a thread (namelookup.c) and waits for it at most a
 * budget per report: a UID whose name has not come yet has no name in that
 * report, and its name in a later one.
 */
#ifndef PDTT_USERCACHE_H
#define PDTT_USERCACHE_H

#include <stdint.h>

struct usercache;

/* A cache that asks NSS in the caller's thread, as long as it takes. */
struct usercache *usercache_new(void);
void usercache_free(struct usercache *cache);

/*
 * A cache that asks NSS in a thread of its own and waits for it at most
 * budget_ms per report. Until usercache_start_worker, no UID has a name yet.
 */
struct usercache *usercache_new_async(unsigned budget_ms);

/*
 * Start the lookup thread (after daemon(): a thread does not survive fork).
 * Returns -1 (errno set) when it cannot be started: lookups are then made in
 * the caller's thread.
 */
int usercache_start_worker(struct usercache *cache);

/* A report begins: the budget for waiting on NSS starts again. */
void usercache_begin_report(struct usercache *cache);

/*
 * The UID's name, or NULL when it has none or none yet (each format says
 * that its own way); valid until the cache is freed or flushed. A lookup
 * error is not cached: the next call asks again.
 */
const char *usercache_lookup(struct usercache *cache, uint32_t uid);

/*
 * Read the whole passwd database once (getpwent): the names of many UIDs
 * then cost one pass over it instead of one lookup each, which with files
 * NSS scans /etc/passwd and with systemd's probes its userdb directories.
 * A UID the enumeration did not list is still asked with getpwuid_r, as
 * LDAP and SSSD often do not enumerate. Where a UID is listed twice, the
 * first entry names it, as getpwuid_r answers. For the caller's thread
 * only (pdtt), not with a lookup thread. Returns the entries read, or -1
 * when memory ran out (what was read stays).
 */
long usercache_preload(struct usercache *cache);

/* Forget every entry (SIGHUP: accounts may have been renamed). */
void usercache_flush(struct usercache *cache);

#endif /* PDTT_USERCACHE_H */
