import Foundation
import Synchronization
import Testing

@testable import TributaryServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct UnixDatagramReceiverTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "tributary-test-\(UUID().uuidString.prefix(8)).sock"
    }

    /// Sends from a socket that never binds a path, as StatsD clients do.
    private func sendUnbound(_ text: String, to path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = UnixSocketFile.withSockaddr(path: path) { address, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address, length) }
        }
    }

    @Test func receivesDatagramsFromUnboundSenders() async throws {
        let path = self.temporaryPath()
        let receiver = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        let received = Mutex<[String]>([])
        let thread = Thread {
            receiver.run { bytes in received.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        }
        thread.start()
        self.sendUnbound("a:1|c", to: path)
        self.sendUnbound("b:2|g", to: path)
        for _ in 0..<100 where received.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        receiver.stop()
        #expect(received.withLock { $0 } == ["a:1|c", "b:2|g"])
        for _ in 0..<100 where FileManager.default.fileExists(atPath: path) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func appliesFileMode() throws {
        let path = self.temporaryPath()
        let receiver = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        defer { receiver.stop(); unlink(path) }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
    }

    @Test func removesStaleSocketFile() throws {
        let path = self.temporaryPath()
        // A socket file whose owner is gone: bind, then close without unlinking.
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        _ = UnixSocketFile.withSockaddr(path: path) { bind(fd, $0, $1) }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let receiver = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        receiver.stop()
        unlink(path)
    }

    @Test func refusesToReplaceARegularFile() throws {
        let path = self.temporaryPath()
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        defer { unlink(path) }
        #expect(throws: UnixDatagramReceiver.SetupError.self) {
            _ = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func refusesASocketHeldByALiveListener() throws {
        let path = self.temporaryPath()
        let first = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        defer { first.stop(); unlink(path) }
        #expect(throws: UnixDatagramReceiver.SetupError.self) {
            _ = try UnixDatagramReceiver(path: path, mode: "660", receiveBufferBytes: nil)
        }
    }
}
