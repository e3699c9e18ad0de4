/// Why `AddressPolicy.resolveAndCheck(host:port:)` gave no address to connect to.
public enum HostResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host is empty or the port is outside 0–65535.
    case invalidTarget(host: String, port: Int)
    /// getaddrinfo failed; `code` is its `EAI_*` result, `message` its `gai_strerror` text.
    case resolutionFailed(host: String, code: Int32, message: String)
    /// getaddrinfo succeeded but returned no IPv4 or IPv6 address.
    case noAddresses(host: String)
    /// Every resolved address was refused by the SSRF guard; one entry per address, in
    /// resolution order.
    case allAddressesRefused(host: String, refusals: [AddressRefusal])

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .invalidTarget(let host, let port): "invalid target \(host):\(port)"
        case .resolutionFailed(let host, _, let message): "cannot resolve \(host): \(message)"
        case .noAddresses(let host): "\(host) has no IPv4 or IPv6 address"
        case .allAddressesRefused(let host, let refusals):
            "every address of \(host) is refused: "
                + refusals.map { "\($0.address) (\($0.reason))" }.joined(separator: ", ")
        }
    }
}

/// One address the SSRF guard refused, with the reason.
public struct AddressRefusal: Sendable, Hashable {
    /// The refused address.
    public let address: IPAddress
    /// The range it fell in, e.g. `loopback 127.0.0.0/8`.
    public let reason: String

    /// Makes a refusal record.
    public init(address: IPAddress, reason: String) {
        self.address = address
        self.reason = reason
    }
}
