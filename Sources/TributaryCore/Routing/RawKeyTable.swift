/// An open-addressing hash table from raw byte keys to `Int32` values, built for the per-line lookup.
///
/// Keys live in one contiguous arena, so a lookup of a known key hashes and compares bytes without
/// allocating. Used as the route cache of a shard: raw series key (type, name section, tags) → route.
///
/// A key is one byte string or, for the per-line lookup, a ``SegmentedKey`` — a prefix byte, a name and optional
/// tags, stored as `prefix name [0xFF tags]` — hashed and compared in place, so the line's bytes are never copied.
///
/// Memory layout is chosen for the lookup's cache misses: a slot holds the entry index and the high half of the
/// key's hash, so a probe that does not match is rejected without touching the entry; an entry keeps its hash,
/// key position and value together in one struct.
package struct RawKeyTable: Sendable {
    private struct Entry {
        var hash: UInt64
        var keyOffset: Int32
        var keyLength: Int32
        var value: Int32
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
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.slots = Array(repeating: 0, count: size)
        self.mask = size - 1
    }

    package var count: Int { self.entries.count }

    /// Bytes held by keys (for memory accounting and bounding the cache).
    package var arenaBytes: Int { self.arena.count }

    /// A fast 64-bit hash of a byte string (8 bytes per step, then a final avalanche).
    @inline(__always)
    package static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        Self.finalize(Self.absorb(key, into: 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)))
    }

    /// A key in three parts, read straight from a line: `prefix` (the type), the name section and the tags.
    package struct SegmentedKey {
        package var prefix: UInt8
        package var name: UnsafeRawBufferPointer
        package var tags: UnsafeRawBufferPointer?

        @inline(__always)
        package init(prefix: UInt8, name: UnsafeRawBufferPointer, tags: UnsafeRawBufferPointer?) {
            self.prefix = prefix
            self.name = name
            self.tags = tags
        }

        /// Length of the stored form `prefix name [0xFF tags]`.
        @inline(__always)
        var storedCount: Int { 1 + self.name.count + (self.tags.map { 1 + $0.count } ?? 0) }

        /// The hash of the parts (not equal to ``RawKeyTable/hash(_:)`` of the stored form).
        @inline(__always)
        package var hash: UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(self.prefix) << 48) ^ UInt64(self.name.count)
            h = RawKeyTable.absorb(self.name, into: h)
            if let tags = self.tags {
                h = RawKeyTable.absorb(tags, into: h ^ (UInt64(tags.count) << 32 | 0xFF))
            }
            return RawKeyTable.finalize(h)
        }
    }

    @inline(__always)
    static func absorb(_ bytes: UnsafeRawBufferPointer, into state: UInt64) -> UInt64 {
        var h = state
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        return (h ^ tail) &* 0x94D0_49BB_1331_11EB
    }

    @inline(__always)
    static func finalize(_ state: UInt64) -> UInt64 {
        var h = state
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// The value stored for a segmented key, if any; compares the parts in place.
    @inline(__always)
    package func find(_ key: SegmentedKey, hash: UInt64) -> Int32? {
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
    package mutating func insert(_ key: SegmentedKey, hash: UInt64, value: Int32) {
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
    package func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        self.lookup(hash: hash, storedCount: key.count) { stored in
            key.count == 0 || memcmpBytes(stored, key.baseAddress!, key.count)
        }
    }

    /// Stores `value` for a key that is not in the table yet.
    package mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64, value: Int32) {
        self.insert(hash: hash, storedCount: key.count, value: value) { $0.append(contentsOf: key) }
    }

    /// The probe loop shared by both key forms: a slot's hash tag, then the entry's full hash and length, then
    /// `matches` on the stored bytes.
    @inline(__always)
    private func lookup(hash: UInt64, storedCount: Int, matches: (UnsafeRawPointer) -> Bool) -> Int32? {
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & self.mask
        while true {
            let word = self.slots[slot]
            if word == 0 { return nil }
            if word & 0xFFFF_FFFF_0000_0000 == tag, case let entry = self.entries[Int(word & 0xFFFF_FFFF) - 1],
                entry.hash == hash, Int(entry.keyLength) == storedCount
            {
                let offset = Int(entry.keyOffset)
                let equal = self.arena.withUnsafeBytes { arena in matches(arena.baseAddress! + offset) }
                if equal { return entry.value }
            }
            slot = (slot + 1) & self.mask
        }
    }

    /// Adds an entry whose stored form (`storedCount` bytes) `writeKey` appends to the arena.
    private mutating func insert(hash: UInt64, storedCount: Int, value: Int32, writeKey: (inout [UInt8]) -> Void) {
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
