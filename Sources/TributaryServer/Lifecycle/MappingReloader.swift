import Foundation
import Logging
import Synchronization
import TributaryCore

/// Loads the mapping file and publishes the compiled mapper to the shards.
///
/// A file that fails to load or validate keeps the previous mapping; the outcome is counted in
/// `tributary_config_reloads_total{outcome}` and logged.
package final class MappingReloader: Sendable {
    package let path: String?
    private let shards: [AggregationShard]
    private let logger: Logger
    package let successes = Atomic<UInt64>(0)
    package let failures = Atomic<UInt64>(0)
    private let current: Mutex<CompiledMapper>

    package init(path: String?, shards: [AggregationShard], logger: Logger) {
        self.path = path
        self.shards = shards
        self.logger = logger
        self.current = Mutex(.empty)
    }

    package var mapper: CompiledMapper { self.current.withLock { $0 } }

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
