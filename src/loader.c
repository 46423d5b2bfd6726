// SPDX-License-Identifier: GPL-2.0-or-later
/* What every mode shares: pins, the meta map, layout checks, local networks, unload. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "exitcodes.h"
#include "loader_kernel.h"
#include "loader_mode.h"
#include "log.h"
#include "pins.h"

static const struct loader_mode *const modes[] = {
	&loader_socket_mode,
	&loader_tc_mode,
};

static const char *const map_pins[] = {
	PDTT_PIN_COUNTERS,    PDTT_PIN_SLOTS,     PDTT_PIN_BUCKETS,  PDTT_PIN_META,
	PDTT_PIN_OWNERS,      PDTT_PIN_SLOT_LOCK, PDTT_PIN_NETWORKS, PDTT_PIN_JOB_COUNTERS,
	PDTT_PIN_JOB_CGROUPS, PDTT_PIN_JOB_USERS,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* libbpf hands over a verifier log as one message: log it line by line, whole. */
static int libbpf_to_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *text, *line, *save = NULL;

	if (level == LIBBPF_DEBUG || vasprintf(&text, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_msg(level == LIBBPF_WARN ? LOG_WARNING : LOG_INFO, "%s", line);
	free(text);
	return 0;
}

void loader_init_libbpf_logging(void)
{
	libbpf_set_print(libbpf_to_log);
}

void loader_size_maps(const struct loader_maps *m, const struct pdtt_config *cfg,
		      const struct pdtt_loader *ld)
{
	unsigned int n = classes_count(&ld->classes);

	*m->n_classes = n;
	bpf_map__set_max_entries(m->counters, cfg->max_users);
	bpf_map__set_max_entries(m->slots, cfg->max_users);
	bpf_map__set_value_size(m->counters, PDTT_VALUE_SIZE(n));
	bpf_map__set_value_size(m->buckets, PDTT_VALUE_SIZE(n));
}

void loader_keep_maps(struct pdtt_loader *ld, const struct loader_maps *m)
{
	ld->counters_fd = bpf_map__fd(m->counters);
	ld->slots_fd = bpf_map__fd(m->slots);
	ld->buckets_fd = bpf_map__fd(m->buckets);
	ld->meta_fd = bpf_map__fd(m->meta);
	ld->local_nets_fd = bpf_map__fd(m->local_nets);
	ld->local_nets_count = m->local_nets_count;
}

void loader_pin_file(char *out, size_t outlen, const char *pin_path, const char *name)
{
	snprintf(out, outlen, "%s/%s", pin_path, name);
}

int loader_bpf_failure(int e, const char *what, char *err, size_t errlen)
{
	if (e == EPERM || e == EACCES) {
		snprintf(err, errlen,
			 "%s: %s (pdttd needs root, or CAP_BPF, CAP_NET_ADMIN "
			 "and CAP_PERFMON, and a kernel that allows BPF)",
			 what, strerror(e));
		return PDTT_EXIT_NOPERM;
	}
	if (e == ENOSYS || e == EOPNOTSUPP || e == EINVAL) {
		snprintf(err, errlen,
			 "%s: %s (this kernel lacks what pdtt needs: BPF with BTF, "
			 "cgroup v2, Linux 5.10 or later)",
			 what, strerror(e));
		return PDTT_EXIT_UNAVAILABLE;
	}
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return PDTT_EXIT_FAILURE;
}

static const struct loader_mode *mode_of(enum pdtt_config_mode mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(modes[i]->name, config_mode_name(mode)) == 0)
			return modes[i];
	return NULL;
}

/* pin_path/NAME for the retired maps' directory. */
static void retired_dir(char *out, size_t outlen, const char *pin_path, const char *name)
{
	snprintf(out, outlen, "%s/%s", pin_path, name);
}

#define RETIRING PDTT_PIN_RETIRING
#define RETIRED PDTT_PIN_RETIRED

