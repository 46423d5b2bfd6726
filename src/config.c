// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration file: libconfig syntax, every key optional, and strict
 * validation. A wrong setting must stop the daemon with one line that names the
 * file, line, key and value and says what is accepted, because a silently
 * ignored or misread setting would make the counts wrong without anyone noticing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>
#include "classes.h"
#include "config_text.h"
#include "config_jobs.h"
#include "escape.h"
#include "pdtt_config.h"

#define NETWORK_EXAMPLE "an IPv4 or IPv6 network such as \"10.0.0.0/8\" or \"fd00::/8\""

struct key {
	const char *name;
	int (*parse)(struct config_reader *rd, const config_setting_t *s, struct pdtt_config *cfg);
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
	cfg->prometheus_textfile_gid = -1;
	cfg->max_jobs = 1024;
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

/* ---- scalar keys ------------------------------------------------------- */

static int parse_int(struct config_reader *rd, const config_setting_t *s, long long min,
		     long long max, long long *out)
{
	int type = config_setting_type(s);
	const char *name = config_setting_name(s);
	char value[SHOWN_MAX + 1];
	long long v;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return config_fail(rd, s,
				   "%s = %s has the wrong type: expected an integer from %lld "
				   "to %lld",
				   name, config_shown(rd, s, value, sizeof(value)), min, max);
	if (!config_integer_value(rd, s, &v) || v < min || v > max)
		return config_fail(rd, s,
				   "%s = %s is out of range: expected an integer from %lld to %lld",
				   name, config_shown(rd, s, value, sizeof(value)), min, max);
	*out = v;
	return 0;
}

static int parse_interval(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	long long v;

	if (parse_int(rd, s, PDTT_INTERVAL_MIN, PDTT_INTERVAL_MAX, &v))
		return -1;
	cfg->interval = (int)v;
	return 0;
}

static int parse_max_users(struct config_reader *rd, const config_setting_t *s,
			   struct pdtt_config *cfg)
{
	long long v;

	if (parse_int(rd, s, PDTT_MAX_USERS_MIN, PDTT_MAX_USERS_MAX, &v))
		return -1;
	cfg->max_users = (unsigned int)v;
	return 0;
}

static int parse_mode(struct config_reader *rd, const config_setting_t *s, struct pdtt_config *cfg)
{
	const char *str = config_setting_get_string(s);
	char value[SHOWN_MAX + 1];

	if (!str)
		return config_fail(rd, s,
				   "mode = %s has the wrong type: expected \"socket\" or \"tc\"",
				   config_shown(rd, s, value, sizeof(value)));
	if (!strcmp(str, "socket"))
		cfg->mode = PDTT_CONFIG_MODE_SOCKET;
	else if (!strcmp(str, "tc"))
		cfg->mode = PDTT_CONFIG_MODE_TC;
	else
		return config_fail(rd, s,
				   "mode = %s is not accepted: expected \"socket\" or \"tc\"",
				   config_shown(rd, s, value, sizeof(value)));
	return 0;
}

static int parse_owner_tracking(struct config_reader *rd, const config_setting_t *s,
				struct pdtt_config *cfg)
{
	char value[SHOWN_MAX + 1];

	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return config_fail(rd, s,
				   "owner_tracking = %s has the wrong type: expected true or false",
				   config_shown(rd, s, value, sizeof(value)));
	cfg->owner_tracking = config_setting_get_bool(s);
	return 0;
}

/* cgroup_path, json_log and prometheus_textfile may be empty: "" means the root, or off. */
static int parse_path(struct config_reader *rd, const config_setting_t *s, char *out,
		      bool may_be_empty)
{
	const char *str = config_setting_get_string(s), *name = config_setting_name(s);
	const char *expected = may_be_empty ? "\"\" or a string starting with \"/\""
					    : "a string starting with \"/\"";
	char value[SHOWN_MAX + 1];

	if (!str)
		return config_fail(rd, s,
				   "%s = %s has the wrong type: expected an absolute path, %s",
				   name, config_shown(rd, s, value, sizeof(value)), expected);
	if (str[0] != '/' && !(may_be_empty && str[0] == '\0'))
		return config_fail(rd, s, "%s = %s is not an absolute path: expected %s", name,
				   config_shown(rd, s, value, sizeof(value)), expected);
	if (strlen(str) >= PDTT_PATH_MAX)
		return config_fail(rd, s,
				   "%s = %s is too long: expected a path of at most %d bytes", name,
				   config_shown(rd, s, value, sizeof(value)), PDTT_PATH_MAX - 1);
	snprintf(out, PDTT_PATH_MAX, "%s", str);
	return 0;
}

static int parse_log_file(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->log_file, false);
}

