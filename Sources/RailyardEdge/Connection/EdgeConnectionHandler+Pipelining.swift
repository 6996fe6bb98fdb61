import NIOCore
import NIOHTTP1

/// HTTP/1.1 pipelining and graceful shutdown, which NIO's `HTTPServerPipelineHandler` did before
/// the edge took them over (one handler and one message cast less per request part): a request
/// that arrives while a response is in flight waits, with reads from the client held, until that
/// response ends; a parse error behind it waits too, and gets its 400 in turn. A graceful shutdown
/// closes an idle connection at once and a busy one after its response (sent with
/// `Connection: close` when its head has not gone out yet); pipelined requests are dropped.
extension EdgeConnectionHandler {
    /// What arrived behind the request being answered.
    enum PipelinedEvent {
        case part(HTTPServerRequestPart)
        /// The client sent something that is not HTTP: a 400, then the connection closes.
        case parseError
    }

    /// The request is complete and its response is in flight, or requests already wait: what the
    /// client sends now must wait too.
    var mustWaitForResponse: Bool {
        !pipelined.isEmpty || (active != nil && !requestOpen)
    }

    /// Reads stop only while pipelined requests wait, not for every response in flight: a client
    /// that waits for its answer sends nothing meanwhile, and holding reads would cost two
    /// `epoll_ctl` calls per request.
    var holdsReadsForPipelining: Bool {
        !pipelined.isEmpty
    }

    /// Whether `part` must wait for the response in flight: a new request's head (or anything
    /// behind one that waits). Body parts of the request being answered go through.
    func mustWait(before part: HTTPServerRequestPart) -> Bool {
        if !pipelined.isEmpty { return true }
        if case .head = part { return active != nil }
        return false
    }

    func hold(_ event: PipelinedEvent) {
        guard !quiescing else { return }
        pipelined.append(event)
    }

    /// Answers what waited, in order, until a request's response stays in flight.
    func deliverPipelined() {
        guard !deliveringPipelined else { return }
        deliveringPipelined = true
        defer { deliveringPipelined = false }
        while let next = pipelined.first {
            if case .part(.head) = next, active != nil { return }
            pipelined.removeFirst()
            switch next {
            case .part(let part):
                receive(part)
            case .parseError:
                pipelined.removeAll()
                guard let context else { return }
                sendBadRequest(context: context)
                context.close(promise: nil)
                return
            }
        }
    }

    /// The answer to bytes that are not HTTP, when no response has started.
    func sendBadRequest(context: ChannelHandlerContext) {
        let head = HTTPResponseHead(
            version: .http1_1, status: .badRequest, headers: ["connection": "close", "content-length": "0"]
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        quiescing = true
        pipelined.removeAll()
        guard active != nil || requestOpen else {
            context.close(promise: nil)
            return
        }
        // Heads not yet written say the connection closes; `endResponse` closes it either way.
        active?.summary.keepAlive = false
        exchange?.closeClientAfterResponse()
    }

    /// After a graceful shutdown began: closes the connection once neither request nor response is
    /// in progress.
    func closeIfQuiesced() {
        guard quiescing, active == nil, !requestOpen, let context else { return }
        context.close(promise: nil)
    }
}
