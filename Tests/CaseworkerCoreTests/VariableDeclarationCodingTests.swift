import Foundation
import Testing
@testable import CaseworkerCore

@Suite struct VariableDeclarationCodingTests {
    @Test func encodesTheDeclarationForm() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let full = VariableDeclaration(type: .integer, defaultValue: 50, required: true, description: "d")
        #expect(String(decoding: try encoder.encode(full), as: UTF8.self)
            == #"{"default":50,"description":"d","required":true,"type":"integer"}"#)
        let bare = VariableDeclaration(type: .string)
        #expect(String(decoding: try encoder.encode(bare), as: UTF8.self) == #"{"type":"string"}"#)
    }

    @Test func roundTrips() throws {
        let declarations = [
            VariableDeclaration(type: .integer, defaultValue: 50, required: true, description: "d"),
            VariableDeclaration(type: .object, defaultValue: ["a": [1, "b"]]),
            VariableDeclaration(type: .boolean),
        ]
        for declaration in declarations {
            let data = try JSONEncoder().encode(declaration)
            #expect(try JSONDecoder().decode(VariableDeclaration.self, from: data) == declaration)
        }
    }

    @Test func decodingAppliesDefaultsAndRefusesMismatchedDefaults() throws {
        let decoded = try JSONDecoder().decode(VariableDeclaration.self, from: Data(#"{"type":"boolean"}"#.utf8))
        #expect(decoded == VariableDeclaration(type: .boolean, required: false))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VariableDeclaration.self, from: Data(#"{"type":"integer","default":"x"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VariableDeclaration.self, from: Data(#"{"type":"text"}"#.utf8))
        }
    }
}
