#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes newline-terminated lines to a Unix stream socket (the JSON feed), blocking when Tributary is busy.
package final class UnixStreamLineSender {
    private let fd: Int32

    package struct ConnectError: Error, CustomStringConvertible {
        package var description: String
    }

    package init(path: String) throws {
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ConnectError(description: "cannot open a Unix socket") }
        let connected = UnixSocketFile.withSockaddr(path: path) { address, length in connect(fd, address, length) == 0 }
        guard connected else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConnectError(description: "cannot connect (\(reason))")
        }
        self.fd = fd
    }

    deinit { close(self.fd) }

    /// Sends the lines; false when the connection is gone.
    @discardableResult
    package func send(lines: [String]) -> Bool {
        var payload = lines.joined(separator: "\n") + "\n"
        return payload.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(self.fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }
}
