// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading what pdttd pinned, without changing it: see pins.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "pdtt_config.h"
#include "exitcodes.h"
#include "pins.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define META_SIZE_MAX 256

/* The smallest counter value: local and external, in one lane before layout 5. */
#define TWO_CLASSES PDTT_LANE_SIZE(PDTT_CLASS_DEFAULT_COUNT)

static const struct pins_layout layouts[] = {
	{ 1, 16, TWO_CLASSES, BPF_MAP_TYPE_PERCPU_HASH },
	{ 2, 24, TWO_CLASSES, BPF_MAP_TYPE_PERCPU_HASH },
	/* 3 differs from 4 only in the owners map, which is not migrated. */
	{ 3, sizeof(struct pdtt_meta), TWO_CLASSES, BPF_MAP_TYPE_PERCPU_ARRAY },
	/* 5 differs from 4 in its values' lanes (pdtt_lanes_of_layout). */
	{ 4, sizeof(struct pdtt_meta), TWO_CLASSES, BPF_MAP_TYPE_PERCPU_ARRAY },
	{ PDTT_LAYOUT_VERSION, sizeof(struct pdtt_meta), PDTT_VALUE_SIZE(PDTT_CLASS_DEFAULT_COUNT),
	  BPF_MAP_TYPE_PERCPU_ARRAY },
};

/* The programs' names in bpf/pdtt_socket.bpf.c and bpf/pdtt_tc.bpf.c. */
static const struct pins_programs programs[] = {
	{ PDTT_MODE_SOCKET, PINS_ACCESS_CAST, "pdtt_sock_egress", "pdtt_sock_ingress" },
	{ PDTT_MODE_SOCKET, PINS_ACCESS_PROBE, "pdtt_sockr_egress", "pdtt_sockr_ingress" },
	{ PDTT_MODE_SOCKET, PINS_ACCESS_SOCKET_UID, "pdtt_socku_egress", "pdtt_socku_ingress" },
	{ PDTT_MODE_TC, PINS_ACCESS_CAST, "pdtt_tc_egress", "pdtt_tc_ingress" },
	{ PDTT_MODE_TC, PINS_ACCESS_PROBE, "pdtt_tcr_egress", "pdtt_tcr_ingress" },
};

/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a program's name. */
#define KERNEL_NAME_MAX 15

const struct pins_programs *pins_programs_of(enum pdtt_mode mode, enum pins_access access)
{
	for (size_t i = 0; i < ARRAY_SIZE(programs); i++)
		if (programs[i].mode == mode && programs[i].access == access)
			return &programs[i];
	return NULL;
}

enum pins_access pins_access_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(programs); i++)
		if (strncmp(name, programs[i].egress, KERNEL_NAME_MAX) == 0 ||
		    strncmp(name, programs[i].ingress, KERNEL_NAME_MAX) == 0)
			return programs[i].access;
	return PINS_ACCESS_UNKNOWN;
}

const char *pins_access_text(enum pins_access access)
{
	switch (access) {
	case PINS_ACCESS_CAST:
		return "sk_uid through bpf_rdonly_cast (Linux 6.2+)";
	case PINS_ACCESS_PROBE:
		return "sk_uid through bpf_probe_read_kernel (CO-RE)";
	case PINS_ACCESS_SOCKET_UID:
		return "bpf_get_socket_uid (UIDs as the user namespace of the socket's network "
		       "namespace sees them; RSTs the kernel sends count for root)";
	case PINS_ACCESS_UNKNOWN:
		break;
	}
	return "unknown";
}

const struct pins_owner_link pins_owner_links[] = {
	{ PINS_OWNER_TRACEPOINTS, PDTT_PIN_LINK_OWNER_SEND, "pdtt_owner_send", NULL, "tp_btf",
	  "sock_send_length" },
	{ PINS_OWNER_TRACEPOINTS, PDTT_PIN_LINK_OWNER_RECV, "pdtt_owner_recv", NULL, "tp_btf",
	  "sock_recv_length" },
	{ PINS_OWNER_FEXIT, "link_owner_inet_sendmsg", "pdtt_owner_inet_send",
	  "pdtt_ownerr_inet_send", "fexit", "inet_sendmsg" },
	{ PINS_OWNER_FEXIT, "link_owner_inet6_sendmsg", "pdtt_owner_inet6_send",
	  "pdtt_ownerr_inet6_send", "fexit", "inet6_sendmsg" },
	{ PINS_OWNER_FEXIT, "link_owner_inet_recvmsg", "pdtt_owner_inet_recv",
	  "pdtt_ownerr_inet_recv", "fexit", "inet_recvmsg" },
	{ PINS_OWNER_FEXIT, "link_owner_inet6_recvmsg", "pdtt_owner_inet6_recv",
	  "pdtt_ownerr_inet6_recv", "fexit", "inet6_recvmsg" },
};

