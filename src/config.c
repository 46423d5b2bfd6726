// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration file: libconfig syntax, every key optional, and strict
 * validation. A wrong setting must stop the daemon with one line that names the
 * file, line, key and value and says what is accepted, because a silently
 * ignored or misread setting would make the counts wrong without anyone noticing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libconfig.h>
#include "config.h"

/* A config file is a few hundred bytes; the cap keeps /dev/zero from eating memory. */
#define TEXT_MAX (1024 * 1024)

/* Values longer than this are shortened in messages, so that the line stays readable. */
#define SHOWN_MAX 72

#define NETWORK_EXAMPLE "an IPv4 or IPv6 network such as \"10.0.0.0/8\" or \"fd00::/8\""

struct loader {
	const char *path; /* the file given to config_load, for messages */
	char *text;       /* its contents, to see integer literals as written */
	char *err;
	size_t errlen;
};

struct key {
	const char *name;
	int (*parse)(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg);
};

/* Bounded string builder: rendering a value never overruns, it is only cut short. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

void config_defaults(struct pdtt_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval = 10;
	snprintf(cfg->log_file, sizeof(cfg->log_file), "%s", "/var/log/pdtt_stats.log");
	cfg->mode = PDTT_CONFIG_MODE_SOCKET;
	cfg->max_users = 1024;
	snprintf(cfg->pin_path, sizeof(cfg->pin_path), "%s", "/sys/fs/bpf/pdtt");
	snprintf(cfg->state_file, sizeof(cfg->state_file), "%s", "/var/lib/pdtt/state");
	cfg->owner_tracking = true;
	snprintf(cfg->history_file, sizeof(cfg->history_file), "%s", "/var/lib/pdtt/history.db");
	cfg->history_period = 300;
	/* vnStat's defaults. */
	cfg->history_5min_hours = 48;
	cfg->history_hourly_days = 4;
	cfg->history_daily_days = 62;
	cfg->history_monthly_months = 25;
}

const char *config_mode_name(enum pdtt_config_mode mode)
{
	switch (mode) {
	case PDTT_CONFIG_MODE_SOCKET:
		return "socket";
	case PDTT_CONFIG_MODE_TC:
		return "tc";
	}
	return "unknown";
}

/* ---- messages ---------------------------------------------------------- */

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
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

static int fail_at(struct loader *ld, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct loader *ld, const char *file, int line, const char *fmt, ...)
{
	struct sbuf b = { ld->err, ld->errlen, 0 };
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ld->err || !ld->errlen)
		return -1;
	ld->err[0] = '\0';
	if (line > 0)
		sb_add(&b, "%s:%d: %s", file, line, msg);
	else
		sb_add(&b, "%s: %s", file, msg);
	return -1;
}

/* Settings from an @include file carry that file's name; the others have none. */
static const char *setting_file(const struct loader *ld, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);

	return file ? file : ld->path;
}

static int setting_line(const config_setting_t *s)
{
	while (s && config_setting_source_line(s) == 0)
		s = config_setting_parent(s);
	return s ? (int)config_setting_source_line(s) : 0;
}

static int fail(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail_at(ld, setting_file(ld, s), setting_line(s), "%s", msg);
}

/* ---- values as written ------------------------------------------------- */

/* The escape libconfig reads back as c, or NULL when c can be written as itself. */
static const char *escape_char(unsigned char c, char hex[5])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\f':
		return "\\f";
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(hex, 5, "\\x%02x", c);
		return hex;
	}
	return NULL;
}

