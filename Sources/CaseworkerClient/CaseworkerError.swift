import OpenAPIRuntime

/// Why a call of the `Caseworker` convenience layer failed.
///
/// Errors of the transport (the daemon cannot be reached, a timeout) and of decoding are thrown
/// as they come, by OpenAPIRuntime (`ClientError`); this type covers what the daemon answered.
public enum CaseworkerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The daemon answered with a problem (RFC 9457, `application/problem+json`). Branch on
    /// `problem._type` (`urn:caseworker:problem:<slug>`, stable) and `problem.status`, never on
    /// `detail`; a 422 lists every invalid member in `problem.errors`.
    case problem(Components.Schemas.Problem)
    /// The daemon answered with a status the API document does not give this operation.
    case undocumentedStatus(Int)
    /// `waitForResult(runId:timeout:)` gave up: the run had not ended by the deadline. `status`
    /// is the last status read (the run goes on; wait again or cancel it).
    case deadlineExceeded(runId: String, status: Components.Schemas.RunStatus)

    /// The problem's slug (`not-found`, `validation-failed`, ...), for a `.problem`.
    public var problemSlug: String? {
        guard case .problem(let problem) = self else { return nil }
        return problem._type.hasPrefix(Self.problemTypePrefix) ? String(problem._type.dropFirst(Self.problemTypePrefix.count)) : nil
    }

    public var description: String {
        switch self {
        case .problem(let problem):
            let errors = (problem.errors ?? []).map { "\($0.property): \($0.message)" }
            return "\(problem.status) \(problem._type): \(problem.detail)" + (errors.isEmpty ? "" : " (\(errors.joined(separator: "; ")))")
        case .undocumentedStatus(let status): return "undocumented answer: HTTP \(status)"
        case .deadlineExceeded(let runId, let status): return "run \(runId) did not end in time (still \(status.rawValue))"
        }
    }

    static let problemTypePrefix = "urn:caseworker:problem:"
}

/// A documented error answer of the API: its body is the one `Problem` schema.
protocol ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws }
}

extension CaseworkerError {
    /// The error for a documented problem answer.
    static func answered(_ answer: some ProblemAnswer) throws -> CaseworkerError { .problem(try answer.problem) }
}

extension Components.Responses.BadRequest: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.Unauthorized: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.Forbidden: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.NotFound: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.MethodNotAllowed: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.Conflict: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.ContentTooLarge: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.UnsupportedMediaType: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.UnprocessablePost: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Components.Responses.InternalError: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
extension Operations.GetWorkflowRunResult.Output.Conflict: ProblemAnswer {
    var problem: Components.Schemas.Problem { get throws { try body.applicationProblemJson } }
}
