// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for owner tracking: empty tp_btf programs on the tracepoints the
 * owner-tracking programs use (Linux 6.3+). A separate object, so that a
 * kernel without these tracepoints still loads the other floors.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sock_send_length")
int bench_empty_send_length(void *ctx)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int bench_empty_recv_length(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
