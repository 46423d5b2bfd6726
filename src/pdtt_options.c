// SPDX-License-Identifier: GPL-2.0-or-later
/* The pdtt command's command line, parsed with getopt_long. */
#include <getopt.h>
#include <string.h>
#include "exitcodes.h"
#include "pdtt_options.h"

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "user", required_argument, NULL, 'u' },
	{ "json", no_argument, NULL, 'j' },
	{ "bytes", no_argument, NULL, 'b' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void pdtt_options_usage(FILE *out, const char *default_config)
{
	fprintf(out,
		"Usage: pdtt [-c FILE] show [--user NAME|UID] [--json] [--bytes]\n"
		"       pdtt [-c FILE] status\n"
		"Show what pdttd counts: per-user totals read from its pinned maps (plus the\n"
		"state file's baseline), and its state. Reads only: changes nothing.\n\n"
		"Commands:\n"
		"  show                each user's totals since accounting began, biggest first\n"
		"  status              mode, hooks, interfaces, map fill, owner tracking, since when\n\n"
		"Options:\n"
		"  -c, --config FILE   configuration file (default: %s)\n"
		"  -u, --user NAME|UID show: only this user\n"
		"  -j, --json          show: one JSON document with exact counts\n"
		"  -b, --bytes         show: exact byte counts instead of KiB, MiB, GiB...\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n",
		default_config);
}

static int usage_error(FILE *err, const char *fmt, const char *what)
{
	fputs("pdtt: ", err);
	fprintf(err, fmt, what);
	fputs("; try 'pdtt --help'\n", err);
	return PDTT_EXIT_USAGE;
}

static int set_command(struct pdtt_cli *cli, bool *have, const char *word, FILE *err)
{
	if (*have)
		return usage_error(err, "unexpected argument '%s'", word);
	if (strcmp(word, "show") == 0)
		cli->command = PDTT_CMD_SHOW;
	else if (strcmp(word, "status") == 0)
		cli->command = PDTT_CMD_STATUS;
	else
		return usage_error(err, "unknown command '%s' (the commands are show and status)",
				   word);
	*have = true;
	return 0;
}

int pdtt_options_parse(int argc, char **argv, const char *default_config, struct pdtt_cli *cli,
		       FILE *err)
{
	bool have_command = false, help = false, version = false;
	const char *show_only = NULL;
	int c, rc = 0;

	memset(cli, 0, sizeof(*cli));
	cli->config_path = default_config;
	opterr = 0; /* report errors ourselves, in one format */
	optind = 1;
	/* '-': words come in order as 1, so options may follow the command. */
	while (rc == 0 && (c = getopt_long(argc, argv, "-:c:u:jbVh", long_options, NULL)) != -1) {
		switch (c) {
		case 1:
			rc = set_command(cli, &have_command, optarg, err);
			break;
		case 'c':
			cli->config_path = optarg;
			break;
		case 'u':
			cli->user = optarg;
			show_only = "--user";
			break;
		case 'j':
			cli->json = true;
			show_only = "--json";
			break;
		case 'b':
			cli->bytes = true;
			show_only = "--bytes";
			break;
		case 'V':
			version = true;
			break;
		case 'h':
			help = true;
			break;
		case ':':
			rc = usage_error(err, "option %s needs an argument", argv[optind - 1]);
			break;
		default:
			rc = usage_error(err, "unknown option %s", argv[optind - 1]);
			break;
		}
	}
	if (rc)
		return rc;
	if (help || version) {
		cli->command = help ? PDTT_CMD_HELP : PDTT_CMD_VERSION;
		return 0;
	}
	if (!have_command)
		return usage_error(err, "%s", "no command: say 'show' or 'status'");
	if (cli->command != PDTT_CMD_SHOW && show_only)
		return usage_error(err, "%s is an option of 'show'", show_only);
	if (cli->user && !cli->user[0])
		return usage_error(err, "%s", "--user needs a user name or UID");
	if (cli->json && cli->bytes)
		return usage_error(err, "%s", "--bytes is for the table: --json always has exact counts");
	return 0;
}
