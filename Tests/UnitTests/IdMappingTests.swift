import Check
import FoundationGaps
import Glibc
import Mounts
import Testing

@Suite struct IdMappingTests {
    @Test func idmapdConfDomainIsReadFromTheGeneralSectionOnly() {
        let conf = """
            # Domain = commented.example
            [Mapping]
            Domain = mapping-section.example
            [ general ]
            ; Domain = also.commented
            DOMAIN   =  corp.example
            Verbosity = 0
            """
        #expect(IdMapSettings(idmapdConf: conf, disableIdmapping: "Y\n")
                == IdMapSettings(domain: "corp.example", idmappingDisabled: true))
        #expect(IdMapSettings(idmapdConf: "[General]\nDomain =\n", disableIdmapping: "N")
                == IdMapSettings(domain: nil, idmappingDisabled: false))
        #expect(IdMapSettings(idmapdConf: nil, disableIdmapping: "maybe")
                == IdMapSettings(domain: nil, idmappingDisabled: nil))
    }

    func judge(kernel: (UInt32, UInt32), server: (UInt32, UInt32)?) -> [String] {
        let comparison = OwnerComparison(path: "/mnt/share", serverPath: "/",
                                         kernel: Owner(uid: kernel.0, gid: kernel.1),
                                         server: server.map { Owner(uid: $0.0, gid: $0.1) },
                                         idMap: IdMapSettings(domain: "wrong.test", idmappingDisabled: true))
        return IdMapping.findings(comparison, subject: "/mnt/share").map { "\($0.severity) \($0.rule)" }
    }

    @Test func nobodyWhereTheServerStoresAnIdIsIdMapping() {
        #expect(judge(kernel: (65534, 65534), server: (0, 0)) == ["warn idmap", "warn idmap"])
        #expect(judge(kernel: (4294967294, 1), server: (1, 1)) == ["warn idmap"])
        #expect(judge(kernel: (1000, 1000), server: (1001, 1000)) == ["warn id-mismatch"])
        #expect(judge(kernel: (1, 1), server: (1, 1)) == [])
        // A server that really stores nobody: the same on both sides, nothing to say.
        #expect(judge(kernel: (65534, 65534), server: (65534, 65534)) == [])
    }

    @Test func withoutTheServerOnlyTheKernelsUnmappedIdIsAWarning() {
        #expect(judge(kernel: (4294967294, 4294967294), server: nil) == ["warn idmap", "warn idmap"])
        #expect(judge(kernel: (65534, 0), server: nil) == ["info idmap"])
        #expect(judge(kernel: (0, 0), server: nil) == [])
    }

    @Test func theFindingNamesTheDomainAndTheModuleParameter() throws {
        let comparison = OwnerComparison(path: "/mnt/share", serverPath: "/", kernel: Owner(uid: 65534, gid: 0),
                                         server: Owner(uid: 999, gid: 0),
                                         idMap: IdMapSettings(domain: "wrong.test", idmappingDisabled: true))
        let finding = try #require(IdMapping.findings(comparison, subject: "/mnt/share").first)
        #expect(finding.message.contains("Domain = wrong.test") && finding.message.contains("nfs4_disable_idmapping=Y")
                && finding.message.contains("stores 999"))
        #expect(finding.fix?.contains("nfsidmap -c") == true)
    }

    /// check's second step: the server's owner replaces "not compared", and the findings follow it.
    @Test func comparingWithTheServerRejudgesTheMount() async throws {
        let mountInfo = "36 25 0:45 / /mnt/share rw,relatime - nfs4 nfs.example:/export rw,vers=4.2\n"
        var report = Checker.run(paths: [], CheckInput(mountInfo: .init(parsing: mountInfo), mountStats: nil,
                                                        declared: nil, kernel: nil))
        report.mounts[0].owners = OwnerComparison(path: "/mnt/share", serverPath: "/",
                                                  serverURL: report.mounts[0].serverURL,
                                                  kernel: Owner(uid: 65534, gid: 65534),
                                                  idMap: .init(domain: nil, idmappingDisabled: nil))
        await report.compareOwners { url, path in
            #expect(url.host == "nfs.example" && path == "/")
            return .success(Owner(uid: 0, gid: 0))
        }
        #expect(report.mounts[0].findings.filter { $0.rule == "idmap" }.count == 2)
        #expect(report.severity == .warn)
        await report.compareOwners { _, _ in .failure(OwnerReadFailure("no NFSv3")) }
        #expect(report.mounts[0].findings.filter { $0.rule == "idmap" }.map(\.severity) == [.info, .info])
        #expect(report.mounts[0].owners?.serverNote == "no NFSv3")
        // Real ids here: the names mapped; no session is opened for them.
        report.mounts[0].owners?.kernel = Owner(uid: 1, gid: 1)
        await report.compareOwners { _, _ in
            Issue.record("the server was asked about an owner this node shows as a real id")
            return .success(Owner(uid: 0, gid: 0))
        }
        #expect(report.mounts[0].findings.filter { $0.rule == .idmap }.isEmpty)
        #expect(report.mounts[0].owners?.serverNote == "not read: this node shows real ids")
    }

    /// The caller's settings (read below its --root) are the ones a check judges with.
    @Test func aCheckJudgesWithTheGivenIdMapping() throws {
        let given = IdMapSettings(domain: "corp.example", idmappingDisabled: true)
        #expect(CheckInput(mountInfo: .init(parsing: ""), mountStats: nil, declared: nil, kernel: nil, idMap: given)
                    .idMap == given)
    }

    /// The one read loop hands its errno on: a directory is not read as an empty file.
    @Test func aFailedReadIsItsErrno() throws {
        let fd = open("/", O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        defer { close(fd) }
        guard case .failure(let e) = readUpTo(fd, limit: 10) else {
            Issue.record("a directory was read")
            return
        }
        #expect(e == .isDirectory)
    }
}
