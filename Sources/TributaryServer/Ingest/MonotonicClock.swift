import NIOCore

/// Monotonic nanoseconds for the core, which takes time as a plain number.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    NIODeadline.now().uptimeNanoseconds
}
