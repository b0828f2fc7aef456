// The library's entry points with doctor's YAML reader filled in.
import DoctorCore

extension CatalogLoader {
    /// A loader that reads YAML with libyaml.
    public init(registry: ProbeRegistry) {
        self.init(registry: registry, yaml: LibYAML())
    }
}

extension CatalogOpener {
    /// An opener that reads YAML with libyaml, in this process's environment.
    public init(registry: ProbeRegistry, cache: CatalogCache? = nil) {
        self.init(registry: registry, yaml: LibYAML(), cache: cache, environment: CatalogOpener.processEnvironment())
    }
}
