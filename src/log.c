// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static bool use_syslog;

void log_to_syslog(bool enable)
{
	if (enable && !use_syslog)
		openlog("pdttd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!enable && use_syslog)
		closelog();
	use_syslog = enable;
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(priority, fmt, ap);
	} else {
		fputs("pdttd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
