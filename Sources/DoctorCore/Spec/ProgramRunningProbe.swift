/// A probe that runs programs the catalog names (like `exec`). Its checks make the catalog code: before any of
/// them runs, `CatalogOpener.trustProblems` must find the catalog trusted (`CatalogTrust`), and `doctor validate`
/// checks the same.
public protocol ProgramRunningProbe: Probe {}
