/// The Railyard release this binary is, as backups record it.
public enum RailyardVersion {
    /// Bumped with each release; backups check the schema version, not this.
    public static let current = "0.1.0-dev"
}
