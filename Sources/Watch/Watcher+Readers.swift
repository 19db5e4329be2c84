import Audit
import Fleet
import FoundationEssentials
import Synchronization
import KernelView
import Mounts
import NFSModel
import Reports

extension Watcher {
    /// Other watchers: directories in `.nfskeeper/watch` with a node's name, opened without following a
    /// symlink. Of the parent only, and only while no canary is awaited: a listing brings the writers'
    /// directories' attributes, which would end the wait it measures (Linux 6.12 on ganesha: 0.09 s
    /// instead of 5.6 s at actimeo=6 for the first canary, before this rule).
    func discoverWriters(_ now: Double) {
        guard let watchDirectory, case .success(let names) = watchDirectory.entryNames() else { return }
        for name in names where writers[name] == nil && name != r.node.rawValue {
            guard WatchSchedule.watcher(name) != nil, case .success(let dir) = watchDirectory.openDirectory(name)
            else { continue }  // not a node's name, or not a directory (a planted symlink fails with ELOOP)
            writers[name] = WriterState(directory: dir, delays: PairDelays(writer: name, reader: r.node.rawValue),
                                        lastSeen: now)
            log("watching \(name)'s canaries")
        }
    }

    /// A writer's next canary: looked up `lead` before it is due (the miss a name's first lookup caches),
    /// then polled by name from when it is due until seen or `maxWait` has passed.
    func step(_ name: String, now: Double, slot: Int64) {
        guard var w = writers[name] else { return }
        defer { writers[name] = w }
        if let (target, watch) = w.awaiting {
            guard now - r.schedule.start(of: target) > r.maxWait.seconds else { return }
            poller.cancel(watch)
            (w.awaiting, w.delays.neverSeen) = (nil, w.delays.neverSeen + 1)
            if now - w.lastSeen > r.staleAge.seconds { removeGone(name, w.directory) }
            return
        }
        let target = slot + 1
        guard now >= r.schedule.start(of: target) - r.schedule.lead, let watchDirectory else { return }
        let canary = WatchSchedule.canaryName(target)
        // Opened afresh, as an application opens a directory: close-to-open fetches its attributes now, so
        // the miss below is cached for the mount's whole window (acdirmin…acdirmax), the worst case.
        switch watchDirectory.openDirectory(name) {
        case .success(let fresh): w.directory = fresh
        case .timedOut: _ = hung("opening \(watchDirectory.path)/\(name)"); return
        case .failure: return  // gone meanwhile; stale removal or the next listing settles it
        }
        switch w.directory.status(of: canary) {
        case .success(nil): break
        case .success: return  // already there (a clock ahead of ours): the next one
        case .timedOut: _ = hung("looking up \(w.directory.path)/\(canary)"); return
        case .failure: return
        }
        let (dir, seen) = (w.directory, MtimeBox())
        let id = poller.watch({
            // A regular file by the canary's name, never followed: its mtime is when the writer made it.
            guard case .success(let st?) = dir.pollStatus(of: canary), !st.isDirectory, !st.isSymlink else {
                return false
            }
            seen.set(st.mtime)
            return true
        }, done: { [weak self] sighting in
            guard let self, let mtime = seen.get() else { return }
            let real = started.real + (sighting.at - started.mono).seconds
            sightings.withLock { $0.append(Sighting(writer: name, slot: target, mtime: mtime, realtime: real)) }
        })
        w.awaiting = (target, id)
    }

    /// The poller's sightings, on the loop's own task: each delay is the sighting's time on the server's
    /// clock minus the canary's mtime.
    func collectSightings() {
        for s in sightings.withLock({ list in defer { list.removeAll() }; return list }) {
            guard var w = writers[s.writer], let awaiting = w.awaiting, awaiting.slot == s.slot else { continue }
            let made = r.schedule.madeTime(ofCanary: s.slot, mtime: s.mtime)
            let delay = s.realtime + offset - made
            if w.delays.seen == 0 { log("\(s.writer) → \(r.node): first canary seen after \(formatSeconds(delay))") }
            w.delays.record(delay, late: made - r.schedule.start(of: s.slot))
            (w.awaiting, w.lastSeen) = (nil, serverNow())
            writers[s.writer] = w
        }
    }

