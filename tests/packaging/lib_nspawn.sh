# SPDX-License-Identifier: GPL-2.0-or-later
# A Debian 12 tree booted with systemd-nspawn, its systemd as PID 1 (sourced
# by systemd.sh and slurm.sh after integration/lib.sh and packaging/lib.sh).
# The tree is debootstrapped once from the archive the machine's apt uses
# and cached in /var/cache/pdtt-nspawn; each run boots an overlay of it in a
# mount namespace of its own, so its mounts (the overlay, its bpffs) die
# with the container. Set TREE_KIND and TREE_PACKAGES before make_tree, and
# NAME, CG and WORK before boot_ct.

CACHE=/var/cache/pdtt-nspawn
NSPAWN_PID=""
CT_PID=""

# cannot_run WHY: a skip on a developer's machine, an error in CI.
cannot_run() {
	[ "${CI:-}" != true ] || hard_error "cannot run: $* (CI=true: this machine kind must run it)"
	echo "SKIP: $TEST_NAME: cannot run: $*" >&2
	exit 77
}

# need_nspawn: root, cgroup v2 (CGROOT) and the tools; cannot_run otherwise.
need_nspawn() {
	local tool
	[ "$(id -u)" = 0 ] || cannot_run "needs root"
	CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$CGROOT" ] || cannot_run "no cgroup v2 mounted"
	for tool in systemd-nspawn nsenter unshare setsid bpftool flock "$@"; do
		PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 ||
			cannot_run "needs $tool (./quickstart check installs systemd-container and debootstrap)"
	done
}

# The archive this machine's apt uses, read at run time (never written down).
apt_mirror() {
	{
		awk '/^URIs:/ { print $2 }' /etc/apt/sources.list.d/*.sources 2>/dev/null
		awk '$1 == "deb" { print ($2 ~ /^\[/) ? $3 : $2 }' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -v -- '-security' | head -n 1
}

# make_tree: the minimal tree of TREE_KIND with TREE_PACKAGES besides minbase,
# once; later runs reuse it (it is never written to: each run boots an
# overlay of it). The tree's name carries the list's digest, so a changed
# list makes a new tree. Sets TREE.
make_tree() {
	local mirror
	TREE="$CACHE/$TREE_KIND-$(printf %s "$TREE_PACKAGES" | md5sum | cut -c 1-8)"
	mkdir -p "$CACHE"
	(
		flock 9
		[ -e "$TREE/usr/lib/systemd/systemd" ] && exit 0
		PATH=$PATH:/usr/sbin:/sbin command -v debootstrap >/dev/null || exit 3
		mirror=$(apt_mirror)
		[ -n "$mirror" ] || exit 4
		echo "debootstrap bookworm from $mirror into $TREE (once, a few minutes) ..."
		# Trees of older lists are of no more use.
		rm -rf "$TREE.new" "$CACHE/$TREE_KIND" "$CACHE/$TREE_KIND"-*
		debootstrap --variant=minbase --include="$TREE_PACKAGES" bookworm "$TREE.new" "$mirror" \
			>"$WORK/debootstrap.log" 2>&1 || exit 5
		mv "$TREE.new" "$TREE"
	) 9>"$CACHE/lock"
	case $? in
	0) ;;
	3) cannot_run "needs debootstrap to make $TREE" ;;
	4) cannot_run "no Debian archive in the apt sources to debootstrap from" ;;
	*)
		tail -n 20 "$WORK/debootstrap.log" >&2
		rm -rf "$TREE.new"
		cannot_run "debootstrap from the archive failed (no network to it?)"
		;;
	esac
}

# in_ct CMD...: CMD inside the container (all its namespaces), with a clean
# environment. Give it </dev/null where it may run long: an nsenter with a
# terminal for stdin was once left stopped.
in_ct() {
	nsenter -t "$CT_PID" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

# boot_ct NSPAWN_OPTION...: boot an overlay of TREE (its upper layer
# $WORK/upper, which the caller may fill first) as machine NAME in cgroup CG,
# a private bpffs on its /sys/fs/bpf; returns once its systemd is up. Sets
# NSPAWN_PID, CT_PID and CT_ROOT.
boot_ct() {
	local pid state
	mkdir -p "$WORK/upper/etc" "$WORK/ovl" "$WORK/root" "$WORK/bpf"
	# The tree's /etc/hostname is the host's (debootstrap copies it): this
	# container's own name instead, so that it can be told apart.
	echo "$NAME" >"$WORK/upper/etc/hostname"
	cat >"$WORK/boot.sh" <<'BOOT'
#!/bin/bash
# $1 cgroup, $2 tree, $3 work directory, $4 machine name, then nspawn's options.
set -e
mkdir "$1"
echo $$ >"$1/cgroup.procs"
mount -t bpf bpf "$3/bpf"
mount -t overlay overlay -o "lowerdir=$2,upperdir=$3/upper,workdir=$3/ovl" "$3/root"
root=$3/root name=$4 bpf=$3/bpf
shift 4
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 \
	systemd-nspawn -D "$root" -M "$name" -b --console=pipe --register=no --keep-unit \
	--private-network --capability=CAP_BPF,CAP_PERFMON,CAP_NET_ADMIN \
	--system-call-filter=bpf --bind="$bpf:/sys/fs/bpf" "$@"
BOOT
	chmod 755 "$WORK/boot.sh"
	setsid unshare --mount --propagation private "$WORK/boot.sh" "$CG" "$TREE" "$WORK" "$NAME" \
		"$@" >"$WORK/console.log" 2>&1 </dev/null &
	NSPAWN_PID=$!
	# PID 1 of the container: the child of this nspawn (never "the newest one").
	for _ in $(seq 200); do
		for pid in $(cat "/proc/$NSPAWN_PID/task/"*/children 2>/dev/null); do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] && CT_PID=$pid
		done
		[ -n "$CT_PID" ] && break
		kill -0 "$NSPAWN_PID" 2>/dev/null || fail "systemd-nspawn exited: $(tail -n 20 "$WORK/console.log")"
		sleep 0.1
	done
	[ -n "$CT_PID" ] || fail "the container's systemd did not start within 20 s"
	grep -q "^0::/$NAME/" "/proc/$CT_PID/cgroup" || fail "PID $CT_PID is not in the cgroup $CG of container $NAME"
	for _ in $(seq 300); do
		in_ct test -S /run/systemd/private </dev/null && break
		sleep 0.1
	done
	state=$(in_ct timeout 60 systemctl is-system-running --wait </dev/null)
	[ "$(in_ct cat /proc/sys/kernel/hostname)" = "$NAME" ] || fail "PID $CT_PID is not in container $NAME"
	case $state in
	running) ;;
	degraded) echo "note: the container boots degraded: $(in_ct systemctl --failed --no-legend --plain | tr '\n' ' ')" ;;
	*) fail "the container did not boot: $state: $(tail -n 20 "$WORK/console.log")" ;;
	esac
	CT_ROOT=/proc/$CT_PID/root
}

