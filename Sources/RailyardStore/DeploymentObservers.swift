import RailyardCore
import Synchronization

/// Callbacks told of every deployment the store created or moved, after the write committed: the one
/// place every status change passes, whoever made it (the pipeline, a supervisor, recovery).
final class DeploymentObservers: Sendable {
    private let observers = Mutex<[@Sendable (Deployment) -> Void]>([])

    func add(_ observer: @escaping @Sendable (Deployment) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func publish(_ deployment: Deployment) {
        for observer in observers.withLock({ $0 }) { observer(deployment) }
    }
}
