import Foundation
import CaseworkerTestSupport
import Testing

@testable import CaseworkerCore

// MARK: - Helpers

/// One (pattern, input, expected) case.
struct MatchCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let input: String
    let expected: Bool
    init(_ pattern: String, _ input: String, _ expected: Bool) {
        self.pattern = pattern
        self.input = input
        self.expected = expected
    }
    var testDescription: String {
        "/\(pattern)/ on \(input.debugDescription) → \(expected)"
    }
}

/// One refusal case: pattern, expected message, expected offset.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let message: String
    let offset: Int
    init(_ pattern: String, _ message: String, _ offset: Int) {
        self.pattern = pattern
        self.message = message
        self.offset = offset
    }
    var testDescription: String { "/\(pattern)/ → \(message) @\(offset)" }
}

/// Matches with an unlimited budget; the result must be decided.
func matches(_ pattern: String, _ input: String) throws -> Bool {
    let regex = try LinearRegex(pattern)
    var budget = Int.max
    let result = regex.firstMatch(in: input, budget: &budget)
    return try #require(result as Bool?)
}

func check(_ c: MatchCase) throws {
    #expect(try matches(c.pattern, c.input) == c.expected, "\(c.testDescription)")
}

/// Runs a match with an unlimited budget; returns the result and the units of budget spent.
func measure(_ regex: LinearRegex, _ input: String) -> (Bool?, Int) {
    var budget = Int.max
    let result = regex.firstMatch(in: input, budget: &budget)
    return (result, Int.max - budget)
}

// MARK: - Constructs

