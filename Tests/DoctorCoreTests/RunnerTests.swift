import DoctorTestSupport
import DoctorCore
import Foundation
import Synchronization
import Testing

@Suite(.serialized) struct RunnerTests {
    func run(_ yaml: String, jobs: Int = 4, timeout: Double? = nil, deadline: Double? = nil, variables: [String: String] = [:], interruption: @escaping @Sendable () -> String? = { nil }) async throws -> Runner.Outcome {
        let catalog = try await loadCatalog(["a.yaml": yaml])
        let runner = Runner(registry: testRegistry, options: RunOptions(jobs: jobs, defaultTimeout: 5, timeoutOverride: timeout, deadline: deadline, variables: Variables(variables)))
        return await runner.run(Selection().plan(catalog), interruption: interruption)
    }

    @Test func passWarnFailFromExpectations() async throws {
        let outcome = try await run(
            check("p", probe: "{type: value, number: 1}", expect: "{number: {le: 2}}")
                + check("w", probe: "{type: value, number: 3}", expect: "{number: {warn_if: {gt: 2}, fail_if: {gt: 5}}}")
                + check("f", probe: "{type: value, number: 9}", expect: "{number: {warn_if: {gt: 2}, fail_if: {gt: 5}}}")
                + check("e", probe: "{type: broken}"))
        #expect(outcome.results.map(\.status) == [.pass, .warn, .fail, .error])
        #expect(outcome.results[1].message == "number is 3 (warn if > 2)")
        #expect(outcome.results[2].message == "number is 9 (fail if > 5)")
        #expect(outcome.results[3].message == "device on fire")
        #expect(outcome.results[0].expected.first?.summary == "<= 2")
        #expect(outcome.results[0].observed.first?.values.contains { $0.name == "number" } == true)
        #expect(outcome.stop == nil)
    }

    @Test func aTimedOutCheckIsAnErrorAndTheRunGoesOn() async throws {
        let outcome = try await run(
            check("slow", probe: "{type: sleep, seconds: 30}", extra: "timeout: 200ms")
                + check("fast", probe: "{type: value, number: 1}"))
        #expect(outcome.results.map(\.status) == [.error, .pass])
        #expect(outcome.results[0].message == "timed out after 200ms")
        // The probe would sleep 30 s: finishing well before proves the timeout cut it short. The bound is loose
        // because the whole suite runs in parallel on two cores, where other suites' blocking child-process
        // waits can hold the cooperative pool for seconds (CI saw 3.1 s).
        #expect(outcome.results[0].durationSeconds < 15)
    }

    @Test func aProbeThatIgnoresCancellationDoesNotHoldTheRun() async throws {
        let started = ContinuousClock.now
        let outcome = try await run(check("stubborn", probe: "{type: stubborn, seconds: 8}", extra: "timeout: 300ms"))
        let elapsed = ContinuousClock.now - started
        #expect(outcome.results.map(\.status) == [.error])
        #expect(outcome.results[0].message == "timed out after 300ms")
        // The probe blocks 8 s; the run must end long before (bounds are loose: the suites share two cores).
        #expect(elapsed < .seconds(5), "the run waited \(elapsed) for a probe that ignores cancellation")
    }

    @Test func probesThatBlockTheirThreadsDoNotStarveTheRun() async throws {
        // More blocking probes than the cooperative pool has threads: each must hold only a thread of its own.
        var yaml = ""
        for index in 0..<6 { yaml += check("blocks-\(index)", probe: "{type: stubborn, seconds: 10}", extra: "timeout: 300ms") }
        yaml += check("after", probe: "{type: value, number: 1}")
        let started = ContinuousClock.now
        let outcome = try await run(yaml, jobs: 8)
        #expect(ContinuousClock.now - started < .seconds(6))
        #expect(outcome.results.map(\.status) == Array(repeating: .error, count: 6) + [.pass])
    }

    @Test func hungChecksCostTheirTimeoutOnceWhenRunInParallel() async throws {
        var yaml = ""
        for index in 0..<20 { yaml += check("hung-\(index)", probe: "{type: sleep, seconds: 60}", extra: "timeout: 500ms") }
        let started = ContinuousClock.now
        let outcome = try await run(yaml, jobs: 20)
        let elapsed = ContinuousClock.now - started
        #expect(outcome.results.allSatisfy { $0.status == .error })
        #expect(elapsed < .seconds(20), "20 hung checks with --jobs 20 took \(elapsed)")
    }

    @Test func concurrencyIsBounded() async throws {
        CountingProbe.inFlight.withLock { $0 = (0, 0) }
        var yaml = ""
        for index in 0..<12 { yaml += check("s\(index)", probe: "{type: counting, seconds: 0.05}") }
        let outcome = try await run(yaml, jobs: 3)
        #expect(outcome.results.allSatisfy { $0.status == .pass })
        let peak = CountingProbe.inFlight.withLock { $0.peak }
        #expect(peak <= 3)
        #expect(peak >= 2)
    }

    @Test func resultsComeInCatalogOrderWhateverTheCompletionOrder() async throws {
        var yaml = ""
        for index in 0..<8 { yaml += check("c\(index)", probe: "{type: sleep, seconds: \(0.02 * Double(8 - index))}") }
        let outcome = try await run(yaml, jobs: 8)
        #expect(outcome.results.map(\.check.id) == (0..<8).map { "c\($0)" })
    }

