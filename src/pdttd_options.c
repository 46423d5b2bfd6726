// SPDX-License-Identifier: GPL-2.0-or-later
/* pdttd's command line, parsed with getopt_long. */
#include <getopt.h>
#include <string.h>
#include "pdttd_options.h"
#include "exitcodes.h"

/* One option a line. */
/* clang-format off */
static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "check-config", no_argument, NULL, 'C' },
	{ "unload", no_argument, NULL, 'U' },
	{ "pin-path", required_argument, NULL, 'P' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};
/* clang-format on */

void pdttd_options_usage(FILE *out, const char *default_config)
{
	fprintf(out,
		"Usage: pdttd [OPTION]...\n"
		"Count the bytes and packets each user sends and receives, with eBPF.\n\n"
		"  -c, --config FILE   configuration file (default: %s)\n"
		"  -f, --foreground    stay in the foreground; messages and reports to the terminal\n"
		"      --check-config  validate the configuration, print it, and exit\n"
		"      --unload        detach pdtt's programs, remove its pins, and exit\n"
		"      --pin-path DIR  with --unload: the pins to remove (default: the\n"
		"                      configuration's pin_path, even if the rest is invalid)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n",
		default_config);
}

static int set_action(struct pdttd_options *opts, enum pdtt_action action, const char *name,
		      FILE *err)
{
	if (opts->action != PDTT_ACTION_RUN && opts->action != action) {
		fprintf(err, "pdttd: %s cannot be combined with another action\n", name);
		return PDTT_EXIT_USAGE;
	}
	opts->action = action;
	return 0;
}

int pdttd_options_parse(int argc, char **argv, const char *default_config,
			struct pdttd_options *opts, FILE *err)
{
	int c, rc = 0;

	memset(opts, 0, sizeof(*opts));
	opts->config_path = default_config;
	opts->action = PDTT_ACTION_RUN;
	opterr = 0; /* report errors ourselves, in one format */
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, ":c:fVh", long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts->config_path = optarg;
			break;
		case 'f':
			opts->foreground = true;
			break;
		case 'C':
			rc = set_action(opts, PDTT_ACTION_CHECK_CONFIG, "--check-config", err);
			break;
		case 'U':
			rc = set_action(opts, PDTT_ACTION_UNLOAD, "--unload", err);
			break;
		case 'P':
			opts->pin_path = optarg;
			break;
		case 'V':
			rc = set_action(opts, PDTT_ACTION_VERSION, "--version", err);
			break;
		case 'h':
			rc = set_action(opts, PDTT_ACTION_HELP, "--help", err);
			break;
		case ':':
			fprintf(err, "pdttd: option %s needs an argument; try 'pdttd --help'\n",
				argv[optind - 1]);
			rc = PDTT_EXIT_USAGE;
			break;
		default:
			fprintf(err, "pdttd: unknown option %s; try 'pdttd --help'\n",
				argv[optind - 1]);
			rc = PDTT_EXIT_USAGE;
			break;
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(err, "pdttd: unexpected argument '%s'; try 'pdttd --help'\n", argv[optind]);
		rc = PDTT_EXIT_USAGE;
	}
	if (rc == 0 && opts->pin_path && opts->action != PDTT_ACTION_UNLOAD) {
		fprintf(err, "pdttd: --pin-path goes with --unload only (pdttd takes pin_path from "
			     "the configuration); try 'pdttd --help'\n");
		rc = PDTT_EXIT_USAGE;
	}
	if (rc == 0 && opts->pin_path && opts->pin_path[0] != '/') {
		fprintf(err, "pdttd: --pin-path %s: expected an absolute path\n", opts->pin_path);
		rc = PDTT_EXIT_USAGE;
	}
	return rc;
}
