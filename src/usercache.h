/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UID -> user name, through getpwuid_r (so NSS: LDAP, SSSD...) with a cache,
 * so that a report of thousands of UIDs does not query the directory each time.
 */
#ifndef PDTT_USERCACHE_H
#define PDTT_USERCACHE_H

#include <stdint.h>

struct usercache;

struct usercache *usercache_new(void);
void usercache_free(struct usercache *cache);

/*
 * The UID's name, or NULL when it has none (each format says that its own
 * way); valid until the cache is freed or flushed.
 */
const char *usercache_lookup(struct usercache *cache, uint32_t uid);

/* Forget every entry (SIGHUP: accounts may have been renamed). */
void usercache_flush(struct usercache *cache);

#endif /* PDTT_USERCACHE_H */
