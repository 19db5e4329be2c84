#!/usr/bin/env python3
"""Judges scripts/kernel-tests' results: what the real Linux client did against what its options predict.
Prints a table of the measured delays and a closing 'N passed, N failed' line; exits 1 on any failure."""
import json, os, sys

results = sys.argv[1]
passed, failed = 0, 0

def load(name):
    """A command's --json output; on failure, the error with what the command wrote to stderr (NAME.err)."""
    path = os.path.join(results, name)
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as e:
        err = path[:-len(".json")] + ".err"
        stderr = open(err, errors="replace").read()[-600:] if os.path.exists(err) else "no stderr file"
        return {"_error": f"{name}: {e}: {open(path).read()[:300] if os.path.exists(path) else 'missing'}; "
                          f"stderr: {stderr}"}

def expect(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}")

def scenario(probe, name):
    return next((s for s in probe.get("scenarios", []) if s["scenario"] == name), {})

# name: (negative-lookup window the options allow (acdirmin, acdirmax), first verdict "hides")
SETS = {
    "defaults": ((30, 60), True), "pos": ((0, 0), False), "none": ((0, 0), False), "acdir2-4": ((2, 4), True),
    "actimeo3": ((3, 3), True), "noac": ((0, 0), False), "nocto": ((30, 60), True), "v3": ((30, 60), True),
    "v3-pos": ((0, 0), False),
    "v4-ac6": ((6, 6), True), "v4-ac6-1": ((6, 6), True), "v3-ac6": ((6, 6), True), "v3-ac6-1": ((6, 6), True),
    # knfsd, the kernel's own server, in the guest: the client's options rule there exactly as with ganesha.
    "k-defaults": ((30, 60), True), "k-pos": ((0, 0), False), "k-v4-ac6": ((6, 6), True),
    "k-v3-ac6": ((6, 6), True), "k-noac": ((0, 0), False),
    # The kernel as the other node (a private mount of the export: noac, lookupcache=none, nosharecache), on
    # ganesha's NFSv4-only export and on knfsd, at the defaults.
    "v4only-k": ((30, 60), True), "k-kernel": ((30, 60), True),
}
# The 8-vs-1 pairs: the same options mounted twice; N = 6 for acdirmin/acdirmax and acregmin/acregmax.
PAIRS = {"v4-ac6": "v4-ac6-1", "v3-ac6": "v3-ac6-1"}
N = 6
kernel = open(os.path.join(results, "kernel")).read().strip() if os.path.exists(os.path.join(results, "kernel")) else "?"
rows = []

def lag(s):
    """How long before the server's change this node had fetched what the trial watched: the figure may
    fall short of the window by that much (a loaded guest delays the change RPC)."""
    return s.get("maxLagSeconds") or 0.0

def gap(s):
    """How long before the poll that saw a change it may have shown (a poll waiting on an RPC, a stalled
    guest): the figure may exceed the window by that much."""
    return s.get("maxPollGapSeconds") or 0.0

def near(s, key, target, slack):
    v = s.get(key)
    return v is not None and target - slack - lag(s) <= v <= target + slack + gap(s)