static void render_string(struct sbuf *b, const char *str)
{
	const char *esc;
	char hex[5];

	sb_add(b, "\"");
	for (; *str; str++) {
		esc = escape_char((unsigned char)*str, hex);
		if (esc)
			sb_add(b, "%s", esc);
		else
			sb_add(b, "%c", *str);
	}
	sb_add(b, "\"");
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
	const char *p, *next;

	for (p = text; *p && ln <= line; p++) {
		next = skip_inert(p, &ln);
		if (next != p) {
			p = next - 1;
			continue;
		}
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

static char *read_text(const char *path, size_t *len, int *errnum);

/*
 * The text of a top-level number or boolean as the user wrote it. Needed because
 * libconfig 1.5 keeps only the low 32 bits of an integer that does not fit an int
 * ("max_users = 4294968320" reads as 1024): the range check must see the text.
 */
static bool scalar_as_written(const struct loader *ld, const config_setting_t *s, char *out,
			      size_t outlen)
{
	const char *file = config_setting_source_file(s);
	char *text = ld->text;
	bool found;
	size_t len;
	int errnum;

	if (!config_setting_is_scalar(s) || config_setting_type(s) == CONFIG_TYPE_STRING ||
	    !config_setting_is_root(config_setting_parent(s)))
		return false;
	if (file)
		text = read_text(file, &len, &errnum);
	found = text && find_literal(text, config_setting_source_line(s),
				     config_setting_name(s), out, outlen);
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
	sb_add(b, "%s%s", num, strpbrk(num, ".eni") ? "" : ".0");
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
	sb_add(b, "%s", open);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		sb_add(b, "%s ", i && !config_setting_is_group(s) ? "," : "");
		if (config_setting_is_group(s))
			sb_add(b, "%s = ", config_setting_name(e));
		render_value(b, e);
		if (config_setting_is_group(s))
			sb_add(b, ";");
	}
	sb_add(b, " %s", close);
}

static void render_value(struct sbuf *b, const config_setting_t *s)
{
	bool hex = config_setting_get_format(s) == CONFIG_FORMAT_HEX;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		sb_add(b, hex ? "0x%X" : "%d", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		sb_add(b, hex ? "0x%llXL" : "%lldL", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		render_float(b, config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		sb_add(b, "%s", config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		render_string(b, config_setting_get_string(s));
		break;
	default:
		render_aggregate(b, s);
	}
}

/* The value for a message: as written where the text is known, and not too long. */
static const char *shown(const struct loader *ld, const config_setting_t *s, char *out,
			 size_t outlen)
{
	char full[SHOWN_MAX * 4];
	struct sbuf b = { full, sizeof(full), 0 };

	if (!scalar_as_written(ld, s, full, sizeof(full)))
		render_value(&b, s);
	if (strlen(full) > SHOWN_MAX)
		strcpy(full + SHOWN_MAX - 4, full[0] == '"' ? "...\"" : "...");
	snprintf(out, outlen, "%s", full);
	return out;
}

/* ---- scalar keys ------------------------------------------------------- */

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
static bool integer_value(const struct loader *ld, const config_setting_t *s, long long *val)
{
	char lit[128];
	bool overflow;

	if (scalar_as_written(ld, s, lit, sizeof(lit)) && parse_literal(lit, val, &overflow))
		return !overflow;
	if (config_setting_type(s) == CONFIG_TYPE_INT64)
		*val = config_setting_get_int64(s);
	else
		*val = config_setting_get_int(s);
	return true;
}

static int parse_int(struct loader *ld, const config_setting_t *s, long long min, long long max,
		     long long *out)
{
	int type = config_setting_type(s);
	const char *name = config_setting_name(s);
	char value[SHOWN_MAX + 1];
	long long v;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return fail(ld, s, "%s = %s has the wrong type: expected an integer from %lld "
			    "to %lld", name, shown(ld, s, value, sizeof(value)), min, max);
	if (!integer_value(ld, s, &v) || v < min || v > max)
		return fail(ld, s, "%s = %s is out of range: expected an integer from %lld to %lld",
			    name, shown(ld, s, value, sizeof(value)), min, max);
	*out = v;
	return 0;
}

static int parse_interval(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	long long v;

	if (parse_int(ld, s, PDTT_INTERVAL_MIN, PDTT_INTERVAL_MAX, &v))
		return -1;
	cfg->interval = (int)v;
	return 0;
}

static int parse_max_users(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	long long v;

	if (parse_int(ld, s, PDTT_MAX_USERS_MIN, PDTT_MAX_USERS_MAX, &v))
		return -1;
	cfg->max_users = (unsigned int)v;
	return 0;
}

static int parse_mode(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	const char *str = config_setting_get_string(s);
	char value[SHOWN_MAX + 1];

	if (!str)
		return fail(ld, s, "mode = %s has the wrong type: expected \"socket\" or \"tc\"",
			    shown(ld, s, value, sizeof(value)));
	if (!strcmp(str, "socket"))
		cfg->mode = PDTT_CONFIG_MODE_SOCKET;
	else if (!strcmp(str, "tc"))
		cfg->mode = PDTT_CONFIG_MODE_TC;
	else
		return fail(ld, s, "mode = %s is not accepted: expected \"socket\" or \"tc\"",
			    shown(ld, s, value, sizeof(value)));
	return 0;
}

static int parse_owner_tracking(struct loader *ld, const config_setting_t *s,
				struct pdtt_config *cfg)
{
	char value[SHOWN_MAX + 1];

	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(ld, s, "owner_tracking = %s has the wrong type: expected true or false",
			    shown(ld, s, value, sizeof(value)));
	cfg->owner_tracking = config_setting_get_bool(s);
	return 0;
}

/* cgroup_path, json_log and prometheus_textfile may be empty: "" means the root, or off. */
static int parse_path(struct loader *ld, const config_setting_t *s, char *out, bool may_be_empty)
{
	const char *str = config_setting_get_string(s), *name = config_setting_name(s);
	const char *expected = may_be_empty ? "\"\" or a string starting with \"/\""
					    : "a string starting with \"/\"";
	char value[SHOWN_MAX + 1];

	if (!str)
		return fail(ld, s, "%s = %s has the wrong type: expected an absolute path, %s",
			    name, shown(ld, s, value, sizeof(value)), expected);
	if (str[0] != '/' && !(may_be_empty && str[0] == '\0'))
		return fail(ld, s, "%s = %s is not an absolute path: expected %s", name,
			    shown(ld, s, value, sizeof(value)), expected);
	if (strlen(str) >= PDTT_PATH_MAX)
		return fail(ld, s, "%s = %s is too long: expected a path of at most %d bytes", name,
			    shown(ld, s, value, sizeof(value)), PDTT_PATH_MAX - 1);
	snprintf(out, PDTT_PATH_MAX, "%s", str);
	return 0;
}

static int parse_log_file(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->log_file, false);
}

static int parse_json_log(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->json_log, true);
}

/* node_exporter's textfile collector reads *.prom files only: any other name would be ignored. */
static int parse_prometheus_textfile(struct loader *ld, const config_setting_t *s,
				     struct pdtt_config *cfg)
{
	static const char suffix[] = ".prom";
	char value[SHOWN_MAX + 1];
	size_t len;

	if (parse_path(ld, s, cfg->prometheus_textfile, true))
		return -1;
	len = strlen(cfg->prometheus_textfile);
	if (len > 0 && (len < sizeof(suffix) ||
			strcmp(cfg->prometheus_textfile + len - (sizeof(suffix) - 1), suffix)))
		return fail(ld, s, "prometheus_textfile = %s does not end in \"%s\": expected \"\" "
			    "or an absolute path ending in \"%s\" (node_exporter's textfile "
			    "collector reads no other file)", shown(ld, s, value, sizeof(value)),
			    suffix, suffix);
	return 0;
}

static int parse_pin_path(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->pin_path, false);
}

static int parse_state_file(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->state_file, false);
}