static int parse_json_log(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->json_log, true);
}

/* node_exporter's textfile collector reads *.prom files only: any other name would be ignored. */
static int parse_prometheus_textfile(struct config_reader *rd, const config_setting_t *s,
				     struct pdtt_config *cfg)
{
	static const char suffix[] = ".prom";
	char value[SHOWN_MAX + 1];
	size_t len;

	if (parse_path(rd, s, cfg->prometheus_textfile, true))
		return -1;
	len = strlen(cfg->prometheus_textfile);
	if (len > 0 && (len < sizeof(suffix) ||
			strcmp(cfg->prometheus_textfile + len - (sizeof(suffix) - 1), suffix)))
		return config_fail(rd, s,
				   "prometheus_textfile = %s does not end in \"%s\": expected \"\" "
				   "or an absolute path ending in \"%s\" (node_exporter's textfile "
				   "collector reads no other file)",
				   config_shown(rd, s, value, sizeof(value)), suffix, suffix);
	return 0;
}

/* A GID (digits) or a group name this system knows: one that does not exist is a typo. */
static bool lookup_group(const char *name, long *gid)
{
	size_t digits = strspn(name, "0123456789");
	struct group grp, *found = NULL;
	char buf[4096];

	if (digits > 0 && digits <= 9 && name[digits] == '\0') {
		*gid = atol(name);
		return true;
	}
	if (getgrnam_r(name, &grp, buf, sizeof(buf), &found) != 0 || !found)
		return false;
	*gid = (long)found->gr_gid;
	return true;
}

/* The group node_exporter reads the textfile as (the file is 0640). */
static int parse_prometheus_textfile_group(struct config_reader *rd, const config_setting_t *s,
					   struct pdtt_config *cfg)
{
	static const char expected[] = "expected \"\" (the group of the textfile's directory), a "
				       "group name or a GID (see getent group)";
	const char *str = config_setting_get_string(s);
	char value[SHOWN_MAX + 1];
	long gid = -1;

	if (!str)
		return config_fail(rd, s, "prometheus_textfile_group = %s has the wrong type: %s",
				   config_shown(rd, s, value, sizeof(value)), expected);
	if (strlen(str) >= PDTT_GROUP_MAX || (str[0] && !lookup_group(str, &gid)))
		return config_fail(rd, s,
				   "prometheus_textfile_group = %s is not a group of this system: "
				   "%s",
				   config_shown(rd, s, value, sizeof(value)), expected);
	snprintf(cfg->prometheus_textfile_group, sizeof(cfg->prometheus_textfile_group), "%s", str);
	cfg->prometheus_textfile_gid = gid;
	return 0;
}

static int parse_pin_path(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->pin_path, false);
}

static int parse_state_file(struct config_reader *rd, const config_setting_t *s,
			    struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->state_file, false);
}

static int parse_cgroup_path(struct config_reader *rd, const config_setting_t *s,
			     struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->cgroup_path, true);
}

static int parse_history_file(struct config_reader *rd, const config_setting_t *s,
			      struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->history_file, true);
}

static int parse_max_jobs(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	long long v;

	if (parse_int(rd, s, PDTT_MAX_JOBS_MIN, PDTT_MAX_JOBS_MAX, &v))
		return -1;
	cfg->max_jobs = (unsigned int)v;
	return 0;
}

