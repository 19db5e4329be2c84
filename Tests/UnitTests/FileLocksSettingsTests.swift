import Testing
import PositConfig

/// Workbench's /etc/rstudio/file-locks, as Workbench reads it.
@Suite struct FileLocksSettingsTests {
    @Test func anEmptyFileMeansWorkbenchsDefaults() {
        let s = FileLocksSettings(parsing: "# nothing set\n\n")
        #expect(s.lockType == .linkbased && !s.useSymlinks)
        #expect(s.timeoutInterval == 30 && s.refreshRate == 20)
        #expect(s.explicit.isEmpty && s.problems.isEmpty)
    }

    @Test func everyKeyIsRead() {
        let s = FileLocksSettings(parsing: "lock-type = Advisory\r\nuse-symlinks=1\ntimeout-interval=45.5\n"
                                     + "refresh-rate=10\nenable-logging=1\n")
        #expect(s.lockType == .advisory && s.useSymlinks)
        #expect(s.timeoutInterval == 45.5 && s.refreshRate == 10)
        #expect(s.explicit == ["lock-type", "use-symlinks", "timeout-interval", "refresh-rate"])
    }

    @Test(arguments: ["timeout-interval=-5", "timeout-interval=soon", "timeout-interval=nan", "timeout-interval=1e300"])
    func aBadNumberKeepsTheDefaultAndIsNamed(_ line: String) {
        let s = FileLocksSettings(parsing: line)
        #expect(s.timeoutInterval == 30)
        #expect(s.problems.count == 1 && s.problems[0].hasPrefix("line 1: timeout-interval"))
    }

    @Test func anUnknownLockTypeAndALineWithoutEqualsAreNamed() {
        let s = FileLocksSettings(parsing: "lock-type=flock\ngarbage\n")
        #expect(s.lockType == .linkbased)
        #expect(s.problems == ["line 1: lock-type 'flock' is neither linkbased nor advisory",
                               "line 2: no '=': ignored"])
    }
}
