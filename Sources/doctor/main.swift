import DoctorCLI

await Entry.doctor()