static int parse_cgroup_path(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->cgroup_path, true);
}

static int parse_history_file(struct loader *ld, const config_setting_t *s,
			      struct pdtt_config *cfg)
{
	return parse_path(ld, s, cfg->history_file, true);
}

/* The integer keys of the history: each with its range, in one table. */
static const struct {
	const char *name;
	size_t offset;
	long long min, max;
} history_ints[] = {
	{ "history_period", offsetof(struct pdtt_config, history_period), 1, 300 },
	{ "history_5min_hours", offsetof(struct pdtt_config, history_5min_hours), 1, 8784 },
	{ "history_hourly_days", offsetof(struct pdtt_config, history_hourly_days), 1, 3660 },
	{ "history_daily_days", offsetof(struct pdtt_config, history_daily_days), 1, 36600 },
	{ "history_monthly_months", offsetof(struct pdtt_config, history_monthly_months), 1,
	  1200 },
};

static int parse_history_int(struct loader *ld, const config_setting_t *s,
			     struct pdtt_config *cfg)
{
	const char *name = config_setting_name(s);
	long long v;

	for (size_t i = 0; i < sizeof(history_ints) / sizeof(history_ints[0]); i++) {
		if (strcmp(name, history_ints[i].name))
			continue;
		if (parse_int(ld, s, history_ints[i].min, history_ints[i].max, &v))
			return -1;
		*(int *)((char *)cfg + history_ints[i].offset) = (int)v;
		return 0;
	}
	return -1;
}