@Suite("Constructs")
struct ConstructTests {
    @Test(arguments: [
        MatchCase("abc", "xxabcxx", true),
        MatchCase("abc", "abx", false),
        MatchCase("", "", true),
        MatchCase("", "anything", true),
        MatchCase("a", "", false),
        MatchCase("\u{E9}", "caf\u{E9}", true),
        MatchCase("😀", "a😀b", true),
        MatchCase("/", "a/b", true),
        MatchCase("]", "]", true),
        MatchCase("}", "a}", true),
        MatchCase("a]b", "a]b", true),
        MatchCase("a b", "a b", true),
        MatchCase("ab", "a\u{0}b", false),
    ])
    func literals(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase(".", "a", true),
        MatchCase(".", "", false),
        MatchCase(".", "\n", false),
        MatchCase(".", "\r", false),
        MatchCase(".", "\u{2028}", false),
        MatchCase(".", "\u{2029}", false),
        MatchCase("a.c", "a\u{85}c", true),  // NEL is not an ECMA line terminator
        MatchCase("^.$", "\t", true),
        MatchCase("^.$", "😀", true),  // one scalar, even outside the BMP
        MatchCase("^..$", "😀", false),
        MatchCase("^.$", "e\u{301}", false),  // two scalars (e + combining acute)
        MatchCase("^..$", "e\u{301}", true),
        MatchCase("^...$", "a\nb", false),
    ])
    func dot(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^abc", "abcd", true),
        MatchCase("^abc", "xabc", false),
        MatchCase("abc$", "xabc", true),
        MatchCase("abc$", "abcx", false),
        MatchCase("^$", "", true),
        MatchCase("^$", "a", false),
        MatchCase("^abc$", "abc\n", false),  // `$` is end of input only
        MatchCase("^b", "a\nb", false),  // no multiline mode
        MatchCase("a$", "a\nb", false),
        MatchCase("a^b", "ab", false),
        MatchCase("a$b", "ab", false),
        MatchCase("^", "x", true),
        MatchCase("$", "x", true),
        MatchCase("(^a|b$)", "ba", false),
        MatchCase("(^a|b$)", "xb", true),
        MatchCase("x|^a", "ba", false),
        MatchCase("x|^a", "ab", true),
        MatchCase("^^a$$", "a", true),
    ])
    func anchors(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("a|b", "b", true),
        MatchCase("a|b", "c", false),
        MatchCase("cat|dog|bird", "hotdog", true),
        MatchCase("^(cat|dog)$", "catdog", false),
        MatchCase("a|", "zzz", true),  // empty alternative
        MatchCase("|", "", true),
        MatchCase("^(|a)$", "", true),
        MatchCase("^(|a)$", "a", true),
        MatchCase("^(|a)$", "aa", false),
        MatchCase("^(a||b)$", "b", true),
        MatchCase("^(a||b)$", "c", false),
        MatchCase("^(?:a|b)(?:c|d)$", "bd", true),
    ])
    func alternation(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^(ab)+$", "ababab", true),
        MatchCase("^(ab)+$", "aba", false),
        MatchCase("^(?:ab)+$", "abab", true),
        MatchCase("^(?<word>ab)c$", "abc", true),
        MatchCase("^(?<$x_1>a)$", "a", true),
        MatchCase("^(?<caf\u{E9}>a)$", "a", true),
        MatchCase("^((a)(b(c)))$", "abc", true),
        MatchCase("^()$", "", true),
        MatchCase("^(?:)$", "", true),
        MatchCase("a()b", "ab", true),
        MatchCase("^(a(b(c(d))))$", "abcd", true),
    ])
    func groups(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^a*$", "", true),
        MatchCase("^a*$", "aaa", true),
        MatchCase("^a*$", "aab", false),
        MatchCase("^a+$", "", false),
        MatchCase("^a+$", "aaaa", true),
        MatchCase("^ab?c$", "ac", true),
        MatchCase("^ab?c$", "abc", true),
        MatchCase("^ab?c$", "abbc", false),
        MatchCase("^a{3}$", "aaa", true),
        MatchCase("^a{3}$", "aa", false),
        MatchCase("^a{3}$", "aaaa", false),
        MatchCase("^a{2,}$", "a", false),
        MatchCase("^a{2,}$", "aaaaa", true),
        MatchCase("^a{2,4}$", "a", false),
        MatchCase("^a{2,4}$", "aa", true),
        MatchCase("^a{2,4}$", "aaaa", true),
        MatchCase("^a{2,4}$", "aaaaa", false),
        MatchCase("^a{0}$", "", true),
        MatchCase("^a{0}$", "a", false),
        MatchCase("^a{0,0}b$", "b", true),
        MatchCase("^a{0,1}$", "a", true),
        MatchCase("^a{1,1}$", "a", true),
        MatchCase("^a{0,}$", "aaa", true),
        MatchCase("^(ab){2}$", "abab", true),
        MatchCase("^(a{2}){3}$", "aaaaaa", true),
        MatchCase("^(a{2}){3}$", "aaaaa", false),
        MatchCase("^a{1000}$", String(repeating: "a", count: 1000), true),
        MatchCase("^a{1000}$", String(repeating: "a", count: 999), false),
        MatchCase("^a{0,1000}$", String(repeating: "a", count: 1000), true),
        MatchCase("^a{0,1000}$", String(repeating: "a", count: 1001), false),
        // lazy forms
        MatchCase("^a*?$", "aa", true),
        MatchCase("^a+?b$", "aab", true),
        MatchCase("^a+?$", "", false),
        MatchCase("^a??$", "a", true),
        MatchCase("^a??$", "aa", false),
        MatchCase("^a{2,3}?$", "aaa", true),
        MatchCase("^a{2,}?$", "aaaa", true),
        MatchCase("^a{2}?$", "aa", true),
    ])
    func quantifiers(_ c: MatchCase) throws { try check(c) }

    /// ECMA-262 Annex B: a `{` that does not form a quantifier is a literal.
    @Test(arguments: [
        MatchCase("a{", "a{", true),
        MatchCase("a{,5}", "a{,5}", true),
        MatchCase("^a{,5}$", "aaaaa", false),
        MatchCase("a{1,2", "a{1,2", true),
        MatchCase("{", "{", true),
        MatchCase("^x{a}$", "x{a}", true),
        MatchCase("^x{ 1}$", "x{ 1}", true),
        MatchCase("^}$", "}", true),
        MatchCase("^a{1}}$", "a}", true),
        MatchCase("^{}$", "{}", true),
    ])
    func braceLiterals(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^[abc]$", "b", true),
        MatchCase("^[abc]$", "d", false),
        MatchCase("^[a-z]+$", "hello", true),
        MatchCase("^[a-z]+$", "Hello", false),
        MatchCase("^[^abc]$", "d", true),
        MatchCase("^[^abc]$", "a", false),
        MatchCase("^[^abc]$", "\n", true),
        MatchCase("^[^abc]$", "😀", true),
        MatchCase("^[a-cx-z]$", "y", true),
        MatchCase("^[a-cx-z]$", "m", false),
        MatchCase("^[-a]$", "-", true),
        MatchCase("^[a-]$", "-", true),
        MatchCase("^[a\\-z]$", "-", true),
        MatchCase("^[a\\-z]$", "b", false),
        MatchCase("[]", "a", false),
        MatchCase("[]", "", false),
        MatchCase("[]a]", "a]", false),  // `[]` then "a]"
        MatchCase("^[^]$", "\n", true),
        MatchCase("^[^]$", "", false),
        MatchCase("^[\\]]$", "]", true),
        MatchCase("^[[]$", "[", true),
        MatchCase("^[.]$", "a", false),
        MatchCase("^[.]$", ".", true),
        MatchCase("^[$^]+$", "^$", true),
        MatchCase("^[*+?{}()|/]+$", "*+?{}()|/", true),
        MatchCase("^[\\u00e0-\\u00ff]$", "\u{E9}", true),
        MatchCase("^[\\u00e0-\\u00ff]$", "e", false),
        MatchCase("^[😀-😂]$", "😁", true),
        MatchCase("^[😀-😂]$", "😃", false),
        MatchCase("^[\\u{1F600}-\\u{1F602}]$", "😁", true),
        MatchCase("^[\\d-z]+$", "1-z", true),  // Annex B: \d, '-', 'z'
        MatchCase("^[\\d-z]$", "m", false),
        MatchCase("^[\\b]$", "\u{8}", true),
        MatchCase("^[\\w.]+$", "a.b_1", true),
        MatchCase("^[\\s]$", "\u{3000}", true),
        MatchCase("^[^\\d]$", "5", false),
        MatchCase("^[^\\D]$", "5", true),
        MatchCase("^[\\D\\d]$", "\n", true),
        MatchCase("^[\\x41-\\x43]+$", "ABC", true),
        MatchCase("^[\\x41-\\x43]+$", "ABCD", false),
        MatchCase("^[\\t\\n]+$", "\t\n", true),
        MatchCase("^[\\cJ]$", "\n", true),
        MatchCase("^[a-a]$", "a", true),
        MatchCase("^[\\0]$", "\u{0}", true),
    ])
    func classes(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^\\d+$", "0123456789", true),
        MatchCase("\\d", "abc", false),
        MatchCase("^\\d$", "\u{661}", false),  // ARABIC-INDIC DIGIT ONE: ECMA \d is ASCII only
        MatchCase("^\\D$", "a", true),
        MatchCase("^\\D$", "5", false),
        MatchCase("^\\w+$", "az_AZ09", true),
        MatchCase("\\w", "-", false),
        MatchCase("^\\w$", "\u{E9}", false),
        MatchCase("^\\W$", "\u{E9}", true),
        MatchCase("^\\W$", "_", false),
        MatchCase("^\\s$", "a", false),
        MatchCase("^\\s$", "\u{85}", false),  // NEL is not ECMA whitespace
        MatchCase("^\\s$", "\u{200B}", false),  // ZERO WIDTH SPACE is not Zs
        MatchCase("^\\s$", "\u{180E}", false),  // MONGOLIAN VOWEL SEPARATOR is no longer Zs
        MatchCase("^\\S$", " ", false),
        MatchCase("^\\S$", "a", true),
        MatchCase("^\\S+$", "😀x", true),
    ])
    func classEscapes(_ c: MatchCase) throws { try check(c) }

    /// Every ECMA-262 WhiteSpace and LineTerminator code point matches `\s` and not `\S`.
    @Test(arguments: [
        "\t", "\n", "\u{B}", "\u{C}", "\r", " ", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2001}",
        "\u{2005}", "\u{200A}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}",
    ])
    func whitespace(_ s: String) throws {
        #expect(try matches("^\\s$", s))
        #expect(try !matches("^\\S$", s))
        #expect(try matches("^[\\s]$", s))
        #expect(try !matches("^[^\\s]$", s))
    }

    @Test(arguments: [
        MatchCase("\\bfoo\\b", "a foo b", true),
        MatchCase("\\bfoo\\b", "afoo", false),
        MatchCase("\\bfoo\\b", "foo", true),
        MatchCase("\\bfoo\\b", "foo_", false),
        MatchCase("\\Bfoo", "afoo", true),
        MatchCase("\\Bfoo", "foo", false),
        MatchCase("^\\b$", "", false),
        MatchCase("^\\B$", "", true),
        MatchCase("\\b", " ", false),
        MatchCase("\\b", "a", true),
        MatchCase("a\\b", "a-", true),
        MatchCase("a\\b", "ab", false),
        MatchCase("\\b", "\u{E9}", false),  // é is not an ECMA word character
        MatchCase("x\\b", "x\u{E9}", true),
        MatchCase("^\\w+\\b.\\b\\w+$", "ab-cd", true),
    ])
    func wordBoundaries(_ c: MatchCase) throws { try check(c) }

    @Test(arguments: [
        MatchCase("^\\t$", "\t", true),
        MatchCase("^\\n$", "\n", true),
        MatchCase("^\\r$", "\r", true),
        MatchCase("^\\f$", "\u{C}", true),
        MatchCase("^\\v$", "\u{B}", true),
        MatchCase("^\\0$", "\u{0}", true),
        MatchCase("^\\0a$", "\u{0}a", true),
        MatchCase("^\\x41$", "A", true),
        MatchCase("^\\x4a$", "J", true),
        MatchCase("^\\x4A$", "J", true),
        MatchCase("^\\x412$", "A2", true),
        MatchCase("^\\u0041$", "A", true),
        MatchCase("^\\u00E9$", "\u{E9}", true),
        MatchCase("^\\u{1F600}$", "😀", true),
        MatchCase("^\\u{41}$", "A", true),
        MatchCase("^\\u{0000041}$", "A", true),
        MatchCase("^\\u{10FFFF}$", "\u{10FFFF}", true),
        MatchCase("^\\uD83D\\uDE00$", "😀", true),  // surrogate pair → one scalar
        MatchCase("\\uD83D", "😀", false),  // a lone surrogate never matches
        MatchCase("^\\cJ$", "\n", true),
        MatchCase("^\\ca$", "\u{1}", true),
        MatchCase("^\\cZ$", "\u{1A}", true),
        MatchCase("^a\\.b$", "axb", false),
        MatchCase("^a\\.b$", "a.b", true),
        MatchCase("^\\@\\#\\_\\ $", "@#_ ", true),  // other ASCII identity escapes
    ])
    func escapes(_ c: MatchCase) throws { try check(c) }

    /// Identity escapes of the syntax characters and `-`, inside and outside classes.
    @Test(arguments: Array("^$\\.*+?()[]{}|/-").map(String.init))
    func identityEscapes(_ s: String) throws {
        #expect(try matches("^\\\(s)$", s))
        #expect(try matches("^[\\\(s)]$", s))
        #expect(try !matches("^\\\(s)$", "x"))
    }

    /// Empty loops must terminate (and give the right answer).
    @Test(arguments: [
        MatchCase("^(a*)*$", "aaa", true),
        MatchCase("^(a*)*$", "aab", false),
        MatchCase("^(|a)+$", "aa", true),
        MatchCase("^(|a)+$", "ab", false),
        MatchCase("^(?:)*$", "", true),
        MatchCase("(?:)*", "x", true),
        MatchCase("^(?:)+x$", "x", true),
        MatchCase("^(a?)*b$", "aab", true),
        MatchCase("^(a*)+$", "", true),
        MatchCase("^(a*|b)*$", "abba", true),
        MatchCase("^(a*|b)*$", "abca", false),
        MatchCase("^(^)*a$", "a", true),
        MatchCase("^(\\b)*a$", "a", true),
        MatchCase("^(\\B|a)+$", "aa", true),
        MatchCase("^((a*)*)*$", "aaaa", true),
        MatchCase("^(a|b|)*c$", "ababc", true),
        MatchCase("(a*){1000}", "b", true),
        MatchCase("^(a*){1000}b$", "aaab", true),
        MatchCase("^(a?){5}b$", "aab", true),
        MatchCase("^(?:a*?)*?b$", "aaab", true),
        // ICU (NSRegularExpression) answers false to these two; V8 and this engine answer true.
        MatchCase("(?:(?<g29>(?:|\\d{2,})*)*?\\b)$", "abb-bb", true),
        MatchCase("(?<g34>(a?|a?a?[^b1]|\\W\\x61?[\\d.])+?)+ ", "1_1 -1", true),
    ])
    func emptyLoops(_ c: MatchCase) throws { try check(c) }
}

