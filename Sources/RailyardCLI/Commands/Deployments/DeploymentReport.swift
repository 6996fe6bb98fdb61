import ArgumentParser
import Foundation
import RailyardClient
import RailyardCore

/// How `railyard up` and `railyard redeploy` end: print the id when detached, else follow the
/// deployment and print its URL, or its failure reason and exit 1.
enum DeploymentReport {
    /// Reports a deployment just created: detached, or followed to its end.
    static func finish(
        _ deployment: Deployment, target: DeployTarget, client: RailyardClient, detach: Bool, json: Bool
    ) async throws {
        if detach {
            if json { try Output.json(deployment) } else { Output.line(deployment.id) }
            return
        }
        let follower = DeploymentFollower.live(
            client: client, projectId: target.projectId, deploymentId: deployment.id,
            writeLog: { text in json ? Output.standardError(text) : Output.write(text) },
            note: { Output.progress($0, json: json) }
        )
        let final = try await follower.follow(from: deployment)
        if json {
            try Output.json(final)
            if final.status != .success { throw ExitCode.failure }
            return
        }
        try conclude(final)
    }

    /// Prints the URL of a successful deployment; throws the failure otherwise.
    static func conclude(_ final: Deployment) throws {
        guard final.status == .success else { throw failure(final) }
        if let timing = timing(final) { Output.line(timing) }
        Output.line(final.url ?? "Deployment \(final.id) succeeded; the service has no public URL")
    }

    /// `Deployed in 2.5 s (build 2.1 s, deploy 0.4 s):`, when the durations are known.
    static func timing(_ deployment: Deployment) -> String? {
        guard let build = deployment.buildDuration, let deploy = deployment.deployDuration else { return nil }
        return "Deployed in \(seconds(build + deploy)) (build \(seconds(build)), deploy \(seconds(deploy))):"
    }

    /// The error a deployment that did not succeed ends the command with.
    static func failure(_ final: Deployment) -> CLIError {
        let hint = "see `railyard logs --build --deployment \(final.id)`"
        if final.status == .failed {
            let reason = final.failureReason ?? "no reason was given"
            return CLIError("deployment \(final.id) failed: \(reason); \(hint)")
        }
        return CLIError("deployment \(final.id) ended \(final.status.rawValue) without succeeding; \(hint)")
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        String(format: "%.1f s", interval)
    }
}
