/// The `format` values the schema subset asserts. Formats apply to strings only; other values pass.
///
/// - `date`: RFC 3339 `full-date` (`YYYY-MM-DD`), with a real calendar check (Gregorian leap
///   years: 2024-02-29 is valid, 2023-02-29 and 1900-02-29 are not).
/// - `date-time`: RFC 3339 `date-time`: full-date, `T` (or `t`), `hh:mm:ss`, an optional fraction
///   of one or more digits, and `Z` (or `z`) or a `+hh:mm` / `-hh:mm` offset. A leap second (`:60`)
///   is accepted only where it can occur: at 23:59 UTC once the offset is applied.
/// - `email`: ``EmailAddress/isValid(_:)``.
/// - `uuid`: RFC 9562 text form, 8-4-4-4-12 hexadecimal digits in either case, any version.
enum JSONSchemaFormat: String, Sendable, CaseIterable {
    case date
    case dateTime = "date-time"
    case email
    case uuid

    /// The violation message, naming the expected form.
    var violationMessage: String {
        switch self {
        case .date: "must be a valid date (YYYY-MM-DD)"
        case .dateTime: "must be a valid date-time (RFC 3339, e.g. 2024-05-01T12:00:00Z)"
        case .email: "must be a valid email address"
        case .uuid: "must be a valid UUID (8-4-4-4-12 hexadecimal digits)"
        }
    }

    /// Whether `string` is in this format.
    func isValid(_ string: String) -> Bool {
        switch self {
        case .date: Self.isValidDate(Array(string.utf8))
        case .dateTime: Self.isValidDateTime(Array(string.utf8))
        case .email: EmailAddress.isValid(string)
        case .uuid: Self.isValidUUID(Array(string.utf8))
        }
    }

    // MARK: - date

    static func isValidDate(_ bytes: [UInt8]) -> Bool {
        bytes.count == 10 && isValidFullDate(bytes, at: 0)
    }

    /// `YYYY-MM-DD` at `start` (10 bytes, which the caller made sure exist).
    private static func isValidFullDate(_ b: [UInt8], at start: Int) -> Bool {
        guard let year = number(b, start, 4), b[start + 4] == UInt8(ascii: "-"),
            let month = number(b, start + 5, 2), b[start + 7] == UInt8(ascii: "-"),
            let day = number(b, start + 8, 2),
            (1...12).contains(month), day >= 1
        else { return false }
        return day <= daysIn(month: month, year: year)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: - date-time

    static func isValidDateTime(_ b: [UInt8]) -> Bool {
        // full-date "T" hh:mm:ss = 19 bytes, plus at least "Z".
        guard b.count >= 20, isValidFullDate(b, at: 0), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = number(b, 11, 2), b[13] == UInt8(ascii: ":"),
            let minute = number(b, 14, 2), b[16] == UInt8(ascii: ":"),
            let second = number(b, 17, 2),
            hour <= 23, minute <= 59, second <= 60
        else { return false }

        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > fractionStart else { return false }
        }
        guard i < b.count else { return false }

        let offsetMinutes: Int
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == b.count else { return false }
            offsetMinutes = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let offsetHour = number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                let offsetMinute = number(b, i + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (b[i] == UInt8(ascii: "-") ? -1 : 1) * (offsetHour * 60 + offsetMinute)
        default:
            return false
        }

        if second == 60 {
            // Leap seconds are inserted at 23:59:60 UTC only.
            let utcMinuteOfDay = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utcMinuteOfDay == 23 * 60 + 59
        }
        return true
    }

    // MARK: - uuid

    static func isValidUUID(_ b: [UInt8]) -> Bool {
        guard b.count == 36 else { return false }
        for (i, byte) in b.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
                else { return false }
            }
        }
        return true
    }

    // MARK: - helpers

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The value of `count` ASCII digits at `start`; `nil` when out of bounds or not all digits.
    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for byte in b[start..<(start + count)] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
