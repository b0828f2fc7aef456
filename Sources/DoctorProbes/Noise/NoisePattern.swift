/// A Noise handshake pattern: pre-messages and message token lists (Noise sections 7.4, 7.5, 9 and 18).
struct NoisePattern {
    enum Token: String {
        case e, s, ee, es, se, ss, psk
    }

    var name: String
    var initiatorPre: [Token]
    var responderPre: [Token]
    /// Messages in order; even indices are sent by the initiator.
    var messages: [[Token]]
    /// True for one-way patterns (N, K, X): every message, transport ones too, goes initiator → responder.
    var oneWay: Bool

    var usesPSK: Bool { messages.contains { $0.contains(.psk) } }

    /// The fundamental, one-way and deferred patterns, by name (without psk modifiers).
    static let base: [String: (pre: (String, String), messages: [String])] = [
        "N": (("", "s"), ["e es"]),
        "K": (("s", "s"), ["e es ss"]),
        "X": (("", "s"), ["e es s ss"]),
        "NN": (("", ""), ["e", "e ee"]),
        "NK": (("", "s"), ["e es", "e ee"]),
        "NX": (("", ""), ["e", "e ee s es"]),
        "KN": (("s", ""), ["e", "e ee se"]),
        "KK": (("s", "s"), ["e es ss", "e ee se"]),
        "KX": (("s", ""), ["e", "e ee se s es"]),
        "XN": (("", ""), ["e", "e ee", "s se"]),
        "XK": (("", "s"), ["e es", "e ee", "s se"]),
        "XX": (("", ""), ["e", "e ee s es", "s se"]),
        "IN": (("", ""), ["e s", "e ee se"]),
        "IK": (("", "s"), ["e es s ss", "e ee se"]),
        "IX": (("", ""), ["e s", "e ee se s es"]),
        "NK1": (("", "s"), ["e", "e ee es"]),
        "NX1": (("", ""), ["e", "e ee s", "es"]),
        "X1N": (("", ""), ["e", "e ee", "s", "se"]),
        "X1K": (("", "s"), ["e es", "e ee", "s", "se"]),
        "XK1": (("", "s"), ["e", "e ee es", "s se"]),
        "X1K1": (("", "s"), ["e", "e ee es", "s", "se"]),
        "X1X": (("", ""), ["e", "e ee s es", "s", "se"]),
        "XX1": (("", ""), ["e", "e ee s", "es s se"]),
        "X1X1": (("", ""), ["e", "e ee s", "es s", "se"]),
        "K1N": (("s", ""), ["e", "e ee", "se"]),
        "K1K": (("s", "s"), ["e es", "e ee", "se"]),
        "KK1": (("s", "s"), ["e", "e ee se es"]),
        "K1K1": (("s", "s"), ["e", "e ee es", "se"]),
        "K1X": (("s", ""), ["e", "e ee s es", "se"]),
        "KX1": (("s", ""), ["e", "e ee se s", "es"]),
        "K1X1": (("s", ""), ["e", "e ee s", "se es"]),
        "I1N": (("", ""), ["e s", "e ee", "se"]),
        "I1K": (("", "s"), ["e es s", "e ee", "se"]),
        "IK1": (("", "s"), ["e s", "e ee se es"]),
        "I1K1": (("", "s"), ["e s", "e ee es", "se"]),
        "I1X": (("", ""), ["e s", "e ee s es", "se"]),
        "IX1": (("", ""), ["e s", "e ee se s", "es"]),
        "I1X1": (("", ""), ["e s", "e ee s", "se es"]),
    ]

    /// Parses a pattern name with optional psk modifiers (`IK`, `NNpsk0`, `XXpsk3`, `NNpsk0+psk2`).
    init(_ fullName: String) throws(NoiseError) {
        var baseName = fullName
        var modifiers: [Int] = []
        if let range = fullName.firstRange(of: "psk") {
            baseName = String(fullName[..<range.lowerBound])
            for modifier in fullName[range.lowerBound...].split(separator: "+") {
                guard modifier.hasPrefix("psk"), let index = Int(modifier.dropFirst(3)) else {
                    throw NoiseError("unsupported modifier '\(modifier)' in \(fullName)")
                }
                modifiers.append(index)
            }
        }
        guard let definition = NoisePattern.base[baseName] else { throw NoiseError("unsupported handshake pattern '\(fullName)'") }
        func tokens(_ text: String) -> [Token] { text.split(separator: " ").compactMap { Token(rawValue: String($0)) } }
        name = fullName
        initiatorPre = tokens(definition.pre.0)
        responderPre = tokens(definition.pre.1)
        messages = definition.messages.map(tokens)
        oneWay = baseName.count == 1
        for index in modifiers {
            if index == 0 {
                messages[0].insert(.psk, at: 0)
            } else {
                guard index <= messages.count else { throw NoiseError("psk\(index) is past the last message of \(baseName)") }
                messages[index - 1].append(.psk)
            }
        }
    }
}
