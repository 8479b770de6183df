#!/usr/bin/python3
"""Console benchmarks (make bench): drover runs on a pseudo-terminal of
120x40 against a generated inventory of 1,000 clusters and 10,000 nodes.

 1. startup: time from exec to the first complete frame (the status line is
    drawn last), and the process's peak RSS, beside the targets (100 ms,
    30 MB) and the floor: the same files read whole without parsing by
    tests/bench/bench_readfloor, timed from exec to exit; `drover list
    clusters` on the same inventory;
 2. incremental update: bytes written to the terminal when one node's
    progress changes (the state file is rewritten; a read-only drover's
    engine watches the files and reports the change as an event);
 3. idle: CPU time the process uses over 30 s with nothing happening.

Figures are printed, not asserted: timing belongs in benchmarks, not tests.
"""
import fcntl
import os
import pty
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

CLUSTERS = int(os.environ.get("BENCH_CLUSTERS", "1000"))
NODES_PER = int(os.environ.get("BENCH_NODES_PER_CLUSTER", "10"))
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET_MS, TARGET_MB = 100, 30  # issue 15, point 5: 1,000 clusters, 10,000 nodes
# BENCH_RT=1: the start-up runs (drover, the floors) at real-time priority
# (chrt -f 10; root or CAP_SYS_NICE), so that on a machine others keep busy
# they get the cores as on a quiet one. Said in the output; off by default.
RT = ["chrt", "-f", "10"] if os.environ.get("BENCH_RT") == "1" else []
ROWS, COLS = 40, 120
FRAME_END = b"? hel"  # the status line's last hint, drawn last in a frame (the last cell
# of the screen comes after an autowrap escape, so the final "p" is not matched)

NODE = """    {{ name = "{name}"; pool = "worker"; roles = [ "etcd", "control-plane", "worker" ];
      state = "{state}"; step = "{state}"; percent = {pct}; attempts = 1;
      vm = "vm-{vm}"; ip = "10.{a}.{b}.{c}"; host_key = "SHA256:abc";
      error = ""; created = 1700000000L; updated = 1700000300L; }}"""


def node_text(i, k, pct):
    state = "active" if pct == 100 else "bootstrapping"
    vm = i * NODES_PER + k
    return NODE.format(name="n%02d" % k, state=state, pct=pct, vm=vm, a=i // 250,
                       b=i % 250, c=k + 10)


def state_text(i, first_pct):
    nodes = [node_text(i, k, first_pct if k == 0 else 100) for k in range(NODES_PER)]
    return "nodes = (\n" + ",\n".join(nodes) + "\n);\n"


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def make_inventory(top):
    cfg, st = os.path.join(top, "config"), os.path.join(top, "state")
    for d in ("templates", "clusters"):
        os.makedirs(os.path.join(cfg, d))
    os.makedirs(os.path.join(st, "clusters"))
    with open(os.path.join(cfg, "vcenters.cfg"), "w") as f:
        f.write('vcenters = ( { name = "lab"; url = "https://127.0.0.1:1/sdk"; '
                'user = "bench"; password_env = "DROVER_BENCH_NOPASS"; insecure = true; } );\n')
    os.chmod(os.path.join(cfg, "vcenters.cfg"), 0o600)
    with open(os.path.join(cfg, "templates", "w.cfg"), "w") as f:
        f.write('vcenter = "lab"; datacenter = "DC0"; cluster = "C0"; datastore = "DS0";\n'
                'networks = [ "VM Network" ]; clone_from = "ubuntu"; cpus = 2; memory_mib = 4096;\n')
    for i in range(CLUSTERS):
        name = "c%04d" % i
        with open(os.path.join(cfg, "clusters", name + ".cfg"), "w") as f:
            f.write('distribution = "k3s"; vcenter = "lab";\n'
                    'pools = ( { name = "worker"; template = "w"; quantity = %d; '
                    'roles = [ "etcd", "control-plane", "worker" ]; hostname_prefix = "n"; } );\n' % NODES_PER)
        write_atomic(os.path.join(st, "clusters", name + ".state"), state_text(i, 40))
    return cfg, st


