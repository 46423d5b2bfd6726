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

struct net;
struct sock;

/* A network namespace reference (the kernel's possible_net_t). */
typedef struct {
	struct net *net;
} __attribute__((preserve_access_index)) possible_net_t;

struct sock_common {
	unsigned short skc_family;
	possible_net_t skc_net;
	struct sock *skc_listener; /* of a request socket */
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	/* sk_uid is the owner in the init user namespace: host UID, unlike
	 * bpf_get_socket_uid(), which maps it into the socket netns' userns. */
	kuid_t sk_uid;
	/* Set on sockets the kernel makes for itself (TCP RST, ICMP replies). */
	unsigned char sk_kern_sock : 1;
} __attribute__((preserve_access_index));

/* A TCP connection in its handshake: charged to the listener that owns it. */
struct request_sock {
	struct sock_common __req_common; /* __req_common.skc_listener is rsk_listener */
} __attribute__((preserve_access_index));

struct inet_request_sock {
	struct request_sock req;
} __attribute__((preserve_access_index));

struct tcp_request_sock {
	struct inet_request_sock req;
} __attribute__((preserve_access_index));

/* tc mode: the device a packet crosses and where its IP header starts. */
struct net_device {
	possible_net_t nd_net;
	unsigned short type; /* ARPHRD_* */
} __attribute__((preserve_access_index));

struct sk_buff {
	struct net_device *dev;
	unsigned char *head;
	unsigned char *data;
	__u16 network_header; /* offset from head */
} __attribute__((preserve_access_index));

/* Generic kfuncs (6.2+): view any kernel object as a read-only BTF type, and
 * a program's context as the kernel struct behind it. */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

#endif /* PDTT_KERNEL_BPF_H */
