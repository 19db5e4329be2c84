import Glibc
import Reports
import ServerView

/// Removing what the probe made, and only that.
enum ProbeCleanup {
    /// An entry's attributes; READDIRPLUS may leave them out (servers do under load), so they are
    /// then fetched with GETATTR: a decision to remove is never made on missing attributes.
    static func attributes(_ entry: NFSDirectoryEntry, in dir: String, _ server: ServerView) async -> NFSAttributes? {
        if entry.attributes.type != .unknown { return entry.attributes }
        // nil: unknown type, which the callers leave in place.
        return try? await server.stat(dir + "/" + entry.name)
    }

    /// Removes a run directory made by this process (layout: `ProbeRun`): its group directories, their
    /// trial directories and the trial files in them, whose names this process chose. Anything else
    /// found inside is left, with a warning.
    /// Returns how many files and directories it removed.
    @discardableResult
    static func removeRun(_ server: ServerView, _ run: String, findings: inout [Finding]) async -> Int {
        var removed = 0
        // Counts what went; what could not go is reported by the run directory's rmdir.
        func removing(_ call: () async throws -> Void) async { if (try? await call()) != nil { removed += 1 } }
        let entries: [NFSDirectoryEntry]
        do { entries = try await server.readdir(run) } catch {
            findings.append(
                Finding(
                    .warn, "cleanup", subject: run,
                    "could not remove \(run): \(error.description); the next probe on this node removes it",
                    fix: "check the server: nfskeeper server URL"))
            return 0
        }
        for entry in entries {
            let path = run + "/" + entry.name
            guard ProbeRun.groups.contains(entry.name),
                await attributes(entry, in: run, server)?.type == .directory
            else {
                findings.append(
                    Finding(.warn, "cleanup", subject: run, "\(path) was not made by the probe: left in place"))
                continue
            }
            for trial in (try? await server.readdir(path)) ?? [] {  // nil: the rmdir below reports what is left
                let trialPath = path + "/" + trial.name
                switch await attributes(trial, in: path, server)?.type {
                case .regular: await removing { try await server.unlink(trialPath) }  // an earlier layout's
                case .directory where Int(trial.name) != nil:
                    removed += await removeFiles(server, in: trialPath)
                    await removing { try await server.rmdir(trialPath) }
                default: continue
                }
            }
            await removing { try await server.rmdir(path) }  // a failure: the run's rmdir fails and reports it
        }
        do { try await server.rmdir(run); removed += 1 } catch {
            findings.append(
                Finding(
                    .warn, "cleanup", subject: run,
                    "could not remove \(run): \(error.description); the next probe on this node removes it"))
        }
        return removed
    }

    /// Unlinks the regular files of a trial directory (never a symlink's target, never a directory).
    static func removeFiles(_ server: ServerView, in dir: String) async -> Int {
        var removed = 0
        for file in (try? await server.readdir(dir)) ?? [] {  // nil: the caller's rmdir fails and is reported
            guard await attributes(file, in: dir, server)?.type == .regular else { continue }
            // A file that stays makes the caller's rmdir fail, which is reported.
            if (try? await server.unlink(dir + "/" + file.name)) != nil { removed += 1 }
        }
        return removed
    }

    /// Run directories of this node whose process is gone (a SIGKILL, a crash), owned by `uid`:
    /// `.nfskeeper-probe-NODE-PID-…`. Another node's, or a live process's, are never touched.
    /// Over NFSv4, libnfs 4.0.0 reports root-owned entries as 65534: that counts as root's.
    static func removeLeftovers(
        _ server: ServerView, _ probe: String, node: String, uid: UInt32,
        findings: inout [Finding]
    ) async -> Int {
        var removed = 0
        let entries: [NFSDirectoryEntry]
        do { entries = try await server.readdir(probe) } catch {
            findings.append(
                Finding(
                    .warn, "cleanup", subject: probe,
                    "could not look for leftovers of killed probes: \(error.description)"))
            return 0
        }
        for entry in entries where TemporaryName.isKilledRunsLeftover(entry.name, purpose: "probe", node: node) {
            guard let attributes = await attributes(entry, in: probe, server),
                attributes.type == .directory,
                ownedBy(uid, attributes.uid, await server.url.version)
            else { continue }
            await removeRun(server, probe + "/" + entry.name, findings: &findings)
            removed += 1
        }
        return removed
    }

    static func ownedBy(_ uid: UInt32, _ owner: UInt32, _ version: ServerURL.Version) -> Bool {
        owner == uid || (version == .v4 && uid == 0 && owner == 65534)
    }
}
