/// Why a mapping configuration was rejected.
///
/// Every message names where the problem is: the rule (its zero-based index in `mappings` and its `match`
/// text) or the `defaults` section, and the offending key (dotted for nested keys, e.g.
/// `histogram_options.buckets`), so an operator can find it without a line number:
///
/// ```
/// mapping rule 3 (match "web.*.requests"), key "labels.bad-name": invalid label name
/// ```
package enum MappingConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The text is not YAML, or its shape is not a mapping configuration (with the decoder's explanation).
    case invalidYAML(String)
    /// A top-level key other than `defaults` and `mappings`.
    case unknownTopLevelKey(String)
    /// A problem in the `defaults` section.
    case invalidDefaults(key: String, reason: String)
    /// A problem in one rule of `mappings`.
    case invalidRule(index: Int, match: String, key: String, reason: String)

    package var description: String {
        switch self {
        case .invalidYAML(let detail):
            "mapping configuration is not valid YAML: \(detail)"
        case .unknownTopLevelKey(let key):
            "mapping configuration: unknown top-level key \"\(key)\" (expected \"defaults\" or \"mappings\")"
        case .invalidDefaults(let key, let reason):
            "mapping defaults, key \"\(key)\": \(reason)"
        case .invalidRule(let index, let match, let key, let reason):
            "mapping rule \(index) (match \"\(match)\"), key \"\(key)\": \(reason)"
        }
    }
}
