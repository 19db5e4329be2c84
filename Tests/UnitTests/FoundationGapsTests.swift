import Foundation
import FoundationGaps
import Testing
import YAMLCompose
@testable import Fleet

/// What replaced full Foundation (issue 28) does what Foundation did, checked against Foundation itself,
/// which the tests still link, and against published test vectors.
@Suite struct FoundationGapsTests {
    /// RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7 (5 truncates the output).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131), Array(("This is a test using a larger than block-size key and a larger "
            + "than block-size data. The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ] as [([UInt8], [UInt8], String)])
    func hmacSHA256MatchesRFC4231(_ key: [UInt8], _ message: [UInt8], _ expected: String) {
        #expect(ConfigFingerprints.hex(HMACSHA256.authenticationCode(message, key: key)) == expected)
    }

    /// FIPS 180-4's examples and the padding's edge lengths (55, 56, 63, 64 bytes), against sha256sum.
    @Test func sha256MatchesSha256sumAtEveryPaddingEdge() throws {
        #expect(ConfigFingerprints.hex(SHA256.digest(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(getpid())-\(length)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            tool.arguments = [file.path]
            let pipe = Pipe()
            tool.standardOutput = pipe
            try tool.run()
            tool.waitUntilExit()
            let sum = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
            #expect(ConfigFingerprints.hex(SHA256.digest(bytes)) == sum, "length \(length)")
        }
    }

    @Test func printfFormatsNumbersAsFoundationDid() {
        let cases = [("%.1f", 2.449), ("%g", 0.5), ("%g", 3600.0), ("%.6g", 1234567.891), ("%.3f", -0.0005)]
        for (format, value) in cases {
            #expect(String(printf: format, value) == String(format: format, value))
        }
        #expect(String(printf: "%02x%04o %u", UInt8(10), UInt32(0o755), UInt32(7)) == "0a0755 7")
        let long = String(printf: "%0400.1f", 1.5)
        #expect(long.count == 400 && long.hasSuffix("01.5"))
    }

    @Test func trimmingAndReplacingAsFoundationDid() {
        for text in ["  a b \t", "\n\r\nx\r\n", "", "   ", "é ", "\u{00A0}nbsp\u{00A0}"] {
            #expect(text.trimmed() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.utf8))")
        }
        let replacements = [("a'b''c", "'", "''"), ("x\r\ny", "\n", "\\n"), ("aaa", "aa", "b"), ("", "a", "b")]
        for (text, target, with) in replacements {
            #expect(text.replacingEvery(target, with: with) == text.replacingOccurrences(of: target, with: with))
        }
        #expect("ab".padded(to: 4) == "ab  " && "abcdef".padded(to: 4) == "abcdef")
    }

    @Test func utcTextIsTheCLocalesUTC() {
        #expect(utcText(1_796_626_222.94, "%Y-%m-%d %H:%M:%SZ") == "2026-12-07 06:50:22Z")
        #expect(utcText(0, "%Y%m%dT%H%M%SZ") == "19700101T000000Z")
    }

    @Test func aProgramsStatusAndOutput() {
        #expect(runProgram("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])! == (3, "out\n"))
        #expect(runProgram("/nonexistent/program", []) == nil)
    }

    @Test func aConditionWaitEndsOnTimeOrSignal() {
        let condition = Condition()
        let clock = ContinuousClock()
        let start = clock.now
        condition.lock()
        #expect(!condition.wait(for: .milliseconds(50)))
        condition.unlock()
        #expect(clock.now - start >= .milliseconds(50) && clock.now - start < .milliseconds(500))
        startThread {
            sleepThread(.milliseconds(20))
            condition.withLock { condition.signal() }
        }
        condition.lock()
        #expect(condition.wait(for: .seconds(5)))
        condition.unlock()
    }

    /// The composer against PyPI's PyYAML is out of reach here without network-free wheels, so against
    /// the structures YAML 1.1 defines: block and flow collections, comments, quoting, lines.
    @Test func yamlComposesMappingsSequencesAndLines() throws {
        let root = try #require(try composeYAML("""
            # a comment
            a: 1
            b: [x, "y z", 'q']
            c:
              - d: yes
                e: ~
            f: |
              two
              lines
            """))
        let pairs = try #require(root.mapping)
        #expect(pairs.map { $0.key.scalar } == ["a", "b", "c", "f"])
        #expect(pairs.map(\.key.line) == [2, 3, 4, 7])
        #expect(pairs[0].value.number == 1 && pairs[1].value.sequence?.map(\.scalar) == ["x", "y z", "q"])
        let item = try #require(pairs[2].value.sequence?.first?.mapping)
        #expect(item[0].value.bool == true && item[1].value.scalar == "~" && item[0].value.line == 5)
        #expect(pairs[3].value.scalar == "two\nlines")  // clipped: the text ends without a newline
        #expect(try composeYAML("") == nil)
        #expect(try composeYAML("# only a comment\n") == nil)
    }

    @Test(arguments: ["a: *x\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a: b: c\n", "\"unterminated\n"])
    func yamlRefusesAliasesSecondDocumentsAndBadSyntax(_ text: String) {
        #expect(throws: YAMLError.self) { try composeYAML(text) }
    }

    @Test func yamlNumbersAreDecimalAndFinite() throws {
        func number(_ text: String) throws -> Double? { try composeYAML("v: \(text)")?.mapping?.first?.value.number }
        #expect(try number("5") == 5 && number("-1.5") == -1.5 && number("1_000") == 1000 && number("1e3") == 1000)
        #expect(try number(".inf") == nil && number("nan") == nil && number("0x10") == nil && number("five") == nil)
    }
}
