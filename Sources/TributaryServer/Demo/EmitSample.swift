/// One sample given on the command line (`tributary emit --name … --type … --value …`), as a StatsD line
/// or a JSON-feed object.
package struct EmitSample: Sendable {
    package enum Kind: String, Sendable, CaseIterable {
        case counter, gauge, timer, histogram, distribution, set
    }

    package var name: String
    package var kind: Kind
    package var value: String
    package var labels: [(String, String)]

    package init(name: String, kind: Kind, value: String, labels: [(String, String)]) {
        self.name = name
        self.kind = kind
        self.value = value
        self.labels = labels
    }

    /// `name:value|type|#k:v,…` (DogStatsD tags).
    package var statsDLine: String {
        let type: String =
            switch self.kind {
            case .counter: "c"
            case .gauge: "g"
            case .timer: "ms"
            case .histogram: "h"
            case .distribution: "d"
            case .set: "s"
            }
        let tags = self.labels.isEmpty ? "" : "|#" + self.labels.map { "\($0.0):\($0.1)" }.joined(separator: ",")
        return "\(self.name):\(self.value)|\(type)\(tags)"
    }

    /// `{"name":…,"type":…,"value":…,"labels":{…}}`; the JSON feed has no `distribution`, so it is sent as a
    /// histogram observation.
    package var jsonLine: String {
        let type = self.kind == .distribution ? "histogram" : self.kind.rawValue
        let isNumber = self.kind != .set && Double(self.value) != nil
        let value = isNumber ? self.value : JSONText.quoted(self.value)
        var object = #"{"name":\#(JSONText.quoted(self.name)),"type":"\#(type)","value":\#(value)"#
        if !self.labels.isEmpty {
            object += #","labels":{"# + self.labels.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }.joined(separator: ",") + "}"
        }
        return object + "}"
    }
}
