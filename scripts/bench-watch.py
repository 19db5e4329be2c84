#!/usr/bin/env python3
"""scripts/bench watch: one real `nfskeeper watch` against N-1 simulated writers on one share.

The writers are this script: at each slot's start (period P, the server's clock: one host here) it makes
every simulated node's canary, as N-1 watchers would, and removes them past the watchers' wait. The reader
is the real binary on a local directory (no kernel NFS client on this host): its CPU time and peak RSS
(getrusage of the child) per period, and its file-system calls per period (strace -c, a separate run: each
is at most one RPC on NFS, fewer when the kernel's caches answer). Prints figures; asserts nothing."""
import json, os, resource, shutil, subprocess, sys, tempfile, threading, time

BIN, PERIOD, DURATION = sys.argv[1], 2.0, 30.0


def writers(share, n, stop):
    dirs = [f"{share}/.nfskeeper/watch/sim-{i}" for i in range(1, n)]
    for d in dirs:
        os.makedirs(d, mode=0o700, exist_ok=True)
    made = []
    slot = int(time.time() // PERIOD)
    while not stop.is_set():
        time.sleep(max(0, (slot + 1) * PERIOD - time.time()))
        slot += 1
        for d in dirs:
            fd = os.open(f"{d}/canary-{slot}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.write(fd, b"x")
            os.close(fd)
        made.append(slot)
        while made and made[0] < slot - 60:
            for d in dirs:
                os.unlink(f"{d}/canary-{made[0]}")
            made.pop(0)


def run(n, prefix=()):
    share = tempfile.mkdtemp(prefix="nfskeeper-bench-watch-")
    stop = threading.Event()
    sim = threading.Thread(target=writers, args=(share, n, stop))
    sim.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*prefix, BIN, "watch", share, "--node-name", "reader", "--period", str(PERIOD),
                          "--duration", str(DURATION), "--json"], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    sim.join()
    shutil.rmtree(share)
    report = json.loads(out.stdout) if out.stdout.startswith("{") else {}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return report, cpu, after.ru_maxrss, out.stderr


def syscalls(n):
    fd, path = tempfile.mkstemp()
    os.close(fd)
    run(n, prefix=("strace", "-f", "-c", "-o", path))
    total = 0
    for line in open(path):
        parts = line.split()
        if len(parts) >= 5 and parts[-1] in ("openat", "newfstatat", "statx", "getdents64", "unlinkat", "renameat",
                                             "mkdirat", "fstat", "fsync", "lstat", "stat"):
            total += int(parts[3])
    os.unlink(path)
    return total


print(f"{'NODES':>6}{'SEEN/PERIOD':>13}{'MEAN DELAY':>14}{'CPU/PERIOD':>12}{'% OF A CORE':>13}"
      f"{'CPU/NODE':>10}{'PEAK RSS':>11}{'FS CALLS/PERIOD':>17}")
for n in (3, 30, 300):
    report, cpu, rss, err = run(n)
    periods = DURATION / PERIOD
    pairs = report.get("pairs", [])
    seen = sum(p["seen"] for p in pairs)
    mean = sum(p["sumSeconds"] for p in pairs) / seen if seen else float("nan")
    calls = syscalls(n) / periods
    print(f"{n:>6}{seen / periods:>13.1f}{mean * 1000:>11.1f} ms{cpu / periods * 1000:>9.1f} ms"
          f"{cpu / DURATION * 100:>12.2f}%{cpu / periods / (n - 1) * 1000:>7.2f} ms{rss // 1024:>8} MiB{calls:>17.0f}")
