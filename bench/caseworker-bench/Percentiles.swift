/// Latency percentiles of a sample, in milliseconds.
struct Percentiles {
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    /// `nil` for an empty sample. Nearest-rank percentiles.
    init?(nanoseconds sample: [UInt64]) {
        guard !sample.isEmpty else { return nil }
        let sorted = sample.sorted()
        func rank(_ p: Double) -> Double {
            let index = Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[index]) / 1e6
        }
        (p50, p90, p99, max) = (rank(0.50), rank(0.90), rank(0.99), Double(sorted.last!) / 1e6)
    }

    var text: String { String(format: "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", p50, p90, p99, max) }
}
