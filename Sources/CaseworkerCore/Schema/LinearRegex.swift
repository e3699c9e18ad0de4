// LinearRegex.swift
//
// A small, linear-time regular-expression matcher for an ECMA-262 subset, meant for patterns
// that come from untrusted sources (e.g. JSON Schema `pattern` / `patternProperties`).
//
// Self-contained: depends on the Swift standard library only. Copy this file into any module.
// Everything is `internal`; all types are `Sendable` value types.
//
// Pipeline: source --Parser--> AST (`Node`) --Compiler--> `Program` (instructions) --PikeVM--> Bool?

/// A regular expression of an ECMA-262 subset, compiled to a Pike VM program and matched in
/// time linear in the input.
///
/// ## Supported syntax (ECMA-262, no flags)
/// - Literals; `.` (any scalar except the line terminators U+000A, U+000D, U+2028, U+2029);
///   `^` / `$` (start / end of input only: there is no multiline mode).
/// - Alternation `a|b` (empty alternatives allowed), groups `( )`, `(?: )`, `(?<name> )`
///   (captures are not reported: every group is a plain group).
/// - Quantifiers `*` `+` `?` `{n}` `{n,}` `{n,m}` and their lazy forms (`*?` …; laziness does not
///   change a boolean result). Counts above 1000 and `{n,m}` with n > m are errors. A `{` that does
///   not start a valid quantifier is a literal (ECMA-262 Annex B), as are a lone `}` and `]`.
/// - Classes `[abc]`, `[a-z]`, `[^…]`, `[]` (matches nothing), `[^]` (matches any scalar); escapes
///   inside classes; `\b` inside a class is U+0008. As in Annex B, a range with a class escape as an
///   endpoint (`[\d-z]`) is the union of the endpoints and `-`.
/// - `\d \D \w \W \s \S` inside and outside classes, with ECMA-262 definitions (`\w` is
///   `[A-Za-z0-9_]`; `\s` is ECMA WhiteSpace + LineTerminator, including U+FEFF and category Zs).
///   `\b` / `\B` are word-boundary assertions outside classes.
/// - Escapes `\t \n \r \f \v \0 \xHH \uHHHH \u{H…}` (up to U+10FFFF) and `\cX` (X an ASCII letter).
///   A `\uHHHH\uHHHH` surrogate pair denotes the one scalar it encodes. Identity escapes: any ASCII
///   character that is not a letter or digit (this covers the syntax characters
///   `^ $ \ . * + ? ( ) [ ] { } | /` and `-`), and any non-ASCII scalar.
///
/// ## Refused (`SyntaxError`)
/// Syntax errors; backreferences (`\1`, `\k<name>`); lookahead / lookbehind (`(?=` `(?!` `(?<=`
/// `(?<!`); `\p{…}` / `\P{…}`; inline flags/modifiers (`(?i)`, `(?i:…)`); legacy octal escapes
/// (`\01`); unknown letter escapes (`\q`); malformed `\x`, `\u`, `\c`; groups nested more than
/// `maxNestingDepth` deep; and patterns whose program would exceed `maxProgramSize` instructions
/// ("the pattern is too complex"; e.g. `(a{1000}){1000}`).
///
/// ## Matching semantics
/// The input is processed as the Unicode scalars of the Swift `String` (`string.unicodeScalars`),
/// not UTF-16 code units: `.` and classes consume one whole scalar, even outside the BMP. There is
/// no case-insensitive, multiline or dotAll mode. The search is unanchored (JSON Schema semantics):
/// the pattern matches if it matches at any position, unless it is itself anchored with `^` / `$`.
///
/// ## Cost
/// - Compilation: O(pattern length + program size); the program size is computed before any
///   instruction is emitted, so a too-complex pattern is refused without doing the work.
/// - Matching: a Pike VM (breadth-first NFA simulation with one "visited" stamp per instruction
///   and input position). For an input of `n` scalars and a program of `p` instructions, at most
///   `(n + 1) × p` instruction visits are done, each O(1) except class membership, which is a
///   binary search over the class's sorted ranges (a bitmap for ASCII). Memory per call is O(p),
///   allocated once per call, never per step. No recursion is used at match time.
///
/// ## Budget
/// `firstMatch(in:budget:)` charges one unit of `budget` per VM thread step, i.e. per
/// (input position, instruction) visit, so one call costs at most `(n + 1) × programSize` units.
/// If the next step would make the budget negative, the search stops and returns `nil`
/// ("undecided"); the budget is then left at the value it reached (≥ 0 unless it started below 0).
///
/// ## Concurrency
/// A `LinearRegex` is an immutable value; `firstMatch` may be called concurrently from any thread.
struct LinearRegex: Sendable, Hashable {
    /// The pattern, as given.
    let source: String
    /// The compiled program.
    let program: Program

