import Foundation
import Logging
import Testing
import TributaryCore

@testable import TributaryServer

/// The server half of persistence: the file (atomic replace), the service (write, restore, status) and the
/// `tributary_snapshot_*` self-metrics. End-to-end restarts are in `tests/e2e/test_snapshot.py`.
@Suite struct SnapshotServiceTests {
    private func directory() -> String {
        let path = NSTemporaryDirectory() + "tributary-snapshot-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func service(_ shards: AggregationShards, _ directory: String) -> SnapshotService {
        SnapshotService(
            shards: shards, directory: directory, interval: .seconds(1), status: SnapshotStatus(directory: directory),
            logger: Logger(label: "test"))
    }

    @Test func fileIsReplacedWholeAndLeavesNoTemporaryFile() throws {
        let path = self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = SnapshotFile(directory: path)
        #expect(try file.load() == nil)
        try file.replace(with: Array(repeating: 7, count: 3_000_000))
        try file.replace(with: [1, 2, 3])
        #expect(try file.load() == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == [SnapshotFile.fileName])
    }

    @Test func unusableDirectoryThrowsANamedFailure() throws {
        let path = self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path + "/a-file", contents: Data())
        let file = SnapshotFile(directory: path + "/a-file/state")
        #expect(throws: SnapshotFile.Failure.self) { try file.createDirectory() }
        do {
            try file.replace(with: [1])
            Issue.record("wrote under a file")
        } catch {
            #expect(error.description.contains("Not a directory"))
        }
    }

    @Test func writeThenRestoreBringsTheSeriesBackAndReportsIt() throws {
        let path = self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let shards = AggregationShards(count: 2)
        Array("orders:5|c|#shop:eu\nqueue:9|g".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 1) }
        Array("latency:12|ms".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 1) }
        let writer = self.service(shards, path)
        writer.write()
        let written = writer.status.current
        #expect(written.writes == 1 && written.writeFailures == 0)
        #expect(written.lastSeries == 3 && written.lastSizeBytes > 100 && written.lastWriteSeconds != nil)

        let restored = AggregationShards(count: 2)
        let reader = self.service(restored, path)
        reader.restore()
        #expect(reader.status.current.restore?.restoredSeries == 3)
        var original = shards.scrapeCopy()
        var copy = restored.scrapeCopy()
        var a: [UInt8] = []
        var b: [UInt8] = []
        original.writeText(into: &a, now: 2)
        copy.writeText(into: &b, now: 2)
        #expect(String(decoding: b, as: UTF8.self) == String(decoding: a, as: UTF8.self))
    }

    @Test func failedWritesAreCountedAndTheErrorKept() {
        let path = self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path + "/a-file", contents: Data())
        let service = self.service(AggregationShards(), path + "/a-file/state")
        service.write()
        service.write()
        let status = service.status.current
        #expect(status.writes == 0 && status.writeFailures == 2)
        #expect(status.lastError?.contains("Not a directory") == true)
    }

    @Test func selfMetricsListEveryStorageFamilyOnlyWhenPersistenceIsOn() {
        var snapshot = SelfMetricsWriterTests.sampleSnapshot()
        #expect(!SelfMetricsWriterTests.render(snapshot).contains("tributary_snapshot"))
        var status = SnapshotStatus.Values(directory: "/data")
        status.lastWriteSeconds = 1_700_000_000
        status.lastDurationSeconds = 0.25
        status.lastSizeBytes = 4096
        status.lastSeries = 12
        status.writes = 3
        status.writeFailures = 1
        var report = SnapshotRestoreReport()
        report.restoredSeries = 10
        report.dropped = [.checksumMismatch: 1]
        status.restore = report
        snapshot.storage = .init(status: status, nowSeconds: 1_700_000_004)
        let text = SelfMetricsWriterTests.render(snapshot)
        for line in [
            "tributary_snapshot_writes_total 3", "tributary_snapshot_write_failures_total 1",
            "tributary_snapshot_last_write_timestamp_seconds 1700000000", "tributary_snapshot_age_seconds 4",
            "tributary_snapshot_duration_seconds 0.25", "tributary_snapshot_size_bytes 4096",
            "tributary_snapshot_series 12", "tributary_snapshot_restored_series 10",
            #"tributary_snapshot_restore_dropped_total{reason="checksum_mismatch"} 1"#,
            #"tributary_snapshot_restore_dropped_total{reason="mapping_changed"} 0"#,
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }
}
