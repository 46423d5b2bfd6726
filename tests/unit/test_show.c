// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pdtt show against golden files: human units, biggest first, the buckets
 * last, --user, --bytes, the local/external columns, the state file's totals
 * after a reboot, and the JSON document (goldens_parse.sh parses it).
 */
#include <stdlib.h>
#include "check.h"
#include "fixture.h"
#include "golden.h"
#include "show.h"

#define START (FIXTURE_TIME - 86400 * 30)

static struct pdtt_snapshot totals(void)
{
	struct pdtt_snapshot s = fixture_now;

	s.accounting_start = START;
	return s;
}

static struct pdtt_show view(const struct pdtt_snapshot *t)
{
	struct pdtt_show s = {
		.totals = t,
		.as_of = FIXTURE_TIME,
		.host = "node01",
		.user_name = fixture_name,
	};

	return s;
}

static void check_human(uint64_t bytes, const char *want)
{
	char buf[32];

	show_human_bytes(buf, sizeof(buf), bytes);
	CHECK_STR_EQ(buf, want);
}

static void test_human_units(void)
{
	check_human(0, "0 B");
	check_human(1, "1 B");
	check_human(1023, "1023 B");
	check_human(1024, "1.0 KiB");
	check_human(1536, "1.5 KiB");
	check_human(1024 * 1024 - 52, "1023.9 KiB");
	check_human(1024 * 1024 - 51, "1.0 MiB"); /* 1023.95 KiB rounds up: the next unit */
	check_human(1024 * 1024, "1.0 MiB");
	check_human(1610612736ull, "1.5 GiB");
	check_human(5ull << 40, "5.0 TiB");
	check_human(1125899906842624ull * 3 / 2, "1.5 PiB");
	check_human(18446744073709551615ull, "16.0 EiB");
	check_human(12023000, "11.5 MiB");
}

/* Biggest first; equal totals by UID; the filter keeps one. */
static void test_order(void)
{
	struct pdtt_snapshot t = totals();
	struct pdtt_show s = view(&t);
	size_t order[8];
	size_t n = show_order(&s, order);

	CHECK(n == 4);
	CHECK(t.users[order[0]].uid == 4000000123u);
	CHECK(t.users[order[1]].uid == 1000);
	CHECK(t.users[order[2]].uid == 1001);
	CHECK(t.users[order[3]].uid == 0);
	s.filter = true;
	s.uid = 1001;
	CHECK(show_order(&s, order) == 1);
	CHECK(t.users[order[0]].uid == 1001);
	s.uid = 12345;
	CHECK(show_order(&s, order) == 0);
}

static void test_table(void)
{
	struct pdtt_snapshot t = totals();
	struct pdtt_show s = view(&t);

	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show.txt");
	s.exact = true;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_bytes.txt");
	s.exact = false;
	s.split = true;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_split.txt");
}

/* --by-network: a column per network; the JSON has the networks object. */
static void test_networks(void)
{
	struct pdtt_snapshot t = fixture_nets_now;
	struct pdtt_show s = view(&t);

	t.accounting_start = START;
	s.by_network = true;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_networks.txt");
	s.exact = true;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_networks_bytes.txt");
	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show_networks.json");
	/* Without --by-network, the table is as before networks. */
	s.by_network = false;
	s.exact = false;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_networks_plain.txt");
}

/* --user: that user alone, no buckets; a user who counted nothing shows zeros. */
static void test_user(void)
{
	struct pdtt_snapshot t = totals();
	struct pdtt_show s = view(&t);

	s.filter = true;
	s.uid = 1000;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_user.txt");
	s.uid = 65534;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_user_none.txt");
	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show_user_none.json");
}

/* After a reboot, before pdttd started: the state file's totals, said so. */
static void test_state_file(void)
{
	struct pdtt_snapshot t = totals();
	struct pdtt_show s = view(&t);

	s.state_file = "/var/lib/pdtt/state";
	s.pin_path = "/sys/fs/bpf/pdtt";
	s.as_of = FIXTURE_TIME - 60;
	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_state.txt");
	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show_state.json");
}

/* Nothing counted, accounting start unknown. */
static void test_empty(void)
{
	struct pdtt_snapshot t = { .taken_at = FIXTURE_TIME };
	struct pdtt_show s = view(&t);

	CHECK_OUTPUT_GOLDEN(show_table_write, &s, "show_empty.txt");
	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show_empty.json");
}

static void test_json(void)
{
	struct pdtt_snapshot t = totals();
	struct pdtt_show s = view(&t);

	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show.json");
	/* The split changes the table only: the JSON always has it. */
	s.split = true;
	CHECK_OUTPUT_GOLDEN(show_json_write, &s, "show.json");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_human_units();
	test_order();
	test_table();
	test_networks();
	test_user();
	test_state_file();
	test_empty();
	test_json();
	return check_summary("test_show");
}
