/// Waiting for something a service does in the background, every wait with a timeout.
///
/// Both poll every `every` (10 ms) until the condition holds or `timeout` (30 s) passes, then
/// throw `TimedOut`, which names what was awaited and the line that waited.

/// Waits until `condition` holds.
public func waitFor(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(10),
    fileID: String = #fileID, line: Int = #line, _ condition: () async throws -> Bool
) async throws {
    _ = try await waitForValue(what, timeout: timeout, every: interval, fileID: fileID, line: line) {
        try await condition() ? true : nil
    }
}

/// Waits until `value` gives a value, and returns it.
public func waitForValue<T>(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(10),
    fileID: String = #fileID, line: Int = #line, _ value: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await value() { return value }
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what, fileID: fileID, line: line) }
        try await Task.sleep(for: interval)
    }
}

/// A `waitFor` or `waitForValue` that ran out of time.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var fileID: String
    public var line: Int

    public init(what: String, fileID: String = #fileID, line: Int = #line) {
        (self.what, self.fileID, self.line) = (what, fileID, line)
    }

    public var description: String { "timed out waiting for \(what) (\(fileID):\(line))" }
}
