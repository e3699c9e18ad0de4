import ArgumentParser
import CaseworkerCore
import CaseworkerServer
import CaseworkerStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key (and its tenant on first use). Prints the key once, on stdout.")

        @OptionGroup var instance: InstanceOptions

        @Option(help: "The tenant: 1–64 letters, digits, '.', '_' or '-'.")
        var tenant: String

        @Option(help: "A name for the key, e.g. the client that uses it.")
        var name: String

        @Option(name: .customLong("scope"), parsing: .singleValue, help: "A scope (repeatable): \(Scope.allNames.joined(separator: ", ")). (default: admin)")
        var scopes: [String] = []

        func validate() throws {
            guard TenantID.isValid(tenant) else { throw ValidationError("--tenant must be 1–64 letters, digits, '.', '_' or '-'") }
            guard (1...128).contains(name.count) else { throw ValidationError("--name must be 1–128 characters") }
            for scope in scopes where Scope(scope) == nil {
                throw ValidationError("unknown scope '\(scope)'; scopes are: \(Scope.allNames.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let scopes = self.scopes.isEmpty ? [Scope.admin] : Array(Set(self.scopes.compactMap(Scope.init))).sorted()
            let secret = APIKeySecret.generate()
            let (tenant, name) = (self.tenant, self.name)
            let key = try await instance.withMigratedStore { store in
                try await store.createKey(tenantId: tenant, name: name, scopes: scopes, secret: secret)
            }
            Console.error(
                "created key \(key.id) \"\(key.name)\" for tenant \(key.tenantId) with scopes \(scopes.map(\.description).joined(separator: " ")); it is shown only once:")
            print(secret.text)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never their secrets).")

        @OptionGroup var instance: InstanceOptions

        @Option(help: "Only the keys of this tenant.")
        var tenant: String?

        func run() async throws {
            let tenant = self.tenant
            let keys = try await instance.withMigratedStore { store in try await store.listKeys(tenantId: tenant) }
            let rows = keys.map { key in
                [
                    key.id, key.tenantId, key.name, key.scopes.map(\.description).joined(separator: " "), key.prefix + "…",
                    Timestamp.rfc3339(key.createdAt), key.revokedAt.map(Timestamp.rfc3339) ?? "-",
                ]
            }
            print(Table.render(header: ["ID", "TENANT", "NAME", "SCOPES", "PREFIX", "CREATED", "REVOKED"], rows: rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key; it stops working at once.")

        @OptionGroup var instance: InstanceOptions

        @Argument(help: "The key's id (see keys list).")
        var id: String

        func run() async throws {
            let id = self.id
            guard let key = try await instance.withMigratedStore({ store in try await store.revokeKey(id: id) }) else {
                Console.error("no API key with id \(id)")
                throw ExitCode.failure
            }
            print("revoked key \(key.id) \"\(key.name)\" of tenant \(key.tenantId)")
        }
    }
}

/// Plain-text tables for terminal output.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
