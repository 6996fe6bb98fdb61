import Foundation

/// Finds apps' processes on the host: inside their sandbox they see other pids, so tests find them by
/// the variables Railyard injected.
enum ProcessScan {
    /// Host pids of Python processes whose environment holds `assignment` (e.g. `RAILYARD_REPLICA_ID=…`).
    static func pythonPids(withEnvironment assignment: String) -> [Int32] {
        let marker = Array(assignment.utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm.hasPrefix("python"),
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { return false }
            return environ.split(separator: 0).contains { Array($0) == marker }
        }
    }
}
