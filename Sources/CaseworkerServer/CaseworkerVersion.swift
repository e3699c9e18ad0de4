/// The version of this build, printed by `caseworker version` and `--version`.
public enum CaseworkerVersion {
    public static let current = "0.1.0-dev"
}
