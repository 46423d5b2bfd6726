// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc mode: pdtt_tc_ingress and pdtt_tc_egress on the clsact hooks of the
 * configured interfaces (every interface that is up, loopback excepted, when
 * none is listed), in the daemon's network namespace.
 *
 * Where the kernel has tcx (6.6+), each hook gets a bpf_link, pinned as
 * link_tc_<interface>_<ingress|egress> (bpffs refuses '.' in a name: it is
 * written %2e, and '%' itself %25). A restart swaps the new program into the
 * pinned link, so the hook never runs both or neither.
 *
 * Otherwise (or with PDTT_TC_ATTACH=classic in the environment), classic
 * cls_bpf filters in direct-action mode on a clsact qdisc, through libbpf.
 * A filter is a netlink object that bpffs cannot hold, so what pdtt made is
 * recorded in the pinned BPF hash map pdtt_tc_attached (struct
 * pdtt_tc_record_key -> struct pdtt_tc_record, in pins.h): for each
 * interface and hook, the filter's handle and priority, and whether pdtt
 * created the clsact qdisc. A restart
 * replaces the filter at the same handle and priority; --unload deletes
 * exactly those filters (if they still hold a pdtt program), and the qdisc
 * only if pdtt created it and no other filter is left on it. Entry {0, 0}
 * records the network namespace, since ifindexes and filters only mean
 * something there.
 *
 * Either way the programs are put in front of those already on the hook,
 * so that none can hide a packet from pdtt; they always let the next one
 * run. At each start, whatever pdtt had attached to an interface or hook the
 * configuration no longer names is removed.
 */
#include <errno.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include "exitcodes.h"
#include "loader_mode.h"
#include "log.h"
#include "pdtt_tc.skel.h"
#include "pdtt_tc_compat.skel.h"
#include "pins.h"

/* From the 6.6 UAPI, which the 6.1 headers lack (the others are in pins.h). */
#define PDTT_BPF_F_BEFORE (1U << 3)

#define PIN_LINK_PREFIX PDTT_PIN_LINK_TC_PREFIX
#define PIN_RECORDS PDTT_PIN_TC_RECORDS
#define RECORDS_MAX 256
#define RECORD_QDISC PDTT_TC_RECORD_QDISC

struct tc_iface {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
};

/* What the mode keeps between load and attach (ld->skel). */
struct tc_state {
	struct pdtt_tc_bpf *skel;
	struct tc_iface *ifaces;
	size_t n_ifaces;
};

static const struct {
	const char *name;        /* in pin names and messages */
	enum bpf_tc_attach_point point;
	int tcx_type;
} hooks[] = {
	{ "ingress", BPF_TC_INGRESS, PDTT_BPF_TCX_INGRESS },
	{ "egress", BPF_TC_EGRESS, PDTT_BPF_TCX_EGRESS },
};

#define N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

static struct bpf_program *hook_prog(struct pdtt_tc_bpf *skel, const struct pdtt_loader *ld,
				     size_t h)
{
	return loader_counting_program(skel->obj, PDTT_MODE_TC, ld, h == 0);
}

/* Whether a program called name (as the kernel keeps it) is one of pdtt's for hook h, any way. */
static bool is_hook_prog(const char *name, size_t h)
{
	for (enum pins_access a = PINS_ACCESS_CAST; a < PINS_ACCESS_UNKNOWN; a++) {
		const struct pins_programs *p = pins_programs_of(PDTT_MODE_TC, a);

		if (p && strncmp(name, h == 0 ? p->ingress : p->egress, BPF_OBJ_NAME_LEN - 1) == 0)
			return true;
	}
	return false;
}

/* --- interfaces ---------------------------------------------------------- */

static int add_iface(struct tc_state *st, const char *name, unsigned int ifindex)
{
	struct tc_iface *more;

	for (size_t i = 0; i < st->n_ifaces; i++)
		if (st->ifaces[i].ifindex == ifindex)
			return 0;
	more = realloc(st->ifaces, (st->n_ifaces + 1) * sizeof(*more));
	if (!more)
		return -1;
	st->ifaces = more;
	snprintf(more[st->n_ifaces].name, IF_NAMESIZE, "%s", name);
	more[st->n_ifaces].ifindex = ifindex;
	st->n_ifaces++;
	return 0;
}

