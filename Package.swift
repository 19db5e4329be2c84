// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "nfskeeper",
    products: [
        .executable(name: "nfskeeper", targets: ["nfskeeper"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/onevcat/Rainbow", from: "4.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // Debian's libnfs-dev, through pkg-config. Only the module map and the umbrella header.
        .systemLibrary(
            name: "CNFS",
            pkgConfig: "libnfs",
            providers: [.apt(["libnfs-dev"])]
        ),
        // Debian's libyaml-dev (libyaml.a in the release binary): the YAML parser behind the configuration file.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // YAML text to a tree of nodes on libyaml's events: what the configuration needs of YAML, without
        // Foundation (Yams's constructors need full Foundation, and with it ICU's 33 MB of data).
        .target(name: "YAMLCompose", dependencies: ["CYAML"]),
        // The little C that Swift cannot express comfortably: the MOUNT EXPORT call on an explicit
        // port with a deadline, driven by libnfs's raw RPC layer.
        .target(name: "CNFSShim", dependencies: ["CNFS"]),
        // hypot/hypotf defined in the binary, so the static release needs glibc 2.34 at most (RHEL 9).
        .target(name: "CGlibcCompat", linkerSettings: [.linkedLibrary("m")]),
        // What full Foundation gave and FoundationEssentials lacks, small and on glibc: trimming, printf numbers,
        // threads, conditions, a spawned program, UTC text. Nothing here links ICU (issue 28: binary size).
        .target(name: "FoundationGaps", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // The shared model, free of libnfs: server URLs, credentials, attributes, node and temporary
        // names, TCP reachability, durations as seconds. Check and Fleet need only this.
        .target(name: "NFSModel", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        // The server view: one libnfs session, typed operations, errors, timeouts (re-exports NFSModel).
        .target(
            name: "ServerView",
            dependencies: ["FoundationGaps", 
                "CGlibcCompat", "CNFS", "CNFSShim", "NFSModel",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Mount table, effective NFS options, mountstats, fstab/systemd/autofs: pure parsing.
        .target(name: "Mounts",
                dependencies: ["FoundationGaps", "NFSModel", .product(name: "SystemPackage", package: "swift-system")]),
        // This node's kernel mount: every call on a thread with a deadline.
        .target(name: "KernelView",
                dependencies: ["FoundationGaps", "CGlibcCompat", "Mounts", "NFSModel",
                               .product(name: "SystemPackage", package: "swift-system")]),
        // `nfskeeper check`: mount options judged, drift from declarations.
        .target(name: "Check", dependencies: ["FoundationGaps", "Mounts", "KernelView", "NFSModel", "Reports"]),
        // `nfskeeper provision`: the launcher's scratch directory, created right.
        .target(name: "Provisioning",
                dependencies: ["FoundationGaps", "Mounts", "KernelView", "ServerView", "Check", "Reports",
                               "PositConfig"]),
        // `nfskeeper probe`: how long another node's change takes to show here.
        .target(name: "Probe", dependencies: ["Mounts", "KernelView", "ServerView", "Check", "Reports",
                                             .product(name: "SystemPackage", package: "swift-system"),
                                             .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Posit products' configuration files: pure parsers (Workbench's file-locks, …).
        .target(name: "PositConfig"),
        // `nfskeeper ready`: each Posit product's shared-storage and HA requirements on this node.
        .target(name: "Readiness",
                dependencies: ["FoundationGaps", "Check", "KernelView", "Mounts", "NFSModel", "PositConfig",
                               "Reports"]),
        // `nfskeeper watch`: canaries made and awaited by name between every pair of nodes, continuously.
        .target(name: "Watch",
                dependencies: ["FoundationGaps", "Audit", "Fleet", "KernelView", "Mounts", "NFSModel", "Reports"]),
        // `nfskeeper locks`: whether locks on the share hold across nodes, measured.
        .target(name: "Locks",
                dependencies: ["FoundationGaps", "Check", "KernelView", "Mounts", "PositConfig", "Reports",
                               "ServerView", .product(name: "SystemPackage", package: "swift-system")]),
        // `nfskeeper advise`: from findings and measurements to the option set and the steps.
        .target(name: "Advice", dependencies: ["Check", "FoundationGaps", "Mounts", "Reports"]),
        // `nfskeeper audit` and `history`: everything above, for a timer; Prometheus, JSON, history.
        .target(name: "Audit", dependencies: ["Advice", "Check", "KernelView", "Locks", "Mounts", "PositConfig",
                                             "Probe", "Readiness",
                                             "Provisioning",
                                             "ServerSurvey", "ServerView", "Fleet", "Reports", "YAMLCompose"]),
        // `nfskeeper fleet`: node reports through the share, the cluster's table.
        .target(name: "Fleet",
                dependencies: ["FoundationGaps", "Mounts", "KernelView", "NFSModel", "PositConfig", "Reports",
                               .product(name: "SystemPackage", package: "swift-system")]),
        // Each parser of untrusted text as a libFuzzer target (scripts/fuzz) and a crash-corpus replay (tests).
        .target(name: "FuzzTargets", dependencies: ["Mounts", "Audit", "Fleet", "PositConfig"]),
        .executableTarget(name: "nfskeeper-fuzz", dependencies: ["FuzzTargets"]),
        // `nfskeeper server`: what the server view sees of a server and export.
        .target(name: "ServerSurvey", dependencies: ["ServerView", "Reports"]),
        // Text tables, JSON and exit codes shared by every subcommand.
        .target(name: "Reports",
                dependencies: ["FoundationGaps", "Rainbow", .product(name: "SystemPackage", package: "swift-system")]),
        .executableTarget(
            name: "nfskeeper",
            dependencies: [
                "ServerView", "ServerSurvey", "Mounts", "KernelView", "Check", "Provisioning", "Probe", "Advice",
                "Audit", "Fleet", "Locks", "PositConfig", "Readiness", "Reports", "Watch", "CGlibcCompat",
                "FoundationGaps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The figures behind scripts/bench.
        .executableTarget(name: "nfskeeper-bench", dependencies: ["ServerView", "Reports"]),
        .testTarget(
            name: "UnitTests",
            dependencies: ["Mounts", "Check", "KernelView", "ServerView", "Advice", "Provisioning", "Audit", "Probe",
                           "Fleet", "Reports", "FuzzTargets", "PositConfig", "Readiness", "Watch",
                           .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GaneshaTests",
            dependencies: ["ServerView", "ServerSurvey", "Provisioning", "Probe", "Audit", "Fleet", "KernelView",
                           "Locks",
                           "Reports", "Check", "Mounts"]),
    ]
)

// Members of a module only where it is imported: otherwise full Foundation's String(format:) and
// replacingOccurrences leak in through a dependency that imports it, and ICU's data with them.
for target in package.targets where [.regular, .executable].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
