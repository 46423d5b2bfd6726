// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: round trip, the baseline rule, atomic replacement, and
 * detection of every kind of damage (torn at any length, any byte changed,
 * well-checksummed nonsense, unknown versions), none of which may read as zeros.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "state.h"
#include "usage.h"

static char dir[256];

static struct pdtt_value val(uint64_t base)
{
	struct pdtt_value v = VALUE(COUNTS(base, base + 1, base + 2, base + 3),
				    COUNTS(base + 4, base + 5, base + 6, base + 7));
	return v;
}

/* A user as a test writes it: its whole value, whatever the snapshot holds. */
struct user_value {
	uint32_t uid;
	struct pdtt_value v;
};

/* The users that matter (0, 65534, 2^32-2, 2^32-1) and extreme values. */
static void make_users(struct user_value *base_users, struct user_value *last_users)
{
	base_users[0] = (struct user_value){ .uid = 0, .v = val(100) };
	base_users[1] = (struct user_value){ .uid = 1000, .v = val(200) };
	base_users[2] = (struct user_value){ .uid = 65534, .v = val(300) };
	last_users[0] = (struct user_value){ .uid = 1000, .v = val(1) };
	last_users[1] = (struct user_value){ .uid = 4294967294u, .v = val(UINT64_MAX - 7) };
	memset(&last_users[2], 0, sizeof(last_users[2])); /* zero: not written */
	last_users[2].uid = 4294967295u;
}

/* snap = the 3 users, of classes c (NULL: local and external). */
static void make_snapshot(struct pdtt_snapshot *snap, const struct user_value *users,
			  const struct pdtt_classes *c)
{
	if (c)
		snap->classes = *c;
	CHECK(snapshot_reserve(snap, 3) == 0);
	for (size_t i = 0; i < 3; i++)
		snapshot_append(snap, users[i].uid, &users[i].v);
}

/* A state of those users (st owns its snapshots: state_free). */
static void build_state(struct pdtt_state *st, const struct user_value *base_users,
			const struct user_value *last_users, const struct pdtt_classes *c)
{
	memset(st, 0, sizeof(*st));
	st->layout_version = PDTT_LAYOUT_VERSION;
	st->instance_id = 0xfedcba9876543210ull;
	st->accounting_start = 1761575400;
	st->saved_at = 1761579000;
	st->retired_map_id = 42;
	make_snapshot(&st->baseline, base_users, c);
	make_snapshot(&st->last, last_users, c);
	st->baseline.buckets[PDTT_BUCKET_UNATTRIBUTED] = val(10);
	st->baseline.buckets[PDTT_BUCKET_OVERFLOW] = val(20);
	st->last.buckets[PDTT_BUCKET_UNATTRIBUTED] = val(30);
	memset(&st->last.buckets[PDTT_BUCKET_OVERFLOW], 0, sizeof(struct pdtt_value));
}

static void make_state(struct pdtt_state *st, struct user_value *base_users,
		       struct user_value *last_users)
{
	make_users(base_users, last_users);
	build_state(st, base_users, last_users, NULL);
}

