// SPDX-License-Identifier: GPL-2.0-or-later
/* The username cache: real names, no name, caching and flushing. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "usercache.h"

/* A UID that no passwd source on a test machine defines. */
#define UNUSED_UID 4000000123u

static void test_known_user(struct usercache *c)
{
	struct passwd *pw = getpwuid(0);

	CHECK(pw != NULL);
	if (pw)
		CHECK_STR_EQ(usercache_lookup(c, 0), pw->pw_name);
}

static void test_no_name(struct usercache *c)
{
	CHECK(getpwuid(UNUSED_UID) == NULL);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	CHECK(usercache_lookup(c, UINT32_MAX) == NULL);
}

/* The second lookup is answered from the cache: the same stored string. */
static void test_cached(struct usercache *c)
{
	const char *first = usercache_lookup(c, 0);

	CHECK(usercache_lookup(c, 0) == first);
}

/* Enough UIDs to force the table to grow several times; names stay right. */
static void test_growth(struct usercache *c)
{
	struct passwd *root = getpwuid(0);
	int ok = 1;

	for (uint32_t uid = 5000000; uid < 5000000 + 1000; uid++)
		ok &= usercache_lookup(c, uid) == NULL;
	CHECK(ok);
	if (root)
		CHECK_STR_EQ(usercache_lookup(c, 0), root->pw_name);
}

static void test_flush(struct usercache *c)
{
	usercache_flush(c);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
}

/*
 * With a lookup thread: nothing is named before it starts, and a name that
 * comes within the report's budget is there in that report.
 */
static void test_async(void)
{
	struct usercache *c = usercache_new_async(10000);
	struct passwd *root = getpwuid(0);

	CHECK(c != NULL);
	if (!c || !root)
		return;
	CHECK(usercache_lookup(c, 0) == NULL);
	CHECK(usercache_start_worker(c) == 0);
	usercache_begin_report(c);
	CHECK_STR_EQ(usercache_lookup(c, 0), root->pw_name);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	usercache_begin_report(c);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	usercache_flush(c);
	usercache_begin_report(c);
	CHECK_STR_EQ(usercache_lookup(c, 0), root->pw_name);
	usercache_free(c);
}

/*
 * Read whole, the passwd database names every UID it lists as getpwuid
 * does (the first entry of a UID listed twice); a UID it does not list is
 * still asked one by one, and has no name.
 */
static void test_preload(void)
{
	struct usercache *c = usercache_new();
	struct passwd *pw;
	uint32_t uids[64];
	size_t n = 0;
	int ok = 1;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(usercache_preload(c) > 0);
	setpwent();
	while ((pw = getpwent()) != NULL && n < 64)
		uids[n++] = (uint32_t)pw->pw_uid;
	endpwent();
	for (size_t i = 0; i < n; i++) {
		struct passwd *first = getpwuid(uids[i]);
		const char *cached = usercache_lookup(c, uids[i]);

		ok &= first && cached && !strcmp(cached, first->pw_name);
	}
	CHECK(n > 0);
	CHECK(ok);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	/* A second pass changes nothing that is known. */
	CHECK(usercache_preload(c) > 0);
	if (n)
		CHECK_STR_EQ(usercache_lookup(c, uids[0]), getpwuid(uids[0])->pw_name);
	usercache_free(c);
}

int main(void)
{
	struct usercache *c = usercache_new();

	CHECK(c != NULL);
	if (!c)
		return check_summary("test_usercache");
	test_known_user(c);
	test_no_name(c);
	test_cached(c);
	test_growth(c);
	test_flush(c);
	CHECK(usercache_lookup(c, UNUSED_UID) == NULL);
	usercache_free(c);
	test_async();
	test_preload();
	return check_summary("test_usercache");
}