// MARK: - Refusals

@Suite("Refusals")
struct RefusalTests {
    @Test(arguments: [
        RefusalCase("(a", "unterminated group", 0),
        RefusalCase("a(b(c)", "unterminated group", 1),
        RefusalCase("a)", "unmatched ')'", 1),
        RefusalCase(")", "unmatched ')'", 0),
        RefusalCase("[ab", "unterminated character class", 0),
        RefusalCase("[a-", "unterminated character class", 0),
        RefusalCase("[\\]", "unterminated character class", 0),
        RefusalCase("*a", "nothing to repeat", 0),
        RefusalCase("a**", "nothing to repeat", 2),
        RefusalCase("a|+", "nothing to repeat", 2),
        RefusalCase("(?:+)", "nothing to repeat", 3),
        RefusalCase("(*)", "nothing to repeat", 1),
        RefusalCase("{2}", "nothing to repeat", 0),
        RefusalCase("a{2}{3}", "nothing to repeat", 4),
        RefusalCase("a???", "nothing to repeat", 3),
        RefusalCase("^*", "nothing to repeat", 1),
        RefusalCase("$+", "nothing to repeat", 1),
        RefusalCase("\\b+", "nothing to repeat", 2),
        RefusalCase("\\B{2}", "nothing to repeat", 2),
        RefusalCase("a{3,2}", "numbers out of order in {} quantifier", 1),
        RefusalCase("a{1001}", "repetition count exceeds 1000", 1),
        RefusalCase("a{0,1001}", "repetition count exceeds 1000", 1),
        RefusalCase("a{1001,}", "repetition count exceeds 1000", 1),
        RefusalCase("a{99999999999999999999}", "repetition count exceeds 1000", 1),
        RefusalCase("[z-a]", "range out of order in character class", 1),
        RefusalCase("a\\", "\\ at end of pattern", 1),
        RefusalCase("(a)\\1", "backreferences are not supported", 3),
        RefusalCase("\\9", "backreferences are not supported", 0),
        RefusalCase("(?<n>a)\\k<n>", "backreferences are not supported", 7),
        RefusalCase("(?=a)", "lookahead assertions are not supported", 0),
        RefusalCase("x(?!a)", "lookahead assertions are not supported", 1),
        RefusalCase("(?<=a)b", "lookbehind assertions are not supported", 0),
        RefusalCase("(?<!a)b", "lookbehind assertions are not supported", 0),
        RefusalCase("\\p{L}", "Unicode property escapes are not supported", 0),
        RefusalCase("\\P{Lu}", "Unicode property escapes are not supported", 0),
        RefusalCase("[\\p{L}]", "Unicode property escapes are not supported", 1),
        RefusalCase("(?i)a", "inline flags/modifiers are not supported", 0),
        RefusalCase("(?i:a)", "inline flags/modifiers are not supported", 0),
        RefusalCase("(?-i:a)", "inline flags/modifiers are not supported", 0),
        RefusalCase("(?#comment)", "invalid group", 0),
        RefusalCase("(?", "invalid group", 0),
        RefusalCase("(?<1a>x)", "invalid group name", 3),
        RefusalCase("(?<>x)", "invalid group name", 3),
        RefusalCase("(?<a", "invalid group name", 3),
        RefusalCase("(?<a-b>x)", "invalid group name", 3),
        RefusalCase("\\q", "invalid escape \\q", 0),
        RefusalCase("\\a", "invalid escape \\a", 0),
        RefusalCase("\\01", "octal escapes are not supported", 0),
        RefusalCase("[\\1]", "octal escapes are not supported", 1),
        RefusalCase("\\x4", "invalid \\x escape", 0),
        RefusalCase("\\xZZ", "invalid \\x escape", 0),
        RefusalCase("\\u12", "invalid \\u escape", 0),
        RefusalCase("\\u{110000}", "invalid \\u escape", 0),
        RefusalCase("\\u{}", "invalid \\u escape", 0),
        RefusalCase("\\u{41", "invalid \\u escape", 0),
        RefusalCase("\\c1", "invalid \\c escape", 0),
        RefusalCase("\\c", "invalid \\c escape", 0),
        RefusalCase("[\\B]", "invalid escape \\B in class", 1),
        RefusalCase("(a{1000}){1000}", "the pattern is too complex", 9),
        RefusalCase("😀😀(", "unterminated group", 2),  // offsets count Unicode scalars
        RefusalCase("e\u{301}[", "unterminated character class", 2),
    ])
    func refusal(_ c: RefusalCase) {
        #expect(throws: LinearRegex.SyntaxError(message: c.message, offset: c.offset)) {
            _ = try LinearRegex(c.pattern)
        }
    }

    @Test func syntaxErrorDescription() {
        let error = LinearRegex.SyntaxError(message: "nothing to repeat", offset: 3)
        #expect(error.description == "nothing to repeat (at offset 3)")
    }
}

