import NIOCore

#if canImport(Glibc)
import Glibc
#if canImport(SwiftOverlayShims)
import SwiftOverlayShims  // `timespec`/`timeval` members: release builds with `MemberImportVisibility` need it named
#endif
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic nanoseconds for the core, which takes time as a plain number.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    NIODeadline.now().uptimeNanoseconds
}

/// Wall-clock seconds since the epoch minus ``monotonicNanoseconds()`` in seconds: what the core adds to a monotonic
/// time to timestamp series creation (`_created`) and exemplars.
package func wallClockOffsetSeconds() -> Double {
    let monotonic = monotonicNanoseconds()
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 - Double(monotonic) / 1e9
}

/// Wall-clock seconds since the epoch (`CLOCK_REALTIME`).
package func wallClockSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