for name, (window, hides) in SETS.items():
    check, probe = load(f"{name}.check.json"), load(f"{name}.probe.json")
    mount = (check.get("mounts") or [{}])[0]
    expect(mount.get("fsType") in ("nfs", "nfs4"), f"{name}: mounted with the real client ({check.get('_error', mount.get('fsType'))})")
    w = mount.get("negativeLookupWindow") or {}
    expect((w.get("minSeconds"), w.get("maxSeconds")) == window, f"{name}: check predicts {window}, got {w}")
    rules = {f["rule"]: f["severity"] for f in mount.get("findings", [])}
    if name == "nocto":
        expect(rules.get("cto") == "warn", f"nocto: check warns about cto ({rules.get('cto')})")
    if name.startswith(("v3", "k-v3")):
        expect(rules.get("locking") == "warn", f"{name}: check warns about node-local locks")
    neg, fresh = scenario(probe, "negative-lookup"), scenario(probe, "fresh-name")
    # "At once" means within the probe's own resolution: under TCG, with noac or lookupcache=none,
    # every poll is a synchronous RPC per path component, and a round can take a second.
    resolution = probe.get("resolutionSeconds") or 0.0
    at_once = 1.0 + 2 * resolution
    rc_file = os.path.join(results, f"{name}.probe.rc")
    rc = open(rc_file).read().strip() if os.path.exists(rc_file) else "?"
    if probe.get("_error"):
        dmesg = open(os.path.join(results, "dmesg"), errors="replace").read() \
            if os.path.exists(os.path.join(results, "dmesg")) else ""
        words = ("oom", "killed", "segfault", "trap")
        probe["_error"] += "; dmesg: " + " | ".join(l for l in dmesg.splitlines() if any(w in l.lower() for w in words))
    expect(not probe.get("_error") and neg, f"{name}: probe ran (exit {rc}; {probe.get('_error', '')})")
    expect(neg.get("predictedSeconds") == window[1], f"{name}: probe predicts {window[1]} s, got {neg.get('predictedSeconds')}")
    expect(fresh.get("neverVisible") == 0 and (fresh.get("p95Seconds") or 99) < at_once + gap(fresh),
           f"{name}: a fresh name is visible at once, within {at_once:.2f} s + poll gap ({fresh})")
    # Measured to completion: every trial seen, none later than the options allow.
    expect(neg.get("neverVisible") == 0 and (neg.get("maxSeconds") or 99) <= window[1] + at_once + gap(neg),
           f"{name}: negative lookup seen within the {window[1]} s the options allow ({neg})")
    if window[1] == 0:
        expect((neg.get("p95Seconds") or 99) < at_once + gap(neg),
               f"{name}: negative lookup at once, within {at_once:.2f} s + poll gap ({neg})")
    else:
        # A quiet directory (its attributes fetched as the trial starts) hides the name for acdirmin:
        # no trial may be cut short by another (NFSv3 LOOKUP replies refresh their directory).
        expect((neg.get("minSeconds") or 0) >= window[0] - 1.0 - lag(neg),
               f"{name}: every negative-lookup trial hides the name for acdirmin {window[0]} s - 1 s - lag ({neg})")
    first = probe.get("firstVerdict") or {}
    # Thirteen probes connect at once through qemu's relays on two emulated CPUs: setup dominates the
    # time here (3-11 s seen; natively about 1 s, asserted in ProbeTests). It must come long before the
    # 30 s the default sets take to measure.
    expect(first.get("hidesNewFile") == hides and (first.get("tookSeconds") or 99) < 20,
           f"{name}: first verdict 'hides' is {hides}, known within 20 s under TCG ({first})")
    expect(probe.get("severity") is not None and "findings" in probe, f"{name}: severity and findings at the top")
    expect(probe.get("cost") is not None, f"{name}: RPC cost counted from mountstats")
    # A trial whose change came over 1 s after this node's fetch is started again, up to 3 times per scenario.
    scenarios = probe.get("scenarios", [])
    expect(all((x.get("maxLagSeconds") or 0) <= 1.0 or x.get("rerunTrials") == 3 for x in scenarios) and scenarios,
           f"{name}: trials whose change came over 1 s late were started again "
           f"({[(x['scenario'], x.get('maxLagSeconds'), x.get('rerunTrials')) for x in scenarios]})")
    # The lag is the harness's (thirteen probes at once on two emulated CPUs): 0.3-1.3 s usually, 3.8 s seen
    # on CI (polled every 100 ms). The window checks above subtract it from a window's lower bound; beyond
    # 3.5 s, with no spare left, such a check no longer measures the cache but the emulator. A window of 0
    # has no lower bound, and there the lag enters no check.
    windowed = [x for x in scenarios if (x.get("predictedSeconds") or 0) > 0]
    worst_lag = max([lag(x) for x in windowed] or [0])
    expect(worst_lag <= 3.5, f"{name}: every change made within 3.5 s of this node's fetch where a window is "
                             f"judged (max lag {worst_lag:.3f} s)")
    def fmt(s, key):
        v = s.get(key)
        return "never" if v is None and s.get("neverVisible") else ("-" if v is None else f"{v:.3f}")
    listing, deletion, attr = scenario(probe, "listing"), scenario(probe, "deletion"), scenario(probe, "attribute-change")
    never = neg.get("neverVisible", 0)
    rows.append((name, mount.get("liveOptions", "").split(",sec=")[0].replace("rw,", "", 1)[:44], window[1],
                 "yes" if first.get("hidesNewFile") else "no", f"{first.get('tookSeconds', 0):.2f}",
                 fmt(neg, "minSeconds"), fmt(neg, "medianSeconds"), fmt(neg, "maxSeconds"), f"{never}/{neg.get('samples', 0)}",
                 fmt(fresh, "medianSeconds"), fmt(listing, "medianSeconds"), fmt(attr, "maxSeconds"), fmt(deletion, "maxSeconds"),
                 f"{(probe.get('cost') or {}).get('lookup', 0):.1f}", f"{resolution * 1000:.0f} ms",
                 f"{max(lag(s) for s in probe.get('scenarios', [{}])) * 1000:.0f} ms",
                 f"{max(gap(s) for s in probe.get('scenarios', [{}])) * 1000:.0f} ms",
                 sum(s.get("rerunTrials") or 0 for s in scenarios)))

