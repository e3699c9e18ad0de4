import Foundation

/// Builds JSON pointers (RFC 6901) for error locations.
public enum JSONPointer {
    /// Appends one reference token to `pointer`, escaping `~` and `/` as the RFC requires.
    ///
    /// `JSONPointer.appending("steps", to: "")` is `/steps`;
    /// `JSONPointer.appending("a/b", to: "/x")` is `/x/a~1b`.
    public static func appending(_ token: String, to pointer: String) -> String {
        let escaped = token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        return pointer + "/" + escaped
    }

    /// Appends an array index to `pointer`.
    public static func appending(_ index: Int, to pointer: String) -> String {
        pointer + "/" + String(index)
    }
}
