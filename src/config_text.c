// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What libconfig 1.5 does not give: the file's text as written. libconfig
 * drops the high bits of a too large integer, exits the process on an
 * unreadable file or @include, stops at a NUL byte, and can only render a
 * value in its own form; these workarounds read the text themselves, so that
 * config.c can validate what the user wrote and quote it back.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config_text.h"
#include "escape.h"
#include "pdtt_config.h"

/* A config file is a few hundred bytes; the cap keeps /dev/zero from eating memory. */
#define TEXT_MAX (1024 * 1024)

/* ---- messages ---------------------------------------------------------- */

void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + n < b->size ? b->len + n : b->size - 1;
}

int config_fail_at(struct config_reader *rd, const char *file, int line, const char *fmt, ...)
{
	struct sbuf b = { rd->err, rd->errlen, 0 };
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!rd->err || !rd->errlen)
		return -1;
	rd->err[0] = '\0';
	if (line > 0)
		sbuf_add(&b, "%s:%d: %s", file, line, msg);
	else
		sbuf_add(&b, "%s: %s", file, msg);
	return -1;
}

/* Settings from an @include file carry that file's name; the others have none. */
static const char *setting_file(const struct config_reader *rd, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);

	return file ? file : rd->path;
}

static int setting_line(const config_setting_t *s)
{
	while (s && config_setting_source_line(s) == 0)
		s = config_setting_parent(s);
	return s ? (int)config_setting_source_line(s) : 0;
}

int config_fail(struct config_reader *rd, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return config_fail_at(rd, setting_file(rd, s), setting_line(s), "%s", msg);
}

/* ---- values as written ------------------------------------------------- */

static void render_string(struct sbuf *b, const char *str)
{
	const char *esc;
	char buf[8];

	sbuf_add(b, "\"");
	for (; *str; str++) {
		esc = escape_libconfig_char((unsigned char)*str, buf);
		if (esc)
			sbuf_add(b, "%s", esc);
		else
			sbuf_add(b, "%c", *str);
	}
	sbuf_add(b, "\"");
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '*';
}

/* Skip a comment or string at p, counting lines; returns p itself when there is none. */
static const char *skip_inert(const char *p, unsigned int *line)
{
	if (*p == '#' || (p[0] == '/' && p[1] == '/'))
		return p + strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
			*line += *p == '\n';
		return *p ? p + 2 : p;
	}
	if (*p != '"')
		return p;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*line += *p == '\n';
	}
	return *p ? p + 1 : p;
}

/* p, or past the comments and strings from p on: the next character libconfig reads as code. */
static const char *skip_to_code(const char *p, unsigned int *line)
{
	const char *next;

	while ((next = skip_inert(p, line)) != p)
		p = next;
	return p;
}

/* The literal after "name =" or "name :" at p, or false if p does not start that. */
static bool literal_at(const char *p, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	if (strncmp(p, name, n) != 0 || is_name_char(p[n]))
		return false;
	p += n + strspn(p + n, " \t\r\n");
	if (*p != '=' && *p != ':')
		return false;
	p++;
	p += strspn(p, " \t\r\n");
	n = strcspn(p, " \t\r\n;,#/\"");
	/* Cut short rather than refused: a literal this long is out of range anyway. */
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return n > 0;
}

/* The literal of top-level setting name on line, ignoring comments, strings and groups. */
static bool find_literal(const char *text, unsigned int line, const char *name, char *out,
			 size_t outlen)
{
	unsigned int ln = 1;
	int depth = 0;
	const char *p;

	for (p = skip_to_code(text, &ln); *p && ln <= line; p = skip_to_code(p + 1, &ln)) {
		if (*p == '\n')
			ln++;
		else if (*p == '{' || *p == '(' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ')' || *p == ']')
			depth--;
		else if (depth == 0 && ln == line && (p == text || !is_name_char(p[-1])) &&
			 literal_at(p, name, out, outlen))
			return true;
	}
	return false;
}

/*
 * The text of a top-level number or boolean as the user wrote it. Needed because
 * libconfig 1.5 keeps only the low 32 bits of an integer that does not fit an int
 * ("max_users = 4294968320" reads as 1024): the range check must see the text.
 */
