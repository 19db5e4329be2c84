import Testing
@testable import Fleet

/// A report's time comes from the share: any number must print, never trap.
@Suite struct FleetAgeTests {
    @Test func absurdAgesPrint() {
        #expect(FleetReport.age(1e300).hasSuffix(" h"))
        #expect(FleetReport.age(-1e300) == "0 s")
        #expect(FleetReport.age(.nan) == "unknown")
        #expect(FleetReport.age(.infinity) == "unknown")
        #expect(FleetReport.age(90) == "90 s" && FleetReport.age(600) == "10 min")
    }
}
