import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSOCKS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an outgoing HTTP exchange got no complete response, in plain words: what the webhook
/// attempt log and an `http.request` step's error show, e.g. `connection refused`,
/// `destination refused by the SSRF guard: 10.0.0.5 is private (10.0.0.0/8)`,
/// `timed out after 10 s`, `TLS: certificate verify failed`.
///
/// The message never holds an internal type name (`ConnectionFailed(reply: ...)`,
/// `HTTPClientError.remoteConnectionClosed`): errors this type does not know read as
/// `transport failure` with what can be said safely.
public struct TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: TransportErrorKind
    public var message: String

    public init(_ kind: TransportErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The failure an error thrown by an `HTTPClient` stands for (the client connecting through
    /// `SSRFGuardProxy` or directly); `timeout` is the exchange's own bound, for the message.
    public static func describing(_ error: any Error, timeout: Duration) -> TransportFailure {
        switch error {
        case let failure as TransportFailure:
            return failure
        case let error as SOCKSError.ConnectionFailed:
            // The guard proxy's answer (`SSRFGuardProxy.reply(for:)`).
            switch error.reply {
            case .notAllowed: return TransportFailure(.addressRefused, "destination refused by the SSRF guard")
            case .refused: return TransportFailure(.connectionRefused, "connection refused")
            case .ttlExpired: return TransportFailure(.timeout, "timed out while connecting")
            case .hostUnreachable: return TransportFailure(.dnsFailure, "the host cannot be resolved or reached")
            case .networkUnreachable: return TransportFailure(.other, "the network is unreachable")
            default: return TransportFailure(.other, "cannot connect (the guard proxy answered \(error.reply.value))")
            }
        case let error as HTTPClientError:
            return describing(error, timeout: timeout)
        case let error as IOError:
            return describing(errno: error.errnoCode)
        case let error as NIOConnectionError:
            // Every address was tried: a refused one says most.
            let errnos = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if errnos.contains(ECONNREFUSED) { return describing(errno: ECONNREFUSED) }
            if let first = errnos.first { return describing(errno: first) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return TransportFailure(.dnsFailure, "cannot resolve \(error.host)") }
            return TransportFailure(.other, "cannot connect to \(error.host):\(error.port)")
        case ChannelError.connectTimeout:
            return TransportFailure(.timeout, "timed out while connecting")
        case is ChannelError:
            return TransportFailure(.connectionReset, "the connection was closed")
        default:
            return describing(text: String(reflecting: error))
        }
    }

    /// `N s`, e.g. `10 s`, `0.5 s`.
    public static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds.rounded() == seconds ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    private static func describing(_ error: HTTPClientError, timeout: Duration) -> TransportFailure {
        switch error {
        case .readTimeout, .writeTimeout, .deadlineExceeded:
            return TransportFailure(.timeout, "timed out after \(seconds(timeout))")
        case .connectTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
            return TransportFailure(.timeout, "timed out while connecting")
        case .tlsHandshakeTimeout:
            return TransportFailure(.tls, "TLS: the handshake timed out")
        case .remoteConnectionClosed:
            return TransportFailure(.connectionReset, "the server closed the connection before a complete response")
        case .cancelled:
            return TransportFailure(.other, "cancelled")
        default:
            // `shortDescription` is AsyncHTTPClient's bounded, readable text ("Invalid URL").
            return TransportFailure(.other, error.shortDescription.prefix(1).lowercased() + error.shortDescription.dropFirst())
        }
    }

    private static func describing(errno: CInt) -> TransportFailure {
        switch errno {
        case ECONNREFUSED: TransportFailure(.connectionRefused, "connection refused")
        case ECONNRESET, EPIPE: TransportFailure(.connectionReset, "the connection was reset")
        case ETIMEDOUT: TransportFailure(.timeout, "timed out while connecting")
        case EHOSTUNREACH, ENETUNREACH: TransportFailure(.other, "the host is unreachable")
        default: TransportFailure(.other, "the connection failed: \(String(cString: strerror(errno)).lowercased())")
        }
    }

    /// Errors known only by their text (NIOSSL's among them): TLS failures say what BoringSSL
    /// said (`CERTIFICATE_VERIFY_FAILED` → `certificate verify failed`), nothing else is quoted.
    static func describing(text: String) -> TransportFailure {
        let lowered = text.lowercased()
        if text.contains("ECONNREFUSED") || lowered.contains("connection refused") {
            return TransportFailure(.connectionRefused, "connection refused")
        }
        if text.contains("ECONNRESET") || lowered.contains("connection reset") {
            return TransportFailure(.connectionReset, "the connection was reset")
        }
        if text.contains("failedToValidateHostname") || text.contains("serverHostnameImpossibleToMatch") {
            return TransportFailure(.tls, "TLS: the certificate does not name the host")
        }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") {
            return TransportFailure(.tls, "TLS: " + (boringSSLReason(in: text) ?? "the handshake failed"))
        }
        return TransportFailure(.other, "transport failure")
    }

    /// The reason of the first BoringSSL error in `text`, e.g. `error:1000007d:SSL
    /// routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED` → `certificate verify failed`.
    static func boringSSLReason(in text: String) -> String? {
        guard let range = text.range(of: "OPENSSL_internal:") else { return nil }
        let reason = text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !reason.isEmpty else { return nil }
        return reason.lowercased().replacingOccurrences(of: "_", with: " ")
    }
}

extension HostResolutionError {
    /// The failure as the attempt log and a step's error show it: a refused destination names
    /// each address and why (`destination refused by the SSRF guard: 10.0.0.5 is private
    /// (10.0.0.0/8)`).
    public var transportFailure: TransportFailure {
        switch self {
        case .allAddressesRefused(let host, let refusals):
            let each = refusals.map(\.plainText).joined(separator: ", ")
            let text = refusals.count == 1 ? each : "every address of \(host) is refused: \(each)"
            return TransportFailure(.addressRefused, "destination refused by the SSRF guard: \(text)")
        case .invalidTarget, .resolutionFailed, .noAddresses:
            return TransportFailure(.dnsFailure, description)
        }
    }
}

extension AddressRefusal {
    /// `10.0.0.5 is private (10.0.0.0/8)`.
    var plainText: String {
        guard let space = reason.lastIndex(of: " ") else { return "\(address) is \(reason)" }
        return "\(address) is \(reason[..<space]) (\(reason[reason.index(after: space)...]))"
    }
}

extension AddressPolicy {
    /// Resolves `host` and checks its addresses before an exchange, for a precise message:
    /// `nil` when some address is allowed, else the failure to report without connecting. The
    /// guard proxy decides again on the address it connects to; this check only explains.
    /// Resolution blocks, so it runs on NIO's thread pool (an IP address needs none).
    public func precheck(host: String, port: Int) async -> TransportFailure? {
        do {
            if IPAddress(host.trimmingCharacters(in: ["[", "]"])) != nil {
                _ = try resolveAndCheck(host: host, port: port)
            } else {
                let policy = self
                _ = try await NIOThreadPool.singleton.runIfActive { try policy.resolveAndCheck(host: host, port: port) }
            }
            return nil
        } catch let error as HostResolutionError {
            return error.transportFailure
        } catch {
            return TransportFailure(.other, "the destination could not be checked")
        }
    }
}
