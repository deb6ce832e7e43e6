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
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Receives Unix datagrams on a dedicated thread and hands each one to `onDatagram`.
///
/// Not a NIO channel on purpose: SwiftNIO 2.101's datagram channel closes itself when a datagram
/// comes from an unbound sender (its address has no path, `SocketAddressError.unsupported`), and
/// most StatsD clients do not bind. A blocking `recv` loop ignores the sender's address entirely.
package final class UnixDatagramReceiver: Sendable {
    package let path: String
    private let fd: Int32
    private let stopping = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// Creates and binds the socket (removing a stale file first) and applies the file mode.
    package init(path: String, mode: String, receiveBufferBytes: Int?) throws {
        do {
            try UnixSocketFile.removeStale(path: path, type: Int32(SOCK_DGRAM.rawValue))
        } catch {
            throw SetupError(description: error.description)
        }
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw SetupError(description: "socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))") }
        let bound = UnixSocketFile.withSockaddr(path: path) { address, length in bind(fd, address, length) }
        guard bound == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SetupError(description: "cannot bind the socket (\(message)); give a path in a directory this user can write")
        }
        if !UnixSocketFile.applyMode(path: path, octal: mode) {
            close(fd)
            unlink(path)
            throw SetupError(description: "cannot set the file mode \(mode) on the socket; give an octal mode such as 660")
        }
        if let receiveBufferBytes {
            var size = Int32(clamping: receiveBufferBytes)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        // Wake up periodically to notice `stop()`.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        self.path = path
    }

    /// Receives until `stop()`; runs on the calling thread (start it on a dedicated thread).
    package func run(maxDatagramBytes: Int = 65536, onDatagram: (UnsafeRawBufferPointer) -> Void) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxDatagramBytes, alignment: 16)
        defer {
            buffer.deallocate()
            close(self.fd)
            unlink(self.path)
            self.finished.withLock { $0 = true }
        }
        while !self.stopping.load(ordering: .relaxed) {
            let count = recv(self.fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                onDatagram(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } else if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                break
            }
        }
    }

    /// Runs the receive loop on a new thread named `threadName`; the task ends when the loop does.
    package func start(
        threadName: String, maxDatagramBytes: Int = 65536, onDatagram: @escaping @Sendable (UnsafeRawBufferPointer) -> Void
    ) -> Task<Void, Never> {
        Task.detached {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DetachedThread.start(name: threadName) {
                    self.run(maxDatagramBytes: maxDatagramBytes, onDatagram: onDatagram)
                    continuation.resume()
                }
            }
        }
    }

    /// Asks the receive loop to end (within its 200 ms wake-up interval).
    package func stop() {
        self.stopping.store(true, ordering: .relaxed)
    }
}
