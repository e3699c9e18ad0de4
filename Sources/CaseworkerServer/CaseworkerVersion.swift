/// The version of this build, printed by `caseworker version` and `--version`: the one place it
/// is defined. scripts/package-deb.sh names the Debian package after what the built binary prints
/// (with "-" made "~": 0.1.0-dev is 0.1.0~dev), and docs/openapi.yaml's `info.version`
/// must say the same (VersionTests checks both). SemVer: MAJOR.MINOR.PATCH[-PRERELEASE].
public enum CaseworkerVersion {
    public static let current = "0.1.0-dev"
}
