import CLinux
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// `/proc/swaps` and the classification of its areas.
enum SwapTable {
    struct Area: Equatable {
        var name: String
        var type: String
    }

    enum Posture: String {
        case none, encrypted, memory, plaintext
    }

    static func parse(_ text: String) -> [Area] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { return nil }
            // The kernel escapes spaces in names as \040.
            return Area(name: String(fields[0]).replacing("\\040", with: " "), type: String(fields[1]))
        }
    }

    /// The posture of a set of areas; `isEncrypted` and `isMemory` are asked per area (overridable in tests).
    static func classify(
        _ areas: [Area], isEncrypted: (Area) -> Bool = SwapTable.isOnDMCrypt, isMemory: (Area) -> Bool = { $0.name.hasPrefix("/dev/zram") }
    ) -> Posture {
        if areas.isEmpty { return .none }
        var sawEncrypted = false
        for area in areas {
            if isMemory(area) { continue }
            if isEncrypted(area) { sawEncrypted = true } else { return .plaintext }
        }
        return sawEncrypted ? .encrypted : .memory
    }

    /// Whether a swap area lives on a dm-crypt device: the block device of a partition, or the device holding
    /// a swap file, has a device-mapper uuid starting with `CRYPT-`.
    static func isOnDMCrypt(_ area: Area) -> Bool {
        var info = stat()
        guard stat(area.name, &info) == 0 else { return false }
        let device = area.type == "partition" ? info.st_rdev : info.st_dev
        let path = "/sys/dev/block/\(doctor_major(device)):\(doctor_minor(device))/dm/uuid"
        guard case .success(let uuid) = KernelFacts.readText(path) else { return false }
        return uuid.hasPrefix("CRYPT-")
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
