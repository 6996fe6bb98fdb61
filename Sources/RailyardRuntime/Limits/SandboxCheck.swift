/// What `railyard server --require-sandbox` insists on before it runs anyone's app: the bubblewrap
/// sandbox, a user apps run as that is not the server's, cgroup limits and private networks.
public enum SandboxCheck {
    /// What is missing, one phrase each saying how to get it; empty when everything is in force.
    /// `network` is why replicas cannot have private networks, nil when they can.
    public static func missing(isolation: Isolation, cgroups: CgroupVersion?, network: String?) -> [String] {
        var missing: [String] = []
        if isolation.bwrapPath == nil { missing.append("the bubblewrap sandbox (apt-get install bubblewrap)") }
        if isolation.userBase == nil {
            missing.append("a separate user for apps (run the server as root; each service then runs as a user of its own)")
        } else if isolation.setprivPath == nil {
            missing.append("setpriv to drop to that user (apt-get install util-linux)")
        }
        if cgroups == nil { missing.append("cgroup limits (run as root on a machine with a writable /sys/fs/cgroup)") }
        if let network { missing.append("private networks (\(network))") }
        return missing
    }
}
