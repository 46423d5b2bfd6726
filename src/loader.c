// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exitcodes.h"
#include "loader.h"
#include "log.h"
#include "mounts.h"
#include "pdtt_socket.skel.h"

/* Link pins of socket mode, one per hook. */
#define PIN_LINK_SOCK_EGRESS "link_sock_egress"
#define PIN_LINK_SOCK_INGRESS "link_sock_ingress"

static const char *const link_pins[] = {
	PIN_LINK_SOCK_EGRESS,
	PIN_LINK_SOCK_INGRESS,
};

static const char *const map_pins[] = {
	PDTT_PIN_COUNTERS,
	PDTT_PIN_BUCKETS,
	PDTT_PIN_META,
};

static int libbpf_to_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	log_msg(level == LIBBPF_WARN ? LOG_WARNING : LOG_INFO, "%s", line);
	return 0;
}

void loader_init_libbpf_logging(void)
{
	libbpf_set_print(libbpf_to_log);
}

static void pin_file(char *out, size_t outlen, const char *pin_path, const char *name)
{
	snprintf(out, outlen, "%s/%s", pin_path, name);
}

/* The status to exit with for a failed bpf() call, and what to tell the admin. */
static int bpf_failure(int e, const char *what, char *err, size_t errlen)
{
	if (e == EPERM || e == EACCES) {
		snprintf(err, errlen, "%s: %s (pdttd needs root, or CAP_BPF, CAP_NET_ADMIN "
			 "and CAP_PERFMON, and a kernel that allows BPF)", what, strerror(e));
		return PDTT_EXIT_NOPERM;
	}
	if (e == ENOSYS || e == EOPNOTSUPP || e == EINVAL) {
		snprintf(err, errlen, "%s: %s (this kernel lacks what pdtt needs: BPF with BTF, "
			 "cgroup v2, Linux 6.2 or later)", what, strerror(e));
		return PDTT_EXIT_UNAVAILABLE;
	}
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return PDTT_EXIT_FAILURE;
}

/*
 * Refuse pins this build cannot read: another layout, or a map sized for
 * another max_users (libbpf would only say it cannot reuse the pin).
 */
static int check_pinned_maps(const struct pdtt_config *cfg, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct pdtt_meta meta = {};
	__u32 zero = 0;
	int fd;

	pin_file(path, sizeof(path), cfg->pin_path, PDTT_PIN_META);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		int bad = bpf_map_lookup_elem(fd, &zero, &meta) == 0 && meta.layout_version &&
			  meta.layout_version != PDTT_LAYOUT_VERSION;

		close(fd);
		if (bad) {
			snprintf(err, errlen, "the maps pinned in %s have layout version %u, this "
				 "pdttd reads version %u; run the pdttd that made them with --unload "
				 "(its counts are lost) or reinstall it", cfg->pin_path,
				 meta.layout_version, PDTT_LAYOUT_VERSION);
			return PDTT_EXIT_FAILURE;
		}
	}
	pin_file(path, sizeof(path), cfg->pin_path, PDTT_PIN_COUNTERS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.max_entries != cfg->max_users) {
		snprintf(err, errlen, "the counters pinned in %s were created for max_users = %u, "
			 "the configuration says %u; set max_users back to %u, or run "
			 "'pdttd --unload' to start counting afresh", cfg->pin_path,
			 info.max_entries, cfg->max_users, info.max_entries);
		close(fd);
		return PDTT_EXIT_CONFIG;
	}
	close(fd);
	return 0;
}

