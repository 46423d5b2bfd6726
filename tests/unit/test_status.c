// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt status against golden files: socket and tc mode, stopped, after a reboot. */
#include <stdlib.h>
#include "check.h"
#include "golden.h"
#include "state.h"
#include "status.h"

/* 2025-10-27 14:30:00 UTC */
#define NOW 1761575400

static const struct pins_hook socket_hooks[] = {
	{ .kind = PINS_HOOK_CGROUP, .hook = "ingress", .cgroup_id = 1, .live = true },
	{ .kind = PINS_HOOK_CGROUP, .hook = "egress", .cgroup_id = 1, .live = true },
	{ .kind = PINS_HOOK_OWNER,
	  .hook = "tp_btf sock_send_length",
	  .live = true,
	  .storage_direct = true },
	{ .kind = PINS_HOOK_OWNER,
	  .hook = "tp_btf sock_recv_length",
	  .live = true,
	  .storage_direct = true },
};

/*
 * Before Linux 6.2: the UID read with bpf_probe_read_kernel, owner
 * tracking's fexit programs without the direct read of the storage.
 */
static const struct pins_hook socket_probe_hooks[] = {
	{ .kind = PINS_HOOK_CGROUP,
	  .hook = "ingress",
	  .cgroup_id = 1,
	  .live = true,
	  .access = PINS_ACCESS_PROBE },
	{ .kind = PINS_HOOK_CGROUP,
	  .hook = "egress",
	  .cgroup_id = 1,
	  .live = true,
	  .access = PINS_ACCESS_PROBE },
	{ .kind = PINS_HOOK_OWNER, .hook = "fexit inet_sendmsg", .live = true },
	{ .kind = PINS_HOOK_OWNER, .hook = "fexit inet_recvmsg", .live = true },
};

static const struct pins_hook tc_hooks[] = {
	{ .kind = PINS_HOOK_TCX, .hook = "ingress", .ifname = "eth0", .live = true },
	{ .kind = PINS_HOOK_TCX, .hook = "egress", .ifname = "eth0", .live = true },
	{ .kind = PINS_HOOK_TCX, .hook = "ingress", .ifname = "eth1.100", .live = false },
	{ .kind = PINS_HOOK_TC_FILTER,
	  .hook = "ingress",
	  .ifname = "eth2",
	  .handle = 1,
	  .priority = 49152,
	  .live = true },
	{ .kind = PINS_HOOK_TC_FILTER,
	  .hook = "egress",
	  .ifname = "eth2",
	  .handle = 1,
	  .priority = 49152,
	  .live = false },
	{ .kind = PINS_HOOK_TC_FILTER,
	  .hook = "egress",
	  .ifname = "eth3",
	  .handle = 2,
	  .priority = 1,
	  .other_netns = true },
};

static struct pdtt_status running_socket(void)
{
	struct pdtt_status s = {
		.version = "0.1.0",
		.pin_path = "/sys/fs/bpf/pdtt",
		.now = NOW,
		.daemon_pid = 1234,
		.maps = true,
		.mode = "socket",
		.hooks = socket_hooks,
		.n_hooks = 4,
		.cgroup_id = 1,
		.cgroup_path = "/sys/fs/cgroup",
		.entries = 3,
		.capacity = 1024,
		.layout_version = 3,
		.instance_id = 0x5f3a9c0d17e2b64aull,
		.accounting_start = NOW - 86400 * 30,
		.maps_start = NOW - 86400 * 2,
		.state_file = "/var/lib/pdtt/state",
		.state = PDTT_STATE_LOADED,
		.state_saved_at = NOW - 4,
	};

	return s;
}

static void write_status(FILE *out, const struct pdtt_status *s)
{
	status_write(out, s);
}

static void test_socket(void)
{
	struct pdtt_status s = running_socket();

	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_socket.txt");
}

/* Before Linux 6.2: what the UID read and owner tracking's programs then are. */
static void test_socket_before_6_2(void)
{
	struct pdtt_status s = running_socket();

	s.hooks = socket_probe_hooks;
	s.n_hooks = sizeof(socket_probe_hooks) / sizeof(socket_probe_hooks[0]);
	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_socket_probe.txt");
}

/* Stopped, the map full, owner tracking off, a cgroup not the configured one, an old state file. */
static void test_stopped_full(void)
{
	struct pdtt_status s = running_socket();

	s.daemon_pid = 0;
	s.hooks = socket_probe_hooks;
	s.n_hooks = 2;
	s.cgroup_id = 7;
	s.entries = s.capacity = 4;
	s.state_saved_at = NOW - 3 * 86400;
	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_stopped.txt");
}

/* cgroup_path changed since pdttd attached: where the hooks are, by path. */
static void test_cgroup_elsewhere(void)
{
	struct pdtt_status s = running_socket();

	s.cgroup_id = 7;
	s.cgroup_path = "/sys/fs/cgroup/new";
	s.other_cgroup_id = 1;
	s.other_cgroup = "/sys/fs/cgroup/old";
	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_cgroup_elsewhere.txt");
}

static void test_tc(void)
{
	struct pdtt_status s = running_socket();

	s.daemon_pid = -1;
	s.mode = "tc";
	s.hooks = tc_hooks;
	s.n_hooks = sizeof(tc_hooks) / sizeof(tc_hooks[0]);
	s.retired_layout = 1;
	s.state = PDTT_STATE_ABSENT;
	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_tc.txt");
}

/* After a reboot (no pins), with a damaged state file. */
static void test_no_pins(void)
{
	struct pdtt_status s = running_socket();

	s.daemon_pid = 0;
	s.maps = false;
	s.mode = NULL;
	s.n_hooks = 0;
	s.state = PDTT_STATE_INVALID;
	s.state_error = "state file /var/lib/pdtt/state is corrupt: checksum mismatch";
	s.accounting_start = 0;
	CHECK_OUTPUT_GOLDEN(write_status, &s, "status_nopins.txt");
}

static void check_age(time_t seconds, const char *want)
{
	char buf[32];

	status_age(buf, sizeof(buf), seconds);
	CHECK_STR_EQ(buf, want);
}

static void test_age(void)
{
	check_age(-5, "0 s");
	check_age(0, "0 s");
	check_age(119, "119 s");
	check_age(120, "2 min");
	check_age(7199, "119 min");
	check_age(7200, "2 h");
	check_age(2 * 86400 - 1, "47 h");
	check_age(2 * 86400, "2 d");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_socket();
	test_socket_before_6_2();
	test_stopped_full();
	test_cgroup_elsewhere();
	test_tc();
	test_no_pins();
	test_age();
	return check_summary("test_status");
}
