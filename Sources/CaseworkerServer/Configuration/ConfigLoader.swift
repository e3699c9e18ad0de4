import CaseworkerCore
import CaseworkerEngine
import CaseworkerOutbound
import CaseworkerPostgres
import CaseworkerSQLite
import CaseworkerWebhooks
import Configuration
import Foundation
import Logging
import SystemPackage
import Yams

/// Reads the configuration with apple/swift-configuration, in this order of precedence:
/// command-line flags (`--listen`), `CASEWORKER_*` environment variables, then the YAML file
/// (or, with `--dev`, the dev defaults), then the built-in defaults.
///
/// Validation is exhaustive: `load` reports every problem at once (unknown keys, wrong types,
/// out-of-range values), each with its key, so `caseworker check-config` can list them all.
public enum ConfigLoader {
    public struct Overrides: Sendable {
        /// `--listen HOST:PORT`.
        public var listen: String?

        public init(listen: String? = nil) {
            self.listen = listen
        }
    }

    public static func load(
        _ selection: InstanceSelection,
        overrides: Overrides = .init(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ConfigProblems) -> CaseworkerConfig {
        var problems: [ConfigProblems.Problem] = []
        var providers: [any ConfigProvider] = []

        if let listen = overrides.listen {
            providers.append(InMemoryProvider(name: "flags", values: ["server.listen": ConfigValue(.string(listen), isSecret: false)]))
        }
        providers.append(
            EnvironmentVariablesProvider(
                environmentVariables: caseworkerVariables(environment, problems: &problems), secretsSpecifier: .specific(["DATABASE_URL"])))
        switch selection {
        case .file(let path):
            do {
                // A file that sets nothing (only comments) means the defaults; swift-configuration's
                // YAML provider would refuse it, so it is left out.
                if let unknown = try unknownKeys(inFile: path) {
                    problems += unknown
                    providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
                }
            } catch {
                throw ConfigProblems(problems: problems + [.init(key: path, message: describeFileError(error, path: path))])
            }
        case .dev(let directory):
            let path = URL(fileURLWithPath: directory).appendingPathComponent("caseworker.sqlite").path
            providers.append(
                InMemoryProvider(
                    name: "dev",
                    values: [
                        "database.path": ConfigValue(.string(path), isSecret: false),
                        "log.format": ConfigValue(.string("text"), isSecret: false),
                    ]))
        }

        let reader = ConfigReader(providers: providers)
        var config = CaseworkerConfig()
        var fields = Fields(reader: reader)
        await fields.read("server.listen", into: &config.server.listen, "must be HOST:PORT, e.g. 127.0.0.1:8080", ListenAddress.init)
        await fields.read("server.maxBodyBytes", into: &config.server.maxBodyBytes, in: 1024...(64 << 20))
        await fields.read("server.idempotencyKeyHours", into: &config.server.idempotencyKeyHours, in: 1...720)
        await fields.read("server.idleTimeoutSeconds", into: &config.server.idleTimeoutSeconds, in: 1...3600)
        await fields.read("server.requestTimeoutSeconds", into: &config.server.requestTimeoutSeconds, in: 1...3600)
        await fields.read("database.path", into: &config.database.path, "must be a file path") { $0.isEmpty ? nil : $0 }
        await fields.read("database.synchronous", into: &config.database.synchronous, "must be full or normal") {
            SQLiteStore.Synchronous(rawValue: $0.lowercased())
        }
        await fields.read("database.busyTimeoutMilliseconds", into: &config.database.busyTimeoutMilliseconds, in: 0...600_000)
        await fields.readDatabaseURL(into: &config.database)
        await fields.read("engine.maxConcurrentRuns", into: &config.engine.maxConcurrentRuns, in: 1...10_000)
        await fields.read("engine.maxStepsPerRun", into: &config.engine.maxStepsPerRun, in: 1...1_000_000)
        await fields.read("limits.maxValueDepth", into: &config.limits.maxDepth, in: 8...ValueLimits.maxConfigurableDepth)
        await fields.read("limits.maxValueBytes", into: &config.limits.maxBytes, in: 1024...(64 << 20))
        await fields.read("limits.maxStateBytes", into: &config.limits.maxStateBytes, in: 1024...(256 << 20))
        await fields.read("limits.evaluationBudget", into: &config.limits.evaluationBudget, in: 1000...1_000_000_000)
        await fields.read("limits.maxRateKeyBytes", into: &config.limits.maxRateKeyBytes, in: 1...65_536)
        config.engine.limits = config.limits
        var graceSeconds = 20
        await fields.read("engine.shutdownGraceSeconds", into: &graceSeconds, in: 0...3600)
        config.engine.shutdownGrace = .seconds(graceSeconds)
        await fields.read("engine.maxExecutorFailures", into: &config.engine.maxExecutorFailures, in: 1...1000)
        var leaseSeconds = 6
        var heartbeatSeconds = 2
        await fields.read("engine.leaseSeconds", into: &leaseSeconds, in: 2...3600)
        await fields.read("engine.heartbeatSeconds", into: &heartbeatSeconds, in: 1...3599)
        if heartbeatSeconds >= leaseSeconds {
            fields.fail("engine.heartbeatSeconds", "must be less than engine.leaseSeconds (\(leaseSeconds)), got \(heartbeatSeconds)")
        }
        await fields.read("engine.maxBranches", into: &config.engine.maxBranches, in: 1...ParallelStep.maxBranches)
        config.engine.lease = .seconds(leaseSeconds)
        config.engine.heartbeat = .seconds(heartbeatSeconds)
        await fields.readNetworks("engine.httpAllowedNetworks", into: &config.engineHTTPAllowedNetworks)
        await fields.read("engine.exec.maxOutputBytes", into: &config.engineExec.maxOutputBytes, in: 1...ExecConfiguration.largestMaxOutputBytes)
        if case .file(let path) = selection { config.engineExec.programs = ExecProgramsConfig.read(fileAt: path, problems: &problems) }
        await fields.read(
            "log.level", into: &config.log.level,
            "must be one of trace, debug, info, notice, warning, error, critical"
        ) { Logger.Level(rawValue: $0.lowercased()) }
        await fields.read("log.format", into: &config.log.format, "must be json or text") { LogSetup.Format(rawValue: $0.lowercased()) }
        for (key, keyPath) in [
            ("retention.finishedRuns", \CaseworkerConfig.retention.finishedRuns),
            ("retention.deliveredEvents", \CaseworkerConfig.retention.deliveredEvents),
        ] {
            await fields.read(key, into: &config[keyPath: keyPath], "must be a duration such as 90d, 12h or 0s (keep forever)") {
                DurationText.parse($0)
            }
        }
        await fields.readList(
            "webhooks.schedule", into: &config.webhooks.schedule,
            "must be a non-empty list of at most 100 durations (e.g. 0s, 5s, 5m, 2h; a bare number is seconds)"
        ) { items in
            let delays = items.compactMap(DurationText.parse)
            return delays.count == items.count && (1...100).contains(delays.count) ? delays : nil
        }
        await fields.read("webhooks.jitter", into: &config.webhooks.jitter, in: 0...1)
        await fields.read("webhooks.attemptTimeoutSeconds", into: &config.webhooks.attemptTimeoutSeconds, in: 1...300)
        await fields.read("webhooks.maxInFlightPerEndpoint", into: &config.webhooks.maxInFlightPerEndpoint, in: 1...1024)
        await fields.read("webhooks.maxInFlight", into: &config.webhooks.maxInFlight, in: 1...10000)
        await fields.read("webhooks.disableAfterFailingHours", into: &config.webhooks.disableAfterFailingHours, in: 1...8760)
        await fields.readNetworks("webhooks.allowedNetworks", into: &config.webhooks.allowedNetworks)
        await fields.read(
            "metrics.listen", into: &config.metrics.listen,
            "must be empty (serve /metrics on server.listen) or HOST:PORT, e.g. 127.0.0.1:9464"
        ) { text in text.isEmpty ? .some(nil) : ListenAddress(text).map { .some($0) } }
        let booleans = ["true": true, "false": false, "yes": true, "no": false]
        await fields.read("ui.enabled", into: &config.ui.enabled, "must be true or false") { booleans[$0.lowercased()] }
        await fields.read("ui.secureCookies", into: &config.ui.secureCookies, "must be true or false") { booleans[$0.lowercased()] }
        await fields.read("ui.trustForwardedProto", into: &config.ui.trustForwardedProto, "must be true or false") { booleans[$0.lowercased()] }
        var idleMinutes = 30
        var sessionHours = 12
        await fields.read("ui.sessionIdleMinutes", into: &idleMinutes, in: 1...1440)
        await fields.read("ui.sessionHours", into: &sessionHours, in: 1...720)
        config.ui.sessionIdle = .seconds(idleMinutes * 60)
        config.ui.sessionLifetime = .seconds(sessionHours * 3600)
        await fields.read("ui.loginAttemptsPerMinute", into: &config.ui.loginAttemptsPerMinute, in: 1...1000)
        problems += fields.problems
        if let listen = config.metrics.listen, listen == config.server.listen, listen.port != 0 {
            problems.append(.init(key: "metrics.listen", message: "must differ from server.listen, or be empty to serve /metrics there"))
        }

        if !problems.isEmpty { throw ConfigProblems(problems: problems) }
        return config
    }

    /// The `CASEWORKER_*` variables with the prefix removed, as the environment provider expects
    /// them (`CASEWORKER_SERVER_LISTEN` → `SERVER_LISTEN` → key `server.listen`). Unknown
    /// `CASEWORKER_*` variables are problems: a typo must not silently do nothing.
    private static func caseworkerVariables(_ environment: [String: String], problems: inout [ConfigProblems.Problem]) -> [String: String] {
        let known = Set(CaseworkerConfig.keys.map(CaseworkerConfig.environmentName(for:)))
        var variables: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("CASEWORKER_") {
            if name == CaseworkerConfig.environmentName(for: ExecProgramsConfig.key) {
                problems.append(.init(key: name, message: "cannot be set from the environment: list programs under engine.exec.programs in the file"))
                continue
            }
            guard known.contains(name) else {
                // Variables the test and bench tooling use are not configuration keys.
                if !["CASEWORKER_BINARY", "CASEWORKER_TEST_PYTHON"].contains(name) {
                    problems.append(.init(key: name, message: "is not a configuration variable"))
                }
                continue
            }
            variables[String(name.dropFirst("CASEWORKER_".count))] = value
        }
        return variables
    }

    /// Keys in the file that the configuration does not know (typos, or keys of a newer version);
    /// `nil` when the file holds no YAML document at all.
    private static func unknownKeys(inFile path: String) throws -> [ConfigProblems.Problem]? {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.compose(yaml: text) else { return nil }
        guard let mapping = root.mapping else { throw NotAMapping() }
        let known = Set(CaseworkerConfig.keys)
        let sections = Set(known.map { String($0.split(separator: ".")[0]) })
        var problems: [ConfigProblems.Problem] = []
        for (sectionNode, value) in mapping {
            let section = sectionNode.string ?? "\(sectionNode)"
            guard sections.contains(section) else {
                problems.append(.init(key: section, message: "is not a configuration section (known: \(sections.sorted().joined(separator: ", ")))"))
                continue
            }
            if let scalar = value.scalar, ["", "~", "null"].contains(scalar.string) { continue }  // an empty section
            guard let members = value.mapping else {
                problems.append(.init(key: section, message: "must be a mapping of keys"))
                continue
            }
            for (keyNode, value) in members {
                let key = "\(section).\(keyNode.string ?? "\(keyNode)")"
                if known.contains(key) { continue }
                // A group of keys (`engine.exec`): its members are keys.
                if known.contains(where: { $0.hasPrefix(key + ".") }), let group = value.mapping {
                    for (memberNode, _) in group where !known.contains("\(key).\(memberNode.string ?? "\(memberNode)")") {
                        problems.append(.init(key: "\(key).\(memberNode.string ?? "\(memberNode)")", message: "is not a configuration key"))
                    }
                    continue
                }
                problems.append(.init(key: key, message: "is not a configuration key"))
            }
        }
        return problems
    }

    private struct NotAMapping: Error {}

    private static func describeFileError(_ error: any Error, path: String) -> String {
        if error is NotAMapping { return "must be a YAML mapping of sections (server, database, engine, log, retention, webhooks, metrics, limits, ui)" }
        if let error = error as? CocoaError, error.code == .fileReadNoSuchFile {
            return "no such file (create one from etc/caseworker.yaml, or use --dev)"
        }
        if let error = error as? YamlError { return "is not valid YAML: \(error)" }
        return "cannot be read: \(error)"
    }
}

/// Reads typed keys one by one, collecting a problem per invalid key instead of stopping.
private struct Fields {
    let reader: ConfigReader
    var problems: [ConfigProblems.Problem] = []

