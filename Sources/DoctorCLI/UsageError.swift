import DoctorCore
import Foundation

/// A usage problem found after parsing (exit 64).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
