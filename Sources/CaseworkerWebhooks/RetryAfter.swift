import Foundation

/// Parsing of the HTTP `Retry-After` header (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The largest delta accepted as is; longer deltas (and overflowing digit strings) saturate
    /// to it. Far beyond any schedule, which clamps it anyway.
    public static let maximumSeconds: Int64 = 1 << 40

    /// The delay a `Retry-After` value asks for, or `nil` when it is neither form.
    ///
    /// Accepted forms, after trimming surrounding spaces and tabs:
    /// - delta-seconds: one or more ASCII digits → that many seconds (saturating at
    ///   `maximumSeconds`);
    /// - an HTTP-date in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`) → the time from
    ///   `now` to that date, or zero if it is not after `now`.
    /// The obsolete RFC 850 and asctime date forms, signs and fractions are not accepted.
    public static func parse(_ header: String, now: Date) -> Duration? {
        let value = header.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var seconds: Int64 = 0
            for digit in value.utf8 {
                seconds = seconds * 10 + Int64(digit - 0x30)
                if seconds >= maximumSeconds { return .seconds(maximumSeconds) }
            }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parseIMFFixdate(value) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64((interval * 1000).rounded())) : .zero
    }
}
