// SPDX-License-Identifier: GPL-2.0-or-later
/* The pdtt command's command line, parsed with getopt_long. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "exitcodes.h"
#include "pdtt_options.h"

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "user", required_argument, NULL, 'u' },
	{ "json", no_argument, NULL, 'j' },
	{ "bytes", no_argument, NULL, 'b' },
	{ "jobs", no_argument, NULL, 'J' },
	{ "by-network", no_argument, NULL, 'N' },
	{ "csv", no_argument, NULL, 'C' },
	{ "top", required_argument, NULL, 'n' },
	{ "since", required_argument, NULL, 's' },
	{ "until", required_argument, NULL, 'U' },
	{ "5min", no_argument, NULL, '5' },
	{ "hourly", no_argument, NULL, 'H' },
	{ "daily", no_argument, NULL, 'D' },
	{ "monthly", no_argument, NULL, 'M' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void pdtt_options_usage(FILE *out, const char *default_config)
{
	fprintf(out,
		"Usage: pdtt [-c FILE] show [--jobs] [--user NAME|UID] [--json] [--bytes] [--by-network]\n"
		"       pdtt [-c FILE] status\n"
		"       pdtt [-c FILE] history [--5min|--hourly|--daily|--monthly] [--user NAME|UID]\n"
		"                      [--top N] [--since DATE] [--until DATE] [--json|--csv]\n"
		"Show what pdttd counts: per-user totals read from its pinned maps (plus the\n"
		"state file's baseline), its state, and its usage history. Reads only.\n\n"
		"Commands:\n"
		"  show                each user's totals since accounting began, biggest first\n"
		"  status              mode, hooks, interfaces, map fill, owner tracking, since when\n"
		"  history             usage per 5 minutes, hour, day or month, from history_file\n\n"
		"Options:\n"
		"  -c, --config FILE   configuration file (default: %s)\n"
		"  -u, --user NAME|UID show, history: only this user\n"
		"  -j, --json          show, history: one JSON document with exact counts\n"
		"      --csv           history: CSV with exact counts (the billing export)\n"
		"      --5min, --hourly, --daily, --monthly\n"
		"                      history: the tier to show (default: --daily)\n"
		"      --top N         history: the N biggest users over the whole range\n"
		"      --since DATE, --until DATE\n"
		"                      history: the range, both days included; DATE is\n"
		"                      YYYY-MM-DD, YYYY-MM, today, yesterday, this-month or\n"
		"                      last-month (UTC)\n"
		"  -b, --bytes         show: exact byte counts instead of KiB, MiB, GiB...\n"
		"      --jobs          show: each job's totals (jobs in pdtt.conf), newest first\n"
		"      --by-network    show: a column per network (networks in pdtt.conf)\n"
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
	else if (strcmp(word, "history") == 0)
		cli->command = PDTT_CMD_HISTORY;
	else
		return usage_error(err,
				   "unknown command '%s' (the commands are show, status and "
				   "history)",
				   word);
	*have = true;
	return 0;
}

/* --top N: a count of users, 1 to 1,000,000. */
static int parse_top(struct pdtt_cli *cli, const char *arg, FILE *err)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n < 1 || n > 1000000)
		return usage_error(err,
				   "--top '%s' is not accepted: expected a number of users "
				   "from 1 to 1000000",
				   arg);
	cli->top = (size_t)n;
	return 0;
}

/* The options of 'history'; a second tier option is an error. */
static int history_option(struct pdtt_cli *cli, int c, const char *arg, const char **tier_option,
			  FILE *err)
{
	static const char tiers[] = "5HDM";
	static const char *const names[] = { "--5min", "--hourly", "--daily", "--monthly" };
	const char *t = strchr(tiers, c);

	if (c == 'C') {
		cli->csv = true;
	} else if (c == 'n') {
		return parse_top(cli, arg, err);
	} else if (c == 's' || c == 'U') {
		if (!arg[0])
			return usage_error(err, "%s needs a date",
					   c == 's' ? "--since" : "--until");
		*(c == 's' ? &cli->since : &cli->until) = arg;
	} else if (t) {
		if (*tier_option && strcmp(*tier_option, names[t - tiers]))
			return usage_error(err,
					   "choose one of --5min, --hourly, --daily and "
					   "--monthly, not %s too",
					   names[t - tiers]);
		*tier_option = names[t - tiers];
		cli->tier = (enum usage_tier)(t - tiers);
	}
	return 0;
}

int pdtt_options_parse(int argc, char **argv, const char *default_config, struct pdtt_cli *cli,
		       FILE *err)
{
	bool have_command = false, help = false, version = false;
	const char *show_only = NULL, *history_only = NULL, *tier_option = NULL;
	int c, rc = 0;

	memset(cli, 0, sizeof(*cli));
	cli->config_path = default_config;
	cli->tier = USAGE_DAILY;
	opterr = 0; /* report errors ourselves, in one format */
	optind = 1;
	/* '-': words come in order as 1, so options may follow the command. */
	while (rc == 0 && (c = getopt_long(argc, argv, "-:c:u:jbVh", long_options, NULL)) != -1) {
		if (strchr("CnsU5HDM", c) && c) {
			history_only = argv[optind - 1];
			rc = history_option(cli, c, optarg, &tier_option, err);
			continue;
		}
		switch (c) {
		case 1:
			rc = set_command(cli, &have_command, optarg, err);
			break;
		case 'c':
			cli->config_path = optarg;
			break;
		case 'u':
			cli->user = optarg;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'b':
			cli->bytes = true;
			show_only = "--bytes";
			break;
		case 'J':
			cli->jobs = true;
			show_only = "--jobs";
			break;
		case 'N':
			cli->by_network = true;
			show_only = "--by-network";
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
	if (cli->command != PDTT_CMD_HISTORY && history_only)
		return usage_error(err, "%s is an option of 'history'", history_only);
	if (cli->command == PDTT_CMD_STATUS && (cli->user || cli->json))
		return usage_error(err, "%s is an option of 'show' and 'history'",
				   cli->user ? "--user" : "--json");
	if (cli->user && !cli->user[0])
		return usage_error(err, "%s", "--user needs a user name or UID");
	if (cli->json && cli->bytes)
		return usage_error(err, "%s",
				   "--bytes is for the table: --json always has exact counts");
	if (cli->json && cli->csv)
		return usage_error(err, "%s", "--json and --csv: choose one");
	if (cli->user && cli->top)
		return usage_error(err, "%s", "--top ranks users: it does not go with --user");
	return 0;
}
