import NIOCore
import NIOHTTP1
import Testing

@testable import RailyardEdge

/// Pipelined requests and graceful shutdown, which the connection handler does itself. A request
/// for a sleeping host is held until the wake timeout (60 s), which gives a response in flight on
/// an embedded channel.
@Suite("Pipelining and quiescing on an embedded channel")
struct PipeliningTests {
    /// The status codes in `output`, in order.
    static func statuses(_ output: String) -> [String] {
        output.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
    }

    func edge() throws -> EmbeddedEdge {
        let edge = try EmbeddedEdge()
        edge.routes.set(.sleeping, for: "sleepy.localhost")
        return edge
    }

    @Test("a request pipelined behind one in flight is answered after it, in order")
    func inOrder() throws {
        let edge = try edge()
        try edge.send(
            "GET / HTTP/1.1\r\nHost: sleepy.localhost\r\n\r\nGET /a HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n"
        )
        #expect(try edge.output().isEmpty, "the 404s wait for the held request's answer")
        edge.advance(by: .seconds(60))
        #expect(Self.statuses(try edge.output()) == ["503", "404", "404"])
        #expect(edge.isOpen)
    }

    @Test("bytes that are not HTTP behind a request in flight get a 400 after its answer, then a close")
    func parseErrorWaits() throws {
        let edge = try edge()
        try edge.send("GET / HTTP/1.1\r\nHost: sleepy.localhost\r\n\r\nNOT HTTP AT ALL\r\n\r\n")
        #expect(try edge.output().isEmpty)
        #expect(edge.isOpen)
        edge.advance(by: .seconds(60))
        #expect(Self.statuses(try edge.output()) == ["503", "400"])
        #expect(!edge.isOpen)
    }

    @Test("bytes that are not HTTP on an idle connection get a 400 and a close")
    func parseError() throws {
        let edge = try edge()
        try? edge.send("NOT HTTP AT ALL\r\n\r\n")
        let output = try edge.output()
        #expect(Self.statuses(output) == ["400"])
        #expect(output.lowercased().contains("connection: close"))
        #expect(!edge.isOpen)
    }

    @Test("a graceful shutdown closes an idle connection at once")
    func quiesceIdle() throws {
        let edge = try edge()
        try edge.send("GET / HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n")
        #expect(Self.statuses(try edge.output()) == ["404"])
        edge.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!edge.isOpen)
    }

    @Test("a graceful shutdown lets the request in flight finish with Connection: close and drops pipelined ones")
    func quiesceBusy() throws {
        let edge = try edge()
        try edge.send("GET / HTTP/1.1\r\nHost: sleepy.localhost\r\n\r\nGET /a HTTP/1.1\r\nHost: nothing.localhost\r\n\r\n")
        edge.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(edge.isOpen)
        edge.advance(by: .seconds(60))
        let output = try edge.output()
        #expect(Self.statuses(output) == ["503"])
        #expect(output.lowercased().contains("connection: close"))
        #expect(!edge.isOpen)
    }
}