static int parse_jobs_log(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	return parse_path(rd, s, cfg->jobs_log, true);
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
	{ "history_monthly_months", offsetof(struct pdtt_config, history_monthly_months), 1, 1200 },
};

static int parse_history_int(struct config_reader *rd, const config_setting_t *s,
			     struct pdtt_config *cfg)
{
	const char *name = config_setting_name(s);
	long long v;

	for (size_t i = 0; i < sizeof(history_ints) / sizeof(history_ints[0]); i++) {
		if (strcmp(name, history_ints[i].name))
			continue;
		if (parse_int(rd, s, history_ints[i].min, history_ints[i].max, &v))
			return -1;
		*(int *)((char *)cfg + history_ints[i].offset) = (int)v;
		return 0;
	}
	return -1;
}

/* ---- list keys --------------------------------------------------------- */

static int check_list(struct config_reader *rd, const config_setting_t *s, int max,
		      const char *expected)
{
	const char *name = config_setting_name(s);
	char value[SHOWN_MAX + 1];
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return config_fail(rd, s, "%s = %s has the wrong type: expected %s", name,
				   config_shown(rd, s, value, sizeof(value)), expected);
	n = config_setting_length(s);
	if (n > max)
		return config_fail(rd, s, "%s has %d entries: expected at most %d", name, n, max);
	return 0;
}

/* Element i of list s as a string, or NULL after reporting its wrong type. */
static const char *element_string(struct config_reader *rd, const config_setting_t *s, int i,
				  const char *expected)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = config_setting_get_string(e);
	char value[SHOWN_MAX + 1];

	if (!str)
		config_fail(rd, e, "%s[%d] = %s has the wrong type: expected %s",
			    config_setting_name(s), i, config_shown(rd, e, value, sizeof(value)),
			    expected);
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

static int parse_interface(struct config_reader *rd, const config_setting_t *s, int i,
			   struct pdtt_config *cfg)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = element_string(rd, s, i, "an interface name such as \"eth0\"");
	char value[SHOWN_MAX + 1];
	int j;

	if (!str)
		return -1;
	if (!valid_ifname(str))
		return config_fail(rd, e,
				   "interfaces[%d] = %s is not a valid interface name: expected 1 "
				   "to 15 characters without \"/\", \":\" or white space, other than "
				   "\".\" and \"..\"",
				   i, config_shown(rd, e, value, sizeof(value)));
	/* Attaching twice to one interface would count its traffic twice. */
	for (j = 0; j < i; j++)
		if (!strcmp(cfg->interfaces[j], str))
			return config_fail(rd, e,
					   "interfaces[%d] = %s repeats interfaces[%d]: expected "
					   "each interface at most once",
					   i, config_shown(rd, e, value, sizeof(value)), j);
	snprintf(cfg->interfaces[i], sizeof(cfg->interfaces[i]), "%s", str);
	return 0;
}

static int parse_interfaces(struct config_reader *rd, const config_setting_t *s,
			    struct pdtt_config *cfg)
{
	int i, n;

	if (check_list(rd, s, PDTT_MAX_INTERFACES,
		       "a list of interface names such as [ \"eth0\", \"eth1\" ]"))
		return -1;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (parse_interface(rd, s, i, cfg))
			return -1;
	cfg->n_interfaces = n;
	return 0;
}

enum cidr_result {
	CIDR_OK,
	CIDR_INVALID,
	CIDR_HOST_BITS
};

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

/*
 * Element i of list s, a CIDR, into *net; where says what it is in messages
 * ("local_networks[2]", "networks[1].cidrs[0]").
 */