    mutating func read<Value>(
        _ key: String, into value: inout Value, _ expectation: String, _ parse: (String) -> Value?
    ) async {
        do {
            guard let text = try await reader.fetchString(forKey: ConfigKey(key)) else { return }
            if let parsed = parse(text) { value = parsed } else { fail(key, "\(expectation), got \"\(text)\"") }
        } catch {
            fail(key, expectation)
        }
    }

    mutating func read(_ key: String, into value: inout Int, in range: ClosedRange<Int>) async {
        let expectation = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        do {
            guard let number = try await reader.fetchInt(forKey: ConfigKey(key)) else { return }
            if range.contains(number) { value = number } else { fail(key, "\(expectation), got \(number)") }
        } catch {
            fail(key, expectation)
        }
    }

    mutating func read(_ key: String, into value: inout Double, in range: ClosedRange<Double>) async {
        let expectation = "must be a number from \(range.lowerBound) to \(range.upperBound)"
        do {
            guard let number = try await reader.fetchDouble(forKey: ConfigKey(key)) else { return }
            if range.contains(number) { value = number } else { fail(key, "\(expectation), got \(number)") }
        } catch {
            fail(key, expectation)
        }
    }

    /// A list: a YAML sequence, or comma-separated in an environment variable. Empty items (a
    /// trailing comma, an empty variable) are ignored.
    mutating func readList<Value>(
        _ key: String, into value: inout Value, _ expectation: String, _ parse: ([String]) -> Value?
    ) async {
        do {
            guard let items = try await reader.fetchStringArray(forKey: ConfigKey(key)) else { return }
            let trimmed = items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let parsed = parse(trimmed) { value = parsed } else { fail(key, "\(expectation), got \(items)") }
        } catch {
            fail(key, expectation)
        }
    }

