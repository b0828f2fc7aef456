/// One check in catalog YAML with the required keys filled in: the one builder the suites write catalogs with.
/// `probe` and `expect` are flow mappings (`{type: file, path: /x}`); `extra` holds further keys, one per line.
public func checkYAML(
    _ id: String, probe: String, expect: String? = nil, extra: String = "", category: String = "configuration", severity: String = "medium"
) -> String {
    var text = "- id: \(id)\n  title: \(id)\n  category: \(category)\n  severity: \(severity)\n  probe: \(probe)\n"
    if let expect { text += "  expect: \(expect)\n" }
    if !extra.isEmpty { text += extra.split(separator: "\n").map { "  \($0)\n" }.joined() }
    return text
}
