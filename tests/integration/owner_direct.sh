#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Owner tracking's direct read (pdtt_owner_recorded, bpf/pdtt_owner.bpf.h:
# where the kernel has bpf_rdonly_cast, a send or receive whose socket
# already records the caller's UID reads that from the socket's storage
# without bpf_sk_storage_get, and writes nothing) records exactly what the
# helper's path records. The same traffic runs with the direct read on and
# forced off (PDTT_KERNEL_STORAGE=helper), through the tracepoints and
# through the fexit programs (PDTT_KERNEL_OWNER=fexit, as before 6.3), each
# time by UIDs of its own:
# - one socket sends as A, then B, then A (the owner changes A -> B -> A);
# - one socket receives as A, then B, then A. Before B's first receive, 64
#   socket storage maps of the test's own get an element on that socket,
#   each holding "tracked B", and user space looks each up, which puts it in
#   the socket's storage cache: one of them takes pdtt_owners' cache slot
#   (16 slots), so the owner program finds another map's element there and
#   must not take it for pdtt_owners' (it would read B as already recorded).
# The owner programs attached hold the direct read exactly when it is on,
# and pdtt status says which way they take.
. "$PDTT_TESTS/integration/lib.sh"
setup
require_owner_tracking_kernel

# traffic A B PORT: the sends and receives above, in the test namespace;
# every datagram is 100 bytes of UDP payload (128 on the wire).
traffic() {
	ip netns exec "$NETNS" "$PYTHON" -c '
import ctypes, os, select, socket, struct, sys
a, b, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
TRACKED = 1 << 32
libc = ctypes.CDLL(None, use_errno=True)
NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]

def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    fd = libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_int(cmd), buf, ctypes.c_uint(len(attr)))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "bpf(%d)" % cmd)
    return fd

# BTF for the maps: [1] int (the key), [2] u64 (the value).
types = struct.pack("<IIII", 1, 1 << 24, 4, (1 << 24) | 32) + struct.pack("<IIII", 5, 1 << 24, 8, 64)
strs = b"\0int\0u64\0"
blob = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs)) + types + strs
btf = ctypes.create_string_buffer(blob, len(blob))
attr = bytearray(32)
struct.pack_into("<QQI", attr, 0, ctypes.addressof(btf), 0, len(blob))
btf_fd = bpf(18, attr)  # BPF_BTF_LOAD

def storage_map():
    attr = bytearray(72)
    # BPF_MAP_TYPE_SK_STORAGE, int key, u64 value, BPF_F_NO_PREALLOC
    struct.pack_into("<IIIII", attr, 0, 24, 4, 8, 0, 1)
    struct.pack_into("<III", attr, 48, btf_fd, 1, 2)
    return bpf(0, attr)  # BPF_MAP_CREATE

def elem(cmd, m, fd, value):
    key, val = ctypes.c_int(fd), ctypes.c_uint64(value)
    attr = bytearray(32)
    struct.pack_into("<IIQQQ", attr, 0, m, 0, ctypes.addressof(key), ctypes.addressof(val), 0)
    bpf(cmd, attr)

def become(u):  # and back to root with 0: the saved UID stays 0
    os.setresuid(0, 0, 0)
    os.setresgid(u, u, 0)
    os.setresuid(u, u, 0)
os.setgroups([])

# Sends: s, root'"'"'s, used by A, B, A; its datagrams go to k (root'"'"'s, never read).
k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
k.bind(("127.0.0.1", port + 1))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for u in (a, b, a):
    become(u)
    for _ in range(10):
        s.sendto(b"p" * 100, ("127.0.0.1", port + 1))
    become(0)

# Receives: r, root'"'"'s, read by A, B, A; t (root'"'"'s) sends to it.
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", port))
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def arrive(n):
    for _ in range(n):
        t.sendto(b"p" * 100, ("127.0.0.1", port))
    if not select.select([r], [], [], 10)[0]:
        sys.exit("nothing arrived")
def recv_as(u, n):
    become(u)
    for _ in range(n):
        r.recv(200)
    become(0)
arrive(1); recv_as(a, 1)  # root'"'"'s (nothing recorded yet); A recorded
arrive(4); recv_as(a, 4)  # A: 4, A already recorded
arrive(1)                 # A: 1, then pdtt_owners'"'"' cache slot taken
maps = [storage_map() for _ in range(64)]
for m in maps:
    elem(2, m, r.fileno(), TRACKED | b)  # BPF_MAP_UPDATE_ELEM
    elem(1, m, r.fileno(), 0)            # BPF_MAP_LOOKUP_ELEM: cached
recv_as(b, 1)             # B recorded
arrive(5); recv_as(b, 5)  # B: 5
arrive(1); recv_as(a, 1)  # B: 1; A recorded again
arrive(3); recv_as(a, 3)  # A: 3
' "$@" || fail "traffic failed"
}

cast=no
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "FUNC 'bpf_rdonly_cast'" && cast=yes
n=0
for hooks in default fexit; do
	for way in direct helper; do
		n=$((n + 1))
		A=$(test_uid $((n * 2))) B=$(test_uid $((n * 2 + 1)))
		port=$((5600 + n * 2))
		if [ $way = helper ]; then export PDTT_KERNEL_STORAGE=helper; else unset PDTT_KERNEL_STORAGE; fi
		if [ $hooks = fexit ]; then export PDTT_KERNEL_OWNER=fexit; else unset PDTT_KERNEL_OWNER; fi
		start_daemon
		said=$(grep 'owner tracking' "$WORK/stderr" | tail -n 1)
		if [ $hooks = fexit ] && [[ $said == *"refuses fexit programs"* ]]; then
			echo "ok: $hooks hooks, $way read: not tested, this kernel refuses fexit programs"
			stop_daemon
			continue
		elif [[ $said == *"owner tracking on (fexit"* ]]; then
			pins="link_owner_inet_sendmsg link_owner_inet_recvmsg"
		else
			[ $hooks = default ] || fail "PDTT_KERNEL_OWNER=fexit, but pdttd does not say it uses fexit"
			pins="link_owner_send link_owner_recv"
		fi
		for pin in $pins; do
			if link_reads_directly "$pin"; then
				[ $way = direct ] && [ $cast = yes ] ||
					fail "$hooks, $way: the owner program of $pin reads the storage directly"
			else
				[ $way = helper ] || [ $cast = no ] ||
					fail "$hooks: the owner program of $pin does not read the storage directly"
			fi
		done
		if [ $way = direct ]; then
			status=$(pdtt_cmd status -c "$WORK/pdtt.conf" | sed -n 's/^owner tracking: *//p')
			want="on, the socket's storage through bpf_sk_storage_get"
			[ $cast = no ] || want="on, the socket's storage read directly (Linux 6.2+)"
			[ "$status" = "$want" ] ||
				fail "$hooks: pdtt status says owner tracking: '$status', not '$want'"
		fi
		traffic "$A" "$B" $port
		wait_counted
		# TX: A 9 + 1 + 9, B 9 + 1 (the first send of each turn goes out
		# before the owner changes); RX: A 4 + 1 + 3, B 5 + 1.
		expect_counts "$A" "2432 19 1024 8"
		expect_counts "$B" "1280 10 768 6"
		echo "ok: $hooks hooks, $way read (bpf_rdonly_cast: $cast): owners recorded exactly"
		stop_daemon
	done
done
unset PDTT_KERNEL_STORAGE PDTT_KERNEL_OWNER
exit 0