/* ---- list keys --------------------------------------------------------- */

static int check_list(struct loader *ld, const config_setting_t *s, int max, const char *expected)
{
	const char *name = config_setting_name(s);
	char value[SHOWN_MAX + 1];
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "%s = %s has the wrong type: expected %s", name,
			    shown(ld, s, value, sizeof(value)), expected);
	n = config_setting_length(s);
	if (n > max)
		return fail(ld, s, "%s has %d entries: expected at most %d", name, n, max);
	return 0;
}

/* Element i of list s as a string, or NULL after reporting its wrong type. */
static const char *element_string(struct loader *ld, const config_setting_t *s, int i,
				  const char *expected)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = config_setting_get_string(e);
	char value[SHOWN_MAX + 1];

	if (!str)
		fail(ld, e, "%s[%d] = %s has the wrong type: expected %s", config_setting_name(s),
		     i, shown(ld, e, value, sizeof(value)), expected);
	return str;
}

/*
 * The kernel's own rule (dev_valid_name): a name it would refuse can never exist.
 * Its isspace() also counts 0xa0, so that byte is refused here as well.
 */
static bool valid_ifname(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > 15 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return strcspn(name, "/: \t\n\v\f\r\xa0") == len;
}

static int parse_interface(struct loader *ld, const config_setting_t *s, int i,
			   struct pdtt_config *cfg)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = element_string(ld, s, i, "an interface name such as \"eth0\"");
	char value[SHOWN_MAX + 1];
	int j;

	if (!str)
		return -1;
	if (!valid_ifname(str))
		return fail(ld, e, "interfaces[%d] = %s is not a valid interface name: expected 1 "
			    "to 15 characters without \"/\", \":\" or white space, other than "
			    "\".\" and \"..\"", i, shown(ld, e, value, sizeof(value)));
	/* Attaching twice to one interface would count its traffic twice. */
	for (j = 0; j < i; j++)
		if (!strcmp(cfg->interfaces[j], str))
			return fail(ld, e, "interfaces[%d] = %s repeats interfaces[%d]: expected "
				    "each interface at most once",
				    i, shown(ld, e, value, sizeof(value)), j);
	snprintf(cfg->interfaces[i], sizeof(cfg->interfaces[i]), "%s", str);
	return 0;
}

static int parse_interfaces(struct loader *ld, const config_setting_t *s, struct pdtt_config *cfg)
{
	int i, n;

	if (check_list(ld, s, PDTT_MAX_INTERFACES,
		       "a list of interface names such as [ \"eth0\", \"eth1\" ]"))
		return -1;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (parse_interface(ld, s, i, cfg))
			return -1;
	cfg->n_interfaces = n;
	return 0;
}

enum cidr_result { CIDR_OK, CIDR_INVALID, CIDR_HOST_BITS };

