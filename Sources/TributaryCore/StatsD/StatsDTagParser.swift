/// Resolves a line's name section and DogStatsD tags into a metric name and labels.
///
/// Runs once per new raw series key (the slow path), so it may build `String`s. Follows
/// statsd_exporter: SignalFX `name[k=v]suffix` first, then the first Librato `#` or InfluxDB `,`;
/// tag keys are escaped like metric names, values kept as sent; a tag without a key, a value or a
/// separator is skipped and counted as a tag error.
package struct StatsDTagParser: Sendable {
    package var dialects: TagDialects

    package init(dialects: TagDialects = .all) {
        self.dialects = dialects
    }

    /// The outcome for one line shape.
    package struct Resolved: Sendable, Equatable {
        /// The metric name with name-embedded tags removed, not escaped.
        package var name: String
        /// Labels in tag order; a later tag with the same key replaces an earlier one.
        package var labels: [(name: String, value: String)]
        /// Tags that were skipped as invalid.
        package var tagErrors: Int
        /// True when the name section carried InfluxDB/Librato/SignalFX tags that produced labels.
        package var hasNameTags: Bool

        package static func == (lhs: Resolved, rhs: Resolved) -> Bool {
            lhs.name == rhs.name && lhs.tagErrors == rhs.tagErrors && lhs.hasNameTags == rhs.hasNameTags
                && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
        }
    }

    /// Resolves name and tags; nil when the bytes are not valid UTF-8 (a malformed line).
    package func resolve(nameSection: UnsafeRawBufferPointer, dogTags: UnsafeRawBufferPointer?) -> Resolved? {
        guard let section = String(validating: nameSection.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            return nil
        }
        var resolved = Resolved(name: section, labels: [], tagErrors: 0, hasNameTags: false)
        self.splitNameTags(section, into: &resolved)
        resolved.hasNameTags = !resolved.labels.isEmpty
        if let dogTags {
            guard let text = String(validating: dogTags.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
                return nil
            }
            Self.addTags(Substring(text), separator: UInt8(ascii: ":"), trimmingHash: true, into: &resolved)
        }
        return resolved
    }

    // The scans below work on UTF-8 bytes: every separator is ASCII, so a byte position is also a character
    // boundary, and bytes avoid grapheme breaking on the slow path (statsd_exporter splits bytes too).

    private func splitNameTags(_ section: String, into resolved: inout Resolved) {
        let utf8 = section.utf8
        if self.dialects.signalFX {
            let open = utf8.firstIndex(of: UInt8(ascii: "["))
            let close = utf8.firstIndex(of: UInt8(ascii: "]"))
            switch (open, close) {
            case (let open?, let close?) where open < close:
                Self.addNameTags(section[utf8.index(after: open)..<close], into: &resolved)
                var name = String(section[..<open])
                name += section[utf8.index(after: close)...]
                resolved.name = name
                return
            case (nil, nil):
                break
            default:
                resolved.tagErrors += 1  // one bracket only (or reversed): name kept as sent.
                return
            }
        }
        guard self.dialects.librato || self.dialects.influxDB else { return }
        let found = utf8.firstIndex { byte in
            (byte == UInt8(ascii: "#") && self.dialects.librato) || (byte == UInt8(ascii: ",") && self.dialects.influxDB)
        }
        if let index = found {
            Self.addNameTags(section[utf8.index(after: index)...], into: &resolved)
            resolved.name = String(section[..<index])
        }
    }

    private static func addNameTags(_ tags: Substring, into resolved: inout Resolved) {
        addTags(tags, separator: UInt8(ascii: "="), trimmingHash: false, into: &resolved)
    }

    /// Adds the `,`-separated tags of `list` as statsd_exporter does: an empty tag between commas is an
    /// error, an empty last one (`a:1,` or an empty list) is not; DogStatsD tags may each start with `#`.
    private static func addTags(
        _ list: Substring, separator: UInt8, trimmingHash: Bool, into resolved: inout Resolved
    ) {
        let utf8 = list.utf8
        var start = utf8.startIndex
        while start != utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
            var tagStart = start
            if trimmingHash && tagStart != end && utf8[tagStart] == UInt8(ascii: "#") {
                tagStart = utf8.index(after: tagStart)
            }
            addTag(list[tagStart..<end], separator: separator, into: &resolved)
            if end == utf8.endIndex { return }
            start = utf8.index(after: end)
        }
    }

    private static func addTag(_ tag: Substring, separator: UInt8, into resolved: inout Resolved) {
        let utf8 = tag.utf8
        guard let split = utf8.firstIndex(of: separator) else {
            resolved.tagErrors += 1
            return
        }
        let key = tag[..<split]
        let value = tag[utf8.index(after: split)...]
        if key.isEmpty || value.isEmpty {
            resolved.tagErrors += 1
            return
        }
        let name = MetricNameEscaping.escape(String(key))
        let text = String(value)
        if let existing = resolved.labels.firstIndex(where: { $0.name == name }) {
            resolved.labels[existing].value = text
        } else {
            resolved.labels.append((name, text))
        }
    }
}
