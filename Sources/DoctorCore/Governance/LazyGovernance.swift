#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A governance source parsed on first use, once, by whichever decoding worker needs it first.
final class LazyGovernance: Sendable {
    let source: GovernanceSource
    private let state = Mutex<Result<GovernanceCatalog, CatalogError>?>(nil)

    init(_ source: GovernanceSource) {
        self.source = source
    }

    /// The frameworks; nil when they did not load (`issues` says why).
    var value: GovernanceCatalog? {
        let result = state.withLock { state in
            if let state { return state }
            let loaded: Result<GovernanceCatalog, CatalogError>
            do throws(CatalogError) {
                loaded = .success(try source.loadIDs())
            } catch {
                loaded = .failure(error)
            }
            state = loaded
            return loaded
        }
        if case .success(let catalog) = result { return catalog }
        return nil
    }

    /// The frameworks if something asked for them.
    var loaded: GovernanceCatalog? {
        state.withLock { state in
            if case .success(let catalog)? = state { return catalog }
            return nil
        }
    }

    /// Problems of the framework files, if they were read.
    var issues: [CatalogIssue] {
        state.withLock { state in
            if case .failure(let error)? = state { return error.issues }
            return []
        }
    }
}
