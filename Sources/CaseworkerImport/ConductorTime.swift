import Foundation
import CaseworkerCore

/// The WAIT task's `duration` and `until` texts, as Conductor reads them, in native terms.
enum ConductorTime {
    private static let units: [(names: [String], seconds: Int)] = [
        (["d", "day", "days"], 86_400),
        (["h", "hr", "hrs", "hour", "hours"], 3600),
        (["m", "min", "mins", "minute", "minutes"], 60),
        (["s", "sec", "secs", "second", "seconds"], 1),
    ]

    /// The seconds a Conductor duration names: whole numbers with units, `30s`, `10 minutes`,
    /// `1h 30m`, `2 days 4 hours` (units `d`/`day(s)`, `h`/`hr(s)`/`hour(s)`, `m`/`min(s)`/
    /// `minute(s)`, `s`/`sec(s)`/`second(s)`, each at most once, case-insensitive). `nil` for
    /// anything else.
    static func seconds(ofDuration text: String) -> Int? {
        let scalars = Array(text.lowercased().unicodeScalars)
        var position = 0
        var total = 0
        var used: Set<Int> = []
        func skipSpaces() { while position < scalars.count, scalars[position] == " " { position += 1 } }
        skipSpaces()
        guard position < scalars.count else { return nil }
        while position < scalars.count {
            var digits = ""
            while position < scalars.count, ("0"..."9").contains(scalars[position]) {
                digits.unicodeScalars.append(scalars[position])
                position += 1
            }
            skipSpaces()
            var word = ""
            while position < scalars.count, ("a"..."z").contains(scalars[position]) {
                word.unicodeScalars.append(scalars[position])
                position += 1
            }
            skipSpaces()
            if position < scalars.count, scalars[position] == "," { position += 1; skipSpaces() }
            guard let count = Int(digits), digits.count <= 9,
                let unit = units.firstIndex(where: { $0.names.contains(word) }), used.insert(unit).inserted
            else { return nil }
            total += count * units[unit].seconds
        }
        return total
    }

    /// The RFC 3339 time (what a native `wait` `until` reads) of a Conductor `until` text,
    /// `yyyy-MM-dd HH:mm z`, where the zone is `UTC`, `GMT`, `Z`, `GMT±hh:mm`, `UTC±hh:mm` or
    /// `±hh:mm`; or the reason it cannot be converted. Without a zone (`yyyy-MM-dd HH:mm`,
    /// `yyyy-MM-dd`) Conductor reads the server's zone, which the body does not say, so it is
    /// refused; zone abbreviations such as `PST` are ambiguous and refused too.
    static func rfc3339(ofUntil text: String) -> Result<String, ConductorTemplates.Refusal> {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let example = "e.g. 2024-04-30 15:20 GMT+04:00"
        guard parts.count == 3 else {
            return .failure(.init(reason:
                "'\(text)' names no time zone (Conductor reads it in its server's zone, which the body does not say): "
                    + "write it as yyyy-MM-dd HH:mm with a zone, \(example)"))
        }
        guard let offset = offset(parts[2]) else {
            return .failure(.init(reason: "'\(text)': the zone '\(parts[2])' is not UTC, GMT or an offset (GMT±hh:mm): \(example)"))
        }
        let native = "\(parts[0])T\(parts[1]):00\(offset)"
        guard Timestamp.parse(native) != nil else {
            return .failure(.init(reason: "'\(text)' is not a time of the form yyyy-MM-dd HH:mm z, \(example)"))
        }
        return .success(native)
    }

    /// `Z` or `±hh:mm` for a zone text, `nil` when it is not a fixed offset.
    private static func offset(_ zone: String) -> String? {
        var text = zone.uppercased()
        if ["UTC", "GMT", "Z"].contains(text) { return "Z" }
        for prefix in ["UTC", "GMT"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().replacingOccurrences(of: ":", with: "")
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let hours: Substring
        let minutes: Substring
        switch digits.count {
        case 1, 2: (hours, minutes) = (Substring(digits), "00")
        case 4: (hours, minutes) = (digits.prefix(2), digits.suffix(2))
        default: return nil
        }
        guard let h = Int(hours), let m = Int(minutes), h <= 23, m <= 59 else { return nil }
        return "\(sign)\(h < 10 ? "0" : "")\(h):\(minutes)"
    }
}
