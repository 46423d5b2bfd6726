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
#include <unistd.h>
#include "log.h"
#include "outputs.h"
#include "report_prom.h"

struct prom_output {
	char path[PDTT_PATH_MAX]; /* "": no prometheus_textfile */
	bool failing;             /* the last write failed, and was said */
};

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
	err = report_prom_save(p->path, buf, len);
	free(buf);
	if (err && !p->failing)
		log_err("cannot write prometheus_textfile %s: %s; retrying at each report", p->path,
			strerror(-err));
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
