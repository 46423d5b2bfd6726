/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's outputs: the text log, the JSON lines log and the Prometheus
 * textfile, and the report view every output is given: previous reading,
 * host name, user names, local/external split.
 *
 * Every output is one file that fills in a struct output_kind and one line in
 * OUTPUT_KINDS (outputs.c): the daemon never names an output, so adding one
 * (as the usage history, output_history.c, was) touches nothing else. The family shares the
 * interval bookkeeping (history.c) so that each output reports the same
 * interval from the same two readings.
 */
#ifndef PDTT_OUTPUTS_H
#define PDTT_OUTPUTS_H

#include <stddef.h>
#include <stdio.h>
#include "pdtt_config.h"
#include "report.h"
#include "usercache.h"

/*
 * One output. Each is always opened, configured or not, so that a SIGHUP can
 * switch it on or off without the daemon knowing which outputs exist; a
 * hook that is NULL has nothing to do at that moment.
 */
struct output_kind {
	/*
	 * At start, before anything is attached: a path that cannot be written
	 * fails here, said in err, rather than losing every report later.
	 * echo (or NULL) is where the daemon in the foreground shows reports.
	 */
	void *(*open)(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen);
	/* The reading at start, for outputs that must show something at once. */
	void (*start)(void *self, const struct pdtt_report *r);
	/*
	 * One report. A failure is logged by the output, once until it works
	 * again: the next report must still reach the others.
	 */
	void (*write)(void *self, const struct pdtt_report *r);
	/* SIGHUP, before the configuration is read: logrotate moved the file. */
	void (*reopen)(void *self);
	/* Before pdttd forks to leave the terminal: let go of what a child cannot inherit. */
	void (*before_fork)(void *self);
	/*
	 * SIGHUP, with the new configuration. -1 refuses it (said): the daemon
	 * then keeps its whole running configuration, as for a bad file.
	 */
	int (*reload)(void *self, const struct pdtt_config *next);
	void (*close)(void *self);
};

/*
 * For the outputs that append to a report log (logfile.h): the text log and
 * the JSON log differ only in format and in what a failure means.
 */
struct logfile;

/*
 * Stream r, formatted by fmt, to log and to echo (or NULL): 0, or -errno when
 * the log could not be written; 1 when r could not even be formatted (said).
 */
int output_log_write(struct logfile *log, FILE *echo,
		     void (*fmt)(FILE *, const struct pdtt_report *), const struct pdtt_report *r);

/* SIGHUP: reopen log (NULL: there is none), said on failure. */
void output_log_reopen(struct logfile *log);

/* Point *log at path ("": no log); -1 when it cannot be opened (said, with key): kept. */
int output_log_switch(struct logfile **log, const char *key, const char *path);

struct outputs;

/* Open every output for cfg; NULL with a message in err. */
struct outputs *outputs_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen);
void outputs_close(struct outputs *o);

/*
 * The reading taken at start: the first interval starts here. Reports name
 * users from names from now on. kernel: the kernel counters alone (see
 * struct pdtt_report), or NULL.
 */
void outputs_start(struct outputs *o, const struct pdtt_snapshot *snap,
		   const struct pdtt_snapshot *kernel, struct usercache *names);

/* Fill r for snap (and kernel, as outputs_start): valid until outputs_write. */
void outputs_prepare(struct outputs *o, const struct pdtt_snapshot *snap,
		     const struct pdtt_snapshot *kernel, struct pdtt_report *r);

/* Give r to every output; r->now starts the next interval. */
void outputs_write(struct outputs *o, const struct pdtt_report *r);

/* SIGHUP: reopen the logs (logrotate). */
void outputs_reopen(struct outputs *o);

/* Before pdttd forks to leave the terminal (not with -f). */
void outputs_before_fork(struct outputs *o);

/*
 * SIGHUP: apply the outputs' keys and local_networks from next; -1 when an
 * output refused them (said), and the ones after it were left as they were.
 */
int outputs_reload(struct outputs *o, const struct pdtt_config *next);

#endif /* PDTT_OUTPUTS_H */
