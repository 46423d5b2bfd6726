// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file, e.g.
 *
 *   pdtt-state 1
 *   # pdtt totals across reboots, written by pdttd: do not edit (checksummed)
 *   layout 3
 *   instance 5f3a9c0d17e2b64a
 *   accounting_start 1761575400
 *   saved_at 1761579000
 *   retired_map 0
 *   buckets 2
 *   users 1
 *   bucket unattributed <16 numbers>
 *   bucket overflow <16 numbers>
 *   user 1000 <16 numbers>
 *   crc32 1c291ca3
 *
 * The 16 numbers of a line: the baseline, then the last kernel reading, each
 * as local {tx_bytes tx_packets rx_bytes rx_packets} then external {the same}.
 * With networks, a line "networks NAME..." after retired_map names the
 * classes after local and external (pdtt_classes), and every value has 4
 * numbers per class: 8 x (2 + names) a line. Without, the file is as before.
 * The CRC32 covers every byte before the "crc32" line. Users are in UID order.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "decimal.h"
#include "fileio.h"
#include "state.h"

#define MAGIC "pdtt-state"
/*
 * State files began with map layout 2. The layouts since changed how the
 * kernel finds a UID's counters, and (5) how it lays them out per CPU, not
 * the sums saved here: their lines read the same, so an upgraded pdttd takes
 * over the totals of the one before.
 */
#define STATE_OLDEST_LAYOUT 2
#define COMMENT "# pdtt totals across reboots, written by pdttd: do not edit (checksummed)"
#define CRC_PREFIX "crc32 "
#define CRC_LINE_LEN (sizeof(CRC_PREFIX) - 1 + 8 + 1) /* "crc32 " + 8 hex + '\n' */
#define STATE_MAX ((size_t)1 << 30)
#define NUMS_PER_VALUE (PDTT_CLASS_MAX * 4)

static const char *const bucket_names[PDTT_BUCKET_COUNT] = {
	[PDTT_BUCKET_UNATTRIBUTED] = "unattributed",
	[PDTT_BUCKET_OVERFLOW] = "overflow",
};

static int say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return PDTT_STATE_INVALID;
}

void state_free(struct pdtt_state *st)
{
	snapshot_release(&st->baseline);
	snapshot_release(&st->last);
	memset(st, 0, sizeof(*st));
}

/* ---- parsing ------------------------------------------------------------ */

struct cursor {
	const char *p, *end; /* the current line, without its '\n' */
	const char *next;    /* start of the following line */
	const char *limit;   /* end of the content */
	unsigned int line;
	unsigned int n_classes; /* in each value */
};

/* Advance to the next line; false at the end of the content. */
static bool next_line(struct cursor *c)
{
	const char *nl;

	if (c->next >= c->limit)
		return false;
	c->p = c->next;
	nl = memchr(c->p, '\n', (size_t)(c->limit - c->p));
	c->end = nl ? nl : c->limit;
	c->next = nl ? nl + 1 : c->limit;
	c->line++;
	return true;
}

/* The next space-separated token of the line; false at its end. */
static bool token(struct cursor *c, const char **tok, size_t *len)
{
	const char *sp;

	if (c->p >= c->end)
		return false;
	sp = memchr(c->p, ' ', (size_t)(c->end - c->p));
	*tok = c->p;
	*len = (size_t)((sp ? sp : c->end) - c->p);
	c->p = sp ? sp + 1 : c->end;
	return *len > 0;
}

static bool word(struct cursor *c, const char *want)
{
	const char *tok;
	size_t len;

	return token(c, &tok, &len) && len == strlen(want) && !memcmp(tok, want, len);
}

