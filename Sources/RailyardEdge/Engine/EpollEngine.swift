#if os(Linux)
import Foundation
import Glibc
import NIOCore
import NIOPosix
import Synchronization

/// The edge's plain-HTTP listener on Linux: one epoll thread per core serving simple requests
/// (`GET`/`HEAD` without a body, for a host routed to a replica) with raw sockets, and handing a
/// connection to NIO's pipeline (`EdgeServer.configureClientPipeline`, with the bytes read so far)
/// the first time a request is anything else. NIO's per-event machinery was most of the edge's
/// CPU time per request; here a request costs two reads and two writes and little else.
final class EpollEngine: Sendable {
    private struct State {
        var running: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let workers: [EpollWorker]
    /// The listening socket the workers share.
    private let listener: Int32
    private let state: Mutex<State>
    /// The port the listeners share.
    let port: Int

    /// Binds the listener on `host:port` (0 picks a free port) and starts one thread per worker.
    init(
        host: String, port: Int, workers count: Int, environment: EdgeEnvironment, settings: EpollWorker.Settings,
        handOff: @escaping @Sendable (Int32, ByteBuffer) -> Void
    ) throws(SystemCallError) {
        let (address, length) = try SystemSocket.listenAddress(host: host, port: port)
        let listener = try SystemSocket.listener(address, length: length, backlog: 1024)
        var workers: [EpollWorker] = []
        do throws(SystemCallError) {
            for _ in 0..<max(1, count) {
                workers.append(try EpollWorker(listener: listener, environment: environment, settings: settings, handOff: handOff))
            }
        } catch {
            for worker in workers { worker.shutDown() }
            Glibc.close(listener)
            throw error
        }
        self.listener = listener
        self.workers = workers
        self.port = SystemSocket.localPort(listener) ?? port
        state = Mutex(State(running: workers.count))
        let dealer = DealerBox()
        for worker in workers {
            worker.peers = workers.map { WeakWorker(value: $0) }
            worker.dealer = dealer
        }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [self] in
                worker.run()
                self.workerStopped()
            }
            thread.name = "railyard-edge-\(index)"
            thread.start()
        }
    }

    /// Stops accepting; requests in flight finish, then their connections close.
    func quiesce() {
        stopListening()
        for worker in workers { worker.send(.quiesce) }
    }

    /// Closes every connection now.
    func stop() {
        stopListening()
        for worker in workers { worker.send(.stop) }
    }

    /// New connections are refused from now on. The descriptor itself stays open until the engine
    /// goes (a worker may be in the middle of an accept on it).
    private func stopListening() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit {
        Glibc.close(listener)
    }

    /// Returns once every worker has stopped.
    func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func workerStopped() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
#endif
