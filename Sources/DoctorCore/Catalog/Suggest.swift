/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    /// The closest candidate within a few edits; ties go to the earlier one in sorted order, so the
    /// suggestion never depends on dictionary order.
    public static func closest(to word: String, in candidates: some Sequence<String>, limit: Int? = nil) -> String? {
        let limit = limit ?? max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates.sorted() where candidate != word {
            let distance = editDistance(word, candidate)
            if distance <= limit, distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    public static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
