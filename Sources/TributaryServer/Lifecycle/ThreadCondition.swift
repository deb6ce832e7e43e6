#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#if canImport(SwiftOverlayShims)
import SwiftOverlayShims  // `timespec` members: release builds with `MemberImportVisibility` need it named
#endif
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with a condition variable for the blocking threads (batch lanes, the relay): `NSCondition`'s methods on
/// pthreads directly, since `NSCondition` is in Foundation proper (see ``DetachedThread`` for why that matters).
package final class ThreadCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        pthread_mutex_init(self.mutex, nil)
        pthread_cond_init(self.condition, nil)
    }

    deinit {
        pthread_cond_destroy(self.condition)
        pthread_mutex_destroy(self.mutex)
        self.condition.deallocate()
        self.mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(self.mutex) }

    package func unlock() { pthread_mutex_unlock(self.mutex) }

    /// Waits for a signal (or a spurious wake-up); call with the lock held.
    package func wait() { pthread_cond_wait(self.condition, self.mutex) }

    /// Waits for a signal until `deadline` (wall clock); false when the deadline passed. Call with the lock held.
    @discardableResult
    package func wait(until deadline: Date) -> Bool {
        let seconds = max(0, deadline.timeIntervalSince1970)
        var time = timespec()
        time.tv_sec = Int(seconds)
        time.tv_nsec = Int((seconds - seconds.rounded(.down)) * 1_000_000_000)
        return pthread_cond_timedwait(self.condition, self.mutex, &time) == 0
    }

    package func signal() { pthread_cond_signal(self.condition) }

    package func broadcast() { pthread_cond_broadcast(self.condition) }
}