/* Digits only, no sign, no leading zero: "/08" or "/+8" are typos, not prefixes. */
static bool parse_prefix(const char *str, unsigned int max, unsigned int *out)
{
	size_t len = strspn(str, "0123456789");

	if (len == 0 || len > 3 || str[len] != '\0' || (str[0] == '0' && len > 1))
		return false;
	*out = (unsigned int)atoi(str);
	return *out <= max;
}

/* Clears the bits beyond the prefix; says whether any was set. */
static bool clear_host_bits(unsigned char *addr, unsigned int size, unsigned int prefix_len)
{
	bool had = false;
	unsigned int i, keep;
	unsigned char mask;

	for (i = 0; i < size; i++) {
		keep = prefix_len >= 8 * (i + 1) ? 8 : prefix_len > 8 * i ? prefix_len - 8 * i : 0;
		mask = (unsigned char)(0xff00 >> keep);
		had |= (addr[i] & ~mask) != 0;
		addr[i] &= mask;
	}
	return had;
}

static enum cidr_result parse_cidr(const char *text, struct pdtt_network *net)
{
	const char *slash = strrchr(text, '/');
	char addr[INET6_ADDRSTRLEN];
	size_t len = slash ? (size_t)(slash - text) : 0;
	unsigned int size;

	if (!slash || len >= sizeof(addr) || strlen(text) >= sizeof(net->text))
		return CIDR_INVALID;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(net, 0, sizeof(*net));
	net->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size = net->family == AF_INET6 ? 16 : 4;
	if (inet_pton(net->family, addr, net->addr) != 1 ||
	    !parse_prefix(slash + 1, 8 * size, &net->prefix_len))
		return CIDR_INVALID;
	snprintf(net->text, sizeof(net->text), "%s", text);
	return clear_host_bits(net->addr, size, net->prefix_len) ? CIDR_HOST_BITS : CIDR_OK;
}

static int parse_network(struct loader *ld, const config_setting_t *s, int i,
			 struct pdtt_network *net)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = element_string(ld, s, i, NETWORK_EXAMPLE);
	char value[SHOWN_MAX + 1], meant[INET6_ADDRSTRLEN];

	if (!str)
		return -1;
	switch (parse_cidr(str, net)) {
	case CIDR_OK:
		return 0;
	case CIDR_HOST_BITS:
		inet_ntop(net->family, net->addr, meant, sizeof(meant));
		return fail(ld, e, "local_networks[%d] = %s has host bits set beyond the prefix: "
			    "expected the network address, \"%s/%u\"",
			    i, shown(ld, e, value, sizeof(value)), meant, net->prefix_len);
	default:
		return fail(ld, e, "local_networks[%d] = %s is not a valid CIDR: expected %s", i,
			    shown(ld, e, value, sizeof(value)), NETWORK_EXAMPLE);
	}
}

static int parse_local_networks(struct loader *ld, const config_setting_t *s,
				struct pdtt_config *cfg)
{
	int i, n;