static int same_value(const struct pdtt_value *a, const struct pdtt_value *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Whether user i of snap has the UID and value of want. */
static int user_is(const struct pdtt_snapshot *snap, size_t i, const struct user_value *want)
{
	struct pdtt_value v;

	if (i >= snap->n_users || snap->users[i].uid != want->uid)
		return 0;
	usage_value(snap, &snap->users[i], &v);
	return same_value(&v, &want->v);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void path_of(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", dir, name);
}

/* A hidden temporary ".NAME.XXXXXX" of path still in its directory. */
static bool temp_file_left(const char *path)
{
	const char *name = strrchr(path, '/') + 1;
	char dir[512];
	struct dirent *e;
	bool left = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", (int)(name - path), path);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		left |= e->d_name[0] == '.' && !strncmp(e->d_name + 1, name, strlen(name)) &&
			e->d_name[strlen(name) + 1] == '.';
	if (d)
		closedir(d);
	return left;
}

static void test_round_trip(void)
{
	struct user_value bu[3], lu[3];
	struct pdtt_state st, got;
	char path[512], err[1024];
	struct stat sb;

	make_state(&st, bu, lu);
	path_of(path, sizeof(path), "state");
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	CHECK(!temp_file_left(path)); /* renamed into place, nothing left behind */
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_LOADED);
	CHECK(got.layout_version == PDTT_LAYOUT_VERSION);
	CHECK(got.instance_id == st.instance_id);
	CHECK(got.accounting_start == st.accounting_start);
	CHECK(got.saved_at == st.saved_at);
	CHECK(got.retired_map_id == 42);
	CHECK(got.baseline.n_users == 3);
	for (size_t i = 0; i < 3 && i < got.baseline.n_users; i++) {
		CHECK(user_is(&got.baseline, i, &bu[i]));
	}
	CHECK(got.last.n_users == 2); /* the all-zero entry of UID 2^32-1 is not kept */
	if (got.last.n_users == 2) {
		CHECK(user_is(&got.last, 0, &lu[0]));
		CHECK(user_is(&got.last, 1, &lu[1]));
	}
	for (int b = 0; b < PDTT_BUCKET_COUNT; b++) {
		CHECK(same_value(&got.baseline.buckets[b], &st.baseline.buckets[b]));
		CHECK(same_value(&got.last.buckets[b], &st.last.buckets[b]));
	}
	state_free(&got);

	/* Saving again replaces the file whole. */
	st.instance_id = 7;
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_LOADED);
	CHECK(got.instance_id == 7);
	state_free(&got);
	unlink(path);
	state_free(&st);
}

static void test_absent_and_unreadable(void)
{
	struct pdtt_state st;
	char path[512], err[1024];

	path_of(path, sizeof(path), "none");
	CHECK(state_load(path, &st, err, sizeof(err)) == PDTT_STATE_ABSENT);
	CHECK(st.baseline.n_users == 0 && st.instance_id == 0);
	/* A directory where the file should be: an error, not "absent". */
	path_of(path, sizeof(path), "adir");
	CHECK(mkdir(path, 0700) == 0);
	CHECK(state_load(path, &st, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK(strstr(err, "cannot read state file") != NULL);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, "it is a directory") != NULL);
	CHECK(st.baseline.n_users == 0 && st.baseline.users == NULL && st.instance_id == 0);
	rmdir(path);
}

/*
 * Only a regular file is read or replaced: a symbolic link is not followed
 * (its target stays as it was), a FIFO neither blocks nor is taken for zeros.
 */
static void test_not_regular(void)
{
	struct user_value bu[3], lu[3];
	struct pdtt_state st, got;
	char path[512], target[512], err[1024];
	char *before, *after;
	size_t len, len_after;

	make_state(&st, bu, lu);
	path_of(target, sizeof(target), "target");
	path_of(path, sizeof(path), "planted");
	CHECK(state_save(target, &st, err, sizeof(err)) == 0);
	before = read_all(target, &len);
	CHECK(symlink(target, path) == 0);
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK(strstr(err, "it is a symbolic link") != NULL);
	CHECK(state_save(path, &st, err, sizeof(err)) != 0);
	CHECK(strstr(err, "it is a symbolic link") != NULL);
	after = read_all(target, &len_after);
	CHECK(before && after && len == len_after && !memcmp(before, after, len));
	CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK(strstr(err, "it is a FIFO") != NULL);
	CHECK(got.baseline.n_users == 0 && got.instance_id == 0);
	CHECK(state_save(path, &st, err, sizeof(err)) != 0);
	CHECK(strstr(err, "it is a FIFO") != NULL);
	free(before);
	free(after);
	unlink(path);
	unlink(target);
	state_free(&st);
}

/* The saved file's text, to damage. */
static char *saved_text(size_t *len)
{
	struct user_value bu[3], lu[3];
	struct pdtt_state st;
	char path[512], err[1024];
	char *text;

	make_state(&st, bu, lu);
	path_of(path, sizeof(path), "text");
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	text = read_all(path, len);
	unlink(path);
	state_free(&st);
	return text;
}

