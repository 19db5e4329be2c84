import Foundation

/// "This node's mount" where the machine has no kernel NFS client: a bindfs (FUSE) view of an
/// exported directory, with chosen kernel cache timeouts and behaviours. `--server` then points
/// the server view at the export itself.
final class FuseView: @unchecked Sendable {
    let mountPoint: String

    /// `options` go to bindfs -o (e.g. "create-for-user=65534,chown-deny" emulates root squash;
    /// "negative_timeout=2" a kernel that caches misses for 2 s).
    init(of directory: String, options: [String] = [], name: String = "nfskeeper-view-") throws {
        mountPoint = NSTemporaryDirectory() + name + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        var arguments = [directory, mountPoint]
        if !options.isEmpty { arguments = ["-o", options.joined(separator: ",")] + arguments }
        try FuseView.run("/usr/bin/bindfs", arguments)
    }

    /// The bindfs daemon serving this view (it forks away from the process that started it).
    var daemonPID: pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if args.first?.hasSuffix("bindfs") == true && args.contains(mountPoint) { return pid }
        }
        return nil
    }

    func unmount() {
        try? FuseView.run("/bin/fusermount", ["-u", "-z", mountPoint])
        try? FileManager.default.removeItem(atPath: mountPoint)
    }

    struct Failed: Error, CustomStringConvertible { var description: String }

    /// posix_spawn + waitpid: Foundation's Process does not reap a child that daemonizes (bindfs).
    static func run(_ tool: String, _ arguments: [String]) throws {
        let log = NSTemporaryDirectory() + "nfskeeper-fuse-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, tool, &actions, nil, argv, environ) == 0 else {
            throw Failed(description: "cannot run \(tool)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failed(description: "\(tool) \(arguments.joined(separator: " ")): exit status \(status): \(text)")
        }
    }
}
