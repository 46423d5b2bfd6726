// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc mode, classic path (kernels before 6.6, or PDTT_TC_ATTACH=classic):
 * cls_bpf filters in direct-action mode on a clsact qdisc, through libbpf.
 *
 * A filter is a netlink object that bpffs cannot hold, so what pdtt made is
 * recorded in the pinned BPF hash map pdtt_tc_attached (struct
 * pdtt_tc_record_key -> struct pdtt_tc_record, in pins.h): for each
 * interface and hook, the filter's handle and priority, and whether pdtt
 * created the clsact qdisc. A restart replaces the filter at the same handle
 * and priority; --unload deletes exactly those filters (if they still hold a
 * pdtt program), and the qdisc only if pdtt created it and no other filter
 * is left on it. Entry {0, 0} records the network namespace, since ifindexes
 * and filters only mean something there.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include "loader_tc.h"
#include "log.h"
#include "netlink.h"
#include "pins.h"

#define PIN_RECORDS PDTT_PIN_TC_RECORDS
#define RECORDS_MAX 256
#define RECORD_QDISC PDTT_TC_RECORD_QDISC

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

/* The records map, or -1 (errno ENOENT when there is none and create is false). */
int tc_classic_open(const char *pin_path, bool create, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	loader_pin_file(path, sizeof(path), pin_path, PIN_RECORDS);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT && create) {
		LIBBPF_OPTS(bpf_map_create_opts, opts);

		fd = bpf_map_create(BPF_MAP_TYPE_HASH, PIN_RECORDS,
				    sizeof(struct pdtt_tc_record_key),
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
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.key_size != sizeof(struct pdtt_tc_record_key) ||
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
int tc_classic_check_netns(int fd, const char *pin_path, char *err, size_t errlen)
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
		snprintf(err, errlen,
			 "the tc filters recorded in %s/%s were attached in another "
			 "network namespace (net:[%llu]): run pdttd there, or use another pin_path",
			 pin_path, PIN_RECORDS, (unsigned long long)ns.netns_ino);
		return -1;
	}
	if (bpf_map_update_elem(fd, &key, &here, BPF_ANY)) {
		snprintf(err, errlen, "cannot write %s/%s: %s", pin_path, PIN_RECORDS,
			 strerror(errno));
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

/*
 * Whether the filter at the recorded handle and priority holds pdtt's
 * program: the program id recorded when pdtt attached it (ids are not reused
 * until 2^31 more programs have been loaded). Opening the program by its id
 * to read its name needs CAP_SYS_ADMIN, which the systemd unit does not
 * grant: without the id, every restart would add one more filter counting
 * the same packets, and --unload would leave them all. The name is only
 * checked for records of older versions, which have no id.
 */
static bool filter_is_ours(const struct pdtt_tc_record_key *key, const struct pdtt_tc_record *rec,
			   size_t h)
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
	if (rec->prog_id)
		return opts.prog_id == rec->prog_id;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return false;
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && tc_is_hook_prog(info.name, h);
	close(fd);
	return ours;
}

/* The id of a loaded program (0 if it cannot be read). */
static __u32 prog_id(const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ? 0 : info.id;
}

static int count_filter(const struct nlmsghdr *nh, void *ctx)
{
	*(int *)ctx += nh->nlmsg_type == RTM_NEWTFILTER;
	return 0;
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
	int n = 0;

	return netlink_dump(&req.nh, count_filter, &n) < 0 ? -1 : n;
}

/* Remove the clsact qdisc of ifindex if pdtt created it and nothing else is on it. */
static void remove_qdisc_if_ours(unsigned int ifindex, const char *ifname)
{
	struct bpf_tc_hook both;

	tc_hook_init(&both, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	if (count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)) != 0 ||
	    count_filters(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)) != 0) {
		log_info("leaving the clsact qdisc pdtt created on %s: other filters use it",
			 ifname);
		return;
	}
	bpf_tc_hook_destroy(&both);
}

/*
 * Delete the filter a record names, if it still holds pdtt's program, and
 * the record. The clsact qdisc goes too when pdtt created it and both hooks
 * of the interface are now free of pdtt's records and of any other filter.
 */
static int remove_record(int fd, const struct pdtt_tc_record_key *key,
			 const struct pdtt_tc_record *rec, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = rec->handle, .priority = rec->priority);
	struct pdtt_tc_record_key other = { key->ifindex,
					    key->hook ^ (BPF_TC_INGRESS | BPF_TC_EGRESS) };
	struct pdtt_tc_record other_rec;
	struct bpf_tc_hook hook;
	size_t h = key->hook == BPF_TC_INGRESS ? 0 : 1;
	int e;

	tc_hook_init(&hook, key->ifindex, key->hook);
	if (filter_is_ours(key, rec, h)) {
		e = bpf_tc_detach(&hook, &opts);
		if (e && e != -ENOENT) {
			snprintf(err, errlen, "cannot remove pdtt's tc filter from %s %s: %s",
				 rec->ifname, tc_hooks[h].name, strerror(-e));
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

int tc_classic_prune(int fd, const struct tc_iface *want, size_t n_want, char *err, size_t errlen)
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
			bool wanted = false;

			key = next;
			if (!key.ifindex || bpf_map_lookup_elem(fd, &key, &rec))
				continue;
			for (size_t i = 0; i < n_want; i++)
				wanted = wanted || want[i].ifindex == key.ifindex;
			if (wanted)
				continue;
			if (remove_record(fd, &key, &rec, err, errlen) < 0)
				return -1;
			again = true;
			break;
		} while (bpf_map_get_next_key(fd, &key, &next) == 0);
	}
	return 0;
}

int tc_classic_attach_one(int fd, struct bpf_program *prog, const struct tc_iface *i, size_t h,
			  char *err, size_t errlen)
{
	struct pdtt_tc_record_key key = { i->ifindex, tc_hooks[h].point };
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	struct pdtt_tc_record rec = {}, other_rec;
	struct pdtt_tc_record_key other = { i->ifindex, tc_hooks[1 - h].point };
	struct bpf_tc_hook hook;
	char what[128];
	int e;

	tc_hook_init(&hook, i->ifindex, tc_hooks[h].point);
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
			 tc_hooks[h].name);
		if (rec.flags & RECORD_QDISC)
			remove_qdisc_if_ours(i->ifindex, i->name);
		return loader_bpf_failure(-e, what, err, errlen);
	}
	rec.handle = opts.handle;
	rec.priority = opts.priority;
	rec.prog_id = prog_id(prog);
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", i->name);
	if (bpf_map_update_elem(fd, &key, &rec, BPF_ANY)) {
		snprintf(what, sizeof(what), "cannot record the tc filter on %s %s", i->name,
			 tc_hooks[h].name);
		return loader_bpf_failure(errno, what, err, errlen);
	}
	return 0;
}

int tc_classic_unload(const char *pin_path, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	int fd;

	fd = tc_classic_open(pin_path, false, err, errlen);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (tc_classic_check_netns(fd, pin_path, err, errlen) < 0 ||
	    tc_classic_prune(fd, NULL, 0, err, errlen) < 0) {
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
