/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * getpwuid_r, asked of a thread of its own: NSS (sssd, LDAP) may take any
 * time to answer, and the report loop must not wait for it longer than its
 * budget. The caller asks for UIDs and collects the answers when they come.
 */
#ifndef PDTT_NAMELOOKUP_H
#define PDTT_NAMELOOKUP_H

#include <stdint.h>
#include <time.h>

enum pw_answer {
	PW_NAMED,   /* the UID has a passwd entry: *name holds its name */
	PW_NO_USER, /* NSS answered that the UID has none: worth caching */
	PW_FAILED,  /* NSS or memory failed: ask again later, never cache */
};

/* One synchronous getpwuid_r, retried with a bigger buffer on ERANGE. */
enum pw_answer pw_name_of(uint32_t uid, char **name);

struct namelookup;

/* A lookup thread; NULL (errno set) when it cannot be started. */
struct namelookup *namelookup_start(void);

/*
 * Let go of the thread without waiting for the lookup it may be in: it
 * exits, and frees what it shares, once that lookup returns.
 */
void namelookup_stop(struct namelookup *nl);

/* Queue a lookup; -1 when memory ran out. */
int namelookup_ask(struct namelookup *nl, uint32_t uid);

/*
 * Hand each answer that has come to answer(), waiting for a first one until
 * deadline (CLOCK_MONOTONIC; NULL: do not wait). Returns how many there were.
 */
typedef void namelookup_answer_fn(void *ctx, uint32_t uid, enum pw_answer kind, char *name);
size_t namelookup_collect(struct namelookup *nl, const struct timespec *deadline,
			  namelookup_answer_fn *answer, void *ctx);

#endif /* PDTT_NAMELOOKUP_H */
