import Foundation

/// Builds gzip'd tar archives for tests with Python's `tarfile`, which writes whatever it is told:
/// `..` paths, absolute paths, hard links, devices — an independent writer for our reader.
struct Tarball {
    /// One entry; `kind` is file, dir, symlink, hardlink, fifo or chardev.
    struct Entry: Encodable {
        var name: String
        var kind = "file"
        var data = ""
        var target = ""
        var mode = 0o644

        static func file(_ name: String, _ data: String = "", mode: Int = 0o644) -> Entry { Entry(name: name, data: data, mode: mode) }
        static func dir(_ name: String) -> Entry { Entry(name: name, kind: "dir", mode: 0o755) }
        static func symlink(_ name: String, to target: String) -> Entry { Entry(name: name, kind: "symlink", target: target, mode: 0o777) }
        static func hardlink(_ name: String, to target: String) -> Entry { Entry(name: name, kind: "hardlink", target: target) }
        static func fifo(_ name: String) -> Entry { Entry(name: name, kind: "fifo") }
        static func device(_ name: String) -> Entry { Entry(name: name, kind: "chardev") }
    }

    static let script = """
    import json, sys, tarfile, io
    spec = json.loads(sys.argv[1])
    formats = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT, "ustar": tarfile.USTAR_FORMAT}
    kinds = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
             "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE, "chardev": tarfile.CHRTYPE}
    with tarfile.open(sys.argv[2], "w:gz", format=formats[spec["format"]]) as tar:
        for e in spec["entries"]:
            info = tarfile.TarInfo(e["name"])
            info.type = kinds[e["kind"]]
            info.mode = e["mode"]
            info.linkname = e["target"]
            data = e["data"].encode()
            info.size = len(data) if e["kind"] == "file" else 0
            tar.addfile(info, io.BytesIO(data) if e["kind"] == "file" else None)
    """

    /// Writes an archive of `entries` to `url`; `format` is gnu, pax or ustar.
    static func write(_ entries: [Entry], to url: URL, format: String = "gnu") throws {
        struct Spec: Encodable { var format: String; var entries: [Entry] }
        let spec = String(decoding: try JSONEncoder().encode(Spec(format: format, entries: entries)), as: UTF8.self)
        try run("/usr/bin/python3", ["-c", script, spec, url.path])
    }

    /// Runs a tool and fails when it does.
    static func run(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.first ?? "") failed"])
        }
    }
}
