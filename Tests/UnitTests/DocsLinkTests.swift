import Foundation
import Testing

/// Every relative link in README.md and docs/ reaches a file, and an anchor a heading of that file
/// (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens).
@Suite struct DocsLinkTests {
    static let repository = RuleCatalogTests.repository

    static var pages: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: repository.path + "/docs")) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    static func slug(_ heading: String) -> String {
        String(heading.lowercased().compactMap { c -> Character? in
            c == " " ? "-" : (c.isLetter || c.isNumber || c == "-" || c == "_") ? c : nil
        })
    }

    static func anchors(_ text: String) -> Set<String> {
        var inCode = false, out = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            out.insert(slug(String(line.drop { $0 == "#" }.drop { $0 == " " })))
        }
        return out
    }

    @Test func theDocsAreThere() {
        #expect(Self.pages.count >= 10)
        #expect(Self.slug("## `nfskeeper probe`".drop { $0 == "#" }.trimmingCharacters(in: .whitespaces))
                == "nfskeeper-probe")
    }

    @Test(arguments: pages)
    func everyRelativeLinkResolves(_ page: String) throws {
        let base = Self.repository.appendingPathComponent(page).deletingLastPathComponent()
        let text = try String(contentsOf: Self.repository.appendingPathComponent(page), encoding: .utf8)
        var broken: [String] = []
        for m in text.matches(of: #/\]\(([^)\s]+)\)/#) {
            let target = String(m.1)
            guard !target.contains("://"), !target.hasPrefix("mailto:") else { continue }
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let file = parts[0].isEmpty ? Self.repository.appendingPathComponent(page)
                : base.appendingPathComponent(parts[0]).standardizedFileURL
            guard FileManager.default.fileExists(atPath: file.path) else { broken.append(target); continue }
            if parts.count == 2, file.pathExtension == "md",
               !Self.anchors(try String(contentsOf: file, encoding: .utf8)).contains(parts[1]) {
                broken.append(target)
            }
        }
        #expect(broken.isEmpty, "\(page): broken links \(broken)")
    }
}