/*
 * The configured interfaces, or every interface that is up and not
 * loopback. All are resolved before anything is attached: a name that does
 * not exist attaches nothing.
 */
static int resolve_interfaces(const struct pdtt_config *cfg, struct tc_state *st, char *err,
			      size_t errlen)
{
	struct ifaddrs *all, *ifa;
	unsigned int ifindex;

	for (size_t i = 0; i < cfg->n_interfaces; i++) {
		ifindex = if_nametoindex(cfg->interfaces[i]);
		if (!ifindex) {
			snprintf(err, errlen, "interfaces: \"%s\" does not exist in pdttd's network "
				 "namespace (see 'ip link'); nothing was attached",
				 cfg->interfaces[i]);
			return PDTT_EXIT_CONFIG;
		}
		if (add_iface(st, cfg->interfaces[i], ifindex) < 0)
			goto nomem;
	}
	if (cfg->n_interfaces)
		return 0;
	if (getifaddrs(&all) < 0) {
		snprintf(err, errlen, "cannot list the network interfaces: %s", strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	/* One AF_PACKET entry per link; the others are its addresses. */
	for (ifa = all; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_PACKET ||
		    !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		ifindex = if_nametoindex(ifa->ifa_name);
		if (ifindex && add_iface(st, ifa->ifa_name, ifindex) < 0) {
			freeifaddrs(all);
			goto nomem;
		}
	}
	freeifaddrs(all);
	if (!st->n_ifaces) {
		snprintf(err, errlen, "interfaces = [ ] means every interface that is up, loopback "
			 "excepted, and there is none; list the interfaces to count on; nothing "
			 "was attached");
		return PDTT_EXIT_CONFIG;
	}
	return 0;
nomem:
	snprintf(err, errlen, "cannot resolve the interfaces: %s", strerror(ENOMEM));
	return PDTT_EXIT_FAILURE;
}

/* link_tc_<ifname>_<hook>, with '.' (refused by bpffs) and '%' escaped. */
static void link_pin_name(char *out, size_t outlen, const char *ifname, size_t h)
{
	pins_tc_link_name(out, outlen, ifname, hooks[h].name);
}

/* The network namespace pdttd runs in. */
static int current_netns(__u64 *dev, __u64 *ino)
{
	struct stat s;

	if (stat("/proc/self/ns/net", &s) < 0)
		return -1;
	*dev = s.st_dev;
	*ino = s.st_ino;
	return 0;
}

/* --- tcx links ---------------------------------------------------------- */

/* Whether the kernel has tcx: querying a tcx hook fails with EINVAL before 6.6. */
static bool have_tcx(unsigned int ifindex)
{
	const char *force = getenv("PDTT_TC_ATTACH");
	__u32 count = 0;

	if (force && strcmp(force, "classic") == 0)
		return false;
	return bpf_prog_query(ifindex, PDTT_BPF_TCX_INGRESS, 0, NULL, NULL, &count) == 0;
}

/*
 * The pinned link is one pdtt still wants: a live tcx link on the wanted
 * interface and hook. A link on an interface that was deleted (or renamed,
 * with another taking its name) is not.
 */
static bool link_is_wanted(int fd, const struct tc_iface *want, size_t h)
{
	struct pdtt_tcx_link_info info = {};
	__u32 len = sizeof(info);

	if (!want || bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.type == PDTT_BPF_LINK_TYPE_TCX && info.ifindex == want->ifindex &&
	       info.attach_type == (__u32)hooks[h].tcx_type;
}

/* The interface and hook a pin name stands for, among the wanted ones (else NULL). */
static const struct tc_iface *wanted_by_pin(const struct tc_state *st, const char *pin,
					    size_t *hook)
{
	char name[128];

	for (size_t i = 0; st && i < st->n_ifaces; i++)
		for (size_t h = 0; h < N_HOOKS; h++) {
			link_pin_name(name, sizeof(name), st->ifaces[i].name, h);
			if (strcmp(name, pin) == 0) {
				*hook = h;
				return &st->ifaces[i];
			}
		}
	return NULL;
}

/*
 * Detach and unpin every tcx link under pin_path except those st still
 * wants (st NULL: all of them). Returns 0 or -1 with err.
 */
static int prune_links(const char *pin_path, const struct tc_state *st, char *err,
		       size_t errlen)
{
	char path[PDTT_PATH_MAX + 300];
	struct dirent *de;
	DIR *dir = opendir(pin_path);
	int rc = 0;

	if (!dir && errno == ENOENT)
		return 0;
	if (!dir) {
		snprintf(err, errlen, "cannot read %s: %s", pin_path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(dir))) {
		const struct tc_iface *want;
		size_t h = 0;
		bool keep;
		int fd;

		if (strncmp(de->d_name, PIN_LINK_PREFIX, strlen(PIN_LINK_PREFIX)) != 0)
			continue;
		want = wanted_by_pin(st, de->d_name, &h);
		loader_pin_file(path, sizeof(path), pin_path, de->d_name);
		fd = bpf_obj_get(path);
		keep = fd >= 0 && link_is_wanted(fd, want, h);
		if (fd >= 0)
			close(fd);
		if (!keep)
			rc = loader_unload_link(pin_path, de->d_name, err, errlen);
	}
	closedir(dir);
	return rc;
}

static int tcx_attach_one(struct bpf_program *prog, const char *pin_path, const struct tc_iface *i,
			  size_t h, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = PDTT_BPF_F_BEFORE);
	char name[128], path[PDTT_PATH_MAX + 300], what[PDTT_PATH_MAX + 400];
	int fd, e = 0;

	link_pin_name(name, sizeof(name), i->name, h);
	loader_pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		/* Kept by prune_links: swap the new program in. */
		if (bpf_link_update(fd, bpf_program__fd(prog), NULL) == 0) {
			close(fd);
			return 0;
		}
		e = errno;
		close(fd);
		if (e != ENOLINK)
			goto fail;
		/* The interface went away meanwhile: start afresh. */
		if (loader_unload_link(pin_path, name, err, errlen) < 0)
			return PDTT_EXIT_FAILURE;
	}
	fd = bpf_link_create(bpf_program__fd(prog), i->ifindex, hooks[h].tcx_type, &opts);
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	if (bpf_obj_pin(fd, path)) {
		e = errno;
		close(fd); /* the link dies with its last reference */
		goto fail;
	}
	close(fd);
	return 0;
fail:
	snprintf(what, sizeof(what), "cannot attach to %s %s (%s)", i->name, hooks[h].name, path);
	return loader_bpf_failure(e, what, err, errlen);
}

/* --- classic filters ---------------------------------------------------- */

/* The records map, or -1 (errno ENOENT when there is none and create is false). */
static int open_records(const char *pin_path, bool create, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	loader_pin_file(path, sizeof(path), pin_path, PIN_RECORDS);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT && create) {
		LIBBPF_OPTS(bpf_map_create_opts, opts);

		fd = bpf_map_create(BPF_MAP_TYPE_HASH, PIN_RECORDS, sizeof(struct pdtt_tc_record_key),
				    sizeof(struct pdtt_tc_record), RECORDS_MAX, &opts);
		if (fd >= 0 && bpf_obj_pin(fd, path)) {
			int e = errno;

			close(fd);
			fd = -1;
			errno = e;
		}
	}
	if (fd < 0) {
		if (errno != ENOENT || create)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.key_size != sizeof(struct pdtt_tc_record_key) ||
	    info.value_size != sizeof(struct pdtt_tc_record)) {
		snprintf(err, errlen, "%s is not a map this pdttd made; remove it", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * The namespace entry: refuse records made in another network namespace,
 * whose ifindexes and filters mean nothing here. Created when missing.
 */
static int check_records_netns(int fd, const char *pin_path, char *err, size_t errlen)
{
	struct pdtt_tc_record_key key = {};
	struct pdtt_tc_record ns = {}, here = {};

	if (current_netns(&here.netns_dev, &here.netns_ino) < 0) {
		snprintf(err, errlen, "cannot identify the network namespace: %s", strerror(errno));
		return -1;
	}
	if (bpf_map_lookup_elem(fd, &key, &ns) == 0) {
		if (ns.netns_dev == here.netns_dev && ns.netns_ino == here.netns_ino)
			return 0;
		snprintf(err, errlen, "the tc filters recorded in %s/%s were attached in another "
			 "network namespace (net:[%llu]): run pdttd there, or use another pin_path",
			 pin_path, PIN_RECORDS, (unsigned long long)ns.netns_ino);
		return -1;
	}
	if (bpf_map_update_elem(fd, &key, &here, BPF_ANY)) {
		snprintf(err, errlen, "cannot write %s/%s: %s", pin_path, PIN_RECORDS, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * libbpf refuses a bpf_tc_hook whose bytes past the fields it knows are not
 * zero, padding included (EINVAL): a struct initialised field by field, or
 * returned by value, may carry garbage there. Zero it whole first.
 */
static void tc_hook_init(struct bpf_tc_hook *hook, unsigned int ifindex,
			 enum bpf_tc_attach_point point)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = (int)ifindex;
	hook->attach_point = point;
}

/* Whether the filter at the recorded handle and priority holds pdtt's program. */
static bool filter_is_ours(const struct pdtt_tc_record_key *key, const struct pdtt_tc_record *rec, size_t h)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = rec->handle, .priority = rec->priority);
	struct bpf_prog_info info = {};
	struct bpf_tc_hook hook;
	__u32 len = sizeof(info);
	bool ours;
	int fd;

	tc_hook_init(&hook, key->ifindex, key->hook);
	if (!rec->handle || bpf_tc_query(&hook, &opts))
		return false;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return false;
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && is_hook_prog(info.name, h);
	close(fd);
	return ours;
}

/* The number of filters on the clsact hook parent of ifindex (-1 on error), by a netlink dump. */
static int count_filters(unsigned int ifindex, __u32 parent)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = (int)ifindex, .tcm_parent = parent },
	};
	char buf[16384];
	int fd, n = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		goto fail;
	while (!done) {
		int len = (int)recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len <= 0)
			goto fail;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR)
				goto fail;
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				n++;
		}
	}
	close(fd);
	return n;
