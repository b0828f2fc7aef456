import DoctorCLI

// Installed as doctor and, by a symlink to it, as sesame (scripts/install): the name it is run by picks the
// command line, so one binary serves both.
if CommandLine.arguments.first?.split(separator: "/").last == "sesame" {
    await Entry.sesame()
} else {
    await Entry.doctor()
}
