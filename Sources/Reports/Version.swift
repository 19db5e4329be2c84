/// nfskeeper's version: the one place it is written. `--version`, node reports and audit JSON print
/// it; scripts/package reads it from the built binary's `--version`.
public let nfskeeperVersion = "0.2.0"
