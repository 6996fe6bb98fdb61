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
    /// Lines not yet written, and the counters, by host: one lock per request.
    private let state = Mutex(State())
    /// Serialises writes and reads of the files.
    private let files = Mutex<Void>(())

    /// A host's log grows to this many bytes before it becomes `.1` and a new one starts.
    static let rotateAt = 8 << 20

    init(directory: URL) {
        self.directory = directory
    }

    /// One host's counters and the JSON lines not yet written to its file.
    private struct HostLog {
        var stats = HTTPStats()
        var pending: [UInt8] = []

        mutating func add(_ record: AccessRecord, line: some Collection<UInt8>) {
            stats.add(status: record.status, durationMs: record.durationMs, bytes: record.bytes)
            pending.append(contentsOf: line)
        }
    }

    private struct State {
        var hosts: [String: HostLog] = [:]
    }

    /// Takes one record (called on an edge event loop: no I/O here). Its JSON line is made here,
    /// outside the lock, and kept with its host's until the next flush: no record is copied or
    /// regrouped afterwards.
    func record(_ record: AccessRecord) {
        var line: [UInt8] = []
        record.appendJSONLine(to: &line)
        line.append(UInt8(ascii: "\n"))
        state.withLock { state in
            state.hosts[record.host, default: HostLog()].add(record, line: line)
        }
    }

    /// Takes a batch of records (the epoll engine's, once per round of events): their lines are
    /// made outside the lock into one buffer, and the lock is taken once for all of them.
    func record(contentsOf records: [AccessRecord]) {
        var lines: [UInt8] = []
        lines.reserveCapacity(records.count * 200)
        var ends: [Int] = []
        ends.reserveCapacity(records.count)
        for record in records {
            record.appendJSONLine(to: &lines)
            lines.append(UInt8(ascii: "\n"))
            ends.append(lines.count)
        }
        state.withLock { state in
            var start = 0
            for (record, end) in zip(records, ends) {
                state.hosts[record.host, default: HostLog()].add(record, line: lines[start..<end])
                start = end
            }
        }
    }

    /// Writes what arrived since the last flush, each host's lines appended to its file.
    func flush() {
        let batch = state.withLock { state -> [(host: String, lines: [UInt8])] in
            var batch: [(host: String, lines: [UInt8])] = []
            for index in state.hosts.indices where !state.hosts.values[index].pending.isEmpty {
                batch.append((state.hosts.keys[index], state.hosts.values[index].pending))
                state.hosts.values[index].pending.removeAll(keepingCapacity: true)
            }
            return batch
        }
        guard !batch.isEmpty else { return }
        files.withLock { _ in
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (host, lines) in batch {
                let file = self.file(host)
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                if size > Self.rotateAt {
                    let older = file.appendingPathExtension("1")
                    try? FileManager.default.removeItem(at: older)
                    try? FileManager.default.moveItem(at: file, to: older)
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
                if let log = state.hosts[host] { total.merge(log.stats) }
            }
        }
    }

    /// Every host's counters since the server started.
    func allStats() -> [String: HTTPStats] {
        state.withLock { $0.hosts.mapValues(\.stats) }
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
