#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel matrix ('make check-kernels'): the core integration tests on
# Debian's own kernels, each booted under QEMU (software emulation, no KVM
# needed) with the host's / shared read-only over 9p, and on the host's
# kernel. Prints one line per kernel and test, then "N passed, N failed";
# exits non-zero on any failure. As root, after a build (the guests see the
# host's files live).
#
# Environment:
#   PDTTD PDTT_CLI PDTT_TESTS PDTT_TESTS_BUILD   as for make check (Makefile.am)
#   PDTT_KERNELS        which kernels: "5.10 6.1 6.12 host" by default
#   PDTT_KERNEL_TESTS   which tests of tests/integration (names without .sh)
#   PDTT_KERNELS_CACHE  kernel packages, unpacked kernels and initramfs,
#                       kept between runs (/var/cache/pdtt-kernels)
#   PDTT_KERNELS_OUT    each kernel's test logs and console (./kernels-out)
#   PDTT_KERNELS_LOG    a copy of what this prints (none by default)
#   PDTT_KERNELS_REFRESH=1   fetch the newest kernel packages again
#   PDTT_KERNELS_TIMEOUT     seconds a guest may run (3600)
# A machine that cannot run the matrix (not root, no QEMU, no access to the
# Debian archive) gets the reason; under CI=true or PDTT_REQUIRE_BPF=1 that
# is a failure, else a skip.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PDTTD:?PDTTD must name the pdttd under test (run me through make check-kernels)}"
: "${PDTT_CLI:?} ${PDTT_TESTS:?} ${PDTT_TESTS_BUILD:?}"
KERNELS=${PDTT_KERNELS:-5.10 6.1 6.12 host}
TESTS=${PDTT_KERNEL_TESTS:-basic_load network_traffic uids restart cleanup pdtt_tc tc_traffic owner_tracking owner_direct kernel_access owner_ssh jobs}
CACHE=${PDTT_KERNELS_CACHE:-/var/cache/pdtt-kernels}
OUT=${PDTT_KERNELS_OUT:-$PWD/kernels-out}
TIMEOUT=${PDTT_KERNELS_TIMEOUT:-3600}
STRICT=0
[ "${CI:-}" = true ] || [ "${PDTT_REQUIRE_BPF:-0}" = 1 ] && STRICT=1

passed=0
failed=0
skipped=0

say() {
	echo "$@"
	[ -z "${PDTT_KERNELS_LOG:-}" ] || echo "$@" >>"$PDTT_KERNELS_LOG"
}

# result KERNEL TEST STATUS [WHY]: one line, counted.
result() {
	local kernel=$1 test=$2 status=$3 why=${4:-}
	case $status in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	say "$(printf '%-24s %-16s %s%s' "$kernel" "$test" "$status" "${why:+  $why}")"
}

# cannot KERNEL WHY: the matrix (or one kernel of it) cannot run here.
cannot() {
	if [ $STRICT = 1 ]; then
		result "$1" "-" FAIL "cannot run: $2 (a failure under CI)"
	else
		result "$1" "-" SKIP "cannot run: $2"
	fi
}

finish() {
	[ $skipped -eq 0 ] || say "$skipped skipped"
	say "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

# --- kernels: Debian's packages, fetched with a private apt state --------

# codename_of SERIES: the Debian release whose kernel is SERIES.
codename_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	*) return 1 ;;
	esac
}

# private_apt CODENAME DIR: DIR gets apt sources for CODENAME (the system's
# debian.sources with the suite names swapped: its mirror, never written
# anywhere but DIR) and package lists; prints apt's options for them.
private_apt() {
	local codename=$1 dir=$2 sources=/etc/apt/sources.list.d/debian.sources system
	[ -r $sources ] || { echo "no $sources to find the Debian mirror in" >&2; return 1; }
	system=$(awk '/^Suites:/ { print $2; exit }' $sources)
	system=${system%%-*}
	mkdir -p "$dir/sources" "$dir/lists/partial" "$dir/cache/archives/partial"
	sed "/^Suites:/s/\<$system\>/$codename/g" $sources >"$dir/sources/debian.sources"
	echo "-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=$dir/sources" \
		"-o Dir::State::lists=$dir/lists -o Dir::Cache=$dir/cache -o APT::Sandbox::User=root"
}