static bool scalar_as_written(const struct config_reader *rd, const config_setting_t *s, char *out,
			      size_t outlen)
{
	const char *file = config_setting_source_file(s);
	char *text = rd->text;
	bool found;
	size_t len;
	int errnum;

	if (!config_setting_is_scalar(s) || config_setting_type(s) == CONFIG_TYPE_STRING ||
	    !config_setting_is_root(config_setting_parent(s)))
		return false;
	if (file)
		text = config_read_text(file, &len, &errnum);
	found = text && find_literal(text, config_setting_source_line(s), config_setting_name(s),
				     out, outlen);
	if (file)
		free(text);
	return found;
}

static void render_float(struct sbuf *b, double v)
{
	char num[64];

	snprintf(num, sizeof(num), "%.15g", v);
	if (strtod(num, NULL) != v)
		snprintf(num, sizeof(num), "%.17g", v);
	sbuf_add(b, "%s%s", num, strpbrk(num, ".eni") ? "" : ".0");
}

static void render_value(struct sbuf *b, const config_setting_t *s);

static void render_aggregate(struct sbuf *b, const config_setting_t *s)
{
	const char *open = "[", *close = "]";
	const config_setting_t *e;
	int i, n = config_setting_length(s);

	if (config_setting_is_list(s))
		open = "(", close = ")";
	else if (config_setting_is_group(s))
		open = "{", close = "}";
	sbuf_add(b, "%s", open);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		sbuf_add(b, "%s ", i && !config_setting_is_group(s) ? "," : "");
		if (config_setting_is_group(s))
			sbuf_add(b, "%s = ", config_setting_name(e));
		render_value(b, e);
		if (config_setting_is_group(s))
			sbuf_add(b, ";");
	}
	sbuf_add(b, " %s", close);
}

static void render_value(struct sbuf *b, const config_setting_t *s)
{
	bool hex = config_setting_get_format(s) == CONFIG_FORMAT_HEX;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		sbuf_add(b, hex ? "0x%X" : "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		sbuf_add(b, hex ? "0x%llXL" : "%lldL", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		render_float(b, config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		sbuf_add(b, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		render_string(b, config_setting_get_string(s));
		break;
	default:
		render_aggregate(b, s);
	}
}

/* The value for a message: as written where the text is known, and not too long. */
const char *config_shown(const struct config_reader *rd, const config_setting_t *s, char *out,
			 size_t outlen)
{
	char full[SHOWN_MAX * 4];
	struct sbuf b = { full, sizeof(full), 0 };

	if (!scalar_as_written(rd, s, full, sizeof(full)))
		render_value(&b, s);
	if (strlen(full) > SHOWN_MAX)
		strcpy(full + SHOWN_MAX - 4, full[0] == '"' ? "...\"" : "...");
	snprintf(out, outlen, "%s", full);
	return out;
}

/* Whether lit is a libconfig integer literal; *overflow when beyond a long long. */
static bool parse_literal(const char *lit, long long *val, bool *overflow)
{
	bool hex = lit[0] == '0' && (lit[1] == 'x' || lit[1] == 'X');
	unsigned long long u;
	char *end;

	errno = 0;
	if (hex) {
		u = strtoull(lit + 2, &end, 16);
		*val = (long long)u;
		*overflow = errno == ERANGE || u > LLONG_MAX;
	} else {
		*val = strtoll(lit, &end, 10);
		*overflow = errno == ERANGE;
	}
	return end != lit + (hex ? 2 : 0) &&
	       (!strcmp(end, "") || !strcmp(end, "L") || !strcmp(end, "LL"));
}

/* The integer's true value; false when it is beyond any range we could accept. */
bool config_integer_value(const struct config_reader *rd, const config_setting_t *s, long long *val)
{
	char lit[128];
	bool overflow;

	if (scalar_as_written(rd, s, lit, sizeof(lit)) && parse_literal(lit, val, &overflow))
		return !overflow;
	if (config_setting_type(s) == CONFIG_TYPE_INT64)
		*val = config_setting_get_int64(s);
	else
		*val = config_setting_get_int(s);
	return true;
}

/* Grow text to hold at least need bytes; errno-style result. */
static int grow(char **text, size_t *size, size_t need)
{
	char *bigger;
	size_t want = 2 * *size > need ? 2 * *size : need;

	if (need <= *size)
		return 0;
	if (need > TEXT_MAX)
		return EFBIG;
	bigger = realloc(*text, want);
	if (!bigger)
		return ENOMEM;
	*text = bigger;
	*size = want;
	return 0;
}