// MARK: - Program size and complexity limits

@Suite("Program size")
struct ProgramSizeTests {
    @Test(arguments: [
        ("", 1), ("a", 2), ("abc", 4), ("a*", 4), ("a+", 3), ("a?", 3), ("a|b", 5), ("a|b|c", 8),
        ("a{2,3}", 5), ("a{3}", 4), ("a{2,}", 4), ("a{0,}", 4), ("a{0}", 1), ("(?:){1000}", 1),
        ("a{1000}", 1001), ("[a-z]\\d.", 4), ("^$\\b\\B", 5), ("(a|)", 4),
    ] as [(String, Int)])
    func sizes(_ pattern: String, _ size: Int) throws {
        #expect(try LinearRegex(pattern).programSize == size)
    }

    @Test func maxProgramSizeParameter() throws {
        #expect(try LinearRegex("abc", maxProgramSize: 4).programSize == 4)
        #expect(throws: LinearRegex.SyntaxError(message: "the pattern is too complex", offset: 2)) {
            _ = try LinearRegex("abc", maxProgramSize: 3)
        }
        #expect(throws: LinearRegex.SyntaxError.self) { _ = try LinearRegex("", maxProgramSize: 0) }
        #expect(try LinearRegex("(?:a{0}){5}", maxProgramSize: 1).programSize == 1)
        #expect(try LinearRegex("(a{100}){100}", maxProgramSize: Int.max).programSize == 10_001)
    }

    /// Refusals of complexity happen while parsing: no program is built first.
    @Test func tooComplexIsRefusedWhileParsing() throws {
        var sizes: [Int] = []
        do {
            let patterns = [
                "(a{1000}){1000}", "((a{1000}){1000}){1000}", "(?:a|b|c|d){1000}(?:x{1000}){1000}",
                String(repeating: "a", count: 100_000), String(repeating: "a|", count: 50_000),
                String(repeating: "(?:a*)", count: 10_000),
            ]
            for p in patterns {
                #expect(throws: LinearRegex.SyntaxError.self) { _ = try LinearRegex(p) }
            }
            // Zero-size repetitions are dropped, so nesting them costs nothing.
            sizes.append((try? LinearRegex("(((){1000}){1000}){1000}"))?.programSize ?? -1)
            sizes.append((try? LinearRegex("((?:){1000}){1000}x"))?.programSize ?? -1)
        }
        #expect(sizes == [1, 2])
    }

    @Test func nestingDepth() throws {
        let ok = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        #expect(try matches(ok, "a"))
        let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        #expect(throws: LinearRegex.SyntaxError(message: "the pattern is too complex", offset: 128)) {
            _ = try LinearRegex(deep)
        }
    }
}

