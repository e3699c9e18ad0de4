import Testing

@testable import CaseworkerCore

@Suite("Templated values")
struct TemplatedValueTests {
    @Test func evaluatesNestedTemplatesAndKeepsConstants() throws {
        let config: JSONValue = [
            "url": "https://example.test/cases/${run.id}?n=${state.count}",
            "headers": ["X-Correlation": "${run.correlationId}", "Fixed": "v"],
            "body": ["items": ["${input.items}", 3, "$${raw}", nil], "score": "${steps.verify.output.body.score}"],
            "flag": true,
            "ratio": 0.5,
        ]
        let value = try TemplatedValue(parsing: config, at: "/steps/0/config")
        #expect(!value.isConstant)
        #expect(value.rootIdentifiers == ["run", "state", "input", "steps"])
        #expect(value.referencedStepIds == ["verify"])
        #expect(value.templates.count == 4)

        let expected: JSONValue = [
            "url": "https://example.test/cases/r1?n=2",
            "headers": ["X-Correlation": "c1", "Fixed": "v"],
            "body": ["items": [[1, 2, 3], 3, "${raw}", nil], "score": 72],
            "flag": true,
            "ratio": 0.5,
        ]
        #expect(try value.evaluate(in: sampleContext()) == expected)

        guard case .object(let members) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(members["flag"] == .constant(true))
        #expect(members["headers"].map { if case .object = $0 { true } else { false } } == true)
    }

    @Test func constantTreesFoldIntoOneValue() throws {
        let value = try TemplatedValue(parsing: ["a": ["x", "$${y}", 1], "b": nil], at: "")
        #expect(value == .constant(["a": ["x", "${y}", 1], "b": nil]))
        #expect(value.isConstant)
        #expect(try value.evaluate(in: sampleContext()) == ["a": ["x", "${y}", 1], "b": nil])
        #expect(try TemplatedValue(parsing: "${case.age}", at: "") != TemplatedValue(parsing: "${case.name}", at: ""))
    }

    @Test func reportsEveryErrorWithItsPointer() {
        let config: JSONValue = [
            "a": "${1 +}",
            "b": ["ok ${case.name}", "${len(}", ["x": "${foo()}", "y": "fine"]],
            "c/d": "${'x",
            "e~f": "fine ${x}",
            "g": [["${a b}"]],
        ]
        do throws(ValidationFailed) {
            _ = try TemplatedValue(parsing: config, at: "/steps/2/config")
            Issue.record("expected a ValidationFailed")
        } catch {
            #expect(
                error.errors == [
                    FieldError(property: "/steps/2/config/a", message: "${1 +} at column 6: expected an expression after '+'"),
                    FieldError(
                        property: "/steps/2/config/b/1", message: "${len(} at column 7: expected ')' to close the call to 'len'"),
                    FieldError(property: "/steps/2/config/b/2/x", message: "${foo()} at column 3: unknown function 'foo'"),
                    FieldError(property: "/steps/2/config/c~1d", message: "${'x at column 3: unterminated string literal"),
                    FieldError(
                        property: "/steps/2/config/g/0/0", message: "${a b} at column 5: expected an operator or '}', found 'b'"),
                ])
        }
    }

    @Test func errorAtTheRootUsesTheBasePointer() {
        do throws(ValidationFailed) {
            _ = try TemplatedValue(parsing: "${", at: "/steps/0/when")
            Issue.record("expected a ValidationFailed")
        } catch {
            #expect(error.errors.map(\.property) == ["/steps/0/when"])
        }
    }

    @Test func evaluationErrorsPropagate() throws {
        let value = try TemplatedValue(parsing: ["n": ["${case.name * 2}"]], at: "")
        do throws(ExpressionError) {
            _ = try value.evaluate(in: sampleContext())
            Issue.record("expected an ExpressionError")
        } catch {
            #expect(error.reason == "cannot apply '*' to string and integer")
            #expect(error.source == "${case.name * 2}")
            #expect(error.column == 13)
        }
    }
}
