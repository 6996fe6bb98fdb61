import Foundation
import RailyardCore
import RailyardEdge
import Synchronization

/// Every request the edge answered for a known host: an access log per host (JSON lines under
/// `logs/http/`, one older generation kept past 8 MiB) and counters per host since the server
/// started — requests by status class and a latency histogram. The edge hands records over on its
/// event loops; they are written in batches off them.
final class HTTPTraffic: Sendable {
    let directory: URL
    /// Records not yet written, and the counters: one lock per request.
    private let state = Mutex(State())
    /// Serialises writes and reads of the files.
    private let files = Mutex<Void>(())

    /// A host's log grows to this many bytes before it becomes `.1` and a new one starts.
    static let rotateAt = 8 << 20

    init(directory: URL) {
        self.directory = directory
    }

    private struct State {
        var pending: [AccessRecord] = []
        var counters: [String: HTTPStats] = [:]
    }

    /// Takes one record (called on an edge event loop: no I/O here).
    func record(_ record: AccessRecord) {
        state.withLock { state in
            state.pending.append(record)
            state.counters[record.host, default: HTTPStats()].add(status: record.status, durationMs: record.durationMs, bytes: record.bytes)
        }
    }

    /// Writes what arrived since the last flush, each host's lines appended to its file.
    func flush() {
        let batch = state.withLock { state -> [AccessRecord] in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        files.withLock { _ in
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (host, records) in Dictionary(grouping: batch, by: \.host) {
                let file = self.file(host)
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                if size > Self.rotateAt {
                    let older = file.appendingPathExtension("1")
                    try? FileManager.default.removeItem(at: older)
                    try? FileManager.default.moveItem(at: file, to: older)
                }
                var lines: [UInt8] = []
                for record in records {
                    record.appendJSONLine(to: &lines)
                    lines.append(UInt8(ascii: "\n"))
                }
                if let handle = FileHandle(forWritingAtPath: file.path) ?? (FileManager.default.createFile(atPath: file.path, contents: nil) ? FileHandle(forWritingAtPath: file.path) : nil) {
                    handle.seekToEndOfFile()
                    handle.write(Data(lines))
                    try? handle.close()
                }
            }
        }
    }

    /// Flushes every `interval` until cancelled.
    func run(every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            flush()
        }
        flush()
    }

    /// The newest `limit` records of `hosts` that pass `filter`, oldest first.
    func records(hosts: [String], filter: HTTPLogFilter, limit: Int) -> [AccessRecord] {
        flush()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var found: [AccessRecord] = []
        files.withLock { _ in
            for host in Set(hosts) {
                for file in [file(host).appendingPathExtension("1"), file(host)] {
                    guard let data = FileManager.default.contents(atPath: file.path) else { continue }
                    for line in data.split(separator: 0x0A) {
                        if let record = try? decoder.decode(AccessRecord.self, from: Data(line)), filter.admits(record) {
                            found.append(record)
                        }
                    }
                }
            }
        }
        return Array(found.sorted { $0.time < $1.time }.suffix(limit))
    }

    /// The counters of `hosts` added up (since the server started).
    func stats(hosts: [String]) -> HTTPStats {
        state.withLock { state in
            Set(hosts).reduce(into: HTTPStats()) { total, host in
                if let stats = state.counters[host] { total.merge(stats) }
            }
        }
    }

    /// Every host's counters since the server started.
    func allStats() -> [String: HTTPStats] {
        state.withLock { $0.counters }
    }

    private func file(_ host: String) -> URL {
        // Hosts reaching here resolved to a route: DNS names Railyard validated, safe as file names.
        directory.appendingPathComponent("\(host).jsonl")
    }
}

/// Which access-log records a query wants.
struct HTTPLogFilter: Sendable, Equatable {
    /// An exact status (`404`) or a class (`5xx`).
    var status: String?
    /// A path prefix (`/api`).
    var pathPrefix: String?

    /// The filter of `status` and `path` query values; a status that is neither is refused.
    init(status: String?, pathPrefix: String?) throws {
        if let status {
            let valid = Int(status).map { (100...599).contains($0) }
                ?? (status.count == 3 && status.hasSuffix("xx") && ("1"..."5").contains(String(status.prefix(1))))
            guard valid else {
                throw RailyardError(.invalidInput, "status must be a status code like 404 or a class like 5xx (got '\(status)')", field: "status")
            }
        }
        self.status = status?.lowercased()
        self.pathPrefix = pathPrefix.flatMap { $0.isEmpty ? nil : $0 }
    }

    func admits(_ record: AccessRecord) -> Bool {
        if let pathPrefix, !record.path.hasPrefix(pathPrefix) { return false }
        guard let status else { return true }
        if status.hasSuffix("xx") { return record.status / 100 == Int(String(status.prefix(1))) }
        return record.status == Int(status)
    }
}