for many, one in PAIRS.items():
    pm, po = load(f"{many}.probe.json"), load(f"{one}.probe.json")
    slack = 1.0 + 2 * max(pm.get("resolutionSeconds") or 0, po.get("resolutionSeconds") or 0)
    for sc in ("negative-lookup", "attribute-change", "deletion"):
        a, b = scenario(pm, sc), scenario(po, sc)
        expect(a.get("samples") == 8 and a.get("neverVisible") == 0 and b.get("samples") == 1 and b.get("neverVisible") == 0,
               f"{many}/{one}: {sc} measured to completion ({a}, {b})")
        expect(near(a, "maxSeconds", N, slack),
               f"{many}: {sc} max of 8 concurrent trials within {slack:.2f} s (+ poll gap) of {N} s ({a})")
        expect((a.get("minSeconds") or 0) >= N - slack - lag(a),
               f"{many}: {sc} min of 8 concurrent trials at least {N} s - {slack:.2f} s - lag ({a})")
        expect(near(b, "maxSeconds", N, slack),
               f"{one}: {sc} of 1 trial within {slack:.2f} s (+ poll gap) of {N} s ({b})")
        if a.get("maxSeconds") is not None and b.get("maxSeconds") is not None:
            agree = slack + max(lag(a), lag(b)) + max(gap(a), gap(b))
            expect(abs(a["maxSeconds"] - b["maxSeconds"]) <= agree, f"{many} vs {one}: {sc} 8 and 1 trials agree "
                   f"({a['maxSeconds']:.3f} vs {b['maxSeconds']:.3f})")

def text(name, default="?"):
    path = os.path.join(results, name)
    return open(path, errors="replace").read().strip() if os.path.exists(path) else default

# The kernel as the other node agrees with libnfs on the same server and options (each its own superblock).
for kernel_set, libnfs_set in (("v4only-k", "defaults"), ("k-kernel", "k-defaults")):
    pk, pl = load(f"{kernel_set}.probe.json"), load(f"{libnfs_set}.probe.json")
    expect("private kernel mount" in (pk.get("otherNode") or "") and "noac,lookupcache=none" in pk.get("otherNode", "")
           and "libnfs" in (pl.get("otherNode") or ""),
           f"{kernel_set}: the report names its other node, a private kernel mount ({pk.get('otherNode')}; "
           f"{libnfs_set}: {pl.get('otherNode')})")
    slack = 1.0 + 2 * max(pk.get("resolutionSeconds") or 0, pl.get("resolutionSeconds") or 0)
    for sc in ("negative-lookup", "deletion"):
        a, b = scenario(pk, sc), scenario(pl, sc)
        if a.get("medianSeconds") is None or b.get("medianSeconds") is None:
            expect(False, f"{kernel_set} vs {libnfs_set}: {sc} measured by both ({a}, {b})")
            continue
        bound = slack + max(lag(a), lag(b)) + max(gap(a), gap(b))
        expect(abs(a["medianSeconds"] - b["medianSeconds"]) <= bound,
               f"{kernel_set} vs {libnfs_set}: {sc} median with the kernel as the other node "
               f"{a['medianSeconds']:.3f} s agrees with libnfs's {b['medianSeconds']:.3f} s within {bound:.2f} s")

