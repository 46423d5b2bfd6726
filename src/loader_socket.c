// SPDX-License-Identifier: GPL-2.0-or-later
/* Socket mode: cgroup_skb egress and ingress on the cgroup v2 root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "exitcodes.h"
#include "loader_mode.h"
#include "mounts.h"
#include "pdtt_socket.skel.h"
#include "pdtt_socket_compat.skel.h"
#include "pins.h"

#define PIN_LINK_EGRESS PDTT_PIN_LINK_SOCK_EGRESS
#define PIN_LINK_INGRESS PDTT_PIN_LINK_SOCK_INGRESS

static int open_cgroup(const struct pdtt_config *cfg, char *err, size_t errlen)
{
	char root[PDTT_PATH_MAX];
	const char *dir = cfg->cgroup_path;
	int fd;

	if (!dir[0]) {
		if (find_cgroup2_root("/proc/mounts", root, sizeof(root)) < 0) {
			snprintf(err, errlen, "no cgroup v2 hierarchy in /proc/mounts: socket mode "
				 "needs cgroup v2 (mount it, e.g. 'mount -t cgroup2 none "
				 "/sys/fs/cgroup/unified', or use mode = \"tc\")");
			return -1;
		}
		dir = root;
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

static int socket_attach(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err,
			 size_t errlen)
{
	struct pdtt_socket_bpf *skel = ld->skel;
	int cgroup_fd = open_cgroup(cfg, err, errlen);
	int rc;

	if (cgroup_fd < 0)
		return PDTT_EXIT_UNAVAILABLE;
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
	struct pdtt_socket_bpf *skel = calloc(1, sizeof(*skel));
	struct loader_maps maps;
	int rc, e;

	if (!skel || (e = pdtt_socket_bpf__create_skeleton(skel)) ||
	    (e = loader_open_skeleton(skel->skeleton, pdtt_socket_compat_bpf__elf_bytes, &opts,
				      ld))) {
		e = skel ? -e : ENOMEM;
		pdtt_socket_bpf__destroy(skel);
		return loader_bpf_failure(e, "cannot open the socket-mode BPF object", err, errlen);
	}
	maps = (struct loader_maps){
		.counters = skel->maps.pdtt_counters, .slots = skel->maps.pdtt_slots,
		.buckets = skel->maps.pdtt_buckets, .meta = skel->maps.pdtt_meta,
		.local_nets = skel->maps.pdtt_local_nets,
		.local_nets_count = &skel->bss->pdtt_local_nets_count,
	};
	loader_size_maps(&maps, cfg);
	rc = loader_prepare_programs(skel->obj, PDTT_MODE_SOCKET, ld, err, errlen);
	if (rc) {
		pdtt_socket_bpf__destroy(skel);
		return rc;
	}
	loader_prepare_owner_tracking(cfg, ld, skel->obj, &skel->rodata->pdtt_owner_tracking);
	if (pdtt_socket_bpf__load(skel)) {
		e = errno;
		pdtt_socket_bpf__destroy(skel);
		return loader_bpf_failure(e, "cannot load the socket-mode BPF programs", err,
					  errlen);
	}
	ld->skel = skel;
	loader_keep_maps(ld, &maps);
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
