// SPDX-License-Identifier: GPL-2.0-or-later
/* The pdtt command's command line: every option, and every usage error's message. */
#include <stdlib.h>
#include "check.h"
#include "exitcodes.h"
#include "pdtt_options.h"

#define DEFAULT_CONF "/etc/pdtt.conf"

static int parse(struct pdtt_cli *cli, char *errbuf, size_t errlen, char **argv)
{
	int argc = 0;
	FILE *err = fmemopen(errbuf, errlen, "w");
	int rc;

	errbuf[0] = '\0';
	while (argv[argc])
		argc++;
	rc = pdtt_options_parse(argc, argv, DEFAULT_CONF, cli, err);
	fclose(err);
	return rc;
}

#define ARGV(...) ((char *[]){ "pdtt", __VA_ARGS__, NULL })

static void test_commands(void)
{
	struct pdtt_cli c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err), ARGV("show")) == 0);
	CHECK(c.command == PDTT_CMD_SHOW);
	CHECK_STR_EQ(c.config_path, DEFAULT_CONF);
	CHECK(!c.user && !c.json && !c.bytes);
	CHECK(parse(&c, err, sizeof(err), ARGV("status")) == 0);
	CHECK(c.command == PDTT_CMD_STATUS);
	CHECK_STR_EQ(err, "");
}

static void test_options(void)
{
	struct pdtt_cli c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err),
		    ARGV("-c", "/tmp/x.conf", "show", "--user", "alice", "--json")) == 0);
	CHECK_STR_EQ(c.config_path, "/tmp/x.conf");
	CHECK_STR_EQ(c.user, "alice");
	CHECK(c.json);
	/* Options after the command, short and long forms, = syntax. */
	CHECK(parse(&c, err, sizeof(err), ARGV("show", "-u", "1000", "-b", "--config=/a.conf")) ==
	      0);
	CHECK_STR_EQ(c.user, "1000");
	CHECK(c.bytes && !c.json);
	CHECK_STR_EQ(c.config_path, "/a.conf");
	CHECK(parse(&c, err, sizeof(err), ARGV("show", "--user=bob", "-j")) == 0);
	CHECK_STR_EQ(c.user, "bob");
	CHECK(c.json);
	CHECK(parse(&c, err, sizeof(err), ARGV("status", "--config", "/b.conf")) == 0);
	CHECK(c.command == PDTT_CMD_STATUS);
	CHECK_STR_EQ(c.config_path, "/b.conf");
	CHECK(parse(&c, err, sizeof(err), ARGV("--version")) == 0);
	CHECK(c.command == PDTT_CMD_VERSION);
	CHECK(parse(&c, err, sizeof(err), ARGV("-V")) == 0);
	CHECK(c.command == PDTT_CMD_VERSION);
	CHECK(parse(&c, err, sizeof(err), ARGV("show", "-h")) == 0);
	CHECK(c.command == PDTT_CMD_HELP);
	CHECK(parse(&c, err, sizeof(err), ARGV("--help")) == 0);
	CHECK(c.command == PDTT_CMD_HELP);
}

static void check_error(char **argv, const char *want)
{
	struct pdtt_cli c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err), argv) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, want);
}

