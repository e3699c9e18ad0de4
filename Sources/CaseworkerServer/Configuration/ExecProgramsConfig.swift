import CaseworkerEngine
import Foundation
import Yams

/// `engine.exec.programs` — the programs `exec` steps may run — read from the configuration file:
///
/// ```yaml
/// engine:
///   exec:
///     programs:
///       sanctions-check:
///         path: /usr/local/lib/caseworker/checks/sanctions.py
///         environment: {PATH: /usr/bin:/bin, LANG: C.UTF-8}
/// ```
///
/// A map of names to entries has no environment-variable form: the key is read from the file only
/// (`CASEWORKER_ENGINE_EXEC_PROGRAMS` is refused). Each entry is checked as the user running the
/// check (`caseworker check-config` runs as the daemon's user under systemd, in `ExecStartPre`):
/// a name of 1–64 letters, digits, `.`, `_` or `-`; `path` absolute, an existing regular file the
/// user may execute; `environment` a map of variable names (`[A-Za-z_][A-Za-z0-9_]*`) to values.
/// Every problem is reported with the key it concerns (`engine.exec.programs.<name>.path`).
enum ExecProgramsConfig {
    static let key = "engine.exec.programs"

    /// The programs the file at `path` lists; problems are appended to `problems`.
    static func read(fileAt path: String, problems: inout [ConfigProblems.Problem]) -> [String: ExecProgram] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? Yams.compose(yaml: text),
            let node = root["engine"]?["exec"]?["programs"]
        else { return [:] }
        return parse(node, problems: &problems)
    }

    static func parse(_ node: Node, problems: inout [ConfigProblems.Problem]) -> [String: ExecProgram] {
        if let scalar = node.scalar, ["", "~", "null"].contains(scalar.string) { return [:] }
        guard let entries = node.mapping else {
            problems.append(.init(key: key, message: "must be a mapping of program names to {path, environment}"))
            return [:]
        }
        var programs: [String: ExecProgram] = [:]
        for (nameNode, entry) in entries {
            let name = nameNode.string ?? "\(nameNode)"
            let entryKey = "\(key).\(name)"
            guard ExecConfiguration.isValidName(name) else {
                problems.append(.init(key: entryKey, message: "is not a valid program name (1–64 letters, digits, '.', '_' or '-')"))
                continue
            }
            if let program = parseEntry(entry, key: entryKey, problems: &problems) { programs[name] = program }
        }
        return programs
    }

    private static func parseEntry(_ entry: Node, key: String, problems: inout [ConfigProblems.Problem]) -> ExecProgram? {
        guard let members = entry.mapping else {
            problems.append(.init(key: key, message: "must be a mapping with path and, optionally, environment"))
            return nil
        }
        let before = problems.count
        for (memberNode, _) in members where !["path", "environment"].contains(memberNode.string ?? "") {
            problems.append(.init(key: "\(key).\(memberNode.string ?? "\(memberNode)")", message: "is not a program member (path, environment)"))
        }
        var path = ""
        if let text = members["path"]?.scalar?.string, !text.isEmpty {
            path = text
            if let problem = executableProblem(text) { problems.append(.init(key: "\(key).path", message: problem)) }
        } else {
            problems.append(.init(key: "\(key).path", message: "is required: the absolute path of the program"))
        }
        var environment: [String: String] = [:]
        if let node = members["environment"] {
            if let variables = node.mapping {
                for (nameNode, valueNode) in variables {
                    let name = nameNode.string ?? "\(nameNode)"
                    guard isVariableName(name) else {
                        problems.append(.init(key: "\(key).environment.\(name)", message: "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"))
                        continue
                    }
                    guard let value = valueNode.scalar?.string, !value.contains("\0") else {
                        problems.append(.init(key: "\(key).environment.\(name)", message: "must be a string"))
                        continue
                    }
                    environment[name] = value
                }
            } else if !(node.scalar.map { ["", "~", "null"].contains($0.string) } ?? false) {
                problems.append(.init(key: "\(key).environment", message: "must be a mapping of variable names to values"))
            }
        }
        return problems.count == before ? ExecProgram(path: path, environment: environment) : nil
    }

    /// Why `path` cannot be run, or `nil`.
    static func executableProblem(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return "must be an absolute path, got \"\(path)\"" }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file: \(path)" }
        if isDirectory.boolValue { return "is a directory, not a program: \(path)" }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return "is not executable by this user: \(path) (chmod +x, or check the owner and mode)"
        }
        return nil
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
    }
}
