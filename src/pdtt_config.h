/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's configuration: /etc/pdtt.conf read with libconfig, strictly validated. */
#ifndef PDTT_CONFIG_H
#define PDTT_CONFIG_H

#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include "pdtt_shared.h"

#define PDTT_INTERVAL_MIN 1
#define PDTT_INTERVAL_MAX 86400
#define PDTT_MAX_USERS_MIN 1
#define PDTT_MAX_USERS_MAX 1048576
#define PDTT_MAX_INTERFACES 64
#define PDTT_MAX_NETWORKS 256
/* networks: names (besides local and external) and CIDRs in all of them. */
#define PDTT_NETWORK_NAMES_MAX (PDTT_CLASS_MAX - PDTT_CLASS_FIRST_NAMED)
#define PDTT_NETWORK_NAME_LEN PDTT_CLASS_NAME_LEN /* with the NUL */
#define PDTT_NETWORK_CIDRS_MAX 8192
#define PDTT_PATH_MAX 4096
#define PDTT_GROUP_MAX 256
#define PDTT_MAX_JOBS_MIN 1
#define PDTT_MAX_JOBS_MAX 65536
#define PDTT_JOBS_MAX 256 /* bytes of the jobs setting */

enum pdtt_config_mode {
	PDTT_CONFIG_MODE_SOCKET,
	PDTT_CONFIG_MODE_TC,
};

/* One CIDR of local_networks or networks, parsed. */
struct pdtt_network {
	int family;              /* AF_INET or AF_INET6 */
	unsigned int name;       /* networks: its name's index in network_names */
	unsigned char addr[16];  /* network byte order; IPv4 in the first 4 bytes */
	unsigned int prefix_len; /* 0-32 or 0-128 */
	char text[64];           /* as written in the file, for printing */
};

struct pdtt_config {
	int interval; /* seconds between reports */
	char log_file[PDTT_PATH_MAX];
	char json_log[PDTT_PATH_MAX];                   /* "" = no JSON lines log */
	char prometheus_textfile[PDTT_PATH_MAX];        /* "" = no Prometheus textfile */
	char prometheus_textfile_group[PDTT_GROUP_MAX]; /* as written; "" = its directory's */
	long prometheus_textfile_gid;                   /* that group's GID; -1 = its directory's */
	enum pdtt_config_mode mode;
	unsigned int max_users; /* UID map size */
	char interfaces[PDTT_MAX_INTERFACES][16];
	size_t n_interfaces;
	struct pdtt_network local_networks[PDTT_MAX_NETWORKS];
	size_t n_local_networks;
	/*
	 * networks: named groups of CIDRs, in the order written. A name may be
	 * "local" (then local_networks is empty); never "external".
	 */
	char network_names[PDTT_NETWORK_NAMES_MAX][PDTT_NETWORK_NAME_LEN];
	size_t n_network_names;
	struct pdtt_network network_cidrs[PDTT_NETWORK_CIDRS_MAX];
	size_t n_network_cidrs;
	char pin_path[PDTT_PATH_MAX];
	char state_file[PDTT_PATH_MAX];
	char cgroup_path[PDTT_PATH_MAX];  /* "" = the cgroup v2 root from /proc/mounts */
	bool owner_tracking;              /* charge the process UID that last used a socket */
	char history_file[PDTT_PATH_MAX]; /* "" = no usage history (usage_db.h) */
	int history_period;               /* seconds between history writes */
	int history_5min_hours;           /* retention of each history tier */
	int history_hourly_days;
	int history_daily_days;
	int history_monthly_months;
	/* Per-job accounting (config_jobs.c, jobs.c); off when jobs is "". */
	char jobs[PDTT_JOBS_MAX];     /* a preset name or a regular expression */
	unsigned int max_jobs;        /* job counter slots in the kernel */
	char jobs_log[PDTT_PATH_MAX]; /* "" = no per-job JSON lines */
};

/* Fill cfg with the built-in defaults (DESIGN.md's table). */
void config_defaults(struct pdtt_config *cfg);

/*
 * Load and validate path into cfg (defaults first, then the file's keys).
 * Returns 0 on success, 1 when the file does not exist (cfg holds the defaults),
 * and -1 on any error, with one line in err naming file, line, key, value and
 * what is accepted, e.g.
 *   /etc/pdtt.conf:3: interval = 0 is out of range: expected an integer from 1 to 86400
 */
int config_load(const char *path, struct pdtt_config *cfg, char *err, size_t errlen);

/* Print cfg in pdtt.conf syntax: what --check-config shows. */
void config_print(FILE *out, const struct pdtt_config *cfg);

const char *config_mode_name(enum pdtt_config_mode mode);

#endif /* PDTT_CONFIG_H */
