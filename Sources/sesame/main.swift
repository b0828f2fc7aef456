import DoctorCLI

await Entry.sesame()
