// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pdttd: wires configuration, loader, totals (state file and collector),
 * username cache and outputs together, and runs the report timer and signal loop.
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "pdtt_config.h"
#include "exitcodes.h"
#include "jobs.h"
#include "loader.h"
#include "lock.h"
#include "log.h"
#include "mounts.h"
#include "netlink.h"
#include "pdttd_options.h"
#include "outputs.h"
#include "pins.h"
#include "state.h"
#include "totals.h"
#include "usercache.h"

#define ERRLEN 1024
/* How long a report may wait for NSS in all (the names that miss it come later). */
#define NSS_BUDGET_MS 500

struct daemon {
	const char *config_path;
	bool foreground;
	struct pdtt_config cfg;
	struct pdtt_loader loader;
	struct totals *totals; /* baseline + kernel counters */
	struct usercache *names;
	struct outputs *outputs;
	struct jobs *jobs; /* NULL: jobs off */
	int timer_fd;
	int signal_fd;
	int link_fd;             /* tc mode: link notifications; else -1 */
	struct pdtt_state state; /* as loaded at start, until the totals hold it */
	bool have_state;
	bool state_was_present; /* a state file existed at start */
	bool retired_pending;   /* retired maps to unpin after the next save */
	bool state_failing;     /* the last state file could not be written */
};

/* Read the configuration at start; a missing file means the defaults, said once. */
static int read_config(const char *path, struct pdtt_config *cfg)
{
	char err[ERRLEN];
	int rc = config_load(path, cfg, err, sizeof(err));

	if (rc < 0) {
		log_err("%s", err);
		return -1;
	}
	if (rc == 1)
		log_info("%s does not exist: using the built-in defaults", path);
	return 0;
}

static int arm_timer(int timer_fd, int interval)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = interval },
		.it_value = { .tv_sec = interval },
	};

	return timerfd_settime(timer_fd, 0, &its, NULL);
}

/* Block the signals we handle and deliver them through a descriptor instead. */
static int open_signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Once per reading: when the map is full, the overflow bucket grows. */
static void check_overflow(struct daemon *d)
{
	uint64_t bytes;

	if (totals_overflow_grew(d->totals, &bytes))
		log_warn("the counter map is full: %u UIDs have entries (max_users = %u), so "
			 "%llu bytes of other UIDs were counted in the [overflow] bucket since the "
			 "last report; raise max_users in %s and restart pdttd (the counts are "
			 "carried over)",
			 d->loader.max_entries, d->loader.max_entries, (unsigned long long)bytes,
			 d->config_path);
}

/* The state file after each reading: baseline and kernel counters. */
static void save_state(struct daemon *d)
{
	char err[ERRLEN];
	int e;

	if (totals_save(d->totals, d->cfg.state_file, err, sizeof(err)) < 0) {
		if (!d->state_failing)
			log_err("%s; retrying at each report", err);
		d->state_failing = true;
		return;
	}
	if (d->state_failing)
		log_info("state file %s written again", d->cfg.state_file);
	d->state_failing = false;
	if (d->retired_pending) {
		e = loader_remove_retired(d->cfg.pin_path);
		if (e)
			log_err("cannot unpin the retired maps in %s/retired: %s", d->cfg.pin_path,
				strerror(-e));
		else
			d->retired_pending = false;
	}
}

static void write_report(struct daemon *d, bool final)
{
	const struct pdtt_snapshot *snap;
	struct pdtt_report report;
	int err = totals_read(d->totals, &snap);

	if (err) {
		log_err("cannot read the counters: %s", strerror(-err));
		return;
	}
	/*
	 * The state file first: published counters must never be ahead of it, or
	 * a crash and reboot between the two would make them go down, which
	 * Prometheus takes for a counter reset; and the usage history, which adds
	 * what the totals counted beyond what it holds, must never find them
	 * lower after a crash.
	 */
	save_state(d);
	usercache_begin_report(d->names);
	outputs_prepare(d->outputs, snap, totals_kernel(d->totals), &report);
	report.final = final;
	check_overflow(d);
	outputs_write(d->outputs, &report);
	jobs_update(d->jobs, d->names, snap->taken_at);
}

static int carry_totals(struct daemon *d);
static int load_state(struct daemon *d);

/*
 * New network names need counters with more classes: new maps, with the
 * programs swapped onto them, as a restart after a layout change does. The
 * totals are saved first; the old maps' counts are then folded into the
 * baseline (carry_totals), so no count is lost or doubled. The jobs go on
 * in the new maps from their totals so far (jobs_attach).
 */
