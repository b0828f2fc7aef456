@testable import DoctorCore

/// The compiled-catalog cache decoder fed a damaged entry (seeds: real entries, written by `doctor validate`
/// with DOCTOR_CACHE_DIR). The key the decoder expects is taken from the entry itself, so damage past the header
/// reaches the decoder instead of failing the key comparison.
enum CacheTarget {
    static let keyLength = 64

    static func run(_ bytes: [UInt8]) {
        let start = CatalogCodec.magic.count
        let key = bytes.count >= start + keyLength ? String(decoding: bytes[start..<(start + keyLength)], as: UTF8.self) : "0"
        _ = CatalogCodec.decode(bytes, key: key)
    }
}
