import Foundation
import RailyardCore
import Testing

@testable import RailyardServer

@Suite("HTTP traffic: access logs and counters")
struct HTTPTrafficTests {
    static func record(_ host: String, _ path: String, _ status: Int, ms: Double = 3, at seconds: Double) -> AccessRecord {
        AccessRecord(
            time: Date(timeIntervalSince1970: 1_800_000_000 + seconds), host: host, method: "GET", path: path, status: status,
            durationMs: ms, bytes: 10, requestId: "r\(Int(seconds))"
        )
    }

    @Test("records are kept per host, read back filtered by status class, exact status and path prefix, newest N, oldest first")
    func logs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-traffic-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let traffic = HTTPTraffic(directory: directory)
        traffic.record(Self.record("web.localhost", "/", 200, at: 1))
        traffic.record(Self.record("web.localhost", "/api/orders", 500, at: 2))
        traffic.record(Self.record("shop.example.com", "/api/missing", 404, at: 3))
        traffic.record(Self.record("other.localhost", "/", 200, at: 4))
        traffic.record(Self.record("web.localhost", "/api/orders", 503, at: 5))
        let hosts = ["web.localhost", "shop.example.com"]
        let all = traffic.records(hosts: hosts, filter: try HTTPLogFilter(status: nil, pathPrefix: nil), limit: 100)
        #expect(all.map(\.requestId) == ["r1", "r2", "r3", "r5"], "both hosts of the service, not the other one, in time order")
        #expect(traffic.records(hosts: hosts, filter: try HTTPLogFilter(status: "5xx", pathPrefix: nil), limit: 100).map(\.status) == [500, 503])
        #expect(traffic.records(hosts: hosts, filter: try HTTPLogFilter(status: "404", pathPrefix: nil), limit: 100).map(\.path) == ["/api/missing"])
        #expect(traffic.records(hosts: hosts, filter: try HTTPLogFilter(status: nil, pathPrefix: "/api"), limit: 2).map(\.requestId) == ["r3", "r5"])
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("web.localhost.jsonl").path))
        for bad in ["5x", "600", "abc", "6xx"] {
            #expect(throws: RailyardError.self, "\(bad)") { try HTTPLogFilter(status: bad, pathPrefix: nil) }
        }
    }

    @Test("counters add up per service: status classes, latency buckets, bytes")
    func stats() {
        let traffic = HTTPTraffic(directory: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID())"))
        traffic.record(Self.record("a", "/", 200, ms: 4, at: 1))
        traffic.record(Self.record("a", "/", 201, ms: 30, at: 2))
        traffic.record(Self.record("b", "/", 502, ms: 20_000, at: 3))
        traffic.record(Self.record("c", "/", 0, ms: 1, at: 4))
        let stats = traffic.stats(hosts: ["a", "b"])
        #expect(stats.requests == 3 && stats.bytes == 30)
        #expect(stats.statusClasses == ["2xx": 2, "5xx": 1])
        #expect(stats.latencyBuckets[0] == 1 && stats.latencyBuckets[3] == 1 && stats.latencyBuckets.last == 1)
        #expect(stats.latencyBuckets.reduce(0, +) == 3)
        #expect(traffic.stats(hosts: ["c"]).statusClasses == ["none": 1])
    }

    @Test("a batch (the epoll engine's way) is kept exactly as the same records one by one: lines per host and counters")
    func batch() throws {
        let records = [
            Self.record("a.localhost", "/one", 200, ms: 4, at: 1), Self.record("b.localhost", "/two", 404, ms: 30, at: 2),
            Self.record("a.localhost", "/quo\"ted", 503, ms: 9, at: 3),
        ]
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("railyard-traffic-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let single = HTTPTraffic(directory: base.appendingPathComponent("single"))
        for record in records { single.record(record) }
        let batched = HTTPTraffic(directory: base.appendingPathComponent("batched"))
        batched.record(contentsOf: records)
        let all = try HTTPLogFilter(status: nil, pathPrefix: nil)
        for host in ["a.localhost", "b.localhost"] {
            #expect(batched.records(hosts: [host], filter: all, limit: 10) == single.records(hosts: [host], filter: all, limit: 10))
            let file = "\(host).jsonl"
            let one = try String(contentsOf: base.appendingPathComponent("single").appendingPathComponent(file), encoding: .utf8)
            #expect(try String(contentsOf: base.appendingPathComponent("batched").appendingPathComponent(file), encoding: .utf8) == one)
        }
        #expect(batched.records(hosts: ["a.localhost"], filter: all, limit: 10).map(\.path) == ["/one", "/quo\"ted"])
        #expect(batched.stats(hosts: ["a.localhost", "b.localhost"]) == single.stats(hosts: ["a.localhost", "b.localhost"]))
    }
}

@Suite("Access records as JSON lines")
struct AccessRecordLineTests {
    @Test("a hand-written line decodes to the record, odd characters and all, dates in whole seconds UTC")
    func roundTrip() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        for (seconds, path) in [
            (0.0, "/"), (951_782_400.9, "/leap-day/\"quoted\"\\back"), (1_800_000_000, "/tab\there/é/\u{1}"),
            (4_102_444_799, "/last-second-of-2099"), (-86_401, "/before-1970"),
        ] {
            let record = AccessRecord(
                time: Date(timeIntervalSince1970: seconds), host: "web.localhost", method: "GET", path: path, status: 200,
                durationMs: 1.25, bytes: 10, requestId: "abc"
            )
            let decoded = try decoder.decode(AccessRecord.self, from: Data(record.jsonLine.utf8))
            var expected = record
            expected.time = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(decoded == expected, "\(record.jsonLine)")
            #expect(!record.jsonLine.contains("\n"))
            // The same time text Foundation writes.
            let foundation = String(decoding: try encoder.encode(["time": expected.time]), as: UTF8.self)
            #expect(record.jsonLine.contains(String(foundation.dropFirst(9).dropLast(2))), "\(foundation) vs \(record.jsonLine)")
        }
    }

    @Test("durations are written as the shortest text that reads back the same number")
    func durations() throws {
        var values: [Double] = [0, 0.001, 0.01, 0.1, 0.5, 1, 1.25, 10.007, 999.999, 123_456.789, 1e-5, 3.5e-4, 1e13, -2, .nan]
        for micros in stride(from: 0, to: 200_000, by: 37) { values.append(Double(micros) / 1000) }
        for value in values {
            var bytes: [UInt8] = []
            AccessRecord.appendMilliseconds(value, to: &bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(Double(text) == (value.isFinite ? value : 0), "\(value) became \(text)")
            if value.isFinite { #expect(text == value.description, "\(value): \(text) vs \(value.description)") }
        }
    }
}
