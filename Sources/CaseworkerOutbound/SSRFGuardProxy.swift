import CaseworkerCore
import Logging
import NIOCore
import NIOPosix
import NIOSOCKS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SSRF guard on the connection path: a SOCKS5 proxy inside the process, on a loopback port,
/// through which the dispatcher's `HTTPClient` opens every connection.
///
/// For each `CONNECT host:port` it resolves `host` itself, checks every resolved address with the
/// `AddressPolicy`, and connects to the first allowed address that accepts, so the address
/// checked is exactly the address connected to (a name that resolves differently a moment later,
/// DNS rebinding, cannot slip through). TLS runs end to end through the tunnel: the client still
/// sends the right SNI and verifies the certificate for the host name.
///
/// Refusals answer SOCKS replies the dispatcher maps back to attempt errors: `notAllowed`
/// (every address refused by the policy), `hostUnreachable` (no address), `refused` (nothing
/// listening), `ttlExpired` (connect timeout).
///
/// It listens on 127.0.0.1 without authentication. A local user gains nothing by using it: it
/// reaches only addresses the policy allows, which that user can reach directly.
///
/// To guard another `HTTPClient` (e.g. for `http.request` steps, with their own allow-list):
/// start a proxy with that policy, set the client's `proxy` to `.socksServer(host: "127.0.0.1",
/// port: proxy.port)`, and close the proxy after the client's shutdown.
public final class SSRFGuardProxy: Sendable {
    private let channel: any Channel

    /// The loopback port the proxy listens on.
    public let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts listening on 127.0.0.1 on a free port.
    /// `policy` is read for every connection, so replacing it (a configuration reload) applies to
    /// the next connection.
    public static func start(
        policy: Reloadable<AddressPolicy>, connectTimeout: Duration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> SSRFGuardProxy {
        let timeout = TimeAmount.nanoseconds(
            connectTimeout.components.seconds * 1_000_000_000 + connectTimeout.components.attoseconds / 1_000_000_000)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = SOCKSServerHandshakeHandler()
                    try channel.pipeline.syncOperations.addHandlers([
                        handshake, SOCKSGuardHandler(handshake: handshake, policy: policy, connectTimeout: timeout, logger: logger),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return SSRFGuardProxy(channel: channel)
    }

    /// Stops listening (open tunnels close with their client's connections).
    public func close() async throws {
        try await channel.close()
    }
}

/// One client connection of the proxy: the SOCKS5 handshake, the checked connect, then the glue.
final class SOCKSGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ClientMessage
    typealias OutboundOut = ServerMessage

    private let handshake: SOCKSServerHandshakeHandler
    private let policy: Reloadable<AddressPolicy>
    private let connectTimeout: TimeAmount
    private let logger: Logger
    private var connecting = false

    init(handshake: SOCKSServerHandshakeHandler, policy: Reloadable<AddressPolicy>, connectTimeout: TimeAmount, logger: Logger) {
        self.handshake = handshake
        self.policy = policy
        self.connectTimeout = connectTimeout
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .greeting(let greeting):
            let method: AuthenticationMethod = greeting.methods.contains(.noneRequired) ? .noneRequired : .noneAcceptable
            context.writeAndFlush(wrapOutboundOut(.selectedAuthenticationMethod(.init(method: method))), promise: nil)
            if method == .noneAcceptable { context.close(promise: nil) }
        case .authenticationData:
            context.close(promise: nil)
        case .request(let request):
            guard request.command == .connect, !connecting else {
                fail(context, .commandUnsupported)
                return
            }
            connecting = true
            connect(context, to: request.addressType)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Leaves the pipeline when the connection closes: removing the handshake handler then hands
    /// its leftover bytes on, which are no SOCKS messages.
    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func connect(_ context: ChannelHandlerContext, to target: SOCKSAddress) {
        let host: String
        let port: Int
        switch target {
        case .domain(let name, let targetPort): (host, port) = (name, targetPort)
        case .address(let address): (host, port) = (address.ipAddress ?? "", address.port ?? 0)
        }
        let policy = self.policy.current
        let loop = context.eventLoop
        let timeout = connectTimeout
        let resolved = NIOThreadPool.singleton.runIfActive(eventLoop: loop) { () throws -> [IPAddress] in
            try policy.resolveAndCheck(host: host, port: port)
        }
        let peer = resolved.flatMap { addresses in Self.connectFirst(addresses[...], port: port, on: loop, timeout: timeout) }
        peer.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                self.glue(context, to: channel)
            case .failure(let error):
                self.logger.debug("guard proxy refused a connection", metadata: ["host": .string(host), "error": "\(error)"])
                self.fail(context, Self.reply(for: error))
            }
        }
    }

    /// Connects to the first address that accepts, in resolution order.
    private static func connectFirst(
        _ addresses: ArraySlice<IPAddress>, port: Int, on loop: any EventLoop, timeout: TimeAmount
    ) -> EventLoopFuture<any Channel> {
        guard let first = addresses.first else { return loop.makeFailedFuture(ChannelError.connectPending) }
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: first.description, port: port)
        } catch {
            return loop.makeFailedFuture(error)
        }
        return ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(to: address)
            .flatMapError { error in
                addresses.count > 1
                    ? connectFirst(addresses.dropFirst(), port: port, on: loop, timeout: timeout) : loop.makeFailedFuture(error)
            }
    }

    private func glue(_ context: ChannelHandlerContext, to peer: any Channel) {
        guard context.channel.isActive else {
            peer.close(promise: nil)
            return
        }
        let bound = peer.localAddress.map(SOCKSAddress.address) ?? Self.noAddress
        context.writeAndFlush(wrapOutboundOut(.response(SOCKSResponse(reply: .succeeded, boundAddress: bound))), promise: nil)
        let (local, remote) = GlueHandler.matchedPair()
        do {
            try context.pipeline.syncOperations.addHandler(local)
            try peer.pipeline.syncOperations.addHandler(remote)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            context.pipeline.syncOperations.removeHandler(handshake, promise: nil)
        } catch {
            peer.close(promise: nil)
            context.close(promise: nil)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ reply: SOCKSServerReply) {
        context.writeAndFlush(wrapOutboundOut(.response(SOCKSResponse(reply: reply, boundAddress: Self.noAddress))))
            .assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }

    private static let noAddress = SOCKSAddress.address(try! SocketAddress(ipAddress: "0.0.0.0", port: 0))

    /// The SOCKS reply for a failed connect; `SOCKSReplyMeaning` reads it back.
    static func reply(for error: any Error) -> SOCKSServerReply {
        switch error {
        case HostResolutionError.allAddressesRefused: return .notAllowed
        case is HostResolutionError: return .hostUnreachable
        case ChannelError.connectTimeout: return .ttlExpired
        case let error as IOError where error.errnoCode == ECONNREFUSED: return .refused
        case let error as NIOConnectionError:
            return error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED } ? .refused : .hostUnreachable
        default: return .hostUnreachable
        }
    }
}
