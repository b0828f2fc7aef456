/// The version of doctor.
public enum DoctorVersion {
    public static let current = "0.1.0"
}