static int parse_cidr_element(struct config_reader *rd, const config_setting_t *s, int i,
			      const char *where, struct pdtt_network *net)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	const char *str = config_setting_get_string(e);
	char value[SHOWN_MAX + 1], meant[INET6_ADDRSTRLEN];

	if (!str)
		return config_fail(rd, e, "%s = %s has the wrong type: expected %s", where,
				   config_shown(rd, e, value, sizeof(value)), NETWORK_EXAMPLE);
	switch (parse_cidr(str, net)) {
	case CIDR_OK:
		return 0;
	case CIDR_HOST_BITS:
		inet_ntop(net->family, net->addr, meant, sizeof(meant));
		return config_fail(rd, e,
				   "%s = %s has host bits set beyond the prefix: "
				   "expected the network address, \"%s/%u\"",
				   where, config_shown(rd, e, value, sizeof(value)), meant,
				   net->prefix_len);
	default:
		return config_fail(rd, e, "%s = %s is not a valid CIDR: expected %s", where,
				   config_shown(rd, e, value, sizeof(value)), NETWORK_EXAMPLE);
	}
}

static int parse_local_networks(struct config_reader *rd, const config_setting_t *s,
				struct pdtt_config *cfg)
{
	char where[64];
	int i, n;

	if (check_list(rd, s, PDTT_MAX_NETWORKS,
		       "a list of networks such as [ \"10.0.0.0/8\", \"fd00::/8\" ]"))
		return -1;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "local_networks[%d]", i);
		if (parse_cidr_element(rd, s, i, where, &cfg->local_networks[i]))
			return -1;
	}
	cfg->n_local_networks = n;
	return 0;
}

#define NETWORKS_EXAMPLE \
	"a list of groups such as ( { name = \"campus\"; cidrs = [ \"10.0.0.0/8\" ]; } )"
#define NAME_RULE "a name of 1 to 31 lowercase letters, digits, '_' or '-', starting with a letter"

/* networks[i].name: valid, not "external", not given before. */
static int parse_network_name(struct config_reader *rd, const config_setting_t *group, int i,
			      struct pdtt_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(group, "name");
	const char *name = s ? config_setting_get_string(s) : NULL;
	char value[SHOWN_MAX + 1];

	if (!s)
		return config_fail(rd, group, "networks[%d] has no name: expected name = %s", i,
				   "\"campus\"");
	if (!name)
		return config_fail(rd, s, "networks[%d].name = %s has the wrong type: expected %s",
				   i, config_shown(rd, s, value, sizeof(value)), NAME_RULE);
	if (!classes_valid_name(name))
		return config_fail(rd, s, "networks[%d].name = %s is not a valid name: expected %s",
				   i, config_shown(rd, s, value, sizeof(value)), NAME_RULE);
	if (!strcmp(name, "external"))
		return config_fail(rd, s,
				   "networks[%d].name = %s is reserved: \"external\" is "
				   "what matches no network; expected another name",
				   i, config_shown(rd, s, value, sizeof(value)));
	for (size_t k = 0; k < cfg->n_network_names; k++)
		if (!strcmp(cfg->network_names[k], name))
			return config_fail(rd, s,
					   "networks[%d].name = %s is given twice (also "
					   "networks[%zu]): expected a name of its own",
					   i, config_shown(rd, s, value, sizeof(value)), k);
	snprintf(cfg->network_names[cfg->n_network_names], PDTT_NETWORK_NAME_LEN, "%s", name);
	return 0;
}

/* The CIDR at cfg->network_cidrs[n] must not be in a network already. */
static int check_cidr_unique(struct config_reader *rd, const config_setting_t *e, const char *where,
			     const struct pdtt_config *cfg, size_t n)
{
	const struct pdtt_network *net = &cfg->network_cidrs[n];
	char value[SHOWN_MAX + 1];

	for (size_t k = 0; k < n; k++) {
		const struct pdtt_network *o = &cfg->network_cidrs[k];

		if (o->family == net->family && o->prefix_len == net->prefix_len &&
		    !memcmp(o->addr, net->addr, sizeof(o->addr)))
			return config_fail(rd, e,
					   "%s = %s is also in network \"%s\": expected "
					   "each CIDR in one network only (the longest prefix "
					   "wins between different ones)",
					   where, config_shown(rd, e, value, sizeof(value)),
					   cfg->network_names[o->name]);
	}
	return 0;
}

