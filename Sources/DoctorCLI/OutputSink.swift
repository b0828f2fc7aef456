import ArgumentParser
import DoctorCore
import DoctorYAML
import DoctorProbes
import Foundation

/// Writes command output to standard output or, atomically, to a file.
enum OutputSink {
    static func write(_ text: String, to path: String?) throws {
        try write(to: path) { emit in emit(text) }
    }

    /// Streams what `produce` emits to standard output, or to a temporary file renamed over `path` at the end.
    static func write(to path: String?, _ produce: ((String) -> Void) -> Void) throws {
        guard let path else {
            produce { Console.out($0) }
            return
        }
        do {
            let writer = try AtomicFile.Writer(path: path)
            var failure: AtomicFile.Failure?
            produce { piece in
                guard failure == nil else { return }
                do throws(AtomicFile.Failure) { try writer.write(piece) } catch { failure = error }
            }
            if let failure { throw failure }
            try writer.commit()
        } catch let error as AtomicFile.Failure {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.cannotWrite.rawValue)
        }
    }
}
