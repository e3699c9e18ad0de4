/// A network: an address family, a prefix length and the network address.
///
/// Parsed from `address/prefix` (`10.0.0.0/8`, `::1/128`); a bare address means the single
/// host (`/32` or `/128`). Host bits set in the text are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
/// Membership is per family: an IPv4 network never contains an IPv6 address, including the
/// IPv4-mapped forms (`AddressPolicy` handles those).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits cleared).
    public let address: IPAddress
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Makes a network; `nil` if `prefixLength` is out of range for the family.
    public init?(address: IPAddress, prefixLength: Int) {
        switch address {
        case .v4(let v):
            guard (0...32).contains(prefixLength) else { return nil }
            self.address = .v4(v & Self.mask4(prefixLength))
        case .v6(let v):
            guard (0...128).contains(prefixLength) else { return nil }
            self.address = .v6(v & Self.mask6(prefixLength))
        }
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix` or a bare address; `nil` if malformed (the prefix must be
    /// decimal digits without sign or leading zeros, in range for the family).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        var length = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  digits.count == 1 || digits.first != "0", let parsed = Int(digits)
            else { return nil }
            length = parsed
        }
        self.init(address: address, prefixLength: length)
    }

    /// Whether `candidate` is in this network (same family and same leading `prefixLength` bits).
    public func contains(_ candidate: IPAddress) -> Bool {
        switch (address, candidate) {
        case (.v4(let network), .v4(let v)): v & Self.mask4(prefixLength) == network
        case (.v6(let network), .v6(let v)): v & Self.mask6(prefixLength) == network
        default: false
        }
    }

    /// `address/prefixLength`, e.g. `127.0.0.0/8`.
    public var description: String { "\(address)/\(prefixLength)" }

    static func mask4(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }
    static func mask6(_ length: Int) -> UInt128 { length == 0 ? 0 : UInt128.max << (128 - length) }
}
