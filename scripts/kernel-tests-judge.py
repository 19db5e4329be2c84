#!/usr/bin/env python3
"""Judges scripts/kernel-tests' results: what the real Linux client did against what its options predict.
Prints a table of the measured delays and a closing 'N passed, N failed' line; exits 1 on any failure."""
import json, os, sys

results = sys.argv[1]
passed, failed = 0, 0

def load(name):
    path = os.path.join(results, name)
    try:
        with open(path) as f:
            return json.load(f)
    except Exception as e:
        return {"_error": f"{name}: {e}: {open(path).read()[:300] if os.path.exists(path) else 'missing'}"}

def expect(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}")

def scenario(probe, name):
    return next((s for s in probe.get("scenarios", []) if s["scenario"] == name), {})

# name: (window the options allow for a seen-missing name, checks on the measurements)
SETS = {
    "defaults": (30, 60), "pos": (0, 0), "none": (0, 0), "acdir2-4": (2, 4), "actimeo3": (3, 3),
    "noac": (0, 0), "nocto": (30, 60), "v3": (30, 60), "v3-pos": (0, 0),
}
rows = []
for name, window in SETS.items():
    check, probe = load(f"{name}.check.json"), load(f"{name}.probe.json")
    mount = (check.get("mounts") or [{}])[0]
    expect(mount.get("fsType") in ("nfs", "nfs4"), f"{name}: mounted with the real client ({check.get('_error', mount.get('fsType'))})")
    w = mount.get("negativeLookupWindow") or {}
    expect((w.get("minSeconds"), w.get("maxSeconds")) == window, f"{name}: check predicts {window}, got {w}")
    rules = {f["rule"]: f["severity"] for f in mount.get("findings", [])}
    if name == "nocto":
        expect(rules.get("cto") == "warn", f"nocto: check warns about cto ({rules.get('cto')})")
    if name.startswith("v3"):
        expect(rules.get("locking") == "warn", f"{name}: check warns about node-local locks")
    neg, fresh = scenario(probe, "negative-lookup"), scenario(probe, "fresh-name")
    # "At once" means within the probe's own resolution: under TCG, with noac or lookupcache=none,
    # every poll is a synchronous RPC per path component, and a round can take a second.
    resolution = probe.get("resolutionSeconds") or 0.0
    at_once = 1.0 + 2 * resolution
    expect(not probe.get("_error") and neg, f"{name}: probe ran ({probe.get('_error', '')})")
    expect(neg.get("predictedSeconds") == window[1], f"{name}: probe predicts {window[1]} s, got {neg.get('predictedSeconds')}")
    expect(fresh.get("neverVisible") == 0 and (fresh.get("p95Seconds") or 99) < at_once,
           f"{name}: a fresh name is visible at once, within {at_once:.2f} s ({fresh})")
    if window[1] == 0:
        expect(neg.get("neverVisible") == 0 and (neg.get("p95Seconds") or 99) < at_once,
               f"{name}: negative lookup at once, within {at_once:.2f} s ({neg})")
    elif window[1] <= 4:
        expect(neg.get("neverVisible") == 0 and (neg.get("maxSeconds") or 99) <= window[1] + 1.0,
               f"{name}: negative lookup within {window[1]} s + 1 s ({neg})")
    expect(probe.get("cost") is not None, f"{name}: RPC cost counted from mountstats")
    expect(neg.get("neverVisible", 0) == 0 or window[1] > 6, f"{name}: only long windows leave trials unseen")
    def fmt(s, key):
        v = s.get(key)
        return "never" if v is None and s.get("neverVisible") else ("-" if v is None else f"{v:.3f}")
    listing, deletion = scenario(probe, "listing"), scenario(probe, "deletion")
    never = neg.get("neverVisible", 0)
    rows.append((name, mount.get("liveOptions", "").split(",sec=")[0].replace("rw,", "", 1)[:60], window[1],
                 fmt(neg, "medianSeconds"), fmt(neg, "maxSeconds"), f"{never}/{neg.get('samples', 0)}",
                 fmt(fresh, "medianSeconds"), fmt(listing, "medianSeconds"), fmt(deletion, "medianSeconds"),
                 f"{(probe.get('cost') or {}).get('lookup', 0):.1f}", f"{resolution * 1000:.0f} ms"))

p1, p2 = load("provision1.json"), load("provision2.json")
expect(p1.get("rootSquashed") is True, f"provision: root squash seen ({p1.get('_error', p1.get('findings'))})")
expect(p1.get("changed") is True and (p1.get("actions") or [{}])[0].get("route") == "server-view",
       f"provision: created through the server view as the owner ({p1.get('actions')})")
expect(p1.get("kernelView") == {"uid": 1, "gid": 1, "mode": "0755"}, f"provision: the real mount shows daemon's 0755 ({p1.get('kernelView')})")
expect(p2.get("changed") is False, f"provision: the second run changes nothing ({p2.get('actions')})")
chown_rc = open(os.path.join(results, "chown.rc")).read().strip() if os.path.exists(os.path.join(results, "chown.rc")) else "?"
chown_err = open(os.path.join(results, "chown.err")).read() if os.path.exists(os.path.join(results, "chown.err")) else ""
expect(chown_rc != "0" and "not permitted" in chown_err, f"a root chown through the squashed kernel mount is EPERM ({chown_rc}: {chown_err.strip()})")

print("| option set | live options (mountinfo) | allowed | neg. lookup median | max | never/N | fresh name | listing | deletion | LOOKUP/sample | poll period |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(str(c) for c in r) + " |")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
