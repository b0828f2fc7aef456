/// BLAKE3 (hash, keyed hash, derive key; extendable output), written from the BLAKE3 specification. No
/// maintained Swift package is available here; it is held to every case of the official test vectors.
/// Streaming: `update` any number of times, then `finalize`. Single-threaded, portable code.
public struct Blake3: Sendable {
    static let iv: [UInt32] = [0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19]
    static let chunkLength = 1024
    static let blockLength = 64

    struct Flags {
        static let chunkStart: UInt32 = 1
        static let chunkEnd: UInt32 = 2
        static let parent: UInt32 = 4
        static let root: UInt32 = 8
        static let keyedHash: UInt32 = 16
        static let deriveKeyContext: UInt32 = 32
        static let deriveKeyMaterial: UInt32 = 64
    }

    /// The compression function: 16 output words.
    @inline(__always)
    static func compress(_ cv: UnsafePointer<UInt32>, _ block: UnsafePointer<UInt32>, counter: UInt64, length: UInt32, flags: UInt32, into out: UnsafeMutablePointer<UInt32>) {
        var s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3], s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7]
        var s8: UInt32 = 0x6A09_E667, s9: UInt32 = 0xBB67_AE85, s10: UInt32 = 0x3C6E_F372, s11: UInt32 = 0xA54F_F53A
        var s12 = UInt32(truncatingIfNeeded: counter), s13 = UInt32(truncatingIfNeeded: counter >> 32), s14 = length, s15 = flags
        @inline(__always) func g(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32, _ x: UInt32, _ y: UInt32) {
            a = a &+ b &+ x
            d = (d ^ a).rotatedRight(16)
            c = c &+ d
            b = (b ^ c).rotatedRight(12)
            a = a &+ b &+ y
            d = (d ^ a).rotatedRight(8)
            c = c &+ d
            b = (b ^ c).rotatedRight(7)
        }
        var m0 = block[0], m1 = block[1], m2 = block[2], m3 = block[3], m4 = block[4], m5 = block[5], m6 = block[6], m7 = block[7]
        var m8 = block[8], m9 = block[9], m10 = block[10], m11 = block[11], m12 = block[12], m13 = block[13], m14 = block[14], m15 = block[15]
        for round in 0..<7 {
            g(&s0, &s4, &s8, &s12, m0, m1)
            g(&s1, &s5, &s9, &s13, m2, m3)
            g(&s2, &s6, &s10, &s14, m4, m5)
            g(&s3, &s7, &s11, &s15, m6, m7)
            g(&s0, &s5, &s10, &s15, m8, m9)
            g(&s1, &s6, &s11, &s12, m10, m11)
            g(&s2, &s7, &s8, &s13, m12, m13)
            g(&s3, &s4, &s9, &s14, m14, m15)
            if round == 6 { break }
            // The message permutation, in registers.
            (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15) =
                (m2, m6, m3, m10, m7, m0, m4, m13, m1, m11, m12, m5, m9, m14, m15, m8)
        }
        out[0] = s0 ^ s8; out[1] = s1 ^ s9; out[2] = s2 ^ s10; out[3] = s3 ^ s11
        out[4] = s4 ^ s12; out[5] = s5 ^ s13; out[6] = s6 ^ s14; out[7] = s7 ^ s15
        out[8] = s8 ^ cv[0]; out[9] = s9 ^ cv[1]; out[10] = s10 ^ cv[2]; out[11] = s11 ^ cv[3]
        out[12] = s12 ^ cv[4]; out[13] = s13 ^ cv[5]; out[14] = s14 ^ cv[6]; out[15] = s15 ^ cv[7]
    }

    // MARK: - State

    private let key: [UInt32]
    private let flags: UInt32
    /// Chaining values of completed subtrees.
    private var stack: [[UInt32]] = []
    // The current chunk.
    private var chunkCV: [UInt32]
    private var chunkCounter: UInt64 = 0
    private var block = [UInt32](repeating: 0, count: 16)
    private var blockBytes = [UInt8](repeating: 0, count: 64)
    private var blockFill = 0
    private var blocksCompressed = 0

    private init(key: [UInt32], flags: UInt32) {
        self.key = key
        self.flags = flags
        chunkCV = key
    }

    /// The plain hash.
    public init() { self.init(key: Blake3.iv, flags: 0) }

    /// The keyed hash (`key` is 32 bytes).
    public init(key: [UInt8]) {
        precondition(key.count == 32, "a BLAKE3 key is 32 bytes")
        self.init(key: Blake3.words(key), flags: Flags.keyedHash)
    }

    /// The key derivation mode for `context`; `update` with the key material.
    public init(deriveKeyContext context: String) {
        var contextHasher = Blake3(key: Blake3.iv, flags: Flags.deriveKeyContext)
        contextHasher.update(Array(context.utf8))
        self.init(key: Blake3.words(contextHasher.finalize(length: 32)), flags: Flags.deriveKeyMaterial)
    }

    static func words(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count / 4)
        for index in stride(from: 0, to: bytes.count, by: 4) {
            var word = UInt32(bytes[index])
            word |= UInt32(bytes[index + 1]) << 8
            word |= UInt32(bytes[index + 2]) << 16
            word |= UInt32(bytes[index + 3]) << 24
            out.append(word)
        }
        return out
    }

    private var chunkLength: Int { blocksCompressed * Blake3.blockLength + blockFill }
    private var startFlag: UInt32 { blocksCompressed == 0 ? Flags.chunkStart : 0 }

    private mutating func loadBlock() {
        blockBytes.withUnsafeBytes { raw in
            for index in 0..<16 { block[index] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) }
        }
    }

    /// Compresses one full 64-byte block (not the chunk's last) into the chunk's chaining value, without
    /// allocating.
    private mutating func compressBlock(_ bytes: UnsafeRawPointer) {
        let flags = self.flags | startFlag
        let counter = chunkCounter
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 32) { scratch in
            let words = scratch.baseAddress!, out = scratch.baseAddress! + 16
            for index in 0..<16 { words[index] = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) }
            chunkCV.withUnsafeMutableBufferPointer { cv in
                Blake3.compress(cv.baseAddress!, words, counter: counter, length: UInt32(Blake3.blockLength), flags: flags, into: out)
                for index in 0..<8 { cv[index] = out[index] }
            }
        }
        blocksCompressed += 1
        blockFill = 0
    }

    /// The output of the current chunk: the inputs of its last compression.
    private mutating func chunkOutput() -> Output {
        for index in blockFill..<64 { blockBytes[index] = 0 }
        loadBlock()
        return Output(cv: chunkCV, block: block, counter: chunkCounter, length: UInt32(blockFill), flags: flags | startFlag | Flags.chunkEnd)
    }

    private func parentOutput(_ left: [UInt32], _ right: [UInt32]) -> Output {
        Output(cv: key, block: left + right, counter: 0, length: UInt32(Blake3.blockLength), flags: flags | Flags.parent)
    }

    public mutating func update(_ input: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < input.count {
            if chunkLength == Blake3.chunkLength {
                let chunk = chunkOutput().chainingValue()
                var total = chunkCounter + 1
                var cv = chunk
                while total & 1 == 0 {
                    cv = parentOutput(stack.removeLast(), cv).chainingValue()
                    total >>= 1
                }
                stack.append(cv)
                chunkCounter += 1
                chunkCV = key
                blocksCompressed = 0
                blockFill = 0
            }
            // Compress a full block only when more input follows: the chunk's last block is kept for its output.
            if blockFill == Blake3.blockLength {
                blockBytes.withUnsafeBytes { compressBlock($0.baseAddress!) }
            }
            // Whole blocks straight from the input, while more input follows them in the same chunk.
            while blockFill == 0, input.count - offset > Blake3.blockLength, chunkLength + Blake3.blockLength < Blake3.chunkLength {
                compressBlock(input.baseAddress! + offset)
                offset += Blake3.blockLength
            }
            let take = min(Blake3.blockLength - blockFill, input.count - offset, Blake3.chunkLength - chunkLength)
            blockBytes.withUnsafeMutableBytes { buffer in
                buffer.baseAddress!.advanced(by: blockFill).copyMemory(from: input.baseAddress!.advanced(by: offset), byteCount: take)
            }
            blockFill += take
            offset += take
        }
    }

    public mutating func update(_ input: [UInt8]) {
        input.withUnsafeBytes { update($0) }
    }

    /// `length` bytes of output (the extendable output of the root node).
    public func finalize(length: Int = 32) -> [UInt8] {
        var copy = self
        var output = copy.chunkOutput()
        for cv in copy.stack.reversed() {
            output = copy.parentOutput(cv, output.chainingValue())
        }
        return output.rootBytes(length)
    }

    struct Output {
        var cv: [UInt32]
        var block: [UInt32]
        var counter: UInt64
        var length: UInt32
        var flags: UInt32

        func compressed(counter: UInt64, flags: UInt32) -> [UInt32] {
            var out = [UInt32](repeating: 0, count: 16)
            cv.withUnsafeBufferPointer { cvWords in
                block.withUnsafeBufferPointer { words in
                    out.withUnsafeMutableBufferPointer { result in
                        Blake3.compress(cvWords.baseAddress!, words.baseAddress!, counter: counter, length: length, flags: flags, into: result.baseAddress!)
                    }
                }
            }
            return out
        }

        func chainingValue() -> [UInt32] { Array(compressed(counter: counter, flags: flags)[0..<8]) }

        func rootBytes(_ count: Int) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var blockCounter: UInt64 = 0
            while out.count < count {
                for word in compressed(counter: blockCounter, flags: flags | Flags.root) {
                    for shift in stride(from: 0, to: 32, by: 8) where out.count < count { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
                }
                blockCounter += 1
            }
            return out
        }
    }

    /// The 32-byte hash of `data`.
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var hasher = Blake3()
        hasher.update(data)
        return hasher.finalize()
    }
}

extension UInt32 {
    @inline(__always) func rotatedRight(_ count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }
}