const size_t pins_n_owner_links = ARRAY_SIZE(pins_owner_links);

void pins_tc_link_name(char *out, size_t outlen, const char *ifname, const char *hook)
{
	size_t n = snprintf(out, outlen, "%s", PDTT_PIN_LINK_TC_PREFIX);

	for (const char *c = ifname; *c && n + 4 < outlen; c++) {
		if (*c == '.' || *c == '%')
			n += snprintf(out + n, outlen - n, "%%%02x", (unsigned char)*c);
		else
			out[n++] = *c;
	}
	snprintf(out + n, outlen - n, "_%s", hook);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool pins_tc_link_parse(const char *name, char *ifname, char *hook)
{
	size_t prefix = strlen(PDTT_PIN_LINK_TC_PREFIX), n = 0;
	const char *sep, *c;

	if (strncmp(name, PDTT_PIN_LINK_TC_PREFIX, prefix) != 0)
		return false;
	/* Interface names may hold '_': the hook is after the last one. */
	sep = strrchr(name + prefix, '_');
	if (!sep || sep == name + prefix ||
	    (strcmp(sep + 1, "ingress") != 0 && strcmp(sep + 1, "egress") != 0))
		return false;
	for (c = name + prefix; c < sep; c++) {
		int hi, lo;

		if (n + 1 >= IF_NAMESIZE)
			return false;
		if (*c != '%') {
			ifname[n++] = *c;
			continue;
		}
		if (sep - c < 3 || (hi = hex_digit(c[1])) < 0 || (lo = hex_digit(c[2])) < 0)
			return false;
		ifname[n++] = (char)(hi << 4 | lo);
		c += 2;
	}
	ifname[n] = '\0';
	strcpy(hook, sep + 1);
	return true;
}

static void pin_file(char *out, size_t outlen, const char *dir, const char *name)
{
	snprintf(out, outlen, "%s/%s", dir, name);
}

/* A pinned map, read-only: fd, or -1 with errno. */
static int open_map(const char *path)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);

	return bpf_obj_get_opts(path, &opts);
}

static int map_info(const char *path, bool *has, struct bpf_map_info *info, int *fd_out)
{
	__u32 len = sizeof(*info);
	int fd = open_map(path);

	memset(info, 0, sizeof(*info));
	*has = fd >= 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return 0;
}

static const struct pins_layout *layout_of(__u32 version)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
		if (layouts[i].version == version)
			return &layouts[i];
	return NULL;
}

/*
 * A counter value of l: local and external, or from layout 3 (slots) on, as
 * many classes as networks were configured (pdtt_n_classes), up to
 * PDTT_CLASS_MAX, in each of the layout's lanes.
 */
static bool value_size_ok(const struct pins_layout *l, __u32 size)
{
	__u32 lanes = pdtt_lanes_of_layout(l->version);

	if (l->counters_type != BPF_MAP_TYPE_PERCPU_ARRAY)
		return size == l->value_size;
	return size == pdtt_value_size_of(pdtt_classes_in_value(size, lanes), lanes) &&
	       size >= l->value_size && size <= pdtt_value_size_of(PDTT_CLASS_MAX, lanes);
}

/* Whether the maps found have the shape their layout version says. */
static bool shaped_as(const struct pinned_maps *p, const struct pins_layout *l)
{
	if (p->has_meta &&
	    (p->meta_info.type != BPF_MAP_TYPE_ARRAY || p->meta_info.value_size != l->meta_size))
		return false;
	if (p->has_counters && (p->counters_info.type != l->counters_type ||
				p->counters_info.key_size != sizeof(__u32) ||
				!value_size_ok(l, p->counters_info.value_size)))
		return false;
	if (p->has_slots &&
	    (l->counters_type != BPF_MAP_TYPE_PERCPU_ARRAY ||
	     p->slots_info.type != BPF_MAP_TYPE_HASH || p->slots_info.key_size != sizeof(__u32) ||
	     p->slots_info.value_size != sizeof(__u32)))
		return false;
	return !p->has_buckets ||
	       (p->buckets_info.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		p->buckets_info.key_size == sizeof(__u32) &&
		value_size_ok(l, p->buckets_info.value_size) &&
		(!p->has_counters || p->buckets_info.value_size == p->counters_info.value_size) &&
		p->buckets_info.max_entries == PDTT_BUCKET_COUNT);
}