fail:
	close(fd);
	return -1;
}

/* Remove the clsact qdisc of ifindex if pdtt created it and nothing else is on it. */
static void remove_qdisc_if_ours(unsigned int ifindex, const char *ifname)
{
	struct bpf_tc_hook both;

	tc_hook_init(&both, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	if (count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)) != 0 ||
	    count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)) != 0) {
		log_info("leaving the clsact qdisc pdtt created on %s: other filters use it", ifname);
		return;
	}
	bpf_tc_hook_destroy(&both);
}

/*
 * Delete the filter a record names, if it still holds pdtt's program, and
 * the record. The clsact qdisc goes too when pdtt created it and both hooks
 * of the interface are now free of pdtt's records and of any other filter.
 */
static int remove_record(int fd, const struct pdtt_tc_record_key *key, const struct pdtt_tc_record *rec,
			 char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = rec->handle, .priority = rec->priority);
	struct pdtt_tc_record_key other = { key->ifindex, key->hook ^ (BPF_TC_INGRESS | BPF_TC_EGRESS) };
	struct pdtt_tc_record other_rec;
	struct bpf_tc_hook hook;
	size_t h = key->hook == BPF_TC_INGRESS ? 0 : 1;
	int e;

	tc_hook_init(&hook, key->ifindex, key->hook);
	if (filter_is_ours(key, rec, h)) {
		e = bpf_tc_detach(&hook, &opts);
		if (e && e != -ENOENT) {
			snprintf(err, errlen, "cannot remove pdtt's tc filter from %s %s: %s",
				 rec->ifname, hooks[h].name, strerror(-e));
			return -1;
		}
	}
	bpf_map_delete_elem(fd, key);
	if (bpf_map_lookup_elem(fd, &other, &other_rec) == 0) {
		/* The other hook's record carries the flag on until it goes too. */
		other_rec.flags |= rec->flags & RECORD_QDISC;
		bpf_map_update_elem(fd, &other, &other_rec, BPF_ANY);
		return 0;
	}
	if (rec->flags & RECORD_QDISC)
		remove_qdisc_if_ours(key->ifindex, rec->ifname);
	return 0;
}