static int renew_maps(struct daemon *d, const struct pdtt_classes *classes)
{
	char err[ERRLEN];
	int rc;

	save_state(d);
	if (d->state_failing)
		return PDTT_EXIT_FAILURE;
	totals_free(d->totals);
	d->totals = NULL;
	jobs_detach(d->jobs);
	loader_close(&d->loader);
	rc = load_state(d);
	if (!rc)
		rc = loader_start(&d->cfg, classes, &d->loader, err, sizeof(err));
	if (rc) {
		log_err("reload: %s", err);
		return rc;
	}
	rc = carry_totals(d);
	if (!rc && jobs_attach(d->jobs, &d->loader) < 0)
		rc = PDTT_EXIT_FAILURE;
	if (!rc)
		log_info("reload: counting %u classes of networks on new maps",
			 classes_count(classes));
	return rc;
}

/*
 * The networks of next: CIDRs that move between names known to the counters
 * only refill the trie; a new name needs new maps (renew_maps). False when
 * the daemon cannot go on counting.
 */
static bool reload_networks(struct daemon *d, const struct pdtt_config *next)
{
	struct pdtt_classes want = d->loader.classes;
	char err[ERRLEN];

	if (classes_extend(&want, next, err, sizeof(err)) < 0) {
		log_err("reload: %s; networks stay as they were", err);
		return true;
	}
	memcpy(d->cfg.local_networks, next->local_networks, sizeof(next->local_networks));
	d->cfg.n_local_networks = next->n_local_networks;
	memcpy(d->cfg.network_names, next->network_names, sizeof(next->network_names));
	d->cfg.n_network_names = next->n_network_names;
	memcpy(d->cfg.network_cidrs, next->network_cidrs,
	       next->n_network_cidrs * sizeof(next->network_cidrs[0]));
	d->cfg.n_network_cidrs = next->n_network_cidrs;
	if (want.n != d->loader.classes.n)
		return renew_maps(d, &want) == 0;
	if (loader_set_networks(&d->loader, &d->cfg) < 0)
		log_err("reload: cannot update the networks: %s", strerror(errno));
	return true;
}

/* Apply what can change without re-attaching; say what needs a restart. */
static bool apply_reload(struct daemon *d, const struct pdtt_config *next)
{
	if (outputs_reload(d->outputs, next) < 0)
		return true;
	if (next->interval != d->cfg.interval)
		arm_timer(d->timer_fd, next->interval);
	if (next->mode != d->cfg.mode || next->max_users != d->cfg.max_users ||
	    strcmp(next->pin_path, d->cfg.pin_path) ||
	    strcmp(next->cgroup_path, d->cfg.cgroup_path) ||
	    next->n_interfaces != d->cfg.n_interfaces ||
	    memcmp(next->interfaces, d->cfg.interfaces, sizeof(next->interfaces)) ||
	    strcmp(next->state_file, d->cfg.state_file) ||
	    next->owner_tracking != d->cfg.owner_tracking || strcmp(next->jobs, d->cfg.jobs) ||
	    next->max_jobs != d->cfg.max_jobs || strcmp(next->jobs_log, d->cfg.jobs_log))
		log_warn("reload: mode, max_users, interfaces, pin_path, cgroup_path, state_file, "
			 "owner_tracking, jobs, max_jobs and jobs_log take effect "
			 "at the next restart");
	d->cfg.interval = next->interval;
	snprintf(d->cfg.log_file, sizeof(d->cfg.log_file), "%s", next->log_file);
	return reload_networks(d, next);
}

/*
 * SIGHUP: reopen the log (logrotate), forget cached names, reload the config.
 * Only a valid file changes anything: a missing one (deleted, or moved away
 * while being edited) would otherwise turn the outputs off, remove the
 * textfile and clear local_networks.
 */
static void reload(struct daemon *d)
{
	struct pdtt_config *next = malloc(sizeof(*next)); /* large: networks' CIDRs */
	char err[ERRLEN];
	int rc = next ? config_load(d->config_path, next, err, sizeof(err)) : -1;

	outputs_reopen(d->outputs);
	usercache_flush(d->names);
	if (!next)
		snprintf(err, sizeof(err), "reload: %s", strerror(ENOMEM));
	if (rc == 1)
		snprintf(err, sizeof(err), "%s does not exist", d->config_path);
	if (rc != 0) {
		log_err("%s", err);
		log_err("reload: keeping the running configuration");
		free(next);
		return;
	}
	if (!apply_reload(d, next)) {
		/* The totals are in the state file, the old maps' counts in pin_path/retired. */
		log_err("stopping: the counters for the new networks could not be made; the "
			"next start carries the totals over");
		exit(PDTT_EXIT_FAILURE);
	}
	free(next);
	log_info("reloaded %s", d->config_path);
}

