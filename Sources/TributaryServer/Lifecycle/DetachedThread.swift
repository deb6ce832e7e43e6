#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a detached OS thread for a blocking loop (UDP and Unix datagram readers, ingest workers, the relay).
///
/// What Foundation's `Thread { … }.start()` did, on pthreads directly: `Thread` is in Foundation proper, not
/// FoundationEssentials, and linking Foundation (with CoreFoundation and ICU) costs ~3.6 MB resident at start in a
/// statically linked binary whether it is used or not.
package enum DetachedThread {
    /// Runs `body` on a new thread named `name` (Linux keeps 15 bytes of it: `/proc/<pid>/task/*/comm`, `top -H`).
    package static func start(name: String? = nil, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if os(Linux)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(
            &thread, &attributes,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                if let name = body.name { DetachedThread.nameCurrentThread(name) }
                body.run()
                return nil
            }, context)
        // Only resource exhaustion fails here (EAGAIN), as Foundation's Thread would have trapped too.
        precondition(result == 0, "cannot start a thread (pthread_create: \(result))")
    }

    /// Sets the calling thread's kernel task name.
    static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        var bytes = Array(name.utf8.prefix(15))
        _ = write(fd, &bytes, bytes.count)
        close(fd)
        #endif
    }

    private final class Body {
        let name: String?
        let run: @Sendable () -> Void

        init(name: String?, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }
}
