import DoctorTestSupport
import Foundation
import Testing

func doctor(_ arguments: [String], environment: [String: String?] = [:], cwd: String? = nil) throws -> Completed {
    try run(try executable("doctor"), arguments, environment: environment, cwd: cwd)
}

/// A check on an environment variable (`env` probe) with the required keys filled in.
func envCheck(_ id: String, _ name: String, expect: String? = nil, extra: String = "") -> String {
    checkYAML(id, probe: "{type: env, name: \(name)}", expect: expect, extra: extra)
}
