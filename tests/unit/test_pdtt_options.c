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

	CHECK(parse(&c, err, sizeof(err), ARGV("-c", "/tmp/x.conf", "show", "--user", "alice",
					       "--json")) == 0);
	CHECK_STR_EQ(c.config_path, "/tmp/x.conf");
	CHECK_STR_EQ(c.user, "alice");
	CHECK(c.json);
	/* Options after the command, short and long forms, = syntax. */
	CHECK(parse(&c, err, sizeof(err), ARGV("show", "-u", "1000", "-b", "--config=/a.conf")) == 0);
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
		    "pdtt: unknown command 'list' (the commands are show and status); try "
		    "'pdtt --help'\n");
	check_error(ARGV("show", "status"), "pdtt: unexpected argument 'status'; try 'pdtt --help'\n");
	check_error(ARGV("show", "--bogus"), "pdtt: unknown option --bogus; try 'pdtt --help'\n");
	check_error(ARGV("show", "-x"), "pdtt: unknown option -x; try 'pdtt --help'\n");
	check_error(ARGV("show", "--user"),
		    "pdtt: option --user needs an argument; try 'pdtt --help'\n");
	check_error(ARGV("-c"), "pdtt: option -c needs an argument; try 'pdtt --help'\n");
	check_error(ARGV("status", "--json"), "pdtt: --json is an option of 'show'; try 'pdtt --help'\n");
	check_error(ARGV("status", "--user", "x"),
		    "pdtt: --user is an option of 'show'; try 'pdtt --help'\n");
	check_error(ARGV("show", "--user="), "pdtt: --user needs a user name or UID; try 'pdtt --help'\n");
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
	CHECK(strstr(buf, "Usage: pdtt [-c FILE] show [--user NAME|UID] [--json] [--bytes]\n"));
	CHECK(strstr(buf, "(default: /etc/pdtt.conf)"));
}

int main(void)
{
	test_commands();
	test_options();
	test_usage_errors();
	test_usage_text();
	return check_summary("test_pdtt_options");
}
