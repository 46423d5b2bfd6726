// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket mode: cgroup_skb egress and ingress on the cgroup v2 root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cgroup_find.h"
#include "exitcodes.h"
#include "loader_mode.h"
#include "log.h"
#include "mounts.h"
#include "pdtt_socket.skel.h"
#include "pdtt_socket_compat.skel.h"
#include "pdtt_socket_irq.skel.h"
#include "pins.h"

#define PIN_LINK_EGRESS PDTT_PIN_LINK_SOCK_EGRESS
#define PIN_LINK_INGRESS PDTT_PIN_LINK_SOCK_INGRESS

/* The cgroup to attach to, open, and its path in dir. */
static int open_cgroup(const struct pdtt_config *cfg, char *dir, size_t dirlen, char *err,
		       size_t errlen)
{
	char root[PDTT_PATH_MAX];
	int fd;

	snprintf(dir, dirlen, "%s", cfg->cgroup_path);
	if (!dir[0]) {
		if (find_cgroup2_root("/proc/mounts", root, sizeof(root)) < 0) {
			snprintf(err, errlen,
				 "no cgroup v2 hierarchy in /proc/mounts: socket mode "
				 "needs cgroup v2 (mount it, e.g. 'mount -t cgroup2 none "
				 "/sys/fs/cgroup/unified', or use mode = \"tc\")");
			return -1;
		}
		snprintf(dir, dirlen, "%s", root);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "cannot open cgroup %s: %s", dir, strerror(errno));
	return fd;
}

static struct bpf_link *attach_to_cgroup(const struct bpf_program *prog, void *cgroup_fd)
{
	return bpf_program__attach_cgroup(prog, *(int *)cgroup_fd);
}

/*
 * The id of the cgroup the link pinned as name is on in *id (0 once that
 * cgroup was removed); false when none is pinned.
 */
static bool pinned_cgroup_id(const char *pin_path, const char *name, __u64 *id)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	char path[PDTT_PATH_MAX + 32];
	int fd;

	loader_pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		info.cgroup.cgroup_id = 0;
	close(fd);
	*id = info.cgroup.cgroup_id;
	return true;
}

/* "cgroup /sys/fs/cgroup/x", or "cgroup id N" when no path has it. */
static void name_cgroup(__u64 id, char *out, size_t outlen)
{
	char root[PDTT_PATH_MAX], path[PDTT_PATH_MAX];

	if (!id)
		snprintf(out, outlen, "a cgroup that was removed");
	else if (find_cgroup2_root("/proc/mounts", root, sizeof(root)) == 0 &&
		 cgroup_find_by_id(root, id, path, sizeof(path)) == 0)
		snprintf(out, outlen, "cgroup %s", path);
	else
		snprintf(out, outlen, "cgroup id %llu", (unsigned long long)id);
}

/*
 * Links pinned by an earlier run stay on the cgroup they were made on: when
 * cgroup_path has changed since (or that cgroup was removed), they are
 * detached so that new ones are made on dir. The counts are in the maps,
 * pinned apart, and carry on.
 */
static int leave_other_cgroup(const struct pdtt_config *cfg, int cgroup_fd, const char *dir,
			      char *err, size_t errlen)
{
	static const char *const links[] = { PIN_LINK_EGRESS, PIN_LINK_INGRESS };
	char old[PDTT_PATH_MAX + 16];
	bool said = false;
	struct stat st;
	__u64 id;

	if (fstat(cgroup_fd, &st) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (!pinned_cgroup_id(cfg->pin_path, links[i], &id) || id == st.st_ino)
			continue;
		if (!said) {
			name_cgroup(id, old, sizeof(old));
			log_info("cgroup_path is now %s: moving the socket-mode programs there "
				 "from %s (the counts carry on)",
				 dir, old);
			said = true;
		}
		if (loader_unload_link(cfg->pin_path, links[i], err, errlen) < 0)
			return PDTT_EXIT_FAILURE;
	}
	return 0;
}

