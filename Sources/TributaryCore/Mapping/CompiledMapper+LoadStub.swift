// TEMPORARY: replaced by the mapping implementation (branch `mapping`).
package struct MappingConfigError: Error, CustomStringConvertible {
    package var description: String
}

extension CompiledMapper {
    package static func load(yaml: String) throws(MappingConfigError) -> CompiledMapper {
        if yaml.contains("mappings:") { throw MappingConfigError(description: "mapping rules are not supported yet") }
        return .empty
    }
}
