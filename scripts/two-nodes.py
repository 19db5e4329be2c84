#!/usr/bin/env python3
"""scripts/two-nodes.py WRITER READER OUT [--trials N] [--interval S] [--max-wait S] [--scenarios a,b]

Two real kernel nodes, as Workbench and Package Manager use a share: node A (the WRITER mount) creates,
renames into place, changes and deletes files; node B (the READER mount: its own superblock and NFS client)
has looked each name up first, then watches it by name with fstatat(2) until it sees the change. Writes a JSON
report of the delays, in the probe's terms (seconds after A's change returned; the lag: how long before the
change B had fetched what it watches; the poll gap), so that scripts/kernel-tests-judge.py can hold the
probe's figures for the same options against them. Runs in the guest of scripts/kernel-tests.

Scenarios: create (a name B looked up and missed), rename (a temporary name renamed onto such a name),
change (a file B has stat'ed grows by a byte), delete (a file B has stat'ed is removed). Every trial has a
directory of its own: on NFSv3 a LOOKUP in a directory refreshes its attributes and would end a neighbour's
wait. Everything is made under one name unique to this host and process, and removed at the end."""
import errno, json, os, socket, statistics, sys, threading, time

SCENARIOS = ("create", "rename", "change", "delete")


def arguments(argv):
    opts = {"trials": 2, "interval": 0.1, "max-wait": 75.0, "scenarios": ",".join(SCENARIOS)}
    rest = []
    while argv:
        a = argv.pop(0)
        if a.startswith("--"):
            opts[a[2:]] = argv.pop(0)
        else:
            rest.append(a)
    if len(rest) != 3:
        sys.exit(__doc__.split("\n")[0])
    return rest, int(opts["trials"]), float(opts["interval"]), float(opts["max-wait"]), opts["scenarios"].split(",")


def exists(path):
    try:
        os.stat(path)
        return True
    except FileNotFoundError:
        return False


def size(name, directory):
    try:
        return os.stat(name, dir_fd=directory, follow_symlinks=False).st_size
    except FileNotFoundError:
        return None


class Trial:
    """One change made through A and watched through B: prepare, prime B, change, poll."""

    def __init__(self, scenario, writer_dir, reader_dir):
        self.scenario, self.w, self.r = scenario, writer_dir, reader_dir
        self.result = {"scenario": scenario}
        self.dir = None

    def prepare(self):
        os.mkdir(self.w, 0o755)
        if self.scenario in ("change", "delete"):
            with open(os.path.join(self.w, "f"), "wb") as f:
                f.write(b"a")
        # B's first sight of the directory (a fresh name: a LOOKUP each time until it is found).
        deadline = time.monotonic() + 30
        while not exists(self.r) and time.monotonic() < deadline:
            time.sleep(0.05)

    def prime(self):
        """B opens the directory (its attributes are fetched now) and looks the name up in it (missed, or
        found with size 1). B watches through that open directory, as the probe does: a path walked
        from the mount each time also revalidates the parents, whose changes end the wait early."""
        self.dir = os.open(self.r, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        return size("f", self.dir)

    def change(self):
        path = os.path.join(self.w, "f")
        if self.scenario == "create":
            open(path, "xb").close()
        elif self.scenario == "rename":
            open(path + ".tmp", "xb").close()
            os.rename(path + ".tmp", path)
        elif self.scenario == "change":
            with open(path, "ab") as f:
                f.write(b"b")
        else:
            os.unlink(path)

    def seen(self, observed):
        return {"create": observed is not None, "rename": observed is not None,
                "change": observed == 2, "delete": observed is None}[self.scenario]

    def run(self, interval, max_wait):
        try:
            self.prepare()
            cached = time.monotonic()
            primed = self.prime()
            if self.seen(primed):
                self.result["error"] = f"B saw the end state before the change ({primed})"
                return
            self.change()
            done = time.monotonic()
            # As the probe's: from B's fetch to the change's return (a loaded guest's rename takes a second).
            self.result["lagSeconds"] = round(done - cached, 6)
            last, gap = done, 0.0
            while time.monotonic() - done < max_wait:
                observed = size("f", self.dir)
                now = time.monotonic()
                gap, last = max(gap, now - last), now
                if self.seen(observed):
                    self.result.update(delaySeconds=round(now - done, 6), gapSeconds=round(gap, 6))
                    return
                time.sleep(interval)
            self.result.update(delaySeconds=None, gapSeconds=round(gap, 6))
        except OSError as e:
            self.result["error"] = f"{e.filename}: {errno.errorcode.get(e.errno, e.errno)} {e.strerror}"
        finally:
            if self.dir is not None:
                os.close(self.dir)


def summary(trials):
    delays = [t["delaySeconds"] for t in trials if t.get("delaySeconds") is not None]
    out = {"samples": len(trials), "neverVisible": sum(1 for t in trials if "delaySeconds" in t
                                                       and t["delaySeconds"] is None),
           "errors": [t["error"] for t in trials if "error" in t],
           "maxLagSeconds": max((t.get("lagSeconds", 0) for t in trials), default=0),
           "maxPollGapSeconds": max((t.get("gapSeconds", 0) for t in trials), default=0)}
    if delays:
        out.update(minSeconds=min(delays), medianSeconds=statistics.median(delays), maxSeconds=max(delays))
    return out


def main():
    (writer, reader, out), count, interval, max_wait, scenarios = arguments(sys.argv[1:])
    base = f".nfskeeper-two-nodes-{socket.gethostname()}-{os.getpid()}"
    os.mkdir(os.path.join(writer, base), 0o755)
    trials = [Trial(s, os.path.join(writer, base, f"{s}-{i}"), os.path.join(reader, base, f"{s}-{i}"))
              for s in scenarios for i in range(count)]
    threads = [threading.Thread(target=t.run, args=(interval, max_wait)) for t in trials]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = {"writer": writer, "reader": reader, "intervalSeconds": interval,
              "wallSeconds": round(time.monotonic() - start, 3),
              "scenarios": {s: summary([t.result for t in trials if t.scenario == s]) for s in scenarios}}
    for root, dirs, files in os.walk(os.path.join(writer, base), topdown=False):
        for name in files:
            os.unlink(os.path.join(root, name))
        for name in dirs:
            os.rmdir(os.path.join(root, name))
    os.rmdir(os.path.join(writer, base))
    with open(out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
