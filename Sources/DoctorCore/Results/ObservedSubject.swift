/// One observed subject with its values rendered for people (and kept typed for machines).
public struct ObservedSubject: Sendable {
    public var subject: String?
    public var values: [ObservedValue]
    /// The verdict on this subject: nil when it passed.
    public var problem: String?

    public init(subject: String?, values: [ObservedValue], problem: String? = nil) {
        self.subject = subject
        self.values = values
        self.problem = problem
    }
}
