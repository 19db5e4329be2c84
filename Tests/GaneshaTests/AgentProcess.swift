import Foundation
import Glibc

/// The nfskeeper binary run as a separate process (its own PID, as on another node or in a later
/// run), with posix_spawn and waitpid: once `wait()` returns, the PID is gone (no zombie that
/// `kill(pid, 0)` would still find alive, as Foundation's Process can leave behind).
final class AgentProcess: Sendable {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/nfskeeper").standardized.path
    let pid: pid_t
    let output: String

    /// `errorsToo`: standard error goes to the same file as standard output (usage errors).
    /// `environment`: variables set for the child on top of this process's (`COLUMNS=80`).
    init(_ arguments: [String], errorsToo: Bool = false, environment: [String: String] = [:]) throws {
        output = NSTemporaryDirectory() + "nfskeeper-agent-\(UUID().uuidString).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if errorsToo {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([Self.binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let inherited = ProcessInfo.processInfo.environment.filter { environment[$0.key] == nil }
        let envp = inherited.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        guard posix_spawn(&pid, Self.binary, &actions, nil, argv, envp) == 0 else { throw POSIXError(.ENOEXEC) }
        self.pid = pid
    }

    /// Waits for the exit; returns the exit code, or 128 + the signal that ended it.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// As `wait()`, for async tests: waitpid blocks a thread of its own, not one of the concurrency pool's
    /// (two on two cores; one blocked for seconds stalled another suite's probe past its 10 s bound).
    func exited() async -> Int32 {
        await withCheckedContinuation { done in Thread.detachNewThread { done.resume(returning: self.wait()) } }
    }

    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    deinit { try? FileManager.default.removeItem(atPath: output) }
}
