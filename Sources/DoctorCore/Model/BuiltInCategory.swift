/// The six categories of the Open Sesame design. A catalog may declare more in its `catalog.yaml`.
public enum BuiltInCategory: String, Sendable, CaseIterable {
    case daemonLiveness = "daemon-liveness"
    case ipcConnectivity = "ipc-connectivity"
    case vaultIntegrity = "vault-integrity"
    case cryptoPosture = "crypto-posture"
    case platformIntegration = "platform-integration"
    case configuration

    public var title: String {
        switch self {
        case .daemonLiveness: "Daemon liveness"
        case .ipcConnectivity: "IPC connectivity"
        case .vaultIntegrity: "Vault integrity"
        case .cryptoPosture: "Crypto posture"
        case .platformIntegration: "Platform integration"
        case .configuration: "Configuration"
        }
    }
}
