/// Everything wrong with a configuration, each problem with the key (or file) it concerns.
public struct ConfigProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The configuration key (`server.listen`), environment variable or file path at fault.
        public var key: String
        public var message: String

        public var description: String { "\(key): \(message)" }
    }

    public var problems: [Problem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
