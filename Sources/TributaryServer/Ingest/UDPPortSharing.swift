#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds UDP sockets of other processes on our StatsD port, so that a second exporter cannot silently take the
/// port's traffic (statsd_exporter refuses to start in that case; so do we).
///
/// Why a check after binding at all: with one reader the listener sets neither `SO_REUSEADDR` nor `SO_REUSEPORT`,
/// so the kernel itself refuses a second socket on the address (`EADDRINUSE`). But `--statsd.udp-readers N` needs
/// `SO_REUSEPORT` on every reader socket, and Linux then lets *any* socket that also sets it and has the same
/// effective UID join the group: a second Tributary of the same user would bind without error and take a share of
/// the datagrams. No socket option tells "same process only", and an extra exclusive "lock" socket on the address
/// cannot exist beside a `SO_REUSEPORT` group. So, once bound, we compare the kernel's socket table with our own
/// sockets: every row of `/proc/net/udp{,6}` on our port whose address overlaps ours (equal, or either is a
/// wildcard) and whose inode is not one of this process's sockets (`/proc/self/fd/* -> socket:[inode]`) belongs
/// to another process. The table is per network namespace, like the port itself. Whichever process binds second
/// sees the other and exits; the first keeps the port (its readers are never closed). Elsewhere than Linux (no
/// `/proc`) the check finds nothing.
package enum UDPPortSharing {
    /// One row of `/proc/net/udp{,6}`: the local address in the file's hex form (8 or 32 digits) and the inode.
    package struct Socket: Sendable, Equatable {
        package var address: String
        package var port: Int
        package var inode: UInt64

        /// `0.0.0.0` or `::` (all interfaces).
        var isWildcard: Bool { self.address.allSatisfy { $0 == "0" } }

        /// Whether a socket bound here receives datagrams sent to `other`'s address (same port assumed).
        func overlaps(_ other: Socket) -> Bool {
            self.isWildcard || other.isWildcard || self.address == other.address
        }
    }

    /// Parses a `/proc/net/udp` or `/proc/net/udp6` text. The `inode` column is found by counting from the end of
    /// the line (the header has more words than a row has fields, see ``KernelUDPDrops/parse(procNetUDP:port:)``).
    package static func parse(procNetUDP text: String) -> [Socket] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard let header = lines.popFirst() else { return [] }
        let columns = header.split(separator: " ", omittingEmptySubsequences: true)
        guard let inodeIndex = columns.firstIndex(of: "inode"), let localIndex = columns.firstIndex(of: "local_address")
        else { return [] }
        let fromEnd = columns.count - 1 - inodeIndex
        var sockets: [Socket] = []
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > max(localIndex, fromEnd) else { continue }
            let local = fields[localIndex]
            guard let colon = local.lastIndex(of: ":"), let port = Int(local[local.index(after: colon)...], radix: 16),
                let inode = UInt64(fields[fields.count - 1 - fromEnd])
            else { continue }
            sockets.append(Socket(address: String(local[..<colon]), port: port, inode: inode))
        }
        return sockets
    }

    /// The sockets in `table` on `port` that overlap one of `own` and are not in it (by inode).
    package static func foreign(in table: [Socket], port: Int, own ownInodes: Set<UInt64>) -> [Socket] {
        let ours = table.filter { $0.port == port && ownInodes.contains($0.inode) }
        return table.filter { socket in
            socket.port == port && !ownInodes.contains(socket.inode) && ours.contains { $0.overlaps(socket) }
        }
    }

    /// Other processes' UDP sockets that share `port` with ours; empty when none (or when `/proc` is unreadable).
    package static func foreignSockets(port: Int) -> [Socket] {
        let table = KernelUDPDrops.AddressFamily.allCases.flatMap { family in
            ProcFile.read(family.procPath).map { self.parse(procNetUDP: $0) } ?? []
        }
        return self.foreign(in: table, port: port, own: self.socketInodes(process: "self"))
    }

    /// The PIDs (with their command names) of the processes holding any of `sockets`. Only processes whose
    /// `/proc/PID/fd` we may read are found, which covers the only case in which sharing can happen (same user).
    package static func owners(of sockets: [Socket]) -> [(pid: Int, command: String)] {
        let wanted = Set(sockets.map(\.inode))
        let ownPID = Int(getpid())
        var owners: [(pid: Int, command: String)] = []
        for pid in self.directoryEntries("/proc").compactMap({ Int($0) }) where pid != ownPID {
            guard !self.socketInodes(process: String(pid)).isDisjoint(with: wanted) else { continue }
            let command = ProcFile.read("/proc/\(pid)/comm")?.split(separator: "\n").first.map(String.init) ?? "?"
            owners.append((pid, command))
        }
        return owners
    }

    /// Inodes of the sockets a process holds (`/proc/<process>/fd/N -> socket:[inode]`).
    static func socketInodes(process: String) -> Set<UInt64> {
        let directory = "/proc/\(process)/fd"
        var inodes: Set<UInt64> = []
        var target = [CChar](repeating: 0, count: 64)
        for entry in self.directoryEntries(directory) {
            let count = readlink(directory + "/" + entry, &target, target.count - 1)
            guard count > 0 else { continue }
            let link = String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard link.hasPrefix("socket:["), link.hasSuffix("]"), let inode = UInt64(link.dropFirst(8).dropLast())
            else { continue }
            inodes.insert(inode)
        }
        return inodes
    }

    private static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
