import Foundation
import Glibc
import KernelView
import ServerView

/// Everything one probe run shares between its trials.
struct ProbeContext: Sendable {
    let server: ServerView
    let kernel: KernelView
    let poller: KernelPoller
    let kernelDir: String   // the run's directory as this node sees it
    let serverDir: String   // the same directory inside the export
    let maxWait: Duration
    let namePrefix: String  // node-pid: unique per node and process

    /// Waits until `check` holds on this node's mount, or `maxWait` passes, or the task is cancelled.
    /// Returns the instant the poller saw it.
    func awaitVisible(_ check: @escaping @Sendable () -> Bool) async -> ContinuousClock.Instant? {
        let box = OnceBox()
        let id = poller.watch(check) { at in box.set(at) }
        let deadline = ContinuousClock.now.advanced(by: maxWait)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if let at = box.get() { return at }
            try? await Task.sleep(for: .milliseconds(5))
        }
        poller.cancel(id)
        return box.get()
    }
}

final class OnceBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ContinuousClock.Instant?
    func set(_ v: ContinuousClock.Instant) { lock.lock(); if value == nil { value = v }; lock.unlock() }
    func get() -> ContinuousClock.Instant? { lock.lock(); defer { lock.unlock() }; return value }
}

/// The outcome of one trial.
enum TrialOutcome: Sendable {
    case visible(Duration)
    case neverVisible
    case failed(String)
    case hung
}

extension Scenario {
    /// One trial: prepare this node's cache, change the server, time until this node sees it.
    func trial(_ index: Int, _ c: ProbeContext) async -> TrialOutcome {
        let name = "\(c.namePrefix)-\(rawValue)-\(index)"
        let kernelPath = "\(c.kernelDir)/\(rawValue)/\(name)"
        let kernelDir = "\(c.kernelDir)/\(rawValue)"
        let serverPath = "\(c.serverDir)/\(rawValue)/\(name)"
        let exists: @Sendable () -> Bool = { var st = stat(); return lstat(kernelPath, &st) == 0 }
        do {
            switch self {
            case .negativeLookup:
                // Look the name up first: the kernel now holds "no such file" for it.
                switch c.kernel.lstat(kernelPath) {
                case .failure(.noSuchFileOrDirectory): break
                case .timedOut: return .hung
                case .success: return .failed("\(kernelPath) exists before the server made it")
                case .failure(let e): return .failed("lstat \(kernelPath): \(e)")
                }
                try await c.server.createExclusive(serverPath, mode: [.ownerReadWrite])
                return await timed(c, exists)
            case .freshName:
                try await c.server.createExclusive(serverPath, mode: [.ownerReadWrite])
                return await timed(c, exists)
            case .listing:
                try await c.server.createExclusive(serverPath, mode: [.ownerReadWrite])
                return await timed(c) { namesListed(in: kernelDir).contains(name) }
            case .attributeChange:
                try await c.server.createExclusive(serverPath, mode: [.ownerReadWrite])
                try await c.server.write(serverPath, [0x31])
                // Cache the one-byte size on this node first.
                guard await c.awaitVisible({ size(kernelPath) == 1 }) != nil else { return .failed("\(kernelPath) never showed its first byte") }
                try await c.server.append(serverPath, [0x32])
                return await timed(c) { size(kernelPath) == 2 }
            case .deletion:
                try await c.server.createExclusive(serverPath, mode: [.ownerReadWrite])
                guard await c.awaitVisible(exists) != nil else { return .failed("\(kernelPath) never appeared") }
                try await c.server.unlink(serverPath)
                return await timed(c) { var st = stat(); return lstat(kernelPath, &st) != 0 && errno == ENOENT }
            }
        } catch {
            return .failed(error.description)
        }
    }

    /// From now (the server's reply has just arrived) until `check` holds.
    private func timed(_ c: ProbeContext, _ check: @escaping @Sendable () -> Bool) async -> TrialOutcome {
        let start = ContinuousClock.now
        guard let seen = await c.awaitVisible(check) else { return .neverVisible }
        return .visible(seen - start)
    }
}

/// Names in a fresh opendir/readdir of `dir`.
func namesListed(in dir: String) -> Set<String> {
    guard let d = opendir(dir) else { return [] }
    defer { closedir(d) }
    var names: Set<String> = []
    while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        names.insert(name)
    }
    return names
}

func size(_ path: String) -> Int64? {
    var st = stat()
    return lstat(path, &st) == 0 ? Int64(st.st_size) : nil
}