# Provisioning on the root-squashing exports, ganesha's and knfsd's, twice, and the kernel's own EPERM.
for prefix, server in (("", "ganesha"), ("k-", "knfsd")):
    p1, p2 = load(f"{prefix}provision1.json"), load(f"{prefix}provision2.json")
    expect(p1.get("rootSquashed") is True,
           f"{server} provision: root squash seen ({p1.get('_error', p1.get('findings'))})")
    expect(p1.get("changed") is True and (p1.get("actions") or [{}])[0].get("route") == "server-view",
           f"{server} provision: created through the server view as the owner ({p1.get('actions')})")
    expect(p1.get("kernelView") == {"uid": 1, "gid": 1, "mode": "0755"},
           f"{server} provision: the real mount shows daemon's 0755 ({p1.get('kernelView')})")
    expect(p2.get("changed") is False, f"{server} provision: the second run changes nothing ({p2.get('actions')})")
    chown_rc, chown_err = text(f"{prefix}chown.rc"), text(f"{prefix}chown.err", "")
    expect(chown_rc != "0" and "not permitted" in chown_err,
           f"{server}: a root chown through the squashed kernel mount is EPERM ({chown_rc}: {chown_err})")

# nfskeeper locks: the verdict each mount must get, measured (no verdict comes from the options alone).
LOCKS = {"lk-v42": ("coherent", None), "lk-v40": ("coherent", None), "lk-v3-nlm": ("coherent", None),
         "lk-v3-local": ("local", "local_lock=all"), "lk-v3-nolock": ("local", "nolock")}
lock_rows = []
for name, (verdict, cause) in LOCKS.items():
    report = load(f"{name}.locks.json")
    advisory, link, stale = report.get("advisory") or {}, report.get("linkBased") or {}, report.get("staleness") or {}
    expect(advisory.get("verdict") == verdict, f"{name}: advisory locks {verdict} ({report.get('_error', advisory)})")
    both = verdict == "coherent"
    expect(advisory.get("serverSawNodeLock") is both and advisory.get("nodeSawServerLock") is both,
           f"{name}: both directions {'refused' if both else 'granted'} ({advisory})")
    local = [f for f in report.get("findings", []) if f["rule"] == "locks-local"]
    if cause:
        expect(len(local) == 1 and local[0]["severity"] == "crit" and cause in local[0]["message"],
               f"{name}: a critical locks-local finding naming {cause} ({local})")
    else:
        expect(not local, f"{name}: no locks-local finding ({local})")
    expect(link.get("verdict") == "works" and link.get("linksOnNode") == 2 and link.get("linksOnServer") == 2,
           f"{name}: a link-based lock shows 2 links here and to another node ({link})")
    expect(stale.get("stalenessSource") == "acregmax" and stale.get("attributeStalenessSeconds") == 60
           and any(f["rule"] == "lock-staleness" for f in report.get("findings", [])),
           f"{name}: 20 s refresh + 60 s acregmax reach the 30 s timeout: lock-staleness ({stale})")
    lock_rows.append((name, advisory.get("verdict"), advisory.get("detail", "")[:70], link.get("verdict"),
                      f"{report.get('wallSeconds', 0):.2f} s"))
left = open(os.path.join(results, "locks-left.txt")).read().split() if os.path.exists(os.path.join(results, "locks-left.txt")) else ["?"]
expect(not [n for n in left if n.startswith(".nfskeeper-locks-g_lk") or n == "?"], f"locks: nothing left ({left})")

