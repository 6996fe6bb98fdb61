import Foundation
import RailyardCore

/// App sleeping (`deploy.sleepApplication`): a live release with no request for the quiet period
/// stops its replicas and shows SLEEPING; the edge holds the next request and calls `wake(host:)`,
/// the replicas start, and the first healthy one answers it.
extension Deployer {
    /// Puts to sleep every live release of a sleeping-enabled service quiet for `quietPeriod`.
    func sleepQuietReleases(after quietPeriod: Duration) async {
        for runner in runners.values where runner.sleepsWhenQuiet {
            guard await runner.isQuiet(for: quietPeriod, sinceLastRequest: routes.quietTime(of: runner.host)) else { continue }
            await runner.sleep()
        }
    }

    /// Wakes the sleeping release routed at `host`, or at the generated host `host` (a custom
    /// domain) is an alias of: the edge holds a request for it.
    func wake(host: String) async {
        let routed = routes.aliasTarget(of: host) ?? host
        for runner in runners.values where runner.host == routed {
            await runner.wakeUp()
        }
    }

    /// Checks for quiet releases every `interval` until cancelled.
    func runSleepChecks(after quietPeriod: Duration, every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await sleepQuietReleases(after: quietPeriod)
        }
    }
}
