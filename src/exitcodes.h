/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exit statuses of pdttd and pdtt, documented in pdttd(8) and pdtt(8). */
#ifndef PDTT_EXITCODES_H
#define PDTT_EXITCODES_H

enum pdtt_exit {
	PDTT_EXIT_OK = 0,
	PDTT_EXIT_FAILURE = 1, /* runtime failure: BPF load/attach, log file... */
	PDTT_EXIT_CONFIG = 2,  /* invalid configuration */
	PDTT_EXIT_USAGE = 64,  /* bad command line (EX_USAGE) */
	PDTT_EXIT_NOPERM = 77, /* not root / missing capabilities; pdtt: may not read (EX_NOPERM) */
	PDTT_EXIT_UNAVAILABLE = 69, /* no BPF or no cgroup v2 on this kernel (EX_UNAVAILABLE) */
	PDTT_EXIT_RUNNING = 75,     /* another pdttd holds the pins (EX_TEMPFAIL) */
	PDTT_EXIT_NOINPUT = 66,     /* pdtt: pdttd never ran, nothing to read (EX_NOINPUT) */
	PDTT_EXIT_NOUSER = 67,      /* pdtt: --user names no user (EX_NOUSER) */
};

#endif /* PDTT_EXITCODES_H */
