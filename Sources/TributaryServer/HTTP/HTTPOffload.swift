import Dispatch
import NIOCore
import NIOPosix
import Synchronization

/// Where a connection runs work that must not block its event loop: scrapes, gzip, extra routes, bcrypt, reload.
///
/// The server uses ``threadPool(_:)``: blocking work on a `NIOThreadPool`, async work (reload) on a Swift task,
/// both completing back on the connection's event loop. ``inline`` runs everything at once on the calling thread,
/// so an `EmbeddedChannel` (tests, the `http_requests` fuzz target) answers deterministically without other threads.
package struct HTTPOffload: Sendable {
    private enum Mode: Sendable {
        case threadPool(NIOThreadPool)
        case inline
    }

    private let mode: Mode

    /// Production: blocking work on `pool` (must be started), async work on a task.
    package static func threadPool(_ pool: NIOThreadPool) -> HTTPOffload {
        HTTPOffload(mode: .threadPool(pool))
    }

    /// Everything on the calling thread; async work blocks it until done. Never use it on a real event loop.
    package static let inline = HTTPOffload(mode: .inline)

    /// Runs blocking `work`; the future completes on `loop`.
    func run<Value: Sendable>(
        on loop: any EventLoop, _ work: @escaping @Sendable () throws -> Value
    ) -> EventLoopFuture<Value> {
        switch self.mode {
        case .threadPool(let pool):
            return pool.runIfActive(eventLoop: loop, work)
        case .inline:
            return loop.makeCompletedFuture { try work() }
        }
    }

    /// Runs async `work`; the future completes on `loop`.
    func runTask<Value: Sendable>(
        on loop: any EventLoop, _ work: @escaping @Sendable () async throws -> Value
    ) -> EventLoopFuture<Value> {
        switch self.mode {
        case .threadPool:
            return loop.makeFutureWithTask(work)
        case .inline:
            let result = TaskResult<Value>()
            let done = DispatchSemaphore(value: 0)
            Task {
                let value: Result<Value, any Error>
                do {
                    value = .success(try await work())
                } catch {
                    value = .failure(error)
                }
                result.value.withLock { $0 = value }
                done.signal()
            }
            done.wait()
            return loop.makeCompletedFuture(result.value.withLock { $0! })
        }
    }
}

/// The result of an inline task, handed from the task to the waiting thread.
private final class TaskResult<Value: Sendable>: Sendable {
    let value = Mutex<Result<Value, any Error>?>(nil)
}