/* The whole file, NUL-terminated, its length in *len; NULL with *errnum set on failure. */
char *config_read_text(const char *path, size_t *len, int *errnum)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0, n;
	int err;

	*len = 0;
	*errnum = errno;
	if (!f)
		return NULL;
	do {
		err = grow(&text, &size, *len + 4096 + 1);
		n = err ? 0 : fread(text + *len, 1, size - 1 - *len, f);
		*len += n;
	} while (n > 0);
	if (!err && ferror(f))
		err = errno ? errno : EIO;
	fclose(f);
	*errnum = err;
	if (err || !text) {
		free(text);
		return NULL;
	}
	text[*len] = '\0';
	return text;
}

/* libconfig would silently stop at a NUL byte and ignore the rest of the file. */
static int check_no_nul(struct config_reader *rd, size_t len)
{
	const char *nul = memchr(rd->text, '\0', len);
	const char *p;
	int line = 1;

	if (!nul)
		return 0;
	for (p = rd->text; p < nul; p++)
		line += *p == '\n';
	return config_fail_at(rd, rd->path, line, "syntax error: NUL byte in the file");
}

/* libconfig reads at most this many nested @include files. */
#define INCLUDE_DEPTH_MAX 10

static int check_includes(struct config_reader *rd, const char *file, const char *text, int depth);

/* The @include at p (after the keyword and its blanks, on the opening quote). */
static int check_include(struct config_reader *rd, const char *file, unsigned int line,
			 const char *p, int depth)
{
	char name[PDTT_PATH_MAX];
	size_t n = 0;
	struct stat st;
	char *text;
	size_t len;
	int errnum, ret;

	for (p++; *p && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		else if (*p == '\\')
			return config_fail_at(rd, file, (int)line,
					      "@include: escape sequences other than "
					      "\\\" and \\\\ are not accepted in the file name");
		if (n + 1 >= sizeof(name))
			return config_fail_at(rd, file, (int)line,
					      "@include: the file name is too long");
		name[n++] = *p;
	}
	name[n] = '\0';
	/* A missing file is libconfig's to report ("cannot open include file"). */
	if (*p != '"' || stat(name, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode))
		return config_fail_at(rd, file, (int)line,
				      "@include \"%s\" is not a regular file: "
				      "expected a configuration file",
				      name);
	if (depth + 1 >= INCLUDE_DEPTH_MAX)
		return 0;
	text = config_read_text(name, &len, &errnum);
	if (!text)
		return config_fail_at(rd, file, (int)line, "@include \"%s\": cannot read: %s", name,
				      strerror(errnum));
	ret = check_includes(rd, name, text, depth + 1);
	free(text);
	return ret;
}

/*
 * libconfig 1.5's scanner ends the whole process when an @include names what
 * it cannot read as a file (a directory, a device...): on SIGHUP that would
 * stop the daemon instead of keeping the running configuration. So every
 * @include (as libconfig sees them: at the start of a line, outside comments
 * and strings) must name a regular file, checked before libconfig reads it.
 */
static int check_includes(struct config_reader *rd, const char *file, const char *text, int depth)
{
	static const char keyword[] = "@include";
	unsigned int line = 1;
	const char *p, *q;
	size_t blanks;

	/* A line start inside a comment or string is passed over: libconfig reads no @include there. */
	for (p = skip_to_code(text, &line); *p; p = skip_to_code(p + 1, &line)) {
		if (p == text || p[-1] == '\n') {
			q = p + strspn(p, " \t");
			if (!strncmp(q, keyword, sizeof(keyword) - 1)) {
				q += sizeof(keyword) - 1;
				blanks = strspn(q, " \t");
				if (blanks && q[blanks] == '"' &&
				    check_include(rd, file, line, q + blanks, depth))
					return -1;
			}
		}
		if (*p == '\n')
			line++;
	}
	return 0;
}

int config_check_text(struct config_reader *rd, size_t len)
{
	return check_no_nul(rd, len) || check_includes(rd, rd->path, rd->text, 0) ? -1 : 0;
}
