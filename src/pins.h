/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What pdttd pins under pin_path, and reading it without changing anything:
 * the pins' names, the map layouts this build knows, the maps in use and
 * retired ones. The loader makes and checks its pins with these; the pdtt
 * command reads them with these, and needs no BPF program of its own.
 * Maps are opened read-only (BPF_F_RDONLY): nothing here can change a count.
 */
#ifndef PDTT_PINS_H
#define PDTT_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "classes.h"
#include "pdtt_shared.h"

/* Links (the maps' names are PDTT_PIN_* in pdtt_shared.h). */
#define PDTT_PIN_LINK_SOCK_EGRESS "link_sock_egress" /* socket mode: cgroup_skb */
#define PDTT_PIN_LINK_SOCK_INGRESS "link_sock_ingress"
/* Owner tracking: see pins_owner_links. */
#define PDTT_PIN_LINK_OWNER_SEND "link_owner_send"
#define PDTT_PIN_LINK_OWNER_RECV "link_owner_recv"
/* tc mode, tcx links: link_tc_<interface>_<ingress|egress> (see pins_tc_link_name). */
#define PDTT_PIN_LINK_TC_PREFIX "link_tc_"
/* tc mode, classic filters: what pdtt made, recorded in a hash map. */
#define PDTT_PIN_TC_RECORDS "pdtt_tc_attached"
/* Maps of another layout or size, while their counts are carried over. */
#define PDTT_PIN_RETIRING "retiring"
#define PDTT_PIN_RETIRED "retired"

/* tcx, from the 6.6 UAPI, which the 6.1 headers lack. */
#define PDTT_BPF_TCX_INGRESS 46
#define PDTT_BPF_TCX_EGRESS 47
#define PDTT_BPF_LINK_TYPE_TCX 11

/* The prefix of struct bpf_link_info that a tcx link fills (6.6+). */
struct pdtt_tcx_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	__u32 ifindex; /* 0 once the interface is gone */
	__u32 attach_type;
};

/*
 * An entry of PDTT_PIN_TC_RECORDS: the classic filter pdtt made on one
 * interface and hook. Entry {0, 0} records the network namespace, since
 * ifindexes and filters only mean something there.
 */
struct pdtt_tc_record_key {
	__u32 ifindex; /* 0: the namespace entry */
	__u32 hook;    /* BPF_TC_INGRESS or BPF_TC_EGRESS */
};

#define PDTT_TC_RECORD_QDISC 1u /* pdtt created the interface's clsact qdisc */

struct pdtt_tc_record {
	__u64 netns_dev; /* the network namespace (its nsfs inode) */
	__u64 netns_ino;
	__u32 handle; /* the filter pdtt made */
	__u32 priority;
	__u32 flags; /* PDTT_TC_RECORD_QDISC */
	char ifname[IF_NAMESIZE];
	/*
	 * The filter's program id: what tells pdtt's filter from another without
	 * CAP_SYS_ADMIN. It fills what was the tail padding, so the value size
	 * is unchanged; records of older versions hold 0 here.
	 */
	__u32 prog_id;
};
_Static_assert(sizeof(struct pdtt_tc_record) == 48, "the pinned records keep their value size");

/*
 * How the counting programs read the kernel's structs (enum pdtt_access in
 * bpf/pdtt_kernel.bpf.h): each way has its own pair of programs, and the
 * loader loads the pair of the best way the kernel allows.
 */
enum pins_access {
	PINS_ACCESS_CAST,       /* bpf_rdonly_cast, bpf_cast_to_kern_ctx (6.2+) */
	PINS_ACCESS_PROBE,      /* bpf_probe_read_kernel with CO-RE offsets */
	PINS_ACCESS_SOCKET_UID, /* socket mode: bpf_get_socket_uid */
	PINS_ACCESS_UNKNOWN,
};

/* The programs of one mode and way. */
struct pins_programs {
	enum pdtt_mode mode;
	enum pins_access access;
	const char *egress, *ingress;
};

/* The pair of mode's programs for access; NULL when the mode has none. */
const struct pins_programs *pins_programs_of(enum pdtt_mode mode, enum pins_access access);

/*
 * The way the counting program called name reads the kernel; name may be
 * cut to the 15 characters the kernel keeps. PINS_ACCESS_UNKNOWN for
 * another program.
 */
enum pins_access pins_access_of(const char *name);

/* What access means for the person reading pdtt status or the log. */
const char *pins_access_text(enum pins_access access);

/*
 * Owner tracking's links: the 6.3 tracepoints, or fexit programs on the
 * inet send and receive calls before them. One link (and pin) a hook.
 */
enum pins_owner_via {
	PINS_OWNER_TRACEPOINTS = 1,
	PINS_OWNER_FEXIT = 2,
};

struct pins_owner_link {
	enum pins_owner_via via;
	const char *pin;
	const char *prog; /* the program in each mode's object */
	/* The same without the direct read of the socket's storage, for kernels
	 * without bpf_rdonly_cast (before 6.2); NULL where prog runs on every
	 * kernel that has the hook (the tracepoints: 6.3+). */
	const char *prog_r;
	const char *kind; /* "tp_btf", "fexit" */
	const char *hook; /* the tracepoint or kernel function */
};

extern const struct pins_owner_link pins_owner_links[];
extern const size_t pins_n_owner_links;

/*
 * The pin name of the tcx link on interface ifname, hook "ingress" or
 * "egress": '.' (which bpffs refuses in a name) written %2e, '%' itself %25.
 */