/* Remove the recorded filters st does not want (st NULL: all of them). */
static int prune_records(int fd, const struct tc_state *st, char *err, size_t errlen)
{
	struct pdtt_tc_record_key key = {}, next;
	struct pdtt_tc_record rec;
	bool again = true;

	/* Deleting while iterating restarts the walk: start over until nothing goes. */
	while (again) {
		again = false;
		if (bpf_map_get_next_key(fd, NULL, &next))
			break;
		do {
			bool want = false;

			key = next;
			if (!key.ifindex || bpf_map_lookup_elem(fd, &key, &rec))
				continue;
			for (size_t i = 0; st && i < st->n_ifaces; i++)
				want = want || st->ifaces[i].ifindex == key.ifindex;
			if (want)
				continue;
			if (remove_record(fd, &key, &rec, err, errlen) < 0)
				return -1;
			again = true;
			break;
		} while (bpf_map_get_next_key(fd, &key, &next) == 0);
	}
	return 0;
}

static int classic_attach_one(int fd, struct bpf_program *prog, const struct tc_iface *i,
			      size_t h, char *err, size_t errlen)
{
	struct pdtt_tc_record_key key = { i->ifindex, hooks[h].point };
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	struct pdtt_tc_record rec = {}, other_rec;
	struct pdtt_tc_record_key other = { i->ifindex, hooks[1 - h].point };
	struct bpf_tc_hook hook;
	char what[128];
	int e;

	tc_hook_init(&hook, i->ifindex, hooks[h].point);
	if (bpf_map_lookup_elem(fd, &key, &rec) == 0 && filter_is_ours(&key, &rec, h)) {
		/* Ours from a previous start: replace it in place. */
		opts.handle = rec.handle;
		opts.priority = rec.priority;
		opts.flags = BPF_TC_F_REPLACE;
	} else {
		rec.handle = rec.priority = 0; /* gone: the kernel picks new ones */
	}
	e = bpf_tc_hook_create(&hook);
	if (e == 0) {
		rec.flags |= RECORD_QDISC;
	} else if (e != -EEXIST) {
		snprintf(what, sizeof(what), "cannot add a clsact qdisc to %s", i->name);
		return loader_bpf_failure(-e, what, err, errlen);
	}
	/* Either hook's record may hold the flag: keep it on one only. */
	if (bpf_map_lookup_elem(fd, &other, &other_rec) == 0 && other_rec.flags & RECORD_QDISC)
		rec.flags &= ~RECORD_QDISC;
	e = bpf_tc_attach(&hook, &opts);
	if (e) {
		snprintf(what, sizeof(what), "cannot attach a tc filter to %s %s", i->name,
			 hooks[h].name);
		if (rec.flags & RECORD_QDISC)
			remove_qdisc_if_ours(i->ifindex, i->name);
		return loader_bpf_failure(-e, what, err, errlen);
	}
	rec.handle = opts.handle;
	rec.priority = opts.priority;
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", i->name);
	if (bpf_map_update_elem(fd, &key, &rec, BPF_ANY)) {
		snprintf(what, sizeof(what), "cannot record the tc filter on %s %s", i->name,
			 hooks[h].name);
		return loader_bpf_failure(errno, what, err, errlen);
	}
	return 0;
}

