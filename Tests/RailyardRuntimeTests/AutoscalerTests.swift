import Foundation
import RailyardCore
import Testing

@testable import RailyardRuntime

/// The autoscaler's decisions with injected samples and an injected clock.
@Suite("Autoscaler: HorizontalPodAutoscaler decisions")
struct AutoscalerTests {
    struct Run {
        var autoscaler: Autoscaler
        var now = ContinuousClock.now
        var replicas: Int

        init(_ settings: Autoscaler.Settings, replicas: Int) {
            autoscaler = Autoscaler(settings: settings)
            self.replicas = replicas
        }

        /// `seconds` of one sample per second per replica at `cpu` and `memory`, applying decisions;
        /// returns them.
        mutating func feed(seconds: Int, cpu: Double, memory: Double = 0.1) -> [Autoscaler.Decision] {
            var decisions: [Autoscaler.Decision] = []
            for _ in 0..<seconds {
                now = now + .seconds(1)
                autoscaler.record((0..<replicas).map { Autoscaler.Sample(at: now, replica: "r\($0)", cpu: cpu, memory: memory) })
                if let decision = autoscaler.evaluate(current: replicas, at: now) {
                    decisions.append(decision)
                    replicas = decision.to
                }
            }
            return decisions
        }
    }

    static let quick = Autoscaler.Settings(window: .seconds(10), scaleUpStabilization: .zero, scaleDownStabilization: .seconds(60))

    @Test("HPA's rule: ceil(replicas × average / target), 10% tolerance")
    func rule() {
        #expect(Autoscaler.desired(current: 1, average: 1.0, target: 0.7) == 2)
        #expect(Autoscaler.desired(current: 2, average: 0.98, target: 0.7) == 3)
        #expect(Autoscaler.desired(current: 4, average: 0.75, target: 0.7) == 4, "within 10%")
        #expect(Autoscaler.desired(current: 4, average: 0.1, target: 0.7) == 1)
    }

    @Test("CPU over target scales out as soon as the window is half covered, with the figures in the reason")
    func scaleOut() {
        var run = Run(Self.quick, replicas: 1)
        let decisions = run.feed(seconds: 6, cpu: 1.4)
        #expect(decisions.count == 1)
        let decision = decisions[0]
        #expect(decision.from == 1 && decision.to == 2)
        #expect(decision.reason.contains("average CPU 140% of limit (target 70%)"), "\(decision.reason)")
        #expect(decision.reason.contains("memory 10% (target 80%)"))
        // Still hot with 2: more, after the new replicas' figures fill half a window again.
        let more = run.feed(seconds: 6, cpu: 1.4)
        #expect(more.map(\.to) == [4])
    }

    @Test("never above max nor below min; memory alone can scale out")
    func bounds() {
        var hot = Run(.init(minReplicas: 2, maxReplicas: 3, window: .seconds(4)), replicas: 2)
        #expect(hot.feed(seconds: 10, cpu: 5.0).map(\.to) == [3])
        var memory = Run(.init(window: .seconds(4)), replicas: 1)
        #expect(memory.feed(seconds: 3, cpu: 0.1, memory: 1.6).map(\.to) == [2])
        var idle = Run(.init(minReplicas: 2, window: .seconds(4), scaleDownStabilization: .zero), replicas: 5)
        #expect(idle.feed(seconds: 3, cpu: 0.0).map(\.to) == [2])
    }

    @Test("scale-down waits out its stabilisation window; a dip inside it sheds nothing")
    func scaleDownStabilisation() {
        var run = Run(Self.quick, replicas: 4)
        #expect(run.feed(seconds: 20, cpu: 0.7).isEmpty, "on target")
        #expect(run.feed(seconds: 30, cpu: 0.1).isEmpty, "the on-target recommendations of the last 60 s hold it")
        let down = run.feed(seconds: 40, cpu: 0.1)
        #expect(down.last?.to == 1, "once 60 s of low figures are all there is")
        #expect(down.allSatisfy { $0.to < $0.from } && down.count <= 3, "stepping down as the higher recommendations age out: \(down.map(\.to))")
    }

    @Test("scale-up stabilisation takes the lowest recommendation of its window")
    func scaleUpStabilisation() {
        var run = Run(.init(window: .seconds(4), scaleUpStabilization: .seconds(10)), replicas: 1)
        #expect(run.feed(seconds: 3, cpu: 0.7).isEmpty)
        #expect(run.feed(seconds: 5, cpu: 1.4).isEmpty, "the earlier on-target recommendations are in the window")
        #expect(run.feed(seconds: 10, cpu: 1.4).map(\.to) == [2])
    }

    @Test("deploy.autoscaling fills HPA's defaults and refuses bad values by name")
    func config() throws {
        let settings = Autoscaler.Settings(ServiceConfig.Autoscaling(maxReplicas: 4))
        #expect(settings == Autoscaler.Settings(minReplicas: 1, maxReplicas: 4, targetCPU: 0.7, targetMemory: 0.8))
        for (bad, says) in [
            (ServiceConfig.Autoscaling(minReplicas: 0), "`deploy.autoscaling.minReplicas` must be between 1 and 10"),
            (ServiceConfig.Autoscaling(minReplicas: 5, maxReplicas: 3), "`deploy.autoscaling.maxReplicas` must be at least minReplicas (5)"),
            (ServiceConfig.Autoscaling(targetCPUPercent: 150), "`deploy.autoscaling.targetCPUPercent` must be between 1 and 100 percent"),
        ] {
            let config = ServiceConfig(deploy: ServiceConfig.Deploy(autoscaling: bad))
            #expect(throws: RailyardError.self) { try config.validate() }
            do { try config.validate() } catch { #expect(error.message.contains(says), "\(error.message)") }
        }
        let decoded = try JSONDecoder().decode(ServiceConfig.self, from: Data(#"{"deploy": {"autoscaling": {"maxReplicas": 5, "targetCPUPercent": 60}}}"#.utf8))
        #expect(decoded.deploy.autoscaling == ServiceConfig.Autoscaling(maxReplicas: 5, targetCPUPercent: 60))
    }
}
