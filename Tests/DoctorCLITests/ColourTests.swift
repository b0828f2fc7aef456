import DoctorTestSupport
import Foundation
import Testing

@Suite struct ColourTests {
    @Test func noColorAlwaysWins() throws {
        let scratch = TemporaryDirectory()
        scratch.write("c.yaml", envCheck("home-set", "HOME"))
        let forced = try doctor(["run", "--catalog", scratch.path, "--color", "always"])
        #expect(forced.stdout.contains("\u{1B}["))
        let vetoed = try doctor(["run", "--catalog", scratch.path, "--color", "always"], environment: ["NO_COLOR": "1"])
        #expect(!vetoed.stdout.contains("\u{1B}["))
    }
}