# stop_ct: power the container off (killed if it will not), then remove its
# cgroups and nspawn's directory for it on the host's /run.
stop_ct() {
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		[ -z "$CT_PID" ] || in_ct systemctl poweroff >/dev/null 2>&1 </dev/null
		for _ in $(seq 300); do
			kill -0 "$NSPAWN_PID" 2>/dev/null || break
			sleep 0.1
		done
		# Killing the container's PID 1 kills everything in it; nspawn follows.
		if kill -0 "$NSPAWN_PID" 2>/dev/null && [ -n "$CT_PID" ]; then
			echo "WARNING: the container did not power off: killing it" >&2
			kill -KILL "$CT_PID"
			sleep 1
		fi
		kill -0 "$NSPAWN_PID" 2>/dev/null && kill -KILL "$NSPAWN_PID"
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	rmdir "/run/systemd/nspawn/propagate/$NAME" 2>/dev/null
	rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null
	# Gone with the container's processes: its cgroups (nspawn's payload/
	# and supervisor/ below ours); then the mount namespace, and with it the
	# overlay and the bpffs.
	for _ in $(seq 50); do
		[ -d "$CG" ] || break
		find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null && break
		sleep 0.1
	done
	[ ! -d "$CG" ] || echo "WARNING: cannot remove cgroup $CG" >&2
}

# end_ct RC FILE...: stop the container; on failure (RC not 0) show the end
# of the logs in WORK and FILEs; remove WORK; exit RC. The end of a test's
# EXIT trap.
end_ct() {
	local rc=$1 f
	shift
	stop_ct
	if [ "$rc" -ne 0 ] && [ -n "$WORK" ]; then
		for f in "$WORK"/*.log "$@"; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
		done >&2
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	exit "$rc"
}

# new_work KIND: WORK, a fresh directory others may read (the container's
# users), and the test's EXIT trap (TRAP, a function) set.
new_work() {
	WORK=$(mktemp -d "/tmp/pdtt-pkg-$1.XXXXXX")
	chmod 755 "$WORK"
	trap "$2" EXIT
	trap 'exit 1' INT TERM
}
