import CLibYAML
import DoctorCore

/// The YAML reader doctor uses: libyaml's event parser (Debian libyaml-dev) through `YAMLReader`.
public struct LibYAML: YAMLParsing {
    public init() {}

    public func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (documents: [YAMLNode], problems: [YAMLProblem]) {
        YAMLReader.read(bytes)
    }
}
