import CaseworkerCore
import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (or a query string): the first value
/// of each name. Malformed percent-escapes leave the raw text.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    init(encoded text: Substring) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// The value of `name`, `nil` when absent or blank after trimming.
    func nonEmpty(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A time as RFC 3339, or `YYYY-MM-DDTHH:MM` as a `datetime-local` field sends it (taken as
    /// UTC); 400 naming `what` when it is missing or neither.
    static func time(_ text: String?, what: String) throws(DashboardError) -> Date {
        guard let text else { throw .badRequest("Give \(what).") }
        if let date = Timestamp.parse(text) ?? Timestamp.parse(text + ":00Z") { return date }
        throw .badRequest("\(text) is not a time such as 2026-12-01T08:00:00Z.")
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension String {
    /// This text percent-encoded for a query value.
    var queryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
