// The only I/O of this module: name resolution through getaddrinfo.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Name resolution through the system resolver (getaddrinfo: /etc/hosts, DNS, numeric forms).
///
/// Blocking: call it off the cooperative thread pool in async code (e.g. on a dedicated thread
/// or via a `NIOThreadPool`).
public enum HostResolver {
    /// Every IPv4 and IPv6 address `host` resolves to for a TCP connection to `port`, in
    /// getaddrinfo's order, without duplicates.
    ///
    /// `host` may be a name, a numeric IPv4/IPv6 address, or an IPv6 address in brackets
    /// (`[::1]`). Numeric forms the system accepts (e.g. `2130706433`) resolve too, which is
    /// why callers must check the resolved addresses, not the host text.
    /// - Throws: `HostResolutionError.invalidTarget`, `.resolutionFailed` or `.noAddresses`.
    public static func resolve(host: String, port: Int) throws(HostResolutionError) -> [IPAddress] {
        var name = host
        if name.hasPrefix("["), name.hasSuffix("]"), name.count >= 2 {
            name = String(name.dropFirst().dropLast())
        }
        guard !name.isEmpty, !name.utf8.contains(0), (0...65535).contains(port) else {
            throw .invalidTarget(host: host, port: port)
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let code = getaddrinfo(name, String(port), &hints, &list)
        guard code == 0 else {
            let message = gai_strerror(code).map { String(cString: $0) } ?? "error \(code)"
            throw .resolutionFailed(host: host, code: code, message: message)
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let info = entry {
            if let sockaddr = info.pointee.ai_addr, let address = IPAddress(sockaddr: sockaddr),
               !addresses.contains(address) {
                addresses.append(address)
            }
            entry = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw .noAddresses(host: host) }
        return addresses
    }
}

extension IPAddress {
    /// Reads the address of an `AF_INET` (`sockaddr_in`) or `AF_INET6` (`sockaddr_in6`) socket
    /// address; `nil` for any other family. Port and scope id are ignored.
    public init?(sockaddr pointer: UnsafePointer<sockaddr>) {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            let raw = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in.self)
            self.init(bytes: withUnsafeBytes(of: raw.sin_addr) { Array($0) })
        case AF_INET6:
            let raw = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in6.self)
            self.init(bytes: withUnsafeBytes(of: raw.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }
}

extension AddressPolicy {
    /// Resolves `host` and returns the addresses this policy allows, in resolution order.
    ///
    /// Connect to one of the returned addresses (do not resolve again), so that the address
    /// checked is the address used; repeat on every attempt.
    /// - Throws: `HostResolutionError.allAddressesRefused` (with each refusal's reason) when
    ///   every resolved address is refused, or the errors of `HostResolver.resolve`.
    public func resolveAndCheck(host: String, port: Int) throws(HostResolutionError) -> [IPAddress] {
        let resolved = try HostResolver.resolve(host: host, port: port)
        var allowed: [IPAddress] = []
        var refusals: [AddressRefusal] = []
        for address in resolved {
            switch check(address) {
            case .allowed: allowed.append(address)
            case .refused(let reason): refusals.append(AddressRefusal(address: address, reason: reason))
            }
        }
        guard !allowed.isEmpty else { throw .allAddressesRefused(host: host, refusals: refusals) }
        return allowed
    }
}
