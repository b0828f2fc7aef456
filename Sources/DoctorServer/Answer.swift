import DoctorCore
import DoctorFormatters
import Foundation
import Synchronization

/// What a request gets: a complete reply, or the live event stream.
public enum Answer: Sendable {
    case reply(Reply)
    case events(ResultFilter)
}