/* Move the map pins of pin_path into dir (which exists); 0 or -errno. */
static int move_map_pins(const char *pin_path, const char *dir)
{
	char from[PDTT_PATH_MAX + 128], to[PDTT_PATH_MAX + 128];

	for (size_t i = 0; i < ARRAY_SIZE(map_pins); i++) {
		loader_pin_file(from, sizeof(from), pin_path, map_pins[i]);
		loader_pin_file(to, sizeof(to), dir, map_pins[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/*
 * Move the maps out of the way, keeping them pinned, so that new ones can be
 * made and the old counts folded in after the programs switched over. Done in
 * pin_path/retiring, renamed to pin_path/retired once complete: a start
 * after a crash finds either a complete retired set or one to complete.
 */
static int retire_maps(const char *pin_path, char *err, size_t errlen)
{
	char retiring[PDTT_PATH_MAX + 64], retired[PDTT_PATH_MAX + 64];
	int e = 0;

	retired_dir(retiring, sizeof(retiring), pin_path, RETIRING);
	retired_dir(retired, sizeof(retired), pin_path, RETIRED);
	if (access(retired, F_OK) == 0) {
		snprintf(err, errlen,
			 "%s holds maps of an earlier migration that did not finish, "
			 "and the maps in %s need migrating too: start pdttd once with the "
			 "configuration it last ran with, then with the new one",
			 retired, pin_path);
		return PDTT_EXIT_FAILURE;
	}
	if (mkdir(retiring, 0700) < 0 && errno != EEXIST)
		e = -errno;
	if (!e)
		e = move_map_pins(pin_path, retiring);
	if (!e && rename(retiring, retired) < 0)
		e = -errno;
	if (e) {
		snprintf(err, errlen, "cannot move the maps in %s aside to migrate them: %s",
			 pin_path, strerror(-e));
		return PDTT_EXIT_FAILURE;
	}
	return 0;
}

/* A retirement interrupted by a crash: complete it (nothing new was made yet). */
static int finish_retiring(const char *pin_path, char *err, size_t errlen)
{
	char retiring[PDTT_PATH_MAX + 64];

	retired_dir(retiring, sizeof(retiring), pin_path, RETIRING);
	if (access(retiring, F_OK) < 0)
		return 0;
	log_warn("completing the migration of the maps in %s that was interrupted", pin_path);
	return retire_maps(pin_path, err, errlen);
}

/*
 * Pins this build cannot read are refused; pins of an older layout, or sized
 * for another max_users, are retired (their counts carried over by the daemon).
 */
static int check_pinned_maps(const struct pdtt_config *cfg, unsigned int n_classes, char *err,
			     size_t errlen)
{
	struct pinned_maps p;
	int rc = finish_retiring(cfg->pin_path, err, errlen);

	if (!rc)
		rc = pins_inspect(cfg->pin_path, &p, err, errlen);
	if (rc || !p.present)
		return rc;
	if (p.version != PDTT_LAYOUT_VERSION) {
		log_warn("the maps pinned in %s have layout version %u; migrating their counts to "
			 "new maps of layout version %u",
			 cfg->pin_path, p.version, PDTT_LAYOUT_VERSION);
	} else if (p.has_counters && p.counters_info.max_entries != cfg->max_users) {
		log_warn("the counters pinned in %s were made for max_users = %u; migrating their "
			 "counts to new maps for max_users = %u",
			 cfg->pin_path, p.counters_info.max_entries, cfg->max_users);
	} else if (p.has_counters && p.counters_info.value_size != PDTT_VALUE_SIZE(n_classes)) {
		log_info("the counters pinned in %s have %u classes of networks; migrating their "
			 "counts to new maps with %u",
			 cfg->pin_path,
			 pdtt_classes_in_value(p.counters_info.value_size, PDTT_LANES), n_classes);
	} else {
		return 0;
	}
	return retire_maps(cfg->pin_path, err, errlen);
}

/* New maps: record who made them, since when they count, and a random id. */
static int init_meta(struct pdtt_loader *ld)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(ld->meta_fd, &zero, &ld->meta))
		return -errno;
	if (ld->meta.layout_version)
		return 0;
	ld->meta.layout_version = PDTT_LAYOUT_VERSION;
	ld->meta.mode = ld->mode->id;
	ld->meta.accounting_start = (__u64)time(NULL);
	do {
		if (getrandom(&ld->meta.instance_id, sizeof(ld->meta.instance_id), 0) !=
		    sizeof(ld->meta.instance_id))
			return -errno;
	} while (ld->meta.instance_id == 0);
	if (bpf_map_update_elem(ld->meta_fd, &zero, &ld->meta, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Attach prog and pin the new link at path: 0 or errno. With old (links that
 * cannot swap programs: tracing), the new link is attached first and old
 * detached after, so the hook is never left without a program.
 */
static int pin_new_link(struct bpf_link *old, struct bpf_program *prog, const char *path,
			struct bpf_link *(*attach)(const struct bpf_program *prog, void *ctx),
			void *ctx)
{
	struct bpf_link *link = attach(prog, ctx);
	int e;

	if (!link)
		return errno;
	if (old)
		unlink(path);
	e = bpf_link__pin(link, path) ? errno : 0;
	bpf_link__destroy(link);
	if (!e && old)
		bpf_link__detach(old);
	return e;
}

/* Unpin the maps in pin_path/name and remove it; 0 or -1 with errno. */
static int remove_map_dir(const char *pin_path, const char *name)
{
	char dir[PDTT_PATH_MAX + 64], path[PDTT_PATH_MAX + 128];

	retired_dir(dir, sizeof(dir), pin_path, name);
	for (size_t i = 0; i < ARRAY_SIZE(map_pins); i++) {
		loader_pin_file(path, sizeof(path), dir, map_pins[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return -1;
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int loader_remove_retired(const char *pin_path)
{
	return remove_map_dir(pin_path, RETIRED) < 0 ? -errno : 0;
}

int loader_attach_pinned(struct bpf_program *prog, const char *pin_path, const char *name,
			 struct bpf_link *(*attach)(const struct bpf_program *prog, void *ctx),
			 void *ctx, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	struct bpf_link *link;
	int e;

	loader_pin_file(path, sizeof(path), pin_path, name);
	link = access(path, F_OK) == 0 ? bpf_link__open(path) : NULL;
	if (link && bpf_link__update_program(link, prog) == 0) {
		e = 0;
	} else if (link && errno != EOPNOTSUPP && errno != EINVAL) {
		e = errno;
	} else {
		e = pin_new_link(link, prog, path, attach, ctx);
	}
	bpf_link__destroy(link); /* drops our fd only: the pin holds the link */
	if (e) {
		char what[PDTT_PATH_MAX + 64];

		snprintf(what, sizeof(what), "cannot attach %s", path);
		return loader_bpf_failure(e, what, err, errlen);
	}
	return 0;
}

static const char *const access_subject[] = {
	[PDTT_MODE_SOCKET] = "socket mode reads each socket's UID as",
	[PDTT_MODE_TC] = "tc mode reads the device, the network header and each socket's UID as",
};

int loader_open_skeleton(struct bpf_object_skeleton *s, const struct loader_builds *builds,
			 const struct bpf_object_open_opts *opts, struct pdtt_loader *ld)
{
	int e;

	/* tc mode adds with bottom halves disabled: plain adds (pdtt_count.bpf.h). */
	ld->tx = LOADER_TX_LOCKED;
	ld->tx_why[0] = '\0';
	if (ld->mode->id == PDTT_MODE_SOCKET)
		ld->tx = loader_kernel_tx(ld->tx_why, sizeof(ld->tx_why));
	/* Every kernel with the kfuncs (6.14+) has fetch-and-add (5.12+). */
	ld->compat_atomics = ld->tx != LOADER_TX_IRQ_OFF && !loader_kernel_fetch_atomics();
	if (ld->tx == LOADER_TX_IRQ_OFF)
		s->data = (void *)builds->irq(&s->data_sz);
	else if (ld->compat_atomics)
		s->data = (void *)builds->compat(&s->data_sz);
	e = bpf_object__open_skeleton(s, opts);
	if (e)
		return e;
	/* The lock is in every build, used by the compat build only. */
	return bpf_map__set_autocreate(bpf_object__find_map_by_name(*s->obj, PDTT_PIN_SLOT_LOCK),
				       ld->compat_atomics);
}

static const char *const tx_way_text[] = {
	[LOADER_TX_LOCKED] = "locked atomic adds",
	[LOADER_TX_LANES] = "plain adds in two lanes",
	[LOADER_TX_IRQ_OFF] = "interrupts off around plain adds (bpf_local_irq_save, Linux 6.14+)",
};

/* Once started: how this kernel is read, for the log. */
static void log_kernel_ways(const struct pdtt_loader *ld)
{
	log_info("%s %s%s%s", access_subject[ld->mode->id], pins_access_text(ld->access),
		 ld->access_why[0] ? ": " : "", ld->access_why);
	if (ld->compat_atomics)
		log_info("this kernel lacks atomic fetch-and-add for BPF (Linux 5.12+): counter "
			 "slots are handed out under a lock (%s)",
			 PDTT_PIN_SLOT_LOCK);
	if (ld->mode->id != PDTT_MODE_SOCKET)
		return;
	log_info("socket mode adds TX counters with %s%s%s", tx_way_text[ld->tx],
		 ld->tx_why[0] ? ": " : "", ld->tx_why);
}

void loader_prepare_tx(struct pdtt_loader *ld, volatile __u32 *tx_way)
{
	*tx_way = ld->tx == LOADER_TX_LANES ? PDTT_TX_LANES : PDTT_TX_LOCKED;
}

int loader_prepare_programs(struct bpf_object *obj, enum pdtt_mode mode, struct pdtt_loader *ld,
			    char *err, size_t errlen)
{
	int rc = loader_kernel_check(mode, err, errlen);

	if (rc)
		return rc;
	ld->access = loader_kernel_access(mode, ld->access_why, sizeof(ld->access_why), err,
					  errlen);
	if (ld->access == PINS_ACCESS_UNKNOWN)
		return PDTT_EXIT_UNAVAILABLE;
	for (enum pins_access a = PINS_ACCESS_CAST; a < PINS_ACCESS_UNKNOWN; a++) {
		const struct pins_programs *p = pins_programs_of(mode, a);

		if (!p)
			continue;
		bpf_program__set_autoload(bpf_object__find_program_by_name(obj, p->egress),
					  a == ld->access);
		bpf_program__set_autoload(bpf_object__find_program_by_name(obj, p->ingress),
					  a == ld->access);
	}
	return 0;
}

struct bpf_program *loader_counting_program(struct bpf_object *obj, enum pdtt_mode mode,
					    const struct pdtt_loader *ld, bool ingress)
{
	const struct pins_programs *p = pins_programs_of(mode, ld->access);

	return bpf_object__find_program_by_name(obj, ingress ? p->ingress : p->egress);
}

void loader_prepare_owner_tracking(const struct pdtt_config *cfg, struct pdtt_loader *ld,
				   struct bpf_object *obj, volatile __u32 *switches)
{
	const char *storage = getenv("PDTT_KERNEL_STORAGE");

	ld->owner_via = cfg->owner_tracking
				? loader_kernel_owner_hooks(ld->owner_off, sizeof(ld->owner_off))
				: 0;
	ld->owner_tracking = ld->owner_via != 0;
	*switches = ld->owner_tracking ? PDTT_SW_OWNER_TRACKING : 0;
	/* Tests: socket and tc mode read the storage by the helper alone (pdtt_storage_cached). */
	if (storage && strcmp(storage, "helper") == 0)
		*switches |= PDTT_SW_STORAGE_HELPER;
	/* Before 6.2 a program that calls bpf_rdonly_cast does not load: the "r" set. */
	ld->owner_direct = ld->owner_tracking && loader_kernel_cast();
	for (size_t i = 0; i < pins_n_owner_links; i++) {
		const struct pins_owner_link *o = &pins_owner_links[i];
		bool on = o->via == ld->owner_via;

		bpf_program__set_autoload(bpf_object__find_program_by_name(obj, o->prog),
					  on && (ld->owner_direct || !o->prog_r));
		if (o->prog_r)
			bpf_program__set_autoload(bpf_object__find_program_by_name(obj, o->prog_r),
						  on && !ld->owner_direct);
	}
}

const char *loader_attribution(const struct pdtt_config *cfg, const struct pdtt_loader *ld)
{
	static char sentence[512];

	if (ld->owner_via == PINS_OWNER_TRACEPOINTS)
		return "owner tracking on (tp_btf sock_send_length and sock_recv_length): traffic "
		       "is charged to the user that last sent or received on each socket";
	if (ld->owner_via == PINS_OWNER_FEXIT)
		return "owner tracking on (fexit on inet_sendmsg, inet6_sendmsg, inet_recvmsg and "
		       "inet6_recvmsg, as this kernel lacks the 6.3 tracepoints): traffic is "
		       "charged to the user that last sent or received on each socket";
	if (cfg->owner_tracking) {
		snprintf(sentence, sizeof(sentence),
			 "owner tracking off: %s; so traffic is charged "
			 "to the socket owner and transfers through daemons such as sshd count for "
			 "root",
			 ld->owner_off);
		return sentence;
	}
	return "owner tracking off by configuration: traffic is charged to the socket owner";
}

static struct bpf_link *attach_trace(const struct bpf_program *prog, void *ctx)
{
	(void)ctx;
	return bpf_program__attach_trace(prog);
}

/* Remove the pins of every owner tracking link not through via; 0 or -1 with err. */
static int unload_owner_links(const char *pin_path, enum pins_owner_via via, char *err,
			      size_t errlen)
{
	for (size_t i = 0; i < pins_n_owner_links; i++)
		if (pins_owner_links[i].via != via &&
		    loader_unload_link(pin_path, pins_owner_links[i].pin, err, errlen) < 0)
			return -1;
	return 0;
}

int loader_attach_owner_tracking(const struct pdtt_config *cfg, struct pdtt_loader *ld,
				 struct bpf_object *obj, char *err, size_t errlen)
{
	int rc = 0;

	/* Off, or through other hooks, since the last run: those must not keep recording. */
	if (unload_owner_links(cfg->pin_path, ld->owner_via, err, errlen) < 0)
		return PDTT_EXIT_FAILURE;
	for (size_t i = 0; !rc && i < pins_n_owner_links; i++) {
		const struct pins_owner_link *o = &pins_owner_links[i];

		const char *prog = o->prog_r && !ld->owner_direct ? o->prog_r : o->prog;

		if (o->via == ld->owner_via)
			rc = loader_attach_pinned(bpf_object__find_program_by_name(obj, prog),
						  cfg->pin_path, o->pin, attach_trace, NULL, err,
						  errlen);
	}
	return rc;
}

/* An LPM key for net: IPv4 as IPv4-mapped IPv6, like the programs look it up. */
static struct pdtt_lpm_key lpm_key(const struct pdtt_network *net)
{
	struct pdtt_lpm_key key = { .prefixlen = net->prefix_len };

	if (net->family == AF_INET) {
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		memcpy(&key.addr[12], net->addr, 4);
		key.prefixlen += 96;
	} else {
		memcpy(key.addr, net->addr, 16);
	}
	return key;
}

/*
 * The names of the classes beyond local and external, for pdtt and for the
 * next start: a small map, made anew (its size is the classes'), pinned.
 */
static int pin_class_names(const char *pin_path, const struct pdtt_classes *c)
{
	char path[PDTT_PATH_MAX + 32];
	unsigned int n = classes_count(c);
	int fd, e = 0;

	loader_pin_file(path, sizeof(path), pin_path, PDTT_PIN_NETWORKS);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (!classes_named(c))
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PDTT_PIN_NETWORKS, sizeof(__u32),
			    PDTT_CLASS_NAME_LEN, n, NULL);
	if (fd < 0)
		return -errno;
	for (__u32 i = PDTT_CLASS_FIRST_NAMED; !e && i < n; i++)
		if (bpf_map_update_elem(fd, &i, c->name[i], BPF_ANY))
			e = -errno;
	if (!e && bpf_obj_pin(fd, path))
		e = -errno;
	close(fd);
	return e;
}

/* Add cidr to the trie with class cls; 0 or -1 with errno. */
static int add_network(struct pdtt_loader *ld, const struct pdtt_network *cidr, __u8 cls)
{
	struct pdtt_lpm_key key = lpm_key(cidr);

	return bpf_map_update_elem(ld->local_nets_fd, &key, &cls, BPF_ANY);
}

int loader_set_networks(struct pdtt_loader *ld, const struct pdtt_config *cfg)
{
	struct pdtt_lpm_key key, next;

	/* Classifying stops first, so no packet sees a half-built trie. */
	*ld->local_nets_count = 0;
	while (bpf_map_get_next_key(ld->local_nets_fd, NULL, &next) == 0) {
		key = next;
		if (bpf_map_delete_elem(ld->local_nets_fd, &key))
			return -errno;
	}
	for (size_t i = 0; i < cfg->n_local_networks; i++)
		if (add_network(ld, &cfg->local_networks[i], PDTT_CLASS_LOCAL))
			return -errno;
	/* A name the counters lack (it needs new maps) matches nothing until they have it. */
	for (size_t k = 0; k < cfg->n_network_cidrs; k++) {
		unsigned int cls = classes_of_cidr(&ld->classes, cfg, k);

		if (cls != PDTT_CLASS_EXTERNAL &&
		    add_network(ld, &cfg->network_cidrs[k], (__u8)cls))
			return -errno;
	}
	*ld->local_nets_count = cfg->n_local_networks + cfg->n_network_cidrs;
	return 0;
}

int loader_start(const struct pdtt_config *cfg, const struct pdtt_classes *classes,
		 struct pdtt_loader *ld, char *err, size_t errlen)
{
	int rc;

	memset(ld, 0, sizeof(*ld));
	ld->classes = *classes;
	ld->classes.n = classes_count(classes);
	ld->mode = mode_of(cfg->mode);
	if (!ld->mode) {
		snprintf(err, errlen,
			 "mode = \"%s\" is not supported by this version; use "
			 "mode = \"socket\"",
			 config_mode_name(cfg->mode));
		return PDTT_EXIT_CONFIG;
	}
	rc = check_pinned_maps(cfg, ld->classes.n, err, errlen);
	if (!rc)
		rc = ld->mode->load(cfg, ld, err, errlen);
	if (rc)
		return rc;
	ld->max_entries = cfg->max_users;
	if (init_meta(ld) < 0)
		rc = loader_bpf_failure(errno, "cannot initialise the meta map", err, errlen);
	if (!rc && loader_set_networks(ld, cfg) < 0)
		rc = loader_bpf_failure(errno, "cannot fill the networks map", err, errlen);
	if (!rc && pin_class_names(cfg->pin_path, &ld->classes) < 0)
		rc = loader_bpf_failure(errno, "cannot pin the network names", err, errlen);
	/* Another mode's programs left on the same maps would count twice. */
	for (size_t i = 0; !rc && i < ARRAY_SIZE(modes); i++)
		if (modes[i] != ld->mode && modes[i]->unload(cfg->pin_path, err, errlen) < 0)
			rc = PDTT_EXIT_FAILURE;
	if (!rc)
		rc = ld->mode->attach(cfg, ld, err, errlen);
	if (rc)
		loader_close(ld);
	else
		log_kernel_ways(ld);
	return rc;
}

void loader_links_changed(const struct pdtt_config *cfg, struct pdtt_loader *ld)
{
	if (ld->mode && ld->mode->links_changed)
		ld->mode->links_changed(cfg, ld);
}

void loader_close(struct pdtt_loader *ld)
{
	/* Destroying the skeleton closes fds only: maps and links stay pinned. */
	if (ld->mode && ld->skel)
		ld->mode->destroy(ld->skel);
	memset(ld, 0, sizeof(*ld));
	ld->counters_fd = ld->buckets_fd = ld->slots_fd = ld->meta_fd = ld->local_nets_fd = -1;
	ld->job_counters_fd = ld->job_cgroups_fd = ld->job_users_fd = -1;
}

int loader_unload_link(const char *pin_path, const char *name, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	int fd, e = 0;

	loader_pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/*
	 * BPF_LINK_DETACH: detached now, even while another process holds the
	 * link. Tracing links cannot be detached (EOPNOTSUPP): removing the pin
	 * drops their last reference, since no pdttd runs during an unload.
	 */
	if (bpf_link_detach(fd) && errno != EINVAL && errno != EOPNOTSUPP)
		e = errno;
	close(fd);
	if (!e && unlink(path) < 0)
		e = errno;
	if (e) {
		snprintf(err, errlen, "cannot detach %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int loader_unload(const char *pin_path, char *err, size_t errlen)
{
	char path[PDTT_PATH_MAX + 32];
	size_t i;

	/* Every mode: the pins may come from a mode the configuration no longer names. */
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i]->unload(pin_path, err, errlen) < 0)
			return PDTT_EXIT_FAILURE;
	if (unload_owner_links(pin_path, 0, err, errlen) < 0)
		return PDTT_EXIT_FAILURE;
	for (i = 0; i < ARRAY_SIZE(map_pins); i++) {
		loader_pin_file(path, sizeof(path), pin_path, map_pins[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			return PDTT_EXIT_FAILURE;
		}
	}
	if (remove_map_dir(pin_path, RETIRING) < 0 || remove_map_dir(pin_path, RETIRED) < 0) {
		snprintf(err, errlen, "cannot remove the retired maps in %s: %s", pin_path,
			 strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	if (rmdir(pin_path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "removed pdtt's pins, but %s is not empty: %s", pin_path,
			 strerror(errno));
		return PDTT_EXIT_FAILURE;
	}
	return 0;
}