    /// Largest count allowed in a `{n}`, `{n,}` or `{n,m}` quantifier.
    static let maxRepetitionCount = 1000
    /// Deepest nesting of groups accepted (bounds the recursion of parser and compiler).
    static let maxNestingDepth = 128

    /// A pattern that cannot be compiled, with the 0-based offset (in Unicode scalars of `source`)
    /// where the problem was found.
    struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { "\(message) (at offset \(offset))" }
    }

    /// Compiles `source`.
    ///
    /// Throws `LinearRegex.SyntaxError` for a syntax error, for an unsupported construct
    /// (backreference, lookaround, `\p{…}`/`\P{…}`, inline flags), or with the message
    /// "the pattern is too complex" when the compiled program would exceed `maxProgramSize`
    /// instructions (or groups nest deeper than `maxNestingDepth`).
    init(_ source: String, maxProgramSize: Int = 5_000) throws(SyntaxError) {
        var parser = Parser(source, maxProgramSize: maxProgramSize)
        let ast = try parser.parse()
        self.source = source
        self.program = Compiler.compile(ast, sets: parser.sets)
    }

    /// The number of instructions of the compiled program (including the final `match`).
    var programSize: Int { program.instructions.count }

    /// Unanchored search: does the pattern match anywhere in `string`?
    ///
    /// Returns `true` / `false`, or `nil` (undecided) if `budget` ran out first. `budget` is
    /// decremented by one per VM thread step (see the type's documentation); a call costs at most
    /// `(string.unicodeScalars.count + 1) × programSize`.
    func firstMatch(in string: String, budget: inout Int) -> Bool? {
        PikeVM.run(program, on: string, budget: &budget)
    }

    static func == (lhs: LinearRegex, rhs: LinearRegex) -> Bool { lhs.source == rhs.source }
    func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

// MARK: - Character sets

extension LinearRegex {
    /// A set of code points as sorted, disjoint, non-adjacent closed ranges, with a bitmap for ASCII.
    struct ScalarSet: Sendable, Hashable {
        /// Flattened ranges: `[lo0, hi0, lo1, hi1, …]`, sorted, disjoint and non-adjacent.
        let bounds: [UInt32]
        private let ascii0: UInt64  // membership of U+0000...U+003F
        private let ascii1: UInt64  // membership of U+0040...U+007F

        static let maxCodePoint: UInt32 = 0x10FFFF

        init(_ ranges: [ClosedRange<UInt32>]) {
            var b: [UInt32] = []
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let lastHi = b.last, r.lowerBound <= lastHi + 1 {
                    b[b.count - 1] = Swift.max(lastHi, r.upperBound)
                } else {
                    b.append(r.lowerBound)
                    b.append(r.upperBound)
                }
            }
            var a0: UInt64 = 0, a1: UInt64 = 0
            var i = 0
            while i < b.count, b[i] < 128 {
                for v in b[i]...Swift.min(b[i + 1], 127) {
                    if v < 64 { a0 |= 1 << UInt64(v) } else { a1 |= 1 << UInt64(v - 64) }
                }
                i += 2
            }
            bounds = b
            ascii0 = a0
            ascii1 = a1
        }

        /// The complement within U+0000...U+10FFFF.
        func inverted() -> ScalarSet {
            var result: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            var i = 0
            while i < bounds.count {
                if bounds[i] > next { result.append(next...(bounds[i] - 1)) }
                next = bounds[i + 1] + 1
                i += 2
            }
            if next <= ScalarSet.maxCodePoint { result.append(next...ScalarSet.maxCodePoint) }
            return ScalarSet(result)
        }