// MARK: - Catastrophic patterns (exponential for backtracking engines)

@Suite("Catastrophic patterns")
struct CatastrophicTests {
    static let n = 10_000

    static let cases: [MatchCase] = [
        MatchCase("^(a+)+$", String(repeating: "a", count: n), true),
        MatchCase("^(a+)+$", String(repeating: "a", count: n - 1) + "!", false),
        MatchCase("(a|a)*b", String(repeating: "a", count: n), false),
        MatchCase("(a|a)*b", String(repeating: "a", count: n - 1) + "b", true),
        MatchCase("(a*)*b", String(repeating: "a", count: n), false),
        MatchCase("(a*)*b", String(repeating: "a", count: n - 1) + "b", true),
        MatchCase("^(\\w+\\s?)*$", String(repeating: "word ", count: n / 5), true),
        MatchCase("^(\\w+\\s?)*$", String(repeating: "word ", count: n / 5 - 1) + "word!", false),
        MatchCase("^(\\w+\\s?)*$", String(repeating: "a", count: n - 1) + "!", false),
        MatchCase("^(a|aa)+$", String(repeating: "a", count: n - 1) + "b", false),
        MatchCase("^(.*a){20}$", String(repeating: "a", count: n - 1) + "b", false),
        MatchCase("^(a?){100}a{100}$", String(repeating: "a", count: 100), true),
    ]

