#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of a kernel-matrix guest, after the initramfs switched to the host's
# / (read-only 9p; tests/kernels/init). Makes the rest of what the tests
# need, runs suite.sh with what run.sh wrote in the results share, and
# powers off whatever happens.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C PYTHONDONTWRITEBYTECODE=1
KERNEL=/run/pdtt-kernel
RESULTS=/run/pdtt-results

power_off() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}
trap power_off EXIT

note() {
	echo "pdtt-guest: $*" | tee -a "$RESULTS/guest.log" >&2
}

read -r booted _ </proc/uptime
note "booted $(uname -r) in $booted s"
set -a # what the tests need: PDTTD, PDTT_CLI, PDTT_TESTS, PDTT_TESTS_BUILD
# shellcheck source=/dev/null
. "$RESULTS/guest.env"
set +a

# What udev makes on a usual system: bash's <(...) needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr

# The kernel loads modules (veth, tc's qdiscs, ...) through the program in
# /proc/sys/kernel/modprobe. This host's / has no /lib/modules: they are
# in the kernel package's share.
cat >/run/pdtt-modprobe <<EOF
#!/bin/sh
exec $(command -v modprobe) -d $KERNEL "\$@"
EOF
chmod 755 /run/pdtt-modprobe
echo /run/pdtt-modprobe >/proc/sys/kernel/modprobe

# A writable /etc: the owner-tracking tests add a user (useradd). Its
# changes live in tmpfs and vanish at power-off; the host's /etc is never
# written.
mkdir -p /run/pdtt-etc/upper /run/pdtt-etc/work
/run/pdtt-modprobe overlay 2>/dev/null
if ! mount -t overlay overlay \
	-o lowerdir=/etc,upperdir=/run/pdtt-etc/upper,workdir=/run/pdtt-etc/work /etc; then
	note "no overlayfs: a copy of /etc in tmpfs instead"
	cp -a /etc /run/pdtt-etc/copy && mount --bind /run/pdtt-etc/copy /etc
fi

mount -t bpf bpf /sys/fs/bpf || note "cannot mount bpffs"
mount -t cgroup2 cgroup2 /sys/fs/cgroup || note "cannot mount cgroup2"
ip link set lo up
hostname pdtt-guest

"$PDTT_TESTS/kernels/suite.sh" "$RESULTS" $PDTT_KERNEL_TESTS
read -r finished _ </proc/uptime
note "tests done at $finished s"
echo "$booted $finished" >"$RESULTS/done"
