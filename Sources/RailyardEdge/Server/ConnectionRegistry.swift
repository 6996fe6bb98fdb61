import NIOCore
import Synchronization

/// The client connections that are open, so a graceful shutdown can ask each to finish its current
/// request and close, and wait until they all have.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: Channel] = [:]
        var quiescing = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// What becomes of a connection added after a shutdown began.
    enum Draining {
        /// Closed: a connection just accepted.
        case close
        /// Tracked and asked to finish its request: one handed over with a request in it.
        case quiesce
    }

    /// Tracks `channel` until it closes.
    func add(_ channel: Channel, whileDraining draining: Draining = .close) {
        let id = ObjectIdentifier(channel)
        let quiescing = state.withLock { state -> Bool in
            if state.quiescing && draining == .close { return true }
            state.channels[id] = channel
            return state.quiescing
        }
        if quiescing {
            guard draining == .quiesce else {
                channel.close(promise: nil)
                return
            }
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        channel.closeFuture.whenComplete { _ in self.remove(id) }
    }

    /// Asks every connection to finish the request in flight and close (idle ones close at once).
    func quiesce() {
        let channels = state.withLock { state in
            state.quiescing = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Closes every connection now, requests in flight included.
    func closeAll() {
        let channels = state.withLock { state in
            state.quiescing = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
    }

    /// Returns once no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.channels.isEmpty { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The number of open client connections.
    var count: Int {
        state.withLock { $0.channels.count }
    }

    private func remove(_ id: ObjectIdentifier) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.channels[id] = nil
            guard state.channels.isEmpty else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