    @Test(arguments: cases)
    func stepsStayLinear(_ c: MatchCase) throws {
        let regex = try LinearRegex(c.pattern)
        let (result, steps) = measure(regex, c.input)
        let n = c.input.unicodeScalars.count
        #expect(result == c.expected)
        #expect(steps <= (n + 1) * regex.programSize)
    }
}

// MARK: - Budget

@Suite("Budget")
struct BudgetTests {
    @Test func exhaustionReturnsNil() throws {
        let regex = try LinearRegex("^(a+)+$")
        var budget = 1000
        #expect(regex.firstMatch(in: String(repeating: "a", count: 10_000), budget: &budget) == nil)
        #expect(budget == 0)
        var zero = 0
        #expect(regex.firstMatch(in: "", budget: &zero) == nil)
        var negative = -5
        #expect(regex.firstMatch(in: "a", budget: &negative) == nil)
        #expect(negative == -5)
    }

    /// The budget is the exact cost: with it the answer is decided, with one unit less it is not.
    @Test(arguments: [
        MatchCase("^(a+)+$", "aaaaaaaaaa", true),
        MatchCase("^(a+)+$", "aaaaaaaaab", false),
        MatchCase("(a|b)*c", "ababababx", false),
        MatchCase("b", "aaaab", true),
        MatchCase("", "", true),
        MatchCase("\\bx", "yyyy x", true),
    ])
    func exactBudget(_ c: MatchCase) throws {
        let regex = try LinearRegex(c.pattern)
        let (result, cost) = measure(regex, c.input)
        #expect(result == c.expected)
        #expect(cost > 0)
        #expect(cost <= (c.input.unicodeScalars.count + 1) * regex.programSize)

        var exact = cost
        #expect(regex.firstMatch(in: c.input, budget: &exact) == c.expected)
        #expect(exact == 0)

        var short = cost - 1
        #expect(regex.firstMatch(in: c.input, budget: &short) == nil)
        #expect(short == 0)

        var plenty = cost + 100
        #expect(regex.firstMatch(in: c.input, budget: &plenty) == c.expected)
        #expect(plenty == 100)
    }

    /// A budget shared across several calls stops the later ones.
    @Test func sharedBudget() throws {
        let regex = try LinearRegex("(a|b)*c")
        let input = String(repeating: "ab", count: 50)
        var budget = Int.max
        _ = regex.firstMatch(in: input, budget: &budget)
        let perCall = Int.max - budget
        budget = perCall * 3 + perCall / 2
        var decided = 0
        while regex.firstMatch(in: input, budget: &budget) != nil { decided += 1 }
        #expect(decided == 3)
    }
}

// MARK: - Value semantics and concurrency

@Suite("Value semantics")
struct ValueTests {
    @Test func hashableBySource() throws {
        let a = try LinearRegex("a+b")
        let b = try LinearRegex("a+b", maxProgramSize: 10)
        let c = try LinearRegex("a+c")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        #expect(a.source == "a+b")
    }