/* Returns false when the daemon should stop. */
static bool handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->signal_fd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		reload(d);
		return true;
	}
	log_info("received %s: writing the final report; the pinned programs keep counting",
		 strsignal(si.ssi_signo));
	return false;
}

static void run_loop(struct daemon *d)
{
	struct pollfd fds[4] = {
		{ .fd = d->timer_fd, .events = POLLIN },
		{ .fd = d->signal_fd, .events = POLLIN },
		{ .fd = d->link_fd, .events = POLLIN },             /* poll skips it when -1 */
		{ .fd = jobs_timer_fd(d->jobs), .events = POLLIN }, /* -1: jobs off */
	};
	uint64_t expirations;

	for (;;) {
		if (poll(fds, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN && !handle_signal(d))
			break;
		if (fds[2].revents & POLLIN && netlink_drain(d->link_fd))
			loader_links_changed(&d->cfg, &d->loader);
		if (fds[3].revents & POLLIN)
			jobs_rescan(d->jobs);
		if (fds[0].revents & POLLIN &&
		    read(d->timer_fd, &expirations, sizeof(expirations)) > 0)
			write_report(d, false);
	}
	write_report(d, true);
}

static int take_lock(const char *pin_path)
{
	pid_t holder;
	int fd = pin_lock(pin_path, &holder);

	if (fd == -EWOULDBLOCK) {
		if (holder)
			log_err("another pdttd (PID %d) is running with pin_path %s", (int)holder,
				pin_path);
		else
			log_err("another pdttd is running with pin_path %s", pin_path);
	} else if (fd < 0) {
		log_err("cannot lock %s: %s", pin_path, strerror(-fd));
	}
	return fd;
}

/*
 * The state file must be writable before anything is attached, and a bad one
 * is never read as zeros: kept for inspection, and the daemon refuses to start.
 */
static int load_state(struct daemon *d)
{
	const char *path = d->cfg.state_file;
	char err[ERRLEN], aside[PDTT_PATH_MAX + 64];

	if (state_prepare_dir(path, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return PDTT_EXIT_FAILURE;
	}
	switch (state_load(path, &d->state, err, sizeof(err))) {
	case PDTT_STATE_LOADED:
		d->have_state = true;
		d->state_was_present = true;
		return 0;
	case PDTT_STATE_ABSENT:
		return 0; /* said once the start has succeeded */
	}
	log_err("%s", err);
	if (access(path, F_OK) == 0) {
		if (state_keep_aside(path, aside, sizeof(aside)) == 0)
			log_err("a copy of it is kept as %s", aside);
		else
			log_err("could not keep a copy of it: %s", strerror(errno));
	}
	log_err("not starting, so that the totals it holds are not silently lost. To go on: "
		"restore a good copy to %s, or remove it to accept losing the totals from before "
		"the last reboot (the counts pinned in the kernel are kept)",
		path);
	return PDTT_EXIT_FAILURE;
}

/*
 * Totals = baseline + kernel counters (totals.c): the baseline comes from the
 * state file and from retired maps, and a first state file is written at once.
 */
static int carry_totals(struct daemon *d)
{
	const struct totals_maps maps = {
		.counters_fd = d->loader.counters_fd,
		.buckets_fd = d->loader.buckets_fd,
		.slots_fd = d->loader.slots_fd,
		.meta_fd = d->loader.meta_fd,
		.max_entries = d->loader.max_entries,
		.meta = d->loader.meta,
		.classes = d->loader.classes,
		.lanes = PDTT_LANES, /* the loader made or kept maps of this layout */
	};
	const struct pdtt_snapshot *totals;
	struct pdtt_retired r;
	char err[ERRLEN];
	int rc = pins_open_retired(d->cfg.pin_path, &r, err, sizeof(err)), e;

	if (rc) {
		log_err("%s", err);
		return rc;
	}
	e = totals_open(&d->totals, &maps, d->have_state ? &d->state : NULL, &r);
	if (!e && totals_folded_retired(d->totals))
		log_info("carried the counts of the maps in %s/retired (layout %u) over to the new "
			 "maps",
			 d->cfg.pin_path, r.layout_version);
	d->retired_pending = r.present;
	pins_close_retired(&r);
	if (!e)
		e = totals_read(d->totals, &totals);
	if (e) {
		log_err("cannot read the counters: %s", strerror(-e));
		return PDTT_EXIT_FAILURE;
	}
	save_state(d);
	/* The totals hold the baseline now. */
	state_free(&d->state);
	d->have_state = false;
	return 0;
}

/*
 * The classes the counters have: those of the pinned maps, or of the state
 * file (after a reboot; tables only grow, so the wider holds the other),
 * with the names of networks they lack appended.
 */
static int plan_classes(struct daemon *d, struct pdtt_classes *out, char *err, size_t errlen)
{
	struct pdtt_classes pinned = { 0 };
	struct pinned_maps p;

	if (pins_inspect(d->cfg.pin_path, &p, err, errlen) == 0 && p.has_counters)
		pins_read_classes(d->cfg.pin_path, p.counters_info.value_size,
				  pdtt_lanes_of_layout(p.version), &pinned);
	*out = *classes_wider(&pinned, d->have_state ? &d->state.baseline.classes : &pinned);
	if (classes_extend(out, &d->cfg, err, errlen) < 0)
		return PDTT_EXIT_CONFIG;
	return 0;
}

/* Everything up to attaching; any failure here leaves nothing attached. */
static int start(struct daemon *d)
{
	struct pdtt_classes classes;
	const struct pdtt_snapshot *snap;
	char err[ERRLEN];
	int rc;

	/*
	 * Signals first: a SIGTERM while starting is then answered once started
	 * (final report and state file, exit 0), not by the default action.
	 */
	d->signal_fd = open_signal_fd();
	if (d->signal_fd < 0) {
		log_err("cannot set up signal handling: %s", strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	rc = ensure_pin_dir(d->cfg.pin_path, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc == PDTT_PIN_NOT_ON_BPFFS ? PDTT_EXIT_CONFIG : PDTT_EXIT_FAILURE;
	}
	if (take_lock(d->cfg.pin_path) < 0)
		return PDTT_EXIT_RUNNING;
	d->outputs = outputs_open(&d->cfg, d->foreground ? stdout : NULL, err, sizeof(err));
	if (!d->outputs) {
		log_err("%s", err);
		return PDTT_EXIT_FAILURE;
	}
	rc = load_state(d);
	if (rc)
		return rc;
	/* Before attaching: an interface that appears meanwhile is then not missed. */
	if (d->cfg.mode == PDTT_CONFIG_MODE_TC) {
		d->link_fd = netlink_link_monitor();
		if (d->link_fd < 0) {
			log_err("cannot watch the network interfaces: %s", strerror(-d->link_fd));
			return PDTT_EXIT_FAILURE;
		}
	}
	rc = plan_classes(d, &classes, err, sizeof(err));
	if (!rc)
		rc = loader_start(&d->cfg, &classes, &d->loader, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		return rc;
	}
	d->names = usercache_new_async(NSS_BUDGET_MS);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (!d->names || d->timer_fd < 0 || arm_timer(d->timer_fd, d->cfg.interval) < 0) {
		log_err("cannot set up the report loop: %s", strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	rc = carry_totals(d);
	if (rc)
		return rc;
	d->jobs = jobs_open(&d->cfg, &d->loader, err, sizeof(err));
	if (d->cfg.jobs[0] && !d->jobs) {
		log_err("%s", err);
		return PDTT_EXIT_FAILURE;
	}
	/* The first interval starts now. */
	rc = totals_read(d->totals, &snap);
	if (rc) {
		log_err("cannot read the counters: %s", strerror(-rc));
		return PDTT_EXIT_FAILURE;
	}
	outputs_start(d->outputs, snap, totals_kernel(d->totals), d->names);
	return 0;
}

static void stop(struct daemon *d)
{
	state_free(&d->state);
	jobs_close(d->jobs);
	totals_free(d->totals);
	outputs_close(d->outputs);
	usercache_free(d->names);
	loader_close(&d->loader);
	if (d->link_fd >= 0)
		close(d->link_fd);
}

static int run_daemon(struct daemon *d)
{
	int rc = start(d);

	if (rc == 0) {
		log_info("%s", loader_attribution(&d->cfg, &d->loader));
		if (!d->state_was_present)
			log_info("state file %s did not exist: totals start from the pinned "
				 "counters",
				 d->cfg.state_file);
		log_info("counting in %s mode; reports every %d s to %s",
			 config_mode_name(d->cfg.mode), d->cfg.interval, d->cfg.log_file);
		if (!d->foreground)
			outputs_before_fork(d->outputs);
		if (!d->foreground && daemon(0, 0) < 0) {
			log_err("cannot detach from the terminal: %s", strerror(errno));
			rc = PDTT_EXIT_FAILURE;
		} else {
			log_to_syslog(!d->foreground);
			if (usercache_start_worker(d->names) < 0)
				log_warn("cannot start the username lookup thread (%s): names are "
					 "looked up in the report loop",
					 strerror(errno));
			/*
			 * Under systemd (Type=notify, pdttd -f) the start
			 * succeeds only now, once counting runs: an error
			 * before is the main process's exit status, which
			 * RestartPreventExitStatus= sees. A no-op elsewhere.
			 */
			sd_notifyf(0, "READY=1\nSTATUS=counting in %s mode",
				   config_mode_name(d->cfg.mode));
			run_loop(d);
			sd_notify(0, "STOPPING=1");
		}
	}
	stop(d);
	return rc;
}

/*
 * The pin_path --unload removes, said with where it comes from: --pin-path,
 * else the configuration, else (missing or invalid file) the default. Package
 * removal relies on this: a configuration an admin broke must not leave the
 * programs attached.
 */
static int unload_pin_path(const struct pdttd_options *opts, struct pdtt_config *cfg)
{
	char err[ERRLEN];
	int rc;

	if (opts->pin_path) {
		config_defaults(cfg);
		if ((size_t)snprintf(cfg->pin_path, sizeof(cfg->pin_path), "%s", opts->pin_path) >=
		    sizeof(cfg->pin_path)) {
			log_err("--pin-path %s is too long: at most %zu bytes", opts->pin_path,
				sizeof(cfg->pin_path) - 1);
			return PDTT_EXIT_USAGE;
		}
		log_info("unloading pin_path %s (from --pin-path)", cfg->pin_path);
		return 0;
	}
	rc = config_load(opts->config_path, cfg, err, sizeof(err));
	if (rc < 0) {
		config_defaults(cfg);
		log_warn("%s", err);
		log_info("unloading pin_path %s (the default: %s is invalid; use --pin-path if "
			 "pdttd used another one)",
			 cfg->pin_path, opts->config_path);
	} else if (rc == 1) {
		log_info("unloading pin_path %s (the default: %s does not exist)", cfg->pin_path,
			 opts->config_path);
	} else {
		log_info("unloading pin_path %s (from %s)", cfg->pin_path, opts->config_path);
	}
	return 0;
}

static int unload(const struct pdtt_config *cfg)
{
	char err[ERRLEN];
	int rc;

	if (access(cfg->pin_path, F_OK) == 0 && take_lock(cfg->pin_path) < 0) {
		log_err("stop pdttd before --unload");
		return PDTT_EXIT_RUNNING;
	}
	rc = loader_unload(cfg->pin_path, err, sizeof(err));
	if (rc)
		log_err("%s", err);
	else
		log_info("detached pdtt's programs and removed %s", cfg->pin_path);
	return rc;
}

int main(int argc, char **argv)
{
	struct pdttd_options opts;
	struct daemon d = { .timer_fd = -1, .signal_fd = -1, .link_fd = -1 };
	int rc = pdttd_options_parse(argc, argv, SYSCONFDIR "/pdtt.conf", &opts, stderr);

	if (rc)
		return rc;
	if (opts.action == PDTT_ACTION_HELP) {
		pdttd_options_usage(stdout, SYSCONFDIR "/pdtt.conf");
		return PDTT_EXIT_OK;
	}
	if (opts.action == PDTT_ACTION_VERSION) {
		printf("pdttd %s\n", PACKAGE_VERSION);
		return PDTT_EXIT_OK;
	}
	/*
	 * A fixed mmap threshold: glibc otherwise raises it as large blocks are
	 * freed, and the buffers a report of many UIDs grows (name cache,
	 * snapshot) then stay resident in the heap as holes after they are freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	d.config_path = opts.config_path;
	d.foreground = opts.foreground;
	if (opts.action == PDTT_ACTION_UNLOAD)
		rc = unload_pin_path(&opts, &d.cfg);
	else if (read_config(d.config_path, &d.cfg) < 0)
		rc = PDTT_EXIT_CONFIG;
	if (rc)
		return rc;
	if (opts.action == PDTT_ACTION_CHECK_CONFIG) {
		config_print(stdout, &d.cfg);
		return PDTT_EXIT_OK;
	}
	if (geteuid() != 0) {
		log_err("must run as root: it loads eBPF programs and pins them in %s",
			d.cfg.pin_path);
		return PDTT_EXIT_NOPERM;
	}
	loader_init_libbpf_logging();
	if (opts.action == PDTT_ACTION_UNLOAD)
		return unload(&d.cfg);
	return run_daemon(&d);
}
