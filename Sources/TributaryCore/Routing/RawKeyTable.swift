/// An open-addressing hash table from raw byte keys to values, built for the per-line lookup.
///
/// Keys live in one contiguous arena, so a lookup of a known key hashes and compares bytes without
/// allocating. Used as the route cache of a shard: raw series key (type, name section, tags) → route.
///
/// A key is one byte string or, for the per-line lookup, a ``RawKey/Segmented`` — a prefix byte, a name and optional
/// tags, stored as `prefix name [0xFF tags]` — hashed and compared in place, so the line's bytes are never copied.
/// Hashes are ``RawKey``'s.
///
/// Memory layout is chosen for the lookup's cache misses: a slot holds the entry index and the high half of the
/// key's hash, so a probe that does not match is rejected without touching the entry; an entry keeps its hash,
/// key position and value together in one struct, so a hit costs the slot, the entry (with the value in it) and
/// the key bytes — the route cache keeps whole routes as values for that reason.
package struct RawKeyTable<Value>: Sendable where Value: Sendable {
    private struct Entry {
        var hash: UInt64
        var keyOffset: Int32
        var keyLength: Int32
        var value: Value
    }

    /// Where a found key's entry is, for ``value(at:)`` and ``replaceValue(at:with:)``.
    package struct Position: Equatable {
        fileprivate var entry: Int32
    }

    /// `(hash >> 32) << 32 | (entry index + 1)`; 0 = empty.
    private var slots: [UInt64]
    private var entries: [Entry] = []
    private var arena: [UInt8] = []
    private var mask: Int

    @inline(__always)
    private static func slotWord(hash: UInt64, index: Int) -> UInt64 {
        (hash & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
    }

    package init(capacity: Int = 1024) {
        precondition(capacity >= 0)
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.slots = Array(repeating: 0, count: size)
        self.mask = size - 1
    }

    package var count: Int { self.entries.count }

    /// Bytes held by keys (for memory accounting and bounding the cache).
    package var arenaBytes: Int { self.arena.count }

    /// The value stored for a segmented key, if any; compares the parts in place.
    @inline(__always)
    package func find(_ key: RawKey.Segmented, hash: UInt64) -> Value? {
        self.position(of: key, hash: hash).map { self.value(at: $0) }
    }

    /// Where a segmented key's entry is, if it is in the table.
    @inline(__always)
    package func position(of key: RawKey.Segmented, hash: UInt64) -> Position? {
        self.lookup(hash: hash, storedCount: key.storedCount) { stored in
            guard stored.load(as: UInt8.self) == key.prefix,
                key.name.isEmpty || memcmpBytes(stored + 1, key.name.baseAddress!, key.name.count)
            else { return false }
            guard let tags = key.tags else { return true }
            let tagsAt = stored + 1 + key.name.count
            return tagsAt.load(as: UInt8.self) == 0xFF
                && (tags.isEmpty || memcmpBytes(tagsAt + 1, tags.baseAddress!, tags.count))
        }
    }

    /// Stores `value` for a segmented key that is not in the table yet (in its stored form).
    package mutating func insert(_ key: RawKey.Segmented, hash: UInt64, value: Value) {
        self.insert(hash: hash, storedCount: key.storedCount, value: value) { arena in
            arena.append(key.prefix)
            arena.append(contentsOf: key.name)
            if let tags = key.tags {
                arena.append(0xFF)
                arena.append(contentsOf: tags)
            }
        }
    }

    /// The value stored for `key`, if any.
    @inline(__always)
    package func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Value? {
        let found = self.lookup(hash: hash, storedCount: key.count) { stored in
            key.count == 0 || memcmpBytes(stored, key.baseAddress!, key.count)
        }
        return found.map { self.value(at: $0) }
    }

    /// The value of the entry at `position` (from ``position(of:hash:)``).
    @inline(__always)
    package func value(at position: Position) -> Value { self.entries[Int(position.entry)].value }

    /// Replaces the value of the entry at `position`, under the same key.
    package mutating func replaceValue(at position: Position, with value: Value) {
        self.entries[Int(position.entry)].value = value
    }

    /// Stores `value` for a key that is not in the table yet.
    package mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64, value: Value) {
        self.insert(hash: hash, storedCount: key.count, value: value) { $0.append(contentsOf: key) }
    }

    /// The probe loop shared by both key forms: a slot's hash tag, then the entry's full hash and length, then
    /// `matches` on the stored bytes.
    @inline(__always)
    private func lookup(hash: UInt64, storedCount: Int, matches: (UnsafeRawPointer) -> Bool) -> Position? {
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & self.mask
        while true {
            let word = self.slots[slot]
            if word == 0 { return nil }
            if word & 0xFFFF_FFFF_0000_0000 == tag, case let index = Int(word & 0xFFFF_FFFF) - 1,
                self.entries[index].hash == hash, Int(self.entries[index].keyLength) == storedCount
            {
                let offset = Int(self.entries[index].keyOffset)
                let equal = self.arena.withUnsafeBytes { arena in matches(arena.baseAddress! + offset) }
                if equal { return Position(entry: Int32(index)) }
            }
            slot = (slot + 1) & self.mask
        }
    }

    /// Adds an entry whose stored form (`storedCount` bytes) `writeKey` appends to the arena.
    private mutating func insert(hash: UInt64, storedCount: Int, value: Value, writeKey: (inout [UInt8]) -> Void) {
        if (self.entries.count + 1) * 2 > self.slots.count { self.grow() }
        let index = self.entries.count
        self.entries.append(
            Entry(hash: hash, keyOffset: Int32(self.arena.count), keyLength: Int32(storedCount), value: value))
        writeKey(&self.arena)
        self.place(index: index, hash: hash)
    }

    /// Forgets every key (after a reload or when series expire); keeps the allocated capacity.
    package mutating func removeAll() {
        for i in self.slots.indices { self.slots[i] = 0 }
        self.entries.removeAll(keepingCapacity: true)
        self.arena.removeAll(keepingCapacity: true)
    }

    private mutating func place(index: Int, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & self.mask
        while self.slots[slot] != 0 { slot = (slot + 1) & self.mask }
        self.slots[slot] = Self.slotWord(hash: hash, index: index)
    }

    private mutating func grow() {
        let size = self.slots.count * 2
        self.slots = Array(repeating: 0, count: size)
        self.mask = size - 1
        for index in self.entries.indices { self.place(index: index, hash: self.entries[index].hash) }
    }
}

@inline(__always)
private func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
            return false
        }
        index += 8
    }
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}
