import DoctorCore
import Testing

@testable import DoctorServer

/// The pure parts of `doctor serve`: addresses, request targets, filters and verdicts.
@Suite struct ServeUnitTests {
    @Test func listenAddresses() throws {
        let cases: [(String, String, Int, Bool)] = [
            ("127.0.0.1:9464", "127.0.0.1", 9464, true), ("127.8.9.10:1", "127.8.9.10", 1, true), ("[::1]:9464", "::1", 9464, true),
            ("localhost:0", "127.0.0.1", 0, true), ("0.0.0.0:9464", "0.0.0.0", 9464, false), ("[::]:9464", "::", 9464, false),
            ("192.168.1.5:80", "192.168.1.5", 80, false), ("example.org:80", "example.org", 80, false),
        ]
        for (text, host, port, loopback) in cases {
            let address = try TCPListenAddress(parsing: text)
            #expect(address.host == host && address.port == port && address.isLoopback == loopback, "\(text)")
        }
        for bad in ["9464", ":9464", "127.0.0.1:", "127.0.0.1:70000", "::1:9464", "[::1]9464", "host:port"] {
            #expect(throws: ListenError.self, "\(bad)") { try TCPListenAddress(parsing: bad) }
        }
    }

    @Test func requestTargetsAndFilters() throws {
        let (path, query) = Endpoints.split("/metrics?governance=PCI-DSS&category=ipc-connectivity&severity=high&x=a%20b+c&flag")
        #expect(path == "/metrics")
        #expect(query.map { "\($0.name)=\($0.value)" } == ["governance=PCI-DSS", "category=ipc-connectivity", "severity=high", "x=a b c", "flag="])
        let vocabulary = ResultFilter.Vocabulary(categories: ["ipc-connectivity", "configuration"], frameworks: ["pci-dss": "pci-dss", "pci": "pci-dss"])
        let filter = try ResultFilter(query: query, vocabulary: vocabulary)
        #expect(filter.selection == Selection(governance: ["pci-dss"], categories: ["ipc-connectivity"], minimumSeverity: .high))
        #expect(try ResultFilter(query: [("governance", "pci")], vocabulary: vocabulary).selection.governance == ["pci-dss"])
        #expect(throws: RequestError.self) { try ResultFilter(query: [("category", "IPC")], vocabulary: vocabulary) }
        #expect(throws: RequestError.self) { try ResultFilter(query: [("severity", "")], vocabulary: vocabulary) }
        #expect(Endpoints.split("/").path == "/" && Endpoints.split("/").query.isEmpty)
    }

    @Test func htmlIsEscaped() {
        #expect(StatusPage.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
    }

    /// Events numbered on many threads at once reach a subscriber in number order (CI once saw check events
    /// 1, 3, 2 when numbering and delivery were two steps).
    @Test func numberedEventsArriveInOrderFromManyThreads() async {
        let hub = EventHub()
        let stream = hub.subscribe()
        let report = RunReport(toolVersion: "t", catalogDigest: "d", host: "h", startedAt: 0, finishedAt: 0, selection: Selection(), results: [])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<500 { hub.publish(numbered: { .runFinished(run: $0, report: report) }) } }
            }
        }
        hub.close()
        var numbers: [Int] = []
        for await event in stream {
            if case .runFinished(let run, _) = event { numbers.append(run) }
        }
        #expect(numbers == Array(1...4000))
    }
}
