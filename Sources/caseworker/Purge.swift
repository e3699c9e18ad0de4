import ArgumentParser
import CaseworkerCore
import CaseworkerServer
import Foundation

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete finished runs and delivered webhook events older than an age.",
        discussion: """
            Removes runs that finished before --finished-before (with their execution timeline) \
            and webhook events older than --events-before whose deliveries have all ended. Active \
            runs and pending deliveries are never removed. The daemon does the same hourly with \
            retention.finishedRuns and retention.deliveredEvents.
            """)

    @OptionGroup var instance: InstanceOptions

    @Option(name: .customLong("finished-before"), help: "An age: runs that finished longer ago are removed, e.g. 30d, 12h.")
    var finishedBefore: String

    @Option(name: .customLong("events-before"), help: "An age for delivered webhook events. (default: the same age)")
    var eventsBefore: String?

    func validate() throws {
        for text in [finishedBefore, eventsBefore].compactMap({ $0 }) where DurationText.parse(text) == nil {
            throw ValidationError("'\(text)' is not a duration such as 30d, 12h, 45m")
        }
    }

    func run() async throws {
        let now = Date()
        func cutoff(_ text: String) -> Date { now.addingTimeInterval(-Double(DurationText.parse(text)!.components.seconds)) }
        let (runsBefore, eventsBefore) = (cutoff(finishedBefore), cutoff(eventsBefore ?? finishedBefore))
        let counts = try await instance.withMigratedStore { store in
            try await store.purge(runsFinishedBefore: runsBefore, eventsBefore: eventsBefore)
        }
        print("purged \(counts)")
    }
}