# NFSv4 id mapping: the kernel's owners beside the server's numeric ones, wrong Domain and right.
def owner_findings(doc):
    return [f for f in doc.get("findings", []) if f["rule"] in ("idmap", "id-mismatch")]
for case, want in (("wrong", True), ("right", False)):
    check = load(f"idmap-{case}.check.json")
    mount = (check.get("mounts") or [{}])[0]
    owners = mount.get("owners") or {}
    # Asked only when this node shows nobody: then the server's numeric owner, 1:1, is read.
    expect(owners.get("server") == ({"uid": 1, "gid": 1} if want else None),
           f"idmap {case}: the server view {'reads' if want else 'is not asked for'} the share's numeric owner "
           f"({owners.get('server')}, {owners.get('serverNote')})")
    shown = owners.get("kernel", {})
    found = owner_findings(check)
    if want:
        expect(shown.get("uid") in (65534, 4294967294) and len(found) == 2
               and all(f["severity"] == "warn" and f["rule"] == "idmap" and "wrong.test" in f["message"] for f in found),
               f"idmap wrong: the kernel shows nobody ({shown}); check warns idmap for owner and group, naming "
               f"the Domain ({found})")
    else:
        expect(shown == {"uid": 1, "gid": 1} and not found,
               f"idmap right: the kernel shows 1:1 ({shown}) and check finds nothing ({found})")
    ready = load(f"idmap-{case}.ready.json")
    found = owner_findings(ready)
    compared = [o for o in ready.get("owners", []) if o.get("path") == f"/mnt/idmap-{case}/shared"]
    expect(len(compared) == 1 and (compared[0].get("server") == {"uid": 0, "gid": 0} if want
                                   else compared[0].get("kernel") == {"uid": 0, "gid": 0}),
           f"idmap {case}: ready {'compares the shared storage owner with the server' if want else 'sees 0:0'} "
           f"({compared})")
    expect(bool(found) == want and all(f["rule"] == "idmap" for f in found),
           f"idmap {case}: ready {'warns' if want else 'does not warn'} idmap ({found})")
    # The probe's own directory, made by the server view as root: nobody here is id mapping.
    probe = load(f"idmap-{case}.probe.json")
    owners, found = probe.get("owners") or {}, owner_findings(probe)
    made = owners.get("path", "").endswith("/first-verdict")
    if want:
        expect(made and owners.get("kernel", {}).get("uid") in (65534, 4294967294)
               and owners.get("server") == {"uid": 0, "gid": 0} and len(found) == 2
               and all(f["severity"] == "warn" and f["rule"] == "idmap" for f in found),
               f"idmap wrong: the probe's directory, made as 0:0, shows nobody; probe warns idmap "
               f"({probe.get('_error', owners)}, {found})")
    else:
        expect(made and owners.get("kernel") == {"uid": 0, "gid": 0} and owners.get("server") is None and not found,
               f"idmap right: the probe's directory shows 0:0, no server session, no finding "
               f"({probe.get('_error', owners)}, {found})")
    acl = [f for f in ready.get("findings", []) if f["rule"] == "wb-project-sharing-acl"]
    expect(len(acl) == 1 and "system.nfs4_acl" in acl[0]["message"],
           f"idmap {case}: ganesha's NFSv4 export keeps no ACLs: wb-project-sharing-acl ({acl})")
acl = [f for f in load("acl-v3.ready.json").get("findings", []) if f["rule"] == "wb-project-sharing-acl"]
expect(not acl, f"NFSv3 with NFSACL keeps POSIX ACLs: no wb-project-sharing-acl ({acl})")
for case, want in (("refused", "failed"), ("written", "ok")):
    ready = load(f"pm-{case}.ready.json")
    trials = [t for p in ready.get("products", []) for t in p.get("writeTrials", [])]
    found = [f for f in ready.get("findings", []) if f["rule"] == "pm-data-dir-write"]
    expect(len(trials) == 1 and trials[0].get("result") == want and bool(found) == (want == "failed")
           and all("rstudio-pm (997:997) cannot create a directory" in f["message"] for f in found),
           f"pm {case}: rstudio-pm's write trial in DataDir through the mount: {want} ({trials}, {found})")