    /// A list of CIDR networks (an allow-list of an SSRF guard).
    mutating func readNetworks(_ key: String, into value: inout [CIDR]) async {
        await readList(key, into: &value, "must be a list of CIDR networks, e.g. 127.0.0.0/8 or fd00::/8") { items in
            let networks = items.compactMap(CIDR.init)
            return networks.count == items.count ? networks : nil
        }
    }

    /// `database.url`, `database.passwordFile` and `database.maxConnections` into `database.url`'s
    /// options. A problem never repeats the URL or the file's content: both may hold the password.
    mutating func readDatabaseURL(into database: inout CaseworkerConfig.Database) async {
        await read("database.maxConnections", into: &database.maxConnections, in: 1...1000)
        await read("database.passwordFile", into: &database.passwordFile, "must be a file path") { .some($0.isEmpty ? nil : $0) }
        let urlProblem: Bool
        do {
            if let text = try await reader.fetchString(forKey: "database.url", isSecret: true), !text.isEmpty {
                database.url = try PostgresOptions(url: text)
            }
            urlProblem = false
        } catch let error as PostgresOptionsError {
            fail("database.url", error.description)
            urlProblem = true
        } catch {
            fail("database.url", "must be a string, a URL postgres://USER[:PASSWORD]@HOST[:PORT]/DB")
            urlProblem = true
        }
        if let path = database.passwordFile {
            if database.url == nil && !urlProblem {
                fail("database.passwordFile", "is set but database.url is not: it holds the PostgreSQL password")
            } else {
                do {
                    let password = String(try String(contentsOfFile: path, encoding: .utf8).reversed().drop(while: \.isNewline).reversed())
                    if password.isEmpty { fail("database.passwordFile", "\(path) is empty") } else { database.url?.password = password }
                } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
                    fail("database.passwordFile", "no such file: \(path)")
                } catch let error as CocoaError where error.code == .fileReadNoPermission {
                    fail("database.passwordFile", "\(path) cannot be read by this user")
                } catch {
                    fail("database.passwordFile", "\(path) cannot be read")
                }
            }
        }
        database.url?.maximumConnections = database.maxConnections
    }

    mutating func fail(_ key: String, _ message: String) {
        problems.append(.init(key: key, message: message))
    }
}
