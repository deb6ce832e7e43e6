import Testing

@testable import TributaryCore

/// Every validation failure of `CompiledMapper.load(yaml:)`, with the rule index, match and key it names.
struct MappingConfigErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var yaml: String
        var expected: MappingConfigError
        var testDescription: String { self.label }
    }

    static func rule(_ body: String, before: String = "") -> String {
        "mappings:\n\(before)- match: \"a.*\"\n  name: \"ok\"\n\(body)"
    }

    @Test(arguments: [
        Case(
            label: "unknown rule key", yaml: rule("  lables: {x: y}\n"),
            expected: .invalidRule(index: 0, match: "a.*", key: "lables", reason: "unknown key")),
        Case(
            label: "unknown nested key", yaml: rule("  observer_type: histogram\n  histogram_options: {bucket: [1]}\n"),
            expected: .invalidRule(index: 0, match: "a.*", key: "histogram_options.bucket", reason: "unknown key")),
        Case(
            label: "unknown quantile key", yaml: rule("  quantiles: [{quantile: 0.5, err: 0.1}]\n"),
            expected: .invalidRule(index: 0, match: "a.*", key: "quantiles[0].err", reason: "unknown key")),
        Case(
            label: "unknown defaults key", yaml: "defaults:\n  timer: histogram\n",
            expected: .invalidDefaults(key: "timer", reason: "unknown key")),
        Case(label: "unknown top-level key", yaml: "mapping: []\n", expected: .unknownTopLevelKey("mapping")),
        Case(
            label: "missing match", yaml: "mappings:\n- name: x\n",
            expected: .invalidRule(index: 0, match: "", key: "match", reason: "missing or empty")),
        Case(
            label: "empty glob component", yaml: "mappings:\n- match: \"a..b\"\n  name: x\n",
            expected: .invalidRule(
                index: 0, match: "a..b", key: "match",
                reason: "invalid glob: components separated by '.' must not be empty")),
        Case(
            label: "missing name",
            yaml: "mappings:\n- match: \"ok.*\"\n  name: ok\n- match: \"b.*\"\n  labels: {x: \"$1\"}\n",
            expected: .invalidRule(
                index: 1, match: "b.*", key: "name",
                reason: "missing; a rule needs a metric name unless its action is drop")),
        Case(
            label: "invalid metric name", yaml: "mappings:\n- match: \"a.*\"\n  name: \"bad-name\"\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "name",
                reason:
                    "invalid metric name \"bad-name\" (letters, digits and '_' plus $n references; not starting with a digit)"
            )),
        Case(
            label: "metric name starting with digit", yaml: "mappings:\n- match: \"a.*\"\n  name: \"1x_$1\"\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "name",
                reason:
                    "invalid metric name \"1x_$1\" (letters, digits and '_' plus $n references; not starting with a digit)"
            )),
        Case(
            label: "invalid label name", yaml: rule("  labels:\n    bad-label: x\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "labels.bad-label", reason: "invalid label name \"bad-label\"")),
        Case(
            label: "glob capture out of range", yaml: "mappings:\n- match: \"a.*\"\n  name: \"n_$2\"\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "name",
                reason: "template \"n_$2\" refers to $2, but the glob has 1 '*' capture(s)")),
        Case(
            label: "glob $0", yaml: rule("  labels: {x: \"$0\"}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "labels.x",
                reason: "template \"$0\" refers to $0, but the glob has 1 '*' capture(s)")),
        Case(
            label: "Go-style greedy name reference", yaml: "mappings:\n- match: \"a.*\"\n  name: \"$1_total\"\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "name",
                reason:
                    "template \"$1_total\" refers to a group named \"1_total\" that the match does not define (write ${N} to put text right after group N)"
            )),
        Case(
            label: "regex group out of range",
            yaml: "mappings:\n- match: \"^x_(.*)$\"\n  match_type: regex\n  name: x\n  labels: {l: \"$2\"}\n",
            expected: .invalidRule(
                index: 0, match: "^x_(.*)$", key: "labels.l",
                reason: "template \"$2\" refers to $2, but the regex has 1 group(s)")),
        Case(
            label: "regex unknown named group",
            yaml: "mappings:\n- match: \"^x_(?P<a>.*)$\"\n  match_type: regex\n  name: \"x_${b}\"\n",
            expected: .invalidRule(
                index: 0, match: "^x_(?P<a>.*)$", key: "name",
                reason: "template \"x_${b}\" refers to a group named \"b\" that the match does not define")),
        Case(
            label: "unsorted buckets",
            yaml: rule("  observer_type: histogram\n  histogram_options: {buckets: [1, 0.5]}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "histogram_options.buckets",
                reason: "buckets must be strictly increasing, but 0.5 follows 1.0")),
        Case(
            label: "duplicate bucket", yaml: rule("  buckets: [1, 1]\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "buckets",
                reason: "buckets must be strictly increasing, but 1.0 follows 1.0")),
        Case(
            label: "defaults unsorted buckets", yaml: "defaults:\n  histogram_options: {buckets: [2, 1]}\n",
            expected: .invalidDefaults(
                key: "histogram_options.buckets", reason: "buckets must be strictly increasing, but 1.0 follows 2.0")),
        Case(
            label: "quantile out of range",
            yaml: rule("  summary_options: {quantiles: [{quantile: 1.5, error: 0.1}]}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "summary_options.quantiles[0].quantile",
                reason: "quantile must be between 0 and 1 (exclusive), got 1.5")),
        Case(
            label: "quantile error out of range",
            yaml: "defaults:\n  quantiles: [{quantile: 0.5, error: 0.1}, {quantile: 0.9, error: 0}]\n",
            expected: .invalidDefaults(
                key: "quantiles[1].error", reason: "error must be between 0 and 1 (exclusive), got 0.0")),
        Case(
            label: "bad regex", yaml: "mappings:\n- match: \"(unclosed\"\n  match_type: regex\n  name: x\n",
            expected: .invalidRule(index: 0, match: "(unclosed", key: "match", reason: "")),
        Case(
            label: "bad duration", yaml: rule("  ttl: 30\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "ttl",
                reason: "invalid duration \"30\" (expected e.g. 30s, 1m30s, 1h; units ns, us, ms, s, m, h)")),
        Case(
            label: "negative duration", yaml: "defaults:\n  summary_options: {max_age: -1m}\n",
            expected: .invalidDefaults(
                key: "summary_options.max_age", reason: "duration must not be negative, got \"-1m\"")),
        Case(
            label: "bad observer type", yaml: rule("  observer_type: gauge\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "observer_type",
                reason: "invalid observer type \"gauge\" (expected summary or histogram)")),
        Case(
            label: "bad match type", yaml: "defaults:\n  match_type: fuzzy\n",
            expected: .invalidDefaults(
                key: "match_type", reason: "invalid match type \"fuzzy\" (expected glob or regex)")),
        Case(
            label: "bad match metric type", yaml: rule("  match_metric_type: set\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "match_metric_type",
                reason: "invalid metric type \"set\" (expected counter, gauge or observer)")),
        Case(
            label: "bad action", yaml: rule("  action: keep\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "action", reason: "invalid action \"keep\" (expected map or drop)")),
        Case(
            label: "wrong value type", yaml: rule("  honor_labels: maybe\n"),
            expected: .invalidRule(index: 0, match: "a.*", key: "honor_labels", reason: "expected true or false")),
        Case(
            label: "buckets twice", yaml: rule("  buckets: [1]\n  histogram_options: {buckets: [2]}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "buckets", reason: "cannot be used together with histogram_options.buckets"
            )),
        Case(
            label: "summary options on a histogram rule",
            yaml: rule("  observer_type: histogram\n  summary_options: {max_age: 1m}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "summary_options", reason: "cannot be used with observer_type histogram")),
        Case(
            label: "histogram options on a summary rule",
            yaml: rule("  timer_type: summary\n  histogram_options: {buckets: [1]}\n"),
            expected: .invalidRule(
                index: 0, match: "a.*", key: "histogram_options", reason: "cannot be used with observer_type summary")),
        Case(
            label: "non-mapping rule", yaml: "mappings:\n- just a string\n",
            expected: .invalidRule(index: 0, match: "", key: "", reason: "a rule must be a mapping of keys to values")),
    ])
    func rejectsInvalidConfiguration(_ c: Case) {
        #expect {
            _ = try CompiledMapper.load(yaml: c.yaml)
        } throws: { error in
            guard let error = error as? MappingConfigError else { return false }
            if case .invalidRule(let index, let match, let key, let reason) = c.expected, reason.isEmpty {
                // Only the location is stable (the regex parser's wording is not ours).
                guard case .invalidRule(index, match, key, _) = error else { return false }
                return true
            }
            return error == c.expected
        }
    }

    @Test func messageNamesRuleIndexMatchAndKey() {
        let yaml =
            "mappings:\n- match: \"a.*\"\n  name: ok\n- match: \"web.*.requests\"\n  name: web\n  labels: {bad-name: x}\n"
        #expect {
            _ = try CompiledMapper.load(yaml: yaml)
        } throws: { error in
            String(describing: error)
                == #"mapping rule 1 (match "web.*.requests"), key "labels.bad-name": invalid label name "bad-name""#
        }
    }

    @Test func invalidYAMLIsReported() {
        #expect {
            _ = try CompiledMapper.load(yaml: "mappings: [\n")
        } throws: { error in
            guard case .invalidYAML = error as? MappingConfigError else { return false }
            return String(describing: error).hasPrefix("mapping configuration is not valid YAML")
        }
        #expect {
            _ = try CompiledMapper.load(yaml: "mappings: 3\n")
        } throws: { error in
            guard case .invalidYAML = error as? MappingConfigError else { return false }
            return true
        }
    }
}
