extension Duration {
    /// The duration in seconds as a `Double` (attosecond precision lost beyond a double's), as
    /// `Date` arithmetic takes it.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
