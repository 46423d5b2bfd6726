/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The classes the counters are split by (see enum pdtt_class): local,
 * external, then the names of networks in the order they were first
 * counted. The table only grows: a name that leaves the configuration keeps
 * its index, and so its totals, until the totals start from zero again. So
 * any older table is a prefix of a newer one, and counts of older maps or
 * state files carry over class by class, without renumbering.
 */
#ifndef PDTT_CLASSES_H
#define PDTT_CLASSES_H

#include <stdbool.h>
#include <stddef.h>
#include "pdtt_config.h"
#include "pdtt_shared.h"

struct pdtt_classes {
	unsigned int n;                                 /* in use; 0 means the default 2 */
	char name[PDTT_CLASS_MAX][PDTT_CLASS_NAME_LEN]; /* from PDTT_CLASS_FIRST_NAMED on */
};

/* Classes in use: at least local and external. */
unsigned int classes_count(const struct pdtt_classes *c);

/* The name of class i ("local", "external", or a network's). */
const char *classes_name(const struct pdtt_classes *c, unsigned int i);

/* The index of name, or -1. */
int classes_find(const struct pdtt_classes *c, const char *name);

/*
 * Whether name may name a network: 1 to 31 lowercase letters, digits, '_' or
 * '-', starting with a letter, so that it goes into every output as it is
 * (a JSON key, a Prometheus label value, a column heading).
 */
bool classes_valid_name(const char *name);

/* Whether there are classes beyond local and external (networks are counted). */
bool classes_named(const struct pdtt_classes *c);

/*
 * Append the names cfg->networks has that c lacks. 0, or -1 when they do
 * not fit in PDTT_CLASS_MAX, with a message in err.
 */
int classes_extend(struct pdtt_classes *c, const struct pdtt_config *cfg, char *err, size_t errlen);

/* The class of cfg->network_cidrs[k]'s name in c (which classes_extend filled). */
unsigned int classes_of_cidr(const struct pdtt_classes *c, const struct pdtt_config *cfg, size_t k);

/* The longer of a and b: tables only grow, so it holds the other's names too. */
const struct pdtt_classes *classes_wider(const struct pdtt_classes *a,
					 const struct pdtt_classes *b);

#endif /* PDTT_CLASSES_H */