        @inline(__always)
        func contains(_ v: UInt32) -> Bool {
            if v < 64 { return (ascii0 >> UInt64(v)) & 1 != 0 }
            if v < 128 { return (ascii1 >> UInt64(v - 64)) & 1 != 0 }
            // Binary search: number of ranges whose lower bound is <= v.
            var lo = 0, hi = bounds.count / 2
            while lo < hi {
                let mid = (lo + hi) / 2
                if bounds[2 * mid] <= v { lo = mid + 1 } else { hi = mid }
            }
            return lo > 0 && v <= bounds[2 * lo - 1]
        }

        static let digit = ScalarSet([0x30...0x39])
        static let word = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
        /// ECMA-262 WhiteSpace (TAB VT FF SP NBSP ZWNBSP + Zs) and LineTerminator (LF CR LS PS).
        static let space = ScalarSet([
            0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
            0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
        ])
        static let notDigit = digit.inverted()
        static let notWord = word.inverted()
        static let notSpace = space.inverted()
    }

    @inline(__always)
    static func isLineTerminator(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029
    }

    /// ECMA-262 word character `[A-Za-z0-9_]`; `PikeVM.none` (outside the input) is not one.
    @inline(__always)
    static func isWordChar(_ c: UInt32) -> Bool {
        let folded = c | 0x20
        return (c >= 0x30 && c <= 0x39) || (folded >= 0x61 && folded <= 0x7A) || c == 0x5F
    }
}

// MARK: - AST

extension LinearRegex {
    enum Assertion: Sendable, Hashable {
        case start, end, wordBoundary, notWordBoundary
    }

    /// The parsed pattern. Groups are transparent. After parsing, `.empty` appears only as a whole
    /// pattern or as an alternative of an `.alternation`; every other node compiles to at least
    /// one instruction.
    indirect enum Node: Sendable {
        case empty
        case scalar(UInt32)
        case set(Int)  // index into the program's set table
        case any  // `.`
        case assertion(Assertion)
        case concat([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)  // max == nil: unbounded
    }
}

// MARK: - Parser

extension LinearRegex {
    /// Recursive-descent parser producing a `Node` and, for each node, the exact number of
    /// instructions it compiles to (saturating), so that size limits are enforced while parsing.
    struct Parser {
        struct Parsed {
            var node: Node
            var size: Int
        }

        private struct Quantifier {
            var min: Int
            var max: Int?
            var end: Int  // offset just past the quantifier (before any lazy `?`)
        }

        private enum Escape {
            case scalar(UInt32)
            case set(ScalarSet)
            case assertion(Assertion)
        }

        private let scalars: [Unicode.Scalar]
        private let maxProgramSize: Int
        private var pos = 0
        private var depth = 0
        private(set) var sets: [ScalarSet] = []
        private var setIndex: [ScalarSet: Int] = [:]

        init(_ source: String, maxProgramSize: Int) {
            self.scalars = Array(source.unicodeScalars)
            self.maxProgramSize = maxProgramSize
        }

        mutating func parse() throws(SyntaxError) -> Node {
            let result = try parseDisjunction()
            if pos < scalars.count {  // parseDisjunction only stops early at ')'
                throw SyntaxError(message: "unmatched ')'", offset: pos)
            }
            try check(result.size, at: 0)
            return result.node
        }

        // MARK: Helpers

        private var peek: Unicode.Scalar? { pos < scalars.count ? scalars[pos] : nil }

        private func scalar(at i: Int) -> Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

        private static func add(_ a: Int, _ b: Int) -> Int {
            let (r, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max : r
        }

        private static func mul(_ a: Int, _ b: Int) -> Int {
            let (r, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? Int.max : r
        }

        /// `size` instructions plus the final `match` must fit in `maxProgramSize`.
        private func check(_ size: Int, at offset: Int) throws(SyntaxError) {
            if size >= maxProgramSize {
                throw SyntaxError(message: "the pattern is too complex", offset: offset)
            }
        }

        private mutating func intern(_ set: ScalarSet) -> Int {
            if let i = setIndex[set] { return i }
            sets.append(set)
            setIndex[set] = sets.count - 1
            return sets.count - 1
        }

        private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

        private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
        }

        private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": return c.value - 0x30
            case "a"..."f": return c.value - 0x61 + 10
            case "A"..."F": return c.value - 0x41 + 10
            default: return nil
            }
        }

