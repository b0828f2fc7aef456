import NIOCore

extension EventLoopFuture {
    /// This future with every failure an `OTLPExportError`: one already is, any other is named after `url`.
    func exportFailures(_ url: String) -> EventLoopFuture<Value> {
        flatMapErrorThrowing { error in throw (error as? OTLPExportError) ?? OTLPExportError("\(url): \(error)") }
    }

    /// Waits for the whole export, once; a failure that is not already an `OTLPExportError` is named after `url`.
    func exportResult(_ url: String) async throws(OTLPExportError) -> Value where Value: Sendable {
        do {
            return try await get()
        } catch let error as OTLPExportError {
            throw error
        } catch {
            throw OTLPExportError(url.isEmpty ? "\(error)" : "\(url): \(error)")
        }
    }
}
