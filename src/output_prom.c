// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus textfile (prometheus_textfile), off when the key is empty:
 * replaced whole at each report, and written at start too, so that
 * node_exporter serves the counters before the first interval ends.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"
#include "log.h"
#include "outputs.h"
#include "report_prom.h"

struct prom_output {
	char path[PDTT_PATH_MAX]; /* "": no prometheus_textfile */
	long gid;                 /* prometheus_textfile_gid; -1: the directory's group */
	bool failing;             /* the last write failed, and was said */
};

/*
 * The file is 0640: node_exporter reads it through its group, the configured
 * one or else the directory's, looked up at each write so that a chgrp of the
 * directory needs no reload.
 */
static gid_t textfile_group(const struct prom_output *p)
{
	char dir[PDTT_PATH_MAX];
	size_t len = strrchr(p->path, '/') - p->path;
	struct stat st;

	if (p->gid >= 0)
		return (gid_t)p->gid;
	snprintf(dir, sizeof(dir), "%.*s", (int)(len ? len : 1), p->path);
	return stat(dir, &st) == 0 ? st.st_gid : (gid_t)-1;
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

static void *prom_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen)
{
	struct prom_output *p;

	(void)echo;
	if (cfg->prometheus_textfile[0] && check_prom_dir(cfg->prometheus_textfile, err, errlen))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		return NULL;
	}
	snprintf(p->path, sizeof(p->path), "%s", cfg->prometheus_textfile);
	p->gid = cfg->prometheus_textfile_gid;
	return p;
}

/* Format r into a buffer; NULL (said) when memory ran out. */
static char *format(const struct pdtt_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *mem = open_memstream(&buf, len);

	if (!mem) {
		log_err("cannot format the report: %s", strerror(errno));
		return NULL;
	}
	report_prom_write(mem, r);
	if (fclose(mem) != 0) {
		log_err("cannot format the report: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	return buf;
}

/* A failing textfile is said once, and again when it works again. */
static void prom_write(void *self, const struct pdtt_report *r)
{
	struct prom_output *p = self;
	size_t len;
	char *buf;
	int err;

	if (!p->path[0] || !(buf = format(r, &len)))
		return;
	err = report_prom_save(p->path, buf, len, textfile_group(p));
	free(buf);
	if (err && !p->failing)
		log_err("cannot write prometheus_textfile %s: %s; retrying at each report", p->path,
			file_error(p->path, -err));
	else if (!err && p->failing)
		log_info("wrote prometheus_textfile %s again", p->path);
	p->failing = err != 0;
}

/* The file pdttd stops writing is removed, or node_exporter would serve it forever. */
static int prom_reload(void *self, const struct pdtt_config *next)
{
	struct prom_output *p = self;
	const char *path = next->prometheus_textfile;
	char err[PDTT_PATH_MAX * 2 + 128];

	p->gid = next->prometheus_textfile_gid;
	if (!strcmp(path, p->path))
		return 0;
	if (path[0] && check_prom_dir(path, err, sizeof(err))) {
		log_err("reload: %s; keeping %s", err, p->path[0] ? p->path : "none");
		return 0;
	}
	if (p->path[0] && unlink(p->path) < 0 && errno != ENOENT)
		log_warn("reload: cannot remove %s: %s", p->path, strerror(errno));
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->failing = false;
	return 0;
}

const struct output_kind output_prom = {
	.open = prom_open,
	.start = prom_write,
	.write = prom_write,
	.reload = prom_reload,
	.close = free,
};