# fetch SERIES DIR: the newest linux-image-*-amd64 (the generic flavour:
# -cloud-amd64 has no 9p) of SERIES's release, unpacked in DIR/root, its
# modules indexed; DIR/release names it. Prints why on failure.
fetch() {
	local series=$1 dir=$2 codename apt opts pkg deb release tmp rc=0
	codename=$(codename_of "$series") || { echo "no Debian release known for kernel $series"; return 1; }
	apt=$(mktemp -d /tmp/pdtt-kernels-apt.XXXXXX)
	opts=$(private_apt "$codename" "$apt" 2>&1) || { echo "$opts"; rm -rf "$apt"; return 1; }
	# shellcheck disable=SC2086
	if ! apt-get -qq $opts update >"$apt/log" 2>&1; then
		echo "apt-get update for $codename failed: $(tail -n 1 "$apt/log")"
		rc=1
	else
		# shellcheck disable=SC2086
		pkg=$(apt-cache $opts depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
		mkdir -p "$CACHE/debs"
		# shellcheck disable=SC2086
		if [ -z "$pkg" ]; then
			echo "no linux-image-amd64 in $codename"
			rc=1
		elif ! (cd "$CACHE/debs" && apt-get -qq $opts download "$pkg") >"$apt/log" 2>&1; then
			echo "cannot download $pkg: $(tail -n 1 "$apt/log")"
			rc=1
		fi
	fi
	rm -rf "$apt"
	[ $rc -eq 0 ] || return 1
	deb=$(ls -t "$CACHE/debs/${pkg}_"*.deb | head -n 1)
	release=${pkg#linux-image-}
	tmp="$dir/root.new"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg-deb -x "$deb" "$tmp" || { echo "cannot unpack $deb"; return 1; }
	# Newer packages keep the modules in usr/lib only (merged /usr).
	[ -e "$tmp/lib" ] || ln -s usr/lib "$tmp/lib"
	depmod -b "$tmp" "$release" || { echo "depmod of $release failed"; return 1; }
	rm -rf "$dir/root" "$dir/initrd"
	mv "$tmp" "$dir/root"
	echo "$release" >"$dir/release"
}

# initrd DIR: DIR/initrd, built when missing or older than tests/kernels/init:
# static busybox, the init script, and the kernel's modules for 9p over
# virtio with their dependencies, decompressed (busybox insmod wants .ko).
initrd() {
	local dir=$1 release stage module path name depends=""
	[ "$dir/initrd" -nt "$here/init" ] && return 0
	release=$(cat "$dir/release")
	stage=$(mktemp -d /tmp/pdtt-kernels-initrd.XXXXXX)
	mkdir -p "$stage/bin" "$stage/dev" "$stage/modules"
	cp /bin/busybox "$stage/bin/busybox"
	cp "$here/init" "$stage/init"
	chmod 755 "$stage/init"
	mknod "$stage/dev/console" c 5 1
	: >"$stage/modules/order"
	for module in virtio_pci 9pnet_virtio 9p; do
		depends="$depends$(modprobe -d "$dir/root" -S "$release" --show-depends "$module")" ||
			{ echo "no module $module in $release" >&2; rm -rf "$stage"; return 1; }
		depends="$depends"$'\n'
	done
	echo "$depends" | awk '$1 == "insmod" { print $2 }' | while read -r path; do
		name=$(basename "$path")
		name=${name%%.ko*}.ko
		grep -qx "$name" "$stage/modules/order" && continue
		case $path in
		*.xz) xz -dc "$path" ;;
		*.zst) zstd -qdc "$path" ;;
		*.gz) gzip -dc "$path" ;;
		*) cat "$path" ;;
		esac >"$stage/modules/$name"
		echo "$name" >>"$stage/modules/order"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initrd.new" &&
		mv "$dir/initrd.new" "$dir/initrd"
	local rc=$?
	rm -rf "$stage"
	return $rc
}

# prepare SERIES: a kernel ready to boot in $CACHE/SERIES (fetched on the
# first run, or again with PDTT_KERNELS_REFRESH=1). Prints why on failure.
prepare() {
	local dir="$CACHE/$1" why
	mkdir -p "$dir"
	if [ ! -s "$dir/release" ] || [ "${PDTT_KERNELS_REFRESH:-0}" = 1 ]; then
		why=$(fetch "$1" "$dir") || { echo "$why"; return 1; }
	fi
	why=$(initrd "$dir" 2>&1) || { echo "cannot build the initramfs: $why"; return 1; }
}

# --- running the tests -------------------------------------------------

# report KERNEL DIR: the lines of DIR/results, and a failure for each test
# that did not leave one.
report() {
	local kernel=$1 dir=$2 test status seconds why
	for test in $TESTS; do
		if read -r _ status seconds why < <(grep "^$test " "$dir/results" 2>/dev/null); then
			result "$kernel" "$test" "$status" "($seconds s)${why:+ $why}"
		else
			result "$kernel" "$test" FAIL "did not run (see $dir)"
		fi
	done
}

