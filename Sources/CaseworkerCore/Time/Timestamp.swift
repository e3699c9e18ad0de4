import Foundation

/// Timestamps as Caseworker stores and shows them: integer Unix milliseconds in the database,
/// RFC 3339 UTC with milliseconds (`2026-11-22T11:24:26.123Z`) in the API.
public enum Timestamp {
    /// Unix milliseconds of `date`, rounded to the nearest (so that `millis(date(millis: m)) == m`).
    public static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date of Unix milliseconds `millis`.
    public static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// RFC 3339 UTC text with milliseconds.
    ///
    /// The milliseconds are formatted from the integer, not from the `Date`'s floating-point
    /// seconds (which would turn `.123` into `.122`).
    public static func rfc3339(millis: Int64) -> String {
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, milliseconds) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: Double(wholeSeconds)).formatted(wholeSecondStyle)  // ...T11:24:26Z
        let digits = String(milliseconds)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// RFC 3339 UTC text with milliseconds.
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(millis: millis(date))
    }

    /// Parses RFC 3339 text (with or without fractional seconds, any offset); `nil` if invalid.
    public static func parse(_ text: String) -> Date? {
        (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let wholeSecondStyle = Date.ISO8601FormatStyle(timeZone: .gmt)
}
