import Testing
import Topology

@Suite struct HostINIParserTests {
    private func groups(_ text: String) throws -> [ServerGroup] {
        try HostINIParser.parse(text, file: "host.ini").get().groups
    }

    private func errors(_ text: String) -> [HostINIError] {
        switch HostINIParser.parse(text, file: "host.ini") {
        case .success: return []
        case .failure(let failure): return failure.errors
        }
    }

    @Test func seedEdgeExampleWithThreeGroupsAndComments() throws {
        let text = """
        # secondary origin available from Encoder 1
        server1 192.168.1.1;192.168.1.2 livestreamcast_origin
        # secondary origin available from same Encoder 2
        server2 192.168.1.5;192.168.1.6 livestreamcast_origin
        # no secondary in the group from Encoder 3
        server3 192.168.1.7;192.168.1.7 livestreamcast_origin
        """
        let parsed = try groups(text)
        #expect(parsed.map(\.label) == ["server1", "server2", "server3"])
        #expect(parsed[0].primary == HostAddress(host: "192.168.1.1", port: 1935))
        #expect(parsed[0].secondary == HostAddress(host: "192.168.1.2", port: 1935))
        #expect(parsed[0].app == "livestreamcast_origin")
        #expect(parsed[0].instance == nil)
        #expect(parsed.map(\.line) == [2, 4, 6])
        #expect(parsed.map(\.isSingleMachine) == [false, false, true])
    }

    @Test func seedAPIReferenceExampleWithTrailingSpaces() throws {
        let text = "#server group name primaryIP;secondaryIP appToConnect \n"
            + "server1 10.21.1.215;10.100.1.169 livestreamcast_intermediate \n"
            + "server2 10.21.1.216;10.100.1.170 livestreamcast_intermediate \n"
        let parsed = try groups(text)
        #expect(parsed.count == 2)
        #expect(parsed[1].secondary.host == "10.100.1.170")
        #expect(parsed[1].app == "livestreamcast_intermediate")
    }

    @Test func seedInstallationSpellingWithSpaceInLabel() throws {
        let parsed = try groups("server 1 192.168.1.3;192.168.1.4 livestreamcast_intermediate")
        #expect(parsed.first?.label == "server 1")
        #expect(parsed.first?.primary.host == "192.168.1.3")
    }

    @Test func groupOfOneMachine() throws {
        let group = try #require(try groups("server1 192.1.168.3;192.1.168.3 livestreamcast_intermediate").first)
        #expect(group.isSingleMachine)
        #expect(group.primaryServer == group.secondaryServer)
    }

    @Test(arguments: [
        ("a 10.0.0.1:1936;10.0.0.2 app", HostAddress(host: "10.0.0.1", port: 1936), HostAddress(host: "10.0.0.2", port: 1935)),
        ("a origin-1.example.com;origin_2:19350 app", HostAddress(host: "origin-1.example.com"), HostAddress(host: "origin_2", port: 19350)),
        ("a [::1]:2000;[::1] app", HostAddress(host: "::1", port: 2000), HostAddress(host: "::1", port: 1935)),
        ("a [2001:db8::7]:65535;[2001:db8:0:0:0:0:0:8]:1 app", HostAddress(host: "2001:db8::7", port: 65535), HostAddress(host: "2001:db8:0:0:0:0:0:8", port: 1)),
        ("a [::ffff:10.0.0.1];localhost app", HostAddress(host: "::ffff:10.0.0.1"), HostAddress(host: "localhost")),
    ])
    func portsAndIPv6(line: String, primary: HostAddress, secondary: HostAddress) throws {
        let group = try #require(try groups(line).first)
        #expect(group.primary == primary)
        #expect(group.secondary == secondary)
    }

    @Test func instanceTabsCRLFAndInlineComments() throws {
        let text = "\t\r\n  # indented comment\r\nedge\t127.0.0.1:1940;127.0.0.1:1941\tlivestreamcast_origin/_definst_   # inline\r\n"
        let group = try #require(try groups(text).first)
        #expect(group.label == "edge")
        #expect(group.app == "livestreamcast_origin")
        #expect(group.instance == "_definst_")
        #expect(group.appPath == "livestreamcast_origin/_definst_")
        #expect(group.line == 3)
        #expect(group.primaryServer.id == "127.0.0.1:1940/livestreamcast_origin/_definst_")
    }

    @Test func serverIDsBracketIPv6() {
        let server = UpstreamServer(address: HostAddress(host: "::1", port: 1935), app: "live")
        #expect(server.id == "[::1]:1935/live")
    }

    @Test func distinctServersInFileOrder() throws {
        let configuration = try HostINIParser.parse("""
            g1 10.0.0.1;10.0.0.2 app
            g2 10.0.0.3;10.0.0.3 app
            """, file: "h").get()
        #expect(configuration.servers.map(\.id) == ["10.0.0.1:1935/app", "10.0.0.2:1935/app", "10.0.0.3:1935/app"])
        #expect(configuration.group(labelled: "g2")?.line == 2)
    }

