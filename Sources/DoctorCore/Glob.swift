#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style globs for check ids: `*` any run, `?` one character, `[abc]` a class (libc's `fnmatch`, as the
/// probes' path globs use it).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        if !pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { return pattern == text }
        return fnmatch(pattern, text, 0) == 0
    }
}
