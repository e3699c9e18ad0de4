/// The bounds on an `exec` step's `args`, checked at save (the templates as written) and when
/// the step runs (the arguments as resolved).
public enum ExecArguments {
    /// The most arguments a step passes.
    public static let maxCount = 64
    /// The longest argument, in characters.
    public static let maxLength = 4096
}
