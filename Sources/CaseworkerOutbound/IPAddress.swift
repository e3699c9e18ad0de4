/// An IPv4 or IPv6 address, held as its number in host order (the bytes read big-endian).
///
/// Text forms: IPv4 dotted-quad (`192.0.2.1`: four decimal parts 0–255, no leading zeros) and
/// IPv6 per RFC 4291 (hex groups, one `::`, optional trailing dotted-quad, case-insensitive).
/// Brackets, zone ids (`%eth0`), prefixes and the old inet_aton forms (`127.1`, `0x7f.0.0.1`)
/// are not addresses here. `description` is the canonical text (RFC 5952 for IPv6, with
/// IPv4-mapped addresses shown as `::ffff:a.b.c.d`).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address; `0x7F000001` is 127.0.0.1.
    case v4(UInt32)
    /// An IPv6 address; `1` is ::1.
    case v6(UInt128)

    /// Parses an IPv4 or IPv6 address from text; `nil` if it is neither (see the type's forms).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        if bytes.contains(0x3A) {
            guard let value = Self.parseV6(bytes) else { return nil }
            self = .v6(value)
        } else {
            guard let value = Self.parseV4(bytes[...]) else { return nil }
            self = .v4(value)
        }
    }

    /// Makes an address from its raw bytes in network order, as found in `sin_addr`
    /// (4 bytes → IPv4) or `sin6_addr` (16 bytes → IPv6); `nil` for any other count.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16: self = .v6(bytes.reduce(0) { $0 << 8 | UInt128($1) })
        default: return nil
        }
    }

    /// The raw bytes in network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let v): (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
        case .v6(let v): (0..<16).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
        }
    }

    /// `true` for IPv4 addresses.
    public var isIPv4: Bool { if case .v4 = self { true } else { false } }

    /// For an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, in ::ffff:0:0/96), the embedded IPv4
    /// address; otherwise `nil`.
    public var ipv4Mapped: IPAddress? {
        guard case .v6(let v) = self, v >> 32 == 0xFFFF else { return nil }
        return .v4(UInt32(truncatingIfNeeded: v))
    }

    /// The IPv4-mapped IPv6 form of an IPv4 address (`::ffff:a.b.c.d`); `nil` for IPv6.
    public var mappedToIPv6: IPAddress? {
        guard case .v4(let v) = self else { return nil }
        return .v6(0xFFFF << 32 | UInt128(v))
    }

    /// The canonical text form.
    public var description: String {
        switch self {
        case .v4(let v):
            return Self.formatV4(v)
        case .v6(let v):
            if v >> 32 == 0xFFFF { return "::ffff:" + Self.formatV4(UInt32(truncatingIfNeeded: v)) }
            let groups = (0..<8).reversed().map { UInt16(truncatingIfNeeded: v >> ($0 * 16)) }
            // The longest run of two or more zero groups (the first, on a tie) becomes "::".
            var bestStart = -1, bestLength = 0, i = 0
            while i < 8 {
                guard groups[i] == 0 else { i += 1; continue }
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > bestLength { bestStart = i; bestLength = j - i }
                i = j
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            guard bestLength >= 2 else { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    static func formatV4(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
    }

    /// Strict dotted-quad.
    static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  part.count == 1 || part.first != 0x30
            else { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - 0x30) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// RFC 4291 text form: up to eight 1–4 digit hex groups, at most one `::`, and optionally a
    /// dotted-quad standing for the last two groups.
    static func parseV6(_ bytes: [UInt8]) -> UInt128? {
        // Split around "::" (at most one).
        var head = bytes[...], tail: ArraySlice<UInt8>? = nil
        if let i = (0..<max(bytes.count - 1, 0)).first(where: { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x3A }) {
            head = bytes[..<i]
            tail = bytes[(i + 2)...]
            if tail!.count >= 1, (tail!.startIndex..<tail!.endIndex - 1).contains(where: { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x3A }) {
                return nil
            }
        }
        func groups(_ text: ArraySlice<UInt8>, allowIPv4: Bool) -> [UInt16]? {
            if text.isEmpty { return [] }
            let parts = text.split(separator: 0x3A, omittingEmptySubsequences: false)
            var result: [UInt16] = []
            for (index, part) in parts.enumerated() {
                if allowIPv4, index == parts.count - 1, part.contains(0x2E) {
                    guard let v4 = parseV4(part) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard (1...4).contains(part.count) else { return nil }
                var group: UInt16 = 0
                for c in part {
                    guard let digit = hexDigit(c) else { return nil }
                    group = group << 4 | UInt16(digit)
                }
                result.append(group)
            }
            return result
        }
        let all: [UInt16]
        if let tail {
            guard let h = groups(head, allowIPv4: false), let t = groups(tail, allowIPv4: true),
                  h.count + t.count <= 7
            else { return nil }
            all = h + Array(repeating: 0, count: 8 - h.count - t.count) + t
        } else {
            guard let g = groups(head, allowIPv4: true), g.count == 8 else { return nil }
            all = g
        }
        return all.reduce(0) { $0 << 16 | UInt128($1) }
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
