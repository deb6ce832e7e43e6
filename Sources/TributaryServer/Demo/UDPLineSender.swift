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
    private var address = sockaddr_in()

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// `host` must be an IPv4 literal (the demo talks to 127.0.0.1).
    package init(host: String, port: Int) throws {
        #if canImport(Glibc) || canImport(Musl)
        self.fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        self.fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard self.fd >= 0 else { throw SetupError(description: "cannot open a UDP socket") }
        self.address.sin_family = sa_family_t(AF_INET)
        self.address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &self.address.sin_addr) == 1 else {
            close(self.fd)
            throw SetupError(description: "not an IPv4 address: \(host)")
        }
    }

    deinit { close(self.fd) }

    package func send(lines: [String]) {
        var packet: [UInt8] = []
        packet.reserveCapacity(1400)
        for line in lines {
            if !packet.isEmpty && packet.count + line.utf8.count + 1 > 1400 {
                self.flush(&packet)
            }
            if !packet.isEmpty { packet.append(UInt8(ascii: "\n")) }
            packet.append(contentsOf: line.utf8)
        }
        self.flush(&packet)
    }

    private func flush(_ packet: inout [UInt8]) {
        guard !packet.isEmpty else { return }
        var address = self.address
        _ = packet.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(self.fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        packet.removeAll(keepingCapacity: true)
    }
}