left = open(os.path.join(results, "pm-left.txt")).read().split() if os.path.exists(os.path.join(results, "pm-left.txt")) else ["?"]
expect(not left, f"pm write trial: nothing left in DataDir ({left})")

# Two real nodes (scripts/two-nodes.py): what node B saw of node A's changes, against what the probe (libnfs
# as the other node) measured on a mount with the same options. Each change the probe makes has its
# counterpart: a create and a rename onto a name looked up before (negative lookup), a file growing
# (attribute change), a file removed (deletion).
TWO_NODES = {"2n-defaults": "defaults", "2n-pos": "pos", "2n-v4-ac6": "v4-ac6-1", "2n-v3-ac6": "v3-ac6-1",
             "2n-k-defaults": "k-defaults", "2n-k-pos": "k-pos", "2n-k-v4-ac6": "k-v4-ac6", "2n-k-v3-ac6": "k-v3-ac6"}
COUNTERPART = {"create": "negative-lookup", "rename": "negative-lookup", "change": "attribute-change",
               "delete": "deletion"}
two_node_rows = []
for pair, probe_set in TWO_NODES.items():
    nodes, probe = load(f"{pair}.two-nodes.json"), load(f"{probe_set}.probe.json")
    window, hides = SETS[probe_set]
    resolution = probe.get("resolutionSeconds") or 0.0
    for sc, seen in (nodes.get("scenarios") or {"create": {"_error": nodes.get("_error")}}).items():
        expect(not seen.get("_error") and not seen.get("errors") and seen.get("neverVisible") == 0
               and seen.get("medianSeconds") is not None,
               f"{pair}: node B saw every {sc} of node A ({seen})")
        theirs = scenario(probe, COUNTERPART[sc])
        if seen.get("medianSeconds") is None or theirs.get("medianSeconds") is None:
            continue
        if sc in ("create", "rename") and hides:
            expect(seen["minSeconds"] >= window[0] - 1.0 - lag(seen),
                   f"{pair}: node B misses node A's {sc} for acdirmin {window[0]} s - 1 s - lag ({seen})")
        # Agreement within the two measurements' resolution: 1 s + 2 poll periods, each one's lag and poll gap.
        bound = 1.0 + 2 * resolution + max(lag(seen), lag(theirs)) + max(gap(seen), gap(theirs))
        diff = seen["medianSeconds"] - theirs["medianSeconds"]
        expect(abs(diff) <= bound, f"{pair}: two real nodes' {sc} median {seen['medianSeconds']:.3f} s agrees with "
               f"the probe's {COUNTERPART[sc]} on {probe_set} ({theirs['medianSeconds']:.3f} s) within {bound:.2f} s")
        two_node_rows.append((pair, probe_set, sc, f"{seen['minSeconds']:.3f}", f"{seen['medianSeconds']:.3f}",
                              f"{seen['maxSeconds']:.3f}", COUNTERPART[sc], f"{theirs['medianSeconds']:.3f}",
                              f"{diff:+.3f}", f"{bound:.2f}"))
clients = open(os.path.join(results, "knfsd.clients"), errors="replace").read() \
    if os.path.exists(os.path.join(results, "knfsd.clients")) else ""
# The kernel's owners only ("Linux NFSv4.x HOST"): the probes' libnfs sessions are clients of knfsd too.
owners = {l.split(":", 1)[1].strip() for l in clients.splitlines() if l.startswith('name: "Linux NFSv4')}
expect(len(owners) == 2 and any(o.endswith('-b"') for o in owners),
       f"knfsd saw two kernel NFSv4 client owners, node A's and node B's (HOST-b), not one ({owners})")

