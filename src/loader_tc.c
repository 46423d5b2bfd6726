// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc mode: pdtt_tc_ingress and pdtt_tc_egress on the clsact hooks of the
 * configured interfaces (when none is listed, the devices tc_devices.h
 * chooses), in the daemon's network namespace.
 *
 * Where the kernel has tcx (6.6+), each hook gets a bpf_link, pinned as
 * link_tc_<interface>_<ingress|egress> (bpffs refuses '.' in a name: it is
 * written %2e, and '%' itself %25). A restart swaps the new program into the
 * pinned link, so the hook never runs both or neither.
 *
 * Otherwise (or with PDTT_TC_ATTACH=classic in the environment), classic
 * cls_bpf filters on a clsact qdisc: loader_tc_classic.c.
 *
 * Either way the programs are put in front of those already on the hook,
 * so that none can hide a packet from pdtt; they always let the next one
 * run. At each start, whatever pdtt had attached to an interface or hook the
 * configuration no longer names is removed.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "exitcodes.h"
#include "loader_tc.h"
#include "log.h"
#include "pdtt_tc.skel.h"
#include "pdtt_tc_compat.skel.h"
#include "pins.h"
#include "tc_devices.h"

/* From the 6.6 UAPI, which the 6.1 headers lack (the others are in pins.h). */
#define PDTT_BPF_F_BEFORE (1U << 3)

#define PIN_LINK_PREFIX PDTT_PIN_LINK_TC_PREFIX

/* What the mode keeps between load and attach (ld->skel). */
struct tc_state {
	struct pdtt_tc_bpf *skel;
	struct tc_iface *ifaces; /* attached to */
	size_t n_ifaces;
	bool tcx; /* tcx links, else classic filters */
};

const struct tc_hook_kind tc_hooks[TC_N_HOOKS] = {
	{ "ingress", BPF_TC_INGRESS, PDTT_BPF_TCX_INGRESS },
	{ "egress", BPF_TC_EGRESS, PDTT_BPF_TCX_EGRESS },
};

static struct bpf_program *hook_prog(struct pdtt_tc_bpf *skel, const struct pdtt_loader *ld,
				     size_t h)
{
	return loader_counting_program(skel->obj, PDTT_MODE_TC, ld, h == 0);
}

bool tc_is_hook_prog(const char *name, size_t h)
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
 * Add devs[i] to st if the rule attaches it; at start (say), say why not if
 * it is a port or stacked.
 */
static int take_device(struct tc_state *st, const struct tc_device *devs, size_t n, size_t i,
		       const struct tc_device_choice *choice, bool say)
{
	const struct tc_device *on = tc_device_by_index(devs, n, choice->counted_on);

	if (choice->verdict == TC_DEVICE_ATTACH)
		return add_iface(st, devs[i].name, devs[i].ifindex);
	if (on && say)
		log_info("tc mode: not attaching to %s: it %s %s, whose hooks count its traffic",
			 devs[i].name, tc_device_why(choice->verdict), on->name);
	return 0;
}

/* The default devices (tc_devices.h), into st; none yet is waited for. */
static int default_interfaces(struct tc_state *st, bool at_start, char *err, size_t errlen)
{
	struct tc_device_choice *choice = NULL;
	struct tc_device *devs = NULL;
	size_t n = 0;
	int e = -tc_devices_read(&devs, &n);

	if (!e && !(choice = calloc(n + 1, sizeof(*choice))))
		e = ENOMEM;
	if (!e)
		tc_devices_select(devs, n, choice);
	for (size_t i = 0; !e && i < n; i++)
		if (take_device(st, devs, n, i, &choice[i], at_start) < 0)
			e = ENOMEM;
	free(choice);
	free(devs);
	if (e) {
		snprintf(err, errlen, "cannot list the network interfaces: %s", strerror(e));
		return PDTT_EXIT_FAILURE;
	}
	if (!st->n_ifaces && at_start)
		log_warn("tc mode: interfaces = [ ] means every interface that is up, except "
			 "loopback, ports of bridges and bonds, and VLANs on a counted device; "
			 "there is none yet: waiting for one");
	return 0;
}

/*
 * The configured interfaces that exist, or by default the devices
 * tc_devices.h chooses. One that does not exist (yet) is waited for: the
 * link notifications bring it (tc_links_changed).
 */
static int resolve_interfaces(const struct pdtt_config *cfg, struct tc_state *st, bool at_start,
			      char *err, size_t errlen)
{
	unsigned int ifindex;

	for (size_t i = 0; i < cfg->n_interfaces; i++) {
		ifindex = if_nametoindex(cfg->interfaces[i]);
		if (!ifindex) {
			if (at_start)
				log_warn("tc mode: interface %s does not exist in pdttd's network "
					 "namespace (see 'ip link'): waiting for it",
					 cfg->interfaces[i]);
			continue;
		}
		if (add_iface(st, cfg->interfaces[i], ifindex) < 0) {
			snprintf(err, errlen, "cannot resolve the interfaces: %s",
				 strerror(ENOMEM));
			return PDTT_EXIT_FAILURE;
		}
	}
	return cfg->n_interfaces ? 0 : default_interfaces(st, at_start, err, errlen);
}