    @Test func requiresWaitsAndSkipsWithTheReason() async throws {
        let outcome = try await run(
            check("child", probe: "{type: value, number: 1}", extra: "requires: [parent]")
                + check("parent", probe: "{type: value, number: 9}", expect: "{number: 1}")
                + check("ok-child", probe: "{type: value, number: 1}", extra: "requires: [ok]")
                + check("ok", probe: "{type: sleep, seconds: 0.1}"))
        let byID = Dictionary(uniqueKeysWithValues: outcome.results.map { ($0.check.id, $0) })
        #expect(byID["child"]?.status == .skip)
        #expect(byID["child"]?.message == "requires 'parent', which is fail")
        #expect(byID["ok-child"]?.status == .pass)
        #expect(outcome.results.map(\.check.id) == ["child", "parent", "ok-child", "ok"])
    }

    @Test func whenConditionsSkip() async throws {
        let outcome = try await run(
            check("needs-display", probe: "{type: value, number: 1}", extra: "when: {env: DISPLAY_X, reason: no display}")
                + check("env-equals", probe: "{type: value, number: 1}", extra: "when: {env_equals: {MODE: prod}}")
                + check("path", probe: "{type: value, number: 1}", extra: "when: {path_absent: /}")
                + check("applies", probe: "{type: value, number: 1}", extra: "when: {env: MODE}"),
            variables: ["MODE": "dev"])
        #expect(outcome.results.map(\.status) == [.skip, .skip, .skip, .pass])
        #expect(outcome.results[0].message == "no display (DISPLAY_X is not set)")
        #expect(outcome.results[1].message == "not applicable: MODE is 'dev', not 'prod'")
        #expect(outcome.results[2].message == "not applicable: / exists")
    }

    @Test func variablesResolvePerRunAndUndefinedOnesAreErrors() async throws {
        let outcome = try await run(
            check("ok", probe: "{type: value, number: 1, text: \"${BASE}/x\"}", expect: "{text: \"${BASE}/x\", number: \"${ONE}\"}")
                + check("undefined", probe: "{type: value, number: 1, text: \"${NOT_DEFINED}/x\"}")
                + check("wrong-type", probe: "{type: value, number: \"${BASE}\"}"),
            variables: ["BASE": "/b", "ONE": "1"])
        #expect(outcome.results.map(\.status) == [.pass, .error, .error])
        #expect(outcome.results[1].message.hasPrefix("undefined variable ${NOT_DEFINED} in probe.text ("))
        #expect(outcome.results[1].message.hasSuffix("a.yaml:11:41)"))
        #expect(outcome.results[2].message.contains("probe.number is '/b' after expanding '${BASE}': expected a number"))
    }

    @Test func theRunDeadlineStopsTheRun() async throws {
        var yaml = ""
        for index in 0..<6 { yaml += check("slow-\(index)", probe: "{type: sleep, seconds: 30}") }
        let started = ContinuousClock.now
        let outcome = try await run(yaml, jobs: 2, deadline: 0.3)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(outcome.stop == .deadline(0.3))
        #expect(outcome.results.count == 6)
        #expect(outcome.results.allSatisfy { $0.status == .error })
        #expect(outcome.results.first?.message == "stopped: run deadline of 300ms exceeded")
        #expect(outcome.results.last?.message == "not run: run deadline of 300ms exceeded")
    }

    @Test func cancellationStopsCleanlyWithAPartialResult() async throws {
        var yaml = check("quick", probe: "{type: value, number: 1}")
        for index in 0..<4 { yaml += check("slow-\(index)", probe: "{type: sleep, seconds: 10}") }
        let catalog = try await loadCatalog(["a.yaml": yaml])
        let runner = Runner(registry: testRegistry, options: RunOptions(jobs: 2))
        let signal = Mutex<String?>(nil)
        let task = Task { await runner.run(Selection().plan(catalog), interruption: { signal.withLock { $0 } }) }
        try await Task.sleep(for: .milliseconds(200))
        signal.withLock { $0 = "SIGINT" }
        task.cancel()
        let outcome = await task.value
        #expect(outcome.stop == .interrupted("SIGINT"))
        #expect(outcome.results.count == 5)
        #expect(outcome.results[0].status == .pass)
        #expect(outcome.results.dropFirst().allSatisfy { $0.status == .skip })
        #expect(outcome.results[1].message == "not finished: interrupted by SIGINT")
        #expect(outcome.results.last?.message == "not run: interrupted by SIGINT")
    }

    @Test func timeoutPrecedence() async throws {
        // The check's own timeout wins over --timeout, which wins over the catalog default.
        let outcome = try await run(
            check("own", probe: "{type: sleep, seconds: 0.4}", extra: "timeout: 2s")
                + check("flag", probe: "{type: sleep, seconds: 0.4}"),
            timeout: 0.1)
        #expect(outcome.results.map(\.status) == [.pass, .error])
        #expect(outcome.results[1].message == "timed out after 100ms")
    }

    @Test func exitStatusTable() {
        var counts = StatusCounts()
        #expect(ExitStatus.of(counts) == .ok)
        counts.skip = 3
        #expect(ExitStatus.of(counts) == .ok)
        counts.warn = 1
        #expect(ExitStatus.of(counts) == .warnings)
        counts.error = 1
        #expect(ExitStatus.of(counts) == .errors)
        counts.fail = 1
        #expect(ExitStatus.of(counts) == .failures)
    }
}
