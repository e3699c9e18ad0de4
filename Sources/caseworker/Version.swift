import ArgumentParser
import CaseworkerServer

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("caseworker \(CaseworkerVersion.current)")
    }
}
