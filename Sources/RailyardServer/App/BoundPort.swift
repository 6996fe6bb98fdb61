import Synchronization

/// The API's port, updated once the listener is bound.
final class BoundPort: Sendable {
    private let port: Mutex<Int>
    init(_ port: Int) { self.port = Mutex(port) }
    var value: Int {
        get { port.withLock { $0 } }
    }
    func set(_ value: Int) { port.withLock { $0 = value } }
}