    @Test func concurrentUse() async throws {
        let regex = try LinearRegex("^(\\w+\\s?)*$")
        let results = await withTaskGroup(of: Bool?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    var budget = 10_000_000
                    let input = String(repeating: "word ", count: 200) + (i.isMultiple(of: 2) ? "" : "!")
                    return regex.firstMatch(in: input, budget: &budget)
                }
            }
            var all: [Bool?] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.filter { $0 == true }.count == 4)
        #expect(results.filter { $0 == false }.count == 4)
    }
}

// MARK: - Differential test against NSRegularExpression

/// Random patterns over a small ASCII alphabet, restricted to constructs where ECMA-262 and ICU
/// agree: no newlines in inputs (ICU's `$` also matches before a final line terminator), no `[`
/// inside classes, no literal `{`, no `\u{…}`, no non-ASCII, no empty pattern (Foundation on Linux
/// refuses it) and, unless `allowNullableLoops`, no quantifier on an atom that can match the empty
/// string (ICU mishandles some of those, e.g. `(?:(?:|\d{2,})*)*?\b$` on "abb-bb"; V8 agrees with
/// this engine there, see `emptyLoops` and `agreesWithV8`).
struct PatternGenerator {
    var rng: SplitMix64
    var allowNullableLoops = false
    var alphabet: [String] = ["a", "b", "c", "1", " ", "-", "_", "."]
    var groupNames = 0

    /// A generated fragment and whether it can match the empty string.
    struct Fragment {
        var text: String
        var nullable: Bool
    }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func pick(_ xs: [String]) -> String { xs[int(xs.count)] }

    mutating func atom(depth: Int) -> Fragment {
        switch int(depth > 0 ? 11 : 8) {
        case 0, 1, 2: return Fragment(text: pick(["a", "b", "c", "1", " ", "\\-", "_"]), nullable: false)
        case 3: return Fragment(text: ".", nullable: false)
        case 4:
            let classes = ["[ab]", "[^a]", "[a-c]", "[^b1]", "[1a_]", "[\\d.]", "[^\\w]", "[a\\-]", "[\\s\\d]"]
            return Fragment(text: pick(classes), nullable: false)
        case 5: return Fragment(text: pick(["\\d", "\\w", "\\s", "\\W", "\\D", "\\S"]), nullable: false)
        case 6: return Fragment(text: pick(["\\x61", "\\u0062", "\\.", "\\t"]), nullable: false)
        case 7: return Fragment(text: pick(["a", "b"]), nullable: false)
        default:
            var open = pick(["(", "(?:", "(?<g>"])
            if open == "(?<g>" {  // names must be unique for ICU
                groupNames += 1
                open = "(?<g\(groupNames)>"
            }
            let inner = alternation(depth: depth - 1)
            return Fragment(text: open + inner.text + ")", nullable: inner.nullable)
        }
    }

    mutating func term(depth: Int) -> Fragment {
        if int(12) == 0 { return Fragment(text: pick(["^", "$", "\\b", "\\B"]), nullable: true) }
        let a = atom(depth: depth)
        if a.nullable && !allowNullableLoops { return a }
        switch int(9) {
        case 0: return Fragment(text: a.text + pick(["*", "*?"]), nullable: true)
        case 1: return Fragment(text: a.text + pick(["+", "+?"]), nullable: a.nullable)
        case 2: return Fragment(text: a.text + pick(["?", "??"]), nullable: true)
        case 3: return Fragment(text: a.text + pick(["{0,}", "{0,1}", "{0,2}", "{0,2}?"]), nullable: true)
        case 4: return Fragment(text: a.text + pick(["{2}", "{1,2}", "{2,}", "{1}", "{1,2}?", "{2,}?"]), nullable: a.nullable)
        default: return a
        }
    }

    mutating func sequence(depth: Int) -> Fragment {
        let count = int(8) == 0 ? 0 : 1 + int(3)
        let terms = (0..<count).map { _ in term(depth: depth) }
        return Fragment(text: terms.map(\.text).joined(), nullable: terms.allSatisfy(\.nullable))
    }

    mutating func alternation(depth: Int) -> Fragment {
        let count = int(3) == 0 ? 2 + int(2) : 1
        let branches = (0..<count).map { _ in sequence(depth: depth) }
        return Fragment(text: branches.map(\.text).joined(separator: "|"), nullable: branches.contains { $0.nullable })
    }

    mutating func pattern() -> String {
        var p = ""
        while p.isEmpty { p = alternation(depth: 2).text }
        if int(3) == 0 { p = "^(?:" + p + ")" }
        if int(3) == 0 { p = "(?:" + p + ")$" }
        return p
    }

    mutating func input() -> String {
        (0..<int(9)).map { _ in pick(alphabet) }.joined()
    }
}