static void test_usage_errors(void)
{
	check_error((char *[]){ "pdtt", NULL },
		    "pdtt: no command: say 'show' or 'status'; try 'pdtt --help'\n");
	check_error(ARGV("-c", "/x.conf"),
		    "pdtt: no command: say 'show' or 'status'; try 'pdtt --help'\n");
	check_error(ARGV("list"),
		    "pdtt: unknown command 'list' (the commands are show, status and history); try "
		    "'pdtt --help'\n");
	check_error(ARGV("show", "status"),
		    "pdtt: unexpected argument 'status'; try 'pdtt --help'\n");
	check_error(ARGV("show", "--bogus"), "pdtt: unknown option --bogus; try 'pdtt --help'\n");
	check_error(ARGV("show", "-x"), "pdtt: unknown option -x; try 'pdtt --help'\n");
	check_error(ARGV("show", "--user"),
		    "pdtt: option --user needs an argument; try 'pdtt --help'\n");
	check_error(ARGV("-c"), "pdtt: option -c needs an argument; try 'pdtt --help'\n");
	check_error(ARGV("status", "--json"),
		    "pdtt: --json is an option of 'show' and 'history'; try 'pdtt --help'\n");
	check_error(ARGV("status", "--user", "x"),
		    "pdtt: --user is an option of 'show' and 'history'; try 'pdtt --help'\n");
	check_error(ARGV("show", "--user="),
		    "pdtt: --user needs a user name or UID; try 'pdtt --help'\n");
	check_error(ARGV("show", "--json", "--bytes"),
		    "pdtt: --bytes is for the table: --json always has exact counts; try "
		    "'pdtt --help'\n");
}

static void test_usage_text(void)
{
	char buf[4096];
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	pdtt_options_usage(out, DEFAULT_CONF);
	fclose(out);
	CHECK(strstr(buf,
		     "Usage: pdtt [-c FILE] show [--jobs] [--user NAME|UID] [--json] [--bytes] "
		     "[--by-network]\n"));
	CHECK(strstr(buf, "(default: /etc/pdtt.conf)"));
}

/* pdtt history: the billing export's command line, and each misuse. */
static void test_history(void)
{
	struct pdtt_cli c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err),
		    ARGV("history", "--monthly", "--csv", "--since", "last-month", "--until",
			 "last-month")) == 0);
	CHECK(c.command == PDTT_CMD_HISTORY && c.tier == USAGE_MONTHLY && c.csv && !c.json);
	CHECK_STR_EQ(c.since, "last-month");
	CHECK_STR_EQ(c.until, "last-month");
	CHECK(parse(&c, err, sizeof(err), ARGV("history")) == 0);
	CHECK(c.tier == USAGE_DAILY && !c.top && !c.since && !c.user);
	CHECK(parse(&c, err, sizeof(err), ARGV("history", "--top", "10", "--hourly", "-j")) == 0);
	CHECK(c.top == 10 && c.tier == USAGE_HOURLY && c.json);
	CHECK(parse(&c, err, sizeof(err), ARGV("history", "--5min", "-u", "alice")) == 0);
	CHECK(c.tier == USAGE_5MIN && !strcmp(c.user, "alice"));
	check_error(ARGV("history", "--top", "0"),
		    "pdtt: --top '0' is not accepted: expected a number of users from 1 to 1000000; "
		    "try 'pdtt --help'\n");
	check_error(ARGV("history", "--top", "-3"),
		    "pdtt: --top '-3' is not accepted: expected a number of users from 1 to 1000000; "
		    "try 'pdtt --help'\n");
	check_error(ARGV("history", "--daily", "--monthly"),
		    "pdtt: choose one of --5min, --hourly, --daily and --monthly, not --monthly too; "
		    "try 'pdtt --help'\n");
	check_error(ARGV("history", "--csv", "--json"),
		    "pdtt: --json and --csv: choose one; try 'pdtt --help'\n");
	check_error(ARGV("history", "--top", "3", "--user", "bob"),
		    "pdtt: --top ranks users: it does not go with --user; try 'pdtt --help'\n");
	check_error(ARGV("show", "--csv"),
		    "pdtt: --csv is an option of 'history'; try 'pdtt --help'\n");
	check_error(ARGV("history", "--bytes"),
		    "pdtt: --bytes is an option of 'show'; try 'pdtt --help'\n");
	check_error(ARGV("status", "--jobs"),
		    "pdtt: --jobs is an option of 'show'; try 'pdtt --help'\n");
	check_error(ARGV("history", "--since"),
		    "pdtt: option --since needs an argument; try 'pdtt --help'\n");
}

int main(void)
{
	test_history();
	test_commands();
	test_options();
	test_usage_errors();
	test_usage_text();
	return check_summary("test_pdtt_options");
}
