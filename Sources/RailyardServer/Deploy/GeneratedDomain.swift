import Crypto
import Foundation

/// The host names a service may get under the base domain: `<service>-<environment>-<project>`, one
/// DNS label of at most 63 characters, then the same with a short suffix for when it is taken.
enum GeneratedDomain {
    /// Candidate hosts, best first.
    static func candidates(service: String, environment: String, project: String, baseDomain: String, seed: String) -> [String] {
        let label = trimmed("\(service)-\(environment)-\(project)", to: 63)
        let digest = SHA256.hash(data: Data(seed.utf8)).map { String(format: "%02x", $0) }.joined()
        var labels = [label]
        for index in 0..<4 {
            let suffix = String(digest.dropFirst(index * 6).prefix(6))
            labels.append(trimmed(label, to: 63 - suffix.count - 1) + "-" + suffix)
        }
        return labels.map { "\($0).\(baseDomain)" }
    }

    /// `label` cut to `length` characters without a trailing hyphen.
    static func trimmed(_ label: String, to length: Int) -> String {
        var cut = String(label.prefix(length))
        while cut.hasSuffix("-") { cut.removeLast() }
        return cut
    }
}
