#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore

/// A listener that could not be set up at start-up, as one line naming the flag, the address as the user wrote it,
/// what went wrong and what to do:
///
/// ```text
/// --statsd.listen-udp 127.0.0.1:9125: the address is in use by another process; stop it or give --statsd.listen-udp another address
/// ```
///
/// The system call and errno that SwiftNIO reports (`bind(descriptor:ptr:bytes:): Address already in use (errno:
/// 98)`) are translated into words; unknown errors keep only the system's message.
package struct ListenerBindError: Error, CustomStringConvertible {
    /// The flag that configured the listener, e.g. `--statsd.listen-udp`.
    package var flag: String
    /// The address as configured (`:9125`, `127.0.0.1:9125`, `[::1]:9102`, a socket path).
    package var address: String
    package var problem: Problem

    package enum Problem: Sendable {
        /// The system refused the bind (errno, when known, and the system's message).
        case system(errno: Int32?, message: String)
        /// Bound, but other processes receive on the same port (``UDPPortSharing``).
        case sharedWith([(pid: Int, command: String)])
    }

    package init(flag: String, address: String, problem: Problem) {
        self.flag = flag
        self.address = address
        self.problem = problem
    }

    /// Wraps what SwiftNIO threw while binding `address` for `flag`.
    package init(flag: String, address: ListenAddress, underlying: (any Error)?) {
        self.init(flag: flag, address: address.description, problem: Self.problem(of: underlying))
    }

    static func problem(of error: (any Error)?) -> Problem {
        switch error {
        case let error as IOError: .system(errno: error.errnoCode, message: String(cString: strerror(error.errnoCode)))
        case let error as SocketAddressError.UnknownHost:
            .system(errno: nil, message: "cannot resolve the host name \"\(error.host)\"")
        case let error as SocketAddressError:
            switch error {
            case .unknown(let host, _): .system(errno: nil, message: "cannot resolve the host name \"\(host)\"")
            default: .system(errno: nil, message: "\(error)")
            }
        case let error?: .system(errno: nil, message: "\(error)")
        case nil: .system(errno: nil, message: "unknown error")
        }
    }

    package var description: String {
        // A Unix socket path: the directory must exist and be writable; ports and hosts do not apply.
        let isPath = self.flag.contains("unix") || self.address.hasPrefix("/")
        let another = isPath ? "give a path in a directory this user can write" : "give \(self.flag) another address"
        let detail: String
        switch self.problem {
        case .sharedWith(let owners):
            let who =
                owners.isEmpty
                ? "another process" : owners.map { "pid \($0.pid) (\($0.command))" }.joined(separator: ", ")
            detail = "the port is already in use by \(who); stop it or \(another)"
        case .system(let errno?, _) where errno == EADDRINUSE:
            detail = "the address is in use by another process; stop it or \(another)"
        case .system(let errno?, _) where errno == EACCES && !isPath:
            detail = "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); \(another)"
        case .system(let errno?, _) where errno == EADDRNOTAVAIL && !isPath:
            detail = "this machine has no such address; use one of its addresses, or :PORT for all of them"
        case .system(_, let message):
            detail = isPath ? "cannot bind the socket (\(message)); \(another)" : "\(message); \(another)"
        }
        return "\(self.flag) \(self.address): \(detail)"
    }
}

extension ListenAddress {
    /// A bound socket address as users write it: `127.0.0.1:9125`, `[::]:9102`, or the path of a Unix socket.
    package static func display(_ address: SocketAddress?) -> String {
        guard let address else { return "" }
        if let path = address.pathname { return path }
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
