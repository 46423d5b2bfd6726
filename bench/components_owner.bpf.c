// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pieces of owner tracking's send program (pdtt_owner_send,
 * bpf/pdtt_owner.bpf.h) on the tracepoint it uses, built from pdtt's own
 * header: the caller's UID alone (read from current's credentials, as pdtt
 * does, and through bpf_get_current_uid_gid, as it did), and the socket's
 * storage alone (pdtt_record_owner_as with a fixed UID: the direct read
 * once the socket records it, as pdtt's common path). A separate object,
 * as empty_owner.bpf.c is, so that a kernel without the tracepoint still
 * loads the other pieces. Loaded with its own pin root (its maps are never
 * pdtt's).
 */
#include "pdtt_owner.bpf.h"

__u64 bench_sink;

/* Keep the value without a store on the common path (see components.bpf.c). */
static __always_inline void bench_keep(__u64 v)
{
	if (v == 0xfffffffeu)
		bench_sink++;
}

SEC("tp_btf/sock_send_length")
int bench_owner_uid_helper(__u64 *ctx)
{
	bench_keep(bpf_get_current_uid_gid());
	return 0;
}

SEC("tp_btf/sock_send_length")
int bench_owner_uid_only(__u64 *ctx)
{
	bench_keep(pdtt_current_uid());
	return 0;
}

SEC("tp_btf/sock_send_length")
int bench_owner_storage_only(__u64 *ctx)
{
	pdtt_record_owner_as((struct sock *)ctx[0], (int)ctx[1], PDTT_ACCESS_CAST,
			     PDTT_TRACKED | 4242);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