def mark(ok):
    return "ok" if ok else "MISSED"


def floor_ms(cfg, st, libconfig=False):
    """Best exec-to-exit time of bench_readfloor over the files the store
    loads (with libconfig: each also parsed by libconfig alone, on one
    thread), and what it read; None when it is not built."""
    prog = os.environ.get("BENCH_READFLOOR", "")
    if not os.access(prog, os.X_OK):
        print("bench: %s is not built: no floor" % (prog or "bench_readfloor"))
        return None
    args = [prog] + (["--libconfig"] if libconfig else []) + [
        os.path.join(cfg, "drover.cfg"), os.path.join(cfg, "vcenters.cfg"),
        os.path.join(cfg, "templates"), os.path.join(cfg, "clusters"),
        os.path.join(st, "clusters")]
    best, what = None, ""
    for _ in range(RUNS):
        t = time.monotonic()
        what = subprocess.run(RT + args, stdout=subprocess.PIPE, check=True,
                              text=True).stdout.strip()
        t = (time.monotonic() - t) * 1000
        best = t if best is None else min(best, t)
    return best, what


LIVE = []  # consoles not yet waited for, killed if the benchmark fails


class Console:
    def __init__(self, drover, cfg, st, extra=(), rt=()):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm-256color", LANG="C.UTF-8")
            os.environ.pop("LC_ALL", None)
            argv = [*rt, drover, "--config-dir", cfg, "--state-dir", st, *extra]
            os.execvp(argv[0], argv)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.start = time.monotonic()
        self.out = b""
        LIVE.append(self)

    def read_until(self, marker, timeout):
        end = time.monotonic() + timeout
        while marker not in self.out:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no %r within %ss" % (marker, timeout))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.out += os.read(self.fd, 65536)
        return time.monotonic()

    def read_quiet(self, quiet, first_timeout):
        """Bytes until nothing more comes for `quiet` seconds (after the first)."""
        got = b""
        end = time.monotonic() + first_timeout
        while True:
            wait = quiet if got else end - time.monotonic()
            if wait <= 0:
                return got
            r, _, _ = select.select([self.fd], [], [], wait)
            if not r:
                return got
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return got
            got += chunk
            self.out += chunk

    def peak_rss_kib(self):
        """The process's peak RSS so far (VmHWM), in KiB."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def send(self, data):
        os.write(self.fd, data)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quit(self):
        self.send(b":q\r")
        _, status, usage = os.wait4(self.pid, 0)
        LIVE.remove(self)
        os.close(self.fd)
        return status, usage.ru_maxrss  # KiB


def main():
    drover = os.environ.get("DROVER") or os.path.join(os.environ.get("top_builddir", "."), "drover")
    if not os.access(drover, os.X_OK):
        print("bench: %s is not built" % drover)
        return 1
    top = tempfile.mkdtemp(prefix="drover-bench-tui.")
    try:
        t0 = time.monotonic()
        cfg, st = make_inventory(top)
        print("inventory: %d clusters, %d nodes (generated in %.1f s); %s; load average %s%s"
              % (CLUSTERS, CLUSTERS * NODES_PER, time.monotonic() - t0, sys.executable,
                 " ".join("%.2f" % x for x in os.getloadavg()),
                 "; start-up runs at real-time priority (BENCH_RT=1)" if RT else ""))

        # 1. Startup to first frame and peak RSS, beside the floor: the
        # same files read whole without parsing by a small C program, timed
        # the same way (exec to exit). Best of RUNS for times.
        times, rss, frame_rss = [], 0, 0
        for _ in range(RUNS):
            c = Console(drover, cfg, st, rt=RT)
            t = c.read_until(FRAME_END, 60) - c.start
            frame_rss = max(frame_rss, c.peak_rss_kib())
            c.read_quiet(0.2, 0.2)
            status, maxrss = c.quit()
            times.append(t)
            rss = max(rss, maxrss)
        floor = floor_ms(cfg, st)
        parse_floor = floor_ms(cfg, st, libconfig=True)
        base, base_cpu = [], []
        for _ in range(RUNS):
            t = time.monotonic()
            p = subprocess.Popen(RT + [drover, "--config-dir", cfg, "--state-dir", st, "list",
                                  "clusters"], stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            base.append(time.monotonic() - t)
            base_cpu.append(usage.ru_utime + usage.ru_stime)
            if status != 0:
                raise RuntimeError("drover list clusters failed: status %d" % status)
        first, listed = min(times) * 1000, min(base) * 1000
        print("startup to first frame: %.1f ms (target: under %d ms: %s; best of %d: %s ms)"
              % (first, TARGET_MS, mark(first < TARGET_MS), RUNS,
                 ", ".join("%.1f" % (x * 1000) for x in times)))
        if floor:
            print("floor, the same files read without parsing (%s): %.1f ms (best of %d)"
                  % (floor[1], floor[0], RUNS))
            print("first frame / floor: %.1fx" % (first / floor[0]))
        if parse_floor:
            print("the same files parsed by libconfig alone on one thread, no checks (%s): "
                  "%.1f ms (best of %d)" % (parse_floor[1], parse_floor[0], RUNS))
        print("`drover list clusters` on it: %.1f ms (best of %d)%s; CPU time %.1f ms "
              "(all threads; the store parses on one thread per CPU)"
              % (listed, RUNS, ", %.1fx the floor" % (listed / floor[0]) if floor else "",
                 min(base_cpu) * 1000))
        print("RSS when the first frame arrives (the engine starts right after it): "
              "%.1f MiB = %.1f MB (target: under %d MB: %s)"
              % (frame_rss / 1024, frame_rss * 1024 / 1e6, TARGET_MB,
                 mark(frame_rss * 1024 / 1e6 < TARGET_MB)))
        print("peak RSS over the run (the engine starts after the first frame): "
              "%.1f MiB = %.1f MB (%s)" % (rss / 1024, rss * 1024 / 1e6,
                                           mark(rss * 1024 / 1e6 < TARGET_MB)))
        print("  (MISSED marks a target not met; run on a quiet machine: the load average above)")

        # 2. One node's progress changes: bytes to the terminal.
        c = Console(drover, cfg, st, ["--read-only"])
        c.read_until(FRAME_END, 60)
        c.send(b"3")  # the nodes screen; c0000's n00 is the first row
        c.read_quiet(0.5, 5)
        c.read_quiet(2.5, 2.5)  # let the first file-watch pass settle
        write_atomic(os.path.join(st, "clusters", "c0000.state"), state_text(0, 41))
        update = c.read_quiet(0.5, 10)
        c.quit()
        print("one node's progress 40%% -> 41%%: %d bytes written to the terminal" % len(update))
        write_atomic(os.path.join(st, "clusters", "c0000.state"), state_text(0, 40))

        # 3. Idle CPU over 30 s, in the default mode and read-only.
        for label, extra in (("default", []), ("--read-only", ["--read-only"])):
            c = Console(drover, cfg, st, extra)
            c.read_until(FRAME_END, 60)
            c.read_quiet(1.0, 1.0)
            before = c.cpu_seconds()
            c.read_quiet(IDLE_SECONDS, IDLE_SECONDS)
            used = c.cpu_seconds() - before
            c.quit()
            print("idle CPU over %.0f s (%s): %.2f s" % (IDLE_SECONDS, label, used))
    finally:
        for c in list(LIVE):
            os.kill(c.pid, signal.SIGKILL)
            os.waitpid(c.pid, 0)
        shutil.rmtree(top, ignore_errors=True)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
