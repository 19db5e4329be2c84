import Foundation
import Testing
import Reports

/// One finding vocabulary: the rule ids the sources emit and the catalog agree, and the docs' tables
/// are the catalog's.
@Suite struct RuleCatalogTests {
    static let repository = Fixture.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every rule id written as a literal where a finding is made, by module.
    static func emitted() throws -> [(id: String, module: String)] {
        let patterns = [
            #/Finding\(\s*[^,"()]*,\s*"([a-z0-9-]+)"/#, #/\.(?:ok|info|warn|crit|unknown),\s*"([a-z0-9-]+)"/#,
            #/(?:fail|note)\(\s*"([a-z0-9-]+)"/#, #/odd\([^"]*"([a-z0-9-]+)"/#,
            #/shared:\s*(?:true|false),\s*"([a-z0-9-]+)"/#, #/rulePrefix\)-([a-z0-9-]+)"/#,
            #/OptionRule\(rule:\s*"([a-z0-9-]+)"/#, #/\.add\([a-z.]+,\s*"([a-z0-9-]+)"/#,
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

    /// The rule table (docs/reference.md) and the Posit requirement table (docs/posit-readiness.md), each
    /// between its markers.
    @Test(arguments: [("rules", "docs/reference.md", RuleCatalog.markdownTable),
                      ("requirements", "docs/posit-readiness.md", RuleCatalog.requirementTable)])
    func theDocsTablesAreTheCatalogs(_ name: String, _ page: String, _ generated: String) throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent(page), encoding: .utf8)
        let begin = "<!-- \(name): generated from RuleCatalog; RuleCatalogTests compares -->\n"
        let end = "<!-- \(name) end -->"
        let between = try #require(readme.firstRange(of: begin).flatMap { b in
            readme[b.upperBound...].firstRange(of: end).map { String(readme[b.upperBound..<$0.lowerBound]) }
        }, "\(page) needs the markers around its \(name) table")
        let table = between.hasSuffix("\n") ? String(between.dropLast()) : between
        if table != generated {
            try generated.write(toFile: "/tmp/nfskeeper-\(name).md", atomically: true, encoding: .utf8)
        }
        #expect(table == generated, "\(page)'s \(name) table differs: see /tmp/nfskeeper-\(name).md")
    }

    /// Every rule about a Posit product cites its guide, unless it is nfskeeper's own judgement (the
    /// product installed, its configuration readable, root squash under Connect's DataDir).
    @Test func everyPositRequirementCitesItsGuide() {
        let own: Set = ["no-product", "wb-installed", "pm-installed", "connect-installed", "pm-config",
                        "connect-config", "pm-server-user", "connect-root-squash", "idmap", "id-mismatch"]
        let product = RuleCatalog.all.filter { $0.commands.contains("ready") || $0.id.hasPrefix("product-") }
        #expect(product.filter { $0.cites.isEmpty && !own.contains($0.id) }.map(\.id) == [])
    }
}
