/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pdtt history's outputs: an aligned table with a bar per row (the shape of
 * a month at a glance), one JSON document, or CSV (the billing export).
 * JSON and CSV carry exact integers; their fields are documented in pdtt(8).
 */
#ifndef PDTT_HISTORY_RENDER_H
#define PDTT_HISTORY_RENDER_H

#include <stdint.h>
#include <stdio.h>
#include "history_query.h"

struct history_view {
	const struct history_result *res;
	/* The UID's user name, or NULL when it has none. */
	const char *(*user_name)(void *names, uint32_t uid);
	void *names;
};

/* Each returns 0, or -errno when memory ran out. */
int history_table_write(FILE *out, const struct history_view *v);
int history_json_write(FILE *out, const struct history_view *v);
int history_csv_write(FILE *out, const struct history_view *v);

#endif /* PDTT_HISTORY_RENDER_H */