        /// Exactly `count` hex digits at offset `i`, or nil.
        private func hex(at i: Int, count: Int) -> UInt32? {
            guard i + count <= scalars.count else { return nil }
            var v: UInt32 = 0
            for j in i..<(i + count) {
                guard let d = Parser.hexValue(scalars[j]) else { return nil }
                v = v * 16 + d
            }
            return v
        }

        // MARK: Grammar

        /// Disjunction :: Alternative ( '|' Alternative )*
        private mutating func parseDisjunction() throws(SyntaxError) -> Parsed {
            var branches = [try parseAlternative()]
            var size = branches[0].size
            while peek == "|" {
                let bar = pos
                pos += 1
                let branch = try parseAlternative()
                size = Parser.add(size, Parser.add(branch.size, 2))  // + split + jump
                try check(size, at: bar)
                branches.append(branch)
            }
            if branches.count == 1 { return branches[0] }
            return Parsed(node: .alternation(branches.map(\.node)), size: size)
        }

        /// Alternative :: Term*   (terms that compile to nothing are dropped)
        private mutating func parseAlternative() throws(SyntaxError) -> Parsed {
            var items: [Node] = []
            var size = 0
            while let c = peek, c != "|", c != ")" {
                let termStart = pos
                let term = try parseTerm()
                if term.size == 0 { continue }
                size = Parser.add(size, term.size)
                try check(size, at: termStart)  // the term that made the program too large
                items.append(term.node)
            }
            switch items.count {
            case 0: return Parsed(node: .empty, size: 0)
            case 1: return Parsed(node: items[0], size: size)
            default: return Parsed(node: .concat(items), size: size)
            }
        }

        /// Term :: Assertion | Atom Quantifier?
        private mutating func parseTerm() throws(SyntaxError) -> Parsed {
            let c = scalars[pos]
            let atom: Parsed
            switch c {
            case "^":
                pos += 1
                return try finishAssertion(.start)
            case "$":
                pos += 1
                return try finishAssertion(.end)
            case "\\":
                switch try parseEscape(inClass: false) {
                case .assertion(let a): return try finishAssertion(a)
                case .scalar(let v): atom = Parsed(node: .scalar(v), size: 1)
                case .set(let s): atom = Parsed(node: .set(intern(s)), size: 1)
                }
            case "(":
                atom = try parseGroup()
            case "[":
                atom = try parseClass()
            case ".":
                pos += 1
                atom = Parsed(node: .any, size: 1)
            case "*", "+", "?":
                throw SyntaxError(message: "nothing to repeat", offset: pos)
            case "{":
                if bracedQuantifier(at: pos) != nil {
                    throw SyntaxError(message: "nothing to repeat", offset: pos)
                }
                pos += 1  // Annex B: a '{' that is not a quantifier is a literal
                atom = Parsed(node: .scalar(c.value), size: 1)
            default:  // includes a lone ']' or '}' (Annex B literals)
                pos += 1
                atom = Parsed(node: .scalar(c.value), size: 1)
            }
            return try parseQuantifier(applyingTo: atom)
        }

        /// Assertions (`^ $ \b \B`) cannot be quantified.
        private func finishAssertion(_ a: Assertion) throws(SyntaxError) -> Parsed {
            if quantifier(at: pos) != nil {
                throw SyntaxError(message: "nothing to repeat", offset: pos)
            }
            return Parsed(node: .assertion(a), size: 1)
        }

        private func quantifier(at i: Int) -> Quantifier? {
            switch scalar(at: i) {
            case "*": return Quantifier(min: 0, max: nil, end: i + 1)
            case "+": return Quantifier(min: 1, max: nil, end: i + 1)
            case "?": return Quantifier(min: 0, max: 1, end: i + 1)
            case "{": return bracedQuantifier(at: i)
            default: return nil
            }
        }

        /// `{n}`, `{n,}` or `{n,m}` at offset `i` (which holds `{`), or nil if it is not one.
        private func bracedQuantifier(at i: Int) -> Quantifier? {
            var j = i + 1
            guard let min = decimal(&j) else { return nil }
            var max: Int? = min
            if scalar(at: j) == "," {
                j += 1
                if scalar(at: j) == "}" {
                    max = nil
                } else {
                    guard let m = decimal(&j) else { return nil }
                    max = m
                }
            }
            guard scalar(at: j) == "}" else { return nil }
            return Quantifier(min: min, max: max, end: j + 1)
        }

