/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's optional outputs, the JSON lines log and the Prometheus
 * textfile, and the report view every output (the text log too) is given:
 * previous reading, host name, user names, local/external split.
 */
#ifndef PDTT_OUTPUTS_H
#define PDTT_OUTPUTS_H

#include <stddef.h>
#include "config.h"
#include "report.h"
#include "usercache.h"

struct outputs;

/*
 * Open what cfg asks for (json_log; the directory of prometheus_textfile must
 * be writable). NULL with a message in err.
 */
struct outputs *outputs_open(const struct pdtt_config *cfg, char *err, size_t errlen);
void outputs_close(struct outputs *o);

/*
 * The reading taken at start: the first interval starts here; the textfile
 * is written. Reports name users from names from now on.
 */
void outputs_start(struct outputs *o, const struct pdtt_snapshot *snap, struct usercache *names);

/* Fill r for snap: valid until outputs_write. */
void outputs_prepare(struct outputs *o, const struct pdtt_snapshot *snap, struct pdtt_report *r);

/* Write the JSON log and the textfile for r; r->now starts the next interval. */
void outputs_write(struct outputs *o, const struct pdtt_report *r);

/* SIGHUP: reopen the JSON log (logrotate). */
void outputs_reopen(struct outputs *o);

/* SIGHUP: apply json_log, prometheus_textfile and local_networks from next. */
void outputs_reload(struct outputs *o, const struct pdtt_config *next);

#endif /* PDTT_OUTPUTS_H */
