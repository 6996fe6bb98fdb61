import Foundation
import RailyardCore
@testable import RailyardServer
import Testing

@Suite("Volumes: where a mount path may go")
struct VolumeRulesTests {
    @Test("a path under a top-level folder the host has is refused; a new one is free")
    func checkFree() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["usr", "etc", "srv"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: root.path + "/bin", withDestinationPath: "usr/bin")
        let base = root.path + "/"
        for taken in ["/usr/data", "/srv", "/bin/x", "/tmp/x", "/proc/x", "/dev/shm"] {
            let error = #expect(throws: RailyardError.self) { try VolumeController.checkFree(taken, root: base) }
            #expect(error?.field == "mountPath", "\(taken)")
            #expect(error?.message.contains("choose a path under a new top-level folder") == true)
        }
        try VolumeController.checkFree("/data", root: base)
        try VolumeController.checkFree("/app/data", root: base)
    }
}