        /// Decimal digits at `j` (saturating at 10^9), advancing `j`; nil if there are none.
        private func decimal(_ j: inout Int) -> Int? {
            let start = j
            var v = 0
            while let c = scalar(at: j), Parser.isDigit(c) {
                v = Swift.min(v * 10 + Int(c.value - 0x30), 1_000_000_000)
                j += 1
            }
            return j > start ? v : nil
        }

        private mutating func parseQuantifier(applyingTo atom: Parsed) throws(SyntaxError) -> Parsed {
            guard let q = quantifier(at: pos) else { return atom }
            let start = pos
            if let max = q.max, q.min > max {
                throw SyntaxError(message: "numbers out of order in {} quantifier", offset: start)
            }
            if q.min > LinearRegex.maxRepetitionCount || (q.max ?? 0) > LinearRegex.maxRepetitionCount {
                throw SyntaxError(
                    message: "repetition count exceeds \(LinearRegex.maxRepetitionCount)", offset: start)
            }
            pos = q.end
            if peek == "?" { pos += 1 }  // lazy: irrelevant for a boolean result

            let s = atom.size
            if s == 0 || q.max == 0 { return Parsed(node: .empty, size: 0) }
            if q.min == 1 && q.max == 1 { return atom }
            let size: Int
            if let max = q.max {
                // min copies, then (max - min) times `split; e` (nested optionals)
                size = Parser.add(Parser.mul(q.min, s), Parser.mul(max - q.min, Parser.add(s, 1)))
            } else if q.min == 0 {
                size = Parser.add(s, 2)  // L: split; e; jump L
            } else {
                size = Parser.add(Parser.mul(q.min, s), 1)  // (min - 1) copies, then L: e; split L
            }
            try check(size, at: start)
            return Parsed(node: .repetition(atom.node, min: q.min, max: q.max), size: size)
        }

        private mutating func parseGroup() throws(SyntaxError) -> Parsed {
            let open = pos
            pos += 1
            if peek == "?" {
                pos += 1
                switch peek {
                case ":":
                    pos += 1
                case "=", "!":
                    throw SyntaxError(message: "lookahead assertions are not supported", offset: open)
                case "<":
                    pos += 1
                    if peek == "=" || peek == "!" {
                        throw SyntaxError(message: "lookbehind assertions are not supported", offset: open)
                    }
                    try parseGroupName()
                default:
                    if let c = peek, Parser.isASCIILetter(c) || c == "-" {
                        throw SyntaxError(message: "inline flags/modifiers are not supported", offset: open)
                    }
                    throw SyntaxError(message: "invalid group", offset: open)
                }
            }
            depth += 1
            if depth > LinearRegex.maxNestingDepth {
                throw SyntaxError(message: "the pattern is too complex", offset: open)
            }
            let inner = try parseDisjunction()
            depth -= 1
            guard peek == ")" else {
                throw SyntaxError(message: "unterminated group", offset: open)
            }
            pos += 1
            return inner
        }

        /// GroupName :: IdentifierName '>'  (the name is ignored; `\u` escapes in names are refused)
        private mutating func parseGroupName() throws(SyntaxError) {
            let start = pos
            while let c = peek, c != ">" {
                let ok =
                    pos == start
                    ? (c.properties.isIDStart || c == "$" || c == "_")
                    : (c.properties.isIDContinue || c == "$" || c == "\u{200C}" || c == "\u{200D}")
                guard ok else { throw SyntaxError(message: "invalid group name", offset: start) }
                pos += 1
            }
            guard peek == ">", pos > start else {
                throw SyntaxError(message: "invalid group name", offset: start)
            }
            pos += 1
        }

