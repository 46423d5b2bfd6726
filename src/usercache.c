// SPDX-License-Identifier: GPL-2.0-or-later
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "namelookup.h"
#include "usercache.h"

enum name_state {
	NAME_UNKNOWN, /* not asked, or the last lookup failed: ask (again) */
	NAME_ASKED,   /* the lookup thread has it */
	NAME_KNOWN,   /* name holds it */
	NAME_NONE,    /* NSS said the UID has no passwd entry */
};

/* Entries live in a hash table keyed by UID; open addressing, grown at 50% load. */
struct usercache_entry {
	uint32_t uid;
	bool used;
	enum name_state state;
	char *name; /* with NAME_KNOWN */
};

struct usercache {
	struct usercache_entry *slots;
	size_t capacity; /* power of two */
	size_t used;
	bool async;                /* NSS is asked by the worker only */
	struct namelookup *worker; /* NULL with async: not started yet */
	unsigned budget_ms;
	struct timespec deadline; /* of this report's waiting on the worker */
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

struct usercache *usercache_new_async(unsigned budget_ms)
{
	struct usercache *cache = usercache_new();

	if (cache) {
		cache->async = true;
		cache->budget_ms = budget_ms;
	}
	return cache;
}

int usercache_start_worker(struct usercache *cache)
{
	cache->worker = namelookup_start();
	if (!cache->worker)
		cache->async = false;
	return cache->worker ? 0 : -1;
}

void usercache_begin_report(struct usercache *cache)
{
	clock_gettime(CLOCK_MONOTONIC, &cache->deadline);
	cache->deadline.tv_sec += cache->budget_ms / 1000;
	cache->deadline.tv_nsec += (long)(cache->budget_ms % 1000) * 1000000;
	if (cache->deadline.tv_nsec >= 1000000000) {
		cache->deadline.tv_sec++;
		cache->deadline.tv_nsec -= 1000000000;
	}
}

void usercache_flush(struct usercache *cache)
{
	for (size_t i = 0; i < cache->capacity; i++) {
		free(cache->slots[i].name);
		cache->slots[i] = (struct usercache_entry){ 0 };
	}
	cache->used = 0;
}

void usercache_free(struct usercache *cache)
{
	if (!cache)
		return;
	/* Never waits: a lookup still in NSS finishes on its own. */
	namelookup_stop(cache->worker);
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

/* The UID's entry, added (NAME_UNKNOWN) when missing; NULL when memory ran out. */
static struct usercache_entry *entry_of(struct usercache *cache, uint32_t uid)
{
	struct usercache_entry *e;

	if ((cache->used + 1) * 2 > cache->capacity && grow(cache) < 0)
		return NULL;
	e = &cache->slots[slot_of(cache, uid)];
	if (!e->used) {
		e->used = true;
		e->uid = uid;
		e->state = NAME_UNKNOWN;
		cache->used++;
	}
	return e;
}

/* What NSS answered; a failure leaves the entry to be asked again. */
static void set_answer(struct usercache_entry *e, enum pw_answer kind, char *name)
{
	free(e->name);
	e->name = name;
	e->state = kind == PW_NAMED ? NAME_KNOWN : kind == PW_NO_USER ? NAME_NONE : NAME_UNKNOWN;
}

static void take_answer(void *ctx, uint32_t uid, enum pw_answer kind, char *name)
{
	struct usercache_entry *e = entry_of(ctx, uid);

	if (e)
		set_answer(e, kind, name);
	else
		free(name);
}

static bool budget_left(const struct usercache *cache)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < cache->deadline.tv_sec ||
	       (now.tv_sec == cache->deadline.tv_sec && now.tv_nsec < cache->deadline.tv_nsec);
}

/* The answers that have come, and this UID's while the report's budget lasts. */
static void collect_answers(struct usercache *cache, uint32_t uid)
{
	namelookup_collect(cache->worker, NULL, take_answer, cache);
	while (cache->slots[slot_of(cache, uid)].state == NAME_ASKED && budget_left(cache) &&
	       namelookup_collect(cache->worker, &cache->deadline, take_answer, cache))
		;
}

long usercache_preload(struct usercache *cache)
{
	struct usercache_entry *e;
	struct passwd *pw;
	long n = 0;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		e = entry_of(cache, (uint32_t)pw->pw_uid);
		if (!e) {
			n = -1;
			break;
		}
		if (e->state == NAME_UNKNOWN) {
			char *name = strdup(pw->pw_name);

			if (!name) {
				n = -1;
				break;
			}
			set_answer(e, PW_NAMED, name);
		}
		n++;
	}
	endpwent();
	return n;
}

const char *usercache_lookup(struct usercache *cache, uint32_t uid)
{
	struct usercache_entry *e = entry_of(cache, uid);
	enum pw_answer kind;
	char *name;

	if (!e)
		return NULL;
	if (e->state == NAME_UNKNOWN && !cache->async) {
		kind = pw_name_of(uid, &name);
		set_answer(e, kind, name);
	} else if (e->state == NAME_UNKNOWN && cache->worker &&
		   namelookup_ask(cache->worker, uid) == 0) {
		e->state = NAME_ASKED;
	}
	if (e->state == NAME_ASKED) {
		collect_answers(cache, uid);
		e = &cache->slots[slot_of(cache, uid)]; /* the table may have grown */
	}
	return e->state == NAME_KNOWN ? e->name : NULL;
}
