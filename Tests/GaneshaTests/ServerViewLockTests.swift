import Foundation
import Glibc
import SystemPackage
import Testing
@testable import ServerView

/// NFSv4 locks between two server-view sessions (two lock owners, as two nodes are), on the real ganesha.
@Suite struct ServerViewLockTests {
    @Test func aHeldLockIsSeenAndRefusedByAnotherSessionUntilReleased() async throws {
        let (a, b) = (try await TestServer.connect("rw", .v4), try await TestServer.connect("rw", .v4))
        let file = TestServer.scratchName("lock")
        // Made by a third session: after an exclusive CREATE, libnfs 4.0.0's next OPEN on the same
        // session fails with NFS4ERR_BAD_SEQID (the Locks module's lock sessions create nothing).
        let maker = try await TestServer.connect("rw", .v3)
        try await maker.createExclusive(file, mode: FilePermissions(rawValue: 0o666))
        defer { Task { try? await maker.unlink(file) } }
        #expect(try await b.conflictingLockHeld(file) == false)
        let held = try #require(try await a.tryWriteLock(file))
        #expect(try await b.conflictingLockHeld(file) == true)
        #expect(try await b.tryWriteLock(file) == nil)
        // libnfs 4.0.0 loses count of the open owner's seqid after a denial: b refuses, clearly.
        let spent = await #expect(throws: ServerViewError.self) { _ = try await b.conflictingLockHeld(file) }
        #expect(spent?.errno == .badFileDescriptor)
        try await a.release(held)
        let c = try await TestServer.connect("rw", .v4)
        #expect(try await c.conflictingLockHeld(file) == false)
        let second = try #require(try await c.tryWriteLock(file))
        try await c.release(second)
        try await maker.unlink(file)
    }

    @Test func anNFSv3SessionSaysItCannotLock() async throws {
        let view = try await TestServer.connect("rw", .v3)
        let file = TestServer.scratchName("lock3")
        try await view.createExclusive(file, mode: FilePermissions(rawValue: 0o644))
        defer { Task { try? await view.unlink(file) } }
        let error = await #expect(throws: ServerViewError.self) { _ = try await view.tryWriteLock(file) }
        #expect(error?.errno == .notSupported)
    }
}