    @Test(arguments: [
        ("server1 192.168.1.1 livestreamcast_origin", HostINIError.Kind.missingAddresses),
        ("192.168.1.1;192.168.1.2 livestreamcast_origin", .missingLabel),
        ("server1 192.168.1.1;192.168.1.2", .missingApplication),
        ("server1 192.168.1.1;192.168.1.2 app extra", .unexpectedField("extra")),
        ("server1 1.1.1.1;2.2.2.2;3.3.3.3 app", .tooManyAddresses("1.1.1.1;2.2.2.2;3.3.3.3")),
        ("server1 ;192.168.1.2 app", .emptyAddress(which: "primary")),
        ("server1 192.168.1.1; app", .emptyAddress(which: "secondary")),
        ("server1 192.168.1.300;192.168.1.2 app", .invalidHost("192.168.1.300")),
        ("server1 192.168.1;192.168.1.2 app", .invalidHost("192.168.1")),
        ("server1 bad$host;192.168.1.2 app", .invalidHost("bad$host")),
        ("server1 -bad.example;192.168.1.2 app", .invalidHost("-bad.example")),
        ("server1 fe80::1;192.168.1.2 app", .ipv6WithoutBrackets("fe80::1")),
        ("server1 [fe80::1;192.168.1.2 app", .malformedBrackets("[fe80::1")),
        ("server1 [fe80::1]x;192.168.1.2 app", .malformedBrackets("[fe80::1]x")),
        ("server1 [10.0.0.1];192.168.1.2 app", .invalidHost("10.0.0.1")),
        ("server1 [1::2::3];192.168.1.2 app", .invalidHost("1::2::3")),
        ("server1 [12345::1];192.168.1.2 app", .invalidHost("12345::1")),
        ("server1 10.0.0.1:0;10.0.0.2 app", .invalidPort("0")),
        ("server1 10.0.0.1:65536;10.0.0.2 app", .invalidPort("65536")),
        ("server1 10.0.0.1:http;10.0.0.2 app", .invalidPort("http")),
        ("server1 10.0.0.1:;10.0.0.2 app", .invalidPort("")),
        ("server1 [::1]:-5;10.0.0.2 app", .invalidPort("-5")),
        ("server1 10.0.0.1;10.0.0.2 app/inst/more", .invalidApplication("app/inst/more")),
        ("server1 10.0.0.1;10.0.0.2 app/", .invalidApplication("app/")),
        ("server1 10.0.0.1;10.0.0.2 ../etc", .invalidApplication("../etc")),
        ("server1 10.0.0.1;10.0.0.2 ap?p", .invalidApplication("ap?p")),
    ])
    func everyKindOfBadLine(line: String, kind: HostINIError.Kind) {
        let found = errors("# comment\n" + line)
        #expect(found == [HostINIError(file: "host.ini", line: 2, kind: kind)])
    }

    @Test func everyProblemOfALineAndEveryBadLineAreReported() {
        let text = """
        good 10.0.0.1;10.0.0.2 app
        bad1 10.0.0.999;[::1 app extra
        # fine
        bad2 10.0.0.1
        good 10.0.0.3;10.0.0.4 app
        """
        let found = errors(text)
        #expect(found.map(\.line) == [2, 2, 2, 4, 5])
        #expect(found.map(\.kind) == [
            .invalidHost("10.0.0.999"), .malformedBrackets("[::1"), .unexpectedField("extra"),
            .missingAddresses, .duplicateLabel("good", firstLine: 1),
        ])
        #expect(found[0].description == "host.ini:2: '10.0.0.999' is not a host name, IPv4 address or [IPv6] address")
    }

    @Test(arguments: ["", "\n\n", "# only\n   # comments\n"])
    func fileWithoutGroupsIsAnError(text: String) {
        #expect(errors(text) == [HostINIError(file: "host.ini", line: 0, kind: .noServerGroups)])
        #expect(errors(text).first?.description == "host.ini: no server groups (every line is empty or a comment)")
    }

    @Test func overlongLineIsReportedNotKept() {
        let long = "g " + String(repeating: "a", count: HostINIParser.maximumLineLength) + ";b app"
        let found = errors("ok 1.2.3.4;1.2.3.5 app\n" + long)
        #expect(found.count == 1)
        #expect(found.first?.line == 2)
        #expect(found.first?.kind == .lineTooLong(long.count))
    }

    @Test func parseAddressForFlags() throws {
        #expect(try HostINIParser.parseAddress("127.0.0.1:19350").get() == HostAddress(host: "127.0.0.1", port: 19350))
        #expect(try HostINIParser.parseAddress("[::1]").get() == HostAddress(host: "::1", port: 1935))
        #expect(HostAddress(host: "::1", port: 5).description == "[::1]:5")
    }

    @Test func rtmpsAddresses() throws {
        #expect(try HostINIParser.parseAddress("rtmps://origin.example").get() == HostAddress(host: "origin.example", port: 443, tls: true))
        #expect(try HostINIParser.parseAddress("rtmps://[::1]:8443").get() == HostAddress(host: "::1", port: 8443, tls: true))
        #expect(try HostINIParser.parseAddress("rtmp://10.0.0.1").get() == HostAddress(host: "10.0.0.1", port: 1935))
        #expect(HostAddress(host: "a", port: 443, tls: true).description == "rtmps://a:443")
        let config = try HostINIParser.parse("g rtmps://10.0.0.1;10.0.0.2:1936 app\n", file: "host.ini").get()
        #expect(config.groups.first?.primaryServer.id == "rtmps://10.0.0.1:443/app")
        #expect(config.groups.first?.secondaryServer.id == "10.0.0.2:1936/app")
        #expect(HostINIParser.parseAddress("rtmps://").isFailure)
    }
}

private extension Result {
    var isFailure: Bool { if case .failure = self { return true } else { return false } }
}