        private mutating func parseClass() throws(SyntaxError) -> Parsed {
            let open = pos
            pos += 1
            var negated = false
            if peek == "^" {
                negated = true
                pos += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            while true {
                guard let c = peek else {
                    throw SyntaxError(message: "unterminated character class", offset: open)
                }
                if c == "]" {
                    pos += 1
                    break
                }
                let atomStart = pos
                let first = try parseClassAtom()
                if peek == "-", let after = scalar(at: pos + 1), after != "]" {
                    pos += 1
                    let second = try parseClassAtom()
                    if case .scalar(let lo) = first, case .scalar(let hi) = second {
                        guard lo <= hi else {
                            throw SyntaxError(
                                message: "range out of order in character class", offset: atomStart)
                        }
                        ranges.append(lo...hi)
                    } else {  // Annex B: `[\d-z]` is `\d`, `-` and `z`
                        Parser.add(first, to: &ranges)
                        ranges.append(0x2D...0x2D)
                        Parser.add(second, to: &ranges)
                    }
                } else {
                    Parser.add(first, to: &ranges)
                }
            }
            var set = ScalarSet(ranges)
            if negated { set = set.inverted() }
            return Parsed(node: .set(intern(set)), size: 1)
        }

        private static func add(_ atom: Escape, to ranges: inout [ClosedRange<UInt32>]) {
            switch atom {
            case .scalar(let v): ranges.append(v...v)
            case .set(let s):
                var i = 0
                while i < s.bounds.count {
                    ranges.append(s.bounds[i]...s.bounds[i + 1])
                    i += 2
                }
            case .assertion: break  // not produced inside a class
            }
        }

        /// A class atom at `pos` (the caller guarantees `pos` is in bounds).
        private mutating func parseClassAtom() throws(SyntaxError) -> Escape {
            let c = scalars[pos]
            if c == "\\" { return try parseEscape(inClass: true) }
            pos += 1
            return .scalar(c.value)
        }

        /// An escape sequence at `pos` (which holds `\`).
        private mutating func parseEscape(inClass: Bool) throws(SyntaxError) -> Escape {
            let start = pos
            pos += 1
            guard let c = peek else {
                throw SyntaxError(message: "\\ at end of pattern", offset: start)
            }
            pos += 1
            switch c {
            case "b": return inClass ? .scalar(0x08) : .assertion(.wordBoundary)
            case "B":
                if inClass { throw SyntaxError(message: "invalid escape \\B in class", offset: start) }
                return .assertion(.notWordBoundary)
            case "d": return .set(.digit)
            case "D": return .set(.notDigit)
            case "w": return .set(.word)
            case "W": return .set(.notWord)
            case "s": return .set(.space)
            case "S": return .set(.notSpace)
            case "t": return .scalar(0x09)
            case "n": return .scalar(0x0A)
            case "v": return .scalar(0x0B)
            case "f": return .scalar(0x0C)
            case "r": return .scalar(0x0D)
            case "0":
                if let next = peek, Parser.isDigit(next) {
                    throw SyntaxError(message: "octal escapes are not supported", offset: start)
                }
                return .scalar(0)
            case "1"..."9":
                throw SyntaxError(
                    message: inClass ? "octal escapes are not supported" : "backreferences are not supported",
                    offset: start)
            case "k":
                if inClass { throw SyntaxError(message: "invalid escape \\k", offset: start) }
                throw SyntaxError(message: "backreferences are not supported", offset: start)
            case "p", "P":
                throw SyntaxError(message: "Unicode property escapes are not supported", offset: start)
            case "x":
                guard let v = hex(at: pos, count: 2) else {
                    throw SyntaxError(message: "invalid \\x escape", offset: start)
                }
                pos += 2
                return .scalar(v)
            case "u":
                return .scalar(try parseUnicodeEscape(start: start))
            case "c":
                guard let letter = peek, Parser.isASCIILetter(letter) else {
                    throw SyntaxError(message: "invalid \\c escape", offset: start)
                }
                pos += 1
                return .scalar(letter.value % 32)
            default:
                if c.isASCII && (Parser.isASCIILetter(c) || Parser.isDigit(c)) {
                    throw SyntaxError(message: "invalid escape \\\(c)", offset: start)
                }
                return .scalar(c.value)  // identity escape
            }
        }

        /// After `\u`: `HHHH` (combining a surrogate pair `\uHHHH\uHHHH`) or `{H…}`.
        private mutating func parseUnicodeEscape(start: Int) throws(SyntaxError) -> UInt32 {
            if peek == "{" {
                pos += 1
                var v: UInt32 = 0
                var digits = 0
                while let c = peek, let d = Parser.hexValue(c) {
                    v = Swift.min(v * 16 + d, 0x110000)
                    digits += 1
                    pos += 1
                }
                guard digits > 0, peek == "}", v <= ScalarSet.maxCodePoint else {
                    throw SyntaxError(message: "invalid \\u escape", offset: start)
                }
                pos += 1
                return v
            }
            guard let v = hex(at: pos, count: 4) else {
                throw SyntaxError(message: "invalid \\u escape", offset: start)
            }
            pos += 4
            if (0xD800...0xDBFF).contains(v), scalar(at: pos) == "\\", scalar(at: pos + 1) == "u",
                let low = hex(at: pos + 2, count: 4), (0xDC00...0xDFFF).contains(low)
            {
                pos += 6
                return 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
            }
            return v  // a lone surrogate never matches: Swift strings contain none
        }
    }
}

// MARK: - Program and compiler

extension LinearRegex {
    enum Instruction: Sendable, Hashable {
        /// Consume one scalar equal to the value.
        case scalar(UInt32)
        /// Consume one scalar in `Program.sets[index]`.
        case set(Int)
        /// Consume one scalar that is not a line terminator (`.`).
        case any
        /// Continue at both targets.
        case split(Int, Int)
        /// Continue at the target.
        case jump(Int)
        /// Continue at the next instruction if the assertion holds at the current position.
        case assert(Assertion)
        /// Accept.
        case match
    }

