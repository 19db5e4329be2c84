import Mounts
import Reports

/// Live options against what the administrator declared: what will be mounted after the next
/// boot or automount differs from what the kernel is doing now.
public enum Drift {
    /// The options compared, with how each reads for people.
    static let compared: [(name: String, value: @Sendable (NFSMountOptions) -> String, needsRemount: Bool)] = [
        ("vers", { $0.version ?? "negotiated" }, true),
        ("lookupcache", { $0.lookupcache.rawValue }, true),
        ("acregmin", { String($0.acregmin) }, true),
        ("acregmax", { String($0.acregmax) }, true),
        ("acdirmin", { String($0.acdirmin) }, true),
        ("acdirmax", { String($0.acdirmax) }, true),
        ("cto", { $0.cto ? "cto" : "nocto" }, true),
        ("recovery", { $0.recovery.rawValue }, false),
        ("lock", { $0.lock ? "lock" : "nolock" }, true),
        ("sync", { $0.sync ? "sync" : "async" }, false),
        ("proto", { $0.proto }, true),
    ]

    public static func findings(mountPoint: String, live: NFSMountOptions, declared: [DeclaredMount]) -> [Finding] {
        guard !declared.isEmpty else {
            return [
                Finding(
                    .info, "declared", subject: mountPoint,
                    "not declared in /etc/fstab, a systemd .mount unit or an autofs map: mounted by hand, it will "
                    + "not come back after a reboot",
                    fix: "declare it in /etc/fstab or a .mount unit with the options you want")
            ]
        }
        var out: [Finding] = []
        if declared.count > 1 {
            out.append(
                Finding(
                    .warn, "declared", subject: mountPoint,
                    "declared in \(declared.count) places (\(declared.map(where_).joined(separator: ", "))): "
                        + "which one wins depends on boot order",
                    fix: "keep one declaration"))
        }
        for declaration in declared {
            let wanted = NFSMountOptions(parsing: declaration.options, fsType: declaration.fsType)
            for option in compared {
                let mentioned = wanted.explicit.contains { Drift.declares($0, option.name) }
                guard mentioned else { continue }  // a default the admin did not state is no drift
                let (w, l) = (option.value(wanted), option.value(live))
                guard !sameValue(option.name, declared: w, live: l) else { continue }
                let how =
                    option.needsRemount
                    ? "\(restartHint(declaration, mountPoint)); a remount cannot change \(option.name)"
                    : restartHint(declaration, mountPoint)
                out.append(
                    Finding(
                        .warn, "drift", subject: mountPoint, option: option.name, value: l,
                        "\(where_(declaration)) declares \(option.name)=\(w), the live mount has \(option.name)=\(l)",
                        fix: how))
            }
        }
        return out
    }

    /// Whether an option written in the declaration sets `compared` option `name`.
    static func declares(_ written: String, _ name: String) -> Bool {
        switch name {
        case "vers": ["vers", "nfsvers", "v3", "v4"].contains(written)
        case "acregmin", "acregmax", "acdirmin", "acdirmax":
            written == name || written == "actimeo" || written == "noac"
        case "cto": written == "cto" || written == "nocto"
        case "recovery": ["hard", "soft", "softerr"].contains(written)
        case "lock": written == "lock" || written == "nolock"
        case "sync": ["sync", "async", "noac"].contains(written)
        case "proto": ["proto", "tcp", "udp", "rdma"].contains(written)
        default: written == name
        }
    }

    /// "4" declared and "4.2" negotiated agree.
    static func sameValue(_ name: String, declared: String, live: String) -> Bool {
        if name == "vers" {
            return live == declared || live.hasPrefix(declared + ".") || (declared == "4" && live == "4.0")
        }
        return declared == live
    }

    static func where_(_ d: DeclaredMount) -> String {
        d.line.map { "\(d.file):\($0)" } ?? d.file
    }

    static func restartHint(_ d: DeclaredMount, _ mountPoint: String) -> String {
        switch d.origin {
        case .fstab: "umount \(mountPoint) && mount \(mountPoint)"
        case .systemd: "systemctl restart \(d.file.split(separator: "/").last.map(String.init) ?? "the .mount unit")"
        case .autofs: "let autofs expire it (or umount \(mountPoint)); the next access mounts it anew"
        }
    }
}
