// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>
#include "classes.h"

unsigned int classes_count(const struct pdtt_classes *c)
{
	return c->n > PDTT_CLASS_DEFAULT_COUNT ? c->n : PDTT_CLASS_DEFAULT_COUNT;
}

const char *classes_name(const struct pdtt_classes *c, unsigned int i)
{
	if (i == PDTT_CLASS_LOCAL)
		return "local";
	if (i == PDTT_CLASS_EXTERNAL)
		return "external";
	return c->name[i];
}

int classes_find(const struct pdtt_classes *c, const char *name)
{
	for (unsigned int i = 0; i < classes_count(c); i++)
		if (!strcmp(classes_name(c, i), name))
			return (int)i;
	return -1;
}

bool classes_valid_name(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len < PDTT_CLASS_NAME_LEN && name[0] >= 'a' && name[0] <= 'z' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

bool classes_named(const struct pdtt_classes *c)
{
	return classes_count(c) > PDTT_CLASS_DEFAULT_COUNT;
}

int classes_extend(struct pdtt_classes *c, const struct pdtt_config *cfg, char *err, size_t errlen)
{
	c->n = classes_count(c);
	for (size_t i = 0; i < cfg->n_network_names; i++) {
		const char *name = cfg->network_names[i];

		if (classes_find(c, name) >= 0)
			continue;
		if (c->n == PDTT_CLASS_MAX) {
			snprintf(err, errlen,
				 "network \"%s\" does not fit: the counters already have %d "
				 "network names besides local and external (names removed from "
				 "networks keep their totals until the totals are reset)",
				 name, PDTT_CLASS_MAX - PDTT_CLASS_FIRST_NAMED);
			return -1;
		}
		snprintf(c->name[c->n++], PDTT_CLASS_NAME_LEN, "%s", name);
	}
	return 0;
}

unsigned int classes_of_cidr(const struct pdtt_classes *c, const struct pdtt_config *cfg, size_t k)
{
	int i = classes_find(c, cfg->network_names[cfg->network_cidrs[k].name]);

	return i < 0 ? PDTT_CLASS_EXTERNAL : (unsigned int)i;
}

const struct pdtt_classes *classes_wider(const struct pdtt_classes *a, const struct pdtt_classes *b)
{
	return classes_count(a) >= classes_count(b) ? a : b;
}
