import CaseworkerCore

/// Masks secrets in the resolved parameters that the execution timeline shows: the values of
/// headers whose names suggest credentials (`Authorization`, `Cookie`, names containing `token`,
/// `secret`, `key`, `password`, `auth`, `signature`) become `"***"`.
enum SecretMasking {
    static let markers = ["authorization", "cookie", "token", "secret", "key", "password", "auth", "signature", "credential"]

    static func masked(_ parameters: JSONValue, action: ActionName) -> JSONValue {
        guard action == .httpRequest, case .object(var config) = parameters, case .object(var headers)? = config["headers"] else {
            return parameters
        }
        for name in headers.keys {
            let lower = name.lowercased()
            if lower != "idempotency-key", markers.contains(where: lower.contains) { headers[name] = "***" }
        }
        config["headers"] = .object(headers)
        return .object(config)
    }
}
