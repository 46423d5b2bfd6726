// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pdtt: what pdttd counts, read from its pinned maps and its state file
 * without changing anything: it makes no pin, mounts nothing, takes no lock
 * and writes no file. Wires configuration, pins, state file, totals (the
 * daemon's own rule) and the show and status formats together, and the
 * usage history's query and formats.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pdtt_config.h"
#include "cgroup_find.h"
#include "exitcodes.h"
#include "history_query.h"
#include "history_render.h"
#include "lock.h"
#include "mounts.h"
#include "pdtt_options.h"
#include "pins.h"
#include "show.h"
#include "show_jobs.h"
#include "state.h"
#include "status.h"
#include "totals.h"
#include "usercache.h"

#define ERRLEN 1024

/* Everything read, once: pins, state file, totals. */
struct source {
	const struct pdtt_config *cfg;
	bool pin_dir; /* pin_path exists */
	struct pins_maps maps;
	struct pdtt_retired retired;
	struct pdtt_state state;
	int state_rc; /* PDTT_STATE_* */
	char state_err[ERRLEN];
	struct totals *totals;
	const struct pdtt_snapshot *snap;
};

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pdtt: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* libbpf's own messages: pdtt says what failed itself. */
static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int not_allowed(const char *pin_path)
{
	say("not allowed to read the pins in %s: run as root (or as a user with CAP_BPF "
	    "who may read that directory)",
	    pin_path);
	return PDTT_EXIT_NOPERM;
}

static int open_pins(struct source *src)
{
	const char *pin_path = src->cfg->pin_path;
	char err[ERRLEN];
	struct stat st;
	int rc;

	if (stat(pin_path, &st) < 0) {
		if (errno == EACCES || errno == EPERM)
			return not_allowed(pin_path);
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		say("cannot read pin_path %s: %s", pin_path, strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	src->pin_dir = true;
	rc = pins_open_maps(pin_path, &src->maps, err, sizeof(err));
	if (!rc)
		rc = pins_open_retired(pin_path, &src->retired, err, sizeof(err));
	if (rc == PDTT_EXIT_NOPERM)
		return not_allowed(pin_path);
	if (rc)
		say("%s", err);
	return rc;
}

static int load_state(struct source *src)
{
	const char *path = src->cfg->state_file;

	/* EACCES too when its directory may not be searched: then it may exist. */
	if (access(path, R_OK) < 0 && (errno == EACCES || errno == EPERM)) {
		say("not allowed to read the state file %s: run as root", path);
		return PDTT_EXIT_NOPERM;
	}
	src->state_rc = state_load(path, &src->state, src->state_err, sizeof(src->state_err));
	return 0;
}

/*
 * Read the pins and the state file, and the totals from them as pdttd
 * computes them. A state file that cannot be read leaves the totals
 * without it when state_optional (status says what is wrong), and is an
 * error otherwise.
 */
static int open_source(struct source *src, const struct pdtt_config *cfg, bool state_optional)
{
	struct totals_maps maps;
	const struct pdtt_state *st;
	int rc, e;

	memset(src, 0, sizeof(*src));
	src->cfg = cfg;
	src->maps.counters_fd = src->maps.buckets_fd = src->maps.slots_fd = -1;
	src->maps.meta_fd = -1;
	src->retired.counters_fd = src->retired.buckets_fd = src->retired.slots_fd = -1;
	src->retired.meta_fd = -1;
	rc = open_pins(src);
	if (!rc)
		rc = load_state(src);
	if (rc)
		return rc;
	if (!src->maps.present && !src->retired.present && src->state_rc == PDTT_STATE_ABSENT) {
		say("pdttd has never run with pin_path %s (no pins there, no state file at %s)",
		    cfg->pin_path, cfg->state_file);
		return PDTT_EXIT_NOINPUT;
	}
	if (src->state_rc == PDTT_STATE_INVALID && !state_optional) {
		say("%s; pdttd refuses to start with it too: restore a good copy, or remove it "
		    "to accept losing the totals from before the last reboot",
		    src->state_err);
		return PDTT_EXIT_FAILURE;
	}
	maps = (struct totals_maps){
		.counters_fd = src->maps.counters_fd,
		.buckets_fd = src->maps.buckets_fd,
		.slots_fd = src->maps.slots_fd,
		.meta_fd = src->maps.meta_fd,
		.max_entries = src->maps.max_entries,
		.meta = src->maps.meta,
		.classes = src->maps.classes,
		.lanes = pdtt_lanes_of_layout(src->maps.layout_version),
	};
	st = src->state_rc == PDTT_STATE_LOADED ? &src->state : NULL;
	e = totals_open(&src->totals, src->maps.present ? &maps : NULL, st, &src->retired);
	if (!e)
		e = totals_read(src->totals, &src->snap);
	if (e) {
		say("cannot read the counters pinned in %s: %s", cfg->pin_path, strerror(-e));
		return e == -EPERM || e == -EACCES ? not_allowed(cfg->pin_path) : PDTT_EXIT_FAILURE;
	}
	return 0;
}

static void close_source(struct source *src)
{
	totals_free(src->totals);
	pins_close_maps(&src->maps);
	pins_close_retired(&src->retired);
	state_free(&src->state);
}

static const char *cache_name(void *names, uint32_t uid)
{
	return usercache_lookup(names, uid);
}

/* --user NAME|UID: a user name first (names may be digits), else a UID. */
static int resolve_user(const char *arg, uint32_t *uid)
{
	struct passwd *pw = getpwnam(arg);
	unsigned long long n;
	char *end;

	if (pw) {
		*uid = (uint32_t)pw->pw_uid;
		return 0;
	}
	errno = 0;
	n = strtoull(arg, &end, 10);
	if (arg[0] >= '0' && arg[0] <= '9' && *end == '\0' && !errno && n <= UINT32_MAX) {
		*uid = (uint32_t)n;
		return 0;
	}
	say("--user %s: no such user (not in the passwd database, and not a UID)", arg);
	return PDTT_EXIT_NOUSER;
}

static int show(const struct pdtt_cli *cli, const struct pdtt_config *cfg)
{
	char host[HOST_NAME_MAX + 1] = "localhost";
	struct pdtt_show view = {
		.split = cfg->n_local_networks > 0,
		.by_network = cli->by_network,
		.exact = cli->bytes,
		.host = host,
		.user_name = cache_name,
		.pin_path = cfg->pin_path,
	};
	struct source src;
	int rc = 0, e;

	if (cli->user) {
		rc = resolve_user(cli->user, &view.uid);
		if (rc)
			return rc;
		view.filter = true;
	}
	if (cli->jobs)
		return show_jobs(stdout, cfg, view.filter ? (long long)view.uid : -1, cli->json,
				 cli->by_network, cache_name);
	rc = open_source(&src, cfg, false);
	view.names = rc ? NULL : usercache_new();
	if (!rc && !view.names) {
		say("%s", strerror(ENOMEM));
		rc = PDTT_EXIT_FAILURE;
	}
	if (rc) {
		close_source(&src);
		return rc;
	}
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "%s", "localhost");
	host[sizeof(host) - 1] = '\0';
	view.totals = src.snap;
	view.as_of = src.snap->taken_at;
	if (!src.maps.present) {
		/* After a reboot: the state file's totals, as of when it was saved. */
		view.state_file = cfg->state_file;
		if (src.state_rc == PDTT_STATE_LOADED)
			view.as_of = (time_t)src.state.saved_at;
	}
	e = cli->json ? show_json_write(stdout, &view) : show_table_write(stdout, &view);
	if (e) {
		say("%s", strerror(-e));
		rc = PDTT_EXIT_FAILURE;
	}
	usercache_free(view.names);
	close_source(&src);
	return rc;
}

/* The request of 'pdtt history' from the command line; 0 or an exit code. */
static int history_request(const struct pdtt_cli *cli, struct history_request *req)
{
	time_t now = time(NULL);
	char err[ERRLEN];
	int rc = 0;

	memset(req, 0, sizeof(*req));
	req->tier = cli->tier;
	req->top = cli->top;
	history_default_range(cli->tier, now, &req->since, &req->until);
	if (cli->since && history_parse_date(cli->since, now, false, &req->since, err, sizeof(err)))
		rc = PDTT_EXIT_USAGE;
	if (!rc && cli->until &&
	    history_parse_date(cli->until, now, true, &req->until, err, sizeof(err)))
		rc = PDTT_EXIT_USAGE;
	if (!rc && req->until <= req->since) {
		snprintf(err, sizeof(err), "--until is before --since: the range is empty");
		rc = PDTT_EXIT_USAGE;
	}
	if (!rc && cli->user) {
		req->one_user = true;
		return resolve_user(cli->user, &req->uid);
	}
	if (rc)
		say("%s", err);
	return rc;
}

/* From this many users on, pdtt history reads the passwd database whole. */
#define HISTORY_PRELOAD_NAMES_MIN 100

static int history(const struct pdtt_cli *cli, const struct pdtt_config *cfg)
{
	struct history_result res;
	struct history_request req;
	struct history_view view = { .res = &res, .user_name = cache_name };
	char err[ERRLEN];
	sqlite3 *db;
	int rc = history_request(cli, &req), e;

	if (rc)
		return rc;
	if (!cfg->history_file[0]) {
		say("history_file is \"\" in %s: pdttd keeps no usage history", cli->config_path);
		return PDTT_EXIT_NOINPUT;
	}
	if (access(cfg->history_file, R_OK) < 0 && (errno == EACCES || errno == EPERM)) {
		say("not allowed to read history_file %s: run as root", cfg->history_file);
		return PDTT_EXIT_NOPERM;
	}
	if (usage_db_open_readonly(cfg->history_file, &db, err, sizeof(err)) < 0) {
		say("%s", err);
		return errno == ENOENT ? PDTT_EXIT_NOINPUT : PDTT_EXIT_FAILURE;
	}
	if (history_query(db, &req, &res, err, sizeof(err)) < 0) {
		say("%s", err);
		sqlite3_close(db);
		return PDTT_EXIT_FAILURE;
	}
	sqlite3_close(db);
	view.names = usercache_new();
	if (!view.names) {
		history_result_free(&res);
		say("%s", strerror(ENOMEM));
		return PDTT_EXIT_FAILURE;
	}
	/*
	 * Many names: one pass over the passwd database costs less than a
	 * lookup each (10,000 users in /etc/passwd: 0.3 s instead of 4.6, each
	 * lookup scanning the file). Few: enumerating a big directory would
	 * cost more than asking.
	 */
	if (history_users_max(&res) > HISTORY_PRELOAD_NAMES_MIN)
		usercache_preload(view.names);
	e = cli->json  ? history_json_write(stdout, &view)
	    : cli->csv ? history_csv_write(stdout, &view)
		       : history_table_write(stdout, &view);
	if (e) {
		say("%s", strerror(-e));
		rc = PDTT_EXIT_FAILURE;
	}
	usercache_free(view.names);
	history_result_free(&res);
	return rc;
}

/*
 * UIDs with an entry in fd: the counter map (layouts 1 and 2), or with
 * slots set, the slots map (layout 3), whose entries count only once they
 * name a slot below slots: a program claims a UID's entry before it takes
 * the slot, and the entry stays unnamed when the slots ran out meanwhile.
 */
static uint64_t count_entries(int fd, uint64_t slots)
{
	__u32 key, next, slot;
	uint64_t n = 0;

	for (int rc = bpf_map_get_next_key(fd, NULL, &next); rc == 0;
	     rc = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (!slots || (bpf_map_lookup_elem(fd, &key, &slot) == 0 && slot < slots))
			n++;
	}
	return n;
}

/* The mode of what is attached; without hooks, the one the maps were made in. */
static const char *mode_of(const struct source *src, const struct pins_hook *hooks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (hooks[i].kind == PINS_HOOK_CGROUP)
			return "socket";
		if (hooks[i].kind == PINS_HOOK_TCX || hooks[i].kind == PINS_HOOK_TC_FILTER)
			return "tc";
	}
	if (src->maps.present && src->maps.meta.mode == PDTT_MODE_SOCKET)
		return "socket";
	if (src->maps.present && src->maps.meta.mode == PDTT_MODE_TC)
		return "tc";
	return NULL;
}

/* A cgroup the socket-mode hooks are on that is not cgroup_path: found by its id. */
static void name_other_cgroup(struct pdtt_status *s, char *out, size_t outlen)
{
	char root[PDTT_PATH_MAX];

	for (size_t i = 0; i < s->n_hooks; i++) {
		const struct pins_hook *h = &s->hooks[i];

		if (h->kind != PINS_HOOK_CGROUP || !h->live || h->cgroup_id == s->cgroup_id)
			continue;
		if (find_cgroup2_root("/proc/mounts", root, sizeof(root)) == 0 &&
		    cgroup_find_by_id(root, h->cgroup_id, out, outlen) == 0) {
			s->other_cgroup = out;
			s->other_cgroup_id = h->cgroup_id;
		}
		return;
	}
}

static int status(const struct pdtt_config *cfg)
{
	struct pdtt_status s = {
		.version = PACKAGE_VERSION,
		.pin_path = cfg->pin_path,
		.now = time(NULL),
		.state_file = cfg->state_file,
	};
	char err[ERRLEN], cgroup[PDTT_PATH_MAX], other[PDTT_PATH_MAX];
	struct pins_hook *hooks = NULL;
	struct source src;
	struct stat st;
	int rc = open_source(&src, cfg, true);

	if (!rc && src.pin_dir) {
		rc = pins_hooks(cfg->pin_path, &hooks, &s.n_hooks, err, sizeof(err));
		if (rc == PDTT_EXIT_NOPERM)
			rc = not_allowed(cfg->pin_path);
		else if (rc)
			say("%s", err);
	}
	if (rc) {
		close_source(&src);
		return rc;
	}
	if (src.pin_dir)
		s.daemon_pid = pin_lock_holder(cfg->pin_path);
	s.hooks = hooks;
	s.mode = mode_of(&src, hooks, s.n_hooks);
	if (cfg->cgroup_path[0])
		snprintf(cgroup, sizeof(cgroup), "%s", cfg->cgroup_path);
	else if (find_cgroup2_root("/proc/mounts", cgroup, sizeof(cgroup)) < 0)
		cgroup[0] = '\0';
	if (cgroup[0] && stat(cgroup, &st) == 0) {
		s.cgroup_path = cgroup;
		s.cgroup_id = st.st_ino;
	}
	name_other_cgroup(&s, other, sizeof(other));
	s.maps = src.maps.present;
	if (s.maps) {
		/* From layout 3 a UID has an entry in the slots map; before, in the counters. */
		s.entries = src.maps.slots_fd >= 0
				    ? count_entries(src.maps.slots_fd, src.maps.max_entries)
				    : count_entries(src.maps.counters_fd, 0);
		s.capacity = src.maps.max_entries;
		s.layout_version = src.maps.layout_version;
		s.instance_id = src.maps.meta.instance_id;
		s.maps_start = (time_t)src.maps.meta.accounting_start;
	}
	s.accounting_start = src.snap->accounting_start;
	s.retired_layout = src.retired.present ? src.retired.layout_version : 0;
	s.state = src.state_rc;
	s.state_error = src.state_err;
	s.state_saved_at = (time_t)src.state.saved_at;
	status_write(stdout, &s);
	free(hooks);
	close_source(&src);
	return 0;
}

int main(int argc, char **argv)
{
	struct pdtt_config cfg;
	struct pdtt_cli cli;
	char err[ERRLEN];
	int rc = pdtt_options_parse(argc, argv, SYSCONFDIR "/pdtt.conf", &cli, stderr);

	if (rc)
		return rc;
	if (cli.command == PDTT_CMD_HELP) {
		pdtt_options_usage(stdout, SYSCONFDIR "/pdtt.conf");
		return PDTT_EXIT_OK;
	}
	if (cli.command == PDTT_CMD_VERSION) {
		printf("pdtt %s\n", PACKAGE_VERSION);
		return PDTT_EXIT_OK;
	}
	if (config_load(cli.config_path, &cfg, err, sizeof(err)) < 0) {
		say("%s", err);
		return PDTT_EXIT_CONFIG;
	}
	libbpf_set_print(quiet_libbpf);
	if (cli.command == PDTT_CMD_HISTORY)
		rc = history(&cli, &cfg);
	else
		rc = cli.command == PDTT_CMD_SHOW ? show(&cli, &cfg) : status(&cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say("cannot write the output: %s", strerror(errno));
		rc = rc ? rc : PDTT_EXIT_FAILURE;
	}
	return rc;
}
