// SPDX-License-Identifier: GPL-2.0-or-later
/* Probing the running kernel once at start: see loader_kernel.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "exitcodes.h"
#include "loader_kernel.h"
#include "preempt_model.h"
#include "pdtt_probe.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What every counting program calls, by mode (0: both), with when it came. */
static const struct {
	enum pdtt_mode mode;
	enum bpf_prog_type prog_type;
	enum bpf_func_id helper;
	const char *what;
} helpers_needed[] = {
	{ PDTT_MODE_SOCKET, BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_sk_storage_get,
	  "bpf_sk_storage_get in cgroup_skb programs (Linux 5.2+)" },
	{ PDTT_MODE_SOCKET, BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_skc_to_tcp_request_sock,
	  "bpf_skc_to_tcp_request_sock in cgroup_skb programs (Linux 5.9+)" },
	{ PDTT_MODE_TC, BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_skc_lookup_tcp,
	  "bpf_skc_lookup_tcp in tc programs (Linux 5.2+)" },
	{ PDTT_MODE_TC, BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_sk_storage_get,
	  "bpf_sk_storage_get in tc programs (Linux 5.2+)" },
	{ PDTT_MODE_TC, BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_skc_to_tcp_request_sock,
	  "bpf_skc_to_tcp_request_sock in tc programs (Linux 5.9+)" },
};

static void unavailable(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen,
		 "this kernel lacks %s, which pdtt needs (Linux 5.10 or later has "
		 "everything; see the README's Requirements)",
		 what);
}

int loader_kernel_check(enum pdtt_mode mode, char *err, size_t errlen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

	if (!vmlinux) {
		unavailable(err, errlen,
			    "BTF type information (/sys/kernel/btf/vmlinux, from "
			    "a kernel built with CONFIG_DEBUG_INFO_BTF)");
		return PDTT_EXIT_UNAVAILABLE;
	}
	btf__free(vmlinux);
	/* 0 is a definite no; an error (no permission...) is left for the load to report. */
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_SK_STORAGE, NULL) == 0) {
		unavailable(err, errlen,
			    "socket-local storage (BPF_MAP_TYPE_SK_STORAGE, "
			    "Linux 5.2+)");
		return PDTT_EXIT_UNAVAILABLE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(helpers_needed); i++) {
		if (helpers_needed[i].mode != mode ||
		    libbpf_probe_bpf_helper(helpers_needed[i].prog_type, helpers_needed[i].helper,
					    NULL) != 0)
			continue;
		unavailable(err, errlen, helpers_needed[i].what);
		return PDTT_EXIT_UNAVAILABLE;
	}
	return 0;
}

/* Whether the kernel's BTF has every type of kind named, NULL-terminated. */
static bool have_btf(const char *const *names, int kind)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool all = vmlinux != NULL;

	for (; all && *names; names++)
		all = btf__find_by_name_kind(vmlinux, *names, kind) >= 0;
	btf__free(vmlinux);
	return all;
}

/*
 * Whether the program called name of the probe object loads (and, with
 * attach, attaches), alone. libbpf stays quiet meanwhile: a refusal here is
 * an answer, not an error to log.
 */
static bool probe_program(const char *name, bool attach)
{
	libbpf_print_fn_t print = libbpf_set_print(NULL);
	struct pdtt_probe_bpf *skel = pdtt_probe_bpf__open();
	struct bpf_program *prog, *wanted = NULL;
	bool ok = false;

	if (skel) {
		bpf_object__for_each_program(prog, skel->obj) {
			bool it = strcmp(bpf_program__name(prog), name) == 0;

			bpf_program__set_autoload(prog, it);
			if (it)
				wanted = prog;
		}
		if (wanted && pdtt_probe_bpf__load(skel) == 0) {
			struct bpf_link *link = attach ? bpf_program__attach(wanted) : NULL;

			ok = !attach || link;
			bpf_link__destroy(link);
		}
		pdtt_probe_bpf__destroy(skel);
	}
	libbpf_set_print(print);
	return ok;
}