/* A decimal (or, with base 16, hex) number within max; nothing else. */
static bool number(struct cursor *c, int base, uint64_t max, uint64_t *out)
{
	const char *tok;
	size_t len, i;
	uint64_t v = 0;
	unsigned int d;

	if (!token(c, &tok, &len) || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		char ch = tok[i];

		if (ch >= '0' && ch <= '9')
			d = (unsigned int)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned int)(ch - 'a' + 10);
		else
			return false;
		if (v > (max - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return true;
}

static bool at_line_end(const struct cursor *c)
{
	return c->p >= c->end;
}

/* "key NUMBER" on its own line. */
static bool keyed_number(struct cursor *c, const char *key, int base, uint64_t max, uint64_t *out)
{
	return next_line(c) && word(c, key) && number(c, base, max, out) && at_line_end(c);
}

static bool read_value(struct cursor *c, struct pdtt_value *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned int cls = 0; cls < c->n_classes; cls++) {
		struct pdtt_counters *k = &v->by_class[cls];
		__u64 *f[] = { &k->tx_bytes, &k->tx_packets, &k->rx_bytes, &k->rx_packets };

		for (size_t i = 0; i < 4; i++) {
			uint64_t n;

			if (!number(c, 10, UINT64_MAX, &n))
				return false;
			*f[i] = n;
		}
	}
	return true;
}

/* The baseline and last values of a line, and nothing after them. */
static bool read_pair(struct cursor *c, struct pdtt_value *base, struct pdtt_value *last)
{
	return read_value(c, base) && read_value(c, last) && at_line_end(c);
}

static void add_user(struct pdtt_snapshot *snap, uint32_t uid, const struct pdtt_value *v)
{
	if (!value_is_zero(v))
		snapshot_append(snap, uid, v);
}

/*
 * The optional "networks NAME..." line into *classes; without it, local and
 * external only. False when the line is wrong.
 */
static bool read_classes(struct cursor *c, struct pdtt_classes *classes)
{
	struct cursor before = *c;
	const char *tok;
	size_t len;

	memset(classes, 0, sizeof(*classes));
	classes->n = PDTT_CLASS_DEFAULT_COUNT;
	if (!next_line(c) || !word(c, "networks")) {
		*c = before;
		return true;
	}
	while (token(c, &tok, &len)) {
		if (classes->n == PDTT_CLASS_MAX || len >= PDTT_CLASS_NAME_LEN)
			return false;
		char name[PDTT_CLASS_NAME_LEN];

		memcpy(name, tok, len);
		name[len] = '\0';
		if (!classes_valid_name(name) || classes_find(classes, name) >= 0)
			return false; /* twice, or local or external */
		memcpy(classes->name[classes->n++], name, len + 1);
	}
	return classes->n > PDTT_CLASS_DEFAULT_COUNT;
}

/* The content (checksum verified) into st. */
static int parse_content(struct cursor *c, const char *path, struct pdtt_state *st, char *err,
			 size_t errlen)
{
	uint64_t format, layout, instance, start, saved, retired, buckets, users, uid;
	uint64_t prev_uid = 0;
	struct pdtt_value base, last;

#define BAD(what) say(err, errlen, "state file %s: line %u: %s", path, c->line, what)
	if (!next_line(c) || !word(c, MAGIC) || !number(c, 10, UINT32_MAX, &format) ||
	    !at_line_end(c))
		return say(err, errlen,
			   "state file %s is not a pdtt state file (its first line "
			   "is not \"" MAGIC " N\")",
			   path);
	if (format != PDTT_STATE_FORMAT)
		return say(err, errlen,
			   "state file %s has format version %" PRIu64 "; this pdttd "
			   "reads version %d (written by another pdtt version?)",
			   path, format, PDTT_STATE_FORMAT);
	if (!next_line(c) || c->p == c->end || c->p[0] != '#')
		return BAD("expected the comment line");
	if (!keyed_number(c, "layout", 10, UINT32_MAX, &layout))
		return BAD("expected \"layout N\"");
	if (layout < STATE_OLDEST_LAYOUT || layout > PDTT_LAYOUT_VERSION)
		return say(err, errlen,
			   "state file %s was written for map layout version %" PRIu64
			   "; this pdttd reads versions %d to %d (written by another pdtt version?)",
			   path, layout, STATE_OLDEST_LAYOUT, PDTT_LAYOUT_VERSION);
	if (!keyed_number(c, "instance", 16, UINT64_MAX, &instance) || instance == 0)
		return BAD("expected \"instance HEX\" (not 0)");
	if (!keyed_number(c, "accounting_start", 10, UINT64_MAX, &start))
		return BAD("expected \"accounting_start N\"");
	if (!keyed_number(c, "saved_at", 10, UINT64_MAX, &saved))
		return BAD("expected \"saved_at N\"");
	if (!keyed_number(c, "retired_map", 10, UINT32_MAX, &retired))
		return BAD("expected \"retired_map N\"");
	if (!read_classes(c, &st->baseline.classes))
		return BAD("expected \"networks\" and at most 16 valid names");
	st->last.classes = st->baseline.classes;
	c->n_classes = classes_count(&st->baseline.classes);
	if (!keyed_number(c, "buckets", 10, UINT64_MAX, &buckets) || buckets != PDTT_BUCKET_COUNT)
		return BAD("expected \"buckets 2\"");
	if (!keyed_number(c, "users", 10, (uint64_t)UINT32_MAX + 1, &users))
		return BAD("expected \"users N\"");
	/* Each user line takes more than 32 bytes: a count beyond that is a lie. */
	if (users > (size_t)(c->limit - c->next) / 32)
		return BAD("more users announced than the file holds");
	st->layout_version = (uint32_t)layout;
	st->instance_id = instance;
	st->accounting_start = start;
	st->saved_at = saved;
	st->retired_map_id = (uint32_t)retired;
	if (snapshot_reserve(&st->baseline, users) || snapshot_reserve(&st->last, users))
		return say(err, errlen, "state file %s: out of memory", path);
	for (int b = 0; b < PDTT_BUCKET_COUNT; b++) {
		if (!next_line(c) || !word(c, "bucket") || !word(c, bucket_names[b]) ||
		    !read_pair(c, &st->baseline.buckets[b], &st->last.buckets[b]))
			return BAD(b == PDTT_BUCKET_UNATTRIBUTED
					   ? "expected \"bucket unattributed\" and 16 numbers"
					   : "expected \"bucket overflow\" and 16 numbers");
	}
	for (uint64_t i = 0; i < users; i++) {
		if (!next_line(c) || !word(c, "user") || !number(c, 10, UINT32_MAX, &uid) ||
		    !read_pair(c, &base, &last))
			return BAD("expected \"user UID\" and 16 numbers");
		if (i > 0 && uid <= prev_uid)
			return BAD("users out of UID order");
		prev_uid = uid;
		add_user(&st->baseline, (uint32_t)uid, &base);
		add_user(&st->last, (uint32_t)uid, &last);
	}
	if (next_line(c))
		return BAD("more lines than announced");
	return PDTT_STATE_LOADED;
#undef BAD
}

static bool parse_crc(const char *hex, uint32_t *crc)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char ch = hex[i];

		if (ch >= '0' && ch <= '9')
			v = v << 4 | (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = v << 4 | (uint32_t)(ch - 'a' + 10);
		else
			return false;
	}
	*crc = v;
	return true;
}

