import Foundation
import Reports
import Testing
@testable import ServerSurvey
@testable import ServerView

/// `nfskeeper server`'s facts, one export at a time, against the real ganesha.
@Suite struct ServerSurveyTests {
    @Test func theReadWriteExportIsWritableUnsquashedAndInTime() async throws {
        let survey = await ServerSurvey.run(try TestServer.url("rw"), samples: 10, node: "survey-rw")
        #expect(survey.reachable)
        #expect(survey.versions.map(\.answers) == [true, true])
        #expect(survey.writable == true)
        #expect(survey.rootSquash?.squashed == false && survey.rootSquash?.mappedUid == 0)
        let rt = try #require(survey.roundTrip)
        #expect(
            rt.samples == 10 && rt.minSeconds > 0 && rt.minSeconds <= rt.medianSeconds
                && rt.medianSeconds <= rt.p99Seconds)
        #expect(abs(try #require(survey.clock).offsetSeconds) < 0.5)
        #expect(Set(try #require(survey.exports).map(\.path)) == ["/rw", "/squash", "/ro", "/small"])
        #expect(survey.severity == .ok)
        try expectNoLeftovers("rw", node: "survey-rw")
    }

    /// A path the server does not export: the server answered (it is reachable), the finding names the
    /// refusal and what it does export. It used to say "Reachable: no" and "no NFS version answered".
    @Test func aMissingExportIsARefusalNotAnUnreachableServer() async throws {
        var url = try TestServer.url("rw")
        url.export = "/no-such-export"
        let survey = await ServerSurvey.run(url, samples: 1, node: "survey-missing")
        #expect(survey.reachable && survey.severity == .crit)
        let finding = try #require(survey.findings.first { $0.rule == "export" })
        #expect(finding.message.contains("answers but refuses /no-such-export"))
        #expect(finding.fix?.contains("/rw") == true && !survey.findings.contains { $0.rule == "unreachable" })
    }

    @Test func theSquashExportShowsRootMappedToNobody() async throws {
        let survey = await ServerSurvey.run(try TestServer.url("squash", .v4), samples: 3, node: "survey-squash")
        #expect(survey.rootSquash?.squashed == true)
        #expect(survey.rootSquash?.mappedUid == 65534)
        #expect(survey.findings.contains { $0.rule == "root-squash" && $0.severity == .info })
        #expect(survey.severity.exitCode == 0)
        try expectNoLeftovers("squash", node: "survey-squash")
    }

    @Test func theReadOnlyExportIsAWarning() async throws {
        let survey = await ServerSurvey.run(try TestServer.url("ro"), samples: 3, node: "survey-ro")
        #expect(survey.reachable && survey.writable == false)
        #expect(survey.clock == nil)
        #expect(survey.severity == .warn && survey.severity.exitCode == 1)
        #expect(survey.findings.contains { $0.rule == "read-only" })
    }

    @Test func aV4OnlyExportAnswersOnlyNFSv4() async throws {
        let survey = await ServerSurvey.run(try TestServer.url("v4only", .v4), samples: 3, node: "survey-v4only")
        #expect(survey.versions.first { $0.version == 3 }?.answers == false)
        #expect(survey.versions.first { $0.version == 4 }?.answers == true)
        #expect(survey.writable == true)
        #expect(survey.roundTrip?.version == 4)
        try expectNoLeftovers("v4only", node: "survey-v4only")
    }

    @Test func anUnreachableServerIsCritical() async throws {
        let port = try SilentServer.unusedPort()
        let url = ServerURL(host: "127.0.0.1", export: "/rw", nfsPort: port, mountPort: port)
        let survey = await ServerSurvey.run(url, samples: 3, timeout: .seconds(2))
        #expect(!survey.reachable)
        #expect(survey.severity == .crit && survey.severity.exitCode == 2)
        #expect(survey.findings.first?.message.contains("Connection refused") == true)
        #expect(survey.roundTrip == nil && survey.exports == nil)
    }

    @Test func theJSONReportDecodesBackWithTheSameFacts() async throws {
        let survey = await ServerSurvey.run(try TestServer.url("squash"), samples: 2, node: "survey-json")
        let json = try encodeJSON(survey)
        let back = try JSONDecoder().decode(ServerSurvey.self, from: Data(json.utf8))
        #expect(back.server == "127.0.0.1:/squash")
        #expect(back.rootSquash?.mappedUid == 65534)
        #expect(back.findings.map(\.rule) == survey.findings.map(\.rule))
        #expect(json.contains("\"severity\" : \"info\""))
    }

    /// No `.nfskeeper-server-<node>-<our pid>-…` file may remain in the export.
    private func expectNoLeftovers(_ export: String, node: String) throws {
        let mine = "\(TemporaryName.prefix)server-\(node)-\(getpid())-"
        let names = try FileManager.default.contentsOfDirectory(atPath: try TestServer.backingDirectory(export))
        #expect(names.filter { $0.hasPrefix(mine) }.isEmpty)
    }
}

@Suite struct ReportTests {
    @Test func tablesPadColumnsLikeFindmnt() {
        var table = TextTable(headers: ["EXPORT", "CLIENTS"])
        table.add("/rw", "*")
        table.add("/squash", "10.0.0.0/8")
        #expect(table.render(color: false) == "EXPORT   CLIENTS\n/rw      *\n/squash  10.0.0.0/8")
    }

    @Test func severityOrdersAndMapsToNagiosExitCodes() {
        #expect([Severity.warn, .ok, .crit, .info].max() == .crit)
        #expect(Severity.info > .ok && Severity.warn > .info && Severity.unknown > .warn)
        #expect(Severity.allCases.map(\.exitCode) == [0, 0, 1, 2, 3])
    }

    @Test func secondsAndBytesReadLikeTheirUnits() {
        #expect(formatSeconds(0.000083) == "83 µs")
        #expect(formatSeconds(0.0123) == "12.3 ms")
        #expect(formatSeconds(29.8) == "29.80 s")
        #expect(formatBytes(512) == "512 B")
        #expect(formatBytes(3 * 1024 * 1024) == "3.0 MiB")
    }

    @Test func temporaryNamesAreUniqueAndCarryNodeAndProcess() {
        let a = TemporaryName.make(purpose: "probe", node: "node 1/evil")
        let b = TemporaryName.make(purpose: "probe", node: "node 1/evil")
        #expect(a != b)
        #expect(a.hasPrefix(".nfskeeper-probe-node_1_evil-\(getpid())-"))
        #expect(!a.contains("/"))
    }
}
