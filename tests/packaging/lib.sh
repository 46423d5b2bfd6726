# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the packaging tests (sourced after integration/lib.sh).
#
# These tests build packages from `make dist` and (deb.sh) install one on the
# machine, so they run only when PDTT_TEST_PACKAGING names them ("deb rpm";
# ./quickstart check sets it); otherwise they skip. Once asked for, a test
# that cannot run is a hard error (99), not a skip.

PKG_KIND=""

# want_packaging KIND: skip unless PDTT_TEST_PACKAGING lists KIND.
want_packaging() {
	PKG_KIND=$1
	case " ${PDTT_TEST_PACKAGING:-} " in
	*" $1 "*) ;;
	*)
		echo "SKIP: $TEST_NAME: builds and installs packages; set PDTT_TEST_PACKAGING=\"deb rpm\" to run it (./quickstart check does)" >&2
		exit 77
		;;
	esac
	[ -n "${PDTT_TOP_BUILDDIR:-}" ] || hard_error "PDTT_TOP_BUILDDIR is not set (run me through make check)"
}

hard_error() {
	echo "ERROR: $TEST_NAME: $* (PDTT_TEST_PACKAGING=\"${PDTT_TEST_PACKAGING:-}\" asks for this test)" >&2
	exit 99
}

# need_tools TOOL...: each must be on PATH (or in /usr/sbin, /sbin).
need_tools() {
	local tool
	for tool in "$@"; do
		PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 ||
			hard_error "needs $tool (./quickstart check installs it)"
	done
}

# The package builds run a make of their own (make check-unit): keep them
# from joining this make's job server, and from running the packaging tests
# should they run make check.
nested_build_env() {
	export PDTT_TEST_PACKAGING=""
	unset MAKEFLAGS MFLAGS MAKELEVEL
}

# deb.sh and rpm.sh may run in parallel (make -j): they take turns for make
# dist and for the package builds, each of which uses every core.
PKG_LOCK="${PDTT_TOP_BUILDDIR:-.}/.pdtt-packaging.lock"

# make_dist DIR: `make dist` in the build tree, the tarball copied to DIR;
# prints its path.
make_dist() {
	local dir=$1 tarball
	(
		flock 9
		unset MAKEFLAGS MFLAGS MAKELEVEL
		make -s -C "$PDTT_TOP_BUILDDIR" dist >"$dir/dist.log" 2>&1 || exit 1
		tarball=$(ls -t "$PDTT_TOP_BUILDDIR"/pdtt-*.tar.gz | head -n 1)
		cp "$tarball" "$dir/"
	) 9>"$PKG_LOCK" || {
		tail -n 30 "$dir/dist.log" >&2
		fail "make dist failed"
	}
	ls "$dir"/pdtt-*.tar.gz
}

# The .deb of one source tree is built once: deb.sh builds it (and lints
# the build), then systemd.sh, which runs after it, takes it from here.
# Keyed by the unpacked tarball's files, modes and contents, since the
# tarball itself differs at each make dist (its timestamps).
DEB_CACHE="${PDTT_TOP_BUILDDIR:-.}/.pdtt-deb-cache"

# source_digest DIR: one hash of every file under DIR, its mode and content.
source_digest() {
	(
		cd "$1" || exit 1
		find . -type f -printf '%m %p\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
	) | sha256sum | cut -d' ' -f1
}

# deb_cache_put DIGEST DEB: keep DEB as the package built from DIGEST.
deb_cache_put() {
	mkdir -p "$DEB_CACHE" &&
		cp "$2" "$DEB_CACHE/pdtt.deb.tmp" &&
		echo "$1" >"$DEB_CACHE/digest.tmp" &&
		mv "$DEB_CACHE/pdtt.deb.tmp" "$DEB_CACHE/pdtt.deb" &&
		mv "$DEB_CACHE/digest.tmp" "$DEB_CACHE/digest"
}

# deb_cache_get DIGEST DEST: copy the package built from DIGEST to DEST;
# fails when there is none.
deb_cache_get() {
	[ "$(cat "$DEB_CACHE/digest" 2>/dev/null)" = "$1" ] && cp "$DEB_CACHE/pdtt.deb" "$2"
}

# run_logged LOG CMD...: run CMD with its output in LOG; on failure, show the
# end of LOG and fail.
run_logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 || {
		tail -n 60 "$log" >&2
		fail "$* failed (log above)"
	}
}
