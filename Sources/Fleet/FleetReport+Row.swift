import FoundationEssentials
import Reports

extension FleetReport.Row {
    /// A node's row, judged against the usual values of the fresh nodes.
    init(
        _ r: NodeReport, now: Date, staleAfter: Double, usualOptions: String?, usualHash: [String: String],
        usualKeyID: String?
    ) {
        let age = now.timeIntervalSince(r.time)
        let keyDiffers = !usualHash.isEmpty && (r.configKeyID ?? "") != (usualKeyID ?? "")
        self.init(
            node: r.node, ageSeconds: age, stale: age > staleAfter, future: age < -FleetReport.futureTolerance,
            options: r.mount?.cacheKey, optionsDiffer: r.mount.map { $0.cacheKey != usualOptions } ?? false,
            scratchDirectoryOK: r.scratchDirectoryOK, clockOffsetSeconds: r.clockOffsetSeconds,
            negativeLookupP95Seconds: r.negativeLookupP95Seconds,
            // A node that publishes product summaries is compared setting by setting (product-config, which
            // lets www-port and the like differ); whole-file fingerprints are for nodes without them.
            configDiffers: keyDiffers || r.products?.isEmpty == false
                ? []
                : usualHash.keys.sorted().filter {
                    (r.configHashes[$0] ?? FleetReport.absent) != usualHash[$0]
                },
            configKeyDiffers: keyDiffers, launcher: r.launcherAddress.map { "\($0):\(r.launcherPort ?? 5559)" })
    }

    /// What this row says is wrong with its node.
    /// Long: one comparison per published field, each against the majority.
    func findings(_ r: NodeReport) -> [Finding] {
        var out: [Finding] = []
        if stale {
            out.append(
                Finding(
                    .warn, "stale", subject: node,
                    "\(node) last reported \(FleetReport.age(ageSeconds)) ago: "
                        + "its audit timer stopped, or the node is down"
                ))
        }
        if future {
            out.append(
                Finding(
                    .warn, "future-report", subject: node,
                    "\(node)'s report is dated \(FleetReport.age(-ageSeconds)) ahead of this node's clock: not counted",
                    fix: "synchronise clocks (chrony/NTP); if \(node) did not write it, remove it from the share"))
        }
        if optionsDiffer, let mine = options, !stale, !future {
            out.append(
                Finding(
                    .warn, "option-drift", subject: node, "\(node) mounts with \(mine), unlike most nodes",
                    fix: "nfskeeper advise on \(node); the same options on every node"))
        }
        if configKeyDiffers {
            out.append(
                Finding(
                    .warn, "config-key", subject: node,
                    "\(node) fingerprints its configuration with another key than most nodes: "
                        + "its secure-cookie-key (or fingerprint_key_file) differs",
                    fix:
                        "Workbench needs the same /etc/rstudio/secure-cookie-key on every node: "
                        + "copy it from a good node"
                ))
        }
        if !configDiffers.isEmpty {
            out.append(
                Finding(
                    .warn, "config-drift", subject: node,
                    "\(node) has a different \(configDiffers.joined(separator: ", ")) than most nodes",
                    fix: "the guides require the same configuration on every node: copy it from a good node"))
        }
        if let offset = clockOffsetSeconds, offset.isFinite, abs(offset) >= 1 {
            out.append(
                Finding(
                    abs(offset) >= 30 ? .crit : .warn, "clock", subject: node,
                    "\(node)'s clock is \(formatSeconds(offset)) off the NFS server's",
                    fix: "synchronise clocks (chrony/NTP)"))
        }
        if scratchDirectoryOK == false {
            out.append(
                Finding(
                    .crit, "scratch-directory", subject: node, "\(node) reports the scratch directory wrong",
                    fix: "nfskeeper provision on \(node)"))
        }
        return out
    }
}
