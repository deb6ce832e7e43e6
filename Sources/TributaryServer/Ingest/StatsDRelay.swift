#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

/// Forwards every non-empty StatsD line received, unparsed, to another StatsD server over UDP
/// (`--statsd.relay.address`), as statsd_exporter's `pkg/relay` does: lines packed into packets of at most
/// `--statsd.relay.packet-length` bytes, each line ending in `\n`, a partial packet sent at least once a second, a
/// line longer than a packet (with its `\n`) not relayed and counted.
///
/// Listeners never wait for it: ``submit(_:)`` copies a whole datagram (or chunk of stream lines) into the current
/// batch under a short lock; full batches (``batchBytes``) go to a bounded queue that the relay thread drains. When the
/// queue is full the batch is dropped and its lines counted (``droppedLines``) — statsd_exporter blocks its listener
/// instead. Splitting into lines, packing and sending all happen on the relay thread.
///
/// ```swift
/// let relay = StatsDRelay(target: "127.0.0.1:8125", packetLength: 1400, logger: logger)
/// try relay.start()
/// datagram.withUnsafeReadableBytes { relay.submit($0) }   // any listener, any thread
/// relay.stop()                                           // sends what is queued, then ends the thread
/// ```
package final class StatsDRelay: @unchecked Sendable {
    /// `--statsd.relay.address` as given (the `target` label of the self-metrics).
    package let target: String
    package let packetLength: Int
    /// A batch this large is queued for the relay thread.
    package let batchBytes: Int
    /// Most batches waiting for the relay thread; a full batch beyond them is dropped.
    package let maxQueuedBatches: Int
    private let logger: Logger

    package let packets = Atomic<UInt64>(0)
    package let relayedLines = Atomic<UInt64>(0)
    package let longLines = Atomic<UInt64>(0)
    package let droppedLines = Atomic<UInt64>(0)
    private let sendErrors = Atomic<UInt64>(0)

    // Guarded by `condition`.
    private let condition = ThreadCondition()
    private var current: [UInt8] = []
    private var queue: [[UInt8]] = []
    private var free: [[UInt8]] = []
    private var stopping = false
    private var finished = false
    private var fd: Int32 = -1

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// - Parameter queueBytes: most bytes waiting for the relay thread (`--statsd.relay.queue-bytes`), in up to 16
    ///   batches of at most 64 KiB each.
    package init(target: String, packetLength: Int = 1400, queueBytes: Int = 4 * 1024 * 1024, logger: Logger) {
        self.target = target
        self.packetLength = max(2, packetLength)
        let batchBytes = min(64 * 1024, max(1024, queueBytes / 16))
        self.batchBytes = batchBytes
        self.maxQueuedBatches = max(1, queueBytes / batchBytes)
        self.logger = logger
        self.current.reserveCapacity(batchBytes + 65536)
    }

    /// Resolves the target, opens the UDP socket and starts the relay thread.
    package func start() throws {
        let address: ListenAddress
        do { address = try ListenAddress(parsing: self.target) } catch {
            throw SetupError(description: "--statsd.relay.address: invalid address '\(self.target)': expected host:port")
        }
        let fd = try Self.connectUDP(host: address.host ?? "localhost", port: address.port)
        self.condition.lock()
        self.fd = fd
        self.condition.unlock()
        DetachedThread.start(name: "tributary-relay") { self.run() }
    }

    /// Sends what is queued and the partial packet, then ends the relay thread (waits up to two seconds).
    package func stop() {
        self.condition.lock()
        self.stopping = true
        self.condition.broadcast()
        let deadline = Date().addingTimeInterval(2)
        while !self.finished && self.fd >= 0 && self.condition.wait(until: deadline) {}
        self.condition.unlock()
    }

    /// Copies the lines of one datagram or stream chunk for relaying. Never blocks on the relay thread.
    package func submit(_ bytes: UnsafeRawBufferPointer) {
        guard let last = bytes.last else { return }
        self.condition.lock()
        self.current.append(contentsOf: bytes)
        if last != UInt8(ascii: "\n") { self.current.append(UInt8(ascii: "\n")) }
        if self.current.count >= self.batchBytes { self.handOverLocked() }
        self.condition.unlock()
    }

    private func handOverLocked() {
        if self.queue.count < self.maxQueuedBatches {
            self.queue.append(self.current)
            self.current = self.free.popLast() ?? Self.emptyBuffer(self.batchBytes)
            self.condition.signal()
        } else {
            let lines = self.current.withUnsafeBytes { Self.countLines($0) }
            self.droppedLines.add(UInt64(lines), ordering: .relaxed)
            self.current.removeAll(keepingCapacity: true)
        }
    }

    private static func emptyBuffer(_ capacity: Int) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(capacity + 65536)
        return buffer
    }

    /// Non-empty lines in `bytes`.
    static func countLines(_ bytes: UnsafeRawBufferPointer) -> Int {
        var lines = 0
        var length = 0
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if length > 0 { lines += 1 }
                length = 0
            } else {
                length += 1
            }
        }
        return length > 0 ? lines + 1 : lines
    }

    private func run() {
        var packer = RelayPacker(packetLength: self.packetLength)
        var taken: [[UInt8]] = []
        var nextFlush = Date().addingTimeInterval(1)
        while true {
            self.condition.lock()
            while self.queue.isEmpty && !self.stopping && Date() < nextFlush {
                _ = self.condition.wait(until: nextFlush)
            }
            swap(&taken, &self.queue)
            let stop = self.stopping
            let tick = stop || Date() >= nextFlush
            if tick && !self.current.isEmpty {
                taken.append(self.current)
                self.current = self.free.popLast() ?? Self.emptyBuffer(self.batchBytes)
            }
            self.condition.unlock()

            for batch in taken {
                batch.withUnsafeBytes { packer.add($0, send: self.send) }
            }
            if tick {
                packer.flush(send: self.send)
                nextFlush = Date().addingTimeInterval(1)
            }
            self.relayedLines.add(UInt64(packer.takeLines()), ordering: .relaxed)
            self.longLines.add(UInt64(packer.takeLongLines()), ordering: .relaxed)

            self.condition.lock()
            for var batch in taken where self.free.count < 4 {
                batch.removeAll(keepingCapacity: true)
                self.free.append(batch)
            }
            taken.removeAll(keepingCapacity: true)
            let done = stop && self.queue.isEmpty && self.current.isEmpty
            if done {
                close(self.fd)
                self.finished = true
                self.condition.broadcast()
            }
            self.condition.unlock()
            if done { return }
        }
    }

    private func send(_ packet: UnsafeRawBufferPointer) {
        #if canImport(Darwin)
        let sent = Darwin.send(self.fd, packet.baseAddress, packet.count, 0)
        #else
        let sent = Glibc.send(self.fd, packet.baseAddress, packet.count, 0)
        #endif
        if sent < 0 {
            // A connected UDP socket reports an earlier ICMP "port unreachable" here; keep relaying (statsd_exporter
            // stops its relay for good on the first error).
            if self.sendErrors.add(1, ordering: .relaxed).oldValue == 0 {
                self.logger.warning(
                    "relay send failed; later failures are not logged",
                    metadata: ["target": "\(self.target)", "error": "\(String(cString: strerror(errno)))"])
            }
        } else {
            self.packets.add(1, ordering: .relaxed)
        }
    }

    private static func connectUDP(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        #if canImport(Glibc) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw SetupError(
                description: "--statsd.relay.address: cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = String(cString: strerror(errno))
                close(fd)
            } else {
                lastError = String(cString: strerror(errno))
            }
            entry = info.pointee.ai_next
        }
        throw SetupError(description: "--statsd.relay.address: cannot connect a UDP socket to \(host):\(port): \(lastError)")
    }

    /// The counters for `/metrics`.
    package var counts: SelfMetricsSnapshot.RelayCounts {
        SelfMetricsSnapshot.RelayCounts(
            target: self.target, packets: self.packets.load(ordering: .relaxed),
            relayedLines: self.relayedLines.load(ordering: .relaxed), longLines: self.longLines.load(ordering: .relaxed),
            droppedLines: self.droppedLines.load(ordering: .relaxed))
    }
}

