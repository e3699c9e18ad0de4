import CaseworkerCore
import Foundation

/// HTTP-date handling (RFC 9110 §5.6.7), IMF-fixdate form only, without Foundation's
/// locale- and calendar-dependent formatters.
public enum HTTPDate {
    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT` exactly: a day name, two-digit day, month name,
    /// four-digit year, two-digit hour/minute/second, `GMT`, case-sensitive, single spaces.
    /// The day name must be one of the seven but is not checked against the date; the day must
    /// exist in that month; second 60 is accepted (a leap second, read as the next second).
    /// - Returns: the moment, or `nil` if the text is not of that form.
    public static func parseIMFFixdate(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 29 else { return nil }
        func string(_ range: Range<Int>) -> String { String(decoding: b[range], as: UTF8.self) }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard dayNames.contains(string(0..<3)), string(3..<5) == ", ", b[7] == 0x20, b[11] == 0x20,
              b[16] == 0x20, b[19] == 0x3A, b[22] == 0x3A, string(25..<29) == " GMT",
              let day = number(5..<7), let monthIndex = monthNames.firstIndex(of: string(8..<11)),
              let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
              let second = number(23..<25)
        else { return nil }
        let month = monthIndex + 1
        guard day >= 1, day <= daysInMonth(month, year: year), hour <= 23, minute <= 59, second <= 60 else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Formats `date` (rounded down to the second) as IMF-fixdate, e.g.
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func formatIMFFixdate(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86400).rounded(.down))
        let secondsOfDay = total - days * 86400
        let (year, month, day) = CivilDate.date(days: days)
        // 1970-01-01 was a Thursday (index 3 in dayNames).
        let weekday = ((days % 7) + 7 + 3) % 7
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(dayNames[weekday]), \(two(day)) \(monthNames[month - 1]) \(yearText) "
            + "\(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60)) GMT"
    }

    private static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
