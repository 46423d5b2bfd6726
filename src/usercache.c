// SPDX-License-Identifier: GPL-2.0-or-later
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "usercache.h"

/* Entries live in a hash table keyed by UID; open addressing, grown at 50% load. */
struct usercache_entry {
	uint32_t uid;
	bool used;
	char *name; /* NULL: the UID has no passwd entry */
};

struct usercache {
	struct usercache_entry *slots;
	size_t capacity; /* power of two */
	size_t used;
};

struct usercache *usercache_new(void)
{
	struct usercache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return NULL;
	cache->capacity = 64;
	cache->slots = calloc(cache->capacity, sizeof(*cache->slots));
	if (!cache->slots) {
		free(cache);
		return NULL;
	}
	return cache;
}

void usercache_flush(struct usercache *cache)
{
	for (size_t i = 0; i < cache->capacity; i++) {
		free(cache->slots[i].name);
		cache->slots[i].name = NULL;
		cache->slots[i].used = false;
	}
	cache->used = 0;
}

void usercache_free(struct usercache *cache)
{
	if (!cache)
		return;
	usercache_flush(cache);
	free(cache->slots);
	free(cache);
}

/*
 * Nearby UIDs get nearby slots (the high half folded into the low one keeps
 * blocks of subordinate UIDs apart): a report asks in UID order, and walks
 * the table instead of jumping through it.
 */
static size_t slot_of(const struct usercache *cache, uint32_t uid)
{
	size_t i = (uid ^ uid >> 16) & (cache->capacity - 1);

	while (cache->slots[i].used && cache->slots[i].uid != uid)
		i = (i + 1) & (cache->capacity - 1);
	return i;
}

static int grow(struct usercache *cache)
{
	struct usercache old = *cache;

	cache->capacity *= 2;
	cache->slots = calloc(cache->capacity, sizeof(*cache->slots));
	if (!cache->slots) {
		*cache = old;
		return -1;
	}
	for (size_t i = 0; i < old.capacity; i++)
		if (old.slots[i].used)
			cache->slots[slot_of(cache, old.slots[i].uid)] = old.slots[i];
	free(old.slots);
	return 0;
}

/*
 * A fresh copy of the passwd name in *name (NULL when there is none);
 * false when memory ran out, so that nothing is cached.
 */
static bool lookup_name(uint32_t uid, char **name)
{
	struct passwd pw, *result = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf;

	*name = NULL;
	if (size <= 0)
		size = 16384;
	buf = malloc(size);
	if (!buf)
		return false;
	if (getpwuid_r(uid, &pw, buf, size, &result) == 0 && result)
		*name = strdup(pw.pw_name);
	free(buf);
	return !result || *name;
}

const char *usercache_lookup(struct usercache *cache, uint32_t uid)
{
	size_t i;
	char *name;

	if ((cache->used + 1) * 2 > cache->capacity && grow(cache) < 0)
		return NULL;
	i = slot_of(cache, uid);
	if (cache->slots[i].used)
		return cache->slots[i].name;
	if (!lookup_name(uid, &name))
		return NULL;
	cache->slots[i].uid = uid;
	cache->slots[i].used = true;
	cache->slots[i].name = name;
	cache->used++;
	return name;
}