int pins_inspect(const char *dir, struct pinned_maps *p, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 128];
	unsigned char buf[META_SIZE_MAX];
	__u32 zero = 0;
	int fd = -1, e;

	memset(p, 0, sizeof(*p));
	pin_file(path, sizeof(path), dir, PDTT_PIN_META);
	e = map_info(path, &p->has_meta, &p->meta_info, &fd);
	if (!e && p->has_meta) {
		if (p->meta_info.value_size < sizeof(__u32) ||
		    p->meta_info.value_size > META_SIZE_MAX)
			e = -EINVAL;
		else if (bpf_map_lookup_elem(fd, &zero, buf))
			e = -errno;
		close(fd);
	}
	if (!e) {
		pin_file(path, sizeof(path), dir, PDTT_PIN_COUNTERS);
		e = map_info(path, &p->has_counters, &p->counters_info, NULL);
	}
	if (!e) {
		pin_file(path, sizeof(path), dir, PDTT_PIN_BUCKETS);
		e = map_info(path, &p->has_buckets, &p->buckets_info, NULL);
	}
	if (!e) {
		pin_file(path, sizeof(path), dir, PDTT_PIN_SLOTS);
		e = map_info(path, &p->has_slots, &p->slots_info, NULL);
	}
	if (e) {
		snprintf(err, errlen, "cannot read the maps pinned in %s: %s", dir, strerror(-e));
		return e == -EPERM || e == -EACCES ? PDTT_EXIT_NOPERM : PDTT_EXIT_FAILURE;
	}
	p->present = p->has_meta || p->has_counters || p->has_buckets || p->has_slots;
	if (!p->has_meta) {
		/* Made by a start that stopped before writing meta: the current layout. */
		p->version = PDTT_LAYOUT_VERSION;
	} else {
		memcpy(&p->version, buf, sizeof(p->version));
		if (p->version == 0) /* created, never initialised: known by its size */
			for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
				if (layouts[i].meta_size == p->meta_info.value_size)
					p->version = layouts[i].version;
		memcpy(&p->meta, buf,
		       p->meta_info.value_size < sizeof(p->meta) ? p->meta_info.value_size
								 : sizeof(p->meta));
	}
	p->layout = layout_of(p->version);
	if (!p->layout) {
		snprintf(err, errlen,
			 "the maps pinned in %s have layout version %u, which this "
			 "pdttd (layout %u) does not know: they were made by a newer pdtt. Run "
			 "that version again, or 'pdttd --unload' with it to start afresh (the "
			 "counts since its last report are then lost)",
			 dir, p->version, PDTT_LAYOUT_VERSION);
		return PDTT_EXIT_FAILURE;
	}
	if (!shaped_as(p, p->layout)) {
		const char *type = libbpf_bpf_map_type_str(p->counters_info.type);

		snprintf(err, errlen,
			 "the maps pinned in %s say layout version %u but do not "
			 "have its shape (meta value %u bytes, counters a %s map of %u-byte "
			 "values): refusing to misread them; 'pdttd --unload' removes them (their "
			 "counts are lost)",
			 dir, p->version, p->meta_info.value_size, type ? type : "unknown",
			 p->counters_info.value_size);
		return PDTT_EXIT_FAILURE;
	}
	if (p->layout->counters_type == BPF_MAP_TYPE_PERCPU_ARRAY && p->has_counters &&
	    !p->has_slots && p->meta.slots_used) {
		snprintf(err, errlen,
			 "the counters pinned in %s have %u slots in use but the map "
			 "naming their UIDs (%s) is gone: refusing to count on without knowing "
			 "whose counts they are; 'pdttd --unload' removes the maps (the counts "
			 "since the last state file are lost)",
			 dir, p->meta.slots_used, PDTT_PIN_SLOTS);
		return PDTT_EXIT_FAILURE;
	}
	return 0;
}

/*
 * Open the maps found in dir that counting needs: counters and buckets, and
 * from layout 3 the slots and meta maps (else *slots_fd, *meta_fd stay -1).
 */