/* networks[i].cidrs, appended to cfg->network_cidrs under name index i. */
static int parse_network_cidrs(struct config_reader *rd, const config_setting_t *group, int i,
			       struct pdtt_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(group, "cidrs");
	char where[64], value[SHOWN_MAX + 1];
	int j, n;

	if (!s)
		return config_fail(rd, group,
				   "networks[%d] (\"%s\") has no cidrs: expected "
				   "cidrs = [ \"10.0.0.0/8\", \"fd00::/8\" ]",
				   i, cfg->network_names[i]);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return config_fail(rd, s,
				   "networks[%d].cidrs = %s has the wrong type: expected "
				   "a list of networks such as [ \"10.0.0.0/8\", \"fd00::/8\" ]",
				   i, config_shown(rd, s, value, sizeof(value)));
	n = config_setting_length(s);
	if (n == 0)
		return config_fail(rd, s,
				   "networks[%d].cidrs is empty: expected at least one "
				   "network such as \"10.0.0.0/8\"",
				   i);
	for (j = 0; j < n; j++) {
		struct pdtt_network *net = &cfg->network_cidrs[cfg->n_network_cidrs];

		snprintf(where, sizeof(where), "networks[%d].cidrs[%d]", i, j);
		if (cfg->n_network_cidrs == PDTT_NETWORK_CIDRS_MAX)
			return config_fail(rd, config_setting_get_elem(s, j),
					   "%s: networks have "
					   "more than %d CIDRs in all: expected at most %d",
					   where, PDTT_NETWORK_CIDRS_MAX, PDTT_NETWORK_CIDRS_MAX);
		if (parse_cidr_element(rd, s, j, where, net))
			return -1;
		net->name = (unsigned int)i;
		if (check_cidr_unique(rd, config_setting_get_elem(s, j), where, cfg,
				      cfg->n_network_cidrs))
			return -1;
		cfg->n_network_cidrs++;
	}
	return 0;
}

/* networks[i]: a group with a name and cidrs, nothing else. */
static int parse_network_group(struct config_reader *rd, const config_setting_t *s, int i,
			       struct pdtt_config *cfg)
{
	const config_setting_t *group = config_setting_get_elem(s, i);
	char value[SHOWN_MAX + 1];

	if (!config_setting_is_group(group))
		return config_fail(
			rd, group, "networks[%d] = %s has the wrong type: expected %s", i,
			config_shown(rd, group, value, sizeof(value)),
			"a group such as { name = \"campus\"; cidrs = [ \"10.0.0.0/8\" ]; }");
	for (int k = 0; k < config_setting_length(group); k++) {
		const char *key = config_setting_name(config_setting_get_elem(group, k));

		if (strcmp(key, "name") && strcmp(key, "cidrs"))
			return config_fail(rd, config_setting_get_elem(group, k),
					   "networks[%d] has an unknown key \"%.*s\": accepted "
					   "keys are name, cidrs",
					   i, SHOWN_MAX, key);
	}
	if (parse_network_name(rd, group, i, cfg))
		return -1;
	cfg->n_network_names++;
	return parse_network_cidrs(rd, group, i, cfg);
}

static int parse_networks(struct config_reader *rd, const config_setting_t *s,
			  struct pdtt_config *cfg)
{
	int n;

	if (!config_setting_is_list(s)) {
		char value[SHOWN_MAX + 1];

		return config_fail(rd, s, "networks = %s has the wrong type: expected %s",
				   config_shown(rd, s, value, sizeof(value)), NETWORKS_EXAMPLE);
	}
	if (check_list(rd, s, PDTT_NETWORK_NAMES_MAX, NETWORKS_EXAMPLE))
		return -1;
	n = config_setting_length(s);
	for (int i = 0; i < n; i++)
		if (parse_network_group(rd, s, i, cfg))
			return -1;
	return 0;
}

