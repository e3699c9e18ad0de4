import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// One HTTP request to a daemon on 127.0.0.1:`port`: (status, JSON body or null).
func request(
    port: Int, _ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: JSONValue? = nil
) async throws -> (HTTPResponse.Status, JSONValue) {
    try await TestJSONClient.withServer(port: port) { client in
        let reply = try await client.send(method, uri, key: key, json: json)
        return (reply.status, reply.text.isEmpty ? .null : try JSONText.decode(reply.text))
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

