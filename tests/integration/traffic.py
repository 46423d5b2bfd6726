#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Known traffic for pdtt's integration tests, run as a given UID by setpriv.

Receivers print "ready" once bound, then a line with what they received, so the
test knows when to start the sender and can check nothing was lost.
"""
import argparse
import socket
import struct
import sys
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def say(text):
    print(text, flush=True)


def udp_recv(args):
    sock = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.addr, args.port))
    if args.group:
        mreq = socket.inet_aton(args.group) + socket.inet_aton(args.group_if)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    sock.settimeout(args.timeout)
    say("ready")
    got = nbytes = 0
    try:
        while got < args.count:
            nbytes += len(sock.recv(65536))
            got += 1
    except socket.timeout:
        pass
    say(f"received {got} datagrams {nbytes} bytes")
    return 0 if got == args.count else 1


UDP_SEGMENT = 103  # linux/udp.h: the segment size of a UDP GSO send


def udp_send(args):
    sock = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    if args.gso:
        # Each send leaves as one GSO buffer, cut into datagrams of --gso
        # payload bytes (the last one shorter) where it is segmented.
        sock.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, args.gso)
    if args.broadcast:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if args.group_if:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                        socket.inet_aton(args.group_if))
    payload = b"p" * args.size
    for _ in range(args.count):
        sock.sendto(payload, (args.addr, args.port))
        if args.pause:
            time.sleep(args.pause)  # the receiver's buffer is small for a burst
    return 0


def udp_bind(args):
    """Hold a bound UDP socket for --timeout seconds, reading nothing."""
    sock = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    sock.bind((args.addr, args.port))
    say("ready")
    time.sleep(args.timeout)
    return 0


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def raw_send(args):
    """Ethernet frames, behind the --vlan tags given, carrying IPv4 UDP
    datagrams of --size payload bytes, sent on --ifname (needs CAP_NET_RAW)."""
    payload = b"v" * args.size
    udp = struct.pack("!HHHH", args.sport, args.port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(args.src_addr),
                     socket.inet_aton(args.addr))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    frame = bytes.fromhex(args.dst_mac.replace(":", ""))
    frame += bytes.fromhex(args.src_mac.replace(":", ""))
    for tag in args.vlan:
        tpid, vid = tag.split(":")
        frame += struct.pack("!HH", int(tpid, 16), int(vid))
    frame += struct.pack("!H", 0x0800) + ip + udp
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.ifname, 0))
    for _ in range(args.count):
        sock.send(frame)
    return 0


IPV6_DSTOPTS = 59
# A destination options header holding one PadN option: 8 bytes (next header
# and length filled in by the kernel) on every packet (needs CAP_NET_RAW).
DSTOPTS_PADN = bytes([0, 0, 1, 4, 0, 0, 0, 0])


def tcp_socket(args):
    sock = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    if args.ipv6_dstopts:
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_DSTOPTS, DSTOPTS_PADN)
    return sock


def tcp_listen(args):
    """Hold a listening TCP socket for --timeout seconds, accepting nothing."""
    sock = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.addr, args.port))
    sock.listen(64)
    say("ready")
    time.sleep(args.timeout)
    return 0


def syn_send(args):
    """--count TCP SYNs from --src-addr, source ports --sport and up, to --addr
    --port (IPv4, a raw socket: needs CAP_NET_RAW); nothing waits for replies."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    src, dst = socket.inet_aton(args.src_addr), socket.inet_aton(args.addr)
    for i in range(args.count):
        tcp = struct.pack("!HHIIBBHHH", args.sport + i, args.port, 1000 + i, 0, 5 << 4,
                          0x02, 64240, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        sock.sendto(tcp, (args.addr, 0))
    return 0


def tcp_recv(args):
    listener = tcp_socket(args)  # an accepted socket inherits its options
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.addr, args.port))
    listener.listen(1)
    listener.settimeout(args.timeout)
    say("ready")
    conn, _ = listener.accept()
    conn.settimeout(args.timeout)
    total = 0
    while True:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        total += len(chunk)
    conn.close()
    say(f"received {total} bytes")
    return 0 if total == args.bytes else 1


def tcp_send(args):
    sock = tcp_socket(args)
    sock.settimeout(args.timeout)
    sock.connect((args.addr, args.port))
    block = b"t" * (1 << 16)
    left = args.bytes
    while left > 0:
        n = min(left, len(block))
        sock.sendall(block[:n])
        left -= n
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)  # wait for the receiver's FIN: everything was delivered
    sock.close()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["udp-send", "udp-recv", "udp-bind", "raw-send",
                                         "tcp-send", "tcp-recv", "tcp-listen", "syn-send"])
    parser.add_argument("--addr", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=1, help="UDP datagrams")
    parser.add_argument("--size", type=int, default=100, help="UDP payload bytes")
    parser.add_argument("--gso", type=int, default=0,
                        help="udp-send: UDP_SEGMENT size, each send a GSO buffer (0: off)")
    parser.add_argument("--pause", type=float, default=0, help="udp-send: seconds between sends")
    parser.add_argument("--bytes", type=int, default=0, help="TCP payload bytes")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--ipv6-dstopts", action="store_true",
                        help="tcp-*: an IPv6 extension header on every packet (CAP_NET_RAW)")
    parser.add_argument("--group", help="udp-recv: join this IPv4 multicast group")
    parser.add_argument("--group-if", help="udp-recv, udp-send: the local address of the "
                        "interface for multicast")
    parser.add_argument("--broadcast", action="store_true", help="udp-send: SO_BROADCAST")
    parser.add_argument("--ifname", help="raw-send: the interface")
    parser.add_argument("--src-addr", help="raw-send, syn-send: IPv4 source address")
    parser.add_argument("--sport", type=int, default=40000,
                        help="raw-send, syn-send: UDP or (first) TCP source port")
    parser.add_argument("--src-mac", help="raw-send: source MAC")
    parser.add_argument("--dst-mac", help="raw-send: destination MAC")
    parser.add_argument("--vlan", action="append", default=[],
                        help="raw-send: a VLAN tag TPID:VID (hex TPID), outermost first")
    args = parser.parse_args()
    modes = {"udp-send": udp_send, "udp-recv": udp_recv, "udp-bind": udp_bind,
             "raw-send": raw_send, "tcp-send": tcp_send, "tcp-recv": tcp_recv,
             "tcp-listen": tcp_listen, "syn-send": syn_send}
    return modes[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
