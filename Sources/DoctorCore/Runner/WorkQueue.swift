import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands out positions 0..<count, once each, to any number of workers.
final class WorkQueue: Sendable {
    private let position = Mutex(0)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    func next() -> Int? {
        position.withLock { value in
            guard value < count else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