# NFSv4-only servers (ganesha's /v4only; knfsd with NFSv3 off), every command: check, the probe with each
# other node, provision (auto: the kernel, for want of NFSv3), locks; nothing left, no mount left behind.
v4only_rows = []
for name, server in (("g-rw", "ganesha v3+v4"), ("g-v4only", "ganesha Protocols = 4"),
                     ("k-v4only", "knfsd, NFSv3 off")):
    v3 = name == "g-rw"
    if name == "k-v4only":
        expect("-3" in text("k-v4only.versions"), f"knfsd serves no NFSv3 ({text('k-v4only.versions')})")
    check = load(f"{name}.check.json")
    mount = (check.get("mounts") or [{}])[0]
    crit = [f for f in check.get("findings", []) + mount.get("findings", []) if f.get("severity") == "crit"]
    expect(mount.get("fsType") == "nfs4" and not crit, f"{name}: check runs, no critical finding "
           f"({check.get('_error', mount.get('fsType'))}, {crit})")
    row = [name, server, check.get("severity", "?")]
    for other in ("libnfs", "kernel"):
        probe = load(f"{name}.{other}.probe.json")
        neg = scenario(probe, "negative-lookup")
        slack = 1.0 + 2 * (probe.get("resolutionSeconds") or 0)
        word = "private kernel mount" if other == "kernel" else "libnfs NFSv4"
        expect(word in (probe.get("otherNode") or ""), f"{name}: probe --other-node {other} names it "
               f"({probe.get('_error', probe.get('otherNode'))})")
        expect(neg.get("neverVisible") == 0 and near(neg, "medianSeconds", 3, slack) and probe.get("severity") != "crit",
               f"{name}: probe with {other} as the other node measures actimeo=3's 3 s ({neg}, {probe.get('findings')})")
        row.append(f"{neg.get('medianSeconds') or 0:.2f} s")
    p1, p2, pl = (load(f"{name}.provision1.json"), load(f"{name}.provision2.json"),
                  load(f"{name}.provision-libnfs.json"))
    crit = [f for f in p1.get("findings", []) if f.get("severity") == "crit"]
    word = "libnfs" if v3 else "private kernel mount"
    expect(p1.get("changed") is True and not crit and word in (p1.get("otherNode") or "")
           and p1.get("rootSquashed") is True,
           f"{name}: provision (auto) takes {word} ({'NFSv3 is there' if v3 else 'for want of NFSv3'}) and makes "
           f"Local ({p1.get('_error', p1.get('otherNode'))}, {crit})")
    expect(text(f"{name}.provision.stat") == "1 1 755", f"{name}: Local is daemon's, 0755, here "
           f"({text(f'{name}.provision.stat')})")
    expect(p2.get("changed") is False and not [f for f in p2.get("findings", []) if f.get("severity") == "crit"],
           f"{name}: provision again changes nothing ({p2.get('actions')}, {p2.get('findings')})")
    said = " ".join(f["message"] for f in pl.get("findings", []) if f.get("severity") == "crit")
    # Without NFSv3, libnfs may still serve (knfsd sends numeric owners) or must say why not (ganesha's).
    expect(pl.get("changed") is True or (not v3 and "NFSv3" in said),
           f"{name}: provision with libnfs works{'' if v3 else ' or says it needs NFSv3'} ({pl.get('_error', said)})")
    row += ["yes" if p1.get("changed") else "no", "works" if pl.get("changed") else said[:60]]
    locks = load(f"{name}.locks.json")
    verdict = (locks.get("advisory") or {}).get("verdict")
    expect(verdict == "coherent", f"{name}: locks coherent over NFSv4 ({locks.get('_error', locks.get('advisory'))})")
    row.append(verdict)
    before, after = text(f"{name}.mounts-before"), text(f"{name}.mounts-after")
    expect(before == after and before != "?", f"{name}: no mount left behind, none shown ({before} vs {after} lines)")
    left = text(f"{name}.left").split()
    expect(not [n for n in left if n.startswith(".nfskeeper-probe")], f"{name}: nothing left in the probe directory "
           f"({left})")
    v4only_rows.append(row)