/* --- the mode ----------------------------------------------------------- */

static void tc_destroy(void *state)
{
	struct tc_state *st = state;

	if (!st)
		return;
	pdtt_tc_bpf__destroy(st->skel);
	free(st->ifaces);
	free(st);
}

static int tc_load(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		   size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = cfg->pin_path);
	struct tc_state *st = calloc(1, sizeof(*st));
	struct loader_maps maps;
	int rc, e;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return PDTT_EXIT_FAILURE;
	}
	rc = resolve_interfaces(cfg, st, err, errlen);
	if (rc) {
		tc_destroy(st);
		return rc;
	}
	st->skel = calloc(1, sizeof(*st->skel));
	if (!st->skel || (e = pdtt_tc_bpf__create_skeleton(st->skel)) ||
	    (e = loader_open_skeleton(st->skel->skeleton, pdtt_tc_compat_bpf__elf_bytes, &opts,
				      ld))) {
		e = st->skel ? -e : ENOMEM;
		tc_destroy(st);
		return loader_bpf_failure(e, "cannot open the tc-mode BPF object", err, errlen);
	}
	maps = (struct loader_maps){
		.counters = st->skel->maps.pdtt_counters, .slots = st->skel->maps.pdtt_slots,
		.buckets = st->skel->maps.pdtt_buckets, .meta = st->skel->maps.pdtt_meta,
		.local_nets = st->skel->maps.pdtt_local_nets,
		.local_nets_count = &st->skel->bss->pdtt_local_nets_count,
	};
	loader_size_maps(&maps, cfg);
	rc = loader_prepare_programs(st->skel->obj, PDTT_MODE_TC, ld, err, errlen);
	if (rc) {
		tc_destroy(st);
		return rc;
	}
	loader_prepare_owner_tracking(cfg, ld, st->skel->obj,
				      &st->skel->rodata->pdtt_owner_tracking);
	if (pdtt_tc_bpf__load(st->skel)) {
		e = errno;
		tc_destroy(st);
		return loader_bpf_failure(e, "cannot load the tc-mode BPF programs", err, errlen);
	}
	ld->skel = st;
	loader_keep_maps(ld, &maps);
	return 0;
}