	if (check_list(ld, s, PDTT_MAX_NETWORKS,
		       "a list of networks such as [ \"10.0.0.0/8\", \"fd00::/8\" ]"))
		return -1;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (parse_network(ld, s, i, &cfg->local_networks[i]))
			return -1;
	cfg->n_local_networks = n;
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

/* In the order config_print writes them and the unknown-key message lists them. */
static const struct key keys[] = {
	{ "interval", parse_interval },
	{ "log_file", parse_log_file },
	{ "json_log", parse_json_log },
	{ "prometheus_textfile", parse_prometheus_textfile },
	{ "mode", parse_mode },
	{ "max_users", parse_max_users },
	{ "interfaces", parse_interfaces },
	{ "local_networks", parse_local_networks },
	{ "pin_path", parse_pin_path },
	{ "state_file", parse_state_file },
	{ "cgroup_path", parse_cgroup_path },
	{ "owner_tracking", parse_owner_tracking },
	{ "history_file", parse_history_file },
	{ "history_period", parse_history_int },
	{ "history_5min_hours", parse_history_int },
	{ "history_hourly_days", parse_history_int },
	{ "history_daily_days", parse_history_int },
	{ "history_monthly_months", parse_history_int },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int unknown_key(struct loader *ld, const config_setting_t *s)
{
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };
	char name[SHOWN_MAX + 1];
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		sb_add(&b, "%s%s", i ? ", " : "", keys[i].name);
	snprintf(name, sizeof(name), "%s", config_setting_name(s));
	return fail(ld, s, "unknown key \"%s\": accepted keys are %s", name, list);
}

static int apply_settings(struct loader *ld, const config_setting_t *root, struct pdtt_config *cfg)
{
	const config_setting_t *s;
	int i, n = config_setting_length(root);
	size_t k;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, i);
		for (k = 0; k < N_KEYS && strcmp(keys[k].name, config_setting_name(s)); k++)
			;
		if (k == N_KEYS)
			return unknown_key(ld, s);
		if (keys[k].parse(ld, s, cfg))
			return -1;
	}
	return 0;
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
static char *read_text(const char *path, size_t *len, int *errnum)
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
static int check_no_nul(struct loader *ld, size_t len)
{
	const char *nul = memchr(ld->text, '\0', len);
	const char *p;
	int line = 1;

	if (!nul)
		return 0;
	for (p = ld->text; p < nul; p++)
		line += *p == '\n';
	return fail_at(ld, ld->path, line, "syntax error: NUL byte in the file");
}

static int syntax_error(struct loader *ld, const config_t *lc)
{
	const char *file = config_error_file(lc) ? config_error_file(lc) : ld->path;
	const char *text = config_error_text(lc) ? config_error_text(lc) : "unknown error";

	/* The only way libconfig reports a key given twice; it does not say which. */
	if (!strcmp(text, "duplicate setting name"))
		return fail_at(ld, file, config_error_line(lc),
			       "a key is given twice: each key may be given only once");
	/* Mostly libconfig says only "syntax error": do not say it twice. */
	if (!strcmp(text, "syntax error"))
		return fail_at(ld, file, config_error_line(lc), "syntax error");
	return fail_at(ld, file, config_error_line(lc), "syntax error: %s", text);
}

/* libconfig reads at most this many nested @include files. */
#define INCLUDE_DEPTH_MAX 10

static int check_includes(struct loader *ld, const char *file, const char *text, int depth);

/* The @include at p (after the keyword and its blanks, on the opening quote). */
static int check_include(struct loader *ld, const char *file, unsigned int line, const char *p,
			 int depth)
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
			return fail_at(ld, file, (int)line, "@include: escape sequences other than "
				       "\\\" and \\\\ are not accepted in the file name");
		if (n + 1 >= sizeof(name))
			return fail_at(ld, file, (int)line, "@include: the file name is too long");
		name[n++] = *p;
	}
	name[n] = '\0';
	/* A missing file is libconfig's to report ("cannot open include file"). */
	if (*p != '"' || stat(name, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode))
		return fail_at(ld, file, (int)line, "@include \"%s\" is not a regular file: "
			       "expected a configuration file", name);
	if (depth + 1 >= INCLUDE_DEPTH_MAX)
		return 0;
	text = read_text(name, &len, &errnum);
	if (!text)
		return fail_at(ld, file, (int)line, "@include \"%s\": cannot read: %s", name,
			       strerror(errnum));
	ret = check_includes(ld, name, text, depth + 1);
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
static int check_includes(struct loader *ld, const char *file, const char *text, int depth)
{
	static const char keyword[] = "@include";
	unsigned int line = 1;
	const char *p, *q, *next;
	size_t blanks;

	for (p = text; *p; p++) {
		if (p == text || p[-1] == '\n') {
			q = p + strspn(p, " \t");
			if (!strncmp(q, keyword, sizeof(keyword) - 1)) {
				q += sizeof(keyword) - 1;
				blanks = strspn(q, " \t");
				if (blanks && q[blanks] == '"' &&
				    check_include(ld, file, line, q + blanks, depth))
					return -1;
			}
		}
		next = skip_inert(p, &line);
		if (next != p) {
			p = next - 1;
			continue;
		}
		if (*p == '\n')
			line++;
	}
	return 0;
}

