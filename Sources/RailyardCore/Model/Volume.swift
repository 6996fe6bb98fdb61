import Foundation

/// Persistent storage of a service in one environment (Railway allows one per service): a folder
/// kept across deploys and restarts, mounted into every replica at `mountPath`.
public struct Volume: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var serviceId: String
    public var environmentId: String
    /// Where replicas see it, e.g. `/data`.
    public var mountPath: String
    public var createdAt: Date

    public init(id: String, serviceId: String, environmentId: String, mountPath: String, createdAt: Date) {
        self.id = id
        self.serviceId = serviceId
        self.environmentId = environmentId
        self.mountPath = mountPath
        self.createdAt = createdAt
    }

    /// Checks a mount path's shape: absolute, plain folder names, not `/`. (Whether the path is
    /// free in the sandbox depends on the server's filesystem; the server checks that.)
    public static func validate(mountPath: String) throws(RailyardError) {
        let parts = mountPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard mountPath.hasPrefix("/"), mountPath.utf8.count <= 255, !parts.isEmpty,
            parts.allSatisfy({ part in
                !part.isEmpty && part != "." && part != ".."
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            })
        else {
            throw .invalid(
                "mountPath", "mountPath must be an absolute folder path of letters, digits, '-', '_' and '.', like /data (got '\(mountPath)')"
            )
        }
    }
}

/// `POST …/services/{serviceId}/volumes`.
public struct CreateVolumeRequest: Codable, Sendable {
    public var mountPath: String

    public init(mountPath: String) {
        self.mountPath = mountPath
    }
}