/* A torn write can leave any prefix: every one of them is refused. */
static void test_torn(void)
{
	struct pdtt_state st;
	char err[1024];
	size_t len, n, refused = 0;
	char *text = saved_text(&len);

	if (!text) {
		CHECK(text != NULL);
		return;
	}
	for (n = 0; n < len; n++)
		if (state_parse(text, n, "S", &st, err, sizeof(err)) == PDTT_STATE_INVALID)
			refused++;
		else
			state_free(&st);
	CHECK(refused == len);
	CHECK(state_parse(text, 0, "S", &st, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK_STR_EQ(err, "state file S is empty (an interrupted write?)");
	CHECK(state_parse(text, len / 2, "S", &st, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK(strstr(err, "is incomplete") != NULL);
	CHECK(state_parse(text, len, "S", &st, err, sizeof(err)) == PDTT_STATE_LOADED);
	state_free(&st);
	free(text);
}

/* Any byte changed, anywhere, to anything: refused. */
static void test_damaged(void)
{
	static const unsigned char changes[] = { 0x01, 0x02, 0x10, 0x20, 0x80, 0xff };
	struct pdtt_state st;
	char err[1024];
	size_t len, tries = 0, refused = 0;
	char *text = saved_text(&len);

	if (!text) {
		CHECK(text != NULL);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		for (size_t c = 0; c < sizeof(changes); c++) {
			text[i] ^= (char)changes[c];
			tries++;
			if (state_parse(text, len, "S", &st, err, sizeof(err)) ==
			    PDTT_STATE_INVALID)
				refused++;
			else
				state_free(&st);
			text[i] ^= (char)changes[c];
		}
	}
	CHECK(refused == tries);
	text[20] ^= 1;
	CHECK(state_parse(text, len, "S", &st, err, sizeof(err)) == PDTT_STATE_INVALID);
	CHECK(strstr(err, "checksum mismatch") != NULL);
	free(text);
}

/* Content with a correct checksum, as a buggy or foreign writer could make. */
static int parse_checksummed(const char *content, char *err, size_t errlen)
{
	char text[4096];
	struct pdtt_state st;
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)content,
				       (uInt)strlen(content));
	int rc;

	snprintf(text, sizeof(text), "%scrc32 %08" PRIx32 "\n", content, crc);
	rc = state_parse(text, strlen(text), "S", &st, err, errlen);
	if (rc == PDTT_STATE_LOADED)
		state_free(&st);
	return rc;
}

#define Z16 "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
#define HEAD(format, layout, users)                                                        \
	"pdtt-state " format "\n# comment\nlayout " layout "\ninstance 00000000000000ff\n" \
	"accounting_start 1\nsaved_at 2\nretired_map 0\nbuckets 2\nusers " users "\n"      \
	"bucket unattributed " Z16 "\nbucket overflow " Z16 "\n"

static void expect_bad(const char *content, const char *fragment)
{
	char err[1024];

	CHECK(parse_checksummed(content, err, sizeof(err)) == PDTT_STATE_INVALID);
	if (!strstr(err, fragment))
		fprintf(stderr, "expected \"%s\" in: %s\n", fragment, err);
	CHECK(strstr(err, fragment) != NULL);
}

static void test_checksummed_nonsense(void)
{
	char err[1024];

	/* The reference: this one is fine. */
	CHECK(parse_checksummed(HEAD("1", "2", "1") "user 5 " Z16 "\n", err, sizeof(err)) ==
	      PDTT_STATE_LOADED);
	expect_bad("", "not a pdtt state file");
	expect_bad("hello\n", "not a pdtt state file");
	expect_bad(HEAD("2", "2", "0"), "format version 2; this pdttd reads version 1");
	/* Layouts 2 and 3 have the same counters: an upgrade keeps the totals. */
	CHECK(parse_checksummed(HEAD("1", "3", "1") "user 5 " Z16 "\n", err, sizeof(err)) ==
	      PDTT_STATE_LOADED);
	expect_bad(HEAD("1", "1", "0"), "map layout version 1; this pdttd reads versions 2 to 5");
	expect_bad(HEAD("1", "6", "0"), "map layout version 6");
	expect_bad("pdtt-state 1\nlayout 2\n", "line 2: expected the comment line");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 0\n", "line 4: expected \"instance");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 1\naccounting_start -1\n",
		   "line 5: expected \"accounting_start N\"");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 1\naccounting_start 1 2\n", "line 5");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 1\naccounting_start 18446744073709551616\n",
		   "line 5");
	expect_bad(HEAD("1", "2", "1"), "line 11: expected \"user UID\"");
	expect_bad(HEAD("1", "2", "4294967296"), "more users announced than the file holds");
	expect_bad(HEAD("1", "2", "4294967297"), "line 9: expected \"users N\"");
	expect_bad(HEAD("1", "2", "1") "user 5 " Z16 " 0\n", "expected \"user UID\"");
	expect_bad(HEAD("1", "2", "1") "user 4294967296 " Z16 "\n", "expected \"user UID\"");
	expect_bad(HEAD("1", "2", "1") "user 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 x 0\n",
		   "expected \"user UID\"");
	expect_bad(HEAD("1", "2", "2") "user 5 " Z16 "\nuser 5 " Z16 "\n", "out of UID order");
	expect_bad(HEAD("1", "2", "2") "user 6 " Z16 "\nuser 5 " Z16 "\n", "out of UID order");
	expect_bad(HEAD("1", "2", "0") "user 5 " Z16 "\n", "more lines than announced");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nbuckets 3\n",
		   "expected \"buckets 2\"");
	expect_bad("pdtt-state 1\n# c\nlayout 2\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nbuckets 2\nusers 0\nbucket overflow " Z16 "\n",
		   "expected \"bucket unattributed\"");
}

