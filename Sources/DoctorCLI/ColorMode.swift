import ArgumentParser
import DoctorCore
import DoctorFormatters
import Foundation

/// `--color`: only `OutputOptions` uses it, so it lives beside it.
enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