    struct Program: Sendable {
        let instructions: [Instruction]
        let sets: [ScalarSet]
        /// Every path starts with `^`: a thread need only be started at position 0.
        let anchoredAtStart: Bool
    }

    /// Emits the instructions of a `Node`. Sizes were computed (and limited) by the parser, and
    /// every emitted node except `.empty` yields at least one instruction, so compilation is
    /// linear in the size of the program.
    struct Compiler {
        private var code: [Instruction] = []

        static func compile(_ node: Node, sets: [ScalarSet]) -> Program {
            var compiler = Compiler()
            compiler.emit(node)
            compiler.code.append(.match)
            return Program(instructions: compiler.code, sets: sets, anchoredAtStart: isAnchoredAtStart(node))
        }

        private mutating func emit(_ node: Node) {
            switch node {
            case .empty:
                break
            case .scalar(let v):
                code.append(.scalar(v))
            case .set(let i):
                code.append(.set(i))
            case .any:
                code.append(.any)
            case .assertion(let a):
                code.append(.assert(a))
            case .concat(let items):
                for item in items { emit(item) }
            case .alternation(let branches):
                // split L1, L2; L1: e1; jump END; L2: split …; …; Ln: en; END:
                var jumps: [Int] = []
                for (k, branch) in branches.enumerated() {
                    if k == branches.count - 1 {
                        emit(branch)
                    } else {
                        let split = code.count
                        code.append(.split(split + 1, -1))
                        emit(branch)
                        jumps.append(code.count)
                        code.append(.jump(-1))
                        code[split] = .split(split + 1, code.count)
                    }
                }
                for j in jumps { code[j] = .jump(code.count) }
            case .repetition(let e, let min, let max):
                if let max {
                    for _ in 0..<min { emit(e) }
                    // (max - min) nested optionals: split next, END; e; split next, END; e; … END:
                    var splits: [Int] = []
                    for _ in 0..<(max - min) {
                        splits.append(code.count)
                        code.append(.split(code.count + 1, -1))
                        emit(e)
                    }
                    for s in splits { code[s] = .split(s + 1, code.count) }
                } else if min == 0 {
                    // L: split L+1, END; e; jump L; END:
                    let loop = code.count
                    code.append(.split(loop + 1, -1))
                    emit(e)
                    code.append(.jump(loop))
                    code[loop] = .split(loop + 1, code.count)
                } else {
                    // e{min-1} L: e; split L, END; END:
                    for _ in 0..<(min - 1) { emit(e) }
                    let loop = code.count
                    emit(e)
                    code.append(.split(loop, code.count + 1))
                }
            }
        }

