import CaseworkerStore

/// What the engine needs from storage: runs, and the cases, definitions and parameter sets runs
/// are planned from (`RunPlanner`).
public typealias EngineStore = RunPlanner.Reads
