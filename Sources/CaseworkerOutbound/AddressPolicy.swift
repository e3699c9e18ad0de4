/// The SSRF guard: decides whether a delivery (or an `http.request` step) may connect to a
/// resolved address. Check the address actually connected to, on every attempt.
///
/// Decision for an address `a`:
/// 1. allowed if `a` is in one of `allowedNetworks` — for an IPv4-mapped IPv6 address the
///    embedded IPv4 address is tried too, and for an IPv4 address its mapped IPv6 form;
/// 2. otherwise refused if it is in a blocked range:
///    - IPv4: `BlockedRange.ipv4` (unspecified, private, CGNAT, loopback, link-local, reserved,
///      documentation, benchmarking, multicast, broadcast);
///    - IPv6: `BlockedRange.ipv6`; and addresses embedding IPv4 are judged by it with the IPv4
///      rules: IPv4-mapped ::ffff:0:0/96 (reason `IPv4-mapped <v4 reason>`), NAT64 64:ff9b::/96
///      (`NAT64 <v4 reason>`), 6to4 2002::/16 (`6to4 <v4 reason>`);
/// 3. otherwise allowed.
/// Only an IPv4-mapped address is opened by an allowed IPv4 network; NAT64 and 6to4 addresses
/// lead to another host and are opened only by an allowed IPv6 network containing them.
public struct AddressPolicy: Sendable, Hashable {
    /// Networks opened even where a blocked range covers them (tests open 127.0.0.0/8).
    public var allowedNetworks: [CIDR]

    /// A policy; by default nothing is opened.
    public init(allowedNetworks: [CIDR] = []) {
        self.allowedNetworks = allowedNetworks
    }

    /// The decision for one address (see the type's rules).
    public func check(_ address: IPAddress) -> AddressDecision {
        if isOpened(address) { return .allowed }
        if let reason = Self.blockReason(address) { return .refused(reason: reason) }
        return .allowed
    }

    private func isOpened(_ address: IPAddress) -> Bool {
        let forms = [address, address.ipv4Mapped ?? address.mappedToIPv6].compactMap { $0 }
        return allowedNetworks.contains { network in forms.contains { network.contains($0) } }
    }

    /// Why `address` is refused by default, or `nil` if it is not in any blocked range.
    public static func blockReason(_ address: IPAddress) -> String? {
        switch address {
        case .v4:
            return BlockedRange.ipv4.first { $0.network.contains(address) }?.description
        case .v6(let v):
            if let mapped = address.ipv4Mapped {
                return blockReason(mapped).map { "IPv4-mapped \($0)" }
            }
            if v >> 32 == 0x0064_FF9B << 64 {
                return blockReason(.v4(UInt32(truncatingIfNeeded: v))).map { "NAT64 \($0)" }
            }
            if v >> 112 == 0x2002 {
                return blockReason(.v4(UInt32(truncatingIfNeeded: v >> 80))).map { "6to4 \($0)" }
            }
            return BlockedRange.ipv6.first { $0.network.contains(address) }?.description
        }
    }
}
