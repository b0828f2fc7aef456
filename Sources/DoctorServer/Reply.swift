import DoctorCore
import DoctorFormatters
import Foundation
import Synchronization

/// A complete HTTP answer, independent of the HTTP stack.
public struct Reply: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(String, String)] = []
    public var body: [UInt8]

    public init(status: Int, contentType: String, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array((text + "\n").utf8))
    }
}