@Suite("Differential")
struct DifferentialTests {
    @Test func agreesWithNSRegularExpression() throws {
        var gen = PatternGenerator(rng: SplitMix64(seed: 0x5EED_2024))
        var pairs = 0, trues = 0, mismatches: [String] = []
        for _ in 0..<400 {
            let pattern = gen.pattern()
            let ours = try LinearRegex(pattern)
            let icu: NSRegularExpression
            do { icu = try NSRegularExpression(pattern: pattern) } catch {
                Issue.record("ICU refused /\(pattern)/: \(error)")
                continue
            }
            for _ in 0..<4 {
                let input = gen.input()
                var budget = Int.max
                let decided = ours.firstMatch(in: input, budget: &budget)
                let mine = try #require(decided as Bool?)
                let range = NSRange(location: 0, length: input.utf16.count)
                let theirs = icu.firstMatch(in: input, range: range) != nil
                pairs += 1
                if mine { trues += 1 }
                if mine != theirs {
                    mismatches.append("/\(pattern)/ on \(input.debugDescription): ours \(mine), ICU \(theirs)")
                }
            }
        }
        print("[differential] \(pairs) pairs, \(trues) matches, \(pairs - trues) non-matches, \(mismatches.count) mismatches")
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).joined(separator: "\n"))")
        // The generator must exercise both outcomes.
        #expect(trues > pairs / 5)
        #expect(pairs - trues > pairs / 5)
    }

    /// A hand-picked list of patterns too, each checked on a fixed set of inputs.
    @Test(arguments: [
        "^(a|b)*c$", "a{2,3}", "^[^ab]+$", "\\bab", "\\Bb", "(ab|a)(bc|c)", "^\\w+\\s\\d+$", "x*",
        "^(?:a+|b+)*$", "[a-c]{2}\\b", "^.?.?.?$", "(a?){3}aaa", "^(?:\\W|_)+$",
    ])
    func fixedPatterns(_ pattern: String) throws {
        let inputs = ["", "a", "ab", "abc", "ab 12", "ba", "bbb", "c", "aaa", "a_b", "-_-", "abcabc", " 1", "ab c"]
        let ours = try LinearRegex(pattern)
        let icu = try NSRegularExpression(pattern: pattern)
        for input in inputs {
            var budget = Int.max
            let mine = ours.firstMatch(in: input, budget: &budget)
            let theirs = icu.firstMatch(in: input, range: NSRange(location: 0, length: input.utf16.count)) != nil
            #expect(mine == theirs, "/\(pattern)/ on \(input.debugDescription)")
        }
    }
}

// MARK: - Opt-in cross-check against V8

/// One generated pattern with inputs and this engine's answers, as exchanged with node.
struct V8Case: Codable {
    var p: String
    var i: [String]
    var r: [Bool]
}

/// Cross-check against V8 (the reference ECMA-262 engine) through node, with the unrestricted
/// generator: quantified nullable atoms, newlines and a non-ASCII BMP letter in the inputs.
/// Runs when LINEAR_REGEX_NODE names node, which `scripts/test.sh` installs and sets; by hand:
/// `LINEAR_REGEX_NODE=/usr/bin/node swift test --disable-xctest --filter agreesWithV8`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["LINEAR_REGEX_NODE"] != nil))
func agreesWithV8() async throws {
    let node = try #require(ProcessInfo.processInfo.environment["LINEAR_REGEX_NODE"])
    var gen = PatternGenerator(
        rng: SplitMix64(seed: 0xC0FF_EE00), allowNullableLoops: true,
        alphabet: ["a", "b", "c", "1", " ", "-", "_", ".", "\n", "\u{E9}"])
    var cases: [V8Case] = []
    for _ in 0..<3000 {
        let pattern = gen.pattern()
        let regex = try LinearRegex(pattern)
        var c = V8Case(p: pattern, i: [], r: [])
        for _ in 0..<5 {
            let input = gen.input()
            var budget = Int.max
            let decided = regex.firstMatch(in: input, budget: &budget)
            c.i.append(input)
            c.r.append(try #require(decided as Bool?))
        }
        cases.append(c)
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("linear-regex-v8-\(getpid()).json")
    try JSONEncoder().encode(cases).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }

    let script = """
        const cases = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
        const bad = [];
        for (const c of cases) {
          const re = new RegExp(c.p);
          c.i.forEach((s, k) => { if (re.test(s) !== c.r[k]) bad.push(`/${c.p}/ on ${JSON.stringify(s)}: ours ${c.r[k]}`); });
        }
        console.log(JSON.stringify(bad));
        """
    let (termination, output, errors) = try await ChildProcess.run(
        node, arguments: ["-e", script, file.path], standardError: .separate, timeout: .seconds(120))
    #expect(termination == .exited(0), "\(errors)")
    let mismatches = try JSONDecoder().decode([String].self, from: Data(output.utf8))
    print("[v8] \(cases.count * 5) pairs, \(mismatches.count) mismatches")
    #expect(mismatches.isEmpty, "\(mismatches.prefix(20).joined(separator: "\n"))")
}