static int open_counters(const char *dir, const struct pinned_maps *p, int *counters_fd,
			 int *buckets_fd, int *slots_fd, int *meta_fd, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 128];
	bool slotted = p->layout->counters_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	int e;

	pin_file(path, sizeof(path), dir, PDTT_PIN_COUNTERS);
	*counters_fd = open_map(path);
	pin_file(path, sizeof(path), dir, PDTT_PIN_BUCKETS);
	*buckets_fd = open_map(path);
	if (slotted) {
		pin_file(path, sizeof(path), dir, PDTT_PIN_SLOTS);
		*slots_fd = open_map(path);
		pin_file(path, sizeof(path), dir, PDTT_PIN_META);
		*meta_fd = open_map(path);
	}
	if (*counters_fd >= 0 && *buckets_fd >= 0 &&
	    (!slotted || (*slots_fd >= 0 && *meta_fd >= 0)))
		return 0;
	e = errno;
	snprintf(err, errlen, "cannot open the maps in %s: %s", dir, strerror(e));
	return e == EPERM || e == EACCES ? PDTT_EXIT_NOPERM : PDTT_EXIT_FAILURE;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int pins_open_maps(const char *pin_path, struct pins_maps *m, char *err, size_t errlen)
{
	struct pinned_maps p;
	int rc;

	memset(m, 0, sizeof(*m));
	m->counters_fd = m->buckets_fd = m->slots_fd = m->meta_fd = -1;
	rc = pins_inspect(pin_path, &p, err, errlen);
	if (rc || !p.has_counters || !p.has_buckets)
		return rc;
	rc = open_counters(pin_path, &p, &m->counters_fd, &m->buckets_fd, &m->slots_fd, &m->meta_fd,
			   err, errlen);
	if (rc) {
		pins_close_maps(m);
		return rc;
	}
	m->present = true;
	pins_read_classes(pin_path, p.counters_info.value_size, pdtt_lanes_of_layout(p.version),
			  &m->classes);
	m->max_entries = p.counters_info.max_entries;
	m->counters_id = p.counters_info.id;
	m->meta = p.meta;
	m->layout_version = p.version;
	return 0;
}

void pins_close_maps(struct pins_maps *m)
{
	close_fd(&m->counters_fd);
	close_fd(&m->buckets_fd);
	close_fd(&m->slots_fd);
	close_fd(&m->meta_fd);
	m->present = false;
}

int pins_open_retired(const char *pin_path, struct pdtt_retired *r, char *err, size_t errlen)
{
	char dir[PDTT_PATH_MAX + 64];
	struct pinned_maps p;
	int rc;

	memset(r, 0, sizeof(*r));
	r->counters_fd = r->buckets_fd = r->slots_fd = r->meta_fd = -1;
	pin_file(dir, sizeof(dir), pin_path, PDTT_PIN_RETIRED);
	if (access(dir, F_OK) < 0)
		return 0;
	rc = pins_inspect(dir, &p, err, errlen);
	if (rc)
		return rc;
	if (!p.has_counters || !p.has_buckets) {
		snprintf(err, errlen,
			 "%s lacks the counters or buckets map of the maps it "
			 "retired; remove it to go on (their counts are lost)",
			 dir);
		return PDTT_EXIT_FAILURE;
	}
	rc = open_counters(dir, &p, &r->counters_fd, &r->buckets_fd, &r->slots_fd, &r->meta_fd, err,
			   errlen);
	if (rc) {
		pins_close_retired(r);
		return rc;
	}
	r->present = true;
	pins_read_classes(dir, p.counters_info.value_size, pdtt_lanes_of_layout(p.version),
			  &r->classes);
	r->meta = p.meta;
	r->layout_version = p.version;
	r->max_entries = p.counters_info.max_entries;
	r->map_id = p.counters_info.id;
	return 0;
}

void pins_read_classes(const char *dir, __u32 value_size, unsigned int lanes,
		       struct pdtt_classes *c)
{
	char path[PDTT_PATH_MAX + 128];
	int fd = -1;

	memset(c, 0, sizeof(*c));
	c->n = pdtt_classes_in_value(value_size, lanes);
	if (c->n > PDTT_CLASS_MAX)
		c->n = PDTT_CLASS_MAX;
	if (c->n > PDTT_CLASS_FIRST_NAMED) {
		pin_file(path, sizeof(path), dir, PDTT_PIN_NETWORKS);
		fd = open_map(path);
	}
	for (__u32 i = PDTT_CLASS_FIRST_NAMED; i < c->n; i++) {
		/* A class without its name (the map is gone) is still counted, by number. */
		bool named = fd >= 0 && !bpf_map_lookup_elem(fd, &i, c->name[i]);

		c->name[i][PDTT_CLASS_NAME_LEN - 1] = '\0';
		if (!named || !classes_valid_name(c->name[i]))
			snprintf(c->name[i], sizeof(c->name[i]), "network-%u", i);
	}
	if (fd >= 0)
		close(fd);
}