static int tc_attach(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		     size_t errlen)
{
	struct tc_state *st = ld->skel;
	bool tcx = have_tcx(st->ifaces[0].ifindex);
	int fd, rc = 0;

	rc = loader_attach_owner_tracking(cfg, ld, st->skel->obj, err, errlen);
	if (rc)
		return rc;
	/* Records of classic filters: pruned (all of them when using tcx), or kept and reused. */
	fd = open_records(cfg->pin_path, !tcx, err, errlen);
	if (fd < 0 && (errno != ENOENT || !tcx))
		return PDTT_EXIT_FAILURE;
	if (fd >= 0 && (check_records_netns(fd, cfg->pin_path, err, errlen) < 0 ||
			prune_records(fd, tcx ? NULL : st, err, errlen) < 0))
		rc = PDTT_EXIT_FAILURE;
	if (!rc && prune_links(cfg->pin_path, tcx ? st : NULL, err, errlen) < 0)
		rc = PDTT_EXIT_FAILURE;
	for (size_t i = 0; !rc && i < st->n_ifaces; i++)
		for (size_t h = 0; !rc && h < N_HOOKS; h++)
			rc = tcx ? tcx_attach_one(hook_prog(st->skel, ld, h), cfg->pin_path,
						  &st->ifaces[i], h, err, errlen)
				 : classic_attach_one(fd, hook_prog(st->skel, ld, h),
						      &st->ifaces[i], h, err, errlen);
	if (fd >= 0 && tcx && !rc) {
		/* Every record is gone: drop the map too. */
		char path[PDTT_PATH_MAX + 32];

		loader_pin_file(path, sizeof(path), cfg->pin_path, PIN_RECORDS);
		unlink(path);
	}
	if (fd >= 0)
		close(fd);
	if (!rc) {
		for (size_t i = 0; i < st->n_ifaces; i++)
			log_info("tc mode: counting on %s (%s)", st->ifaces[i].name,
				 tcx ? "tcx links" : "classic clsact filters");
	}
	return rc;
}

static int tc_unload(const char *pin_path, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	int fd;

	if (prune_links(pin_path, NULL, err, errlen) < 0)
		return -1;
	fd = open_records(pin_path, false, err, errlen);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (check_records_netns(fd, pin_path, err, errlen) < 0 ||
	    prune_records(fd, NULL, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	loader_pin_file(path, sizeof(path), pin_path, PIN_RECORDS);
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

const struct loader_mode loader_tc_mode = {
	.name = "tc",
	.id = PDTT_MODE_TC,
	.load = tc_load,
	.attach = tc_attach,
	.destroy = tc_destroy,
	.unload = tc_unload,
};
