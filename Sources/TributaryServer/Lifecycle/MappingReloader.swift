import Foundation
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
    package static func compile(path: String) throws -> CompiledMapper {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MappingFileError(description: "cannot read mapping config \(path): \(error.localizedDescription)")
        }
        do {
            return try CompiledMapper.load(yaml: text)
        } catch {
            throw MappingFileError(description: "\(path): \(error.description)")
        }
    }

    /// Loads the file and applies it; on failure the old mapping stays and the error is returned.
    @discardableResult
    package func reload() -> Result<CompiledMapper, MappingFileError> {
        let result = self.load()
        guard self.path != nil else { return result }  // no file: nothing was loaded
        let attempt: LastReload
        switch result {
        case .success: attempt = LastReload(succeeded: true, unixTime: self.wallClock(), error: nil)
        case .failure(let error): attempt = LastReload(succeeded: false, unixTime: self.wallClock(), error: error.description)
        }
        self.last.withLock { $0 = attempt }
        return result
    }

    private func load() -> Result<CompiledMapper, MappingFileError> {
        let result = self.compileAndApply()
        if case .success(let mapper) = result, let dumpPath = self.dumpFSMPath { self.dumpFSM(mapper, to: dumpPath) }
        return result
    }

    /// Writes the glob matcher as a dot file (statsd_exporter's `--debug.dump-fsm`); a failure is logged, not fatal.
    private func dumpFSM(_ mapper: CompiledMapper, to path: String) {
        do {
            try Data(mapper.globTrie.dot.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            self.logger.info("wrote the glob matcher as a dot file", metadata: ["path": "\(path)"])
        } catch {
            self.logger.error(
                "cannot write --debug.dump-fsm file", metadata: ["path": "\(path)", "error": "\(error.localizedDescription)"])
        }
    }

    private func compileAndApply() -> Result<CompiledMapper, MappingFileError> {
        guard let path = self.path else { return .success(.empty) }
        do {
            let mapper = try Self.compile(path: path)
            self.current.withLock { $0 = mapper }
            for shard in self.shards { shard.replaceMapper(mapper) }
            self.successes.wrappingAdd(1, ordering: .relaxed)
            self.logger.info("loaded mapping config", metadata: ["path": "\(path)", "rules": "\(mapper.ruleCount)"])
            return .success(mapper)
        } catch let error as MappingFileError {
            self.failures.wrappingAdd(1, ordering: .relaxed)
            self.logger.error("mapping config not loaded; keeping the previous one", metadata: ["error": "\(error)"])
            return .failure(error)
        } catch {
            self.failures.wrappingAdd(1, ordering: .relaxed)
            return .failure(MappingFileError(description: "\(error)"))
        }
    }
}

package struct MappingFileError: Error, CustomStringConvertible {
    package var description: String
}
