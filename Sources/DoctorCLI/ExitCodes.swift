import ArgumentParser
import DoctorCore
import Foundation

/// The exit-code table as `--help` shows it.
enum ExitCodes {
    static var help: String {
        let rows = ExitStatus.allCases.map { "  \(String($0.rawValue).padding(3)) \($0.meaning)" }
        return "EXIT CODES:\n" + rows.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
