import Foundation
import Testing

/// `lsc-control --host-ini`: start-up refusals, SIGHUP and API reloads, on loopback with no relay.
@Suite(.serialized) struct ControlHostINILiveTests {
    let directory = TestDirectory.make("hostini")
    var hostINI: String { directory.appendingPathComponent("host.ini").path }

    private func write(_ text: String) throws { try text.write(toFile: hostINI, atomically: true, encoding: .utf8) }

    @Test func aBadHostINIRefusesToStartNamingEveryBadLine() throws {
        try write("# edge\norigins 127.0.0.1:19400;127.0.0.1:19401 livestreamcast_origin\nbroken 127.0.0.1 app\ntwo 127.0.0.1;127.0.0.1:99999 app\n")
        let result = try Tools.run(Binaries.path("lsc-control"),
                                   ["--role", "edge", "--host-ini", hostINI, "--http", "127.0.0.1:\(FreePort.next())",
                                    "--control-socket", directory.appendingPathComponent("c.sock").path], timeout: 20)
        #expect(!result.timedOut)
        #expect(result.status == 78)
        #expect(result.stderr.contains("\(hostINI):3: expected '<label> <primary>;<secondary> <app>[/<instance>]'"), "\(result.stderr)")
        #expect(result.stderr.contains("\(hostINI):4: invalid port '99999'"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage"))
    }

    @Test func edgeWithoutHostINIAndBadIdleIntervalsAreRefused() throws {
        let http = "127.0.0.1:\(FreePort.next())"
        let noFile = try Tools.run(Binaries.path("lsc-control"), ["--role", "edge", "--http", http], timeout: 20)
        #expect(noFile.status != 0 && noFile.stderr.contains("--host-ini"), "\(noFile.stderr)")
        try write("origins 127.0.0.1:19400;127.0.0.1:19401 livestreamcast_origin\n")
        let idle = try Tools.run(Binaries.path("lsc-control"), ["--role", "edge", "--host-ini", hostINI, "--http", http,
                                                                 "--idle-interval", "0s"], timeout: 20)
        #expect(idle.status != 0 && idle.stderr.contains("--idle-interval"), "\(idle.stderr)")
    }

    @Test func sighupAndTheAPIReloadTheFileAndABadOneIsRejected() throws {
        try write("origins 127.0.0.1:19400;127.0.0.1:19401 livestreamcast_origin\n")
        let port = FreePort.next()
        let control = try TestProcess(Binaries.path("lsc-control"),
                                      ["--role", "edge", "--host-ini", hostINI, "--http", "127.0.0.1:\(port)", "--idle-interval", "500ms",
                                       "--control-socket", directory.appendingPathComponent("c.sock").path], name: "lsc-control-hostini")
        defer { control.stop() }
        try waitUntil("lsc-control listening on \(port)", timeout: 15) { isListening(port: port) }
        let api = "http://127.0.0.1:\(port)/api/v1"
        func labels() throws -> [String] {
            let body = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/topology").body)
            return (body["groups"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        }
        let topology = ControlAPILiveTests.json(try ControlAPILiveTests.curl("\(api)/topology").body)
        #expect(topology["role"] as? String == "edge")
        #expect(topology["idleIntervalMs"] as? Int == 500)
        #expect(try labels() == ["origins"])

        // SIGHUP with a new file: reloaded, still running.
        try write("origins 127.0.0.1:19400;127.0.0.1:19401 livestreamcast_origin\nmore 127.0.0.1:19402;127.0.0.1:19402 livestreamcast_origin\n")
        control.signal(SIGHUP)
        try waitUntil("SIGHUP reload", timeout: 10) { try labels() == ["origins", "more"] }
        #expect(control.isRunning)

        // A bad file: SIGHUP logs it, the API answers 422 with the lines; the old groups stay.
        try write("origins 127.0.0.1:19400;127.0.0.1:19401 livestreamcast_origin\nbroken\n")
        control.signal(SIGHUP)
        try waitUntil("the rejected SIGHUP reload logged", timeout: 10) { control.output.contains("\(hostINI):2: ") }
        let rejected = try ControlAPILiveTests.curl("\(api)/topology/reload", ["-X", "POST"])
        #expect(rejected.status == 422)
        let error = ControlAPILiveTests.json(rejected.body)["error"] as? [String: Any] ?? [:]
        #expect((error["lines"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        #expect(try labels() == ["origins", "more"])
        #expect(control.isRunning)
    }

    @Test func anOriginAnswersAnEmptyTopologyAndRefusesReload() throws {
        let port = FreePort.next()
        let control = try ControlAPILiveTests.startControl(socket: directory.appendingPathComponent("o.sock").path, httpPort: port)
        defer { control.stop() }
        let api = "http://127.0.0.1:\(port)/api/v1"
        let topology = try ControlAPILiveTests.curl("\(api)/topology")
        #expect(topology.status == 200)
        #expect(ControlAPILiveTests.json(topology.body)["role"] as? String == "origin")
        #expect((ControlAPILiveTests.json(topology.body)["groups"] as? [Any])?.isEmpty == true)
        #expect(try ControlAPILiveTests.curl("\(api)/topology/reload", ["-X", "POST"]).status == 409)
        control.signal(SIGHUP)
        try waitUntil("SIGHUP noticed", timeout: 10) { control.output.contains("no host.ini to reload") }
        #expect(control.isRunning)
    }
}
