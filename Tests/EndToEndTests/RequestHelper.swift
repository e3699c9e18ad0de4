import Foundation
import CaseworkerCore
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// One HTTP request to a daemon on 127.0.0.1:`port`: (status, JSON body or null).
func request(
    port: Int, _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: JSONValue? = nil
) async throws -> (HTTPResponse.Status, JSONValue) {
    try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))) { client in
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            .init(uri, method: method, headers: headers, body: json.map { ByteBuffer(string: JSONText.encode($0)) }))
        let text = response.body.map { String(buffer: $0) } ?? ""
        return (response.status, text.isEmpty ? .null : try JSONText.decode(text))
    }
}

/// Creates an admin key for `tenant` with the CLI and returns it.
func createKey(config: String, in directory: URL, tenant: String = "acme") async throws -> String {
    let (status, output) = try await runCaseworker(["keys", "create", "--config", config, "--tenant", tenant, "--name", "e2e"], in: directory)
    guard status == 0, let key = output.split(separator: "\n").last.map(String.init), key.hasPrefix("cwk_") else {
        throw DaemonProcess.Failure(message: "keys create failed: \(output)")
    }
    return key
}

