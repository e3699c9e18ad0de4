/// The e-mail address syntax Caseworker accepts (for `Case.email` and the schema format `email`).
///
/// A pragmatic subset of RFC 5321/5322 "addr-spec": a dot-atom local part of at most 64 characters
/// (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots not leading, trailing or doubled), `@`, and a
/// domain of at least two dot-separated labels (letters, digits, inner hyphens, at most 63
/// characters each), at most 254 characters in all. Quoted local parts and address literals are
/// refused: no real signup form produces them.
public enum EmailAddress {
    public static func isValid(_ address: String) -> Bool {
        let utf8 = Array(address.utf8)
        guard utf8.count <= 254, let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = utf8[..<at]
        let domain = utf8[(at + 1)...]
        return isValidLocalPart(local) && isValidDomain(domain)
    }

    private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~-".utf8)

    private static func isValidLocalPart(_ local: ArraySlice<UInt8>) -> Bool {
        guard (1...64).contains(local.count), local.first != .dot, local.last != .dot else { return false }
        var previous: UInt8 = 0
        for byte in local {
            if byte == .dot {
                if previous == .dot { return false }
            } else if !(byte.isASCIIAlphanumeric || localSpecials.contains(byte)) {
                return false
            }
            previous = byte
        }
        return true
    }

    private static func isValidDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        let labels = domain.split(separator: .dot, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != .hyphen, label.last != .hyphen,
                label.allSatisfy({ $0.isASCIIAlphanumeric || $0 == .hyphen })
            else { return false }
        }
        // The top-level domain is never all digits.
        return !(labels.last!.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
    }
}

extension UInt8 {
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let hyphen = UInt8(ascii: "-")

    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