/* New maps: record who made them and since when they count. */
static int init_meta(struct pdtt_loader *ld, enum pdtt_mode mode)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(ld->meta_fd, &zero, &ld->meta))
		return -errno;
	if (ld->meta.layout_version)
		return 0;
	ld->meta.layout_version = PDTT_LAYOUT_VERSION;
	ld->meta.mode = mode;
	ld->meta.accounting_start = (__u64)time(NULL);
	if (bpf_map_update_elem(ld->meta_fd, &zero, &ld->meta, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Put prog on its hook. A pinned link from an earlier run is kept and given
 * the new program (atomic replace: the hook never runs both or neither).
 */
static int attach_cgroup_pinned(struct bpf_program *prog, int cgroup_fd, const char *pin_path,
				const char *name, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	struct bpf_link *link;
	int e;

	pin_file(path, sizeof(path), pin_path, name);
	link = access(path, F_OK) == 0 ? bpf_link__open(path) : NULL;
	if (link) {
		e = bpf_link__update_program(link, prog) ? errno : 0;
	} else {
		link = bpf_program__attach_cgroup(prog, cgroup_fd);
		e = link ? (bpf_link__pin(link, path) ? errno : 0) : errno;
	}
	bpf_link__destroy(link); /* drops our fd only: the pin holds the link */
	if (e) {
		char what[PDTT_PATH_MAX + 64];

		snprintf(what, sizeof(what), "cannot attach %s", path);
		return bpf_failure(e, what, err, errlen);
	}
	return 0;
}

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

static int start_socket_mode(const struct pdtt_config *cfg, struct pdtt_socket_bpf *skel,
			     char *err, size_t errlen)
{
	int cgroup_fd = open_cgroup(cfg, err, errlen);
	int rc;

	if (cgroup_fd < 0)
		return PDTT_EXIT_UNAVAILABLE;
	rc = attach_cgroup_pinned(skel->progs.pdtt_sock_egress, cgroup_fd, cfg->pin_path,
				  PIN_LINK_SOCK_EGRESS, err, errlen);
	if (!rc)
		rc = attach_cgroup_pinned(skel->progs.pdtt_sock_ingress, cgroup_fd, cfg->pin_path,
					  PIN_LINK_SOCK_INGRESS, err, errlen);
	close(cgroup_fd);
	return rc;
}

static int load_socket_skeleton(const struct pdtt_config *cfg, struct pdtt_socket_bpf **out,
				char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = cfg->pin_path);
	struct pdtt_socket_bpf *skel = pdtt_socket_bpf__open_opts(&opts);
	int e;

	if (!skel)
		return bpf_failure(errno, "cannot open the socket-mode BPF object", err, errlen);
	bpf_map__set_max_entries(skel->maps.pdtt_counters, cfg->max_users);
	if (pdtt_socket_bpf__load(skel)) {
		e = errno;
		pdtt_socket_bpf__destroy(skel);
		return bpf_failure(e, "cannot load the socket-mode BPF programs", err, errlen);
	}
	*out = skel;
	return 0;
}

int loader_start(const struct pdtt_config *cfg, struct pdtt_loader *ld, char *err, size_t errlen)
{
	struct pdtt_socket_bpf *skel = NULL;
	int rc;

	memset(ld, 0, sizeof(*ld));
	if (cfg->mode != PDTT_CONFIG_MODE_SOCKET) {
		snprintf(err, errlen, "mode = \"%s\" is not supported by this version; use "
			 "mode = \"socket\"", config_mode_name(cfg->mode));
		return PDTT_EXIT_CONFIG;
	}
	rc = check_pinned_maps(cfg, err, errlen);
	if (!rc)
		rc = load_socket_skeleton(cfg, &skel, err, errlen);
	if (rc)
		return rc;
	ld->skel = skel;
	ld->counters_fd = bpf_map__fd(skel->maps.pdtt_counters);
	ld->buckets_fd = bpf_map__fd(skel->maps.pdtt_buckets);
	ld->meta_fd = bpf_map__fd(skel->maps.pdtt_meta);
	ld->max_entries = cfg->max_users;
	if (init_meta(ld, PDTT_MODE_SOCKET) < 0)
		rc = bpf_failure(errno, "cannot initialise the meta map", err, errlen);
	if (!rc)
		rc = start_socket_mode(cfg, skel, err, errlen);
	if (rc)
		loader_close(ld);
	return rc;
}

void loader_close(struct pdtt_loader *ld)
{
	/* Destroying the skeleton closes fds only: maps and links stay pinned. */
	pdtt_socket_bpf__destroy(ld->skel);
	memset(ld, 0, sizeof(*ld));
	ld->counters_fd = ld->buckets_fd = ld->meta_fd = -1;
}

/* Detach the link even while another process still holds it, then drop its pin. */
static int unload_link(const char *path, char *err, size_t errlen)
{
	int fd = bpf_obj_get(path);
	int e = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_link_detach(fd) && errno != EINVAL)
		e = errno;
	close(fd);
	if (!e && unlink(path) < 0)
		e = errno;
	if (e)
		snprintf(err, errlen, "cannot detach %s: %s", path, strerror(e));
	return -e;
}

int loader_unload(const char *pin_path, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(link_pins) / sizeof(link_pins[0]); i++) {
		pin_file(path, sizeof(path), pin_path, link_pins[i]);
		if (unload_link(path, err, errlen) < 0)
			return PDTT_EXIT_FAILURE;
	}
	for (i = 0; i < sizeof(map_pins) / sizeof(map_pins[0]); i++) {
		pin_file(path, sizeof(path), pin_path, map_pins[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			return PDTT_EXIT_FAILURE;
		}
	}
	if (rmdir(pin_path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "removed pdtt's pins, but %s is not empty: %s", pin_path,
			 strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	return 0;
}