# nfskeeper watch between two real nodes: each side's canaries seen by the other, by name, through its own
# mount, with the delay the options allow less the lookup's lead (0.5 s before the canary is due).
WATCH = {"2n-pos": (0.0, 1.0, 5), "2n-v4-ac6": (6 - 0.5 - 1.0, 6 + 1.0, 4), "2n-defaults": (30 - 0.5 - 1.5, 60 + 1.5, 1),
         "2n-k-v4-ac6": (6 - 0.5 - 1.0, 6 + 1.0, 4)}
watch_rows = []
for pair, (low, high, least) in WATCH.items():
    for side, other in (("a", f"wb-{pair}"), ("b", f"wa-{pair}")):
        w = load(f"{pair}.watch-{side}.json")
        seen = [p for p in w.get("pairs", []) if p.get("writer") == other]
        p = seen[0] if seen else {}
        crit = [f for f in w.get("findings", []) if f.get("severity") == "crit"]
        expect(len(w.get("pairs", [])) == 1 and p.get("seen", 0) >= least and p.get("neverSeen") == 0 and not crit,
               f"{pair} watch on node {side}: at least {least} of {other}'s canaries seen, none missed "
               f"({w.get('_error', p)}, {crit})")
        # A canary made late (a stalled writer) is seen sooner after it was made by as much: the low bound
        # allows the measured lateness, up to 3.5 s (beyond, the check would measure the emulator).
        late = max(0.0, p.get("maxLateSeconds") or 0.0)
        expect(late <= 3.5, f"{pair} watch on node {side}: {other}'s canaries made within 3.5 s of their slot "
                            f"({p.get('maxLateSeconds')})")
        expect(p.get("minSeconds") is not None and low - late <= p["minSeconds"] and p.get("maxSeconds", 99) <= high,
               f"{pair} watch on node {side}: every delay within {low:.1f} s - lateness {late:.2f} s to {high:.1f} s "
               f"({p.get('minSeconds')}-{p.get('maxSeconds')})")
        if p.get("seen"):
            watch_rows.append((pair, f"{other[:2]} → w{side}", p["seen"], p["neverSeen"], f"{p['minSeconds']:.3f}",
                               f"{p['sumSeconds'] / p['seen']:.3f}", f"{p['maxSeconds']:.3f}",
                               f"{w.get('rpcsPerPeriod') or 0:.1f}", f"{late:.3f}"))
term = load("watch-term.json")
term_ms = int(text("watch-term.ms", "99999") or 99999)
expect(text("watch-term.rc") == "0" and term_ms < 1000 and term.get("canariesWritten", 0) >= 2,
       f"watch: SIGTERM stops it within a second, report printed, exit 0 ({text('watch-term.rc')}, {term_ms} ms, "
       f"{term.get('_error', term.get('canariesWritten'))} canaries)")
expect(text("watch-term.before").startswith("canary-") and "wterm" not in text("watch-term.after").split(),
       f"watch: its canaries were there and are gone after SIGTERM ({text('watch-term.before')[:40]}; "
       f"after: {text('watch-term.after')})")

print(f"Linux {kernel}")
print("| option set | live options (mountinfo) | allowed | first verdict: hides | known after | neg. lookup min | median | max "
      "| never/N | fresh name | listing | attr. change max | deletion max | LOOKUP/sample | poll period | max lag "
      "| max poll gap | started again |")
print("|" + "---|" * 18)
for r in rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print("| lock mount | advisory | what was seen | link-based | wall |")
print("|" + "---|" * 5)
for r in lock_rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print("| two nodes | probe set | change | node B min | median | max | probe scenario | probe median | difference "
      "| bound |")
print("|" + "---|" * 10)
for r in two_node_rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print("| export | server | check | probe, libnfs | probe, kernel | provision (auto) | provision, libnfs | locks |")
print("|" + "---|" * 8)
for r in v4only_rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print("| watch | writer → reader | seen | never | min | mean | max | RPCs/period | made late |")
print("|" + "---|" * 9)
for r in watch_rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print(f"Linux {kernel}: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