void pins_close_retired(struct pdtt_retired *r)
{
	close_fd(&r->counters_fd);
	close_fd(&r->buckets_fd);
	close_fd(&r->slots_fd);
	close_fd(&r->meta_fd);
}

/* ---- what is attached ---------------------------------------------------- */

struct hook_list {
	struct pins_hook *hooks;
	size_t n;
};

static struct pins_hook *add_hook(struct hook_list *l, enum pins_hook_kind kind, const char *hook)
{
	struct pins_hook *more = realloc(l->hooks, (l->n + 1) * sizeof(*more));

	if (!more)
		return NULL;
	l->hooks = more;
	memset(&more[l->n], 0, sizeof(more[l->n]));
	more[l->n].kind = kind;
	more[l->n].access = PINS_ACCESS_UNKNOWN;
	snprintf(more[l->n].hook, sizeof(more[l->n].hook), "%s", hook);
	return &more[l->n++];
}

/* The link pinned as name: its info in *info (len bytes); 1, 0 when there is none, or -errno. */
static int link_info(const char *pin_path, const char *name, void *info, __u32 len)
{
	char path[PDTT_PATH_MAX + 300];
	int fd, e = 0;

	pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(info, 0, len);
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		e = -errno;
	close(fd);
	return e ? e : 1;
}

/* The name of the program with kernel id prog_id (as the kernel keeps it); "" if unknown. */
static void prog_name(__u32 prog_id, char name[BPF_OBJ_NAME_LEN])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = prog_id ? bpf_prog_get_fd_by_id(prog_id) : -1;

	name[0] = '\0';
	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
	close(fd);
}

/* The way the program with kernel id prog_id reads the kernel. */
static enum pins_access access_of_prog(__u32 prog_id)
{
	char name[BPF_OBJ_NAME_LEN];

	prog_name(prog_id, name);
	return name[0] ? pins_access_of(name) : PINS_ACCESS_UNKNOWN;
}

/*
 * Whether owner link o's program, kernel id prog_id, is the build that
 * reads sockets' storage directly: o's prog, not its prog_r (built for
 * kernels without bpf_rdonly_cast), where o has both.
 */
static bool owner_reads_directly(const struct pins_owner_link *o, __u32 prog_id)
{
	char name[BPF_OBJ_NAME_LEN];

	prog_name(prog_id, name);
	return name[0] && strncmp(name, o->prog, KERNEL_NAME_MAX) == 0;
}

/* The pinned links of socket mode, one entry a hook. */
static int cgroup_links(const char *pin_path, struct hook_list *l)
{
	static const struct {
		const char *pin, *hook;
	} links[] = {
		{ PDTT_PIN_LINK_SOCK_INGRESS, "ingress" },
		{ PDTT_PIN_LINK_SOCK_EGRESS, "egress" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		struct bpf_link_info info;
		struct pins_hook *h;
		int rc = link_info(pin_path, links[i].pin, &info, sizeof(info));

		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (!(h = add_hook(l, PINS_HOOK_CGROUP, links[i].hook)))
			return -ENOMEM;
		/* A cgroup link whose cgroup was removed is defunct: id 0. */
		h->cgroup_id = info.cgroup.cgroup_id;
		h->live = info.cgroup.cgroup_id != 0;
		h->access = access_of_prog(info.prog_id);
	}
	return 0;
}

/* The pinned links of owner tracking, one entry a hook. */
static int owner_links(const char *pin_path, struct hook_list *l)
{
	for (size_t i = 0; i < pins_n_owner_links; i++) {
		const struct pins_owner_link *o = &pins_owner_links[i];
		struct bpf_link_info info;
		struct pins_hook *h;
		char hook[sizeof(h->hook)];
		int rc = link_info(pin_path, o->pin, &info, sizeof(info));

		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		snprintf(hook, sizeof(hook), "%s %s", o->kind, o->hook);
		if (!(h = add_hook(l, PINS_HOOK_OWNER, hook)))
			return -ENOMEM;
		h->live = true;
		h->storage_direct = owner_reads_directly(o, info.prog_id);
	}
	return 0;
}

static int by_interface(const void *a, const void *b)
{
	const struct pins_hook *x = a, *y = b;
	int c = strcmp(x->ifname, y->ifname);

	/* ingress before egress */
	return c ? c : -strcmp(x->hook, y->hook);
}

static int tcx_links(const char *pin_path, struct hook_list *l)
{
	DIR *dir = opendir(pin_path);
	size_t first = l->n;
	struct dirent *de;
	int rc = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!rc && (de = readdir(dir))) {
		struct pdtt_tcx_link_info info;
		char ifname[IF_NAMESIZE], hook[24];
		struct pins_hook *h;

		if (!pins_tc_link_parse(de->d_name, ifname, hook))
			continue;
		rc = link_info(pin_path, de->d_name, &info, sizeof(info));
		if (rc <= 0)
			continue;
		rc = 0;
		if (!(h = add_hook(l, PINS_HOOK_TCX, hook))) {
			rc = -ENOMEM;
			break;
		}
		snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
		h->live = info.type == PDTT_BPF_LINK_TYPE_TCX && info.ifindex != 0;
		h->access = access_of_prog(info.prog_id);
	}
	closedir(dir);
	if (!rc && l->n > first)
		qsort(l->hooks + first, l->n - first, sizeof(*l->hooks), by_interface);
	return rc;
}

