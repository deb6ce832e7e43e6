import Glibc
import NIOCore
import Testing

@testable import TributaryServer

/// Detecting another process on our UDP port: the socket table is parsed, sockets are told apart by inode, and
/// only overlapping addresses count. One test binds real sockets and reads the real `/proc/net/udp`.
@Suite struct UDPPortSharingTests {
    // Port 9125 = 0x23A5. 127.0.0.1 is 0100007F in the file; 10.0.0.5 is 0500000A.
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          25: 0100007F:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 0
          26: 0100007F:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4243 2 0000000000000000 0
          27: 0500000A:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 7000 2 0000000000000000 0
          28: 00000000:23A6 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 7001 2 0000000000000000 0

        """

    @Test func parsesAddressPortAndInode() {
        let sockets = UDPPortSharing.parse(procNetUDP: Self.table)
        #expect(sockets.count == 4)
        #expect(sockets[0] == UDPPortSharing.Socket(address: "0100007F", port: 9125, inode: 4242))
        #expect(sockets[3] == UDPPortSharing.Socket(address: "00000000", port: 9126, inode: 7001))
    }

    @Test func findsOnlyOverlappingSocketsOfOthers() {
        let sockets = UDPPortSharing.parse(procNetUDP: Self.table)
        // We own 4242: 4243 shares 127.0.0.1:9125; 10.0.0.5:9125 and port 9126 do not overlap.
        #expect(UDPPortSharing.foreign(in: sockets, port: 9125, own: [4242]).map(\.inode) == [4243])
        #expect(UDPPortSharing.foreign(in: sockets, port: 9125, own: [4242, 4243]).isEmpty)
        // Owning a wildcard socket on the port, every other socket on it overlaps.
        let wildcard = sockets + [UDPPortSharing.Socket(address: "00000000", port: 9125, inode: 1)]
        #expect(UDPPortSharing.foreign(in: wildcard, port: 9125, own: [1]).map(\.inode) == [4242, 4243, 7000])
    }

    @Test func ownSocketsAreNeverForeign() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(UDPPortSharing.socketInodes(process: "self").count >= 1)
        #expect(UDPPortSharing.foreignSockets(port: port).isEmpty)
    }

    @Test func bindErrorsAreOneLineNamingTheFlag() {
        let address = ListenAddress(host: "127.0.0.1", port: 9125)
        let inUse = ListenerBindError(
            flag: "--statsd.listen-udp", address: address,
            underlying: IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)"))
        #expect(
            inUse.description
                == "--statsd.listen-udp 127.0.0.1:9125: the address is in use by another process; stop it or give --statsd.listen-udp another address"
        )
        let shared = ListenerBindError(
            flag: "--statsd.listen-udp", address: ":9125", problem: .sharedWith([(pid: 42, command: "tributary")]))
        #expect(
            shared.description
                == "--statsd.listen-udp :9125: the port is already in use by pid 42 (tributary); stop it or give --statsd.listen-udp another address"
        )
        let denied = ListenerBindError(
            flag: "--web.listen-address", address: ListenAddress(host: nil, port: 80),
            underlying: IOError(errnoCode: EACCES, reason: "bind(descriptor:ptr:bytes:)"))
        #expect(
            denied.description
                == "--web.listen-address :80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); give --web.listen-address another address"
        )
    }
}