        private static func isAnchoredAtStart(_ node: Node) -> Bool {
            switch node {
            case .assertion(.start): return true
            case .concat(let items): return items.first.map(isAnchoredAtStart) ?? false
            case .alternation(let branches): return branches.allSatisfy(isAnchoredAtStart)
            case .repetition(let e, let min, _): return min >= 1 && isAnchoredAtStart(e)
            default: return false
            }
        }
    }
}

// MARK: - Pike VM

extension LinearRegex {
    /// Breadth-first simulation of the program over the input, one position at a time, with two
    /// thread lists (current / next position). Each instruction is visited at most once per
    /// position (stamped with the position), which bounds the work and makes empty loops harmless.
    /// Thread lists hold only consuming instructions; the epsilon closure uses an explicit stack.
    struct PikeVM {
        /// Stands for "no scalar" before the start or after the end of the input.
        static let none = UInt32.max

        private enum Outcome { case running, matched, exhausted }

        private let program: Program
        private var visited: [Int]  // position at which each instruction was last visited
        private var stack: [Int]
        private(set) var remaining: Int

        private init(_ program: Program, budget: Int) {
            let n = program.instructions.count
            self.program = program
            self.visited = Array(repeating: -1, count: n)
            self.stack = []
            self.stack.reserveCapacity(2 * n + 2)
            self.remaining = budget
        }

        static func run(_ program: Program, on input: String, budget: inout Int) -> Bool? {
            var vm = PikeVM(program, budget: budget)
            defer { budget = vm.remaining }
            let instructions = program.instructions
            let sets = program.sets
            var current: [Int] = []
            var next: [Int] = []
            current.reserveCapacity(instructions.count)
            next.reserveCapacity(instructions.count)

            var scalars = input.unicodeScalars.makeIterator()
            var position = 0
            var previous = PikeVM.none
            var scalar = scalars.next()?.value ?? PikeVM.none

            while true {
                // Start a new thread at this position (unanchored search).
                if position == 0 || !program.anchoredAtStart {
                    switch vm.addThread(0, to: &current, position: position, previous: previous, current: scalar) {
                    case .matched: return true
                    case .exhausted: return nil
                    case .running: break
                    }
                }
                if scalar == PikeVM.none { return false }
                if current.isEmpty && program.anchoredAtStart { return false }

                let following = scalars.next()?.value ?? PikeVM.none
                position += 1
                for pc in current {
                    let accepted: Bool
                    switch instructions[pc] {
                    case .scalar(let v): accepted = v == scalar
                    case .any: accepted = !LinearRegex.isLineTerminator(scalar)
                    case .set(let i): accepted = sets[i].contains(scalar)
                    default: accepted = false  // thread lists hold consuming instructions only
                    }
                    if accepted {
                        switch vm.addThread(pc + 1, to: &next, position: position, previous: scalar, current: following) {
                        case .matched: return true
                        case .exhausted: return nil
                        case .running: break
                        }
                    }
                }
                swap(&current, &next)
                next.removeAll(keepingCapacity: true)
                previous = scalar
                scalar = following
            }
        }

        /// Follows the epsilon closure from `start` at `position`, appending consuming
        /// instructions to `list`. Charges one budget unit per instruction visited.
        private mutating func addThread(
            _ start: Int, to list: inout [Int], position: Int, previous: UInt32, current: UInt32
        ) -> Outcome {
            stack.append(start)
            while let pc = stack.popLast() {
                if visited[pc] == position { continue }
                visited[pc] = position
                if remaining <= 0 {
                    stack.removeAll(keepingCapacity: true)
                    return .exhausted
                }
                remaining -= 1
                switch program.instructions[pc] {
                case .scalar, .set, .any:
                    list.append(pc)
                case .jump(let target):
                    stack.append(target)
                case .split(let x, let y):
                    stack.append(y)
                    stack.append(x)
                case .assert(let a):
                    if PikeVM.holds(a, previous: previous, current: current) { stack.append(pc + 1) }
                case .match:
                    stack.removeAll(keepingCapacity: true)
                    return .matched
                }
            }
            return .running
        }

        @inline(__always)
        private static func holds(_ a: Assertion, previous: UInt32, current: UInt32) -> Bool {
            switch a {
            case .start: return previous == none
            case .end: return current == none
            case .wordBoundary: return isWordChar(previous) != isWordChar(current)
            case .notWordBoundary: return isWordChar(previous) == isWordChar(current)
            }
        }
    }
}
