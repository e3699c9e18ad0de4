/// JSON Merge Patch (RFC 7396): how `PATCH` bodies change a resource.
///
/// An object patch merges member by member, recursively; a `null` member removes that member;
/// any other patch value replaces the target whole (arrays are replaced, never merged).
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
