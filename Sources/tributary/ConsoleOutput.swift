#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to standard output and error, printf-style numbers and trimming, without Foundation.
///
/// `FileHandle`, `String(format:)` and `trimmingCharacters(in:)` are in Foundation proper, not FoundationEssentials;
/// linking Foundation (with CoreFoundation and ICU) costs ~3.6 MB resident at start in the statically linked binary,
/// whether a command uses it or not.
enum ConsoleOutput {
    /// Writes `text` to standard error, all of it (retrying short writes).
    static func writeError(_ text: String) {
        self.writeAll(Array(text.utf8), to: 2)
    }

    /// Writes `bytes` to standard output, all of them (retrying short writes).
    static func writeOutput(_ bytes: [UInt8]) {
        self.writeAll(bytes, to: 1)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

extension String {
    /// `printf`-style formatting of numbers (`%d`, `%.1f`, `%8.1f`), as `String(format:)` does for them.
    init(printf format: String, _ arguments: any CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        if length >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