/// Packs lines into relay packets: each non-empty line (split at `\n`, bytes otherwise as received) plus a `\n`; a
/// packet is sent before a line would make it longer than `packetLength`; a line that cannot fit even an empty
/// packet (longer than `packetLength - 1`) is counted and skipped, as in statsd_exporter.
package struct RelayPacker {
    package let packetLength: Int
    private var packet: [UInt8] = []
    private var lines = 0
    private var longLines = 0

    package init(packetLength: Int) {
        self.packetLength = packetLength
        self.packet.reserveCapacity(packetLength)
    }

    /// Adds every line of `bytes`, calling `send` with each packet that fills up.
    package mutating func add(_ bytes: UnsafeRawBufferPointer, send: (UnsafeRawBufferPointer) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        let count = bytes.count
        while start < count {
            let end = memchr(base + start, Int32(UInt8(ascii: "\n")), count - start).map { UnsafeRawPointer($0) - base } ?? count
            let length = end - start
            if length > 0 {
                if length > self.packetLength - 1 {
                    self.longLines += 1
                } else {
                    if self.packet.count + length + 1 > self.packetLength { self.flush(send: send) }
                    self.packet.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    self.packet.append(UInt8(ascii: "\n"))
                    self.lines += 1
                }
            }
            start = end + 1
        }
    }

    /// Sends the partial packet, if any.
    package mutating func flush(send: (UnsafeRawBufferPointer) -> Void) {
        guard !self.packet.isEmpty else { return }
        self.packet.withUnsafeBytes { send($0) }
        self.packet.removeAll(keepingCapacity: true)
    }

    /// Lines packed since the last call.
    package mutating func takeLines() -> Int {
        defer { self.lines = 0 }
        return self.lines
    }

    /// Lines too long to relay since the last call.
    package mutating func takeLongLines() -> Int {
        defer { self.longLines = 0 }
        return self.longLines
    }
}
