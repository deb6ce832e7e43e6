import Testing

@testable import TributaryServer

@Suite struct KernelUDPDropsTests {
    // Port 9125 = 0x23A5; 53 = 0x0035.
    static let udp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          25: 00000000:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 17
          26: 00000000:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4243 2 0000000000000000 3
          40: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 1111 2 0000000000000000 99

        """
    static let udp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
           3: 00000000000000000000000000000000:23A5 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 5555 2 0000000000000000 5

        """

    @Test func sumsDropsOfAllSocketsOnThePort() {
        #expect(KernelUDPDrops.parse(procNetUDP: Self.udp, port: 9125) == 20)
        #expect(KernelUDPDrops.parse(procNetUDP: Self.udp, port: 53) == 99)
    }

    @Test func parsesIPv6Table() {
        #expect(KernelUDPDrops.parse(procNetUDP: Self.udp6, port: 9125) == 5)
    }

    @Test func returnsNilWithoutMatchingSocketOrDropsColumn() {
        #expect(KernelUDPDrops.parse(procNetUDP: Self.udp, port: 9999) == nil)
        #expect(KernelUDPDrops.parse(procNetUDP: "", port: 9125) == nil)
        let oldKernel = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               1: 00000000:23A5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242
            """
        #expect(KernelUDPDrops.parse(procNetUDP: oldKernel, port: 9125) == nil)
    }

    @Test func readsLiveTableWithoutCrashing() {
        // Port 1 is unlikely to be bound; the point is that the file read path works or returns nil.
        #expect(KernelUDPDrops.read(port: 1) == nil)
    }
}

@Suite struct ProcessMetricsTests {
    @Test func parsesResidentMemoryFromStatm() {
        #expect(ProcessMetrics.residentMemoryBytes(statm: "1000 250 100 10 0 300 0\n", pageSize: 4096) == 1_024_000)
        #expect(ProcessMetrics.residentMemoryBytes(statm: "", pageSize: 4096) == nil)
    }

    @Test func parsesStartTimeFromStatAndBootTime() {
        // Field 22 (starttime) = 500 ticks; the command name contains a space and a parenthesis.
        let fields3to21 = Array(repeating: "0", count: 19).joined(separator: " ")
        let selfStat = "1234 (trib (x) y) S \(fields3to21.dropFirst(2)) 500 0 0\n"
        let procStat = "cpu  1 2 3\nbtime 1700000000\nprocesses 10\n"
        #expect(
            ProcessMetrics.startTimeSeconds(selfStat: selfStat, procStat: procStat, ticksPerSecond: 100)
                == 1_700_000_005)
    }

    @Test func readsLiveProcValues() {
        #expect((ProcessMetrics.currentResidentMemoryBytes() ?? 0) > 0)
        #expect((ProcessMetrics.currentStartTimeSeconds() ?? 0) > 1_600_000_000)
    }
}