/* link_tc_<ifname>_<hook>, with '.' (refused by bpffs) and '%' escaped. */
static void link_pin_name(char *out, size_t outlen, const char *ifname, size_t h)
{
	pins_tc_link_name(out, outlen, ifname, tc_hooks[h].name);
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
	       info.attach_type == (__u32)tc_hooks[h].tcx_type;
}

/* The interface and hook a pin name stands for, among the wanted ones (else NULL). */
static const struct tc_iface *wanted_by_pin(const struct tc_state *st, const char *pin,
					    size_t *hook)
{
	char name[128];

	for (size_t i = 0; st && i < st->n_ifaces; i++)
		for (size_t h = 0; h < TC_N_HOOKS; h++) {
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
static int prune_links(const char *pin_path, const struct tc_state *st, char *err, size_t errlen)
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
	fd = bpf_link_create(bpf_program__fd(prog), i->ifindex, tc_hooks[h].tcx_type, &opts);
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
	snprintf(what, sizeof(what), "cannot attach to %s %s (%s)", i->name, tc_hooks[h].name,
		 path);
	return loader_bpf_failure(e, what, err, errlen);
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

static int tc_load(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = cfg->pin_path);
	/* No _irq build: tc hooks add with bottom halves disabled (bpf/pdtt_count.bpf.h). */
	static const struct loader_builds builds = { .compat = pdtt_tc_compat_bpf__elf_bytes };
	struct tc_state *st = calloc(1, sizeof(*st));
	struct loader_maps maps;
	int rc, e;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return PDTT_EXIT_FAILURE;
	}
	rc = resolve_interfaces(cfg, st, true, err, errlen);
	if (rc) {
		tc_destroy(st);
		return rc;
	}
	st->skel = calloc(1, sizeof(*st->skel));
	if (!st->skel || (e = pdtt_tc_bpf__create_skeleton(st->skel)) ||
	    (e = loader_open_skeleton(st->skel->skeleton, &builds, &opts, ld))) {
		e = st->skel ? -e : ENOMEM;
		tc_destroy(st);
		return loader_bpf_failure(e, "cannot open the tc-mode BPF object", err, errlen);
	}
	maps = (struct loader_maps){
		.counters = st->skel->maps.pdtt_counters,
		.slots = st->skel->maps.pdtt_slots,
		.buckets = st->skel->maps.pdtt_buckets,
		.meta = st->skel->maps.pdtt_meta,
		.local_nets = st->skel->maps.pdtt_local_nets,
		.local_nets_count = &st->skel->bss->pdtt_local_nets_count,
		.n_classes = &st->skel->rodata->pdtt_n_classes,
	};
	loader_size_maps(&maps, cfg, ld);
	rc = loader_prepare_programs(st->skel->obj, PDTT_MODE_TC, ld, err, errlen);
	if (rc) {
		tc_destroy(st);
		return rc;
	}
	loader_prepare_owner_tracking(cfg, ld, st->skel->obj,
				      &st->skel->rodata->pdtt_owner_switches);
	loader_jobs_prepare(cfg, ld, st->skel->obj, &st->skel->rodata->pdtt_jobs,
			    &st->skel->rodata->pdtt_jobs_cgroup_helper, false);
	if (pdtt_tc_bpf__load(st->skel)) {
		e = errno;
		tc_destroy(st);
		return loader_bpf_failure(e, "cannot load the tc-mode BPF programs", err, errlen);
	}
	ld->skel = st;
	loader_keep_maps(ld, &maps);
	loader_jobs_keep(ld, st->skel->obj, &st->skel->bss->pdtt_jobs_epoch);
	return 0;
}

