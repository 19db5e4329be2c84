import Foundation
import Testing
import Reports

/// One finding vocabulary: the rule ids the sources emit and the catalog agree, and the README's
/// table is the catalog's.
@Suite struct RuleCatalogTests {
    static let repository = Fixture.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every rule id written as a literal where a finding is made, by module.
    static func emitted() throws -> [(id: String, module: String)] {
        let patterns = [
            #/Finding\(\s*[^,"()]*,\s*"([a-z0-9-]+)"/#, #/\.(?:ok|info|warn|crit|unknown),\s*"([a-z0-9-]+)"/#,
            #/(?:fail|note)\(\s*"([a-z0-9-]+)"/#, #/odd\([^"]*"([a-z0-9-]+)"/#,
            #/shared:\s*(?:true|false),\s*"([a-z0-9-]+)"/#, #/rulePrefix\)-([a-z0-9-]+)"/#,
            #/OptionRule\(rule:\s*"([a-z0-9-]+)"/#,
        ]
        let sources = repository.appendingPathComponent("Sources")
        var out: [(String, String)] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            let module = file.deletingLastPathComponent().lastPathComponent
            for pattern in patterns { for m in text.matches(of: pattern) { out.append((String(m.1), module)) } }
        }
        return out
    }

    /// Readiness composes its ids with the product's prefix.
    static func catalogIDs(for id: String, in module: String) -> [String] {
        module == "Readiness" && !["no-product"].contains(id) ? ["wb-", "pm-", "connect-"].map { $0 + id } : [id]
    }

    @Test func idsAreUnique() {
        #expect(Set(RuleCatalog.all.map(\.id)).count == RuleCatalog.all.count)
    }

    @Test func everyEmittedIdIsInTheCatalogAndEveryCatalogIdIsEmitted() throws {
        let emitted = try Self.emitted()
        #expect(emitted.count > 80)
        let unknown = emitted.filter { e in
            Self.catalogIDs(for: e.id, in: e.module).allSatisfy { RuleCatalog.info($0) == nil }
        }
        #expect(unknown.isEmpty, "add to RuleCatalog: \(Set(unknown.map { "\($0.module): \($0.id)" }).sorted())")
        let covered = Set(emitted.flatMap { Self.catalogIDs(for: $0.id, in: $0.module) })
        let unused = RuleCatalog.all.map(\.id).filter { !covered.contains($0) }
        #expect(unused.isEmpty, "in the catalog but emitted nowhere: \(unused)")
    }

    @Test func theReadmesRuleTableIsTheCatalogs() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = "<!-- rules: generated from RuleCatalog; RuleCatalogTests compares -->\n"
        let end = "\n<!-- rules end -->"
        let table = try #require(readme.firstRange(of: begin).flatMap { b in
            readme.firstRange(of: end).map { String(readme[b.upperBound..<$0.lowerBound]) }
        }, "README needs the markers around its rule table")
        if table != RuleCatalog.markdownTable {
            try RuleCatalog.markdownTable.write(toFile: "/tmp/nfskeeper-rules.md", atomically: true, encoding: .utf8)
        }
        #expect(table == RuleCatalog.markdownTable, "README's table differs: see /tmp/nfskeeper-rules.md")
    }
}