/* Parse and validate the text into cfg, which already holds the defaults. */
static int load_text(struct loader *ld, size_t len, struct pdtt_config *cfg)
{
	config_t lc;
	int ret;

	if (check_no_nul(ld, len) || check_includes(ld, ld->path, ld->text, 0))
		return -1;
	config_init(&lc);
	if (config_read_string(&lc, ld->text) != CONFIG_TRUE)
		ret = syntax_error(ld, &lc);
	else
		ret = apply_settings(ld, config_root_setting(&lc), cfg);
	config_destroy(&lc);
	return ret;
}

int config_load(const char *path, struct pdtt_config *cfg, char *err, size_t errlen)
{
	struct loader ld = { .path = path, .err = err, .errlen = errlen };
	struct pdtt_config *next;
	int errnum, ret;
	size_t len;

	if (err && errlen)
		err[0] = '\0';
	/* Read it ourselves: libconfig 1.5's scanner exits the process on a read error. */
	ld.text = read_text(path, &len, &errnum);
	if (!ld.text && errnum == ENOENT) {
		config_defaults(cfg);
		return 1;
	}
	if (!ld.text)
		return fail_at(&ld, path, 0, "cannot read: %s", strerror(errnum));
	/* Validate into a copy, so that a failed reload leaves cfg as it was. */
	next = malloc(sizeof(*next));
	if (!next)
		ret = fail_at(&ld, path, 0, "cannot read: %s", strerror(ENOMEM));
	else {
		config_defaults(next);
		ret = load_text(&ld, len, next);
		if (ret == 0)
			*cfg = *next;
	}
	free(next);
	free(ld.text);
	return ret;
}

/* ---- printing ---------------------------------------------------------- */

static void print_string(FILE *out, const char *str)
{
	const char *esc;
	char hex[5];

	fputc('"', out);
	for (; *str; str++) {
		esc = escape_char((unsigned char)*str, hex);
		if (esc)
			fputs(esc, out);
		else
			fputc(*str, out);
	}
	fputc('"', out);
}

static void print_path(FILE *out, const char *name, const char *path)
{
	fprintf(out, "%s = ", name);
	print_string(out, path);
	fputs(";\n", out);
}

/* Strings at stride bytes apart: both lists print alike, so they read back alike. */
static void print_list(FILE *out, const char *name, const char *first, size_t stride, size_t n)
{
	size_t i;

	fprintf(out, "%s = [", name);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : " ", out);
		print_string(out, first + i * stride);
	}
	fputs(" ];\n", out);
}

void config_print(FILE *out, const struct pdtt_config *cfg)
{
	fprintf(out, "interval = %d;\n", cfg->interval);
	print_path(out, "log_file", cfg->log_file);
	print_path(out, "json_log", cfg->json_log);
	print_path(out, "prometheus_textfile", cfg->prometheus_textfile);
	fprintf(out, "mode = \"%s\";\n", config_mode_name(cfg->mode));
	fprintf(out, "max_users = %u;\n", cfg->max_users);
	print_list(out, "interfaces", cfg->interfaces[0], sizeof(cfg->interfaces[0]),
		   cfg->n_interfaces);
	print_list(out, "local_networks", cfg->local_networks[0].text,
		   sizeof(cfg->local_networks[0]), cfg->n_local_networks);
	print_path(out, "pin_path", cfg->pin_path);
	print_path(out, "state_file", cfg->state_file);
	print_path(out, "cgroup_path", cfg->cgroup_path);
	fprintf(out, "owner_tracking = %s;\n", cfg->owner_tracking ? "true" : "false");
	print_path(out, "history_file", cfg->history_file);
	for (size_t i = 0; i < sizeof(history_ints) / sizeof(history_ints[0]); i++)
		fprintf(out, "%s = %d;\n", history_ints[i].name,
			*(const int *)((const char *)cfg + history_ints[i].offset));
}
