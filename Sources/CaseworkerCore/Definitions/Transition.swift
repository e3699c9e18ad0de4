/// Where a run is in its definition: the step to run next and whether the run is rescuing.
public struct FlowPosition: Sendable, Hashable {
    public var stepId: String
    public var mode: FlowMode

    public init(stepId: String, mode: FlowMode) {
        self.stepId = stepId
        self.mode = mode
    }
}

/// A run is in its main flow, or running its rescue steps on the way to a failure.
public enum FlowMode: Sendable, Hashable {
    case main
    case rescue(RunFailure)
}

/// The terminal status a failing run ends with.
public enum RunFailure: String, Sendable, Hashable {
    case failed = "FAILED"
    case timedOut = "TIMED_OUT"
}

/// What follows a step's outcome.
public enum Transition: Sendable, Hashable {
    /// Run this step next.
    case step(FlowPosition)
    /// The run completes.
    case complete
    /// The run ends failed or timed out.
    case end(RunFailure)
}

/// The result of `WorkflowDefinition.transition(after:outcome:evaluate:)`.
public struct TransitionDecision: Sendable, Hashable {
    /// The outcome that decided: the step's own, or KO `expression_error` when a `when` failed.
    public var outcome: StepOutcome
    public var transition: Transition
    /// The evaluation error of a `when`, if one failed (the engine records it on the task).
    public var whenError: ExpressionError?
}

extension WorkflowDefinition {
    /// Where every run starts.
    public var start: FlowPosition {
        FlowPosition(stepId: steps[0].id, mode: .main)
    }

    /// The transition function (SPEC 2.4): given the position of a finished step and its outcome,
    /// what comes next. Pure: `when` templates are evaluated by `evaluate`, which the engine backs
    /// with the run's context.
    ///
    /// - The first rule whose `status`, `code` and `when` all match decides: `stepId` jumps,
    ///   `steps` enters the inline branch, `stop` completes the run (in rescue: ends it with the
    ///   original failure).
    /// - No match: OK and SKIP go to the following step (end of the main steps: complete; end of
    ///   a branch: after its owner; end of the rescue steps: the original failure). KO and
    ///   TIMEOUT in the main flow go to the first rescue step, remembering FAILED or TIMED_OUT,
    ///   or end the run so when there are no rescue steps; in the rescue flow they end the run
    ///   with the original failure (rescue never runs twice).
    /// - In a branch of a `parallel` step (run by a branch run): the end of the branch completes
    ///   the branch run; an unmatched KO or TIMEOUT ends it FAILED or TIMED_OUT, without rescue.
    /// - A `when` that throws, or yields anything but a boolean (`null` included: null never
    ///   decides), turns the outcome into KO `expression_error` and the rules are matched again
    ///   for it, with failing `when`s counting as no match.
    ///
    /// The actions `complete` and `fail` end the run themselves; the engine does not call this
    /// for them. `after` must name a step of this definition.
    public func transition(
        after position: FlowPosition, outcome: StepOutcome,
        evaluate: (Template) throws(ExpressionError) -> JSONValue
    ) -> TransitionDecision {
        guard let step = step(position.stepId) else {
            preconditionFailure("transition from unknown step \(position.stepId)")
        }
        var whenError: ExpressionError?
        func matches(_ rule: NextRule, _ outcome: StepOutcome, failOnError: Bool) -> Bool? {
            if let status = rule.status, status != outcome.status { return false }
            if let code = rule.code, code != outcome.code { return false }
            guard let when = rule.when else { return true }
            do throws(ExpressionError) {
                switch try evaluate(when) {
                case .bool(let value): return value
                case .null:
                    // Null never decides (`NullDecision`): a missing value is an error, not `false`.
                    throw ExpressionError(
                        source: when.source, column: 1,
                        reason: NullDecision.reason(role: "'when'", operand: when.singleExpression?.description ?? when.source))
                case let other:
                    throw ExpressionError(
                        source: when.source, column: 1, reason: "'when' must evaluate to a boolean, got \(other.typeName)")
                }
            } catch {
                if whenError == nil { whenError = error }
                return failOnError ? nil : false
            }
        }

        var decided = outcome
        var chosen: NextRule?
        for rule in step.next {
            guard let match = matches(rule, outcome, failOnError: true) else {
                decided = StepOutcome(.ko, code: "expression_error")
                chosen = step.next.first { matches($0, decided, failOnError: false) == true }
                break
            }
            if match {
                chosen = rule
                break
            }
        }

        let transition: Transition
        switch chosen?.target {
        case .step(let id)?:
            transition = .step(FlowPosition(stepId: id, mode: position.mode))
        case .steps(let branch)?:
            transition = .step(FlowPosition(stepId: branch[0].id, mode: position.mode))
        case .stop?:
            if case .rescue(let failure) = position.mode { transition = .end(failure) } else { transition = .complete }
        case nil:
            transition = unmatched(after: position, outcome: decided)
        }
        return TransitionDecision(outcome: decided, transition: transition, whenError: whenError)
    }

    private func unmatched(after position: FlowPosition, outcome: StepOutcome) -> Transition {
        let inParallelBranch = if case .branch? = graph.flow(of: position.stepId) { true } else { false }
        if outcome.isFailure {
            // A branch run fails without rescue: its parent's `parallel` step fails, and the
            // parent's rescue steps handle that.
            if inParallelBranch { return .end(outcome.status == .timeout ? .timedOut : .failed) }
            switch position.mode {
            case .rescue(let failure):
                return .end(failure)
            case .main:
                let failure: RunFailure = outcome.status == .timeout ? .timedOut : .failed
                guard let head = rescue.first else { return .end(failure) }
                return .step(FlowPosition(stepId: head.id, mode: .rescue(failure)))
            }
        }
        switch graph.following(position.stepId) {
        case .step(let id):
            return .step(FlowPosition(stepId: id, mode: position.mode))
        case .endOfMain:
            return .complete
        case .endOfRescue:
            if case .rescue(let failure) = position.mode { return .end(failure) }
            return .end(.failed)
        case .endOfBranch:
            return .complete
        }
    }
}
