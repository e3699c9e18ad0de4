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
    public static func rfc3339(millis: Int64) -> String {
        rfc3339(date(millis: millis))
    }

    /// RFC 3339 UTC text with milliseconds.
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(style)
    }

    /// Parses RFC 3339 text (with or without fractional seconds, any offset); `nil` if invalid.
    public static func parse(_ text: String) -> Date? {
        (try? style.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
