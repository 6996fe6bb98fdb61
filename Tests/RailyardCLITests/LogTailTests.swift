import Testing

@testable import RailyardCLI

@Suite("Log helpers")
struct LogTailTests {
    @Test("the last N lines, across chunks and a line split between them")
    func tail() {
        var tail = LogTail(limit: 2)
        tail.append("one\ntwo\nth")
        tail.append("ree\nfour\n")
        #expect(tail.lines == ["three", "four"])
        #expect(tail.text == "three\nfour\n")
        tail.append("five")
        #expect(tail.lines == ["four", "five"])
    }

    @Test("zero lines and short logs")
    func edges() {
        var none = LogTail(limit: 0)
        none.append("a\nb\n")
        #expect(none.lines.isEmpty)
        var many = LogTail(limit: 10)
        many.append("a\nb\n")
        #expect(many.lines == ["a", "b"])
        for index in 0..<500 { many.append("line \(index)\n") }
        #expect(many.lines.count == 10 && many.lines.last == "line 499")
    }

    @Test("domain URLs take the scheme and port of the deployment URL")
    func domainURL() {
        #expect(DomainCommand.url(host: "web-production-shop.localhost", like: "http://other.localhost:8080") == "http://web-production-shop.localhost:8080")
        #expect(DomainCommand.url(host: "shop.example.com", like: "https://x.example.com") == "https://shop.example.com")
        #expect(DomainCommand.url(host: "a.localhost", like: nil) == "http://a.localhost")
    }

    @Test("sizes read at a glance")
    func sizes() {
        #expect(ByteCount.format(0) == "0 B")
        #expect(ByteCount.format(1023) == "1023 B")
        #expect(ByteCount.format(1536) == "1.5 KiB")
        #expect(ByteCount.format(200 * 1024 * 1024) == "200 MiB")
    }
}
