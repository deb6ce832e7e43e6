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
import TributaryCore

/// Loads the mapping file and publishes the compiled mapper to the shards.
///
/// A file that fails to load or validate keeps the previous mapping; the outcome is counted in
/// `tributary_config_reloads_total{outcome}` and logged; the last outcome is kept for the status page.
package final class MappingReloader: Sendable {
    /// The outcome of the most recent load (the first one at start-up, then every reload).
    package struct LastReload: Sendable, Equatable {
        package var succeeded: Bool
        /// Wall-clock time of the attempt, seconds since the Unix epoch.
        package var unixTime: Double
        /// The error when the attempt failed (the old mapping was kept).
        package var error: String?
    }

    package let path: String?
    private let shards: [AggregationShard]
    private let logger: Logger
    /// Wall-clock seconds since the Unix epoch, for ``LastReload/unixTime``.
    private let wallClock: @Sendable () -> Double
    package let successes = Atomic<UInt64>(0)
    package let failures = Atomic<UInt64>(0)
    private let current: Mutex<CompiledMapper>
    private let last = Mutex<LastReload?>(nil)
    /// `--debug.dump-fsm`: the glob matcher is written here as a Graphviz dot file after every successful load.
    package let dumpFSMPath: String?

    package init(
        path: String?, shards: [AggregationShard], logger: Logger,
        wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }, dumpFSMPath: String? = nil
    ) {
        self.dumpFSMPath = dumpFSMPath
        self.path = path
        self.shards = shards
        self.logger = logger
        self.wallClock = wallClock
        self.current = Mutex(.empty)
    }

    package var mapper: CompiledMapper { self.current.withLock { $0 } }

    /// The most recent load attempt; `nil` before the first, and always without a mapping file.
    package var lastReload: LastReload? { self.last.withLock { $0 } }

    /// Reads and compiles the mapping file without applying it.
    package static func compile(path: String) throws(MappingFileError) -> CompiledMapper {
        // Opened once with `open(2)` first for the reason in words (Foundation's message repeats the file name).
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw MappingFileError(path: path, reason: "cannot read the file (\(String(cString: strerror(errno))))", unreadable: true)
        }
        close(fd)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MappingFileError(path: path, reason: "cannot read the file as UTF-8 text", unreadable: true)
        }
        do {
            return try CompiledMapper.load(yaml: text)
        } catch {
            throw MappingFileError(path: path, reason: error.description, unreadable: false)
        }
    }

    /// The first load, at start-up: applies the file or throws (nothing is logged; the caller reports the error,
    /// once, and there is no previous mapping to keep).
    package func loadAtStartUp() throws(MappingFileError) {
        if case .failure(let error) = self.attempt() { throw error }
    }

    /// Loads the file again and applies it (SIGHUP, `/-/reload`); on failure the previous mapping stays, the error
    /// is logged and returned.
    @discardableResult
    package func reload() -> Result<CompiledMapper, MappingFileError> {
        let result = self.attempt()
        if case .failure(let error) = result {
            self.logger.error("mapping config not reloaded; the previous mapping stays in use", metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Loads and applies the file, counts and records the outcome; writes the dot file when `--debug.dump-fsm` is set.
    private func attempt() -> Result<CompiledMapper, MappingFileError> {
        guard let path = self.path else {
            // No file: nothing to load or record; the dot file shows the empty matcher.
            if let dumpPath = self.dumpFSMPath { self.dumpFSM(.empty, to: dumpPath) }
            return .success(.empty)
        }
        let result: Result<CompiledMapper, MappingFileError>
        do {
            let mapper = try Self.compile(path: path)
            self.current.withLock { $0 = mapper }
            for shard in self.shards { shard.replaceMapper(mapper) }
            self.successes.wrappingAdd(1, ordering: .relaxed)
            self.logger.info("loaded mapping config", metadata: ["path": "\(path)", "rules": "\(mapper.ruleCount)"])
            if let dumpPath = self.dumpFSMPath { self.dumpFSM(mapper, to: dumpPath) }
            result = .success(mapper)
        } catch {
            self.failures.wrappingAdd(1, ordering: .relaxed)
            result = .failure(error)
        }
        let attempt: LastReload
        switch result {
        case .success: attempt = LastReload(succeeded: true, unixTime: self.wallClock(), error: nil)
        case .failure(let error): attempt = LastReload(succeeded: false, unixTime: self.wallClock(), error: error.reason)
        }
        self.last.withLock { $0 = attempt }
        return result
    }

    /// Writes the glob matcher as a dot file (statsd_exporter's `--debug.dump-fsm`); a failure is logged, not fatal.
    private func dumpFSM(_ mapper: CompiledMapper, to path: String) {
        do {
            try Data(mapper.globTrie.dot.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            self.logger.info("wrote the glob matcher as a dot file", metadata: ["path": "\(path)"])
        } catch {
            self.logger.error(
                "cannot write --debug.dump-fsm file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}

/// A mapping file that cannot be read or is invalid.
package struct MappingFileError: Error, CustomStringConvertible {
    package var path: String
    /// What is wrong, without the path (`rule 2 (match "a.*"): unknown key "nme"`).
    package var reason: String
    /// The file could not be read at all (missing, not permitted, not text), as opposed to invalid.
    package var unreadable: Bool

    package init(path: String, reason: String, unreadable: Bool) {
        self.path = path
        self.reason = reason
        self.unreadable = unreadable
    }

    package var description: String { "\(self.path): \(self.reason)" }

    /// The one line start-up prints: the flag, the file, the problem and what to do.
    package var startUpDescription: String {
        let advice =
            self.unreadable
            ? "give the path of a readable mapping file"
            : "fix the file (tributary --check-config --statsd.mapping-config FILE checks it without starting)"
        return "--statsd.mapping-config \(self.path): \(self.reason); \(advice)"
    }
}
