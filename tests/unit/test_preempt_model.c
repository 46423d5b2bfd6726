// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The preemption model from recorded inputs: which source wins, and what
 * each says. Socket mode's plain task-lane TX adds depend on the answer.
 */
#include "check.h"
#include "preempt_model.h"

/* Recorded: this machine's 6.18 (PREEMPT_DYNAMIC, built for none). */
#define UNAME_618 "#1 SMP PREEMPT_DYNAMIC @0"
#define CONFIG_DYNAMIC_NONE                                                                 \
	"CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_NONE=y\n# CONFIG_PREEMPT_VOLUNTARY is not " \
	"set\n# CONFIG_PREEMPT is not set\n# CONFIG_PREEMPT_LAZY is not set\n"              \
	"CONFIG_PREEMPT_COUNT=y\nCONFIG_PREEMPTION=y\nCONFIG_PREEMPT_DYNAMIC=y\n"           \
	"CONFIG_PREEMPT_RCU=y\n"
/* Debian 12's 6.1: dynamic, built for voluntary. */
#define CONFIG_DEBIAN                                                                        \
	"# CONFIG_PREEMPT_NONE is not set\nCONFIG_PREEMPT_VOLUNTARY=y\n# CONFIG_PREEMPT is " \
	"not set\nCONFIG_PREEMPT_COUNT=y\nCONFIG_PREEMPTION=y\nCONFIG_PREEMPT_DYNAMIC=y\n"
/* A fully preemptible kernel that cannot be switched. */
#define CONFIG_FULL_STATIC "CONFIG_PREEMPT=y\nCONFIG_PREEMPT_COUNT=y\nCONFIG_PREEMPTION=y\n"
#define CONFIG_RT "CONFIG_PREEMPT_RT=y\nCONFIG_PREEMPTION=y\n"

static enum preempt_model decide(const char *uname_v, const char *debugfs, const char *cmdline,
				 const char *config, const char *want_why)
{
	struct preempt_sources s = { uname_v, debugfs, cmdline, config };
	char why[256];
	enum preempt_model m = preempt_model_decide(&s, why, sizeof(why));

	CHECK_STR_EQ(why, want_why);
	return m;
}

static void test_sources_in_order(void)
{
	/* Only the configuration: this machine. */
	CHECK(decide(UNAME_618, NULL, "console=ttyS0 quiet", CONFIG_DYNAMIC_NONE,
		     "the kernel was built with none by default") == PREEMPT_MODEL_NONE);
	CHECK(decide(NULL, NULL, NULL, CONFIG_DEBIAN,
		     "the kernel was built with voluntary by default") == PREEMPT_MODEL_VOLUNTARY);
	/* CONFIG_PREEMPT=y is not CONFIG_PREEMPT_COUNT or CONFIG_PREEMPT_RCU. */
	CHECK(decide(NULL, NULL, NULL, CONFIG_FULL_STATIC, "the kernel was built with full") ==
	      PREEMPT_MODEL_FULL);
	/* The command line overrides a dynamic kernel's default; the last preempt= wins. */
	CHECK(decide(UNAME_618, NULL, "quiet preempt=none preempt=full", CONFIG_DYNAMIC_NONE,
		     "preempt=full on the kernel command line") == PREEMPT_MODEL_FULL);
	/* ... but means nothing to a kernel that is not dynamic. */
	CHECK(decide(NULL, NULL, "preempt=none", CONFIG_FULL_STATIC,
		     "the kernel was built with full") == PREEMPT_MODEL_FULL);
	/* Without the configuration, the command line is believed. */
	CHECK(decide(NULL, NULL, "root=/dev/sda preempt=voluntary", NULL,
		     "preempt=voluntary on the kernel command line") == PREEMPT_MODEL_VOLUNTARY);
	/* A parameter that merely ends in preempt= is another one. */
	CHECK(decide(NULL, NULL, "nopreempt=none", CONFIG_FULL_STATIC,
		     "the kernel was built with full") == PREEMPT_MODEL_FULL);
	/* debugfs, the mode in force, beats both. */
	CHECK(decide(UNAME_618, "none voluntary (full) lazy\n", "preempt=none", CONFIG_DYNAMIC_NONE,
		     "/sys/kernel/debug/sched/preempt says full") == PREEMPT_MODEL_FULL);
	CHECK(decide(UNAME_618, "(none) voluntary full lazy\n", NULL, CONFIG_DEBIAN,
		     "/sys/kernel/debug/sched/preempt says none") == PREEMPT_MODEL_NONE);
	/* PREEMPT_RT in uname -v beats everything. */
	CHECK(decide("#1 SMP PREEMPT_RT Debian 6.1.0-rt", "(none)", "preempt=none", CONFIG_DEBIAN,
		     "uname -v says PREEMPT_RT") == PREEMPT_MODEL_RT);
	CHECK(decide(NULL, NULL, NULL, CONFIG_RT, "the kernel was built with PREEMPT_RT") ==
	      PREEMPT_MODEL_RT);
}

static void test_undecidable(void)
{
	const char *none =
		"neither uname -v, /sys/kernel/debug/sched/preempt, /proc/cmdline nor the "
		"kernel's configuration (/boot/config-RELEASE, /proc/config.gz) tells";

	CHECK(decide(NULL, NULL, NULL, NULL, none) == PREEMPT_MODEL_UNKNOWN);
	/* PREEMPT_DYNAMIC is not PREEMPT_RT; an unknown debugfs mode is not a mode. */
	CHECK(decide(UNAME_618, "none (turbo)", "quiet", "CONFIG_PREEMPT_COUNT=y\n", none) ==
	      PREEMPT_MODEL_UNKNOWN);
}

static void test_unpreemptible(void)
{
	CHECK(preempt_model_kernel_unpreemptible(PREEMPT_MODEL_NONE));
	CHECK(preempt_model_kernel_unpreemptible(PREEMPT_MODEL_VOLUNTARY));
	CHECK(!preempt_model_kernel_unpreemptible(PREEMPT_MODEL_FULL));
	CHECK(!preempt_model_kernel_unpreemptible(PREEMPT_MODEL_LAZY));
	CHECK(!preempt_model_kernel_unpreemptible(PREEMPT_MODEL_RT));
	CHECK(!preempt_model_kernel_unpreemptible(PREEMPT_MODEL_UNKNOWN));
}

int main(void)
{
	test_sources_in_order();
	test_undecidable();
	test_unpreemptible();
	return check_summary("test_preempt_model");
}
