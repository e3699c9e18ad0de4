import CaseworkerCore
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds the time a client may take to send a request: from its head to the end of its body.
///
/// Hummingbird's idle timeout (`server.idleTimeoutSeconds`) closes a connection that delivers no
/// complete request part for a while, which bounds headers sent slowly; but every body chunk
/// counts as activity, so a body trickled one byte at a time would hold the connection (and the
/// task reading it) for as long as the client likes. This handler, placed after the HTTP codec,
/// starts a deadline at each request head (`server.requestTimeoutSeconds`) and, when the body
/// has not ended by then:
///
/// - answers `408 Request Timeout` (problem+json, `Connection: close`) when no response to the
///   connection's requests has started, else writes nothing more;
/// - fails the request body stream with `RequestTimeout` (so the route stops waiting for it;
///   `ProblemMiddleware` maps it to 408) and drops whatever the route still writes;
/// - closes the connection.
///
/// A request whose body has arrived is never cut short: a long poll may take as long as it says.
public final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// The error the body of a request that missed its deadline fails with.
    public struct RequestTimeout: Error, Sendable {}

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests received whose response has not been written to its end.
    private var unanswered = 0
    /// A response head has been written and its end has not.
    private var responseStarted = false
    private var timedOut = false
    private var requestId: String?

    public init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !timedOut else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            unanswered += 1
            requestId = head.headerFields[.xRequestID]
            deadline?.cancel()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                let (handler, context) = loopBound.value
                handler.expire(context: context)
            }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !timedOut else {
            promise?.fail(RequestTimeout())
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational:
            responseStarted = true
        case .end:
            responseStarted = false
            unanswered -= 1
        default:
            break
        }
        context.write(data, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(context: ChannelHandlerContext) {
        deadline = nil
        guard context.channel.isActive, !timedOut else { return }
        let answer = unanswered == 1 && !responseStarted
        timedOut = true
        context.fireErrorCaught(RequestTimeout())
        guard answer else {
            context.close(promise: nil)
            return
        }
        let instance = RequestMetadataMiddleware.acceptable(requestId ?? "") ?? ULIDGenerator().next(at: Date())
        let body = ByteBuffer(string: Self.problem(instance: instance))
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = String(body.readableBytes)
        headers[.connection] = "close"
        headers[.xRequestID] = instance
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    /// The body of the 408 problem, as `Problem.response` writes it.
    static func problem(instance: String) -> String {
        JSONText.encode([
            "type": "urn:caseworker:problem:request-timeout", "title": .string(HTTPResponse.Status.requestTimeout.reasonPhrase),
            "status": 408, "detail": "the request was not received in time; the connection is closed",
            "instance": .string(instance),
        ])
    }
}

@available(*, unavailable)
extension RequestDeadlineHandler: Sendable {}
