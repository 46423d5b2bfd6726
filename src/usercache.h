/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UID -> user name, through getpwuid_r (so NSS: LDAP, SSSD...) with a cache,
 * so that a report of thousands of UIDs does not query the directory each time.
 */
#ifndef PDTT_USERCACHE_H
#define PDTT_USERCACHE_H

#include <stdint.h>

/* What a report shows for a UID that has no passwd entry. */
#define PDTT_NO_USERNAME "(unknown)"

struct usercache;

struct usercache *usercache_new(void);
void usercache_free(struct usercache *cache);

/* The UID's name, or PDTT_NO_USERNAME; valid until the cache is freed or flushed. */
const char *usercache_name(struct usercache *cache, uint32_t uid);

/* The UID's name, or NULL when it has none (for formats that can say "no name"). */
const char *usercache_lookup(struct usercache *cache, uint32_t uid);

/* Forget every entry (SIGHUP: accounts may have been renamed). */
void usercache_flush(struct usercache *cache);

#endif /* PDTT_USERCACHE_H */
