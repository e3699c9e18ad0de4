/// Tenant names: 1–64 characters of letters, digits, `.`, `_` and `-` (e.g. `acme`, `dev`).
public enum TenantID {
    public static func isValid(_ id: String) -> Bool {
        Identifier.matches(id, maxLength: 64)
    }
}

/// Author-chosen identifiers (tenants, workflow definitions): letters, digits, `.`, `_`, `-`.
public enum Identifier {
    public static func matches(_ text: String, maxLength: Int) -> Bool {
        (1...maxLength).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

/// Workflow definition ids: 1–128 of letters, digits, `-`, `_`, `.` (SPEC 2.4).
public enum DefinitionID {
    public static func isValid(_ id: String) -> Bool {
        Identifier.matches(id, maxLength: 128)
    }
}