/* With networks: their names on a line of their own, 4 numbers a class. */
static void test_networks(void)
{
	struct pdtt_classes nets = { .n = 4, .name = { [2] = "campus", [3] = "research" } };
	struct user_value bu[3], lu[3];
	struct pdtt_state st, got;
	char path[512], err[1024], *text;
	size_t len;

	make_users(bu, lu);
	bu[1].v.by_class[2] = (struct pdtt_counters)COUNTS(1, 2, 3, 4);
	lu[0].v.by_class[3] = (struct pdtt_counters)COUNTS(5, 6, 7, UINT64_MAX);
	build_state(&st, bu, lu, &nets);
	path_of(path, sizeof(path), "state-networks");
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	text = read_all(path, &len);
	CHECK(text && strstr(text, "\nretired_map 42\nnetworks campus research\nbuckets 2\n"));
	CHECK(text && strstr(text, "\nuser 1000 200 201 202 203 204 205 206 207 1 2 3 4 0 0 0 0 "
				   "1 2 3 4 5 6 7 8 0 0 0 0 5 6 7 18446744073709551615\n"));
	free(text);
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_LOADED);
	CHECK(got.baseline.classes.n == 4 && !strcmp(got.baseline.classes.name[3], "research"));
	CHECK(got.last.classes.n == 4 && !strcmp(got.last.classes.name[2], "campus"));
	CHECK(got.baseline.n_users == 3 && user_is(&got.baseline, 1, &bu[1]));
	CHECK(got.last.n_users == 2 && user_is(&got.last, 0, &lu[0]));
	state_free(&got);
	unlink(path);

	/* A name the line may not have, or none. */
	expect_bad("pdtt-state 1\n# c\nlayout 3\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nnetworks local\nbuckets 2\n",
		   "line 8: expected \"networks\"");
	expect_bad("pdtt-state 1\n# c\nlayout 3\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nnetworks a a\nbuckets 2\n",
		   "line 8: expected \"networks\"");
	expect_bad("pdtt-state 1\n# c\nlayout 3\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nnetworks\nbuckets 2\n",
		   "line 8: expected \"networks\"");
	/* With one network, 24 numbers a line: 16 are too few. */
	expect_bad("pdtt-state 1\n# c\nlayout 3\ninstance 1\naccounting_start 1\nsaved_at 2\n"
		   "retired_map 0\nnetworks a\nbuckets 2\nusers 0\nbucket unattributed " Z16 "\n",
		   "expected \"bucket unattributed\"");
	state_free(&st);
}