/*
 * Whether the recorded classic filter is on its hook (in this network
 * namespace); if so, *prog_id is its program's.
 */
static bool filter_present(const struct pdtt_tc_record_key *key, const struct pdtt_tc_record *rec,
			   __u32 *prog_id)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = rec->handle, .priority = rec->priority);
	struct bpf_tc_hook hook;

	/* Zeroed whole: libbpf refuses one with non-zero padding. */
	memset(&hook, 0, sizeof(hook));
	hook.sz = sizeof(hook);
	hook.ifindex = (int)key->ifindex;
	hook.attach_point = key->hook;
	if (!rec->handle || bpf_tc_query(&hook, &opts) != 0)
		return false;
	*prog_id = opts.prog_id;
	return true;
}

static int tc_filters(const char *pin_path, struct hook_list *l)
{
	char path[PDTT_PATH_MAX + 64];
	struct pdtt_tc_record_key key = { 0 }, next;
	struct pdtt_tc_record rec, ns;
	size_t first = l->n;
	struct stat here;
	__u32 prog_id = 0;
	bool same_ns;
	int fd;

	pin_file(path, sizeof(path), pin_path, PDTT_PIN_TC_RECORDS);
	fd = open_map(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	same_ns = bpf_map_lookup_elem(fd, &key, &ns) == 0 &&
		  stat("/proc/self/ns/net", &here) == 0 && ns.netns_dev == (__u64)here.st_dev &&
		  ns.netns_ino == (__u64)here.st_ino;
	for (bool started = false; bpf_map_get_next_key(fd, started ? &key : NULL, &next) == 0;
	     started = true) {
		struct pins_hook *h;

		key = next;
		if (!key.ifindex || bpf_map_lookup_elem(fd, &key, &rec))
			continue;
		h = add_hook(l, PINS_HOOK_TC_FILTER,
			     key.hook == BPF_TC_INGRESS ? "ingress" : "egress");
		if (!h) {
			close(fd);
			return -ENOMEM;
		}
		snprintf(h->ifname, sizeof(h->ifname), "%.*s", IF_NAMESIZE - 1, rec.ifname);
		h->handle = rec.handle;
		h->priority = rec.priority;
		h->other_netns = !same_ns;
		h->live = same_ns && filter_present(&key, &rec, &prog_id);
		h->access = h->live ? access_of_prog(prog_id) : PINS_ACCESS_UNKNOWN;
	}
	close(fd);
	if (l->n > first)
		qsort(l->hooks + first, l->n - first, sizeof(*l->hooks), by_interface);
	return 0;
}

int pins_hooks(const char *pin_path, struct pins_hook **hooks, size_t *n, char *err, size_t errlen)
{
	struct hook_list l = { NULL, 0 };
	int e = cgroup_links(pin_path, &l);

	if (!e)
		e = tcx_links(pin_path, &l);
	if (!e)
		e = tc_filters(pin_path, &l);
	if (!e)
		e = owner_links(pin_path, &l);
	if (e) {
		free(l.hooks);
		snprintf(err, errlen, "cannot read the links pinned in %s: %s", pin_path,
			 strerror(-e));
		return e == -EPERM || e == -EACCES ? PDTT_EXIT_NOPERM : PDTT_EXIT_FAILURE;
	}
	*hooks = l.hooks;
	*n = l.n;
	return 0;
}
