/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counter fixtures written as data: four levels of positional braces say
 * nothing about which number is a byte count, a packet count, local or
 * external, and a swapped pair would still compile.
 *
 *   USAGE(uid, local, external)   one UID's counters
 *   USAGE_NETS(uid, local, external, campus, research)  with two networks
 *   VALUE(local, external)        a bucket's counters
 *   COUNTS(tx_bytes, tx_packets, rx_bytes, rx_packets), or NO_COUNTS
 *
 * Constant expressions, so they fill static tables too. USAGE spells out
 * VALUE's body: a macro given COUNTS(...) as an argument cannot pass it on to
 * another macro (its commas would split it).
 */
#ifndef PDTT_TEST_USAGE_H
#define PDTT_TEST_USAGE_H

#include "snapshot.h"

/* clang-format would spread each initialiser over a block. */
/* clang-format off */
#define COUNTS(tx_b, tx_p, rx_b, rx_p) \
	{ .tx_bytes = (tx_b), .tx_packets = (tx_p), .rx_bytes = (rx_b), .rx_packets = (rx_p) }
#define NO_COUNTS COUNTS(0, 0, 0, 0)

#define VALUE(local, external) \
	{ .by_class = { [PDTT_CLASS_LOCAL] = local, [PDTT_CLASS_EXTERNAL] = external } }

#define USAGE(id, local, external) \
	{ .uid = (id), \
	  .v = { .by_class = { [PDTT_CLASS_LOCAL] = local, [PDTT_CLASS_EXTERNAL] = external } } }
#define USAGE_NETS(id, local, external, campus, research) \
	{ .uid = (id), \
	  .v = { .by_class = { [PDTT_CLASS_LOCAL] = local, [PDTT_CLASS_EXTERNAL] = external, \
			       [PDTT_CLASS_FIRST_NAMED] = campus, \
			       [PDTT_CLASS_FIRST_NAMED + 1] = research } } }
/* clang-format on */

#endif /* PDTT_TEST_USAGE_H */
