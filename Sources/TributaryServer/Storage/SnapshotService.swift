import Logging
import NIOPosix
import ServiceLifecycle
import TributaryCore

/// `--storage.path`: restores the series state at start and writes it every `--storage.snapshot-interval` and once
/// more on graceful shutdown, after the listeners stopped (it runs before them in the ``ServiceGroup``, so it is shut
/// down after them).
///
/// A write copies every shard (``AggregationShard/scrapeCopy()``: O(1) under the lock, copy-on-write after),
/// encodes outside the locks (``SnapshotWriter``) and replaces the file atomically (``SnapshotFile``), on NIO's
/// thread pool. Failures are counted and logged once per distinct error; Tributary keeps running without them.
package struct SnapshotService: Service {
    let shards: AggregationShards
    let file: SnapshotFile
    let interval: Duration
    let status: SnapshotStatus
    let logger: Logger

    package init(
        shards: AggregationShards, directory: String, interval: Duration, status: SnapshotStatus, logger: Logger
    ) {
        self.shards = shards
        self.file = SnapshotFile(directory: directory)
        self.interval = interval
        self.status = status
        self.logger = logger
    }

    /// Reads the snapshot (if any) into the shards and logs one line: what was restored and what was dropped.
    /// Run before the listeners open; never throws (an unusable file or directory is logged and counted).
    package func restore() {
        var bytes: [UInt8]?
        do {
            try self.file.createDirectory()
            bytes = try self.file.load()
        } catch {
            self.logger.error(
                "snapshot not restored: storage unreadable; starting empty", metadata: ["error": "\(error)"])
            self.status.recordRestore(SnapshotRestoreReport())
            return
        }
        guard let bytes else {
            self.logger.info("no snapshot to restore; starting empty", metadata: ["path": "\(self.file.path)"])
            self.status.recordRestore(SnapshotRestoreReport())
            return
        }
        let now = monotonicNanoseconds()
        let report = SnapshotReader.restore(bytes, into: self.shards.all, now: now, wallClockSeconds: wallClockSeconds())
        self.status.recordRestore(report)
        var metadata: Logger.Metadata = ["path": "\(self.file.path)", "bytes": "\(bytes.count)"]
        if let header = report.header {
            let age = wallClockSeconds() - header.writtenAtSeconds
            metadata["age_seconds"] = "\(Double(Int(age * 10)) / 10)"
        }
        if report.droppedAnything {
            self.logger.warning("snapshot restored in part: \(report.summary)", metadata: metadata)
        } else {
            self.logger.info("snapshot restored: \(report.summary)", metadata: metadata)
        }
    }

    package func run() async throws {
        while true {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            let final = Task.isShuttingDownGracefully || Task.isCancelled
            try? await NIOThreadPool.singleton.runIfActive { self.write() }
            if final {
                self.logger.info("final snapshot written on shutdown", metadata: ["path": "\(self.file.path)"])
                return
            }
        }
    }

    /// Copies, encodes and writes one snapshot; counts and times it. Blocking: runs on the thread pool.
    func write() {
        let start = monotonicNanoseconds()
        let copies = self.shards.all.map { $0.scrapeCopy() }
        let wallClock = wallClockSeconds()
        let bytes = SnapshotWriter.encode(
            copies, now: start, wallClockSeconds: wallClock, capacity: self.status.current.lastSizeBytes + 4096)
        do {
            try self.file.replace(with: bytes)
            let duration = Double(monotonicNanoseconds() - start) / 1e9
            let series = copies.reduce(0) { $0 + $1.liveSeriesCount }
            let recovered = self.status.current.lastError != nil
            self.status.recordWrite(atSeconds: wallClock, durationSeconds: duration, bytes: bytes.count, series: series)
            if recovered { self.logger.info("snapshot written again", metadata: ["path": "\(self.file.path)"]) }
        } catch {
            if self.status.recordFailure(error.description) {
                self.logger.error(
                    "snapshot write failed; state will not survive a restart until a write succeeds",
                    metadata: ["error": "\(error)"])
            }
        }
    }
}
