import CaseworkerCore
import CaseworkerStore
import Foundation

/// What `serve --dev` does on first start: when the database holds no API key yet, it creates the
/// tenant `dev` with an `admin` key and prints the key, once, to standard output.
enum DevBootstrap {
    static let tenant = "dev"

    static func ensureAdminKey(store: any KeyStore, listen: ListenAddress) async throws {
        guard try await !store.hasAnyKey() else { return }
        let secret = APIKeySecret.generate()
        _ = try await store.createKey(tenantId: tenant, name: "dev-admin", scopes: [.admin], secret: secret)
        // Written unbuffered, so that it appears before the log lines that follow.
        FileHandle.standardOutput.write(Data(
            """

            Caseworker dev mode: created tenant "\(tenant)" and an admin API key.
            The key is shown only this once; keep it:

                \(secret.text)

            Try:  curl -H "Authorization: Bearer \(secret.text)" http://\(listen)/v1/cases

            """.utf8))
    }
}
