import Foundation

/// Durations as operators write them in the configuration and on the command line: a number
/// with a unit, `500ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of seconds (`30`, `0.5`).
public enum DurationText {
    private static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]

    /// The duration `text` names; `nil` when malformed or negative.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var scale = 1.0
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number),
            value.isFinite, value >= 0, value * scale < 1e12
        else { return nil }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// The shortest text `parse` reads back as `duration`: `0s`, `5s`, `5m`, `2h`, `1d`, `1500ms`.
    public static func format(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for unit in units.reversed() where unit.suffix != "ms" {
            let size = Int64(unit.seconds * 1000)
            if millis != 0, millis % size == 0 { return "\(millis / size)\(unit.suffix)" }
        }
        return millis == 0 ? "0s" : "\(millis)ms"
    }
}
