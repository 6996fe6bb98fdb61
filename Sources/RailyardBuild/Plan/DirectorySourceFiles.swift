import Foundation

/// `SourceFiles` over a folder on disk (an extracted snapshot). Files larger than
/// `maximumReadSize` read as absent: providers only ever read small manifests.
public struct DirectorySourceFiles: SourceFiles {
    /// The app's root folder.
    public let root: URL
    /// The largest file `read` returns.
    public var maximumReadSize = 4 * 1024 * 1024

    /// A view of the folder at `root`.
    public init(root: URL) {
        self.root = root
    }

    /// Whether a file or folder exists at `path` (symlinks followed).
    public func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: url(path).path)
    }

    /// The UTF-8 text of the regular file at `path`, if it is no larger than `maximumReadSize`.
    public func read(_ path: String) -> String? {
        let target = url(path)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.resolvingSymlinksInPath().path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= maximumReadSize,
              let data = FileManager.default.contents(atPath: target.path)
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// The sorted names in the folder at `path`.
    public func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url(path).path)) ?? []).sorted()
    }

    private func url(_ path: String) -> URL {
        path.isEmpty ? root : root.appendingPathComponent(path)
    }
}
