/// A step that cannot start, as its `KO` code and message.
struct ActionFailure: Error {
    var code: String
    var message: String
}