/*
 * What involves two keys, once both are read: local_networks is the network
 * named "local", so it cannot be given twice.
 */
static int check_networks(struct config_reader *rd, const config_setting_t *root,
			  const struct pdtt_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(root, "networks");

	for (size_t i = 0; s && i < cfg->n_network_names; i++)
		if (!strcmp(cfg->network_names[i], "local") && cfg->n_local_networks)
			return config_fail(rd, config_setting_get_elem(s, (int)i),
					   "networks[%zu].name = \"local\" and local_networks "
					   "both say what is local: expected one of them (move the "
					   "local_networks into this network's cidrs)",
					   i);
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

/* In the order config_print writes them and the unknown-key message lists them. */
static const struct key keys[] = {
	{ "interval", parse_interval },
	{ "log_file", parse_log_file },
	{ "json_log", parse_json_log },
	{ "prometheus_textfile", parse_prometheus_textfile },
	{ "prometheus_textfile_group", parse_prometheus_textfile_group },
	{ "mode", parse_mode },
	{ "max_users", parse_max_users },
	{ "interfaces", parse_interfaces },
	{ "local_networks", parse_local_networks },
	{ "networks", parse_networks },
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
	{ "jobs", config_parse_jobs },
	{ "max_jobs", parse_max_jobs },
	{ "jobs_log", parse_jobs_log },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int unknown_key(struct config_reader *rd, const config_setting_t *s)
{
	char list[512];
	struct sbuf b = { list, sizeof(list), 0 };
	char name[SHOWN_MAX + 1];
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		sbuf_add(&b, "%s%s", i ? ", " : "", keys[i].name);
	snprintf(name, sizeof(name), "%s", config_setting_name(s));
	return config_fail(rd, s, "unknown key \"%s\": accepted keys are %s", name, list);
}

static int apply_settings(struct config_reader *rd, const config_setting_t *root,
			  struct pdtt_config *cfg)
{
	const config_setting_t *s;
	int i, n = config_setting_length(root);
	size_t k;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, i);
		for (k = 0; k < N_KEYS && strcmp(keys[k].name, config_setting_name(s)); k++)
			;
		if (k == N_KEYS)
			return unknown_key(rd, s);
		if (keys[k].parse(rd, s, cfg))
			return -1;
	}
	return 0;
}

static int syntax_error(struct config_reader *rd, const config_t *lc)
{
	const char *file = config_error_file(lc) ? config_error_file(lc) : rd->path;
	const char *text = config_error_text(lc) ? config_error_text(lc) : "unknown error";

	/* The only way libconfig reports a key given twice; it does not say which. */
	if (!strcmp(text, "duplicate setting name"))
		return config_fail_at(rd, file, config_error_line(lc),
				      "a key is given twice: each key may be given only once");
	/* Mostly libconfig says only "syntax error": do not say it twice. */
	if (!strcmp(text, "syntax error"))
		return config_fail_at(rd, file, config_error_line(lc), "syntax error");
	return config_fail_at(rd, file, config_error_line(lc), "syntax error: %s", text);
}

/* Parse and validate the text into cfg, which already holds the defaults. */
static int load_text(struct config_reader *rd, size_t len, struct pdtt_config *cfg)
{
	config_t lc;
	int ret;

	if (config_check_text(rd, len))
		return -1;
	config_init(&lc);
	if (config_read_string(&lc, rd->text) != CONFIG_TRUE)
		ret = syntax_error(rd, &lc);
	else
		ret = apply_settings(rd, config_root_setting(&lc), cfg);
	if (ret == 0)
		ret = check_networks(rd, config_root_setting(&lc), cfg);
	config_destroy(&lc);
	return ret;
}

