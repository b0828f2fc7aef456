import DoctorCore
import DoctorFormatters
import Foundation
import Testing

@Suite struct TextFormatterTests {
    @Test func groupsByCategoryWithMarksRemediationAndSummary() {
        let text = TextFormatter(options: FormatOptions()).format(Canonical.report)
        // Categories in the design's order: IPC connectivity comes before Configuration.
        let ipc = text.range(of: "IPC connectivity\n")
        let configuration = text.range(of: "Configuration\n")
        #expect(ipc != nil && configuration != nil && ipc!.lowerBound < configuration!.lowerBound)
        #expect(text.contains("  ✘ ipc-fail   title of ipc-fail\n      /run/x: mode is 0644, expected == 0600\n      fix: chmod 0600 \"$XDG_RUNTIME_DIR/pds/bus.sock\"\n           then restart\n"))
        #expect(text.contains("  ⚠ cfg-warn   title of cfg-warn\n      latency is 300ms (warn if > 250ms)\n      fix: look\n"))
        #expect(text.contains("  ! cfg-error  title of cfg-error\n      timed out after 2s\n"))
        #expect(text.contains("  ↷ cfg-skip   title of cfg-skip\n      skipped: not a graphical session\n"))
        #expect(!text.contains("mode 0600"), "pass messages only with --verbose")
        #expect(text.hasSuffix("6 checks: 2 passed, 1 warning, 1 failed, 1 error, 1 skipped in 1.5s — exit 2\n"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func verboseAddsEvidenceAndDurations() {
        let text = TextFormatter(options: FormatOptions(verbose: true)).format(Canonical.report)
        #expect(text.contains("  ✔ cfg-pass   title of cfg-pass  (250ms)\n      mode 0600\n"))
        #expect(text.contains("      observed /run/x: mode=0644 owner=root (0)\n"))
    }

    @Test func colourOnlyWhenAsked() {
        let text = TextFormatter(options: FormatOptions(color: true)).format(Canonical.report)
        #expect(text.contains("\u{1B}[31m✘\u{1B}[0m ipc-fail"))
        #expect(text.contains("\u{1B}[32m✔\u{1B}[0m cfg-pass"))
    }

    @Test func streamsInPiecesThatAddUpToTheWhole() {
        let formatter = TextFormatter(options: FormatOptions())
        var pieces: [String] = []
        formatter.write(Canonical.report) { pieces.append($0) }
        #expect(pieces.joined() == formatter.format(Canonical.report))
    }
}
