// swift-tools-version:6.2
import PackageDescription

// Modules by responsibility, with a one-way dependency rule:
//
//   CaseworkerCore  <-  CaseworkerStore  <-  CaseworkerSQLite, CaseworkerPostgres
//                     ^         ^           ^      ^
//          CaseworkerAPI  CaseworkerEngine  CaseworkerWebhooks
//                 ^               ^   \      /     ^     |
//                 |               |    v    v      |     |
//                 |               |  CaseworkerOutbound  |   (-> CaseworkerCore)
//                 |               |          ^           |
//             CaseworkerServer ---+----------+-----------+
//                   ^
//               caseworker (executable)
//
//   CaseworkerDashboard (the /ui pages; -> CaseworkerAPI for its router and request context,
//     -> CaseworkerStore) <- CaseworkerServer
//
//   CaseworkerImport (Conductor and Invopop definitions translated; pure, -> CaseworkerCore)
//     ^-- CaseworkerAPI (the import route), caseworker (the import command)
//
//   CaseworkerWebhookSigning (Standard Webhooks secrets, signer, verifier; swift-crypto only)
//     ^-- CaseworkerAPI, CaseworkerSQLite, CaseworkerWebhooks (the daemon signs with it)
//     ^-- CaseworkerClient (the client library verifies with it; it imports nothing else of ours)
//
// The API never sees GRDB: it talks to the `CaseworkerStore` protocols only. The engine and the
// webhooks share their outgoing HTTP pieces (SSRF policy and guard, transport failure texts)
// through `CaseworkerOutbound`, and never import each other. The client library never sees the
// server: a backend that depends on it builds none of the daemon.
let package = Package(
    name: "caseworker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "caseworker", targets: ["caseworker"]),
        // The Swift client of the API, for backends: `Client` generated from docs/openapi.yaml and
        // the `Caseworker` convenience layer (create a case, start a run, wait for its result,
        // verify a webhook). It builds none of the daemon.
        .library(name: "CaseworkerClient", targets: ["CaseworkerClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Standard Webhooks signing and verification, shared by the daemon and the client library.
        .target(
            name: "CaseworkerWebhookSigning",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Domain values and pure policies. No I/O.
        .target(
            name: "CaseworkerCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The storage boundary: protocols and plain records. No database driver.
        .target(name: "CaseworkerStore", dependencies: ["CaseworkerCore"]),
        // Conductor and Invopop definitions translated into native ones, with a report (pure).
        .target(name: "CaseworkerImport", dependencies: ["CaseworkerCore"]),
        // The SQLite implementation of the storage boundary (the only importer of GRDB).
        .target(
            name: "CaseworkerSQLite",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "CaseworkerStore",
                "CaseworkerWebhookSigning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL implementation of the storage boundary, for several instances on one
        // database (the only importer of PostgresNIO).
        .target(
            name: "CaseworkerPostgres",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "CaseworkerStore",
                "CaseworkerWebhookSigning",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Outgoing HTTP shared by the engine's `http.request` and the webhook dispatcher: the SSRF
        // policy and its guard proxy, and the plain-language texts of transport failures.
        .target(
            name: "CaseworkerOutbound",
            dependencies: [
                "CaseworkerCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSOCKS", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The run engine: claims due runs, executes steps through actions (`exec` programs through
        // swift-subprocess). Never imports the HTTP layer.
        .target(
            name: "CaseworkerEngine",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "CaseworkerStore",
                "CaseworkerOutbound",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSOCKS", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Signed webhook delivery: Standard Webhooks signing, retry schedule, SSRF guard and the
        // dispatcher service that sends the outbox. Talks to CaseworkerStore only.
        .target(
            name: "CaseworkerWebhooks",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "CaseworkerStore",
                "CaseworkerOutbound",
                "CaseworkerWebhookSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSOCKS", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // HTTP routes, auth, problem+json errors. Talks to CaseworkerStore only. Serves
        // docs/openapi.yaml, which the EmbedOpenAPIDocument plugin embeds at build time.
        .target(
            name: "CaseworkerAPI",
            dependencies: [
                "CaseworkerImport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "CaseworkerStore",
                "CaseworkerWebhookSigning",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            plugins: ["EmbedOpenAPIDocument"]
        ),
        // Build tool: docs/openapi.yaml as a Swift string in the target that uses it.
        .plugin(name: "EmbedOpenAPIDocument", capability: .buildTool(), dependencies: ["embed-text"]),
        .executableTarget(name: "embed-text", path: "Plugins/embed-text"),
        // The operators' dashboard under /ui: server-rendered HTML pages, sign-in sessions, CSRF.
        // Talks to CaseworkerStore only, on the API's router and request context.
        .target(
            name: "CaseworkerDashboard",
            dependencies: [
                "CaseworkerAPI",
                "CaseworkerStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Configuration and the wiring of services into one process.
        .target(
            name: "CaseworkerServer",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "CaseworkerAPI",
                "CaseworkerDashboard",
                "CaseworkerEngine",
                "CaseworkerOutbound",
                "CaseworkerPostgres",
                "CaseworkerSQLite",
                "CaseworkerWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The client library: generated from docs/openapi.yaml at build time by the generator's
        // plugin (Sources/CaseworkerClient/openapi.yaml links to it), plus the convenience layer.
        .target(
            name: "CaseworkerClient",
            dependencies: [
                "CaseworkerWebhookSigning",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The `caseworker` command line: parses arguments and calls into CaseworkerServer.
        .executableTarget(
            name: "caseworker",
            dependencies: [
                "CaseworkerServer", "CaseworkerSQLite", "CaseworkerPostgres", "CaseworkerStore", "CaseworkerCore", "CaseworkerImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark harness of bench/ (docs/PERFORMANCE.md): drives a real `caseworker serve`.
        .executableTarget(
            name: "caseworker-bench",
            dependencies: [
                "CaseworkerCore", "CaseworkerStore", "CaseworkerSQLite", "CaseworkerWebhooks", "CaseworkerWebhookSigning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/caseworker-bench"
        ),
        // Helpers the test targets share: a manual clock, waiting with a timeout, a port that
        // refuses connections, a JSON client of the API, a seeded random generator, a loopback
        // server for a test's receivers, a child process through swift-subprocess (never
        // Foundation's `Process`: its `run()` crashes intermittently on Linux). A plain target
        // (a test target cannot be depended on) that no product includes, so nothing ships it.
        .target(
            name: "CaseworkerTestSupport",
            dependencies: [
                "CaseworkerCore",
                "CaseworkerPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/CaseworkerTestSupport"
        ),
        .testTarget(name: "CaseworkerCoreTests", dependencies: ["CaseworkerCore", "CaseworkerTestSupport"]),
        .testTarget(name: "CaseworkerImportTests", dependencies: ["CaseworkerImport", "CaseworkerCore", "CaseworkerTestSupport"]),
        .testTarget(
            name: "CaseworkerSQLiteTests",
            dependencies: ["CaseworkerSQLite", "CaseworkerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "CaseworkerAPITests",
            dependencies: [
                "CaseworkerAPI", "CaseworkerSQLite", "CaseworkerEngine", "CaseworkerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The dashboard's routes against the real router and a real SQLite file.
        .testTarget(
            name: "CaseworkerDashboardTests",
            dependencies: [
                "CaseworkerDashboard", "CaseworkerAPI", "CaseworkerEngine", "CaseworkerSQLite", "CaseworkerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CaseworkerServerTests",
            dependencies: [
                "CaseworkerServer", "CaseworkerSQLite", "CaseworkerPostgres", "CaseworkerStore", "CaseworkerOutbound",
                "CaseworkerTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CaseworkerEngineTests",
            dependencies: [
                "CaseworkerEngine", "CaseworkerOutbound", "CaseworkerSQLite", "CaseworkerTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The dispatcher against real local receivers (Hummingbird on port 0) and a real SQLite file.
        .testTarget(
            name: "CaseworkerWebhooksTests",
            dependencies: [
                "CaseworkerWebhooks", "CaseworkerOutbound", "CaseworkerWebhookSigning", "CaseworkerSQLite", "CaseworkerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The store conformance suite: every store contract, written against the CaseworkerStore
        // protocols only. CaseworkerSQLite is imported by its factory (StoreUnderTest.swift) alone,
        // so the same suite runs unchanged against another store.
        .testTarget(
            name: "StoreConformanceTests",
            dependencies: ["CaseworkerStore", "CaseworkerCore", "CaseworkerSQLite", "CaseworkerPostgres", "CaseworkerTestSupport"]
        ),
        // The client library's own logic: webhook verification and decoding, long-poll timing.
        .testTarget(
            name: "CaseworkerClientTests",
            dependencies: ["CaseworkerClient", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")]
        ),
        // Runs the real `caseworker` binary as a subprocess (depends on it so `swift test` builds it),
        // also through the client library.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "caseworker", "CaseworkerCore", "CaseworkerStore", "CaseworkerSQLite", "CaseworkerClient", "CaseworkerTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
