import Foundation
import RailyardClient
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("Following a deployment")
struct DeploymentFollowerTests {
    /// A scripted server: statuses returned one per poll (the last repeats) and log chunks in order.
    final class Script: @unchecked Sendable {
        var statuses: [DeploymentStatus]
        var chunks: [Result<LogChunk, RailyardClientError>]
        var failureReason: String?
        var logRequests: [(offset: Int64, wait: Int)] = []
        var output: [String] = []
        var sleeps = 0

        init(statuses: [DeploymentStatus], chunks: [Result<LogChunk, RailyardClientError>], failureReason: String? = nil) {
            self.statuses = statuses
            self.chunks = chunks
            self.failureReason = failureReason
        }

        func deployment() -> Deployment {
            var deployment = Deployment(id: "dep_1", serviceId: "s", environmentId: "e", createdAt: Date(timeIntervalSince1970: 0))
            deployment.status = statuses.count > 1 ? statuses.removeFirst() : statuses[0]
            if deployment.status == .failed { deployment.failureReason = failureReason }
            if deployment.status == .success { deployment.url = "http://web-production-shop.localhost:8080" }
            return deployment
        }

        func follower() -> DeploymentFollower {
            DeploymentFollower(
                fetchDeployment: { self.deployment() },
                fetchBuildLog: { offset, wait in
                    self.logRequests.append((offset, wait))
                    guard !self.chunks.isEmpty else { return LogChunk(text: "", nextOffset: offset, complete: true) }
                    return try self.chunks.removeFirst().get()
                },
                writeLog: { self.output.append("log:" + $0) },
                note: { self.output.append($0) },
                sleep: { _ in self.sleeps += 1 }
            )
        }
    }

    static var queued: Deployment {
        Deployment(id: "dep_1", serviceId: "s", environmentId: "e", createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test("the build log streams with growing offsets, status changes are noted, and it ends at SUCCESS")
    func success() async throws {
        let script = Script(
            statuses: [.building, .building, .deploying, .deploying, .success],
            chunks: [
                .success(LogChunk(text: "step 1\n", nextOffset: 7, complete: false)),
                .success(LogChunk(text: "step 2\n", nextOffset: 14, complete: true)),
            ]
        )
        let final = try await script.follower().follow(from: Self.queued)
        #expect(final.status == .success)
        #expect(script.logRequests.map(\.offset) == [0, 7])
        #expect(script.logRequests.allSatisfy { $0.wait > 0 })
        #expect(script.output == [
            "Status: QUEUED", "log:step 1\n", "Status: BUILDING", "log:step 2\n",
            "Status: DEPLOYING", "Status: SUCCESS",
        ])
    }

    @Test("a failed build ends the follow with the failure reason on the deployment")
    func failure() async throws {
        let script = Script(
            statuses: [.failed],
            chunks: [.success(LogChunk(text: "npm ERR! missing script: build\n", nextOffset: 31, complete: true))],
            failureReason: "the build command `npm run build` exited with status 1"
        )
        let final = try await script.follower().follow(from: Self.queued)
        #expect(final.status == .failed)
        #expect(script.output.last == "Status: FAILED")
        let error = DeploymentReport.failure(final)
        #expect(error.message == "deployment dep_1 failed: the build command `npm run build` exited with status 1; see `railyard logs --build --deployment dep_1`")
    }

    @Test("no build log yet (404) is waited out; a deployment that ends without one stops the follow")
    func missingLog() async throws {
        let notFound = RailyardClientError(status: 404, error: .notFound("build log"))
        let script = Script(statuses: [.initializing, .failed], chunks: [.failure(notFound), .failure(notFound)])
        let final = try await script.follower().follow(from: Self.queued)
        #expect(final.status == .failed)
        #expect(script.sleeps >= 1, "an empty answer is not retried in a busy loop")
        #expect(script.output == ["Status: QUEUED", "Status: INITIALIZING", "Status: FAILED"])
    }

    @Test("other errors from the server end the follow")
    func errors() async {
        let script = Script(statuses: [.building], chunks: [.failure(RailyardClientError(status: 401, error: .init(.unauthorized, "log in again")))])
        await #expect(throws: RailyardClientError.self) { try await script.follower().follow(from: Self.queued) }
    }

    @Test("a success prints the URL as its last line; durations when known")
    func timing() {
        var deployment = Self.queued
        #expect(DeploymentReport.timing(deployment) == nil)
        deployment.buildStartedAt = Date(timeIntervalSince1970: 10)
        deployment.buildFinishedAt = Date(timeIntervalSince1970: 12.5)
        deployment.deployStartedAt = Date(timeIntervalSince1970: 12.5)
        deployment.finishedAt = Date(timeIntervalSince1970: 13)
        #expect(DeploymentReport.timing(deployment) == "Deployed in 3.0 s (build 2.5 s, deploy 0.5 s):")
        deployment.status = .removed
        #expect(DeploymentReport.failure(deployment).message.hasPrefix("deployment dep_1 ended REMOVED without succeeding"))
    }
}
