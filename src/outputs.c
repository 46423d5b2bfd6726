// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "history.h"
#include "log.h"
#include "logfile.h"
#include "outputs.h"
#include "report_json.h"
#include "report_prom.h"

struct outputs {
	struct history *history;
	struct usercache *names;
	struct logfile *json;          /* NULL: no json_log */
	char prom[PDTT_PATH_MAX];      /* "": no prometheus_textfile */
	bool prom_failing;             /* the last write failed, and was said */
	bool split;
	double mono;                   /* when the report being written was read */
	char host[HOST_NAME_MAX + 1];
};

static const char *cache_name(void *names, uint32_t uid)
{
	return usercache_lookup(names, uid);
}

/* The directory that will hold path must exist and be writable: said at start. */
static int check_prom_dir(const char *path, char *err, size_t errlen)
{
	char dir[PDTT_PATH_MAX];
	size_t len = strrchr(path, '/') - path;

	snprintf(dir, sizeof(dir), "%.*s", (int)(len ? len : 1), path);
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	snprintf(err, errlen, "cannot write prometheus_textfile %s: %s: %s", path, dir,
		 strerror(errno));
	return -1;
}

struct outputs *outputs_open(const struct pdtt_config *cfg, char *err, size_t errlen)
{
	struct outputs *o = calloc(1, sizeof(*o));

	if (!o || !(o->history = history_new())) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		free(o);
		return NULL;
	}
	o->split = cfg->n_local_networks > 0;
	if (cfg->json_log[0] && !(o->json = logfile_open(cfg->json_log))) {
		snprintf(err, errlen, "cannot open json_log %s: %s", cfg->json_log,
			 strerror(errno));
		outputs_close(o);
		return NULL;
	}
	if (cfg->prometheus_textfile[0] && check_prom_dir(cfg->prometheus_textfile, err, errlen)) {
		outputs_close(o);
		return NULL;
	}
	snprintf(o->prom, sizeof(o->prom), "%s", cfg->prometheus_textfile);
	return o;
}

void outputs_close(struct outputs *o)
{
	if (!o)
		return;
	history_free(o->history);
	logfile_close(o->json);
	free(o);
}

void outputs_prepare(struct outputs *o, const struct pdtt_snapshot *snap, struct pdtt_report *r)
{
	memset(r, 0, sizeof(*r));
	o->mono = history_clock();
	history_begin(o->history, snap, o->mono, r);
	if (gethostname(o->host, sizeof(o->host)) < 0)
		snprintf(o->host, sizeof(o->host), "%s", "localhost");
	o->host[sizeof(o->host) - 1] = '\0';
	r->host = o->host;
	r->split = o->split;
	r->user_name = cache_name;
	r->names = o->names;
}

/* Format r with fmt into a buffer; NULL (said) when memory ran out. */
static char *format(void (*fmt)(FILE *, const struct pdtt_report *),
		    const struct pdtt_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *mem = open_memstream(&buf, len);

	if (!mem) {
		log_err("cannot format the report: %s", strerror(errno));
		return NULL;
	}
	fmt(mem, r);
	if (fclose(mem) != 0) {
		log_err("cannot format the report: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	return buf;
}

/* Streamed, all or nothing, as the text log. */
static void write_json(struct outputs *o, const struct pdtt_report *r)
{
	FILE *out = logfile_begin(o->json, NULL);
	int err;

	if (!out) {
		log_err("cannot format the report: %s", strerror(errno));
		return;
	}
	report_json_write(out, r);
	err = logfile_end(o->json, out);
	if (err)
		log_err("cannot write the report to %s: %s", logfile_path(o->json), strerror(-err));
}

/* A failing textfile is said once, and again when it works again. */
static void write_prom(struct outputs *o, const struct pdtt_report *r)
{
	size_t len;
	char *buf = format(report_prom_write, r, &len);
	int err;

	if (!buf)
		return;
	err = report_prom_save(o->prom, buf, len);
	free(buf);
	if (err && !o->prom_failing)
		log_err("cannot write prometheus_textfile %s: %s; retrying at each report",
			o->prom, strerror(-err));
	else if (!err && o->prom_failing)
		log_info("wrote prometheus_textfile %s again", o->prom);
	o->prom_failing = err != 0;
}

void outputs_start(struct outputs *o, const struct pdtt_snapshot *snap, struct usercache *names)
{
	struct pdtt_report r;

	o->names = names;
	outputs_prepare(o, snap, &r);
	if (o->prom[0])
		write_prom(o, &r);
	history_keep(o->history, snap, o->mono);
}

void outputs_write(struct outputs *o, const struct pdtt_report *r)
{
	if (o->json)
		write_json(o, r);
	if (o->prom[0])
		write_prom(o, r);
	if (history_keep(o->history, r->now, o->mono) < 0)
		log_err("cannot keep the reading for the next interval: %s", strerror(ENOMEM));
}

void outputs_reopen(struct outputs *o)
{
	int err = o->json ? logfile_reopen(o->json) : 0;

	if (err)
		log_err("cannot reopen %s: %s", logfile_path(o->json), strerror(-err));
}

static void reload_json(struct outputs *o, const char *path)
{
	struct logfile *json = NULL;

	if (!strcmp(path, o->json ? logfile_path(o->json) : ""))
		return;
	if (path[0] && !(json = logfile_open(path))) {
		log_err("reload: cannot open json_log %s: %s; keeping %s", path, strerror(errno),
			o->json ? logfile_path(o->json) : "none");
		return;
	}
	logfile_close(o->json);
	o->json = json;
}

/* The file pdttd stops writing is removed, or node_exporter would serve it forever. */
static void reload_prom(struct outputs *o, const char *path)
{
	char err[PDTT_PATH_MAX * 2 + 128];

	if (!strcmp(path, o->prom))
		return;
	if (path[0] && check_prom_dir(path, err, sizeof(err))) {
		log_err("reload: %s; keeping %s", err, o->prom[0] ? o->prom : "none");
		return;
	}
	if (o->prom[0] && unlink(o->prom) < 0 && errno != ENOENT)
		log_warn("reload: cannot remove %s: %s", o->prom, strerror(errno));
	snprintf(o->prom, sizeof(o->prom), "%s", path);
	o->prom_failing = false;
}

void outputs_reload(struct outputs *o, const struct pdtt_config *next)
{
	reload_json(o, next->json_log);
	reload_prom(o, next->prometheus_textfile);
	o->split = next->n_local_networks > 0;
}
