#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The snapshot file in `--storage.path`: read whole at start, replaced atomically on every write.
///
/// A write goes to `tributary.snapshot.tmp`, is fsynced, renamed over `tributary.snapshot`, and the directory is
/// fsynced, so after a crash at any point the file is either the previous snapshot or the new one, never a mix.
package struct SnapshotFile: Sendable {
    package static let fileName = "tributary.snapshot"

    /// A failed system call: what was attempted, on which path, and `strerror`.
    package struct Failure: Error, CustomStringConvertible {
        package var operation: String
        package var path: String
        package var errno: Int32

        package var description: String { "\(self.operation) \(self.path): \(String(cString: strerror(self.errno)))" }
    }

    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package var path: String { self.directory + "/" + Self.fileName }
    private var temporaryPath: String { self.path + ".tmp" }

    /// Creates the directory if it is missing (not its parents).
    package func createDirectory() throws(Failure) {
        if mkdir(self.directory, 0o750) != 0 && errno != EEXIST { throw self.failure("mkdir", self.directory) }
    }

    /// The snapshot's bytes; nil when there is none yet.
    package func load() throws(Failure) -> [UInt8]? {
        let fd = open(self.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw self.failure("open", self.path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw self.failure("read", self.path)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Replaces the snapshot with `bytes` atomically (temporary file, fsync, rename, fsync of the directory).
    package func replace(with bytes: [UInt8]) throws(Failure) {
        let temporary = self.temporaryPath
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw self.failure("open", temporary) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let failure = self.failure("write", temporary)
                close(fd)
                unlink(temporary)
                throw failure
            }
            written += count
        }
        if fsync(fd) != 0 {
            let failure = self.failure("fsync", temporary)
            close(fd)
            unlink(temporary)
            throw failure
        }
        close(fd)
        if rename(temporary, self.path) != 0 {
            let failure = self.failure("rename", temporary)
            unlink(temporary)
            throw failure
        }
        let directory = open(self.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    private func failure(_ operation: String, _ path: String) -> Failure {
        Failure(operation: operation, path: path, errno: errno)
    }
}
