extension WorkflowDefinition {
    /// Whether some `await` step of this definition can wait for the signal `name`: one names it,
    /// or one computes its signal name with a template (which could be any name).
    public func awaitsSignal(_ name: String) -> Bool {
        graph.allSteps.contains { step in
            guard step.action == .await else { return false }
            switch step.config {
            case .constant(let config): return config["signal"]?.stringValue == name
            case .object(let members):
                switch members["signal"] {
                case .constant(let value)?: return value.stringValue == name
                case nil: return false
                default: return true
                }
            default: return true
            }
        }
    }
}
