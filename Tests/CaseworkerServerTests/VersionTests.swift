import CaseworkerServer
import Foundation
import Testing

/// The version is defined once, `CaseworkerVersion.current`: `caseworker version` prints it,
/// scripts/package-deb.sh names the Debian package after what the binary prints, and the OpenAPI
/// document's `info.version` must say the same.
@Suite struct VersionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theOpenAPIDocumentCarriesTheVersion() throws {
        let document = try String(contentsOf: Self.repository.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(
            document.contains("\ninfo:\n  title: Caseworker\n  version: \(CaseworkerVersion.current)\n"),
            "docs/openapi.yaml's info.version differs from CaseworkerVersion.current (then run scripts/embed-openapi.sh)")
    }

    /// SemVer (`1.2.3`, `1.2.3-rc.1`): package-deb.sh makes each "-" a "~", which has to
    /// give a Debian version that sorts a pre-release before its release.
    @Test func theVersionMakesADebianVersion() {
        let version = CaseworkerVersion.current
        #expect(version.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?/) != nil, "\(version) is not SemVer")
        let debian = version.replacingOccurrences(of: "-", with: "~")
        #expect(debian.wholeMatch(of: /[0-9][0-9A-Za-z.+~]*/) != nil, "\(debian) is not a Debian version")
    }
}