static int socket_attach(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
			 size_t errlen)
{
	struct pdtt_socket_bpf *skel = ld->skel;
	char dir[PDTT_PATH_MAX];
	int cgroup_fd = open_cgroup(cfg, dir, sizeof(dir), err, errlen);
	int rc;

	if (cgroup_fd < 0)
		return PDTT_EXIT_UNAVAILABLE;
	rc = leave_other_cgroup(cfg, cgroup_fd, dir, err, errlen);
	if (!rc)
		rc = loader_attach_owner_tracking(cfg, ld, skel->obj, err, errlen);
	if (!rc)
		rc = loader_attach_pinned(loader_counting_program(skel->obj, PDTT_MODE_SOCKET, ld,
								  false),
					  cfg->pin_path, PIN_LINK_EGRESS, attach_to_cgroup,
					  &cgroup_fd, err, errlen);
	if (!rc)
		rc = loader_attach_pinned(loader_counting_program(skel->obj, PDTT_MODE_SOCKET, ld,
								  true),
					  cfg->pin_path, PIN_LINK_INGRESS, attach_to_cgroup,
					  &cgroup_fd, err, errlen);
	close(cgroup_fd);
	return rc;
}

static int socket_load(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
		       size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = cfg->pin_path);
	static const struct loader_builds builds = {
		.compat = pdtt_socket_compat_bpf__elf_bytes,
		.irq = pdtt_socket_irq_bpf__elf_bytes,
	};
	struct pdtt_socket_bpf *skel = calloc(1, sizeof(*skel));
	struct loader_maps maps;
	int rc, e;

	if (!skel || (e = pdtt_socket_bpf__create_skeleton(skel)) ||
	    (e = loader_open_skeleton(skel->skeleton, &builds, &opts, ld))) {
		e = skel ? -e : ENOMEM;
		pdtt_socket_bpf__destroy(skel);
		return loader_bpf_failure(e, "cannot open the socket-mode BPF object", err, errlen);
	}
	maps = (struct loader_maps){
		.counters = skel->maps.pdtt_counters,
		.slots = skel->maps.pdtt_slots,
		.buckets = skel->maps.pdtt_buckets,
		.meta = skel->maps.pdtt_meta,
		.local_nets = skel->maps.pdtt_local_nets,
		.local_nets_count = &skel->bss->pdtt_local_nets_count,
		.n_classes = &skel->rodata->pdtt_n_classes,
	};
	loader_size_maps(&maps, cfg, ld);
	rc = loader_prepare_programs(skel->obj, PDTT_MODE_SOCKET, ld, err, errlen);
	if (rc) {
		pdtt_socket_bpf__destroy(skel);
		return rc;
	}
	loader_prepare_tx(ld, &skel->rodata->pdtt_tx_way);
	loader_prepare_owner_tracking(cfg, ld, skel->obj, &skel->rodata->pdtt_owner_switches);
	loader_jobs_prepare(cfg, ld, skel->obj, &skel->rodata->pdtt_jobs,
			    &skel->rodata->pdtt_jobs_cgroup_helper, true);
	if (pdtt_socket_bpf__load(skel)) {
		e = errno;
		pdtt_socket_bpf__destroy(skel);
		return loader_bpf_failure(e, "cannot load the socket-mode BPF programs", err,
					  errlen);
	}
	ld->skel = skel;
	loader_keep_maps(ld, &maps);
	loader_jobs_keep(ld, skel->obj, &skel->bss->pdtt_jobs_epoch);
	return 0;
}

static void socket_destroy(void *skel)
{
	pdtt_socket_bpf__destroy(skel);
}

static int socket_unload(const char *pin_path, char *err, size_t errlen)
{
	if (loader_unload_link(pin_path, PIN_LINK_EGRESS, err, errlen) < 0)
		return -1;
	return loader_unload_link(pin_path, PIN_LINK_INGRESS, err, errlen);
}

const struct loader_mode loader_socket_mode = {
	.name = "socket",
	.id = PDTT_MODE_SOCKET,
	.load = socket_load,
	.attach = socket_attach,
	.destroy = socket_destroy,
	.unload = socket_unload,
};
