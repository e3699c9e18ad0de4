import Foundation

// embed-text INPUT OUTPUT TYPE MEMBER
//
// Writes OUTPUT, a Swift file declaring `enum TYPE { static let MEMBER: String }` (internal)
// whose value is the text of INPUT, byte for byte (INPUT must be UTF-8). The text goes into a
// raw string literal with more `#` than any run in the text, so no content needs escaping.
// Used by the EmbedOpenAPIDocument build plugin.

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    FileHandle.standardError.write(Data("usage: embed-text INPUT OUTPUT TYPE MEMBER\n".utf8))
    exit(2)
}
let (input, output, type, member) = (arguments[1], arguments[2], arguments[3], arguments[4])
let text: String
do {
    text = try String(contentsOfFile: input, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("embed-text: cannot read \(input) as UTF-8: \(error)\n".utf8))
    exit(1)
}

// The longest run of `#` in the text decides the delimiter: one more.
var longest = 0
var run = 0
for character in text.unicodeScalars {
    run = character == "#" ? run + 1 : 0
    longest = max(longest, run)
}
let hashes = String(repeating: "#", count: longest + 1)
let name = URL(fileURLWithPath: input).lastPathComponent

// A multi-line raw string drops the newline after its opening delimiter and the one before its
// closing delimiter, so the text sits between two added newlines.
let source = """
    // Generated at build time by the EmbedOpenAPIDocument plugin from \(name). Do not edit.

    /// The text of `\(name)`, embedded at build time.
    enum \(type) {
        static let \(member): String = \(hashes)\"\"\"
    \(text)
    \"\"\"\(hashes)
    }

    """
do {
    try source.write(toFile: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("embed-text: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
