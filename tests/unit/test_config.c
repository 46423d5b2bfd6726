// SPDX-License-Identifier: GPL-2.0-or-later
/* The configuration file: defaults, valid files, the round trip, and every error message. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
/* By its path: a plain "config.h" would find autoconf's, in the top build directory. */
#include "pdtt_config.h"

#define TMP_PATH 512
#define BIG_FILE (2 * 1024 * 1024)

static char tmp_dir[TMP_PATH - 64];

/* Write text to a fresh temp file; the caller unlinks path. */
static void write_temp(const char *text, size_t len, char *path, size_t pathlen)
{
	int fd;

	snprintf(path, pathlen, "%s/pdtt-test-config.XXXXXX", tmp_dir);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

/* Load text as a config file; err gets the message, path the file's name (now gone). */
static int load_text(const char *text, struct pdtt_config *cfg, char *err, size_t errlen,
		     char *path, size_t pathlen)
{
	int rc;

	write_temp(text, strlen(text), path, pathlen);
	rc = config_load(path, cfg, err, errlen);
	unlink(path);
	return rc;
}

/* want is the whole expected line without its leading file name, e.g. ":3: ...". */
static void expect_error(const char *text, const char *want)
{
	struct pdtt_config *cfg = malloc(sizeof(*cfg));
	char path[TMP_PATH], err[1024], full[2048];

	if (!cfg) {
		CHECK(cfg != NULL);
		return;
	}
	CHECK(load_text(text, cfg, err, sizeof(err), path, sizeof(path)) == -1);
	snprintf(full, sizeof(full), "%s%s", path, want);
	CHECK_STR_EQ(err, full);
	free(cfg);
}

/* For the many spellings of one mistake: refused, with a message about it. */
static void expect_refused(const char *text, const char *fragment)
{
	struct pdtt_config *cfg = malloc(sizeof(*cfg));
	char path[TMP_PATH], err[1024];

	if (!cfg) {
		CHECK(cfg != NULL);
		return;
	}
	CHECK(load_text(text, cfg, err, sizeof(err), path, sizeof(path)) == -1);
	if (!strstr(err, fragment))
		fprintf(stderr, "for %s got: %s\n", text, err);
	CHECK(strstr(err, fragment) != NULL);
	free(cfg);
}

static void expect_defaults(const struct pdtt_config *cfg)
{
	CHECK(cfg->interval == 10);
	CHECK_STR_EQ(cfg->log_file, "/var/log/pdtt_stats.log");
	CHECK_STR_EQ(cfg->json_log, "");
	CHECK_STR_EQ(cfg->prometheus_textfile, "");
	CHECK(cfg->mode == PDTT_CONFIG_MODE_SOCKET);
	CHECK(cfg->max_users == 1024);
	CHECK(cfg->n_interfaces == 0);
	CHECK(cfg->n_local_networks == 0);
	CHECK_STR_EQ(cfg->pin_path, "/sys/fs/bpf/pdtt");
	CHECK_STR_EQ(cfg->state_file, "/var/lib/pdtt/state");
	CHECK_STR_EQ(cfg->cgroup_path, "");
	CHECK(cfg->owner_tracking);
}

static bool configs_equal(const struct pdtt_config *a, const struct pdtt_config *b)
{
	size_t i;
	bool same = a->interval == b->interval && a->mode == b->mode &&
		    a->max_users == b->max_users && a->n_interfaces == b->n_interfaces &&
		    a->n_local_networks == b->n_local_networks &&
		    !strcmp(a->log_file, b->log_file) && !strcmp(a->json_log, b->json_log) &&
		    !strcmp(a->prometheus_textfile, b->prometheus_textfile) &&
		    !strcmp(a->prometheus_textfile_group, b->prometheus_textfile_group) &&
		    a->prometheus_textfile_gid == b->prometheus_textfile_gid &&
		    !strcmp(a->pin_path, b->pin_path) && !strcmp(a->state_file, b->state_file) &&
		    !strcmp(a->cgroup_path, b->cgroup_path) &&
		    a->owner_tracking == b->owner_tracking;

	for (i = 0; same && i < a->n_interfaces; i++)
		same = !strcmp(a->interfaces[i], b->interfaces[i]);
	for (i = 0; same && i < a->n_local_networks; i++)
		same = a->local_networks[i].family == b->local_networks[i].family &&
		       a->local_networks[i].prefix_len == b->local_networks[i].prefix_len &&
		       !memcmp(a->local_networks[i].addr, b->local_networks[i].addr, 16) &&
		       !strcmp(a->local_networks[i].text, b->local_networks[i].text);
	return same;
}

static char *print_to_string(const struct pdtt_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	config_print(out, cfg);
	fclose(out);
	return text;
}

static void test_networks(void)
{
	struct pdtt_config *cfg = calloc(1, sizeof(*cfg));
	char path[TMP_PATH], err[1024], *text;
	const char *good =
		"networks = (\n"
		"  { name = \"campus\"; cidrs = [ \"10.0.0.0/8\", \"2001:db8::/32\" ]; },\n"
		"  { name = \"research\"; cidrs = [ \"192.0.2.0/24\", \"10.1.0.0/16\" ]; },\n"
		"  { name = \"local\"; cidrs = [ \"fd00::/8\" ]; }\n"
		");\n";

	CHECK(load_text(good, cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK(cfg->n_network_names == 3 && cfg->n_network_cidrs == 5);
	CHECK_STR_EQ(cfg->network_names[1], "research");
	CHECK(cfg->network_cidrs[3].name == 1 && cfg->network_cidrs[3].prefix_len == 16);
	CHECK(cfg->network_cidrs[1].family == AF_INET6);
	text = print_to_string(cfg);
	CHECK(strstr(text, "networks = (\n  { name = \"campus\"; cidrs = [ \"10.0.0.0/8\", "
			   "\"2001:db8::/32\" ]; },\n  { name = \"research\"; cidrs = [ "
			   "\"192.0.2.0/24\", \"10.1.0.0/16\" ]; },\n  { name = \"local\"; "
			   "cidrs = [ \"fd00::/8\" ]; }\n);\n") != NULL);
	free(text);
	free(cfg);

	expect_error("networks = [ \"10.0.0.0/8\" ];\n",
		     ":1: networks = [ \"10.0.0.0/8\" ] has the wrong type: expected a list of "
		     "groups such as ( { name = \"campus\"; cidrs = [ \"10.0.0.0/8\" ]; } )");
	expect_error("networks = ( \"campus\" );\n",
		     ":1: networks[0] = \"campus\" has the wrong type: expected a group such as "
		     "{ name = \"campus\"; cidrs = [ \"10.0.0.0/8\" ]; }");
	expect_error("networks = (\n { cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		     ":2: networks[0] has no name: expected name = \"campus\"");
	expect_error("networks = (\n { name = 1; cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		     ":2: networks[0].name = 1 has the wrong type: expected a name of 1 to 31 "
		     "lowercase letters, digits, '_' or '-', starting with a letter");
	expect_error("networks = (\n { name = \"Campus net\"; cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		     ":2: networks[0].name = \"Campus net\" is not a valid name: expected a name of "
		     "1 to 31 lowercase letters, digits, '_' or '-', starting with a letter");
	expect_refused("networks = ( { name = \"\"; cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		       "is not a valid name");
	expect_refused("networks = ( { name = \"a23456789012345678901234567890123\"; "
		       "cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		       "is not a valid name");
	expect_error("networks = (\n { name = \"external\"; cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		     ":2: networks[0].name = \"external\" is reserved: \"external\" is what "
		     "matches no network; expected another name");
	expect_error("networks = ( { name = \"a\"; cidrs = [ \"10.0.0.0/8\" ]; },\n"
		     " { name = \"a\"; cidrs = [ \"11.0.0.0/8\" ]; } );\n",
		     ":2: networks[1].name = \"a\" is given twice (also networks[0]): expected a "
		     "name of its own");
	expect_error("networks = (\n { name = \"a\"; } );\n",
		     ":2: networks[0] (\"a\") has no cidrs: expected cidrs = [ \"10.0.0.0/8\", "
		     "\"fd00::/8\" ]");
	expect_error("networks = ( { name = \"a\";\n cidrs = \"10.0.0.0/8\"; } );\n",
		     ":2: networks[0].cidrs = \"10.0.0.0/8\" has the wrong type: expected a list "
		     "of networks such as [ \"10.0.0.0/8\", \"fd00::/8\" ]");
	expect_error("networks = ( { name = \"a\";\n cidrs = [ ]; } );\n",
		     ":2: networks[0].cidrs is empty: expected at least one network such as "
		     "\"10.0.0.0/8\"");
	expect_error("networks = ( { name = \"a\";\n cidrs = [ \"10.0.0.1/8\" ]; } );\n",
		     ":2: networks[0].cidrs[0] = \"10.0.0.1/8\" has host bits set beyond the "
		     "prefix: expected the network address, \"10.0.0.0/8\"");
	expect_error("networks = ( { name = \"a\";\n cidrs = [ \"10.0.0.0/33\" ]; } );\n",
		     ":2: networks[0].cidrs[0] = \"10.0.0.0/33\" is not a valid CIDR: expected an "
		     "IPv4 or IPv6 network such as \"10.0.0.0/8\" or \"fd00::/8\"");
	expect_error("networks = ( { name = \"a\";\n cidrs = [ 10 ]; } );\n",
		     ":2: networks[0].cidrs[0] = 10 has the wrong type: expected an IPv4 or IPv6 "
		     "network such as \"10.0.0.0/8\" or \"fd00::/8\"");
	expect_error("networks = ( { name = \"a\"; cidrs = [ \"10.0.0.0/8\" ]; },\n"
		     " { name = \"b\"; cidrs = [ \"10.0.0.0/8\" ]; } );\n",
		     ":2: networks[1].cidrs[0] = \"10.0.0.0/8\" is also in network \"a\": expected "
		     "each CIDR in one network only (the longest prefix wins between different "
		     "ones)");
	expect_error("networks = ( { name = \"a\"; cidrs = [ \"10.0.0.0/8\" ];\n colour = 1; } );\n",
		     ":2: networks[0] has an unknown key \"colour\": accepted keys are name, cidrs");
	expect_error("local_networks = [ \"10.0.0.0/8\" ];\n"
		     "networks = (\n { name = \"local\"; cidrs = [ \"11.0.0.0/8\" ]; } );\n",
		     ":3: networks[0].name = \"local\" and local_networks both say what is local: "
		     "expected one of them (move the local_networks into this network's cidrs)");
	expect_error("networks = ( {name=\"a\";cidrs=[\"1.0.0.0/8\"];}, {name=\"b\";cidrs=[\"2.0.0.0/8\"];},\n"
		     "{name=\"c\";cidrs=[\"3.0.0.0/8\"];}, {name=\"d\";cidrs=[\"4.0.0.0/8\"];},\n"
		     "{name=\"e\";cidrs=[\"5.0.0.0/8\"];}, {name=\"f\";cidrs=[\"6.0.0.0/8\"];},\n"
		     "{name=\"g\";cidrs=[\"7.0.0.0/8\"];}, {name=\"h\";cidrs=[\"8.0.0.0/8\"];},\n"
		     "{name=\"i\";cidrs=[\"9.0.0.0/8\"];}, {name=\"j\";cidrs=[\"10.0.0.0/8\"];},\n"
		     "{name=\"k\";cidrs=[\"11.0.0.0/8\"];}, {name=\"l\";cidrs=[\"12.0.0.0/8\"];},\n"
		     "{name=\"m\";cidrs=[\"13.0.0.0/8\"];}, {name=\"n\";cidrs=[\"14.0.0.0/8\"];},\n"
		     "{name=\"o\";cidrs=[\"15.0.0.0/8\"];}, {name=\"p\";cidrs=[\"16.0.0.0/8\"];},\n"
		     "{name=\"q\";cidrs=[\"17.0.0.0/8\"];} );\n",
		     ":1: networks has 17 entries: expected at most 16");
}

static void test_defaults(void)
{
	struct pdtt_config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	config_defaults(&cfg);
	expect_defaults(&cfg);
	CHECK_STR_EQ(config_mode_name(PDTT_CONFIG_MODE_SOCKET), "socket");
	CHECK_STR_EQ(config_mode_name(PDTT_CONFIG_MODE_TC), "tc");
}

static void test_missing_file(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[256] = "stale";

	snprintf(path, sizeof(path), "%s/pdtt-test-config-does-not-exist", tmp_dir);
	memset(&cfg, 0x5a, sizeof(cfg));
	CHECK(config_load(path, &cfg, err, sizeof(err)) == 1);
	CHECK_STR_EQ(err, "");
	expect_defaults(&cfg);
}

static void test_empty_and_comments(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[256];

	CHECK(load_text("", &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	expect_defaults(&cfg);
	CHECK(load_text("# nothing\n// here\n/* at\n all */\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	expect_defaults(&cfg);
}

static const char full_file[] =
	"# every key, some in the other spellings libconfig allows\n"
	"interval = 60;\n"
	"log_file = \"/srv/log/pdtt.log\";\n"
	"json_log = \"/srv/log/pdtt.jsonl\";\n"
	"prometheus_textfile = \"/var/lib/prometheus/node-exporter/pdtt.prom\";\n"
	"prometheus_textfile_group = \"root\";\n"
	"mode: \"tc\";   // colon assignment\n"
	"max_users = 0x10000;\n"
	"interfaces = ( \"eth0\", \"wlp2s0\",\n"
	"               \"br-lan.10\" );\n"
	"local_networks = [ \"10.0.0.0/8\", \"192.168.1.0/24\",\n"
	"                   \"fd00::/8\", \"0.0.0.0/0\", \"2001:db8::1/128\" ];\n"
	"pin_path = \"/sys/fs/bpf/pdtt-test\";\n"
	"state_file = \"/var/lib/pdtt/state.test\";\n"
	"cgroup_path = \"/sys/fs/cgroup/users\";\n"
	"owner_tracking = false;\n"
	"history_file = \"\";\n"
	"history_period = 10;\n"
	"history_5min_hours = 24;\n"
	"history_hourly_days = 30;\n"
	"history_daily_days = 400;\n"
	"history_monthly_months = 120;\n";

static void test_full_file(void)
{
	static const unsigned char fd00[16] = { 0xfd };
	struct pdtt_config cfg;
	char path[TMP_PATH], err[256];

	CHECK(load_text(full_file, &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK_STR_EQ(err, "");
	CHECK(cfg.interval == 60);
	CHECK_STR_EQ(cfg.log_file, "/srv/log/pdtt.log");
	CHECK_STR_EQ(cfg.json_log, "/srv/log/pdtt.jsonl");
	CHECK_STR_EQ(cfg.prometheus_textfile, "/var/lib/prometheus/node-exporter/pdtt.prom");
	CHECK(cfg.mode == PDTT_CONFIG_MODE_TC);
	CHECK(cfg.max_users == 65536);
	CHECK(cfg.n_interfaces == 3);
	CHECK_STR_EQ(cfg.interfaces[0], "eth0");
	CHECK_STR_EQ(cfg.interfaces[1], "wlp2s0");
	CHECK_STR_EQ(cfg.interfaces[2], "br-lan.10");
	CHECK(cfg.n_local_networks == 5);
	CHECK(cfg.local_networks[0].family == AF_INET);
	CHECK(cfg.local_networks[0].prefix_len == 8);
	CHECK(!memcmp(cfg.local_networks[0].addr, "\x0a\0\0\0", 4));
	CHECK_STR_EQ(cfg.local_networks[1].text, "192.168.1.0/24");
	CHECK(!memcmp(cfg.local_networks[1].addr, "\xc0\xa8\x01\x00", 4));
	CHECK(cfg.local_networks[2].family == AF_INET6);
	CHECK(cfg.local_networks[2].prefix_len == 8);
	CHECK(!memcmp(cfg.local_networks[2].addr, fd00, 16));
	CHECK(cfg.local_networks[3].prefix_len == 0);
	CHECK(cfg.local_networks[4].prefix_len == 128);
	CHECK(cfg.local_networks[4].addr[15] == 1);
	CHECK_STR_EQ(cfg.pin_path, "/sys/fs/bpf/pdtt-test");
	CHECK_STR_EQ(cfg.state_file, "/var/lib/pdtt/state.test");
	CHECK_STR_EQ(cfg.cgroup_path, "/sys/fs/cgroup/users");
	CHECK(!cfg.owner_tracking);
}

/* The edges of each range are accepted, and so are 64-bit literals that fit. */
static void test_limits(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[256];

	CHECK(load_text("interval = 1; max_users = 1;", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK(cfg.interval == 1 && cfg.max_users == 1);
	CHECK(load_text("interval = 86400; max_users = 1048576L;", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK(cfg.interval == 86400 && cfg.max_users == 1048576);
	CHECK(load_text("interfaces = [ \"abcdefghijklmno\" ]; local_networks = ( );", &cfg, err,
			sizeof(err), path, sizeof(path)) == 0);
	CHECK(cfg.n_interfaces == 1 && cfg.n_local_networks == 0);
	CHECK(load_text("cgroup_path = \"\";", &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK(load_text("json_log = \"/\"; prometheus_textfile = \"/.prom\";", &cfg, err,
			sizeof(err), path, sizeof(path)) == 0);
	CHECK_STR_EQ(cfg.json_log, "/");
	CHECK_STR_EQ(cfg.prometheus_textfile, "/.prom");
	CHECK(load_text("json_log = \"\"; prometheus_textfile = \"\";", &cfg, err, sizeof(err),
			path, sizeof(path)) == 0);
	CHECK_STR_EQ(cfg.json_log, "");
	CHECK_STR_EQ(cfg.prometheus_textfile, "");
}

static void check_round_trip(const struct pdtt_config *cfg)
{
	struct pdtt_config *back = malloc(sizeof(*back));
	char *text = print_to_string(cfg), *again;
	char path[TMP_PATH], err[1024];

	CHECK(back && text);
	if (!back || !text) {
		free(back);
		free(text);
		return;
	}
	CHECK(load_text(text, back, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK_STR_EQ(err, "");
	CHECK(configs_equal(cfg, back));
	again = print_to_string(back);
	CHECK_STR_EQ(again, text);
	free(again);
	free(text);
	free(back);
}

static void test_print(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[256], *text;

	config_defaults(&cfg);
	text = print_to_string(&cfg);
	CHECK_STR_EQ(text, "interval = 10;\n"
			   "log_file = \"/var/log/pdtt_stats.log\";\n"
			   "json_log = \"\";\n"
			   "prometheus_textfile = \"\";\n"
			   "prometheus_textfile_group = \"\";\n"
			   "mode = \"socket\";\n"
			   "max_users = 1024;\n"
			   "interfaces = [ ];\n"
			   "local_networks = [ ];\n"
			   "networks = ( );\n"
			   "pin_path = \"/sys/fs/bpf/pdtt\";\n"
			   "state_file = \"/var/lib/pdtt/state\";\n"
			   "cgroup_path = \"\";\n"
			   "owner_tracking = true;\n"
			   "history_file = \"/var/lib/pdtt/history.db\";\n"
			   "history_period = 300;\n"
			   "history_5min_hours = 48;\n"
			   "history_hourly_days = 4;\n"
			   "history_daily_days = 62;\n"
			   "history_monthly_months = 25;\n"
			   "jobs = \"\";\n"
			   "max_jobs = 1024;\n"
			   "jobs_log = \"\";\n");
	free(text);
	check_round_trip(&cfg);

	CHECK(load_text(full_file, &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	text = print_to_string(&cfg);
	CHECK_STR_EQ(text, "interval = 60;\n"
			   "log_file = \"/srv/log/pdtt.log\";\n"
			   "json_log = \"/srv/log/pdtt.jsonl\";\n"
			   "prometheus_textfile = "
			   "\"/var/lib/prometheus/node-exporter/pdtt.prom\";\n"
			   "prometheus_textfile_group = \"root\";\n"
			   "mode = \"tc\";\n"
			   "max_users = 65536;\n"
			   "interfaces = [ \"eth0\", \"wlp2s0\", \"br-lan.10\" ];\n"
			   "local_networks = [ \"10.0.0.0/8\", \"192.168.1.0/24\", \"fd00::/8\", "
			   "\"0.0.0.0/0\", \"2001:db8::1/128\" ];\n"
			   "networks = ( );\n"
			   "pin_path = \"/sys/fs/bpf/pdtt-test\";\n"
			   "state_file = \"/var/lib/pdtt/state.test\";\n"
			   "cgroup_path = \"/sys/fs/cgroup/users\";\n"
			   "owner_tracking = false;\n"
			   "history_file = \"\";\n"
			   "history_period = 10;\n"
			   "history_5min_hours = 24;\n"
			   "history_hourly_days = 30;\n"
			   "history_daily_days = 400;\n"
			   "history_monthly_months = 120;\n"
			   "jobs = \"\";\n"
			   "max_jobs = 1024;\n"
			   "jobs_log = \"\";\n");
	free(text);
	check_round_trip(&cfg);

	/* Characters that need escaping in a libconfig string, and UTF-8 that does not. */
	config_defaults(&cfg);
	snprintf(cfg.log_file, sizeof(cfg.log_file), "/var/log/a \"b\" \\c\td\x01\xc3\xa9.log");
	snprintf(cfg.interfaces[0], sizeof(cfg.interfaces[0]), "we\"ird\\if");
	cfg.n_interfaces = 1;
	text = print_to_string(&cfg);
	CHECK(strstr(text, "log_file = \"/var/log/a \\\"b\\\" \\\\c\\td\\x01\xc3\xa9.log\";\n"));
	CHECK(strstr(text, "interfaces = [ \"we\\\"ird\\\\if\" ];\n"));
	free(text);
	check_round_trip(&cfg);
}

/* A failed load, a reload in the daemon, must leave the running configuration alone. */
static void test_error_keeps_config(void)
{
	struct pdtt_config cfg, before;
	char path[TMP_PATH], err[256];

	CHECK(load_text(full_file, &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	before = cfg;
	CHECK(load_text("interval = 5;\nmode = \"udp\";\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == -1);
	CHECK(configs_equal(&cfg, &before));
}

static void test_syntax_errors(void)
{
	char path[TMP_PATH], err[1024], dir[TMP_PATH], want[2048];
	struct pdtt_config cfg;
	char *big;

	expect_error("interval = 10;\n\nlog_file = ;\n", ":3: syntax error");
	expect_error("interfaces = [ \"eth0\",\n  1 ];\n",
		     ":2: syntax error: mismatched element type in array");
	expect_error("interval = 10;\ninterval = 20;\n",
		     ":2: a key is given twice: each key may be given only once");
	write_temp("interval = 10;\n\0interval = 0;\n", 30, path, sizeof(path));
	CHECK(config_load(path, &cfg, err, sizeof(err)) == -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: syntax error: NUL byte in the file", path);
	CHECK_STR_EQ(err, want);

	/* A short or missing buffer gets what fits, never more. */
	write_temp("interval = 0;\n", 14, path, sizeof(path));
	CHECK(config_load(path, &cfg, NULL, 0) == -1);
	CHECK(config_load(path, &cfg, err, 8) == -1);
	CHECK(strlen(err) == 7 && !strncmp(err, path, 7));
	unlink(path);

	snprintf(dir, sizeof(dir), "%s/pdtt-test-config.XXXXXX", tmp_dir);
	CHECK(mkdtemp(dir) != NULL);
	CHECK(config_load(dir, &cfg, err, sizeof(err)) == -1);
	rmdir(dir);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	CHECK_STR_EQ(err, want);

	/* A config file is small: something of more than a megabyte is not one. */
	big = malloc(BIG_FILE);
	if (!big)
		return;
	memset(big, '#', BIG_FILE);
	write_temp(big, BIG_FILE, path, sizeof(path));
	free(big);
	CHECK(config_load(path, &cfg, err, sizeof(err)) == -1);
	unlink(path);
	snprintf(want, sizeof(want), "%s: cannot read: File too large", path);
	CHECK_STR_EQ(err, want);
}

/* Each history key: its range, named with the file and line. */
static void test_history_keys(void)
{
	expect_error("history_period = 0;\n",
		     ":1: history_period = 0 is out of range: expected an integer from 1 to 300");
	expect_error("\nhistory_5min_hours = 8785;\n",
		     ":2: history_5min_hours = 8785 is out of range: expected an integer from 1 to "
		     "8784");
	expect_error("history_hourly_days = \"4\";\n",
		     ":1: history_hourly_days = \"4\" has the wrong type: expected an integer from 1 "
		     "to 3660");
	expect_error("history_daily_days = 0;\n",
		     ":1: history_daily_days = 0 is out of range: expected an integer from 1 to "
		     "36600");
	expect_error("history_monthly_months = 1201;\n",
		     ":1: history_monthly_months = 1201 is out of range: expected an integer from 1 "
		     "to 1200");
	expect_error("history_file = \"history.db\";\n",
		     ":1: history_file = \"history.db\" is not an absolute path: expected \"\" or a "
		     "string starting with \"/\"");
}

/* The textfile's group: "" (its directory's), a group name, or a GID. */
static void test_textfile_group(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[1024];

	config_defaults(&cfg);
	CHECK(cfg.prometheus_textfile_gid == -1);
	CHECK(load_text("prometheus_textfile_group = \"root\";\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK(cfg.prometheus_textfile_gid == 0);
	CHECK(load_text("prometheus_textfile_group = \"4242\";\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK(cfg.prometheus_textfile_gid == 4242);
	CHECK(load_text("prometheus_textfile_group = \"\";\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK(cfg.prometheus_textfile_gid == -1);
	expect_error("\nprometheus_textfile_group = \"no-such-group-pdtt\";\n",
		     ":2: prometheus_textfile_group = \"no-such-group-pdtt\" is not a group of this "
		     "system: expected \"\" (the group of the textfile's directory), a group name "
		     "or a GID (see getent group)");
	expect_error("prometheus_textfile_group = 0;\n",
		     ":1: prometheus_textfile_group = 0 has the wrong type: expected \"\" (the group "
		     "of the textfile's directory), a group name or a GID (see getent group)");
}

static void test_unknown_key(void)
{
	expect_error("interval = 10;\nintervall = 10;\n",
		     ":2: unknown key \"intervall\": accepted keys are interval, log_file, json_log, "
		     "prometheus_textfile, prometheus_textfile_group, mode, max_users, interfaces, "
		     "local_networks, networks, pin_path, state_file, cgroup_path, owner_tracking, history_file, "
		     "history_period, history_5min_hours, history_hourly_days, history_daily_days, "
		     "history_monthly_months, jobs, max_jobs, jobs_log");
	expect_refused("Interval = 10;", "unknown key \"Interval\"");
	expect_refused("pdtt = { interval = 10; };", "unknown key \"pdtt\"");
}

static void test_jobs(void)
{
	struct pdtt_config cfg;
	char path[TMP_PATH], err[512];

	CHECK(load_text("jobs = \"slurm\";\nmax_jobs = 10;\njobs_log = \"/var/log/jobs.jsonl\";\n",
			&cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK_STR_EQ(cfg.jobs, "slurm");
	CHECK(cfg.max_jobs == 10);
	CHECK_STR_EQ(cfg.jobs_log, "/var/log/jobs.jsonl");
	check_round_trip(&cfg);
	CHECK(load_text("jobs = \"/(session-[0-9]+)\\\\.scope\";\n", &cfg, err, sizeof(err), path,
			sizeof(path)) == 0);
	CHECK_STR_EQ(cfg.jobs, "/(session-[0-9]+)\\.scope");
	CHECK(load_text("jobs = \"systemd\";\n", &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK(load_text("jobs = \"session\";\n", &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	expect_error("\njobs = \"job_[0-9]+\";\n",
		     ":2: jobs = \"job_[0-9]+\" is not accepted (it has no capture group to name the "
		     "job): expected \"\" (off), \"slurm\", \"systemd\", \"session\" or a POSIX "
		     "extended regular expression whose first capture group is the job, such as "
		     "\"/job_([0-9]+)/\"");
	expect_refused("jobs = \"job_([0-9]+\";\n", "jobs = \"job_([0-9]+\" is not accepted (");
	expect_refused("jobs = 1;\n", "jobs = 1 has the wrong type: expected \"\" (off)");
	expect_error("max_jobs = 0;\n",
		     ":1: max_jobs = 0 is out of range: expected an integer from 1 to 65536");
	expect_error("jobs_log = \"jobs.jsonl\";\n",
		     ":1: jobs_log = \"jobs.jsonl\" is not an absolute path: expected \"\" or a "
		     "string starting with \"/\"");
}

static void test_integers(void)
{
	expect_error("\n\ninterval = 0;\n",
		     ":3: interval = 0 is out of range: expected an integer from 1 to 86400");
	expect_error("\n\n\n\nmax_users = \"many\";\n",
		     ":5: max_users = \"many\" has the wrong type: expected an integer from 1 to "
		     "1048576");
	/* libconfig 1.5 would read these as 1024 and 1: the text itself is checked. */
	expect_error("max_users = 4294968320; # 2^32 + 1024\n",
		     ":1: max_users = 4294968320 is out of range: expected an integer from 1 to "
		     "1048576");
	expect_error("/* interval = 5 */ interval = 0x100000001;\n",
		     ":1: interval = 0x100000001 is out of range: expected an integer from 1 to "
		     "86400");
	expect_error("interval = 99999999999999999999999;\n",
		     ":1: interval = 99999999999999999999999 is out of range: expected an integer "
		     "from 1 to 86400");
	expect_error("max_users = 1048577L;\n",
		     ":1: max_users = 1048577L is out of range: expected an integer from 1 to "
		     "1048576");
	expect_error("interval = 10.0;\n",
		     ":1: interval = 10.0 has the wrong type: expected an integer from 1 to 86400");
	expect_error("interval = [ 1, 2 ];\n",
		     ":1: interval = [ 1, 2 ] has the wrong type: expected an integer from 1 to "
		     "86400");
	expect_error("interval\n  =\n  0x100000001;\n",
		     ":1: interval = 0x100000001 is out of range: expected an integer from 1 to "
		     "86400");
	expect_refused("interval = -1;", "interval = -1 is out of range");
	expect_refused("interval = 86401;", "interval = 86401 is out of range");
	expect_refused("max_users = 0;", "max_users = 0 is out of range");
	expect_refused("max_users = 0xFFFFFFFF;", "max_users = 0xFFFFFFFF is out of range");
	expect_refused("max_users = 1e3;", "max_users = 1e3 has the wrong type");
	expect_refused("interval = true;", "interval = true has the wrong type");
	expect_refused("interval = { a = 1; b = \"x\"; };",
		       "interval = { a = 1; b = \"x\"; } has the wrong type");
}

static void test_mode(void)
{
	expect_error("\n\n\nmode = \"udp\";\n",
		     ":4: mode = \"udp\" is not accepted: expected \"socket\" or \"tc\"");
	expect_error("mode = 1;\n",
		     ":1: mode = 1 has the wrong type: expected \"socket\" or \"tc\"");
	expect_refused("mode = \"TC\";", "mode = \"TC\" is not accepted");
	expect_refused("mode = \"\";", "mode = \"\" is not accepted");
}

static void test_paths(void)
{
	struct pdtt_config *cfg = malloc(sizeof(*cfg));
	char *text = malloc(PDTT_PATH_MAX + 64), path[TMP_PATH], err[1024], want[256];
	size_t len;

	expect_error("log_file = 5;\n",
		     ":1: log_file = 5 has the wrong type: expected an absolute path, a string "
		     "starting with \"/\"");
	expect_error("state_file = \"var/lib/pdtt/state\";\n",
		     ":1: state_file = \"var/lib/pdtt/state\" is not an absolute path: expected a "
		     "string starting with \"/\"");
	expect_error("cgroup_path = \"sys/fs/cgroup\";\n",
		     ":1: cgroup_path = \"sys/fs/cgroup\" is not an absolute path: expected "
		     "\"\" or a string starting with \"/\"");
	expect_error("cgroup_path = false;\n",
		     ":1: cgroup_path = false has the wrong type: expected an absolute path, \"\" "
		     "or a string starting with \"/\"");
	expect_refused("pin_path = \"\";", "pin_path = \"\" is not an absolute path");
	expect_error("owner_tracking = 1;\n",
		     ":1: owner_tracking = 1 has the wrong type: expected true or false");
	expect_error("owner_tracking = \"yes\";\n",
		     ":1: owner_tracking = \"yes\" has the wrong type: expected true or false");
	/* The outputs: "" turns them off, anything else is an absolute path. */
	expect_error("\njson_log = \"pdtt.jsonl\";\n",
		     ":2: json_log = \"pdtt.jsonl\" is not an absolute path: expected \"\" or a "
		     "string starting with \"/\"");
	expect_error("json_log = true;\n",
		     ":1: json_log = true has the wrong type: expected an absolute path, \"\" or a "
		     "string starting with \"/\"");
	expect_error("prometheus_textfile = \"node-exporter/pdtt.prom\";\n",
		     ":1: prometheus_textfile = \"node-exporter/pdtt.prom\" is not an absolute "
		     "path: expected \"\" or a string starting with \"/\"");
	expect_error("prometheus_textfile = [ \"/a.prom\" ];\n",
		     ":1: prometheus_textfile = [ \"/a.prom\" ] has the wrong type: expected an "
		     "absolute path, \"\" or a string starting with \"/\"");
	expect_error("\n\n\nprometheus_textfile = \"/var/lib/prometheus/pdtt.txt\";\n",
		     ":4: prometheus_textfile = \"/var/lib/prometheus/pdtt.txt\" does not end in "
		     "\".prom\": expected \"\" or an absolute path ending in \".prom\" "
		     "(node_exporter's textfile collector reads no other file)");
	expect_refused("prometheus_textfile = \"/\";", "\"/\" does not end in \".prom\"");
	expect_refused("prometheus_textfile = \"/x/pdtt.prom/\";",
		       "\"/x/pdtt.prom/\" does not end in \".prom\"");
	expect_refused("prometheus_textfile = \"/x/pdtt.PROM\";",
		       "\"/x/pdtt.PROM\" does not end in \".prom\"");
	expect_refused("log_file = [ \"/a\" ];", "log_file = [ \"/a\" ] has the wrong type");
	if (!text || !cfg) {
		free(text);
		free(cfg);
		return;
	}
	/* One byte too long: the message shows the value cut short, 72 characters in all. */
	len = (size_t)snprintf(text, PDTT_PATH_MAX + 64, "pin_path = \"/");
	memset(text + len, 'a', PDTT_PATH_MAX - 1);
	strcpy(text + len + PDTT_PATH_MAX - 1, "\";\n");
	snprintf(want, sizeof(want),
		 ":1: pin_path = \"/%.66s...\" is too long: expected a path "
		 "of at most 4095 bytes",
		 text + len);
	expect_error(text, want);
	/* The longest path that fits. */
	strcpy(text + len + PDTT_PATH_MAX - 2, "\";\n");
	CHECK(load_text(text, cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK(strlen(cfg->pin_path) == PDTT_PATH_MAX - 1);
	free(text);
	free(cfg);
}

static void test_interfaces(void)
{
	static const char *const bad[] = { "",       ".",   "..",    "abcdefghijklmnop",
					   "eth0:1", "a b", "tab\t", "nbsp\xa0" };
	char text[2048];
	size_t i, len;

	expect_error("interfaces = \"eth0\";\n",
		     ":1: interfaces = \"eth0\" has the wrong type: expected a list of interface "
		     "names such as [ \"eth0\", \"eth1\" ]");
	expect_error("interfaces = ( \"eth0\",\n  5 );\n",
		     ":2: interfaces[1] = 5 has the wrong type: expected an interface name such as "
		     "\"eth0\"");
	expect_error("interfaces = [ \"eth0\",\n  \"eth/0\" ];\n",
		     ":2: interfaces[1] = \"eth/0\" is not a valid interface name: expected 1 to "
		     "15 characters without \"/\", \":\" or white space, other than \".\" and "
		     "\"..\"");
	expect_error("interfaces = [ \"eth0\", \"eth1\",\n\n \"eth0\" ];\n",
		     ":3: interfaces[2] = \"eth0\" repeats interfaces[0]: expected each "
		     "interface at most once");
	len = (size_t)snprintf(text, sizeof(text), "interfaces = [ \"if0\"");
	for (i = 1; i < PDTT_MAX_INTERFACES + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, ", \"if%zu\"", i);
	snprintf(text + len, sizeof(text) - len, " ];\n");
	expect_error(text, ":1: interfaces has 65 entries: expected at most 64");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "interfaces = [ \"%s\" ];", bad[i]);
		expect_refused(text, "is not a valid interface name");
	}
}

static void test_local_networks(void)
{
	static const char *const bad[] = {
		"10.0.0.0",  "10.0.0.0/",       "10.0.0.0/08",   "10.0.0.0/+8", "fd00::/129",
		"10.0.0/8",  "fe80::1%eth0/64", " 10.0.0.0/8",   "10.0.0.0/8 ", "::/-1",
		"/8",        "10.0.0.0/8/8",    "10.0.0.0/1000", "eth0",        "010.0.0.0/8",
		"fd00::/8/",
	};
	char text[8192];
	size_t i, len;

	expect_error("interval = 10;\nmode = \"socket\";\n\n\nlocal_networks = [\n"
		     "  \"10.0.0.0/8\", \"10.0.0.0/33\" ];\n",
		     ":6: local_networks[1] = \"10.0.0.0/33\" is not a valid CIDR: expected an "
		     "IPv4 or IPv6 network such as \"10.0.0.0/8\" or \"fd00::/8\"");
	expect_error("local_networks = \"10.0.0.0/8\";\n",
		     ":1: local_networks = \"10.0.0.0/8\" has the wrong type: expected a list of "
		     "networks such as [ \"10.0.0.0/8\", \"fd00::/8\" ]");
	expect_error("local_networks = ( \"10.0.0.0/8\", [ \"fd00::/8\" ] );\n",
		     ":1: local_networks[1] = [ \"fd00::/8\" ] has the wrong type: expected an "
		     "IPv4 or IPv6 network such as \"10.0.0.0/8\" or \"fd00::/8\"");
	expect_error("local_networks = [ \"10.1.2.3/8\" ];\n",
		     ":1: local_networks[0] = \"10.1.2.3/8\" has host bits set beyond the prefix: "
		     "expected the network address, \"10.0.0.0/8\"");
	expect_refused("local_networks = [ \"fd00::1/8\" ];", "expected the network address, "
							      "\"fd00::/8\"");
	expect_refused("local_networks = [ \"192.168.1.1/0\" ];", "\"0.0.0.0/0\"");
	len = (size_t)snprintf(text, sizeof(text), "local_networks = [ \"10.0.0.0/32\"");
	for (i = 1; i < PDTT_MAX_NETWORKS + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, ", \"10.0.%zu.%zu/32\"",
					i / 256, i % 256);
	snprintf(text + len, sizeof(text) - len, " ];\n");
	expect_error(text, ":1: local_networks has 257 entries: expected at most 256");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "local_networks = [ \"%s\" ];", bad[i]);
		expect_refused(text, "is not a valid CIDR");
	}
}

/* A setting from an @include file is reported at its own file and line. */
static void test_include(void)
{
	char inc[TMP_PATH], text[TMP_PATH + 64], path[TMP_PATH], err[1024], want[2048];
	struct pdtt_config cfg;
	static const char inc_text[] = "# included\nmax_users = 4294968320;\n";

	write_temp(inc_text, strlen(inc_text), inc, sizeof(inc));
	snprintf(text, sizeof(text), "interval = 5;\n@include \"%s\"\n", inc);
	CHECK(load_text(text, &cfg, err, sizeof(err), path, sizeof(path)) == -1);
	unlink(inc);
	snprintf(want, sizeof(want),
		 "%s:2: max_users = 4294968320 is out of range: expected an "
		 "integer from 1 to 1048576",
		 inc);
	CHECK_STR_EQ(err, want);
}

/*
 * An @include of a directory or device would make libconfig 1.5 end the
 * process (on SIGHUP: the daemon): refused with file and line instead, also
 * when nested; in comments and strings it is not an @include at all.
 */
static void test_include_not_a_file(void)
{
	char inc[TMP_PATH], text[3 * TMP_PATH], path[TMP_PATH], err[1024], want[2048];
	struct pdtt_config cfg;

	snprintf(text, sizeof(text), "interval = 5;\n  @include \"%s\"\n", tmp_dir);
	CHECK(load_text(text, &cfg, err, sizeof(err), path, sizeof(path)) == -1);
	snprintf(want, sizeof(want),
		 "%s:2: @include \"%s\" is not a regular file: expected a "
		 "configuration file",
		 path, tmp_dir);
	CHECK_STR_EQ(err, want);
	expect_refused("@include \"/dev/null\"\n", "is not a regular file");
	expect_refused("@include \"/\\x41\"\n", "escape sequences");

	snprintf(text, sizeof(text), "# x\n@include \"%s\"\n", tmp_dir);
	write_temp(text, strlen(text), inc, sizeof(inc));
	snprintf(text, sizeof(text), "@include \"%s\"\n", inc);
	CHECK(load_text(text, &cfg, err, sizeof(err), path, sizeof(path)) == -1);
	unlink(inc);
	snprintf(want, sizeof(want), "%s:2: @include \"%s\" is not a regular file", inc, tmp_dir);
	CHECK(strncmp(err, want, strlen(want)) == 0);

	snprintf(text, sizeof(text),
		 "/*\n@include \"%s\"\n*/ interval = 3;\n"
		 "# @include \"/\"\nlog_file = \"/x\n@include \\\"/\\\"\";\n",
		 tmp_dir);
	CHECK(load_text(text, &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK(cfg.interval == 3);
}

/* Uncomment the "#key = value;" lines, leaving the prose comments ("# ...") alone. */
static char *uncomment_settings(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p;

	for (p = text; out && *p; p++) {
		if (*p == '#' && (p == text || p[-1] == '\n') && p[1] >= 'a' && p[1] <= 'z')
			continue;
		*o++ = *p;
	}
	if (out)
		*o = '\0';
	return out;
}

/* The shipped file loads cleanly, and the defaults it documents are the real ones. */
static void test_shipped_file(void)
{
	const char *srcdir = getenv("srcdir");
	char file[TMP_PATH], path[TMP_PATH], err[1024], *text = NULL, *settings;
	struct pdtt_config cfg;
	size_t len = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/etc/pdtt.conf", srcdir ? srcdir : ".");
	CHECK(config_load(file, &cfg, err, sizeof(err)) == 0);
	CHECK_STR_EQ(err, "");
	expect_defaults(&cfg);
	f = fopen(file, "r");
	CHECK(f != NULL);
	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		if (f)
			fclose(f);
		free(text);
		return;
	}
	fclose(f);
	settings = uncomment_settings(text);
	CHECK(settings && strstr(settings, "\ninterval = 10;\n"));
	memset(&cfg, 0, sizeof(cfg));
	CHECK(settings && load_text(settings, &cfg, err, sizeof(err), path, sizeof(path)) == 0);
	CHECK_STR_EQ(err, "");
	expect_defaults(&cfg);
	free(settings);
	free(text);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s", tmp && *tmp ? tmp : "/tmp");
	test_defaults();
	test_missing_file();
	test_empty_and_comments();
	test_full_file();
	test_limits();
	test_print();
	test_error_keeps_config();
	test_syntax_errors();
	test_textfile_group();
	test_unknown_key();
	test_history_keys();
	test_jobs();
	test_integers();
	test_mode();
	test_paths();
	test_interfaces();
	test_local_networks();
	test_networks();
	test_include();
	test_include_not_a_file();
	test_shipped_file();
	return check_summary("test_config");
}