int state_parse(const char *text, size_t len, const char *path, struct pdtt_state *st, char *err,
		size_t errlen)
{
	const char *crc_line;
	uint32_t want, got;
	struct cursor c;
	int rc;

	memset(st, 0, sizeof(*st));
	if (len == 0)
		return say(err, errlen, "state file %s is empty (an interrupted write?)", path);
	crc_line = text + len - (len >= CRC_LINE_LEN ? CRC_LINE_LEN : len);
	if (len < CRC_LINE_LEN || text[len - 1] != '\n' ||
	    memcmp(crc_line, CRC_PREFIX, sizeof(CRC_PREFIX) - 1) ||
	    (crc_line > text && crc_line[-1] != '\n'))
		return say(err, errlen,
			   "state file %s is incomplete: it does not end with its "
			   "checksum line (a torn or truncated write)",
			   path);
	if (!parse_crc(crc_line + sizeof(CRC_PREFIX) - 1, &want))
		return say(err, errlen, "state file %s: its checksum line is malformed", path);
	got = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text, (uInt)(crc_line - text));
	if (got != want)
		return say(err, errlen,
			   "state file %s is corrupt: checksum mismatch (stored "
			   "%08" PRIx32 ", content gives %08" PRIx32 ")",
			   path, want, got);
	c = (struct cursor){ .next = text, .limit = crc_line };
	rc = parse_content(&c, path, st, err, errlen);
	if (rc != PDTT_STATE_LOADED)
		state_free(st);
	return rc;
}

