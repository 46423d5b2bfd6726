/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few kernel structs pdtt reads, as minimal CO-RE definitions: libbpf
 * relocates each field against the running kernel's BTF, so no vmlinux.h from
 * the build host is needed and the object runs on any kernel with BTF.
 */
#ifndef PDTT_KERNEL_BPF_H
#define PDTT_KERNEL_BPF_H

typedef struct {
	unsigned int val;
} kuid_t;

struct sock_common {
	unsigned short skc_family;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	/* sk_uid is the owner in the init user namespace: host UID, unlike
	 * bpf_get_socket_uid(), which maps it into the socket netns' userns. */
	kuid_t sk_uid;
	/* Set on sockets the kernel makes for itself (TCP RST, ICMP replies). */
	unsigned char sk_kern_sock : 1;
} __attribute__((preserve_access_index));

/* Generic kfunc (6.2+): view any kernel object as a read-only BTF type. */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

#endif /* PDTT_KERNEL_BPF_H */
