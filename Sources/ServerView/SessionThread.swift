import FoundationGaps
import FoundationEssentials
import Glibc

/// A serial executor that runs every job on one dedicated thread.
///
/// libnfs contexts are not thread-safe, and their synchronous calls block the calling thread until
/// the server answers or the timeout fires. Running them on Swift's cooperative pool (one thread
/// per core, two here) would stall every other task — a probe's kernel-side polls included — for
/// as long as a slow server takes. One thread per session keeps both promises.
final class SessionThread: SerialExecutor, TaskExecutor, @unchecked Sendable {
    private let condition = Condition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        startThread(stackSize: 1 << 20) { [self] in run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs already queued, then exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Calls come in bursts (a probe polls, a survey times round trips); waking a sleeping thread
    /// costs about as much as a loopback GETATTR, so look for the next job a little before sleeping.
    private func spinBriefly() {
        let clock = ContinuousClock()
        let until = clock.now.advanced(by: .microseconds(50))
        while clock.now < until {
            condition.lock()
            let ready = !jobs.isEmpty || stopping
            condition.unlock()
            if ready { return }
            sched_yield()
        }
    }

    private func run() {
        while true {
            spinBriefly()
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        }
    }
}
