#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends StatsD lines over UDP, packed into datagrams of at most 1400 bytes.
package final class UDPLineSender {
    private let fd: Int32
    private var address = sockaddr_storage()
    private let addressLength: socklen_t
    /// The address datagrams go to, as users write it (`127.0.0.1:9125`, `[::1]:9125`).
    package let resolved: String

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// `host` is an IP literal or a host name; a name is resolved once, preferring IPv4 as Go's StatsD clients do
    /// (`localhost` reaches a Tributary listening on `127.0.0.1` as well as one on all interfaces).
    package init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc) || canImport(Musl)
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
            hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw SetupError(description: "cannot resolve \"\(host)\" (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(list) }
        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let entry = next {
            candidates.append(entry)
            next = entry.pointee.ai_next
        }
        let chosen = candidates.first { $0.pointee.ai_family == AF_INET } ?? list
        let info = chosen.pointee
        self.fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard self.fd >= 0 else { throw SetupError(description: "cannot open a UDP socket") }
        withUnsafeMutableBytes(of: &self.address) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: info.ai_addr, count: Int(info.ai_addrlen)))
        }
        self.addressLength = info.ai_addrlen
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        _ = getnameinfo(info.ai_addr, info.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        let ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.resolved = info.ai_family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    deinit { close(self.fd) }

    /// Sends the lines; nil when the kernel took every datagram (UDP says nothing about delivery), else the
    /// system's reason for the first one it refused.
    @discardableResult
    package func send(lines: [String]) -> String? {
        var packet: [UInt8] = []
        packet.reserveCapacity(1400)
        var failure: String?
        for line in lines {
            if !packet.isEmpty && packet.count + line.utf8.count + 1 > 1400 {
                failure = failure ?? self.flush(&packet)
            }
            if !packet.isEmpty { packet.append(UInt8(ascii: "\n")) }
            packet.append(contentsOf: line.utf8)
        }
        return failure ?? self.flush(&packet)
    }

    private func flush(_ packet: inout [UInt8]) -> String? {
        guard !packet.isEmpty else { return nil }
        var address = self.address
        let length = self.addressLength
        let sent = packet.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(self.fd, bytes.baseAddress, bytes.count, 0, $0, length)
                }
            }
        }
        let failure = sent < 0 ? String(cString: strerror(errno)) : nil
        packet.removeAll(keepingCapacity: true)
        return failure
    }
}
