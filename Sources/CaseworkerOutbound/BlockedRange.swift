/// A special-purpose address range that deliveries refuse by default.
public struct BlockedRange: Sendable, Hashable, CustomStringConvertible {
    /// What the range is, e.g. `loopback`.
    public let name: String
    /// The range itself.
    public let network: CIDR

    /// `name network`, e.g. `loopback 127.0.0.0/8`: the refusal reason.
    public var description: String { "\(name) \(network)" }

    init(_ name: String, _ network: String) {
        self.name = name
        self.network = CIDR(network)!
    }

    /// The IPv4 ranges refused by default, most specific first.
    public static let ipv4: [BlockedRange] = [
        BlockedRange("unspecified", "0.0.0.0/8"),
        BlockedRange("private", "10.0.0.0/8"),
        BlockedRange("CGNAT", "100.64.0.0/10"),
        BlockedRange("loopback", "127.0.0.0/8"),
        BlockedRange("link-local", "169.254.0.0/16"),
        BlockedRange("private", "172.16.0.0/12"),
        BlockedRange("reserved (IETF protocol assignments)", "192.0.0.0/24"),
        BlockedRange("documentation", "192.0.2.0/24"),
        BlockedRange("private", "192.168.0.0/16"),
        BlockedRange("benchmarking", "198.18.0.0/15"),
        BlockedRange("documentation", "198.51.100.0/24"),
        BlockedRange("documentation", "203.0.113.0/24"),
        BlockedRange("multicast", "224.0.0.0/4"),
        BlockedRange("broadcast", "255.255.255.255/32"),
        BlockedRange("reserved", "240.0.0.0/4"),
    ]

    /// The IPv6 ranges refused by default, most specific first. The ranges that embed an IPv4
    /// address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are not listed:
    /// `AddressPolicy` judges them by the embedded IPv4 address.
    public static let ipv6: [BlockedRange] = [
        BlockedRange("unspecified", "::/128"),
        BlockedRange("loopback", "::1/128"),
        BlockedRange("IPv4-compatible (deprecated)", "::/96"),
        BlockedRange("discard-only", "100::/64"),
        BlockedRange("documentation", "2001:db8::/32"),
        BlockedRange("unique local", "fc00::/7"),
        BlockedRange("link-local", "fe80::/10"),
        BlockedRange("multicast", "ff00::/8"),
    ]
}
