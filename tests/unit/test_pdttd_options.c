// SPDX-License-Identifier: GPL-2.0-or-later
/* pdttd's command line: every option, and every usage error's message. */
#include <stdlib.h>
#include "check.h"
#include "exitcodes.h"
#include "pdttd_options.h"

#define DEFAULT_CONF "/etc/pdtt.conf"

/* Parse a NULL-terminated argument list; err receives what pdttd would print. */
static int parse(struct pdttd_options *opts, char *errbuf, size_t errlen, char **argv)
{
	int argc = 0;
	FILE *err = fmemopen(errbuf, errlen, "w");
	int rc;

	while (argv[argc])
		argc++;
	rc = pdttd_options_parse(argc, argv, DEFAULT_CONF, opts, err);
	fclose(err);
	return rc;
}

#define ARGV(...) ((char *[]){ "pdttd", __VA_ARGS__, NULL })

static void test_defaults(void)
{
	struct pdttd_options o;
	char err[256] = "";

	CHECK(parse(&o, err, sizeof(err), (char *[]){ "pdttd", NULL }) == 0);
	CHECK_STR_EQ(o.config_path, DEFAULT_CONF);
	CHECK(!o.foreground);
	CHECK(o.action == PDTT_ACTION_RUN);
	CHECK(o.pin_path == NULL);
	CHECK_STR_EQ(err, "");
}

/* --pin-path: what --unload removes when the configuration cannot say. */
static void test_pin_path(void)
{
	struct pdttd_options o;
	char err[256] = "";

	CHECK(parse(&o, err, sizeof(err), ARGV("--unload", "--pin-path", "/sys/fs/bpf/x")) == 0);
	CHECK(o.action == PDTT_ACTION_UNLOAD);
	CHECK_STR_EQ(o.pin_path, "/sys/fs/bpf/x");
	CHECK(parse(&o, err, sizeof(err), ARGV("--pin-path=/p", "-c", "/c.conf", "--unload")) == 0);
	CHECK_STR_EQ(o.pin_path, "/p");
	CHECK_STR_EQ(o.config_path, "/c.conf");
	CHECK(parse(&o, err, sizeof(err), ARGV("--unload")) == 0);
	CHECK(o.pin_path == NULL);
	CHECK(parse(&o, err, sizeof(err), ARGV("--pin-path", "/p")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: --pin-path goes with --unload only (pdttd takes pin_path from "
			  "the configuration); try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("--check-config", "--pin-path=/p")) ==
	      PDTT_EXIT_USAGE);
	CHECK(parse(&o, err, sizeof(err), ARGV("--unload", "--pin-path", "rel/p")) ==
	      PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: --pin-path rel/p: expected an absolute path\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("--unload", "--pin-path")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: option --pin-path needs an argument; try 'pdttd --help'\n");
}

static void test_each_option(void)
{
	struct pdttd_options o;
	char err[256] = "";

	CHECK(parse(&o, err, sizeof(err), ARGV("-c", "/tmp/x.conf", "-f")) == 0);
	CHECK_STR_EQ(o.config_path, "/tmp/x.conf");
	CHECK(o.foreground);
	CHECK(parse(&o, err, sizeof(err), ARGV("--config=/a.conf", "--foreground")) == 0);
	CHECK_STR_EQ(o.config_path, "/a.conf");
	CHECK(o.foreground);
	CHECK(parse(&o, err, sizeof(err), ARGV("--check-config")) == 0);
	CHECK(o.action == PDTT_ACTION_CHECK_CONFIG);
	CHECK(parse(&o, err, sizeof(err), ARGV("--unload", "-c", "/b.conf")) == 0);
	CHECK(o.action == PDTT_ACTION_UNLOAD);
	CHECK_STR_EQ(o.config_path, "/b.conf");
	CHECK(parse(&o, err, sizeof(err), ARGV("-V")) == 0);
	CHECK(o.action == PDTT_ACTION_VERSION);
	CHECK(parse(&o, err, sizeof(err), ARGV("--version")) == 0);
	CHECK(o.action == PDTT_ACTION_VERSION);
	CHECK(parse(&o, err, sizeof(err), ARGV("-h")) == 0);
	CHECK(o.action == PDTT_ACTION_HELP);
	CHECK(parse(&o, err, sizeof(err), ARGV("--help")) == 0);
	CHECK(o.action == PDTT_ACTION_HELP);
}

static void test_usage_errors(void)
{
	struct pdttd_options o;
	char err[256];

	CHECK(parse(&o, err, sizeof(err), ARGV("--bogus")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: unknown option --bogus; try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("-x")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: unknown option -x; try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("-c")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: option -c needs an argument; try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("--config")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: option --config needs an argument; try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("extra")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: unexpected argument 'extra'; try 'pdttd --help'\n");
	CHECK(parse(&o, err, sizeof(err), ARGV("--unload", "--check-config")) == PDTT_EXIT_USAGE);
	CHECK_STR_EQ(err, "pdttd: --check-config cannot be combined with another action\n");
}

int main(void)
{
	test_defaults();
	test_each_option();
	test_usage_errors();
	test_pin_path();
	return check_summary("test_pdttd_options");
}
