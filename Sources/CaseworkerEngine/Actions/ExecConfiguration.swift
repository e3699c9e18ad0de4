import CaseworkerCore

/// What `exec` steps may run (`engine.exec.*`).
public struct ExecConfiguration: Sendable, Hashable {
    /// `engine.exec.maxOutputBytes`, default 1 MiB.
    public static let defaultMaxOutputBytes = 1 << 20
    /// The largest `engine.exec.maxOutputBytes` accepted: 64 MiB.
    public static let largestMaxOutputBytes = 64 << 20

    /// `engine.exec.programs`: the programs by name. Empty by default: nothing can be executed
    /// until an operator lists a program.
    public var programs: [String: ExecProgram]
    /// `engine.exec.maxOutputBytes`: the most a program may write to stdout; past it the program's
    /// process group is killed and the step ends `KO` `output_too_large`.
    public var maxOutputBytes: Int

    public init(programs: [String: ExecProgram] = [:], maxOutputBytes: Int = Self.defaultMaxOutputBytes) {
        self.programs = programs
        self.maxOutputBytes = maxOutputBytes
    }

    /// Whether `name` may name a program: 1–64 letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        Identifier.matches(name, maxLength: 64)
    }
}
