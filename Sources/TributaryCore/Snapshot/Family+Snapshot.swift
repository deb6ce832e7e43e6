extension Family {
    /// Writes what makes the family: name, type, help, unit, bounds (histograms), summary options (summaries),
    /// native options, and the input that created it (``FamilySource``). The label index and series list are
    /// rebuilt at restore.
    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.name)
        encoder.write(self.originalName)
        encoder.write(UInt8(self.storage.rawValue))
        encoder.write(self.help)
        encoder.write(self.unit)
        encoder.write(self.storage == .histogram ? self.bounds : [])
        if self.storage == .summary {
            encoder.write(count: self.summaryOptions.objectives.count)
            for objective in self.summaryOptions.objectives {
                encoder.write(objective.quantile)
                encoder.write(objective.error)
            }
            encoder.write(self.summaryOptions.maxAgeSeconds)
            encoder.write(count: self.summaryOptions.ageBuckets)
            encoder.write(count: self.summaryOptions.bufferCapacity)
        }
        encoder.write(self.nativeSchema != nil)
        encoder.write(self.nativeSchema ?? 0)
        encoder.write(count: self.nativeMaxBuckets)
        encoder.write(self.source != nil)
        if let source = self.source {
            encoder.write(source.name)
            encoder.write(source.request.type.rawValue)
            encoder.write(UInt8(source.request.storage.map { $0.rawValue + 1 } ?? 0))
            encoder.write(source.request.help)
            encoder.write(source.request.unit)
            encoder.write(source.request.buckets != nil)
            encoder.write(source.request.buckets ?? [])
            encoder.write(source.request.useMapping)
        }
    }

    /// The family a snapshot record describes; invalid when its kind, bounds or options could not have been made.
    static func decode(from decoder: inout SnapshotDecoder) throws(SnapshotFailure) -> Family {
        let name = try decoder.readString()
        let originalName = try decoder.readOptionalString()
        let storage = try Self.storage(try decoder.readUInt8())
        let help = try decoder.readString()
        let unit = try decoder.readOptionalString()
        let bounds = try decoder.readDoubles()
        guard !name.isEmpty, zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else { throw .invalidValue }
        let options = storage == .summary ? try Self.decodeSummaryOptions(from: &decoder) : .statsdExporterDefault
        let hasNative = try decoder.readBool()
        let schema = try decoder.readInt32()
        guard !hasNative || (-4...8).contains(schema) else { throw .invalidValue }
        var family = Family(
            name: name, originalName: originalName, storage: storage, help: help, unit: unit, bounds: bounds,
            summaryOptions: options, nativeSchema: hasNative ? schema : nil,
            nativeMaxBuckets: Int(try decoder.readUInt32()))
        if try decoder.readBool() {
            let sourceName = try decoder.readString()
            guard let type = StatsDType(rawValue: try decoder.readUInt8()) else { throw .invalidValue }
            let rawStorage = try decoder.readUInt8()
            var request = RouteRequest(
                type: type, storage: rawStorage == 0 ? nil : try Self.storage(rawStorage - 1),
                help: try decoder.readOptionalString(), unit: try decoder.readOptionalString())
            let hasBuckets = try decoder.readBool()
            let buckets = try decoder.readDoubles()
            request.buckets = hasBuckets ? buckets : nil
            request.useMapping = try decoder.readBool()
            family.source = FamilySource(name: sourceName, request: request)
        }
        return family
    }

    private static func decodeSummaryOptions(from decoder: inout SnapshotDecoder) throws(SnapshotFailure) -> SummaryOptions {
        let objectiveCount = try decoder.readCount(elementBytes: 16)
        var objectives: [SummaryObjective] = []
        for _ in 0..<objectiveCount {
            let quantile = try decoder.readFiniteDouble()
            let error = try decoder.readFiniteDouble()
            guard (0...1).contains(quantile) else { throw .invalidValue }
            objectives.append(SummaryObjective(quantile: quantile, error: error))
        }
        return SummaryOptions(
            objectives: objectives, maxAgeSeconds: try decoder.readFiniteDouble(),
            ageBuckets: Int(try decoder.readUInt32()), bufferCapacity: Int(try decoder.readUInt32()))
    }

    private static func storage(_ raw: UInt8) throws(SnapshotFailure) -> StorageKind {
        guard let storage = StorageKind(rawValue: Int(raw)) else { throw .invalidValue }
        return storage
    }
}
