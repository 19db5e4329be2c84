extension Duration {
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    /// Seconds as a Double, the unit of every JSON field.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
