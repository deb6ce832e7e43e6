#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Preparing a Unix socket path: stale-file cleanup and the file mode after bind.
package enum UnixSocketFile {
    package enum PrepareError: Error, CustomStringConvertible {
        case inUse(String)
        case notASocket(String)
        case pathTooLong(String)

        package var description: String {
            switch self {
            case .inUse: "another process listens on this socket; stop it or give another path"
            case .notASocket: "the path exists and is not a socket (left untouched); remove it or give another path"
            case .pathTooLong: "the path is longer than the 107 bytes a Unix socket address allows; give a shorter one"
            }
        }
    }

    /// Removes a socket file left behind by a crashed process. A socket that still accepts
    /// connections (stream) or datagrams is reported as in use; a non-socket file is never removed.
    package static func removeStale(path: String, type: Int32) throws(PrepareError) {
        if path.utf8.count > 107 { throw .pathTooLong(path) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path) }
        let probe = socket(AF_UNIX, type, 0)
        if probe >= 0 {
            defer { close(probe) }
            let connected = withSockaddr(path: path) { address, length in connect(probe, address, length) == 0 }
            if connected { throw .inUse(path) }
        }
        unlink(path)
    }

    /// Runs `body` with a `sockaddr_un` for `path`.
    package static func withSockaddr<R>(path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Changes the socket file's group to `group` (a name or a numeric gid); false when unknown or not allowed.
    package static func applyGroup(path: String, group: String) -> Bool {
        let gid: gid_t
        if let number = gid_t(group) {
            gid = number
        } else if let entry = getgrnam(group) {
            gid = entry.pointee.gr_gid
        } else {
            return false
        }
        return chown(path, uid_t.max, gid) == 0
    }

    /// Applies the file mode given as an octal string (`"660"`, `"0755"`).
    package static func applyMode(path: String, octal: String) -> Bool {
        guard let mode = mode_t(octal, radix: 8) else { return false }
        return chmod(path, mode) == 0
    }
}
