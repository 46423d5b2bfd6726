#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Known traffic for pdtt's integration tests, run as a given UID by setpriv.

Receivers print "ready" once bound, then a line with what they received, so the
test knows when to start the sender and can check nothing was lost.
"""
import argparse
import socket
import sys


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def say(text):
    print(text, flush=True)


def udp_recv(args):
    sock = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.addr, args.port))
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


def udp_send(args):
    sock = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    payload = b"p" * args.size
    for _ in range(args.count):
        sock.sendto(payload, (args.addr, args.port))
    return 0


def tcp_recv(args):
    listener = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
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
    sock = socket.create_connection((args.addr, args.port), timeout=args.timeout)
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
    parser.add_argument("mode", choices=["udp-send", "udp-recv", "tcp-send", "tcp-recv"])
    parser.add_argument("--addr", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=1, help="UDP datagrams")
    parser.add_argument("--size", type=int, default=100, help="UDP payload bytes")
    parser.add_argument("--bytes", type=int, default=0, help="TCP payload bytes")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    modes = {"udp-send": udp_send, "udp-recv": udp_recv,
             "tcp-send": tcp_send, "tcp-recv": tcp_recv}
    return modes[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
