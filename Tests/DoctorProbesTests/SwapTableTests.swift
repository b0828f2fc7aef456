import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct SwapTableTests {
    // The classifier on /proc/swaps text; which device is dm-crypt is decided by the closures (no such
    // devices can be made here).
    let table = """
        Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
        /dev/dm-1                               partition\t8388604\t\t0\t\t-2
        /dev/zram0                              partition\t4194300\t\t0\t\t100
        /swap\\040file                           file\t\t1048572\t\t0\t\t-3
        """

    @Test func parsesNamesAndTypes() {
        let areas = SwapTable.parse(table)
        #expect(areas.map(\.name) == ["/dev/dm-1", "/dev/zram0", "/swap file"])
        #expect(areas.map(\.type) == ["partition", "partition", "file"])
    }

    @Test func classifies() {
        let areas = SwapTable.parse(table)
        #expect(SwapTable.classify([], isEncrypted: { _ in false }) == .none)
        #expect(SwapTable.classify(areas, isEncrypted: { _ in true }) == .encrypted)
        #expect(SwapTable.classify(areas, isEncrypted: { $0.name == "/dev/dm-1" }) == .plaintext)
        #expect(SwapTable.classify(Array(areas[1...1]), isEncrypted: { _ in false }) == .memory)
    }
}