    /// A writer none of whose canaries showed for `staleAge`: gone. Its canaries (regular files with a
    /// canary's name, nothing else) are removed, then its directory if empty; it is watched again if it
    /// comes back.
    func removeGone(_ name: String, _ dir: DirectoryHandle) {
        var removed = 0
        for entry in dir.entryNames().value ?? [] where WatchSchedule.slot(ofCanary: entry) != nil {
            if case .success(let st?) = dir.status(of: entry), !st.isDirectory, !st.isSymlink,
               case .success = dir.removeFile(entry) { removed += 1 }
        }
        _ = watchDirectory?.removeDirectory(name)
        let unseen = formatSeconds(r.staleAge.seconds)
        report.findings.append(Finding(.info, "watch-writer-gone", subject: r.share,
                                       "\(name) made no canary seen here for \(unseen): gone; "
                                       + "its \(removed) canaries removed"))
        log("\(name): gone, \(removed) canaries removed")
        writers[name] = nil
    }

    /// This node's canaries and directory removed (SIGTERM, or the run's end); the textfile's metrics
    /// say the watch is down.
    func finish() {
        for (_, w) in writers { if let (_, id) = w.awaiting { poller.cancel(id) } }
        if own != nil {
            removeOwnCanaries()
            _ = watchDirectory?.removeDirectory(r.node.rawValue)
            if let summaries { WatchSummary.remove(of: r.node.rawValue, from: summaries) }
        }
        writeMetrics(serverNow(), up: false)
    }

    /// What this node saw of every writer, for `fleet` (`WatchSummary`): when something new was seen or
    /// missed, at most once a minute (each write is a few RPCs: at a canary a period, they would double
    /// the watch's cost); skipped while the mount hangs.
    func publishSummary(_ now: Double) {
        let events = writers.values.reduce(0) { $0 + $1.delays.seen + $1.delays.neverSeen }
        guard hungSince == nil, let summaries, events > 0, events != summaryWritten?.events,
              now - (summaryWritten?.at ?? -.infinity) >= Self.summaryInterval else { return }
        let pairs = writers.keys.sorted().map { name in
            let d = writers[name]!.delays
            return WatchSummary.Pair(writer: name, lastSeconds: d.lastSeconds, maxSeconds: d.maxSeconds,
                                     seen: d.seen, neverSeen: d.neverSeen)
        }
        let summary = WatchSummary(reader: r.node.rawValue, time: Date(timeIntervalSince1970: now),
                                   periodSeconds: r.schedule.period.seconds, pairs: pairs)
        switch summary.write(into: summaries) {
        case .success: summaryWritten = (now, events)
        case .timedOut: _ = hung("writing the watch summary")
        case .failure(let e): log("could not write the watch summary: \(e)")
        }
    }

    static let summaryInterval = 60.0

    func readStats() -> MountStats.Device? {
        guard let text = readWholeFile(r.mountStatsPath),
              let mount = MountTable(MountInfo(parsing: readWholeFile(r.mountInfoPath) ?? ""))
                .mount(containing: MountTable.normalize(r.share), device: nil) else { return nil }
        let device = MountStats(parsing: text, onlyMountedOn: mount.mountPoint).device(mountedOn: mount.mountPoint)
        return device?.fsType.hasPrefix("nfs") == true ? device : nil
    }

    /// The textfile for node_exporter, rewritten whole (temporary file and rename) every period.
    func writeMetrics(_ now: Double, up: Bool = true) {
        guard let path = r.textfile else { return }
        var text = PrometheusText(constantLabels: [("share", MountTable.normalize(r.share))])
        text.add("nfskeeper_watch_up", help: "1 while the watch runs and its mount answers",
                 value: up && hungSince == nil ? 1 : 0)
        text.add("nfskeeper_watch_last_period_timestamp_seconds",
                 help: "When this file was last written (server clock)", value: now)
        text.add("nfskeeper_watch_period_seconds", help: "Seconds between two canaries of a node",
                 value: r.schedule.period.seconds)
        if let offset = report.clockOffsetSeconds {
            text.add("nfskeeper_watch_clock_offset_seconds", help: "Server clock minus this node's", value: offset)
        }
        for name in writers.keys.sorted() { writers[name]!.delays.metrics(into: &text) }
        do { try writeAtomically(text.text, to: path) } catch { log("could not write \(path): \(error)") }
    }
}

/// A canary's sighting as the poller made it: the canary's mtime and this node's realtime clock then.
struct Sighting: Sendable {
    var writer: String
    var slot: Int64
    var mtime: Double
    var realtime: Double
}

/// The mtime a poller's check saw, handed to its `done` (the same thread, one after the other).
final class MtimeBox: Sendable {
    private let value = Mutex<Double?>(nil)
    func set(_ v: Double) { value.withLock { $0 = v } }
    func get() -> Double? { value.withLock { $0 } }
}