static int tc_attach(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		     size_t errlen)
{
	struct tc_state *st = ld->skel;
	bool tcx = have_tcx(st->n_ifaces ? st->ifaces[0].ifindex : if_nametoindex("lo"));
	int fd, rc = 0;

	st->tcx = tcx;
	rc = loader_attach_owner_tracking(cfg, ld, st->skel->obj, err, errlen);
	if (rc)
		return rc;
	/* Records of classic filters: pruned (all of them when using tcx), or kept and reused. */
	fd = tc_classic_open(cfg->pin_path, !tcx, err, errlen);
	if (fd < 0 && (errno != ENOENT || !tcx))
		return PDTT_EXIT_FAILURE;
	if (fd >= 0 && (tc_classic_check_netns(fd, cfg->pin_path, err, errlen) < 0 ||
			tc_classic_prune(fd, st->ifaces, tcx ? 0 : st->n_ifaces, err, errlen) < 0))
		rc = PDTT_EXIT_FAILURE;
	if (!rc && prune_links(cfg->pin_path, tcx ? st : NULL, err, errlen) < 0)
		rc = PDTT_EXIT_FAILURE;
	for (size_t i = 0; !rc && i < st->n_ifaces; i++)
		for (size_t h = 0; !rc && h < TC_N_HOOKS; h++)
			rc = tcx ? tcx_attach_one(hook_prog(st->skel, ld, h), cfg->pin_path,
						  &st->ifaces[i], h, err, errlen)
				 : tc_classic_attach_one(fd, hook_prog(st->skel, ld, h),
							 &st->ifaces[i], h, err, errlen);
	if (fd >= 0 && tcx && !rc) {
		/* Every record is gone: drop the map too. */
		char path[PDTT_PATH_MAX + 32];

		loader_pin_file(path, sizeof(path), cfg->pin_path, PDTT_PIN_TC_RECORDS);
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

/* --- interfaces that come and go ------------------------------------------ */

static bool has_iface(const struct tc_state *st, const struct tc_iface *i)
{
	for (size_t j = 0; j < st->n_ifaces; j++)
		if (st->ifaces[j].ifindex == i->ifindex && !strcmp(st->ifaces[j].name, i->name))
			return true;
	return false;
}

/* Stop counting on an interface that is gone or no longer chosen. */
static void leave_iface(const char *pin_path, const struct tc_state *st, const struct tc_iface *i)
{
	char name[128], err[256];

	log_info("tc mode: %s is gone (or no longer chosen): not counting on it", i->name);
	for (size_t h = 0; st->tcx && h < TC_N_HOOKS; h++) {
		link_pin_name(name, sizeof(name), i->name, h);
		if (loader_unload_link(pin_path, name, err, sizeof(err)) < 0)
			log_err("%s", err);
	}
}

/* Start counting on an interface that appeared (or came up). */
static void join_iface(const char *pin_path, const struct pdtt_loader *ld, int records,
		       const struct tc_iface *i)
{
	const struct tc_state *st = ld->skel;
	char err[PDTT_PATH_MAX + 512];
	int rc = 0;

	for (size_t h = 0; !rc && h < TC_N_HOOKS; h++)
		rc = st->tcx ? tcx_attach_one(hook_prog(st->skel, ld, h), pin_path, i, h, err,
					      sizeof(err))
			     : tc_classic_attach_one(records, hook_prog(st->skel, ld, h), i, h, err,
						     sizeof(err));
	if (rc)
		log_err("tc mode: %s appeared but %s", i->name, err);
	else
		log_info("tc mode: %s appeared: counting on it (%s)", i->name,
			 st->tcx ? "tcx links" : "classic clsact filters");
}

/*
 * After link notifications: the interfaces are chosen again as at start, and
 * pdtt joins those that appeared and leaves those that went.
 */
static void tc_links_changed(const struct pdtt_config *cfg, struct pdtt_loader *ld)
{
	struct tc_state *st = ld->skel, now = { .skel = st->skel, .tcx = st->tcx };
	char err[PDTT_PATH_MAX + 512];
	int records = -1;

	if (resolve_interfaces(cfg, &now, false, err, sizeof(err))) {
		log_err("tc mode: %s", err);
		free(now.ifaces);
		return;
	}
	if (!st->tcx) {
		records = tc_classic_open(cfg->pin_path, true, err, sizeof(err));
		if (records < 0) {
			log_err("tc mode: %s", err);
			free(now.ifaces);
			return;
		}
		if (tc_classic_prune(records, now.ifaces, now.n_ifaces, err, sizeof(err)) < 0)
			log_err("tc mode: %s", err);
	}
	for (size_t i = 0; i < st->n_ifaces; i++)
		if (!has_iface(&now, &st->ifaces[i]))
			leave_iface(cfg->pin_path, st, &st->ifaces[i]);
	for (size_t i = 0; i < now.n_ifaces; i++)
		if (!has_iface(st, &now.ifaces[i]))
			join_iface(cfg->pin_path, ld, records, &now.ifaces[i]);
	if (records >= 0)
		close(records);
	free(st->ifaces);
	st->ifaces = now.ifaces;
	st->n_ifaces = now.n_ifaces;
}

static int tc_unload(const char *pin_path, char *err, size_t errlen)
{
	if (prune_links(pin_path, NULL, err, errlen) < 0)
		return -1;
	return tc_classic_unload(pin_path, err, errlen);
}

const struct loader_mode loader_tc_mode = {
	.name = "tc",
	.id = PDTT_MODE_TC,
	.load = tc_load,
	.attach = tc_attach,
	.destroy = tc_destroy,
	.unload = tc_unload,
	.links_changed = tc_links_changed,
};