bool loader_kernel_fetch_atomics(void)
{
	return probe_program("pdtt_probe_fetch", false);
}

static const char *const irq_kfuncs[] = { "bpf_local_irq_save", "bpf_local_irq_restore", NULL };

/* The whole file at path (gzip-compressed or not), NUL-terminated; NULL if unreadable. */
static char *read_text(const char *path)
{
	gzFile f = gzopen(path, "rb");
	size_t len = 0, size = 0;
	char *text = NULL, *more;
	int n = 1;

	while (f && n > 0) {
		if (size - len < 4096) {
			size = size * 2 + 8192;
			more = realloc(text, size);
			if (!more)
				break;
			text = more;
		}
		n = gzread(f, text + len, (unsigned int)(size - len - 1));
		if (n > 0)
			len += (size_t)n;
	}
	if (f)
		gzclose(f);
	if (!text || n < 0) {
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

/* The preemption model of the running kernel, read as preempt_model.h says. */
static enum preempt_model running_preempt_model(char *why, size_t whylen)
{
	struct utsname u;
	char boot_config[sizeof(u.release) + 32];
	char *debugfs, *cmdline, *config = NULL;
	enum preempt_model m;
	bool have_u = uname(&u) == 0;

	debugfs = read_text("/sys/kernel/debug/sched/preempt");
	cmdline = read_text("/proc/cmdline");
	if (have_u) {
		snprintf(boot_config, sizeof(boot_config), "/boot/config-%s", u.release);
		config = read_text(boot_config);
	}
	if (!config)
		config = read_text("/proc/config.gz");
	m = preempt_model_decide(&(struct preempt_sources){ have_u ? u.version : NULL, debugfs,
							    cmdline, config },
				 why, whylen);
	free(debugfs);
	free(cmdline);
	free(config);
	return m;
}

/* Lanes, if this kernel can have them: else why not. */
static bool lanes_possible(bool forced, char *why, size_t whylen)
{
	char said[192];
	enum preempt_model m;

	m = running_preempt_model(said, sizeof(said));
	if (forced) {
		snprintf(why, whylen, "PDTT_KERNEL_TX=lanes (preemption model %s: %s)",
			 preempt_model_name(m), said);
		return true;
	}
	if (preempt_model_kernel_unpreemptible(m)) {
		snprintf(why, whylen, "preemption model %s: %s", preempt_model_name(m), said);
		return true;
	}
	snprintf(why, whylen,
		 "the TX lanes' plain adds are exact only where kernel code is not preempted "
		 "(model none or voluntary), and this one's is %s: %s",
		 preempt_model_name(m), said);
	return false;
}

enum loader_tx loader_kernel_tx(char *why, size_t whylen)
{
	const char *force = getenv("PDTT_KERNEL_TX");
	bool any = !force || !force[0];
	size_t n;

	why[0] = '\0';
	if (!any && strcmp(force, "atomic") != 0 && strcmp(force, "lanes") != 0 &&
	    strcmp(force, "irq_off") != 0) {
		snprintf(why, whylen, "PDTT_KERNEL_TX=%s is none of atomic, lanes and irq_off",
			 force);
		return LOADER_TX_LOCKED;
	}
	if (!any && strcmp(force, "atomic") == 0) {
		snprintf(why, whylen, "PDTT_KERNEL_TX=atomic");
		return LOADER_TX_LOCKED;
	}
	if ((any || strcmp(force, "lanes") == 0) && lanes_possible(!any, why, whylen))
		return LOADER_TX_LANES;
	if ((any || strcmp(force, "irq_off") == 0) && have_btf(irq_kfuncs, BTF_KIND_FUNC))
		return LOADER_TX_IRQ_OFF;
	n = strlen(why);
	snprintf(why + n, whylen - n,
		 "%sthis kernel lacks the kfuncs bpf_local_irq_save and "
		 "bpf_local_irq_restore (Linux 6.14+)",
		 n ? "; " : "");
	return LOADER_TX_LOCKED;
}

static const char *const cast_kfuncs[] = { "bpf_rdonly_cast", "bpf_cast_to_kern_ctx", NULL };

/* The way asked for by PDTT_KERNEL_ACCESS, or PINS_ACCESS_UNKNOWN. */
static enum pins_access forced_access(void)
{
	const char *force = getenv("PDTT_KERNEL_ACCESS");

	if (!force)
		return PINS_ACCESS_UNKNOWN;
	if (strcmp(force, "probe") == 0)
		return PINS_ACCESS_PROBE;
	if (strcmp(force, "socket_uid") == 0)
		return PINS_ACCESS_SOCKET_UID;
	return PINS_ACCESS_UNKNOWN;
}

enum pins_access loader_kernel_access(enum pdtt_mode mode, char *why, size_t whylen, char *err,
				      size_t errlen)
{
	enum pins_access forced = forced_access();
	const char *probe = mode == PDTT_MODE_TC ? "pdtt_probe_tc" : "pdtt_probe_sock";

	why[0] = '\0';
	if (forced == PINS_ACCESS_SOCKET_UID && mode == PDTT_MODE_TC) {
		snprintf(err, errlen, "PDTT_KERNEL_ACCESS=socket_uid is for socket mode only");
		return PINS_ACCESS_UNKNOWN;
	}
	if (forced == PINS_ACCESS_UNKNOWN && have_btf(cast_kfuncs, BTF_KIND_FUNC))
		return PINS_ACCESS_CAST;
	if (forced == PINS_ACCESS_UNKNOWN)
		snprintf(why, whylen,
			 "this kernel lacks the kfuncs bpf_rdonly_cast and "
			 "bpf_cast_to_kern_ctx (Linux 6.2+)");
	else
		snprintf(why, whylen, "PDTT_KERNEL_ACCESS=%s", getenv("PDTT_KERNEL_ACCESS"));
	if (forced != PINS_ACCESS_SOCKET_UID && probe_program(probe, false))
		return PINS_ACCESS_PROBE;
	if (mode == PDTT_MODE_SOCKET) {
		if (forced == PINS_ACCESS_UNKNOWN)
			snprintf(why, whylen,
				 "this kernel lacks the kfunc bpf_rdonly_cast (Linux "
				 "6.2+) and refuses bpf_probe_read_kernel in cgroup_skb programs "
				 "(kernel lockdown?)");
		return PINS_ACCESS_SOCKET_UID;
	}
	snprintf(err, errlen,
		 "tc mode cannot run on this kernel: it lacks the kfuncs "
		 "bpf_rdonly_cast and bpf_cast_to_kern_ctx (Linux 6.2+) and refuses "
		 "bpf_probe_read_kernel in tc programs (kernel lockdown?, or no CAP_PERFMON); "
		 "use mode = \"socket\"");
	return PINS_ACCESS_UNKNOWN;
}

/* The kernel has the tracepoints owner tracking hooks (Linux 6.3+): their BTF types. */
static const char *const owner_tracepoints[] = { "btf_trace_sock_send_length",
						 "btf_trace_sock_recv_length", NULL };

bool loader_kernel_cast(void)
{
	return have_btf(cast_kfuncs, BTF_KIND_FUNC);
}

enum pins_owner_via loader_kernel_owner_hooks(char *why, size_t whylen)
{
	/* Tests: the fexit programs, as on kernels before 6.3. */
	const char *force = getenv("PDTT_KERNEL_OWNER");
	bool fexit = force && strcmp(force, "fexit") == 0;

	why[0] = '\0';
	if (!fexit && have_btf(owner_tracepoints, BTF_KIND_TYPEDEF))
		return PINS_OWNER_TRACEPOINTS;
	if (probe_program("pdtt_probe_fexit", true))
		return PINS_OWNER_FEXIT;
	snprintf(why, whylen,
		 "this kernel lacks the sock_send_length and sock_recv_length "
		 "tracepoints (Linux 6.3+), and refuses fexit programs on inet_sendmsg that use "
		 "socket storage (Linux 5.11+, where the kernel allows fexit at all)");
	return 0;
}
