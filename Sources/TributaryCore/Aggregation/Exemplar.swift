/// The last traced observation of a counter or histogram bucket: exposed as an OpenMetrics exemplar
/// (`# {trace_id="…",span_id="…"} value timestamp`) and in the protobuf format.
///
/// Made only for samples that carry a trace (the JSON feed's `exemplar` object), so the two `String`s are the only
/// allocation it costs, and only on those samples.
package struct Exemplar: Sendable, Equatable {
    package var traceID: String
    /// Empty when the sample gave none (the label is then left out).
    package var spanID: String
    /// The observed value (histogram) or increment (counter), after the mapping's scaling.
    package var value: Double
    /// Wall-clock seconds since the epoch: the sample's own `timestamp`, else when it was applied.
    package var timestampSeconds: Double

    package init(traceID: String, spanID: String, value: Double, timestampSeconds: Double) {
        self.traceID = traceID
        self.spanID = spanID
        self.value = value
        self.timestampSeconds = timestampSeconds
    }

    /// The exemplar's labels in exposition order.
    package var labels: [(name: String, value: String)] {
        self.spanID.isEmpty ? [("trace_id", self.traceID)] : [("trace_id", self.traceID), ("span_id", self.spanID)]
    }

    /// OpenMetrics caps an exemplar's label names and values at 128 UTF-8 characters in all.
    package var fitsOpenMetricsLimit: Bool {
        var length = "trace_id".utf8.count + self.traceID.unicodeScalars.count
        if !self.spanID.isEmpty { length += "span_id".utf8.count + self.spanID.unicodeScalars.count }
        return length <= 128
    }
}

extension Exemplar {
    /// Writes an optional exemplar (a presence byte, then its fields) for a snapshot.
    static func encode(_ exemplar: Exemplar?, into encoder: inout SnapshotEncoder) {
        encoder.write(exemplar != nil)
        guard let exemplar else { return }
        encoder.write(exemplar.traceID)
        encoder.write(exemplar.spanID)
        encoder.write(exemplar.value)
        encoder.write(exemplar.timestampSeconds)
    }

    static func decodeOptional(from decoder: inout SnapshotDecoder) throws(SnapshotFailure) -> Exemplar? {
        guard try decoder.readBool() else { return nil }
        return Exemplar(
            traceID: try decoder.readString(), spanID: try decoder.readString(), value: try decoder.readDouble(),
            timestampSeconds: try decoder.readDouble())
    }
}
