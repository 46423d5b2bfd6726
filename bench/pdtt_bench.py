#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pdtt's benchmark harness. Run it through bench/run, as root.

Four parts, printed as one markdown report (stdout and bench/results/latest.md):

  ns        per-run cost of every pdtt program, from the kernel's own statistics
            (kernel.bpf_stats_enabled), next to an empty program on the same hook
  tput      loopback throughput with pdtt off, with the empty programs, with pdtt
            in each mode, and with nftables "meta skuid" counters
  report    the daemon's cost per report with 1,000 / 10,000 / 100,000 UIDs, and
            the kernel memory of its maps
  machine   what it ran on

Everything it attaches, pins or creates lives under names with this process's
PID and is removed in a finally block, also on Ctrl-C, SIGTERM and errors.

Adding a mode: write a Config subclass (up/down/programs) and list it in
topologies(); the ns and tput parts pick it up. Programs are matched to their
floor by hook (see Hook), so a new hook needs an empty program in
bench/empty*.bpf.c and a line in floor_for().
"""
import argparse
import glob
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PID = os.getpid()
NAME = f"pdtt-bench-{PID}"
PIN_ROOT = f"/sys/fs/bpf/{NAME}"
WORK = f"/tmp/{NAME}"
TOOLS = f"{WORK}/tools"
# Traffic runs as these UIDs (no passwd entries needed), distinct per run and
# away from the ranges the integration tests use.
UID_TX = 3500000000 + (PID % 1000000) * 10 + 1
UID_RX = UID_TX + 1
REPORT_UID_BASE = 2000000000  # the UIDs put in the map for the report part
IPERF_PORT = 5201
UDP_PORT = 5301
VETH_A, VETH_B = "pbA", "pbB"  # short names: interface names are per netns anyway
NET_A, NET_B = "10.201.0.1", "10.201.0.2"
TC_NOT_BUILT = "n/a (tc mode not built)"
PDTTD_PATH = [None]  # set by main
MIN_RUNS = 1000  # fewer program runs in a load: no per-run figure is shown


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


def run(cmd, check=True, timeout=120, input=None):
    """Run cmd (a list); its stdout as text. A failure raises with stderr."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise Failure(f"{' '.join(map(str, cmd))}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def bpftool_json(*args):
    return json.loads(run(["bpftool", "-j", *args]).strip() or "null")


# --------------------------------------------------------------------------
# Cleanup: every creation registers its undo; undone in reverse, always.

class Cleanup:
    def __init__(self):
        self.stack = []
        self.procs = []

    def push(self, what, fn):
        self.stack.append((what, fn))
        return len(self.stack) - 1

    def done(self, token):
        """The thing was removed normally: nothing left to undo."""
        self.stack[token] = (None, None)

    def track(self, proc):
        self.procs.append(proc)
        return proc

    def run_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        while self.stack:
            what, fn = self.stack.pop()
            if fn is None:
                continue
            try:
                fn()
            except Exception as e:  # keep undoing the rest
                log(f"cleanup: {what}: {e}")


CLEANUP = Cleanup()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def remove_tree(path):
    """rm -r for a bpffs directory (unlinking a pinned link detaches it)."""
    if not os.path.lexists(path):
        return
    for root, dirs, files in os.walk(path, topdown=False):
        for f in files:
            os.unlink(os.path.join(root, f))
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(path)


# --------------------------------------------------------------------------
# Environment: cgroup root, tools, namespaces.

def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[2] == "cgroup2":
                return fields[1].replace("\\040", " ")
    raise Failure("no cgroup v2 hierarchy in /proc/mounts")


def bpf_include_flags():
    """The host's system include directories, as configure finds them."""
    out = subprocess.run(["clang", "-v", "-E", "-"], input="", text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE).stderr
    flags, inside = [], False
    for line in out.splitlines():
        if "<...> search starts here" in line:
            inside = True
        elif "End of search list" in line:
            inside = False
        elif inside and line.startswith(" /"):
            flags += ["-idirafter", line.strip()]
    return flags


def build_tools():
    os.makedirs(TOOLS, exist_ok=True)
    os.chmod(WORK, 0o755)
    os.chmod(TOOLS, 0o755)
    libbpf = run(["pkg-config", "--cflags", "--libs", "libbpf"]).split()
    for tool, libs in (("udpflood", []), ("pingpong", []), ("fillmap", libbpf),
                       ("benchattach", libbpf)):
        run(["cc", "-O2", "-Wall", "-I", os.path.join(TOP, "bpf"), "-o", f"{TOOLS}/{tool}",
             f"{HERE}/{tool}.c", *libs])
    # The report breakdown links the daemon's own objects, when they are built here.
    lib = os.path.join(os.path.dirname(PDTTD_PATH[0]), "libpdtt.a")
    if os.path.exists(lib):
        run(["cc", "-O2", "-Wall", "-D_GNU_SOURCE", "-I", os.path.join(TOP, "src"),
             "-I", os.path.dirname(lib), "-I", os.path.join(TOP, "bpf"), "-o",
             f"{TOOLS}/reportcost", f"{HERE}/reportcost.c", lib, *libbpf])
        # The usage history's costs, with the daemon's own code (usage_db.c).
        run(["cc", "-O2", "-Wall", "-D_GNU_SOURCE", "-I", os.path.join(TOP, "src"),
             "-I", os.path.dirname(lib), "-I", os.path.join(TOP, "bpf"), "-o",
             f"{TOOLS}/historycost", f"{HERE}/historycost.c", lib, "-lsqlite3", *libbpf])
    inc = bpf_include_flags()
    for obj in ("empty", "empty_owner", "components", "components_owner"):
        run(["clang", "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-Wall", "-I", os.path.join(TOP, "bpf"),
             *inc, "-c", f"{HERE}/{obj}.bpf.c", "-o", f"{TOOLS}/{obj}.bpf.o"])


def read_sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return f.read().strip()


def write_sysctl(name, value):
    with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
        f.write(str(value))


def netns_add(name):
    run(["ip", "netns", "add", name])
    CLEANUP.push(f"netns {name}", lambda: run(["ip", "netns", "del", name], check=False))
    run(["ip", "-n", name, "link", "set", "lo", "up"])


def in_ns(ns):
    """Enter only the network namespace: /sys/fs/bpf stays the host's."""
    return ["nsenter", f"--net=/run/netns/{ns}"]


# The cgroup the traffic runs in while a jobs-on configuration is measured
# (JobsOn): a job's cgroup, so that every packet is also counted for the job.
TRAFFIC_CGROUP = None


def as_uid(uid, cpu=None):
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    into = ([] if TRAFFIC_CGROUP is None else
            ["sh", "-c", 'echo $$ >"$0/cgroup.procs" && exec "$@"', TRAFFIC_CGROUP])
    return into + pin + ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


def root_cgroup_programs(cgroot):
    """Programs attached to the cgroup root right now (ours and anyone's)."""
    try:
        return bpftool_json("cgroup", "show", cgroot) or []
    except Failure:
        return []


# --------------------------------------------------------------------------
# Traffic. Each load returns one number (higher is better) and its unit.

