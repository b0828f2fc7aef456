extension Duration {
    /// The duration in seconds, as observations of type `duration` carry it.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole milliseconds, rounded down (for `poll` timeouts).
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