int config_load(const char *path, struct pdtt_config *cfg, char *err, size_t errlen)
{
	struct config_reader rd = { .path = path, .err = err, .errlen = errlen };
	struct pdtt_config *next;
	int errnum, ret;
	size_t len;

	if (err && errlen)
		err[0] = '\0';
	/* Read it ourselves: libconfig 1.5's scanner exits the process on a read error. */
	rd.text = config_read_text(path, &len, &errnum);
	if (!rd.text && errnum == ENOENT) {
		config_defaults(cfg);
		return 1;
	}
	if (!rd.text)
		return config_fail_at(&rd, path, 0, "cannot read: %s", strerror(errnum));
	/* Validate into a copy, so that a failed reload leaves cfg as it was. */
	next = malloc(sizeof(*next));
	if (!next)
		ret = config_fail_at(&rd, path, 0, "cannot read: %s", strerror(ENOMEM));
	else {
		config_defaults(next);
		ret = load_text(&rd, len, next);
		if (ret == 0)
			*cfg = *next;
	}
	free(next);
	free(rd.text);
	return ret;
}

/* ---- printing ---------------------------------------------------------- */

static void print_path(FILE *out, const char *name, const char *path)
{
	fprintf(out, "%s = ", name);
	escape_libconfig_string(out, path);
	fputs(";\n", out);
}

/* Strings at stride bytes apart: both lists print alike, so they read back alike. */
static void print_list(FILE *out, const char *name, const char *first, size_t stride, size_t n)
{
	size_t i;

	fprintf(out, "%s = [", name);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : " ", out);
		escape_libconfig_string(out, first + i * stride);
	}
	fputs(" ];\n", out);
}

/* networks = ( { name = "..."; cidrs = [ ... ]; }, ... ); as it reads back. */
static void print_networks(FILE *out, const struct pdtt_config *cfg)
{
	fputs("networks = (", out);
	for (size_t i = 0; i < cfg->n_network_names; i++) {
		bool first = true;

		fprintf(out, "%s\n  { name = \"%s\"; cidrs = [", i ? "," : "",
			cfg->network_names[i]);
		for (size_t k = 0; k < cfg->n_network_cidrs; k++) {
			if (cfg->network_cidrs[k].name != i)
				continue;
			fputs(first ? " " : ", ", out);
			escape_libconfig_string(out, cfg->network_cidrs[k].text);
			first = false;
		}
		fputs(" ]; }", out);
	}
	fputs(cfg->n_network_names ? "\n);\n" : " );\n", out);
}

void config_print(FILE *out, const struct pdtt_config *cfg)
{
	fprintf(out, "interval = %d;\n", cfg->interval);
	print_path(out, "log_file", cfg->log_file);
	print_path(out, "json_log", cfg->json_log);
	print_path(out, "prometheus_textfile", cfg->prometheus_textfile);
	print_path(out, "prometheus_textfile_group", cfg->prometheus_textfile_group);
	fprintf(out, "mode = \"%s\";\n", config_mode_name(cfg->mode));
	fprintf(out, "max_users = %u;\n", cfg->max_users);
	print_list(out, "interfaces", cfg->interfaces[0], sizeof(cfg->interfaces[0]),
		   cfg->n_interfaces);
	print_list(out, "local_networks", cfg->local_networks[0].text,
		   sizeof(cfg->local_networks[0]), cfg->n_local_networks);
	print_networks(out, cfg);
	print_path(out, "pin_path", cfg->pin_path);
	print_path(out, "state_file", cfg->state_file);
	print_path(out, "cgroup_path", cfg->cgroup_path);
	fprintf(out, "owner_tracking = %s;\n", cfg->owner_tracking ? "true" : "false");
	print_path(out, "history_file", cfg->history_file);
	for (size_t i = 0; i < sizeof(history_ints) / sizeof(history_ints[0]); i++)
		fprintf(out, "%s = %d;\n", history_ints[i].name,
			*(const int *)((const char *)cfg + history_ints[i].offset));
	print_path(out, "jobs", cfg->jobs);
	fprintf(out, "max_jobs = %u;\n", cfg->max_jobs);
	print_path(out, "jobs_log", cfg->jobs_log);
}
