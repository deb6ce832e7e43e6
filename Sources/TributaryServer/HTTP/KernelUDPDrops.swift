#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Datagrams the kernel dropped for our UDP sockets (receive buffer full), from `/proc/net/udp{,6}`.
///
/// Each row of those files is one socket; its `drops` column is cumulative since the socket was created. Rows are
/// matched by local port only, so with `SO_REUSEPORT` every socket of the listener is summed. The parser is a
/// pure function over the file text; ``read(port:families:)`` does the file I/O (Linux only, `nil` elsewhere).
package enum KernelUDPDrops {
    /// Which of the two tables to read.
    package enum AddressFamily: Sendable, CaseIterable {
        case ipv4
        case ipv6

        var procPath: String {
            switch self {
            case .ipv4: "/proc/net/udp"
            case .ipv6: "/proc/net/udp6"
            }
        }
    }

    /// Sums the `drops` column of rows whose local port is `port`. Returns `nil` when the text has no `drops`
    /// column (very old kernels) or no row for the port.
    ///
    /// The header has more words than a row has fields (`tx_queue rx_queue` is one field `00000000:00000000`), but
    /// the fields after `timeout` line up one to one, so `drops` is located counting from the end of the line.
    package static func parse(procNetUDP text: String, port: Int) -> UInt64? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard let header = lines.popFirst() else { return nil }
        let columns = header.split(separator: " ", omittingEmptySubsequences: true)
        guard let dropsIndex = columns.firstIndex(of: "drops"),
            let localIndex = columns.firstIndex(of: "local_address")
        else { return nil }
        let fromEnd = columns.count - 1 - dropsIndex

        var total: UInt64 = 0
        var found = false
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > max(localIndex, fromEnd) else { continue }
            // `ADDRESS:PORT`, both hexadecimal; the address is 8 (IPv4) or 32 (IPv6) digits.
            let local = fields[localIndex]
            guard let colon = local.lastIndex(of: ":"),
                let localPort = Int(local[local.index(after: colon)...], radix: 16),
                localPort == port,
                let drops = UInt64(fields[fields.count - 1 - fromEnd])
            else { continue }
            total &+= drops
            found = true
        }
        return found ? total : nil
    }

    /// Reads the tables for `families` and sums the drops of sockets bound to `port`; `nil` when no table could be
    /// read or none has a socket on the port.
    package static func read(port: Int, families: [AddressFamily] = AddressFamily.allCases) -> UInt64? {
        var total: UInt64?
        for family in families {
            guard let text = ProcFile.read(family.procPath),
                let drops = self.parse(procNetUDP: text, port: port)
            else { continue }
            total = (total ?? 0) &+ drops
        }
        return total
    }
}

/// Small whole-file reads of `/proc` pseudo-files (their size is reported as 0, so read until EOF).
package enum ProcFile {
    /// The file's contents as UTF-8 text, or `nil` when it cannot be opened.
    package static func read(_ path: String, limit: Int = 4 << 20) -> String? {
        #if canImport(Glibc)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var result: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while result.count < limit {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                if count == 0 { break }
                result.append(contentsOf: chunk[..<count])
            }
            return String(decoding: result, as: UTF8.self)
        #else
            return nil
        #endif
    }
}
