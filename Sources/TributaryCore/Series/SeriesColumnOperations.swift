/// The value-column operations ``SeriesStore`` runs through ``StorageKind/dispatch(_:_:)``, each written once for
/// every kind of value: allocate, release, copy and combine a slot, decode a snapshot's value, and emit a family's
/// series to a sink.
struct AllocateSlot: ColumnVisitor {
    let family: Family
    let setWindowNanos: UInt64
    let now: UInt64

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) -> Int32 {
        column.allocate(Value(family: self.family, setWindowNanos: self.setWindowNanos, now: self.now))
    }
}

struct ReleaseSlot: ColumnVisitor {
    let slot: Int32

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) { column.release(self.slot) }
}

struct CopySlot: ColumnVisitor {
    let other: ValueColumns
    let slot: Int32

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) -> Int32 {
        column.allocate(self.other[keyPath: Value.column][self.slot])
    }
}

struct CombineSlot: ColumnVisitor {
    let other: ValueColumns
    let from: Int32
    let into: Int32
    let otherIsLater: Bool

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) {
        column[self.into].combine(self.other[keyPath: Value.column][self.from], otherIsLater: self.otherIsLater)
    }
}

/// Decodes a snapshot's value into a new slot (a pointer: the decoder lives in
/// ``SeriesStore/addRestoredSeries(family:labelText:ttlNanos:createdSeconds:lastUpdate:decoder:)``).
struct DecodeSlot: ColumnVisitor {
    let decoder: UnsafeMutablePointer<SnapshotDecoder>
    let family: Family

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) -> Result<Int32, SnapshotFailure> {
        do throws(SnapshotFailure) {
            return .success(column.allocate(try Value(decoding: &self.decoder.pointee, family: self.family)))
        } catch {
            return .failure(error)
        }
    }
}

/// Writes one family's series to a sink (pointers: the sink and scratch live in ``SeriesStore/visit(_:now:)``).
struct EmitFamily<Sink: ExpositionSink>: ColumnVisitor {
    let sink: UnsafeMutablePointer<Sink>
    let scratch: UnsafeMutablePointer<ExpositionScratch>
    let family: Family
    let series: [SeriesRecord]
    let now: UInt64

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) {
        Value.prepare(family: self.family, scratch: &self.scratch.pointee)
        for id in self.family.series {
            let record = self.series[Int(id)]
            column[record.slot].emit(
                to: &self.sink.pointee, family: self.family, series: record, now: self.now,
                scratch: &self.scratch.pointee)
        }
    }
}
