enum EngineError: Error, CustomStringConvertible {
    case missingStep(String)

    var description: String {
        switch self {
        case .missingStep(let id): "the definition has no step \(id)"
        }
    }
}
