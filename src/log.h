/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's own messages: stderr in the foreground, syslog (daemon facility) otherwise. */
#ifndef PDTT_LOG_H
#define PDTT_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_to_syslog(bool enable);

__attribute__((format(printf, 2, 3))) void log_msg(int priority, const char *fmt, ...);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)

#endif /* PDTT_LOG_H */
