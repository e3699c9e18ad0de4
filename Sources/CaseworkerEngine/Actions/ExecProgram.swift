/// An entry of `engine.exec.programs`: a program `exec` steps may run, under the entry's name.
///
/// The program is started directly (no shell, no `PATH` lookup) as the daemon's user, with
/// `environment` as its whole environment: nothing of the daemon's is passed on, not even `PATH`
/// or `HOME`, so list what the program needs.
public struct ExecProgram: Sendable, Hashable {
    /// The absolute path of the executable (`caseworker check-config` checks that it exists and
    /// is executable).
    public var path: String
    /// The variables the program gets, and no others.
    public var environment: [String: String]

    public init(path: String, environment: [String: String] = [:]) {
        self.path = path
        self.environment = environment
    }
}
