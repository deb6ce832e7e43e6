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

/// A blocking `GET` over plain HTTP/1.0 for the CLI's read-only subcommands (`tributary cardinality`): one request,
/// the whole response read until the server closes. No TLS; a 10 s socket timeout.
struct PlainHTTPGet {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The parts of `http://host[:port][/base]`.
    var host: String
    var port: String
    var basePath: String

    /// Parses `url`; only `http://` is supported.
    init(url: String) throws {
        guard url.hasPrefix("http://") else {
            throw Failure(description: "--url must start with http:// (got \"\(url)\"; https is not supported here)")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        self.basePath = String(rest.dropFirst(authority.count)).trimmingSuffix("/")
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            self.port = after.hasPrefix(":") ? String(after.dropFirst()) : "80"
        } else if let colon = authority.lastIndex(of: ":") {
            self.host = String(authority[..<colon])
            self.port = String(authority[authority.index(after: colon)...])
        } else {
            self.host = String(authority)
            self.port = "80"
        }
        guard !self.host.isEmpty, UInt16(self.port) != nil else {
            throw Failure(description: "--url must be http://host:port (got \"\(url)\")")
        }
    }

    /// Fetches `path` (below the base path); returns the status code and body.
    func get(_ path: String) throws -> (status: Int, body: [UInt8]) {
        let fd = try self.connect()
        defer { close(fd) }
        let request = "GET \(self.basePath)\(path) HTTP/1.0\r\nHost: \(self.host)\r\nAccept: application/json\r\n\r\n"
        var bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else {
                throw Failure(description: "cannot send the request to \(self.host):\(self.port)")
            }
            offset += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { throw Failure(description: "no answer from \(self.host):\(self.port) (timed out?)") }
            if count == 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        bytes = Array("\r\n\r\n".utf8)
        guard let end = response.firstRange(of: bytes) else {
            throw Failure(description: "not an HTTP response from \(self.host):\(self.port)")
        }
        let head = String(decoding: response[..<end.lowerBound], as: UTF8.self)
        let statusText = head.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
        guard let status = Int(statusText) else { throw Failure(description: "malformed HTTP status line: \(head)") }
        return (status, Array(response[end.upperBound...]))
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(self.host, self.port, &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(self.host)")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if systemConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw Failure(description: "cannot connect to \(self.host):\(self.port) (is tributary running there?)")
    }
}

/// `connect(2)`, under a name the method ``PlainHTTPGet/connect()`` does not shadow.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> String {
        var copy = self
        while copy.last == suffix { copy.removeLast() }
        return copy
    }
}