static void test_save_failures(void)
{
	struct user_value bu[3], lu[3];
	struct pdtt_state st, got;
	struct rlimit fsize, small;
	char path[512], err[1024];

	make_state(&st, bu, lu);
	path_of(path, sizeof(path), "missing-dir/state");
	CHECK(state_save(path, &st, err, sizeof(err)) == -ENOENT);
	CHECK(strstr(err, "cannot write state file") != NULL);

	/* When the new file cannot be written (here: too big), the old one stays. */
	path_of(path, sizeof(path), "kept");
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	CHECK(getrlimit(RLIMIT_FSIZE, &fsize) == 0);
	small = fsize;
	small.rlim_cur = 16;
	signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
	CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
	st.instance_id = 99;
	CHECK(state_save(path, &st, err, sizeof(err)) == -EFBIG);
	CHECK(setrlimit(RLIMIT_FSIZE, &fsize) == 0);
	CHECK(strstr(err, "the previous one is kept") != NULL);
	CHECK(!temp_file_left(path));
	CHECK(state_load(path, &got, err, sizeof(err)) == PDTT_STATE_LOADED);
	CHECK(got.instance_id == 0xfedcba9876543210ull);
	state_free(&got);
	unlink(path);
	state_free(&st);
}

/* Same maps: the saved baseline. New maps (a reboot): baseline + last reading. */
static void test_baseline_rule(void)
{
	struct user_value bu[3], lu[3];
	struct pdtt_snapshot out;
	struct pdtt_state st;
	struct user_value sum;

	make_state(&st, bu, lu);
	CHECK(state_baseline_for(&st, st.instance_id, &out) == 0);
	CHECK(out.n_users == 3 && out.accounting_start == 1761575400);
	CHECK(out.n_users == 3 && user_is(&out, 1, &bu[1]));
	CHECK(same_value(&out.buckets[PDTT_BUCKET_UNATTRIBUTED],
			 &st.baseline.buckets[PDTT_BUCKET_UNATTRIBUTED]));
	snapshot_release(&out);

	CHECK(state_baseline_for(&st, 12345, &out) == 0);
	CHECK(out.n_users == 5); /* 0, 1000, 65534, 2^32-2, 2^32-1 (zero) */
	sum = bu[1];
	value_add(&sum.v, &lu[0].v);
	CHECK(out.n_users == 5 && user_is(&out, 1, &sum));
	CHECK(out.n_users == 5 && user_is(&out, 3, &lu[1]));
	sum.v = st.baseline.buckets[PDTT_BUCKET_UNATTRIBUTED];
	value_add(&sum.v, &st.last.buckets[PDTT_BUCKET_UNATTRIBUTED]);
	CHECK(same_value(&out.buckets[PDTT_BUCKET_UNATTRIBUTED], &sum.v));
	snapshot_release(&out);

	CHECK(state_baseline_for(NULL, 1, &out) == 0);
	CHECK(out.n_users == 0 && value_is_zero(&out.buckets[PDTT_BUCKET_UNATTRIBUTED]));
	snapshot_release(&out);
	state_free(&st);
}

static void test_keep_aside(void)
{
	struct user_value bu[3], lu[3];
	struct pdtt_state st;
	char path[512], aside[600], err[1024];
	struct stat a, b;

	make_state(&st, bu, lu);
	path_of(path, sizeof(path), "bad");
	CHECK(state_save(path, &st, err, sizeof(err)) == 0);
	CHECK(state_keep_aside(path, aside, sizeof(aside)) == 0);
	CHECK(strncmp(aside, path, strlen(path)) == 0);
	CHECK(strstr(aside, ".corrupt-") != NULL);
	CHECK(stat(path, &a) == 0 && stat(aside, &b) == 0 && a.st_ino == b.st_ino);
	unlink(aside);
	unlink(path);
	state_free(&st);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s/pdtt-test-state.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_round_trip();
	test_networks();
	test_absent_and_unreadable();
	test_not_regular();
	test_torn();
	test_damaged();
	test_checksummed_nonsense();
	test_save_failures();
	test_baseline_rule();
	test_keep_aside();
	rmdir(dir);
	return check_summary("test_state");
}
