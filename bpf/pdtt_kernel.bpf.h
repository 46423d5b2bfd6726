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
	/* Its BPF socket-local storage (pdtt_owners among it); NULL before any. */
	struct bpf_local_storage *sk_bpf_storage;
} __attribute__((preserve_access_index));

/*
 * Socket-local storage as the kernel keeps it (include/linux/bpf_local_storage.h),
 * for socket mode's direct read of pdtt_owners (pdtt_storage_cached,
 * pdtt_count.bpf.h): a socket's storage holds a small cache of its maps'
 * elements, a map's element at the map's cache_idx, and an element holds
 * its map and then the value.
 */
struct bpf_local_storage_map {
	__u16 cache_idx;
} __attribute__((preserve_access_index));

/*
 * The map's value follows smap, at offset 8 in every kernel (u8 data[]
 * __aligned(8)): PDTT_STORAGE_DATA, a constant, so that the value's fields
 * are loads at fixed offsets (a CO-RE offset of data would be an add more).
 */
struct bpf_local_storage_data {
	struct bpf_local_storage_map *smap;
} __attribute__((preserve_access_index));

#define PDTT_STORAGE_DATA 8

struct bpf_local_storage {
	struct bpf_local_storage_data *cache[16];
} __attribute__((preserve_access_index));

/*
 * The caller's credentials, for owner tracking: a kuid_t holds the UID as
 * the init user namespace sees it (kernel/user_namespace.c maps that
 * namespace one to one).
 */
struct cred {
	kuid_t uid;
} __attribute__((preserve_access_index));

struct task_struct {
	const struct cred *cred; /* current_cred(): what bpf_get_current_uid_gid() reads */
} __attribute__((preserve_access_index));

/* Owner tracking before 6.3: what the send and receive calls get. */
struct socket {
	struct sock *sk;
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

/*
 * Generic kfuncs (6.2+): view any kernel object as a read-only BTF type, and
 * a program's context as the kernel struct behind it. Weak: on older kernels
 * libbpf leaves them unresolved, and the loader does not load the programs
 * that call them (see enum pdtt_access).
 */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __weak __ksym;
extern void *bpf_cast_to_kern_ctx(void *obj) __weak __ksym;

/*
 * How a program reads the kernel structs above. Each counting program is
 * compiled once per way (a constant argument of always-inlined functions, so
 * each program holds only its own way's code) and the loader loads the
 * programs of the best way the running kernel allows, once, at start:
 * - CAST: bpf_rdonly_cast and bpf_cast_to_kern_ctx, then plain loads that
 *   the verifier checks against BTF (Linux 6.2+). The fastest.
 * - PROBE: bpf_probe_read_kernel at CO-RE offsets (5.10+; refused under
 *   kernel lockdown "confidentiality").
 * - SOCKET_UID: socket mode only, no kernel struct read at all:
 *   bpf_get_socket_uid(), whose UID is the one seen from the user namespace
 *   that owns the socket's network namespace, and which cannot tell the
 *   kernel's own control sockets (their RSTs count for root).
 */
enum pdtt_access {
	PDTT_ACCESS_CAST,
	PDTT_ACCESS_PROBE,
	PDTT_ACCESS_SOCKET_UID,
};

/*
 * ptr as a plain number: the verifier refuses arithmetic on socket and
 * context pointers, so bpf_probe_read_kernel could not reach their fields;
 * a copy of the pointer that a helper makes through the stack is a number.
 * Needs CAP_PERFMON (or root), as pdttd has.
 */
static __always_inline void *pdtt_kernel_address(const void *ptr)
{
	void *addr = 0;

	bpf_probe_read_kernel(&addr, sizeof(addr), &ptr);
	return addr;
}

/* The struct sock behind a socket the verifier knows as struct bpf_sock. */
static __always_inline struct sock *pdtt_kernel_sock(void *bsk, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return bpf_rdonly_cast(bsk, bpf_core_type_id_kernel(struct sock));
	return pdtt_kernel_address(bsk);
}

static __always_inline __u32 pdtt_sk_uid(struct sock *sk, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return sk->sk_uid.val;
	return BPF_CORE_READ(sk, sk_uid.val);
}

/* Whether sk is one of the kernel's own sockets (TCP RST, ICMP replies). */
static __always_inline bool pdtt_sk_is_kernel(struct sock *sk, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return BPF_CORE_READ_BITFIELD(sk, sk_kern_sock);
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock);
}

static __always_inline struct net *pdtt_sk_net(struct sock *sk, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return sk->__sk_common.skc_net.net;
	return BPF_CORE_READ(sk, __sk_common.skc_net.net);
}

/* tc mode: the kernel's sk_buff behind the program's context. */
static __always_inline struct sk_buff *pdtt_kernel_skb(struct __sk_buff *skb, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return bpf_cast_to_kern_ctx(skb);
	return pdtt_kernel_address(skb);
}

static __always_inline struct net_device *pdtt_skb_dev(struct sk_buff *kskb, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return kskb->dev;
	return BPF_CORE_READ(kskb, dev);
}

/* ARPHRD_* of dev, which is not NULL. */
static __always_inline unsigned short pdtt_dev_type(struct net_device *dev, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return dev->type;
	return BPF_CORE_READ(dev, type);
}

static __always_inline struct net *pdtt_dev_net(struct net_device *dev, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return dev->nd_net.net;
	return BPF_CORE_READ(dev, nd_net.net);
}

/* Where the kernel's network header is, from the start of the packet data. */
static __always_inline long pdtt_network_offset(struct sk_buff *kskb, enum pdtt_access how)
{
	if (how == PDTT_ACCESS_CAST)
		return (long)(kskb->head + kskb->network_header) - (long)kskb->data;
	return (long)(BPF_CORE_READ(kskb, head) + BPF_CORE_READ(kskb, network_header)) -
	       (long)BPF_CORE_READ(kskb, data);
}

#endif /* PDTT_KERNEL_BPF_H */
