// SPDX-License-Identifier: GPL-2.0-or-later
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "usercache.h"

/* Entries live in a hash table keyed by UID; open addressing, grown at 50% load. */
struct usercache_entry {
	uint32_t uid;
	char *name; /* NULL: slot empty */
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

static size_t slot_of(const struct usercache *cache, uint32_t uid)
{
	size_t i = (uid * 2654435761u) & (cache->capacity - 1);

	while (cache->slots[i].name && cache->slots[i].uid != uid)
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
		if (old.slots[i].name)
			cache->slots[slot_of(cache, old.slots[i].uid)] = old.slots[i];
	free(old.slots);
	return 0;
}

/* A fresh copy of the passwd name, or of the placeholder when there is none. */
static char *lookup_name(uint32_t uid)
{
	struct passwd pw, *result = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf, *name;

	if (size <= 0)
		size = 16384;
	buf = malloc(size);
	if (!buf)
		return NULL;
	if (getpwuid_r(uid, &pw, buf, size, &result) == 0 && result)
		name = strdup(pw.pw_name);
	else
		name = strdup(PDTT_NO_USERNAME);
	free(buf);
	return name;
}

const char *usercache_name(struct usercache *cache, uint32_t uid)
{
	size_t i;
	char *name;

	if ((cache->used + 1) * 2 > cache->capacity && grow(cache) < 0)
		return PDTT_NO_USERNAME;
	i = slot_of(cache, uid);
	if (cache->slots[i].name)
		return cache->slots[i].name;
	name = lookup_name(uid);
	if (!name)
		return PDTT_NO_USERNAME;
	cache->slots[i].uid = uid;
	cache->slots[i].name = name;
	cache->used++;
	return name;
}