void pins_tc_link_name(char *out, size_t outlen, const char *ifname, const char *hook);

/*
 * The interface and hook a tcx link pin name stands for; false when name is
 * not one. ifname has IF_NAMESIZE bytes, hook at least 8.
 */
bool pins_tc_link_parse(const char *name, char *ifname, char *hook);

/*
 * The map layouts this build can read, to migrate their counts. Every
 * layout so far stores struct pdtt_value in the counters and buckets, in
 * one lane before layout 5 and in two from it (pdtt_lanes_of_layout); a
 * layout that changes it must say here how to convert. The counters are a
 * per-CPU hash by UID up to layout 2, per-CPU slots named by the slots map
 * from layout 3.
 */
struct pins_layout {
	__u32 version;
	__u32 meta_size;
	__u32 value_size;    /* the smallest: two classes, in each lane */
	__u32 counters_type; /* enum bpf_map_type */
};

/* The maps pinned in one directory, as found. */
struct pinned_maps {
	bool present; /* any of meta, counters, buckets */
	bool has_meta, has_counters, has_buckets, has_slots;
	struct bpf_map_info meta_info, counters_info, buckets_info, slots_info;
	struct pdtt_meta meta; /* fields the layout has; the others 0 */
	const struct pins_layout *layout;
	__u32 version; /* as found, even when unknown */
};

/*
 * Look at the maps pinned in dir: which layout they have, read through the
 * meta map's own value size, so pins of any layout are never misread.
 * 0, or a PDTT_EXIT_* status with a message in err (PDTT_EXIT_NOPERM when
 * the caller may not read them).
 */
int pins_inspect(const char *dir, struct pinned_maps *p, char *err, size_t errlen);

/* The maps in use under pin_path, opened read-only. */
struct pins_maps {
	bool present;    /* counters and buckets are pinned */
	int counters_fd; /* -1 when not present */
	int buckets_fd;
	int slots_fd;                /* layout 3 and later; else -1 */
	int meta_fd;                 /* layout 3 and later; else -1 */
	unsigned int max_entries;    /* of the counters map */
	__u32 counters_id;           /* the counters map's kernel id */
	struct pdtt_classes classes; /* of the counters' values */
	struct pdtt_meta meta;       /* instance_id 0 for layout 1 */
	__u32 layout_version;
};

/*
 * Open the maps pinned in pin_path, read-only. 0 (m->present says whether
 * there are any), or a PDTT_EXIT_* status with a message in err.
 */
int pins_open_maps(const char *pin_path, struct pins_maps *m, char *err, size_t errlen);
void pins_close_maps(struct pins_maps *m);

/*
 * Maps of an older layout, or sized for another max_users, are not misread:
 * the loader moves them to pin_path/retired (still pinned, still counting
 * until the programs switch to the new maps), and their counts are folded
 * into the baseline (totals.c), saved in the state file, then the maps are
 * removed.
 */
struct pdtt_retired {
	bool present;
	int counters_fd;
	int buckets_fd;
	int slots_fd; /* layout 3 and later; else -1 */
	int meta_fd;  /* layout 3 and later; else -1 */
	unsigned int max_entries;
	__u32 layout_version;
	__u32 map_id;                /* kernel id of their counters map: unique until reboot */
	struct pdtt_classes classes; /* of their counters' values */
	struct pdtt_meta meta;       /* instance_id 0 for layout 1 */
};

/* Open pin_path/retired if there is one; 0 (r->present says) or PDTT_EXIT_* with err. */
int pins_open_retired(const char *pin_path, struct pdtt_retired *r, char *err, size_t errlen);
void pins_close_retired(struct pdtt_retired *r);

/*
 * The classes of counters of value_size bytes in lanes lanes
 * (pdtt_lanes_of_layout) pinned in dir: their names from its
 * PDTT_PIN_NETWORKS map.
 */
void pins_read_classes(const char *dir, __u32 value_size, unsigned int lanes,
		       struct pdtt_classes *c);

/* What pdtt attached, as its pins say (pdtt status). */
enum pins_hook_kind {
	PINS_HOOK_CGROUP,    /* socket mode: a cgroup_skb link */
	PINS_HOOK_TCX,       /* tc mode: a tcx link */
	PINS_HOOK_TC_FILTER, /* tc mode: a classic filter, as recorded */
	PINS_HOOK_OWNER,     /* owner tracking: a tp_btf or fexit link */
};

struct pins_hook {
	enum pins_hook_kind kind;
	char hook[40];            /* "ingress", "egress"; owner: "tp_btf sock_send_length"... */
	char ifname[IF_NAMESIZE]; /* tc */
	__u64 cgroup_id;          /* cgroup: the cgroup's id (its inode), 0 once removed */
	__u32 handle, priority;   /* classic filter */
	bool live;                /* still attached: not to a removed interface or cgroup */
	bool other_netns;         /* classic filter in another network namespace: not checked */
	enum pins_access access;  /* of the counting program attached; UNKNOWN for owner links */
	bool storage_direct;      /* owner links: the program reads sockets' storage directly */
};

/*
 * What is attached through the pins in pin_path: *hooks (malloc'ed, *n of
 * them), socket links first, then tc, then owner tracking. 0, or a
 * PDTT_EXIT_* status with a message in err.
 */
int pins_hooks(const char *pin_path, struct pins_hook **hooks, size_t *n, char *err, size_t errlen);

#endif /* PDTT_PINS_H */