run_host() {
	local dir="$OUT/host" start
	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(date +%s)
	"$here/suite.sh" "$dir" $TESTS
	report "host:$(uname -r)" "$dir"
	say "# host:$(uname -r): tests took $(($(date +%s) - start)) s"
}

# The host directories the guest must still see under its tmpfs /tmp, /run...
keep_dirs() {
	local dir
	for dir in "$here" "$PDTT_TESTS" "$PDTT_TESTS_BUILD" "$(dirname "$PDTTD")" "$(dirname "$PDTT_CLI")"; do
		(cd "$dir" && pwd -P)
	done | sort -u | paste -sd, -
}

# boot SERIES: the tests in a guest running Debian's kernel SERIES.
boot() {
	local series=$1 kdir="$CACHE/$1" dir="$OUT/$1" release why start rc=0 booted finished user sys
	# One run at a time fetches and builds in the cache.
	why=$({ flock 9 && prepare "$series"; } 9>"$CACHE/.lock") || { cannot "$series" "$why"; return; }
	release=$(cat "$kdir/release")
	rm -rf "$dir"
	mkdir -p "$dir"
	{
		printf 'PDTTD=%q\nPDTT_CLI=%q\n' "$PDTTD" "$PDTT_CLI"
		printf 'PDTT_TESTS=%q\nPDTT_TESTS_BUILD=%q\n' "$PDTT_TESTS" "$PDTT_TESTS_BUILD"
		printf 'PDTT_KERNEL_TESTS=%q\n' "$TESTS"
	} >"$dir/guest.env"
	start=$(date +%s)
	# The CPU QEMU used, besides the wall-clock time: on a loaded machine
	# the guest gets a share of one core (TCG runs in one thread).
	local TIMEFORMAT='%U %S'
	{ time timeout "$TIMEOUT" qemu-system-x86_64 -machine q35 -accel tcg,thread=single -cpu max \
		-smp 2 -m 2G -display none -monitor none -serial "file:$dir/console.log" \
		-no-reboot -nic none \
		-kernel "$kdir/root/boot/vmlinuz-$release" -initrd "$kdir/initrd" \
		-append "console=ttyS0 panic=-1 random.trust_cpu=on pdtt.run=$here/guest.sh pdtt.keep=$(keep_dirs)" \
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=root \
		-fsdev "local,id=kernel,path=$kdir/root,security_model=none,readonly=on" \
		-device virtio-9p-pci,fsdev=kernel,mount_tag=kernel \
		-fsdev "local,id=results,path=$dir,security_model=none" \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		</dev/null >"$dir/qemu.log" 2>&1 || rc=$?; } 2>"$dir/cpu"
	if [ ! -f "$dir/done" ]; then
		why="the guest did not finish"
		[ $rc -ne 124 ] || why="the guest did not finish within $TIMEOUT s"
		result "$release" "-" FAIL "$why: $(tail -n 3 "$dir/console.log" "$dir/qemu.log" 2>/dev/null | tr -s '\n' ' ' | cut -c 1-300)"
	fi
	report "$release" "$dir"
	read -r booted finished <"$dir/done" 2>/dev/null
	read -r user sys <"$dir/cpu"
	say "# $release: booted in ${booted:-?} s, tests done at ${finished:-?} s of guest time;" \
		"$(($(date +%s) - start)) s in all, QEMU used $(echo "$user $sys" | awk '{ printf "%.0f", $1 + $2 }') s of CPU"
}

if [ "$(id -u)" != 0 ]; then
	cannot all "needs root (the guests and the host tests load eBPF programs)"
	finish
fi
need_boot=0
for kernel in $KERNELS; do [ "$kernel" = host ] || need_boot=1; done
if [ $need_boot = 1 ]; then
	missing=""
	for tool in qemu-system-x86_64 apt-get dpkg-deb depmod modprobe cpio gzip xz zstd flock; do
		command -v "$tool" >/dev/null || missing="$missing $tool"
	done
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing="$missing busybox-static"
	if [ -n "$missing" ]; then
		cannot all "missing:$missing (apt-get install qemu-system-x86 busybox-static cpio zstd kmod)"
		KERNELS=$(echo " $KERNELS " | sed 's/ [0-9][^ ]*//g')
	fi
	mkdir -p "$CACHE" "$OUT" || { cannot all "cannot create $CACHE or $OUT"; finish; }
fi
mkdir -p "$OUT"
for kernel in $KERNELS; do
	if [ "$kernel" = host ]; then
		run_host
	else
		boot "$kernel"
	fi
done
finish
