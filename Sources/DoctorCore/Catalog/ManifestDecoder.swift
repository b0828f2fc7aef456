/// Decodes a catalog's `catalog.yaml`:
///
///     categories:
///       - {id: backups, title: Backups, description: Backup freshness}
///     timeout: 3s        # default per-check timeout for this catalog
enum ManifestDecoder {
    struct Manifest {
        var categories: [CategoryInfo] = []
        var timeout: Double?
        var upstream: String?
        var issues: [CatalogIssue] = []
    }

    static func decode(_ file: CatalogLoader.ParsedFile) -> Manifest {
        var manifest = Manifest()
        let display = file.file.display
        func issue(_ mark: SourceMark, _ message: String, hint: String? = nil) {
            manifest.issues.append(CatalogIssue(file: display, mark: mark, message: message, hint: hint))
        }
        for document in file.documents {
            guard case .mapping(let pairs, _) = document else {
                issue(document.mark, "catalog.yaml must be a mapping with 'categories' and/or 'timeout'")
                continue
            }
            for pair in pairs {
                switch pair.key.text {
                case "timeout":
                    switch TypedParser.setting(pair.value, type: .duration) {
                    case .success(.value(let value)) where (value.asDouble ?? 0) > 0 && (value.asDouble ?? 0).isFinite: manifest.timeout = value.asDouble
                    case .failure(let problem): issue(problem.mark ?? pair.value.mark, "timeout: \(problem.message)", hint: problem.hint)
                    default: issue(pair.value.mark, "timeout must be a positive, finite duration without variables")
                    }
                case "upstream":
                    if case .scalar(let scalar) = pair.value, !scalar.isNull, !scalar.text.isEmpty {
                        manifest.upstream = scalar.text
                    } else {
                        issue(pair.value.mark, "upstream must be a string naming the source the checks cite, e.g. owner/repo@commit")
                    }
                case "categories":
                    guard case .sequence(let items, _) = pair.value else {
                        issue(pair.value.mark, "categories must be a list of {id, title, description}")
                        continue
                    }
                    for item in items {
                        guard case .mapping(let fields, let mark) = item else {
                            issue(item.mark, "a category must be a mapping with 'id' and 'title'")
                            continue
                        }
                        var id: String?, title: String?, description: String?
                        for field in fields {
                            guard case .scalar(let scalar) = field.value, !scalar.isNull else {
                                issue(field.value.mark, "categories.\(field.key.text) must be a string")
                                continue
                            }
                            switch field.key.text {
                            case "id": id = scalar.text
                            case "title": title = scalar.text
                            case "description": description = scalar.text
                            default:
                                let hint = Suggest.closest(to: field.key.text, in: ["id", "title", "description"]).map { "did you mean '\($0)'?" }
                                issue(field.key.mark, "unknown key '\(field.key.text)' in category", hint: hint)
                            }
                        }
                        guard let id, CheckDecoder.isValidID(id) else {
                            issue(mark, "a category needs an 'id' of lowercase letters, digits and '-'")
                            continue
                        }
                        manifest.categories.append(CategoryInfo(id: id, title: title ?? id, description: description))
                    }
                default:
                    let hint = Suggest.closest(to: pair.key.text, in: ["categories", "timeout", "upstream"]).map { "did you mean '\($0)'?" }
                    issue(pair.key.mark, "unknown key '\(pair.key.text)' in catalog.yaml", hint: hint)
                }
            }
        }
        return manifest
    }
}
