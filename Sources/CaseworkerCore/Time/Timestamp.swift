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
    /// seconds (which would turn `.123` into `.122`). Formatted by hand (with `CivilDate`): it is
    /// on every log line and every run's JSON, where `Date.ISO8601FormatStyle` showed in the
    /// profile. Years outside 1600...9999 go through the format style (which uses the Julian
    /// calendar before 1582); tests compare the two.
    public static func rfc3339(millis: Int64) -> String {
        let (seconds, milliseconds) = floorDivision(millis, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = CivilDate.date(days: Int(days))
        guard (1600...9999).contains(year) else { return formatted(seconds: seconds, milliseconds: milliseconds) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int64(year), 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int64(month), 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int64(day), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// The format style's text, for years the hand-written path does not cover.
    static func formatted(seconds: Int64, milliseconds: Int64) -> String {
        let text = Date(timeIntervalSince1970: Double(seconds)).formatted(wholeSecondStyle)  // ...T11:24:26Z
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
