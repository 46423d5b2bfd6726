// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchattach OBJ PROG KIND TARGET PIN
 *
 * Load one program of OBJ, attach it with a bpf_link and pin the link at PIN
 * (the harness removes the pin to detach). KIND: cgroup (TARGET: a cgroup
 * directory; direction from the section name), tcx-ingress or tcx-egress
 * (TARGET: an interface of the current network namespace), trace (tp_btf;
 * TARGET ignored). Prints the program's id. Maps pinned by name go under
 * $BENCH_PIN_ROOT when it is set.
 *
 * benchattach tcx-direction PIN
 *
 * Prints "ingress" or "egress" for a pinned tcx link (bpftool before 7.3
 * does not decode tcx links).
 */
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Not in older UAPI headers; values from the kernel's enum bpf_attach_type. */
#define BENCH_TCX_INGRESS 46
#define BENCH_TCX_EGRESS 47

/* The tcx member of struct bpf_link_info (Linux 6.6), absent from older headers. */
struct bench_tcx_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad_to_union; /* the union is 8-byte aligned */
	__u32 ifindex;
	__u32 attach_type;
	__u32 pad[16];
};

static int die(const char *what);

static int tcx_direction(const char *pin)
{
	struct bench_tcx_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return die(pin);
	if (info.attach_type != BENCH_TCX_INGRESS && info.attach_type != BENCH_TCX_EGRESS) {
		fprintf(stderr, "benchattach: %s: not a tcx link\n", pin);
		return 1;
	}
	printf("%s\n", info.attach_type == BENCH_TCX_INGRESS ? "ingress" : "egress");
	return 0;
}

static int die(const char *what)
{
	fprintf(stderr, "benchattach: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	struct bpf_link *link = NULL;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	const char *kind;
	int fd, link_fd;

	if (argc == 3 && strcmp(argv[1], "tcx-direction") == 0)
		return tcx_direction(argv[2]);
	if (argc != 6) {
		fprintf(stderr, "usage: benchattach OBJ PROG cgroup|tcx-ingress|tcx-egress|trace "
				"TARGET PIN\n");
		return 64;
	}
	kind = argv[3];
	opts.pin_root_path = getenv("BENCH_PIN_ROOT");
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj)
		return die(argv[1]);
	prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog)
		return die(argv[2]);
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(obj))
		return die("load");
	if (strcmp(kind, "cgroup") == 0) {
		fd = open(argv[4], O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return die(argv[4]);
		link = bpf_program__attach_cgroup(prog, fd);
	} else if (strncmp(kind, "tcx-", 4) == 0) {
		int ifindex = if_nametoindex(argv[4]);
		int type = strcmp(kind, "tcx-ingress") == 0 ? BENCH_TCX_INGRESS : BENCH_TCX_EGRESS;

		if (!ifindex)
			return die(argv[4]);
		link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, type, NULL);
		if (link_fd < 0)
			return die("tcx link");
		if (bpf_obj_pin(link_fd, argv[5]))
			return die(argv[5]);
	} else if (strcmp(kind, "trace") == 0) {
		link = bpf_program__attach_trace(prog);
	} else {
		fprintf(stderr, "benchattach: unknown kind %s\n", kind);
		return 64;
	}
	if (strncmp(kind, "tcx-", 4) != 0) {
		if (!link)
			return die("attach");
		if (bpf_link__pin(link, argv[5]))
			return die(argv[5]);
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return die("prog info");
	printf("%u\n", info.id);
	return 0;
}
