import Foundation
import RailyardCore
import Testing

@testable import RailyardCLI

@Suite("railyard status: the deployment line")
struct StatusDescriptionTests {
    @Test("a deployment from git names its commit; a failed one its reason; an upload neither")
    func lines() {
        var deployment = Deployment(id: "d1", serviceId: "s1", environmentId: "e1", createdAt: Date())
        deployment.status = .success
        #expect(StatusCommand.describe(deployment) == "SUCCESS (d1)")
        deployment.commitSha = "9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e9f3c2a1b0e"
        deployment.commitMessage = "Fix the header"
        deployment.commitAuthor = "Ada"
        #expect(StatusCommand.describe(deployment) == #"SUCCESS (d1) of commit 9f3c2a1 "Fix the header" by Ada"#)
        deployment.status = .failed
        deployment.failureReason = "could not fetch branch main of https://example.com/x.git: couldn't find remote ref"
        #expect(StatusCommand.describe(deployment).hasSuffix(": could not fetch branch main of https://example.com/x.git: couldn't find remote ref"))
        #expect(StatusCommand.describe(nil).hasPrefix("none yet"))
    }
}