int state_load(const char *path, struct pdtt_state *st, char *err, size_t errlen)
{
	int fd = open_regular(path, O_RDONLY, 0), rc, e;
	size_t len = 0, size = 0;
	char *text = NULL, *bigger;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	if (fd == -ENOENT)
		return PDTT_STATE_ABSENT;
	if (fd < 0)
		return say(err, errlen, "cannot read state file %s: %s", path,
			   file_error(path, -fd));
	for (;;) {
		if (len == size) {
			size = size ? 2 * size : 65536;
			bigger = size <= STATE_MAX ? realloc(text, size) : NULL;
			if (!bigger) {
				e = size > STATE_MAX ? EFBIG : ENOMEM;
				goto fail;
			}
			text = bigger;
		}
		n = read(fd, text + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	rc = state_parse(text, len, path, st, err, errlen);
	free(text);
	return rc;
fail:
	close(fd);
	free(text);
	return say(err, errlen, "cannot read state file %s: %s", path, strerror(e));
}

/* ---- writing ------------------------------------------------------------ */

/*
 * The file goes to its temporary file through a fixed buffer as it is made,
 * and the CRC is taken of what goes through: with 100,000 UIDs the content is
 * 7 MB, which is then never held whole in memory. Numbers are written with
 * put_u64: printf's format parsing was most of the cost of a save.
 */
#define SINK_BUFFER (64 * 1024)
/*
 * The longest line: "bucket unattributed" (longer than "user" and a UID),
 * then 16 numbers of up to 20 digits, each after a space, and '\n'.
 */
#define LINE_MAX_LEN (19 + NUMS_PER_VALUE * 2 * 21 + 1)
/* The header lines (before the buckets) take less than this. */
#define HEADER_MAX_LEN 512

struct sink {
	int fd;
	int err;                /* the first write error (-errno), 0: none */
	uLong crc;              /* of everything flushed so far */
	unsigned int n_classes; /* in each value */
	size_t len;             /* bytes in buf */
	char buf[SINK_BUFFER];
};

/* The CRC is taken here, of whole buffers: line by line it took five times longer. */
static void sink_flush(struct sink *s)
{
	s->crc = crc32(s->crc, (const Bytef *)s->buf, (uInt)s->len);
	if (!s->err && s->len)
		s->err = write_all(s->fd, s->buf, s->len);
	s->len = 0;
}

/* Where the next line goes: room for n bytes, flushing first if needed. */
static char *sink_room(struct sink *s, size_t n)
{
	if (s->len + n > sizeof(s->buf))
		sink_flush(s);
	return s->buf + s->len;
}

/* The line written at sink_room's pointer ends at end. */
static void sink_put(struct sink *s, char *end)
{
	s->len = (size_t)(end - s->buf);
}

/* A value to write: user u of snap, or v when u is NULL (a bucket, a UID absent). */
struct value_ref {
	const struct pdtt_snapshot *snap;
	const struct pdtt_usage *u;
	const struct pdtt_value *v;
};

static const struct pdtt_counters *ref_class(const struct value_ref *d, unsigned int cls)
{
	return d->u ? usage_class(d->snap, d->u, cls) : &d->v->by_class[cls];
}

static char *put_value(char *p, const struct value_ref *d, unsigned int n_classes)
{
	for (unsigned int cls = 0; cls < n_classes; cls++) {
		const struct pdtt_counters *k = ref_class(d, cls);
		const uint64_t n[] = { k->tx_bytes, k->tx_packets, k->rx_bytes, k->rx_packets };

		for (size_t i = 0; i < 4; i++) {
			*p++ = ' ';
			p = put_u64(p, n[i]);
		}
	}
	return p;
}

/* Finish the line begun at sink_room with its 16 numbers: the baseline, then the last reading. */
static void put_pair(struct sink *s, char *p, const struct value_ref *base,
		     const struct value_ref *last)
{
	p = put_value(p, base, s->n_classes);
	p = put_value(p, last, s->n_classes);
	*p++ = '\n';
	sink_put(s, p);
}

/* Merge the baseline and last users by UID; write each non-zero pair (when s); count them. */
static size_t for_each_user(const struct pdtt_state *st, struct sink *s)
{
	const struct pdtt_snapshot *a = &st->baseline, *b = &st->last;
	static const struct pdtt_value zero;
	size_t i = 0, j = 0, n = 0;

	while (i < a->n_users || j < b->n_users) {
		struct value_ref base = { .snap = a, .v = &zero }, last = { .snap = b, .v = &zero };
		uint32_t uid;

		if (j == b->n_users || (i < a->n_users && a->users[i].uid < b->users[j].uid)) {
			uid = a->users[i].uid;
			base.u = &a->users[i++];
		} else if (i == a->n_users || b->users[j].uid < a->users[i].uid) {
			uid = b->users[j].uid;
			last.u = &b->users[j++];
		} else {
			uid = a->users[i].uid;
			base.u = &a->users[i++];
			last.u = &b->users[j++];
		}
		if ((!base.u || usage_is_zero(a, base.u)) && (!last.u || usage_is_zero(b, last.u)))
			continue;
		n++;
		if (s) {
			char *p = put_str(sink_room(s, LINE_MAX_LEN), "user ");

			put_pair(s, put_u64(p, uid), &base, &last);
		}
	}
	return n;
}

/* "networks NAME..." when there are classes beyond local and external. */
static void put_classes(struct sink *s, const struct pdtt_classes *classes)
{
	char *p;

	if (!classes_named(classes))
		return;
	p = put_str(sink_room(s, LINE_MAX_LEN), "networks");
	for (unsigned int i = PDTT_CLASS_FIRST_NAMED; i < classes_count(classes); i++) {
		*p++ = ' ';
		p = put_str(p, classes->name[i]);
	}
	*p++ = '\n';
	sink_put(s, p);
}

static void put_header(struct sink *s, const struct pdtt_state *st,
		       const struct pdtt_classes *classes)
{
	char *p = sink_room(s, HEADER_MAX_LEN);
	int n = snprintf(p, HEADER_MAX_LEN,
			 MAGIC " %d\n" COMMENT "\n"
			       "layout %d\n"
			       "instance %016" PRIx64 "\n"
			       "accounting_start %" PRIu64 "\n"
			       "saved_at %" PRIu64 "\n"
			       "retired_map %" PRIu32 "\n",
			 PDTT_STATE_FORMAT, PDTT_LAYOUT_VERSION, st->instance_id,
			 st->accounting_start, st->saved_at, st->retired_map_id);

	sink_put(s, p + n);
	put_classes(s, classes);
	p = sink_room(s, HEADER_MAX_LEN);
	n = snprintf(p, HEADER_MAX_LEN, "buckets %d\nusers %zu\n", PDTT_BUCKET_COUNT,
		     for_each_user(st, NULL));
	sink_put(s, p + n);
}

/* The whole file to s->fd; 0 or -errno. */
static int write_state(struct sink *s, const struct pdtt_state *st)
{
	char crc_line[CRC_LINE_LEN + 1];
	int n;

	const struct pdtt_classes *classes = classes_wider(&st->baseline.classes,
							   &st->last.classes);

	s->crc = crc32(0L, Z_NULL, 0);
	s->n_classes = classes_count(classes);
	put_header(s, st, classes);
	for (int b = 0; b < PDTT_BUCKET_COUNT; b++) {
		char *p = put_str(sink_room(s, LINE_MAX_LEN), "bucket ");

		put_pair(s, put_str(p, bucket_names[b]),
			 &(struct value_ref){ .v = &st->baseline.buckets[b] },
			 &(struct value_ref){ .v = &st->last.buckets[b] });
	}
	for_each_user(st, s);
	/* All the content is through: the CRC is complete, and does not cover its own line. */
	sink_flush(s);
	n = snprintf(crc_line, sizeof(crc_line), CRC_PREFIX "%08" PRIx32 "\n", (uint32_t)s->crc);
	if (!s->err)
		s->err = write_all(s->fd, crc_line, (size_t)n);
	return s->err;
}

int state_save(const char *path, const struct pdtt_state *st, char *err, size_t errlen)
{
	struct replacement r;
	struct sink *s = calloc(1, sizeof(*s));
	int e = s ? replace_begin(&r, path, 0640, (gid_t)-1) : -ENOMEM;

	if (!e) {
		s->fd = r.fd;
		e = write_state(s, st);
		if (e)
			replace_abort(&r);
		else
			e = replace_commit(&r, path, true);
	}
	free(s);
	if (e)
		say(err, errlen, "cannot write state file %s: %s (the previous one is kept)", path,
		    file_error(path, -e));
	return e;
}

/* ---- using it ----------------------------------------------------------- */

int state_baseline_for(const struct pdtt_state *st, uint64_t instance_id, struct pdtt_snapshot *out)
{
	struct pdtt_snapshot empty = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	if (!st)
		return snapshot_reserve(out, 0);
	err = snapshot_sum(out, &st->baseline, st->instance_id == instance_id ? &empty : &st->last);
	out->accounting_start = (time_t)st->accounting_start;
	return err;
}

int state_prepare_dir(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : "/";
	int e = 0;

	/* 0750: the totals name every user's traffic. */
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		e = -errno;
		snprintf(err, errlen, "cannot create %s, the directory of state_file %s: %s", dir,
			 path, strerror(-e));
	} else if (access(dir, W_OK) < 0) {
		e = -errno;
		snprintf(err, errlen, "cannot write in %s, the directory of state_file %s: %s", dir,
			 path, strerror(-e));
	}
	free(copy);
	return e;
}

int state_keep_aside(const char *path, char *aside, size_t asidelen)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	if ((size_t)snprintf(aside, asidelen, "%s.corrupt-%s", path, when) >= asidelen)
		return -ENAMETOOLONG;
	if (link(path, aside) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
