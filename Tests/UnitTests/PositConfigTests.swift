import Testing
import PositConfig

/// gcfg as Package Manager and Connect read it; dpkg's status file; product versions.
@Suite struct GcfgTests {
    @Test func sectionsSubsectionsQuotingCommentsAndMultipleValues() {
        let g = Gcfg(parsing: """
            ; Package Manager
            [Server]
            DataDir = "/mnt/shared/rspm" ; where packages live
            Address = https://pm.example.com   # trailing comment
            [Database]
            provider = postgres
            [Postgres]
            URL = "postgres://pm:se;cr#et@db.example.com:5432/rspm?sslmode=require"
            [Repo "cran"]
            Description = "a \\"quoted\\" name\\twith tab"
            [CRAN]
            Mirror = a
            Mirror = b
            [HTTP]
            NoWarning
            Listen = :4242 \\
            ignored-continuation
            """)
        #expect(g.problems.isEmpty, "\(g.problems)")
        #expect(g.value("server", "datadir") == "/mnt/shared/rspm")
        #expect(g.value("Server", "Address") == "https://pm.example.com")
        #expect(g.value("Database", "Provider") == "postgres")
        #expect(g.value("Postgres", "URL") == "postgres://pm:se;cr#et@db.example.com:5432/rspm?sslmode=require")
        #expect(g.value("Repo", "Description", subsection: "cran") == "a \"quoted\" name\twith tab")
        #expect(g.values("CRAN", "Mirror") == ["a", "b"])
        #expect(g.value("HTTP", "NoWarning") == "true")
        #expect(g.value("HTTP", "Listen") == ":4242 ignored-continuation")
    }

    @Test(arguments: [
        ("Key = value", "line 1: a setting before any [section]"),
        ("[Server\nKey = v", "line 1: a section header without ']'"),
        ("[Server sub]", "line 1: not a valid [section] or [section \"subsection\"] header"),
        ("[Server]\nKey = \"open", "line 2: an unterminated quote or a bad escape"),
        ("[Server]\nKey = \"bad \\q escape\"", "line 2: an unterminated quote or a bad escape"),
        ("[Server]\n9key = v", "line 2: '9key' is not a key name"),
    ])
    func aMalformedLineIsNamed(_ text: String, _ problem: String) {
        #expect(Gcfg(parsing: text).problems == [problem])
    }

    @Test func dpkgStatusKeepsOnlyInstalledPackages() {
        let status = DpkgStatus(parsing: """
            Package: rstudio-workbench
            Status: install ok installed
            Version: 2024.04.2+764.pro1
            Description: Posit Workbench
             continued description: Version: 9

            Package: rstudio-pm
            Status: deinstall ok config-files
            Version: 2023.12.0-13
            """)
        #expect(status.installed == ["rstudio-workbench": "2024.04.2+764.pro1"])
    }

    @Test func versionsCompareByTheirNumbers() {
        #expect(ProductVersion("2023.03.0+386.pro1") >= ProductVersion("2023.03"))
        #expect(ProductVersion("2022.12.0-353") < ProductVersion("2023.03"))
        #expect(ProductVersion("1:2024.04.2") > ProductVersion("2023.12.1"))
    }
}
