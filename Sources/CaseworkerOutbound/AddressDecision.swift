/// The SSRF guard's verdict on one resolved address.
public enum AddressDecision: Sendable, Hashable {
    /// A delivery may connect to the address.
    case allowed
    /// A delivery must not connect; `reason` names the range, e.g. `loopback 127.0.0.0/8` or
    /// `IPv4-mapped private 10.0.0.0/8`.
    case refused(reason: String)

    /// `true` for `.allowed`.
    public var isAllowed: Bool { self == .allowed }
}
