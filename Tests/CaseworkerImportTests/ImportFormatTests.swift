import CaseworkerImport
import Testing

@Suite struct ImportFormatTests {
    @Test func formatsAreNamedAsInTheQuery() {
        #expect(ImportFormat(rawValue: "conductor") == .conductor)
        #expect(ImportFormat(rawValue: "invopop") == .invopop)
        #expect(ImportFormat.names == "conductor, invopop")
    }
}
