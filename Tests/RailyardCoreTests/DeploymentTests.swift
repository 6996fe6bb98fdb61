import Foundation
import RailyardCore
import Testing

@Suite("Deployment state machine")
struct DeploymentTests {
    let start = Date(timeIntervalSince1970: 1_000)

    func fresh() -> Deployment { Deployment(id: "d1", serviceId: "s1", environmentId: "e1", createdAt: start) }

    @Test("the happy path records build and deploy durations")
    func happyPath() throws {
        let deployment = try fresh()
            .moving(to: .initializing, at: start.addingTimeInterval(1))
            .moving(to: .building, at: start.addingTimeInterval(2))
            .moving(to: .deploying, at: start.addingTimeInterval(12))
            .moving(to: .success, at: start.addingTimeInterval(15))
        #expect(deployment.status == .success)
        #expect(deployment.buildDuration == 10)
        #expect(deployment.deployDuration == 3)
        #expect(!deployment.status.isTerminal)
    }

    @Test("a failed build keeps its reason and ends the build")
    func failedBuild() throws {
        let deployment = try fresh()
            .moving(to: .initializing, at: start)
            .moving(to: .building, at: start)
            .moving(to: .failed, at: start.addingTimeInterval(4), reason: "`npm run build` exited with 1")
        #expect(deployment.status.isTerminal)
        #expect(deployment.buildDuration == 4)
        #expect(deployment.failureReason == "`npm run build` exited with 1")
        #expect(throws: RailyardError.self) { try deployment.moving(to: .deploying, at: start) }
    }

    @Test("illegal moves are errors", arguments: [
        (DeploymentStatus.queued, DeploymentStatus.success), (.building, .success), (.success, .building),
        (.failed, .success), (.removed, .queued), (.deploying, .sleeping),
    ])
    func illegal(from: DeploymentStatus, to: DeploymentStatus) {
        #expect(!from.canMove(to: to))
    }

    @Test("every status but FAILED and REMOVED can still move")
    func terminals() {
        #expect(DeploymentStatus.allCases.filter(\.isTerminal) == [.failed, .removed])
    }
}
