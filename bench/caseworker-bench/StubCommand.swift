import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// The provider of workload W1: `POST /verify` answers `{"score": 0..99}`, a hash of the request
/// body (so runs both approve and refer), after `--delay-ms`. Prints `port N` once listening.
struct StubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stub", abstract: "Run W1's stub provider (used by `w1`).")

    @Option(help: "Delay before each answer, in milliseconds.")
    var delayMs = 0

    func run() async throws {
        let delay = Duration.milliseconds(delayMs)
        let router = Router()
        router.post("verify") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            if delay > .zero { try await Task.sleep(for: delay) }
            // FNV-1a of the body: a stable score per case.
            var hash: UInt32 = 2_166_136_261
            for byte in body.readableBytesView { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"score": \#(hash % 100)}"#)))
        }
        try await serve(router, label: "stub")
    }
}

/// Serves `router` on 127.0.0.1 (a free port), printing `port N` on stdout once listening, until
/// SIGTERM or SIGINT.
func serve(_ router: Router<BasicRequestContext>, label: String) async throws {
    var logger = Logger(label: label)
    logger.logLevel = .error
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            FileHandle.standardOutput.write(Data("port \(channel.localAddress?.port ?? 0)\n".utf8))
        }, logger: logger)
    try await app.runService()
}

/// A subprocess of this benchmark binary in the role `arguments` (e.g. `stub`), whose first output
/// line says its port.
final class Peer {
    let process = Process()
    let port: Int

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).replacingOccurrences(of: "port ", with: "")), port > 0 else {
            throw BenchError("\(arguments.joined(separator: " ")) did not report its port")
        }
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// A bare Hummingbird server answering `GET /ping` with a small JSON body: the ceiling for the
/// API micro-benchmarks.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Run a bare Hummingbird ping server.")

    func run() async throws {
        let router = Router()
        router.get("ping") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        try await serve(router, label: "ping")
    }
}
