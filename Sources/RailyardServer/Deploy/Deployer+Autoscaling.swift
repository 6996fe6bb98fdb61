import Foundation

/// Autoscaling (`deploy.autoscaling`): every second, each autoscaling release samples its replicas'
/// cgroups and lets its `Autoscaler` decide.
extension Deployer {
    func runAutoscaling(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            for runner in runners.values where runner.autoscales {
                await runner.autoscale()
            }
        }
    }
}
