/// The `value` of an object: a scalar kept in the sample, the elements of an array in the scratch.
extension JSONFeedParser {
    /// Keeps a scalar number value of a non-set type in `sample` (the common case: no second scan, no scratch).
    @inline(__always)
    static func checkedScalar(_ number: Double, type: JSONFeedType, into sample: inout JSONFeedSample) -> JSONFeedFailure? {
        guard number.isFinite else { return .badValue }
        if type == .counter && number < 0 { return .negativeCounter }
        sample.value = number
        sample.valuesInScratch = false
        return nil
    }

    /// Reads the (already syntax-checked) `value` according to the type: a scalar into `sample`, the elements of
    /// an array into `scratch`.
    static func readValues(
        _ p: UnsafeRawBufferPointer, _ range: Range<Int>, type: JSONFeedType, into sample: inout JSONFeedSample,
        scratch: inout JSONFeedScratch
    ) -> JSONFeedFailure? {
        var index = range.lowerBound
        guard p[index] == UInt8(ascii: "[") else {
            sample.valuesInScratch = false
            return self.readValue(p, &index, type: type, value: &sample.value, memberHash: &sample.memberHash)
        }
        sample.valuesInScratch = true
        scratch.values.removeAll(keepingCapacity: true)
        scratch.members.removeAll(keepingCapacity: true)
        index += 1
        Scanner.skipWhitespace(p, &index)
        if p[index] == UInt8(ascii: "]") { return .badValue }
        var value = 0.0
        var memberHash: UInt64 = 0
        while true {
            if let failure = self.readValue(p, &index, type: type, value: &value, memberHash: &memberHash) { return failure }
            if type == .set { scratch.members.append(memberHash) } else { scratch.values.append(value) }
            Scanner.skipWhitespace(p, &index)
            if p[index] == UInt8(ascii: "]") { return nil }
            index += 1  // the ',' (syntax already checked)
            Scanner.skipWhitespace(p, &index)
        }
    }

    /// One element of a value: a set member (string or number) as the hash of its bytes, else a finite number
    /// (not below zero for a counter).
    @inline(__always)
    static func readValue(
        _ p: UnsafeRawBufferPointer, _ index: inout Int, type: JSONFeedType, value: inout Double, memberHash: inout UInt64
    ) -> JSONFeedFailure? {
        if type == .set {
            let start = index
            if p[index] == UInt8(ascii: "\"") {
                guard let text = Scanner.string(p, &index) else { return .badValue }
                memberHash = RawKey.hash(UnsafeRawBufferPointer(rebasing: p[text]))
            } else {
                guard Scanner.number(p, &index) != nil else { return .badValue }
                memberHash = RawKey.hash(UnsafeRawBufferPointer(rebasing: p[start..<index]))
            }
            return nil
        }
        guard let number = Scanner.number(p, &index), number.isFinite else { return .badValue }
        if type == .counter && number < 0 { return .negativeCounter }
        value = number
        return nil
    }
}
