import DoctorCore
import NIOCore
import NIOHPACK

/// One unary gRPC call over cleartext HTTP/2 with prior knowledge (h2c), as much of HTTP/2 (RFC 9113) as an
/// OTLP export needs: the connection preface and SETTINGS, one stream with a HEADERS frame (HPACK literals
/// without indexing or Huffman coding) and the request in DATA frames within the peer's flow-control windows,
/// answers to SETTINGS and PING, and the response read to the end of the stream.
///
/// The response's header blocks (HEADERS and CONTINUATION) are decoded with swift-nio-http2's HPACK. Success
/// is `:status` 200 and `grpc-status: 0` in the trailers (or in a trailers-only response). Any other
/// grpc-status fails the export with its code's name and `grpc-message`, even after a response message (the
/// status is the verdict, not the message); so do RST_STREAM, GOAWAY, and a stream that ends without a status.
enum GRPCCall {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum FrameType: UInt8 {
        case data = 0, headers = 1, rstStream = 3, settings = 4, ping = 6, goaway = 7, windowUpdate = 8, continuation = 9
    }

    static func frame(_ type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        var out: [UInt8] = [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags]
        out += [UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)]
        return out + payload
    }

    /// An HPACK integer with an N-bit prefix (RFC 7541 §5.1).
    static func integer(_ value: Int, prefixBits: Int, firstByte: UInt8) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        if value < limit { return [firstByte | UInt8(value)] }
        var out = [firstByte | UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            out.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        out.append(UInt8(rest))
        return out
    }

    /// Literal header field without indexing, new name, no Huffman (RFC 7541 §6.2.2).
    static func header(_ name: String, _ value: String) -> [UInt8] {
        let nameBytes = Array(name.utf8), valueBytes = Array(value.utf8)
        return [0x00] + integer(nameBytes.count, prefixBits: 7, firstByte: 0) + nameBytes + integer(valueBytes.count, prefixBits: 7, firstByte: 0) + valueBytes
    }

    static func call(url: String, path: String, headers: [(String, String)], message: [UInt8], deadline: ContinuousClock.Instant) throws(OTLPExporter.Failure) {
        guard url.hasPrefix("http://") else {
            throw OTLPExporter.Failure(description: "\(url): only http:// (cleartext h2c) endpoints are supported for gRPC")
        }
        let authority = String(url.dropFirst("http://".count).prefix { $0 != "/" })
        var host = authority, port: UInt16 = 4317
        if let colon = authority.lastIndex(of: ":"), let number = UInt16(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            port = number
        }
        let target = url + path
        let connection = try TCPConnection(host: host, port: port, deadline: deadline, url: target)
        var block = header(":method", "POST") + header(":scheme", "http") + header(":path", path) + header(":authority", authority)
        block += header("content-type", "application/grpc") + header("te", "trailers") + header("user-agent", "doctor/\(DoctorVersion.current)")
        for (key, value) in headers { block += header(key.lowercased(), value) }
        try connection.write(preface + frame(FrameType.settings.rawValue, flags: 0, stream: 0, []) + frame(FrameType.headers.rawValue, flags: 0x4, stream: 1, block))

        var body: [UInt8] = [0, UInt8(message.count >> 24 & 0xff), UInt8(message.count >> 16 & 0xff), UInt8(message.count >> 8 & 0xff), UInt8(message.count & 0xff)]
        body += message
        var sent = 0
        var connectionWindow = 65535, streamWindow = 65535, maxFrame = 16384
        var reader = FrameReader(connection: connection)
        var ended = false
        var decoder = HPACKDecoder(allocator: ByteBufferAllocator())
        var blocks: [HPACKHeaders] = []
        var pending: [UInt8]?
        var pendingEndsStream = false
        func decode(_ fragment: [UInt8]) throws(OTLPExporter.Failure) -> HPACKHeaders {
            var buffer = ByteBufferAllocator().buffer(bytes: fragment)
            do {
                return try decoder.decodeHeaders(from: &buffer)
            } catch {
                throw OTLPExporter.Failure(description: "\(target): the receiver's headers do not decode (HPACK: \(error))")
            }
        }
        while !ended {
            // Send what the windows allow.
            while sent < body.count && connectionWindow > 0 && streamWindow > 0 {
                let size = min(body.count - sent, maxFrame, connectionWindow, streamWindow)
                let last = sent + size == body.count
                try connection.write(frame(FrameType.data.rawValue, flags: last ? 0x1 : 0, stream: 1, Array(body[sent..<sent + size])))
                sent += size
                connectionWindow -= size
                streamWindow -= size
            }
            let (type, flags, stream, payload) = try reader.next()
            switch FrameType(rawValue: type) {
            case .settings where flags & 0x1 == 0:
                var index = 0
                while index + 6 <= payload.count {
                    let identifier = Int(payload[index]) << 8 | Int(payload[index + 1])
                    let value = Int(payload[index + 2]) << 24 | Int(payload[index + 3]) << 16 | Int(payload[index + 4]) << 8 | Int(payload[index + 5])
                    // Out-of-range values are connection errors (RFC 9113 §6.5.2): a frame size of 0 would
                    // otherwise send empty DATA frames forever.
                    if identifier == 4 {  // SETTINGS_INITIAL_WINDOW_SIZE
                        guard value <= Int(Int32.max) else {
                            throw OTLPExporter.Failure(description: "\(target): the receiver sent SETTINGS_INITIAL_WINDOW_SIZE \(value), above 2^31-1 (HTTP/2 FLOW_CONTROL_ERROR)")
                        }
                        streamWindow += value - 65535
                    }
                    if identifier == 5 {  // SETTINGS_MAX_FRAME_SIZE
                        guard (16384...16_777_215).contains(value) else {
                            throw OTLPExporter.Failure(description: "\(target): the receiver sent SETTINGS_MAX_FRAME_SIZE \(value), outside 16384…16777215 (HTTP/2 PROTOCOL_ERROR)")
                        }
                        maxFrame = value
                    }
                    index += 6
                }
                try connection.write(frame(FrameType.settings.rawValue, flags: 0x1, stream: 0, []))
            case .ping where flags & 0x1 == 0:
                try connection.write(frame(FrameType.ping.rawValue, flags: 0x1, stream: 0, payload))
            case .windowUpdate where payload.count == 4:
                let increment = (Int(payload[0]) & 0x7f) << 24 | Int(payload[1]) << 16 | Int(payload[2]) << 8 | Int(payload[3])
                if stream == 0 { connectionWindow += increment } else if stream == 1 { streamWindow += increment }
            case .data where stream == 1:
                if flags & 0x1 != 0 { ended = true }
            case .headers where stream == 1:
                // Padding (0x8) and priority (0x20) come before the header block fragment (RFC 9113 §6.2).
                var fragment = payload[...]
                var padding = 0
                if flags & 0x8 != 0, let first = fragment.first {
                    padding = Int(first)
                    fragment = fragment.dropFirst()
                }
                if flags & 0x20 != 0 { fragment = fragment.dropFirst(5) }
                guard padding <= fragment.count else { throw OTLPExporter.Failure(description: "\(target): a HEADERS frame with more padding than payload") }
                fragment = fragment.dropLast(padding)
                pendingEndsStream = flags & 0x1 != 0
                if flags & 0x4 != 0 {
                    blocks.append(try decode(Array(fragment)))
                    if pendingEndsStream { ended = true }
                } else {
                    pending = Array(fragment)
                }
            case .continuation where stream == 1:
                guard var block = pending else { throw OTLPExporter.Failure(description: "\(target): a CONTINUATION frame without HEADERS") }
                block += payload
                guard block.count <= 1 << 20 else { throw OTLPExporter.Failure(description: "\(target): response headers over 1 MiB") }
                if flags & 0x4 != 0 {
                    blocks.append(try decode(block))
                    pending = nil
                    if pendingEndsStream { ended = true }
                } else {
                    pending = block
                }
            case .rstStream where stream == 1:
                let code = payload.count == 4 ? Int(payload[3]) : -1
                throw OTLPExporter.Failure(description: "\(target): the receiver reset the stream (HTTP/2 error \(code))")
            case .goaway:
                let code = payload.count >= 8 ? Int(payload[7]) : -1
                throw OTLPExporter.Failure(description: "\(target): the receiver closed the connection (GOAWAY, HTTP/2 error \(code))")
            default:
                break
            }
        }
        guard let head = blocks.first else { throw OTLPExporter.Failure(description: "\(target): the stream ended without response headers") }
        if let status = head.first(name: ":status"), status != "200" {
            throw OTLPExporter.Failure(description: "\(target): the receiver answered HTTP \(status)")
        }
        // The status is in the trailers, or in the only header block of a trailers-only response.
        let trailers = blocks.last ?? head
        guard let code = trailers.first(name: "grpc-status") else {
            throw OTLPExporter.Failure(description: "\(target): the stream ended without a grpc-status")
        }
        guard code == "0" else {
            let message = trailers.first(name: "grpc-message").map { ": " + GRPCCall.percentDecoded($0) } ?? ""
            throw OTLPExporter.Failure(description: "\(target): the receiver answered with a gRPC error: grpc-status \(code) (\(GRPCCall.codeName(code)))\(message)")
        }
        guard sent == body.count else { throw OTLPExporter.Failure(description: "\(target): the receiver answered before the request was sent") }
    }

    /// The name of a gRPC status code (grpc/doc/statuscodes.md).
    static func codeName(_ code: String) -> String {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED",
        ]
        guard let number = Int(code), names.indices.contains(number) else { return "unknown code" }
        return names[number]
    }

    /// `grpc-message` is percent-encoded (gRPC over HTTP/2, "Responses"); shown decoded, control characters
    /// dropped, at most 300 characters.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        let decoded = String(decoding: bytes, as: UTF8.self).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        return String(String.UnicodeScalarView(decoded).prefix(300))
    }

    /// Reads frames from the connection, buffering what arrives.
    struct FrameReader {
        let connection: TCPConnection
        var buffer: [UInt8] = []

        mutating func next() throws(OTLPExporter.Failure) -> (UInt8, UInt8, UInt32, [UInt8]) {
            while true {
                if buffer.count >= 9 {
                    let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
                    guard length <= 1 << 24 else { throw OTLPExporter.Failure(description: "\(connection.url): an HTTP/2 frame of \(length) bytes") }
                    if buffer.count >= 9 + length {
                        let stream = UInt32(buffer[5] & 0x7f) << 24 | UInt32(buffer[6]) << 16 | UInt32(buffer[7]) << 8 | UInt32(buffer[8])
                        let frame = (buffer[3], buffer[4], stream, Array(buffer[9..<9 + length]))
                        buffer.removeFirst(9 + length)
                        return frame
                    }
                }
                let more = try connection.readSome()
                if more.isEmpty { throw OTLPExporter.Failure(description: "\(connection.url): the receiver closed the connection") }
                buffer += more
            }
        }
    }
}