def busy_cpu_seconds():
    """CPU seconds the whole machine has been busy (not idle) since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(load, topo, seconds, args):
    """One sample of a load, taken once more when other work took
    more than args.max_background CPUs on average meanwhile (once only: a
    machine busy for good would only double the time). Returns (rate,
    rate per CPU second, background CPUs)."""
    for attempt in range(2):
        b0, t0 = busy_cpu_seconds(), time.monotonic()
        v, per_cpu, own = LOADS[load][2](topo, seconds)
        b1, t1 = busy_cpu_seconds(), time.monotonic()
        background = max(0.0, (b1 - b0 - own) / (t1 - t0))
        if background <= args.max_background:
            break
        log(f"  {load}: {background:.2f} CPUs of other work meanwhile: measuring again")
    return v, per_cpu, background


def wait_line(proc, word, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if word in line:
            return
        if not line and proc.poll() is not None:
            raise Failure(f"{what} exited before it was ready: {proc.stderr.read().strip()}")
    raise Failure(f"{what} not ready within {timeout} s")


def udp64(topo, seconds, sender=None):
    """64-byte UDP datagrams, one sender core: (datagrams received per second,
    datagrams per CPU second of sender and receiver). sender: the command
    that sends (default: udpflood), given ADDR PORT SECONDS, printing "sent
    N SECONDS CPU"."""
    rx = CLEANUP.track(subprocess.Popen(
        in_ns(topo.server_ns) + as_uid(UID_RX, 1) + [f"{TOOLS}/udpflood", "recv",
                                                      topo.server_addr, str(UDP_PORT)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    wait_line(rx, "ready", "UDP receiver")
    args = [topo.server_addr, str(UDP_PORT), str(seconds)]
    sent = run(in_ns(topo.client_ns) + as_uid(UID_TX, 0) + (
        sender + args if sender else [f"{TOOLS}/udpflood", "send", *args, "64"]),
        timeout=seconds + 30)
    out, err = rx.communicate(timeout=30)
    m = re.search(r"received (\d+) ([\d.]+) ([\d.]+)", out)
    ms = re.search(r"sent (\d+) ([\d.]+) ([\d.]+)", sent)
    if not m or not ms or float(m.group(2)) <= 0:
        raise Failure(f"UDP sender: {sent} {out} {err}")
    got = int(m.group(1))
    own = float(m.group(3)) + float(ms.group(3))
    return got / float(m.group(2)), got / own, own


def tcp(topo, seconds, streams):
    """iperf3, client pinned to CPU 0 and server to CPU 1: (received Gbit/s,
    Gbit per CPU second of client and server)."""
    srv = CLEANUP.track(subprocess.Popen(
        in_ns(topo.server_ns) + as_uid(UID_RX) + [
            "iperf3", "-s", "-1", "--forceflush", "-B", topo.server_addr,
            "-p", str(IPERF_PORT), "-A", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    wait_line(srv, "listening", "iperf3 server")
    out = run(in_ns(topo.client_ns) + as_uid(UID_TX) + [
        "iperf3", "-c", topo.server_addr, "-p", str(IPERF_PORT), "-t", str(seconds),
        "-P", str(streams), "-A", "0", "-J"], timeout=seconds + 60)
    srv.communicate(timeout=30)
    end = json.loads(out)["end"]
    gbps = end["sum_received"]["bits_per_second"] / 1e9
    cpu = end["cpu_utilization_percent"]
    busy = (cpu["host_total"] + cpu["remote_total"]) / 100
    return gbps, gbps / busy if busy > 0 else 0.0, busy * seconds


# The interpreted sender: one sendto per datagram, the interpreter's own work
# between them, as a script does. Prints "sent N SECONDS CPU" like udpflood.
PY_SENDER = """
import os, socket, sys, time
addr, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload, n = b"p" * 64, 0
t0 = time.monotonic()
end = t0 + seconds
while time.monotonic() < end:
    for _ in range(100):
        s.sendto(payload, (addr, port))
    n += 100
t = os.times()
print(f"sent {n} {time.monotonic() - t0:.3f} {t.user + t.system:.3f}")
"""


# The system's, which any UID can run (root's PATH may lead to a private one).
PYTHON3 = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def udp64py(topo, seconds):
    """udp64 from python3: a cold sender."""
    return udp64(topo, seconds, [PYTHON3, "-c", PY_SENDER])


def tcprr(topo, seconds):
    """64-byte TCP requests and answers on one connection, the caller working
    on 1 MiB between them (bench/pingpong.c): (exchanges per second, per CPU
    second of both ends)."""
    srv = CLEANUP.track(subprocess.Popen(
        in_ns(topo.server_ns) + as_uid(UID_RX, 1) + [f"{TOOLS}/pingpong", "serve",
                                                      topo.server_addr, str(IPERF_PORT)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    wait_line(srv, "ready", "TCP ping-pong server")
    called = run(in_ns(topo.client_ns) + as_uid(UID_TX, 0) + [
        f"{TOOLS}/pingpong", "call", topo.server_addr, str(IPERF_PORT), str(seconds)],
        timeout=seconds + 30)
    out, err = srv.communicate(timeout=30)
    m = re.search(r"served (\d+) ([\d.]+) ([\d.]+)", out)
    mc = re.search(r"called (\d+) ([\d.]+) ([\d.]+)", called)
    if not m or not mc or float(mc.group(2)) <= 0:
        raise Failure(f"TCP ping-pong: {called} {out} {err}")
    n = int(mc.group(1))
    own = float(m.group(3)) + float(mc.group(3))
    return n / float(mc.group(2)), n / own, own


LOADS = {
    "tcp1": ("TCP 1 stream", "Gbit/s", lambda t, s: tcp(t, s, 1)),
    "tcp8": ("TCP 8 streams", "Gbit/s", lambda t, s: tcp(t, s, 8)),
    "udp64": ("UDP 64 B", "pkt/s", udp64),
    # Cold loads: the sender works between packets.
    "udp64py": ("UDP 64 B, python3 sender", "pkt/s", udp64py),
    "tcprr": ("TCP 64 B request/response, 1 MiB of work between", "exch/s", tcprr),
    # Only where the hooks sit on one side (tc on A's interface): B -> A.
    "udp64in": ("UDP 64 B inbound", "pkt/s", lambda t, s: udp64(t.inbound, s)),
}


def loads_of(topo, loads):
    """The loads for a topology: inbound UDP too where the hooks are on one side."""
    if hasattr(topo, "inbound") and "udp64" in loads:
        return loads + ["udp64in"]
    return list(loads)


# --------------------------------------------------------------------------
# Topologies: where the traffic runs. Each has its own "off".

class Loopback:
    name = "loopback"
    title = "loopback in a fresh network namespace (127.0.0.1)"

    def __init__(self):
        self.ns = f"{NAME}-lo"
        self.server_ns = self.client_ns = self.ns
        self.server_addr = "127.0.0.1"

    def up(self):
        netns_add(self.ns)


class Inbound:
    """A topology's traffic the other way round: its server sends to its client."""

    def __init__(self, topo):
        self.name = topo.name
        self.client_ns, self.server_ns = topo.server_ns, topo.client_ns
        self.server_addr = NET_A


class VethPair:
    name = "veth"
    title = f"veth pair between two network namespaces ({NET_A} -> {NET_B})"

    def __init__(self):
        self.client_ns = f"{NAME}-a"
        self.server_ns = f"{NAME}-b"
        self.server_addr = NET_B
        self.dev = VETH_A  # where tc programs go: in the client's namespace
        # Traffic the other way (B -> A), so that A's ingress hook sees data too.
        self.inbound = Inbound(self)

    def up(self):
        netns_add(self.client_ns)
        netns_add(self.server_ns)
        run(["ip", "-n", self.client_ns, "link", "add", VETH_A, "type", "veth",
             "peer", "name", VETH_B, "netns", self.server_ns])
        run(["ip", "-n", self.client_ns, "addr", "add", f"{NET_A}/24", "dev", VETH_A])
        run(["ip", "-n", self.server_ns, "addr", "add", f"{NET_B}/24", "dev", VETH_B])
        run(["ip", "-n", self.client_ns, "link", "set", VETH_A, "up"])
        run(["ip", "-n", self.server_ns, "link", "set", VETH_B, "up"])


# --------------------------------------------------------------------------
# Hooks: a program's place, so that pdtt's programs meet their floor.

def hook_of_link(link, prog, pin):
    """A short hook name from bpftool's link and prog records."""
    at = str(link.get("attach_type", ""))
    name = prog.get("name", "")
    if link.get("type") in (11, "tcx") and not at:
        at = run([f"{TOOLS}/benchattach", "tcx-direction", pin], check=False).strip()
    if prog.get("type") == "cgroup_skb" or "cgroup_inet" in at:
        return "socket " + ("egress" if "egress" in at or "egress" in name else "ingress")
    if prog.get("type") == "sched_cls":
        return "tc " + ("egress" if "egress" in at or "egress" in name else "ingress")
    if prog.get("type") == "tracing":
        return "owner " + ("send" if "send" in name else "recv")
    return f"{prog.get('type')} {at or name}"


def prog_info(prog_id):
    return bpftool_json("prog", "show", "id", str(prog_id))


def programs_of_pins(pin_dir):
    """(hook, prog id) of every link pinned in pin_dir."""
    found = []
    for entry in sorted(os.listdir(pin_dir)) if os.path.isdir(pin_dir) else []:
        path = os.path.join(pin_dir, entry)
        try:
            link = bpftool_json("link", "show", "pinned", path)
        except Failure:
            continue  # a map, not a link
        if not isinstance(link, dict) or "prog_id" not in link:
            continue
        found.append((hook_of_link(link, prog_info(link["prog_id"]), path), link["prog_id"]))
    return found


def classic_tc_programs(ns, dev):
    """(hook, prog id) of the bpf filters on dev's clsact hooks (netlink tc)."""
    found = []
    try:
        net = run(in_ns(ns) + ["bpftool", "-j", "net", "show", "dev", dev])
        for entry in json.loads(net):
            for f in entry.get("tc", []):
                kind = f.get("kind", "")
                found.append(("tc " + ("egress" if "egress" in kind else "ingress"),
                              f["id"] if "id" in f else f.get("prog_id")))
    except (Failure, ValueError):
        pass
    return found


def prog_stats(prog_ids):
    """{id: (run_time_ns, run_cnt)}."""
    out = {}
    for pid in prog_ids:
        info = prog_info(pid)
        out[pid] = (info.get("run_time_ns", 0), info.get("run_cnt", 0))
    return out


# --------------------------------------------------------------------------
# Configurations: what is attached while the traffic runs.

class Config:
    key = "off"
    label = "off"
    floor = None  # key of the empty-program config this one is compared with
    available = True
    why_not = ""
    needs_probe = False  # probe() before the parts: may find it unavailable
    optional = False  # unavailable, it is left out; its topology is still measured

    def __init__(self, topo):
        self.topo = topo

    def up(self):
        pass

    def down(self):
        pass

    def programs(self):
        return []


class Off(Config):
    pass


def attach_owner_floor(pin_dir):
    """Empty tp_btf programs where owner tracking hooks in; their links go in pin_dir."""
    ids = []
    for prog, hook in (("bench_empty_send_length", "owner send"),
                       ("bench_empty_recv_length", "owner recv")):
        pid = run([f"{TOOLS}/benchattach", f"{TOOLS}/empty_owner.bpf.o", prog, "trace", "-",
                   f"{pin_dir}/{prog}"]).strip()
        ids.append((hook, int(pid)))
    return ids


class PinnedPrograms(Config):
    """Programs the harness attached itself, pinned under self.dir: removing
    the directory detaches them."""

    def down(self):
        remove_tree(self.dir)
        CLEANUP.done(self.token)

    def programs(self):
        return self.ids


class EmptyCgroup(PinnedPrograms):
    key = "empty-socket"
    label = "empty cgroup_skb programs (floor)"

    def __init__(self, topo, cgroot, owner=False):
        super().__init__(topo)
        self.cgroot = cgroot
        self.owner = owner  # also the empty tp_btf programs of owner tracking
        self.dir = f"{PIN_ROOT}/empty-socket"
        self.ids = []

    def up(self):
        os.makedirs(self.dir, exist_ok=True)
        self.token = CLEANUP.push("empty cgroup programs", lambda: remove_tree(self.dir))
        obj = f"{TOOLS}/empty.bpf.o"
        self.ids = []
        for prog, hook in (("bench_empty_cg_egress", "socket egress"),
                           ("bench_empty_cg_ingress", "socket ingress")):
            pid = run([f"{TOOLS}/benchattach", obj, prog, "cgroup", self.cgroot,
                       f"{self.dir}/{prog}"]).strip()
            self.ids.append((hook, int(pid)))
        if self.owner:
            self.ids += attach_owner_floor(self.dir)



class Piece(PinnedPrograms):
    """One piece of a pdtt program alone on its hook: of socket egress
    (bench/components.bpf.c) or of owner send (bench/components_owner.bpf.c)."""

    OBJECTS = {"socket egress": ("components", "cgroup"),
               "owner send": ("components_owner", "trace")}

    def __init__(self, topo, cgroot, prog, label, hook="socket egress"):
        super().__init__(topo)
        self.cgroot = cgroot
        self.prog = prog
        self.hook = hook
        self.key = "piece-" + prog
        self.label = label
        self.floor = "empty-socket"
        self.dir = f"{PIN_ROOT}/{self.key}"
        self.ids = []

    def up(self):
        os.makedirs(self.dir, exist_ok=True)
        self.token = CLEANUP.push(self.key, lambda: remove_tree(self.dir))
        env = dict(os.environ, BENCH_PIN_ROOT=self.dir)  # its maps are never pdtt's
        obj, kind = self.OBJECTS[self.hook]
        target = self.cgroot if kind == "cgroup" else "-"
        out = subprocess.run([f"{TOOLS}/benchattach", f"{TOOLS}/{obj}.bpf.o", self.prog,
                              kind, target, f"{self.dir}/link"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if out.returncode:
            raise Failure(f"benchattach {self.prog}: {out.stderr.strip()}")
        self.ids = [(self.hook, int(out.stdout.strip()))]


class Pdttd(Config):
    """pdttd itself, in the foreground, with its own pin_path and files."""
    mode = "socket"

    def __init__(self, topo, pdttd, extra=(), netns=None):
        super().__init__(topo)
        self.pdttd = pdttd
        self.netns = netns
        self.dir = f"{PIN_ROOT}/{self.key}"
        self.conf = f"{WORK}/{self.key}.conf"
        self.extra = list(extra)
        self.proc = None
        self.unload_token = None

    def history_line(self):
        """The history database in WORK; none for a pdttd older than the
        history (it refuses the key), which then writes none either."""
        with open(self.pdttd, "rb") as f:
            if b"history_file" not in f.read():
                return []
        return [f'history_file = "{WORK}/{self.key}.history.db";']

    def write_conf(self, interval=3600, max_users=None, extra=()):
        lines = [f'mode = "{self.mode}";', f"interval = {interval};",
                 f'log_file = "{WORK}/{self.key}.log";', f'pin_path = "{self.dir}";',
                 f'state_file = "{WORK}/{self.key}.state";',
                 *self.history_line(), *self.extra, *extra]
        if max_users:
            lines.append(f"max_users = {max_users};")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, **conf):
        self.write_conf(**conf)
        for f in (f"{WORK}/{self.key}.log", f"{WORK}/{self.key}.state"):
            if os.path.exists(f):
                os.unlink(f)
        if self.unload_token is None:
            self.unload_token = CLEANUP.push(f"pdttd --unload ({self.key})", self.unload)
        cmd = (in_ns(self.netns) if self.netns else []) + [self.pdttd, "-f", "-c", self.conf]
        self.err = open(f"{WORK}/{self.key}.stderr", "w+")
        self.proc = CLEANUP.track(subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                                   stderr=self.err))
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.err.name) as f:
                text = f.read()
            if "counting in" in text:
                return 0
            if self.proc.poll() is not None:
                return self.proc.returncode
            time.sleep(0.05)
        raise Failure(f"pdttd ({self.key}) did not start within 30 s")

    def stderr_text(self):
        with open(self.err.name) as f:
            return f.read().strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.proc = None

    def unload(self):
        self.stop()
        cmd = (in_ns(self.netns) if self.netns else []) + [self.pdttd, "--unload", "-c",
                                                           self.conf]
        run(cmd, check=False)

    def up(self):
        rc = self.start()
        if rc:
            raise Failure(f"pdttd ({self.key}) exited with {rc}: {self.stderr_text()}")

    def probe(self):
        """Can this pdttd run this configuration? (A --before one may predate it.)"""
        rc = self.start()
        if rc:
            self.available = False
            last = (self.stderr_text().splitlines() or [""])[-1]
            self.why_not = f"pdttd exited with {rc}: {last}"
        self.down()

    def down(self):
        self.unload()
        CLEANUP.done(self.unload_token)
        self.unload_token = None

    def programs(self):
        return programs_of_pins(self.dir)


class PdttSocket(Pdttd):
    key = "pdtt-socket"
    label = "pdtt, socket mode"
    floor = "empty-socket"


class Nft(Config):
    key = "nft"
    label = "nftables meta skuid counters"

    def __init__(self, topo):
        super().__init__(topo)
        self.ns = topo.client_ns

    def up(self):
        rules = [f"meta skuid {uid} counter" for uid in (UID_TX, UID_RX)]
        text = "table inet pdtt_bench {\n"
        for chain, hook in (("out", "output"), ("in", "input")):
            text += (f"  chain {chain} {{\n    type filter hook {hook} priority 0; "
                     "policy accept;\n" + "".join(f"    {r}\n" for r in rules) + "  }\n")
        text += "}\n"
        run(["ip", "netns", "exec", self.ns, "nft", "-f", "-"], input=text)
        self.token = CLEANUP.push("nft table", lambda: run(
            ["ip", "netns", "exec", self.ns, "nft", "delete", "table", "inet", "pdtt_bench"],
            check=False))

    def down(self):
        run(["ip", "netns", "exec", self.ns, "nft", "delete", "table", "inet", "pdtt_bench"])
        CLEANUP.done(self.token)


class PdttTc(Pdttd):
    key = "pdtt-tc"
    label = "pdtt, tc mode"
    floor = "empty-tc"
    mode = "tc"

    def __init__(self, topo, pdttd):
        super().__init__(topo, pdttd, extra=[f'interfaces = [ "{topo.dev}" ];'],
                         netns=topo.client_ns)
        self.hooks = None  # "tcx" or "classic", as pdtt attached

    needs_probe = True

    def probe(self):
        """Can this pdttd count in tc mode? Also learn how it attaches."""
        rc = self.start()
        if rc:
            self.available = False
            self.why_not = f"{TC_NOT_BUILT}: pdttd exited with {rc}: {self.stderr_text()}"
            self.down()
            return
        classic = classic_tc_programs(self.netns, self.topo.dev)
        self.hooks = "classic" if classic else "tcx"
        self.down()

    def programs(self):
        return programs_of_pins(self.dir) + classic_tc_programs(self.netns, self.topo.dev)


def networks_conf(names=16, cidrs=5000):
    """networks with names names and cidrs CIDRs in all, half IPv4 /24s of
    10.0.0.0/8 and half IPv6 /48s of 2001:db8::/32, dealt out in turn; NET_B's
    /24 is one of them, so that every packet of the veth pair matches one.
    With one name, it is "local": the local/external split over the same trie."""
    v4 = [f"10.{i // 256}.{i % 256}.0/24" for i in range(cidrs // 2 - 1)]
    v4.append(NET_B.rsplit(".", 1)[0] + ".0/24")
    v6 = [f"2001:db8:{i:x}::/48" for i in range(cidrs - len(v4))]
    every = v4 + v6
    groups = []
    for n in range(names):
        mine = ", ".join(f'"{c}"' for c in every[n::names])
        name = f"net{n}" if names > 1 else "local"
        groups.append(f'{{ name = "{name}"; cidrs = [ {mine} ]; }}')
    return "networks = (\n  " + ",\n  ".join(groups) + "\n);"


class PdttTcSplit(PdttTc):
    """tc mode with local_networks: every packet of the pair looked up (today's split)."""
    key = "pdtt-tc-split"
    label = "pdtt, tc mode, local_networks (1 CIDR)"

    def __init__(self, topo, pdttd):
        super().__init__(topo, pdttd)
        self.extra.append(f'local_networks = [ "{NET_B.rsplit(".", 1)[0]}.0/24" ];')


class PdttTcSplitLarge(PdttTc):
    """tc mode, local and external only, over the same 5,000 CIDRs as PdttTcNetworks."""
    key = "pdtt-tc-split-5000"
    label = "pdtt, tc mode, local/external over 5,000 CIDRs"

    def __init__(self, topo, pdttd):
        super().__init__(topo, pdttd)
        self.extra.append(networks_conf(names=1))


class PdttTcNetworks(PdttTc):
    """tc mode with 16 named networks of 5,000 CIDRs: within 10% of PdttTcSplit (issue #18)."""
    key = "pdtt-tc-networks"
    label = "pdtt, tc mode, networks (16 names, 5,000 CIDRs)"

    def __init__(self, topo, pdttd):
        super().__init__(topo, pdttd)
        self.extra.append(networks_conf())


class EmptyTc(Config):
    key = "empty-tc"
    label = "empty sched_cls programs (floor)"

    def __init__(self, topo, pdtt_tc, owner=False):
        super().__init__(topo)
        self.pdtt_tc = pdtt_tc
        self.owner = owner
        self.dir = f"{PIN_ROOT}/empty-tc"
        self.ids = []

    def tc(self, *args, check=True):
        return run(in_ns(self.topo.client_ns) + ["tc", *args], check=check)

    def up(self):
        dev = self.topo.dev
        obj = f"{TOOLS}/empty.bpf.o"
        self.ids = []
        if self.pdtt_tc.hooks == "classic":
            self.token = CLEANUP.push("empty tc filters", lambda: self.tc(
                "qdisc", "del", "dev", dev, "clsact", check=False))
            self.tc("qdisc", "replace", "dev", dev, "clsact")
            for d in ("ingress", "egress"):
                self.tc("filter", "add", "dev", dev, d, "bpf", "da", "obj", obj, "sec", "tc")
            self.ids = classic_tc_programs(self.topo.client_ns, dev)
        else:
            os.makedirs(self.dir, exist_ok=True)
            self.token = CLEANUP.push("empty tcx links", lambda: remove_tree(self.dir))
            for d in ("ingress", "egress"):
                pid = run(in_ns(self.topo.client_ns) + [
                    f"{TOOLS}/benchattach", obj, "bench_empty_tc", f"tcx-{d}", dev,
                    f"{self.dir}/tc-{d}"]).strip()
                self.ids.append((f"tc {d}", int(pid)))
        if self.owner:
            os.makedirs(self.dir, exist_ok=True)
            self.owner_token = CLEANUP.push("empty owner programs", lambda: remove_tree(self.dir))
            self.ids += attach_owner_floor(self.dir)

    def down(self):
        if self.pdtt_tc.hooks == "classic":
            self.tc("qdisc", "del", "dev", self.topo.dev, "clsact")
        remove_tree(self.dir)
        CLEANUP.done(self.token)
        if self.owner:
            CLEANUP.done(self.owner_token)

    def programs(self):
        return self.ids


class JobsOn:
    """pdtt with jobs on (a Slurm-like pattern), the traffic in a job's cgroup:
    each packet is also counted for its job. Mixed into a pdttd config."""
    JOB = "pdtt-bench-job_1"

    def jobs_init(self, cgroot):
        self.job_cgroup = f"{cgroot}/{self.JOB}"
        self.job_token = None  # up() makes the cgroup; probe() only starts pdttd
        self.extra.append('jobs = "/pdtt-bench-job_([0-9]+)";')

    def up(self):
        global TRAFFIC_CGROUP
        os.makedirs(self.job_cgroup, exist_ok=True)
        self.job_token = CLEANUP.push("job cgroup", self.jobs_cleanup)
        super().up()
        # pdttd finds the job at its first report: make it come at once.
        TRAFFIC_CGROUP = self.job_cgroup

    def jobs_cleanup(self):
        global TRAFFIC_CGROUP
        TRAFFIC_CGROUP = None
        try:
            os.rmdir(self.job_cgroup)
        except OSError:
            pass

    def down(self):
        super().down()
        self.jobs_cleanup()
        if self.job_token is not None:
            CLEANUP.done(self.job_token)
            self.job_token = None


class PdttSocketJobs(JobsOn, PdttSocket):
    key = "pdtt-socket-jobs"
    label = "pdtt, socket mode, jobs on"

    def __init__(self, topo, pdttd, cgroot):
        PdttSocket.__init__(self, topo, pdttd)
        self.jobs_init(cgroot)


class PdttTcJobs(JobsOn, PdttTc):
    key = "pdtt-tc-jobs"
    label = "pdtt, tc mode, jobs on"

    def __init__(self, topo, pdttd, cgroot):
        PdttTc.__init__(self, topo, pdttd)
        self.jobs_init(cgroot)


def topologies(args, cgroot):
    """[(topology, [configs])]: the first config of each is its "off"."""
    lo = Loopback()
    socket = PdttSocket(lo, args.pdttd)
    owner = args.owner_floor
    before = [before_of(PdttSocket, lo, args.before),
              before_of(PdttSocketJobs, lo, args.before, cgroot)] if args.before else []
    out = [(lo, [Off(lo), EmptyCgroup(lo, cgroot, owner=owner), socket, *before,
                 PdttSocketJobs(lo, args.pdttd, cgroot), Nft(lo)])]
    if args.tc:
        veth = VethPair()
        pdtt_tc = PdttTc(veth, args.pdttd)
        extra = [PdttTcSplit(veth, args.pdttd), PdttTcSplitLarge(veth, args.pdttd),
                 PdttTcNetworks(veth, args.pdttd)] if args.networks else []
        before = [before_of(PdttTc, veth, args.before)] if args.before else []
        out.append((veth, [Off(veth), EmptyTc(veth, pdtt_tc, owner=owner), pdtt_tc, *before,
                           PdttTcJobs(veth, args.pdttd, cgroot), *extra]))
    return out


def before_of(cls, topo, pdttd, *rest):
    """cls's configuration with another pdttd (--before), under keys of its own;
    left out if that pdttd cannot run it (jobs on, say, before jobs existed)."""
    class Before(cls):
        key = cls.key + "-before"
        label = cls.label + " (before)"
        needs_probe = True
        optional = True
    return Before(topo, pdttd, *rest)


def usable_topologies(topos):
    """Topologies whose pdtt configuration can run, with their usable configs."""
    out = []
    for topo, configs in topos:
        configs = [c for c in configs if c.available or not c.optional]
        if all(c.available for c in configs if c.floor):
            out.append((topo, configs))
    return out


def rotated(items, k):
    k %= len(items)
    return items[k:] + items[:k]


PIECES_WHOLE = {"socket egress": "pdtt_sock_egress (all of it)",
                "owner send": "pdtt_owner_send (all of it)"}


def pieces_tables(args, samples):
    """Per hook with pieces: the empty program, each piece and pdtt's whole
    program, ns per run (median) per load."""
    L = []
    piece_loads = [load for load in args.ns_loads if load in LOADS]
    for hook, whole in PIECES_WHOLE.items():
        pieces = [p for p in args.pieces if p.hook == hook]
        if not pieces:
            continue
        L.append(f"Where pdtt's {hook} cost goes (bench/{Piece.OBJECTS[hook][0]}.bpf.c: pieces "
                 "of the same code, each alone on the hook; ns per run, median):")
        L.append("")
        L.append(f"| program on {hook} | " + " | ".join(LOADS[load][0] for load in piece_loads) +
                 " |")
        L.append("|---|" + "---|" * len(piece_loads))
        rows = [("empty-socket", "empty (floor)")] + [(p.key, p.label) for p in pieces] + \
               [("pdtt-socket", whole)]
        for key, label in rows:
            cells = []
            for load in piece_loads:
                v = med(samples.get(("loopback", hook, load, key), []))
                cells.append(f"{v:.1f}" if v is not None else "-")
            L.append(f"| {label} | " + " | ".join(cells) + " |")
        L.append("")
    return L


# --------------------------------------------------------------------------
# Part 1: ns per run from bpf_stats.

def part_ns(args, topos, results):
    old = read_sysctl("kernel.bpf_stats_enabled")
    CLEANUP.push("kernel.bpf_stats_enabled", lambda: write_sysctl("kernel.bpf_stats_enabled", old))
    write_sysctl("kernel.bpf_stats_enabled", 1)
    samples = {}  # (topo, hook, load, config key) -> [ns per run]
    counts = {}
    for topo, configs in usable_topologies(topos):
        measured = [c for c in configs if c.floor or c.key.startswith("empty")]
        if topo.name == "loopback":
            measured += args.pieces
        for r in range(args.runs):
            for cfg in rotated(measured, r):
                log(f"ns: {topo.name} round {r + 1}/{args.runs}: {cfg.key}")
                cfg.up()
                try:
                    progs = cfg.programs()
                    for load in loads_of(topo, args.ns_loads):
                        before = prog_stats([p for _, p in progs])
                        LOADS[load][2](topo, args.ns_seconds)
                        after = prog_stats([p for _, p in progs])
                        for hook, p in progs:
                            dt = after[p][0] - before[p][0]
                            dn = after[p][1] - before[p][1]
                            if dn > 0:
                                k = (topo.name, hook, load, cfg.key)
                                samples.setdefault(k, []).append(dt / dn)
                                counts.setdefault(k, []).append(dn)
                finally:
                    cfg.down()
    write_sysctl("kernel.bpf_stats_enabled", old)
    results["ns"] = {"|".join(k): v for k, v in samples.items()}
    results["ns_runs"] = {"|".join(k): v for k, v in counts.items()}
    return samples, counts


# --------------------------------------------------------------------------
# Part 2: throughput.

def part_tput(args, topos, results):
    # bpf_stats adds two clock reads per program run: off for this part.
    old = read_sysctl("kernel.bpf_stats_enabled")
    if old != "0":
        CLEANUP.push("kernel.bpf_stats_enabled", lambda: write_sysctl("kernel.bpf_stats_enabled", old))
        write_sysctl("kernel.bpf_stats_enabled", 0)
    samples = {}  # (topo, config, load) -> [value]
    # Load by load, so that the runs of one round, which the ratios pair,
    # follow each other within seconds.
    for topo, usable in usable_topologies(topos):
        for load in loads_of(topo, args.loads):
            for r in range(args.runs):
                for cfg in rotated(usable, r):
                    log(f"throughput: {topo.name} {load} round {r + 1}/{args.runs}: {cfg.key}")
                    cfg.up()
                    try:
                        v, per_cpu, bg = measure(load, topo, args.seconds, args)
                        samples.setdefault((topo.name, cfg.key, load), []).append(v)
                        samples.setdefault((topo.name, cfg.key, load + "/cpu"), []).append(per_cpu)
                        samples.setdefault((topo.name, cfg.key, load + "/bg"), []).append(bg)
                    finally:
                        cfg.down()
    results["tput"] = {"|".join(k): v for k, v in samples.items()}
    return samples


# --------------------------------------------------------------------------
# Part 3: report cost and map memory.

def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
    return 0


def cpu_ns(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


class LogWatch:
    """Completed reports in the log. A report is one write(), but a large
    write() grows the file page by page: a report is complete once the log
    has grown by about its size and then stops growing."""

    def __init__(self, path):
        self.path = path
        self.size = self.cur()

    def cur(self):
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError:
            return 0

    def next(self, min_growth, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.cur()
            if s - self.size >= min_growth:
                while True:
                    time.sleep(0.003)
                    s2 = self.cur()
                    if s2 == s:
                        break
                    s = s2
                grown, self.size = s - self.size, s
                return grown
            time.sleep(0.001)
        raise Failure(f"no report of {min_growth}+ bytes in {self.path} within {timeout} s")


def map_memory(d, prog_ids):
    """{map name: bytes_memlock} of the maps the programs use."""
    maps = {}
    for pid in prog_ids:
        for mid in prog_info(pid).get("map_ids", []):
            m = bpftool_json("map", "show", "id", str(mid))
            maps[m["name"]] = m.get("bytes_memlock", 0)
    return maps


def wait_exit(proc, timeout):
    """proc.wait(timeout), seeing the exit when it happens. With a timeout,
    Popen.wait polls with a sleep that doubles up to 50 ms, so an exit was
    seen 1, 3, 7, 15, 31, 63, 113, 163... ms after the wait began: the wall
    times measured with it were rounded up to those steps."""
    fd = os.pidfd_open(proc.pid)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            raise subprocess.TimeoutExpired(proc.args, timeout)
    finally:
        os.close(fd)
    return proc.wait()


def part_report(args, lo, results):
    out = {"sizes": {}, "memory": {}}
    max_users = args.report_max_users
    for n in args.report_uids:
        samples = {}
        d = PdttSocket(lo, args.pdttd)
        d.key = "pdtt-report"
        d.dir = f"{PIN_ROOT}/{d.key}"
        d.conf = f"{WORK}/{d.key}.conf"
        logpath = f"{WORK}/{d.key}.log"
        big = n * 40  # a report of n UIDs is at least this long
        base = REPORT_UID_BASE + n * 10  # fresh UIDs for every size
        for rep in range(args.report_repeats):
            # First report: no name cached yet. A restarted daemon (the pinned
            # map keeps the UIDs) writes its first report on SIGTERM.
            if d.start(max_users=max_users):
                raise Failure(f"pdttd (report) did not start: {d.stderr_text()}")
            if rep == 0:
                samples.setdefault("fill_s", []).append(float(run(
                    [f"{TOOLS}/fillmap", d.dir, str(n), str(base)]).strip()))
            watch = LogWatch(logpath)
            t0 = time.monotonic()
            d.proc.send_signal(signal.SIGTERM)
            wait_exit(d.proc, 600)
            samples.setdefault("cold_wall_ms", []).append((time.monotonic() - t0) * 1e3)
            size = watch.next(1, timeout=5)
            samples.setdefault("report_bytes", []).append(size)
            big = int(size * 0.98)  # a later report is the same UIDs, the same length
            d.stop()
            # Later reports: periodic, every report_interval s.
            if d.start(interval=args.report_interval, max_users=max_users):
                raise Failure(f"pdttd (report) did not start: {d.stderr_text()}")
            pid = d.proc.pid
            watch = LogWatch(logpath)
            samples.setdefault("rss_idle_kb", []).append(proc_status(pid, "VmRSS"))
            c0 = cpu_ns(pid)
            watch.next(big)
            samples.setdefault("cold_cpu_ms", []).append((cpu_ns(pid) - c0) / 1e6)
            # The first report may have outlasted the interval: the next one then
            # starts at once. After that one, the daemon waits for a fresh tick.
            watch.next(big)
            samples.setdefault("hwm_cold_kb", []).append(proc_status(pid, "VmHWM"))
            # Reset the peak RSS (clear_refs 5), then one whole later report.
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
            c1 = cpu_ns(pid)
            watch.next(big)
            samples.setdefault("warm_cpu_ms", []).append((cpu_ns(pid) - c1) / 1e6)
            samples.setdefault("report_hwm_kb", []).append(proc_status(pid, "VmHWM"))
            # Right after a periodic report: SIGTERM, whose final report is a later one.
            t0 = time.monotonic()
            d.proc.send_signal(signal.SIGTERM)
            wait_exit(d.proc, 600)
            samples.setdefault("warm_wall_ms", []).append((time.monotonic() - t0) * 1e3)
            d.stop()
        if os.path.exists(f"{TOOLS}/reportcost"):
            # Where a later report's time goes: the same code, timed piece by piece.
            lines = run([f"{TOOLS}/reportcost", d.dir, f"{WORK}/reportcost.log", "6"],
                        timeout=600).splitlines()
            for line in lines[1:]:
                rd, fm, wr, _ = line.split()
                samples.setdefault("read_ms", []).append(float(rd))
                samples.setdefault("format_ms", []).append(float(fm))
                samples.setdefault("write_ms", []).append(float(wr))
            os.unlink(f"{WORK}/reportcost.log")
        d.down()
        row = {k: med(v) for k, v in samples.items()}
        out["sizes"][n] = row
        out.setdefault("samples", {})[n] = samples
        log(f"report: {n} UIDs: {row}")
    for size in args.memory_sizes:
        d = PdttSocket(lo, args.pdttd)
        d.key = "pdtt-memory"
        d.dir = f"{PIN_ROOT}/{d.key}"
        d.conf = f"{WORK}/{d.key}.conf"
        if d.start(max_users=size):
            raise Failure(f"pdttd (max_users {size}) did not start: {d.stderr_text()}")
        try:
            out["memory"][size] = map_memory(d, [p for _, p in d.programs()])
        finally:
            d.down()
        log(f"memory: max_users {size}: {out['memory'][size]}")
    results["report"] = out
    return out


# --------------------------------------------------------------------------
# Part 4: the usage history (history_file).

HISTORY_MONTH = ("2025-12-01", "2025-12-31")  # a whole month in historycost's fill


def part_history(args, lo, results):
    """Writing a period of 100,000 UIDs (historycost), pdttd's peak RSS when it
    writes one, the size of 10,000 UIDs' history at the default retention, and
    a month's daily query of it with pdtt history."""
    out = {}
    args.load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    if not os.path.exists(f"{TOOLS}/historycost"):
        raise Failure("historycost was not built: build pdtt in this tree first")
    db = f"{WORK}/historycost.db"
    rounds = {}
    for line in run([f"{TOOLS}/historycost", "write", db, str(args.history_uids)],
                    timeout=1800).splitlines():
        parts = line.split()
        if parts[0] == "peak_rss_kb":
            out["tool_hwm_kb"] = int(parts[1])
        elif parts[0] == "close":
            out["close_ms"] = float(parts[1])
        elif parts[0] == "thread_peak_rss_kb":
            out["tool_thread_hwm_kb"] = int(parts[1])
        else:
            rounds.setdefault(parts[3], []).append((float(parts[1]), float(parts[2])))
    out["write_ms"] = {k: (med([w for w, _ in v]), max(w for w, _ in v)) for k, v in rounds.items()}
    out["write_cpu_ms"] = {k: (med([c for _, c in v]), max(c for _, c in v))
                           for k, v in rounds.items()}
    log(f"history: writes of {args.history_uids} UIDs: {out['write_ms']}")
    for f in glob.glob(db + "*"):
        os.unlink(f)

    # pdttd itself, with history_period = 1: each report writes the history.
    d = PdttSocket(lo, args.pdttd, extra=["history_period = 1;"])
    d.key = "pdtt-history"
    d.dir = f"{PIN_ROOT}/{d.key}"
    d.conf = f"{WORK}/{d.key}.conf"
    if d.start(interval=5, max_users=args.report_max_users):
        raise Failure(f"pdttd (history) did not start: {d.stderr_text()}")
    try:
        run([f"{TOOLS}/fillmap", d.dir, str(args.history_uids), str(REPORT_UID_BASE + 7)],
            timeout=600)
        watch = LogWatch(f"{WORK}/{d.key}.log")
        for _ in range(3):
            watch.next(args.history_uids * 40, timeout=600)
        out["pdttd_hwm_kb"] = proc_status(d.proc.pid, "VmHWM")
    finally:
        d.down()
    log(f"history: pdttd peak RSS {out['pdttd_hwm_kb']} kB")

    # 10,000 UIDs active every 5 minutes, at the default retention.
    db = f"{WORK}/history10k.db"
    line = run([f"{TOOLS}/historycost", "fill", db, str(args.history_size_uids)],
               timeout=7200).split()
    out["fill"] = dict(zip(line[0::2], line[1::2]))
    con = sqlite3.connect(db)
    out["db_bytes"] = os.path.getsize(db)
    out["tables"] = {name: (size, con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
                     for name, size in con.execute(
                         "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'usage%' "
                         "GROUP BY name")}
    con.close()
    log(f"history: {args.history_size_uids} UIDs: {out['db_bytes']} bytes, {out['tables']}")
    conf = f"{WORK}/history-query.conf"
    with open(conf, "w") as f:
        f.write(f'history_file = "{db}";\n')
    since, until = HISTORY_MONTH
    times, cpu = [], []
    for _ in range(3):
        t0 = time.monotonic()
        c0 = children_cpu_ms()
        run([os.path.join(os.path.dirname(args.pdttd), "pdtt"), "-c", conf, "history",
             "--daily", "--since", since, "--until", until, "--csv"], timeout=600)
        times.append((time.monotonic() - t0) * 1e3)
        cpu.append(children_cpu_ms() - c0)
    out["pdtt_query_ms"] = (med(times), max(times))
    out["pdtt_query_cpu_ms"] = med(cpu)
    # The same with the command's code alone (no passwd lookups), and two smaller answers.
    for key, extra in (("all_daily", ["daily", since, until]),
                       ("one_user_daily", ["daily", since, until, "100007"]),
                       ("billing_monthly", ["monthly", since, until])):
        samples = []
        for _ in range(3):
            line = run([f"{TOOLS}/historycost", "query", db, *extra], timeout=600).split()
            samples.append(dict(zip(line[0::2], line[1::2])))
        out[key] = {k: med([float(x[k]) for x in samples]) for k in samples[0]}
    log(f"history: queries of {args.history_size_uids} UIDs: pdtt {out['pdtt_query_ms']} ms, "
        f"{out['all_daily']}, {out['one_user_daily']}, {out['billing_monthly']}")
    results["history"] = out
    return out


def children_cpu_ms():
    """User and system time of the children waited for so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * 1e3


def history_markdown(args, out):
    w, c = out["write_ms"], out["write_cpu_ms"]
    rows = [
        f"Load average before / after: {args.load_before} / "
        f"{' '.join(open('/proc/loadavg').read().split()[:3])}. Wall times count waiting for a "
        "CPU too; CPU times do not.",
        "",
        "| what | measured (wall; CPU) | target |",
        "|---|---|---|",
        f"| write one period of {args.history_uids:,} UIDs (2 rows each), rollups and "
        f"retention included: the first (every row new) | {w['first'][0]:.0f} ms; "
        f"{c['first'][0]:.0f} ms CPU | < 300 ms |",
        f"| ... a later one (median / max, rows expiring) | {w['steady'][0]:.0f} / "
        f"{w['steady'][1]:.0f} ms; {c['steady'][0]:.0f} / {c['steady'][1]:.0f} ms CPU | < 300 ms |",
        f"| ... the first of a month (new rows in every tier, a day and a month expire) | "
        f"{w['month_end'][0]:.0f} ms; {c['month_end'][0]:.0f} ms CPU | < 300 ms |",
        f"| what a period costs the report with pdttd's writer thread, a copy of the reading "
        f"(median / max) | {w['handover'][0]:.1f} / {w['handover'][1]:.0f} ms; "
        f"{c['handover'][0]:.1f} / {c['handover'][1]:.0f} ms CPU | never delays a report |",
        f"| pdttd's peak RSS, {args.history_uids:,} UIDs, the history written at each report | "
        f"{out['pdttd_hwm_kb'] / 1024:.1f} MB | < 64 MB |",
        f"| a month's daily query of {args.history_size_uids:,} UIDs, every UID and day "
        f"({out['all_daily']['rows']:,.0f} rows): `pdtt history --daily --csv` (median / max "
        f"of 3; a passwd lookup per UID included) | {out['pdtt_query_ms'][0]:.0f} / "
        f"{out['pdtt_query_ms'][1]:.0f} ms; {out['pdtt_query_cpu_ms']:.0f} ms CPU | < 200 ms |",
        f"| ... the query and the CSV alone, no names | {out['all_daily']['query_ms']:.0f} + "
        f"{out['all_daily']['render_ms']:.0f} ms; {out['all_daily']['query_cpu_ms']:.0f} + "
        f"{out['all_daily']['render_cpu_ms']:.0f} ms CPU | < 200 ms |",
        f"| ... one user's month per day (31 rows) | {out['one_user_daily']['query_ms']:.0f} + "
        f"{out['one_user_daily']['render_ms']:.0f} ms | < 200 ms |",
        f"| ... the month's billing export, `--monthly` ({out['billing_monthly']['rows']:,.0f} "
        f"rows) | {out['billing_monthly']['query_ms']:.0f} + "
        f"{out['billing_monthly']['render_ms']:.0f} ms | < 200 ms |",
        f"| the database of {args.history_size_uids:,} UIDs active every 5 minutes (local and "
        f"external), default retention | {out['db_bytes'] / 2**20:.0f} MiB | < 1 GB |",
        "",
        "| table | rows | bytes | bytes per UID |",
        "|---|---|---|---|",
    ]
    for name, (size, count) in sorted(out["tables"].items()):
        rows.append(f"| {name} | {count:,} | {size:,} | {size / args.history_size_uids:,.0f} |")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------
# Part 5: the machine.

def machine_info(args, cgroot):
    info = {}
    info["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    info["kernel"] = platform.release() + " " + platform.version()
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info["cpu"] = f"{cpu}, {os.cpu_count()} CPUs"
    with open("/proc/meminfo") as f:
        info["memory"] = f"{int(f.readline().split()[1]) // 1024} MiB"
    try:
        with open("/etc/os-release") as f:
            info["os"] = re.search(r'PRETTY_NAME="?([^"\n]*)', f.read()).group(1)
    except (OSError, AttributeError):
        info["os"] = "?"
    info["load_before"] = " ".join(open("/proc/loadavg").read().split()[:3])
    info["bpftool"] = run(["bpftool", "version"], check=False).splitlines()[0:1]
    info["iperf3"] = run(["iperf3", "--version"], check=False).splitlines()[0:1]
    info["nft"] = run(["nft", "--version"], check=False).strip()
    info["pdttd"] = run([args.pdttd, "--version"], check=False).strip()
    info["commit"] = run(["git", "-C", TOP, "describe", "--always"], check=False).strip() or "?"
    # Changes other than the results (and the doc they go in) make the tree "dirty".
    if run(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no", "--", ".",
            ":(exclude)bench/results", ":(exclude)doc/BENCHMARKS.md"], check=False).strip():
        info["commit"] += "-dirty"
    info["cgroup2"] = cgroot
    return info


# --------------------------------------------------------------------------
# The report.

def med(xs):
    return statistics.median(xs) if xs else None


def paired(xs, ys):
    """Median of the run-by-run ratios: runs of one round ran minutes apart at
    most, under about the same background load, so their ratio is steadier
    than the ratio of the medians."""
    rs = [x / y for x, y in zip(xs, ys) if y]
    return statistics.median(rs) if rs else None


def fmt_rate(v, unit):
    if v is None:
        return "-"
    if unit == "pkt/s":
        return f"{v / 1e3:,.0f} k"
    return f"{v:.2f}"


def verdict(ok):
    return "yes" if ok else "**no**"


def before_after_table(args, topos, samples, counts):
    """Ratios to the empty program of --before's pdttd and of this one, each
    the median of the run-by-run ratios (the runs alternate)."""
    L = [f"Before ({args.before}) and after ({args.pdttd}), taken in the same runs: "
         "ratio to the empty program on the same hook, median of the run-by-run "
         "ratios (range in brackets):", "",
         "| hook | traffic | before | after |", "|---|---|---|---|"]
    for t, configs in topos:
        for cfg in configs:
            if not cfg.key.endswith("-before") or not cfg.available:
                continue
            after = cfg.key[:-len("-before")]
            hooks = sorted({k[1] for k in samples if k[0] == t.name and k[3] == after})
            for hook in hooks:
                for load in loads_of(t, args.ns_loads):
                    cells = []
                    for key in (cfg.key, after):
                        xs = samples.get((t.name, hook, load, key), [])
                        es = samples.get((t.name, hook, load, cfg.floor), [])
                        n = med(counts.get((t.name, hook, load, key), [])) or 0
                        rs = [x / e for x, e in zip(xs, es) if e]
                        cells.append(f"{med(rs):.2f}x ({min(rs):.2f}-{max(rs):.2f})"
                                     if rs and n >= MIN_RUNS else "-")
                    if cells != ["-", "-"]:
                        label = hook if t.name == "loopback" else f"{hook}, {t.name}"
                        if isinstance(cfg, JobsOn):
                            label += ", jobs on"
                        L.append(f"| {label} | {LOADS[load][0]} | {cells[0]} | {cells[1]} |")
    return L + [""]


def markdown(args, info, topos, ns, tput, report, foreign):
    L = []
    L.append("## Benchmark results")
    L.append("")
    L.append(f"`{' '.join(['bench/run', *args.argv])}` on {info['date']}, pdtt {info['commit']}.")
    L.append("")
    L.append("| machine | |")
    L.append("|---|---|")
    for k in ("kernel", "os", "cpu", "memory", "load_before", "load_after", "cgroup2"):
        L.append(f"| {k.replace('_', ' ')} | {info.get(k, '?')} |")
    L.append(f"| foreign programs on the cgroup root | {foreign} |")
    L.append(f"| tools | {'; '.join(info['bpftool'] + info['iperf3'])}; {info['nft']} |")
    L.append("")
    topo_of = {t.name: (t, cs) for t, cs in topos}
    if ns is not None:
        samples, counts = ns
        L.append(f"### 1. Cost per program run (bpf_stats, median of {args.runs} alternating "
                 f"runs of {args.ns_seconds} s each)")
        L.append("")
        L.append("| hook | traffic | empty program ns/run | pdtt ns/run | pdtt - empty | ratio | runs/s | target ≤ 1.5x |")
        L.append("|---|---|---|---|---|---|---|---|")
        for t, configs in topos:
            for cfg in configs:
                if not cfg.floor or isinstance(cfg, Piece):
                    continue
                if not cfg.available:
                    L.append(f"| {t.name}: {cfg.label} | | {cfg.why_not} | | | | | |")
                    continue
                hooks = sorted({k[1] for k in samples if k[0] == t.name and k[3] == cfg.key})
                for hook in hooks:
                    for load in loads_of(t, args.ns_loads):
                        p = med(samples.get((t.name, hook, load, cfg.key), []))
                        e = med(samples.get((t.name, hook, load, cfg.floor), []))
                        n = med(counts.get((t.name, hook, load, cfg.key), []))
                        if p is None or (n or 0) < MIN_RUNS:
                            continue  # a hook this traffic hardly reaches (ARP, a stray ACK)
                        ratio = p / e if e else None
                        hook_label = (hook if cfg.key == "pdtt-socket" else
                                      f"{hook} (before)" if cfg.key == "pdtt-socket-before" else
                                      f"{hook} ({cfg.label})")
                        L.append(
                            f"| {hook_label} | {LOADS[load][0]} | {e:.1f} | {p:.1f} | {p - e:+.1f} | "
                            f"{ratio:.2f}x | {n / args.ns_seconds:,.0f} | {verdict(ratio <= 1.5)} |"
                            if e else f"| {hook_label} | {LOADS[load][0]} | - | {p:.1f} | | | | |")
        if not args.owner_floor:
            L.append("| owner send/recv (tp_btf) | | n/a (owner tracking not built) | | | | | |")
        L.append("")
        if args.before:
            L += before_after_table(args, topos, samples, counts)
        if args.pieces:
            L += pieces_tables(args, samples)
    if tput is not None:
        L.append(f"### 2. Throughput (median of {args.runs} alternating runs of {args.seconds} s; "
                 "ratios to off and to the empty programs: median of the run-by-run ratios)")
        L.append("")
        usable = [t for t, _ in usable_topologies(topos)]
        for t, configs in topos:
            if t not in usable:
                why = next(c.why_not for c in configs if not c.available)
                L.append(f"{t.title}: {why}")
                L.append("")
                continue
            for metric, title in (("", "rate"), ("/cpu", "per CPU second of sender and receiver")):
                L.append(f"{t.title}, {title} (median ± half the range):" if not metric else
                         f"{t.title}, {title} (less sensitive to other work on the machine):")
                L.append("")
                loads = loads_of(t, args.loads)
                L.append("| configuration | " + " | ".join(
                    f"{LOADS[l][0]} ({LOADS[l][1] if not metric else LOADS[l][1].split('/')[0] + '/CPU-s'})"
                    for l in loads) + " |")
                L.append("|---|" + "---|" * len(loads))
                for cfg in configs:
                    if not cfg.available:
                        L.append(f"| {cfg.label} | " + " | ".join(
                            cfg.why_not if i == 0 else "" for i in range(len(loads))) + " |")
                        continue
                    cells = []
                    for load in loads:
                        unit = LOADS[load][1]
                        xs = tput.get((t.name, cfg.key, load + metric), [])
                        v = med(xs)
                        off = paired(xs, tput.get((t.name, configs[0].key, load + metric), []))
                        floor_key = cfg.floor or ("empty-socket" if cfg.key == "nft" else None)
                        fl = paired(xs, tput.get((t.name, floor_key, load + metric), [])) \
                            if floor_key else None
                        c = fmt_rate(v, unit)
                        if v:
                            c += f" ±{(max(xs) - min(xs)) / 2 / v * 100:.0f}%"
                        if v is not None and cfg is not configs[0] and off:
                            c += f" ({off:.3f}x off"
                            if fl:
                                c += f", {fl:.3f}x empty"
                            c += ")"
                        cells.append(c)
                    L.append(f"| {cfg.label} | " + " | ".join(cells) + " |")
                L.append("")
        bgs = [x for k, xs in tput.items() if k[2].endswith("/bg") for x in xs]
        if bgs:
            L.append(f"Other work on the machine during the samples: median {med(bgs):.2f} CPUs, "
                     f"at most {max(bgs):.2f} (a sample is taken once more above "
                     f"{args.max_background} CPUs).")
            L.append("")
        # Targets against the floor.
        L.append("| target (pdtt vs the empty programs on the same hooks) | rate | met | per CPU second |")
        L.append("|---|---|---|---|")
        for t, configs in topos:
            for cfg in configs:
                if not cfg.floor:
                    continue
                for load, target in (("udp64", 0.95), ("udp64in", 0.95), ("tcp8", 0.98)):
                    if load not in loads_of(t, args.loads):
                        continue
                    if not cfg.available:
                        L.append(f"| {cfg.label}, {LOADS[load][0]} ≥ {target}x | {TC_NOT_BUILT} | | |")
                        continue
                    r = paired(tput.get((t.name, cfg.key, load), []),
                               tput.get((t.name, cfg.floor, load), []))
                    rc = paired(tput.get((t.name, cfg.key, load + "/cpu"), []),
                                tput.get((t.name, cfg.floor, load + "/cpu"), []))
                    if r:
                        L.append(f"| {cfg.label}, {LOADS[load][0]} ≥ {target}x | {r:.3f}x | "
                                 f"{verdict(r >= target)} | "
                                 f"{rc if rc else float('nan'):.3f}x |")
        L.append("")
    if report is not None:
        L.append(f"### 3. Daemon cost per report (socket mode, max_users = {args.report_max_users}, "
                 f"median of {args.report_repeats})")
        L.append("")
        L.append("| UIDs in the map | report size | first report: wall / CPU | "
                 "later report: wall / CPU | peak RSS during a later report | peak RSS since start | "
                 "RSS idle before | later report: read / format / write | target < 100 ms, < 32 MB |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for n, r in report["sizes"].items():
            ok = r["warm_wall_ms"] < 100 and r["report_hwm_kb"] < 32 * 1024
            L.append(f"| {int(n):,} | {r['report_bytes'] / 1e6:.2f} MB | "
                     f"{r['cold_wall_ms']:.1f} ms / {r['cold_cpu_ms']:.1f} ms | "
                     f"{r['warm_wall_ms']:.1f} ms / {r['warm_cpu_ms']:.1f} ms | "
                     f"{r['report_hwm_kb'] / 1024:.1f} MB | {r['hwm_cold_kb'] / 1024:.1f} MB | "
                     f"{r['rss_idle_kb'] / 1024:.1f} MB | "
                     + (f"{r['read_ms']:.1f} / {r['format_ms']:.1f} / {r['write_ms']:.1f} ms | "
                        if "read_ms" in r else "- | ") +
                     f"{verdict(ok) if int(n) >= 100000 else ''} |")
        L.append("")
        L.append("| max_users | pdtt_counters | all pdtt maps | maps |")
        L.append("|---|---|---|---|")
        for size, maps in report["memory"].items():
            total = sum(maps.values())
            L.append(f"| {int(size):,} | {maps.get('pdtt_counters', 0) / 2**20:.2f} MiB | "
                     f"{total / 2**20:.2f} MiB | " +
                     ", ".join(f"{k} {v:,} B" for k, v in sorted(maps.items())) + " |")
        L.append("")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------

DOC_BEGIN = "<!-- bench/run --update-doc: results begin -->"
DOC_END = "<!-- bench/run --update-doc: results end -->"


def update_doc(path, text):
    with open(path) as f:
        doc = f.read()
    if DOC_BEGIN not in doc or DOC_END not in doc:
        raise Failure(f"{path} has no result markers")
    head, rest = doc.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    with open(path, "w") as f:
        f.write(head + DOC_BEGIN + "\n" + text.replace("## Benchmark results\n", "", 1).strip()
                + "\n" + DOC_END + tail)
    log(f"updated {path}")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdttd", default=os.path.join(TOP, "src", "pdttd"),
                    help="the pdttd to measure (default: src/pdttd of this tree)")
    ap.add_argument("--runs", type=int, default=7, help="alternating runs per configuration (7)")
    ap.add_argument("--seconds", type=float, default=5, help="seconds per throughput run (5)")
    ap.add_argument("--ns-seconds", type=float, default=3, help="seconds per bpf_stats load (3)")
    ap.add_argument("--parts", default="ns,tput,report,history",
                    help="comma-separated subset of ns,tput,report,history (all)")
    ap.add_argument("--loads", default="tcp1,tcp8,udp64,udp64py,tcprr",
                    help="throughput loads (all)")
    ap.add_argument("--ns-loads", default="udp64,tcp1,udp64py,tcprr",
                    help="loads of the per-run part (all of them: udp64,tcp1,udp64py,tcprr)")
    ap.add_argument("--before", metavar="PDTTD",
                    help="also measure this pdttd (another build, e.g. main's) as "
                         "\"before\", in the same runs, alternating with this one")
    ap.add_argument("--no-tc", dest="tc", action="store_false",
                    help="skip the tc-mode rows (veth pair between two namespaces)")
    ap.add_argument("--networks", action="store_true",
                    help="tc mode also with local_networks and with 16 named networks of "
                         "5,000 CIDRs, to compare their cost per packet")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the pieces of pdtt's socket egress and owner send programs "
                         "in the ns part")
    ap.add_argument("--max-background", type=float, default=0.25,
                    help="CPUs of other work above which a throughput sample is taken "
                         "once more (0.25)")
    ap.add_argument("--quick", action="store_true",
                    help="3 runs of 2 s: a smoke test, not numbers to publish")
    ap.add_argument("--update-doc", action="store_true",
                    help="also put the tables in doc/BENCHMARKS.md, between its result markers")
    ap.add_argument("--output", default=os.path.join(HERE, "results", "latest.md"),
                    help="where the markdown goes too (bench/results/latest.md)")
    a = ap.parse_args(argv)
    a.argv = argv
    if a.quick:
        a.runs, a.seconds, a.ns_seconds = 3, 2, 1
    a.parts = set(a.parts.split(","))
    a.loads = a.loads.split(",")
    a.ns_loads = a.ns_loads.split(",")
    a.report_uids = [1000, 10000, 100000]
    a.report_max_users = 131072
    a.report_interval = 2
    a.report_repeats = 1 if a.quick else 3
    a.memory_sizes = [1024, 1048576]
    a.history_uids = 100000
    a.history_size_uids = 10000
    a.owner_floor = False
    return a


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench/run: must run as root (it loads BPF programs and creates namespaces)",
              file=sys.stderr)
        return 77
    if not os.access(args.pdttd, os.X_OK):
        print(f"bench/run: no pdttd at {args.pdttd}: build pdtt first "
              "(./bootstrap && ./configure && make) or pass --pdttd", file=sys.stderr)
        return 1
    args.pdttd = os.path.abspath(args.pdttd)
    PDTTD_PATH[0] = args.pdttd
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    results = {}
    try:
        os.makedirs(WORK)
        CLEANUP.push("work directory", lambda: shutil.rmtree(WORK, ignore_errors=True))
        os.makedirs(PIN_ROOT)
        CLEANUP.push("pin directory", lambda: remove_tree(PIN_ROOT))
        cgroot = cgroup2_root()
        info = machine_info(args, cgroot)
        log("building the helpers and the empty programs")
        build_tools()
        # Owner tracking: if pdtt loads tracing programs, measure them against empty ones.
        probe = PdttSocket(None, args.pdttd)
        probe.key = "pdtt-probe"
        probe.dir = f"{PIN_ROOT}/{probe.key}"
        probe.conf = f"{WORK}/{probe.key}.conf"
        probe.up()
        args.owner_floor = any(h.startswith("owner") for h, _ in probe.programs())
        probe.down()
        topos = topologies(args, cgroot)
        lo = topos[0][0]
        args.pieces = [Piece(lo, cgroot, "bench_owner_only",
                             "owner of the socket only (direct read, as pdtt)"),
                       Piece(lo, cgroot, "bench_owner_helper",
                             "owner of the socket only (bpf_sk_storage_get)"),
                       Piece(lo, cgroot, "bench_update_only",
                             "counter update only (a fixed UID)"),
                       Piece(lo, cgroot, "bench_update_no_headers",
                             "counter update only, no GSO header reads")] if args.profile else []
        if args.profile and args.owner_floor:
            args.pieces += [Piece(lo, cgroot, "bench_owner_uid_only",
                                  "the caller's UID only (current's creds, as pdtt)", "owner send"),
                            Piece(lo, cgroot, "bench_owner_uid_helper",
                                  "the caller's UID only (bpf_get_current_uid_gid)", "owner send"),
                            Piece(lo, cgroot, "bench_owner_storage_only",
                                  "the socket's storage only (a fixed UID)", "owner send")]
        for topo, configs in topos:
            topo.up()
            for cfg in configs:
                if cfg.needs_probe:
                    cfg.probe()
                if isinstance(cfg, PdttTc):
                    log(f"{cfg.key}: {cfg.why_not or cfg.hooks + ' hooks'}")
                elif not cfg.available:
                    log(f"{cfg.key}: left out: {cfg.why_not}")
        at_start = root_cgroup_programs(cgroot)  # nothing of ours is attached yet
        foreign = {p.get("name", "?") for p in at_start}
        ns = part_ns(args, topos, results) if "ns" in args.parts else None
        tput = part_tput(args, topos, results) if "tput" in args.parts else None
        report = part_report(args, topos[0][0], results) if "report" in args.parts else None
        if "history" in args.parts:
            text = history_markdown(args, part_history(args, topos[0][0], results))
            sys.stdout.write(text)
            with open(os.path.join(HERE, "results", "history.md"), "w") as f:
                f.write(text)
            if args.parts == {"history"}:
                return 0
        foreign |= {p.get("name", "?") for p in root_cgroup_programs(cgroot)}
        foreign_n = len(root_cgroup_programs(cgroot))
        info["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
        text = markdown(args, info, topos, ns, tput, report,
                        f"{len(at_start)} at the start, {foreign_n} at the end "
                        f"({', '.join(sorted(foreign)) or 'none'})")
        sys.stdout.write(text)
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w") as f:
            f.write(text)
        results["machine"] = info
        with open(os.path.splitext(args.output)[0] + ".json", "w") as f:
            json.dump(results, f, indent=1, default=str)
        log(f"written to {args.output}")
        if args.update_doc:
            update_doc(os.path.join(TOP, "doc", "BENCHMARKS.md"), text)
        return 0
    except Failure as e:
        log(f"error: {e}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        CLEANUP.run_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
